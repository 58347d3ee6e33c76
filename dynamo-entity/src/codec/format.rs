//! Key formats: how a placeholder's value is written when the plain encoding is not the one a
//! table's layout uses, `<field:format>` in a template.
//!
//! A format rewrites the value's [`KeyValue`](crate::KeyValue) encoding, so that every type
//! keeps one encoding and a format means the same on every type it fits. The derive checks at
//! compile time that the format is known and fits the field's type.
//!
//! | format | fits | writes | order kept |
//! |---|---|---|---|
//! | `upper`, `lower` | text | the value upper- or lower-cased (the attribute keeps the original) | of the cased text |
//! | `7` (a width) | integers | zero-padded to 7 digits; a wider value is refused | yes |
//! | `unpadded` | integers | plain decimal (`42`, `-7`), as many existing tables do | no: no range queries |
//! | `inverted`, `7:inverted` | integers | `99…9 - n` over the type's width (or 7 digits): newest first in an ascending index | reversed: no range queries |
//! | `date`, `month`, `hour`, `minute` | timestamps | the bucket: `2024-01-15`, `2024-01`, `2024-01-15T10`, `2024-01-15T10:30` (UTC) | yes, by bucket |
//! | `seconds` | timestamps | RFC 3339 to the second: `2024-01-15T10:30:00Z` | yes |
//! | `millis` | timestamps | RFC 3339 to the millisecond, as JavaScript writes it: `2024-01-15T10:30:00.000Z` | yes |
//! | `epoch` | timestamps | seconds since 1970, 10 digits (`1705314600`) | yes |
//! | `date:millis`, `hour:epoch`... | timestamps | truncated to the bucket, written in the form: `2024-01-15T00:00:00.000Z` | yes, by bucket |
//!
//! ```
//! use dynamo_entity::Entity;
//!
//! #[derive(Entity)]
//! #[pk = "BRAND#<brand:upper>"]
//! #[sk = "ISSUE#<number:7>"]
//! struct Issue { brand: String, number: u32 }
//!
//! let issue = Issue { brand: "Nike".into(), number: 42 };
//! let key = issue.key()?;
//! assert_eq!(key.pk, "BRAND#NIKE");
//! assert_eq!(key.sk.as_deref(), Some("ISSUE#0000042"));
//! # Ok::<(), dynamo_entity::Error>(())
//! ```

use super::key_value::KeyValue;
use crate::error::KeyValueError;

/// A placeholder's format, as a template spells it after the field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyFormat {
    /// `upper`: the text upper-cased.
    Upper,
    /// `lower`: the text lower-cased.
    Lower,
    /// A width: the integer zero-padded to this many digits.
    Width(u8),
    /// `unpadded`: the integer in plain decimal.
    Unpadded,
    /// `inverted` or `<width>:inverted`: the nines' complement of the integer over the width
    /// (the type's when `None`), so that larger values sort first.
    Inverted(Option<u8>),
    /// A timestamp, truncated to a bucket (or not) and written in a form: `date`,
    /// `date:millis`, `seconds`, `hour:epoch`...
    Time(Option<TimeBucket>, TimeForm),
}

/// What a time format truncates a timestamp to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeBucket {
    /// `month`: the first instant of the month.
    Month,
    /// `date`: midnight (UTC).
    Day,
    /// `hour`: the start of the hour.
    Hour,
    /// `minute`: the start of the minute.
    Minute,
}

/// How a time format writes a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeForm {
    /// The bucket alone: `2024-01`, `2024-01-15`, `2024-01-15T10`, `2024-01-15T10:30`.
    Bucket,
    /// `seconds`: RFC 3339 to the second, `2024-01-15T10:30:00Z`.
    Seconds,
    /// `millis`: RFC 3339 to the millisecond, as JavaScript's `toISOString` writes it:
    /// `2024-01-15T10:30:00.000Z`.
    Millis,
    /// `epoch`: seconds since 1970, 10 digits (a time from 2286-11-20 on has none: it is
    /// refused, so that keys keep their order).
    Epoch,
}

impl KeyFormat {
    /// `value`'s key text in this format, for computed parts that assemble keys themselves.
    ///
    /// ```
    /// use dynamo_entity::KeyFormat;
    /// assert_eq!(KeyFormat::Inverted(Some(7)).format(&15u32)?, "9999984");
    /// # Ok::<(), dynamo_entity::KeyValueError>(())
    /// ```
    pub fn format<T: KeyValue + ?Sized>(self, value: &T) -> Result<String, KeyValueError> {
        self.apply(&value.to_key_string()?)
    }

    /// Rewrites `encoded`, a value's plain key encoding, in this format.
    pub fn apply(self, encoded: &str) -> Result<String, KeyValueError> {
        match self {
            KeyFormat::Upper => Ok(encoded.to_uppercase()),
            KeyFormat::Lower => Ok(encoded.to_lowercase()),
            KeyFormat::Width(width) => padded(non_negative(encoded, self)?, width),
            KeyFormat::Unpadded => unpadded(encoded),
            KeyFormat::Inverted(width) => {
                let digits = non_negative(encoded, self)?;
                let width = width.map_or(encoded.len(), usize::from);
                let padded = padded(digits, width as u8)?;
                Ok(padded
                    .bytes()
                    .map(|d| char::from(b'9' - (d - b'0')))
                    .collect())
            }
            KeyFormat::Time(bucket, form) => {
                let text = time(timestamp(encoded)?, bucket, form)?;
                // Ten digits keep keys in time order; from 2286-11-20T17:46:40Z an eleventh
                // would sort those times before earlier ones.
                if form == TimeForm::Epoch && text.len() > 10 {
                    return Err(KeyValueError::Invalid(
                        "a time from 2286-11-20T17:46:40Z on has no 10-digit epoch-seconds key"
                            .into(),
                    ));
                }
                Ok(text)
            }
        }
    }
}

/// A timestamp attribute in `form` (`#[dynamo(format = "..")]`), from the timestamp's key
/// encoding: RFC 3339 text, or epoch seconds as a number (`N`, without the key's padding).
pub(crate) fn time_attribute(
    encoded: &str,
    form: TimeForm,
) -> Result<aws_sdk_dynamodb::types::AttributeValue, KeyValueError> {
    use aws_sdk_dynamodb::types::AttributeValue;
    // Not `KeyFormat::apply`: an attribute need not sort, so epoch seconds may have 11 digits.
    let text = time(timestamp(encoded)?, None, form)?;
    Ok(match form {
        TimeForm::Epoch => AttributeValue::N(trim_zeros(&text).to_owned()),
        _ => AttributeValue::S(text),
    })
}

/// A timestamp's encoding (`YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`) truncated to `bucket` and written
/// in `form`.
fn time(t: &str, bucket: Option<TimeBucket>, form: TimeForm) -> Result<String, KeyValueError> {
    // Truncation zeroes what follows the bucket: the encoding's fields are at fixed places.
    let kept = match bucket {
        None => t.len(),
        Some(TimeBucket::Month) => 7,
        Some(TimeBucket::Day) => 10,
        Some(TimeBucket::Hour) => 13,
        Some(TimeBucket::Minute) => 16,
    };
    const ZERO: &str = "0000-01-01T00:00:00.000000000Z";
    let truncated = format!("{}{}", &t[..kept], &ZERO[kept..]);
    let t = truncated.as_str();
    Ok(match form {
        TimeForm::Bucket => t[..kept].to_owned(),
        TimeForm::Seconds => format!("{}Z", &t[..19]),
        TimeForm::Millis => format!("{}Z", &t[..23]),
        TimeForm::Epoch => {
            let number =
                |range: std::ops::Range<usize>| -> i64 { t[range].parse().unwrap_or_default() };
            let days = days_from_civil(number(0..4), number(5..7), number(8..10));
            let seconds =
                days * 86_400 + number(11..13) * 3600 + number(14..16) * 60 + number(17..19);
            if seconds < 0 {
                return Err(KeyValueError::Invalid(
                    "a time before 1970 has no epoch-seconds key".into(),
                ));
            }
            format!("{seconds:010}")
        }
    })
}

/// The digits of a non-negative integer's encoding, without leading zeros (`"0"` for zero).
fn non_negative(encoded: &str, format: KeyFormat) -> Result<&str, KeyValueError> {
    if encoded.starts_with('-') {
        return Err(KeyValueError::Invalid(
            format!("a negative number has no {format:?} key form").into(),
        ));
    }
    Ok(trim_zeros(digits(encoded, format)?))
}

/// `text`, which must be an integer's digits for `format`.
fn digits(text: &str, format: KeyFormat) -> Result<&str, KeyValueError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(KeyValueError::Invalid(
            format!("{format:?} is a form of integers, and `{text}` is not one").into(),
        ));
    }
    Ok(text)
}

fn trim_zeros(digits: &str) -> &str {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        "0"
    } else {
        trimmed
    }
}

fn padded(digits: &str, width: u8) -> Result<String, KeyValueError> {
    let width = usize::from(width);
    if digits.len() > width {
        return Err(KeyValueError::Invalid(
            format!("{digits} has more than the key's {width} digits").into(),
        ));
    }
    Ok(format!("{digits:0>width$}"))
}

/// Plain decimal from an integer's encoding: a negative value's encoding is `-` and the nines'
/// complement of `|v| - 1` (see [`KeyValue`]).
fn unpadded(encoded: &str) -> Result<String, KeyValueError> {
    let format = KeyFormat::Unpadded;
    match encoded.strip_prefix('-') {
        None => Ok(trim_zeros(digits(encoded, format)?).to_owned()),
        Some(complement) => {
            let magnitude_less_one: String = digits(complement, format)?
                .bytes()
                .map(|d| char::from(b'9' - (d - b'0')))
                .collect();
            let n: u128 = trim_zeros(&magnitude_less_one).parse().map_err(|_| {
                KeyValueError::Invalid(format!("`{encoded}` is beyond 128-bit integers").into())
            })?;
            let magnitude = n.checked_add(1).ok_or_else(|| {
                KeyValueError::Invalid(format!("`{encoded}` is beyond 128-bit integers").into())
            })?;
            Ok(format!("-{magnitude}"))
        }
    }
}

/// A timestamp's encoding, checked: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
fn timestamp(encoded: &str) -> Result<&str, KeyValueError> {
    let b = encoded.as_bytes();
    let digit = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
    let shaped = b.len() == 30
        && encoded.is_ascii()
        && digit(0..4)
        && digit(5..7)
        && digit(8..10)
        && digit(11..13)
        && digit(14..16)
        && digit(17..19)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':';
    if shaped {
        Ok(encoded)
    } else {
        Err(KeyValueError::Invalid(
            "a time format needs a timestamp".into(),
        ))
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Text whose key encoding can be cased: `:upper`, `:lower`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be upper- or lower-cased in a key",
    label = "`:upper` and `:lower` fit text fields",
    note = "use the format on a String field, or remove it"
)]
pub trait TextKey: KeyValue {}
impl TextKey for String {}
impl TextKey for str {}

/// An integer: widths, `:unpadded`, `:inverted`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an integer, so it has no key width",
    label = "widths, `:unpadded` and `:inverted` fit integer fields",
    note = "use the format on an integer field, or remove it"
)]
pub trait IntegerKey: KeyValue {}
macro_rules! integer_key {
    ($($t:ty),*) => { $(impl IntegerKey for $t {})* };
}
integer_key!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

/// A point in time: `:date`, `:month`, `:hour`, `:minute`, `:seconds`, `:millis`, `:epoch`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a timestamp, so it has no time key format",
    label = "time formats (`:date`, `:month`, `:hour`, `:seconds`, `:millis`, `:epoch`) fit timestamp fields",
    note = "use the format on a chrono::DateTime<Utc> or time::OffsetDateTime field"
)]
pub trait TimeKey: KeyValue {}
#[cfg(feature = "chrono")]
impl TimeKey for chrono::DateTime<chrono::Utc> {}
#[cfg(feature = "time")]
impl TimeKey for time::OffsetDateTime {}

/// Compile-time checks that a format fits a field's type; generated code calls one per
/// formatted placeholder.
#[doc(hidden)]
pub fn fits_text<T: TextKey + ?Sized>() {}
#[doc(hidden)]
pub fn fits_integer<T: IntegerKey + ?Sized>() {}
#[doc(hidden)]
pub fn fits_time<T: TimeKey + ?Sized>() {}

#[cfg(test)]
mod tests {
    use super::KeyFormat::{self, *};
    use super::{TimeBucket, TimeForm};
    use crate::codec::key_value::KeyValue;

    fn key<T: KeyValue>(value: T, format: KeyFormat) -> String {
        format.apply(&value.to_key_string().unwrap()).unwrap()
    }

    #[test]
    fn text_that_is_no_integer_is_refused_not_a_panic() {
        for text in ["-x", "x", "", "-", "1a", "-1a", "é", "-é", &"9".repeat(60)] {
            assert!(
                Unpadded.apply(text).is_err() || text == "9".repeat(60),
                "{text:?}"
            );
            assert!(Width(7).apply(text).is_err(), "{text:?}");
            assert!(Inverted(Some(7)).apply(text).is_err(), "{text:?}");
        }
        assert!(Unpadded.apply(&format!("-{}", "0".repeat(60))).is_err());
        for text in [
            "",
            "x",
            "2024-01-01T00:00:00.000000000é",
            "é024-01-01T00:00:00.0000000Z",
        ] {
            assert!(Time(None, TimeForm::Epoch).apply(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn epoch_keys_keep_their_order_or_are_refused() {
        let last = "2286-11-20T17:46:39.000000000Z";
        let first_refused = "2286-11-20T17:46:40.000000000Z";
        let epoch = Time(None, TimeForm::Epoch);
        assert_eq!(epoch.apply(last).unwrap(), "9999999999");
        assert!(epoch.apply(first_refused).is_err());
        // An attribute in epoch seconds need not sort: it may have eleven digits.
        assert_eq!(
            super::time_attribute(first_refused, TimeForm::Epoch).unwrap(),
            aws_sdk_dynamodb::types::AttributeValue::N("10000000000".into())
        );
    }

    #[test]
    fn cases_text() {
        assert_eq!(key("Nike", Upper), "NIKE");
        assert_eq!(key("Nike", Lower), "nike");
    }

    #[test]
    fn widths_and_unpadded_integers() {
        assert_eq!(key(42u32, Width(7)), "0000042");
        assert_eq!(key(0u8, Width(2)), "00");
        assert!(Width(2).apply(&100u32.to_key_string().unwrap()).is_err());
        assert!(Width(7).apply(&(-1i32).to_key_string().unwrap()).is_err());
        assert_eq!(key(42u64, Unpadded), "42");
        assert_eq!(key(0i32, Unpadded), "0");
        assert_eq!(key(-42i32, Unpadded), "-42");
        assert_eq!(key(-1i8, Unpadded), "-1");
        assert_eq!(key(i8::MIN, Unpadded), "-128");
        assert_eq!(key(i128::MIN, Unpadded), i128::MIN.to_string());
    }

    #[test]
    fn inverted_integers_sort_largest_first() {
        assert_eq!(key(42u32, Inverted(Some(7))), "9999957");
        assert_eq!(key(0u8, Inverted(None)), "999");
        let keys: Vec<String> = [1u32, 2, 10, 300]
            .into_iter()
            .map(|n| key(n, Inverted(None)))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.reverse();
        assert_eq!(keys, sorted);
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn buckets_timestamps() {
        use chrono::TimeZone;
        let t = chrono::Utc
            .with_ymd_and_hms(2024, 1, 15, 10, 30, 5)
            .unwrap();
        let t = t + chrono::Duration::milliseconds(123);
        assert_eq!(
            key(t, Time(Some(TimeBucket::Day), TimeForm::Bucket)),
            "2024-01-15"
        );
        assert_eq!(
            key(t, Time(Some(TimeBucket::Month), TimeForm::Bucket)),
            "2024-01"
        );
        assert_eq!(
            key(t, Time(Some(TimeBucket::Hour), TimeForm::Bucket)),
            "2024-01-15T10"
        );
        assert_eq!(
            key(t, Time(Some(TimeBucket::Minute), TimeForm::Bucket)),
            "2024-01-15T10:30"
        );
        assert_eq!(
            key(t, Time(Some(TimeBucket::Minute), TimeForm::Epoch)),
            (t.timestamp() - 5).to_string()
        );
        assert_eq!(
            key(t, Time(None, TimeForm::Seconds)),
            "2024-01-15T10:30:05Z"
        );
        assert_eq!(
            key(t, Time(None, TimeForm::Millis)),
            "2024-01-15T10:30:05.123Z"
        );
        assert_eq!(
            key(t, Time(Some(TimeBucket::Day), TimeForm::Millis)),
            "2024-01-15T00:00:00.000Z"
        );
        assert_eq!(
            key(t, Time(Some(TimeBucket::Month), TimeForm::Seconds)),
            "2024-01-01T00:00:00Z"
        );
        assert_eq!(
            key(t, Time(None, TimeForm::Epoch)),
            t.timestamp().to_string()
        );
        assert_eq!(
            key(t, Time(Some(TimeBucket::Hour), TimeForm::Epoch)),
            (t.timestamp() - 30 * 60 - 5).to_string()
        );
        let early = chrono::Utc.with_ymd_and_hms(1970, 1, 2, 0, 0, 0).unwrap();
        assert_eq!(key(early, Time(None, TimeForm::Epoch)), "0000086400");
        let before = chrono::Utc.with_ymd_and_hms(1969, 12, 31, 0, 0, 0).unwrap();
        assert!(Time(None, TimeForm::Epoch)
            .apply(&before.to_key_string().unwrap())
            .is_err());
        assert!(Time(Some(TimeBucket::Day), TimeForm::Bucket)
            .apply("not a time")
            .is_err());
    }

    proptest::proptest! {
        /// Epoch seconds agree with chrono for every second from 1970 to 9999: as a key while
        /// ten digits hold them (to 2286-11-20), refused after that, and as an attribute
        /// throughout.
        #[cfg(feature = "chrono")]
        #[test]
        fn epoch_agrees_with_chrono(seconds in 0i64..253_402_300_799) {
            let t = chrono::DateTime::from_timestamp(seconds, 0).unwrap();
            let encoded = t.to_key_string().unwrap();
            let keyed = Time(None, TimeForm::Epoch).apply(&encoded);
            if seconds < 10_000_000_000 {
                proptest::prop_assert_eq!(keyed.unwrap(), format!("{seconds:010}"));
            } else {
                proptest::prop_assert!(keyed.is_err());
            }
            proptest::prop_assert_eq!(
                super::time_attribute(&encoded, TimeForm::Epoch).unwrap(),
                aws_sdk_dynamodb::types::AttributeValue::N(seconds.to_string())
            );
        }

        /// Unpadded integers are their decimal text.
        #[test]
        fn unpadded_is_decimal(n: i64) {
            proptest::prop_assert_eq!(key(n, Unpadded), n.to_string());
        }

        /// A width keeps order among the values it fits.
        #[test]
        fn width_keeps_order(a in 0u32..10_000_000, b in 0u32..10_000_000) {
            proptest::prop_assert_eq!(a.cmp(&b), key(a, Width(7)).cmp(&key(b, Width(7))));
            proptest::prop_assert_eq!(a.cmp(&b), key(b, Inverted(Some(7))).cmp(&key(a, Inverted(Some(7)))));
        }
    }
}
