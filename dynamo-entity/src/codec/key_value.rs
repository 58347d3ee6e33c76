//! Key values: how a field becomes part of a partition or sort key.
//!
//! Every placeholder in a key template is written through [`KeyValue`]. The encodings are chosen
//! so that two rules hold for every implementation in this crate:
//!
//! * **Order is preserved.** Sorting the encoded strings byte-wise gives the values' natural
//!   order, so a `between` or `>` condition on a sort key means what it says.
//! * **Encoding is injective.** Two different values never give the same string, and a value can
//!   never contain the template delimiter `#`, so the segments of a key can always be told apart.
//!
//! | type | encoding | example |
//! |---|---|---|
//! | `String`, `str` | as is; empty or containing `#` is rejected | `alice` |
//! | `u8` … `u128`, `usize` | zero-padded to the type's widest value | `u32` 42 → `0000000042` |
//! | `i8` … `i128`, `isize` | non-negative: zero-padded; negative: `-` then the nines' complement of `|v| - 1` | `i32` -42 → `-9999999958` |
//! | `uuid::Uuid` (feature `uuid`) | lowercase hyphenated | `67e55044-10b1-426f-9247-bb680e5fe0c8` |
//! | `chrono::DateTime<Utc>` (feature `chrono`) | fixed-width RFC 3339 in UTC, nanoseconds | `2024-01-15T10:30:00.000000000Z` |
//! | `time::OffsetDateTime` (feature `time`) | converted to UTC, then as above | |
//!
//! Fieldless enums get an encoding with `#[derive(KeyValue)]` (the variant name, or the name
//! given with `#[dynamo(rename = "...")]`).

use crate::error::KeyValueError;

/// The delimiter between the segments of a key template.
pub const DELIMITER: char = '#';

/// A type whose values can be part of a DynamoDB key.
///
/// Implementations must be injective (different values, different strings), must never write the
/// delimiter `#`, and should preserve order. See the [module docs](self) for the built-in
/// encodings.
///
/// ```
/// use dynamo_entity::{KeyValue, KeyValueError};
///
/// /// A two-letter country code, stored upper-case.
/// struct Country([u8; 2]);
///
/// impl KeyValue for Country {
///     fn write_key(&self, out: &mut String) -> Result<(), KeyValueError> {
///         for b in self.0 {
///             if !b.is_ascii_uppercase() {
///                 return Err(KeyValueError::Invalid("not an upper-case country code".into()));
///             }
///             out.push(char::from(b));
///         }
///         Ok(())
///     }
/// }
///
/// let mut key = String::from("COUNTRY#");
/// Country(*b"NZ").write_key(&mut key).unwrap();
/// assert_eq!(key, "COUNTRY#NZ");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be part of a DynamoDB key",
    label = "this field's value becomes part of a key",
    note = "key placeholders need an injective, order-preserving string encoding: String, an \
            integer, uuid::Uuid, chrono::DateTime<Utc>, time::OffsetDateTime, or a type \
            implementing `dynamo_entity::KeyValue` (`#[derive(KeyValue)]` on a fieldless enum)"
)]
pub trait KeyValue {
    /// Appends this value's key encoding to `out`.
    ///
    /// On error, `out` may hold a partial encoding; callers discard it.
    fn write_key(&self, out: &mut String) -> Result<(), KeyValueError>;

    /// About how many bytes [`write_key`](Self::write_key) appends, so that a key is allocated
    /// once at its final size. Only a hint: it affects speed, never the key.
    fn key_len_hint(&self) -> usize {
        16
    }

    /// This value's key encoding as a new string.
    fn to_key_string(&self) -> Result<String, KeyValueError> {
        let mut out = String::new();
        self.write_key(&mut out)?;
        Ok(out)
    }

    /// What values the type can take, for the design review's lints (a partition key made only
    /// of a small enum is a hot partition; a time-ordered sort key grows without bound). Only a
    /// description: it never changes a key.
    fn domain() -> KeyDomain
    where
        Self: Sized,
    {
        KeyDomain::Open
    }
}

/// What values a [`KeyValue`] type can take, as the design review sees it
/// ([`KeyValue::domain`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum KeyDomain {
    /// Many values: text, identifiers, large integers.
    Open,
    /// At most this many values (a fieldless enum, a `u8`).
    Finite(u64),
    /// Points in time: values arrive in order and never repeat.
    Time,
    /// Any text, the key delimiter `#` included ([`RawKey`]): a part assembled by the entity
    /// itself, whose key space has no boundaries to rely on.
    Raw,
}

impl<T: KeyValue + ?Sized> KeyValue for &T {
    fn write_key(&self, out: &mut String) -> Result<(), KeyValueError> {
        (**self).write_key(out)
    }

    fn key_len_hint(&self) -> usize {
        (**self).key_len_hint()
    }
}

impl KeyValue for str {
    fn write_key(&self, out: &mut String) -> Result<(), KeyValueError> {
        if self.is_empty() {
            return Err(KeyValueError::Empty);
        }
        if self.contains(DELIMITER) {
            return Err(KeyValueError::ContainsDelimiter);
        }
        out.push_str(self);
        Ok(())
    }

    fn key_len_hint(&self) -> usize {
        self.len()
    }
}

impl KeyValue for String {
    fn write_key(&self, out: &mut String) -> Result<(), KeyValueError> {
        self.as_str().write_key(out)
    }

    fn key_len_hint(&self) -> usize {
        self.len()
    }
}

/// Writes `value` in decimal, left-padded with zeros to `width` digits; with `nines_complement`,
/// each digit `d` is written as `9 - d` (which reverses the order of equal-width numbers).
fn push_digits(out: &mut String, value: u128, width: usize, nines_complement: bool) {
    let mut digits = [0u8; 39];
    let mut rest = value;
    let mut at = digits.len();
    while rest > 0 {
        at -= 1;
        digits[at] = (rest % 10) as u8;
        rest /= 10;
    }
    let start = digits.len() - width.max(digits.len() - at);
    for &d in &digits[start..] {
        let d = if nines_complement { 9 - d } else { d };
        out.push(char::from(b'0' + d));
    }
}

fn push_padded(out: &mut String, value: u128, width: usize) {
    push_digits(out, value, width, false);
}

macro_rules! unsigned_key_value {
    ($($ty:ty => $width:expr),* $(,)?) => {$(
        impl KeyValue for $ty {
            fn write_key(&self, out: &mut String) -> Result<(), KeyValueError> {
                push_padded(out, *self as u128, $width);
                Ok(())
            }

            fn key_len_hint(&self) -> usize {
                $width
            }

            fn domain() -> KeyDomain {
                finite_domain(<$ty>::BITS)
            }
        }
    )*};
}

/// The number of values of an integer type of `bits` bits (saturating for the widest).
fn finite_domain(bits: u32) -> KeyDomain {
    KeyDomain::Finite(1u64.checked_shl(bits).unwrap_or(u64::MAX))
}

// Widths are the digit counts of each type's maximum value.
unsigned_key_value!(u8 => 3, u16 => 5, u32 => 10, u64 => 20, u128 => 39, usize => 20);

macro_rules! signed_key_value {
    ($($ty:ty => $width:expr),* $(,)?) => {$(
        impl KeyValue for $ty {
            fn write_key(&self, out: &mut String) -> Result<(), KeyValueError> {
                if *self >= 0 {
                    push_padded(out, *self as u128, $width);
                } else {
                    // `!v` is `|v| - 1` for negative v and never overflows. Its nines'
                    // complement grows as v approaches zero, and `-` sorts before every digit,
                    // so negatives sort below non-negatives and in their natural order.
                    out.push('-');
                    push_digits(out, (!*self) as u128, $width, true);
                }
                Ok(())
            }

            fn key_len_hint(&self) -> usize {
                $width + 1
            }

            fn domain() -> KeyDomain {
                finite_domain(<$ty>::BITS)
            }
        }
    )*};
}

// Widths are the digit counts of each type's largest magnitude (for i8, 128 has 3 digits).
signed_key_value!(i8 => 3, i16 => 5, i32 => 10, i64 => 19, i128 => 39, isize => 19);

/// The length of `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
#[cfg(any(feature = "chrono", feature = "time"))]
const TIMESTAMP_LEN: usize = 30;

/// Writes a UTC timestamp as fixed-width RFC 3339 with nanoseconds:
/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn push_timestamp(
    out: &mut String,
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
) -> Result<(), KeyValueError> {
    if !(0..=9999).contains(&year) {
        return Err(KeyValueError::Invalid(
            format!(
                "year {year} is outside 0000-9999, so the timestamp has no fixed-width encoding"
            )
            .into(),
        ));
    }
    push_padded(out, year as u128, 4);
    out.push('-');
    push_padded(out, month.into(), 2);
    out.push('-');
    push_padded(out, day.into(), 2);
    out.push('T');
    push_padded(out, hour.into(), 2);
    out.push(':');
    push_padded(out, minute.into(), 2);
    out.push(':');
    push_padded(out, second.into(), 2);
    out.push('.');
    push_padded(out, nanos.into(), 9);
    out.push('Z');
    Ok(())
}

#[cfg(feature = "chrono")]
impl KeyValue for chrono::DateTime<chrono::Utc> {
    fn write_key(&self, out: &mut String) -> Result<(), KeyValueError> {
        use chrono::{Datelike, Timelike};
        // A leap second is reported as nanosecond >= 1e9; it has no place in a fixed-width
        // encoding and would sort wrongly, so it is rejected rather than folded.
        if self.nanosecond() >= 1_000_000_000 {
            return Err(KeyValueError::Invalid(
                "leap seconds cannot be encoded".into(),
            ));
        }
        push_timestamp(
            out,
            self.year(),
            self.month(),
            self.day(),
            self.hour(),
            self.minute(),
            self.second(),
            self.nanosecond(),
        )
    }

    fn key_len_hint(&self) -> usize {
        TIMESTAMP_LEN
    }

    fn domain() -> KeyDomain {
        KeyDomain::Time
    }
}

#[cfg(feature = "time")]
impl KeyValue for time::OffsetDateTime {
    fn write_key(&self, out: &mut String) -> Result<(), KeyValueError> {
        // In UTC, a time near the end of year 9999 at a negative offset is in year 10000,
        // which `to_offset` cannot hold (it panics): out of the encoding's range.
        let utc = self
            .checked_to_offset(time::UtcOffset::UTC)
            .ok_or_else(|| {
                KeyValueError::Invalid(
                    format!("{self} is after year 9999 in UTC, so it has no fixed-width encoding")
                        .into(),
                )
            })?;
        push_timestamp(
            out,
            utc.year(),
            u8::from(utc.month()).into(),
            utc.day().into(),
            utc.hour().into(),
            utc.minute().into(),
            utc.second().into(),
            utc.nanosecond(),
        )
    }

    fn key_len_hint(&self) -> usize {
        TIMESTAMP_LEN
    }

    fn domain() -> KeyDomain {
        KeyDomain::Time
    }
}

#[cfg(feature = "uuid")]
impl KeyValue for uuid::Uuid {
    fn write_key(&self, out: &mut String) -> Result<(), KeyValueError> {
        let mut buf = uuid::Uuid::encode_buffer();
        out.push_str(self.hyphenated().encode_lower(&mut buf));
        Ok(())
    }

    fn key_len_hint(&self) -> usize {
        uuid::fmt::Hyphenated::LENGTH
    }
}

/// Key text written as it is, the delimiter `#` included: the value of a computed key part of
/// an existing layout that holds several segments (GitHub's fork index: `FORK#<owner>` for a
/// fork, `#REPO#<owner>#<name>` for a repository). The method that builds it answers for its
/// injectivity; the schema's collision checks read it as one segment.
///
/// ```
/// use dynamo_entity::{KeyValue, RawKey};
/// assert_eq!(RawKey::from("#REPO#alex#dynamo").to_key_string()?, "#REPO#alex#dynamo");
/// assert!(RawKey::from("").to_key_string().is_err());
/// # Ok::<(), dynamo_entity::KeyValueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RawKey(pub String);

impl From<&str> for RawKey {
    fn from(text: &str) -> Self {
        RawKey(text.to_owned())
    }
}

impl From<String> for RawKey {
    fn from(text: String) -> Self {
        RawKey(text)
    }
}

impl KeyValue for RawKey {
    fn write_key(&self, out: &mut String) -> Result<(), KeyValueError> {
        if self.0.is_empty() {
            return Err(KeyValueError::Empty);
        }
        out.push_str(&self.0);
        Ok(())
    }

    fn key_len_hint(&self) -> usize {
        self.0.len()
    }

    fn domain() -> KeyDomain {
        KeyDomain::Raw
    }
}

/// An argument to a generated key builder for a placeholder whose field has type `T`.
///
/// It lets `Pet::primary_key("alice", "rex")` take `&str` where the field is a `String`, and
/// values or references alike elsewhere, while the encoding stays the field type's.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot stand for a `{T}` key field",
    label = "expected a `{T}` or a reference to one",
    note = "key builders take the placeholder field's own type, by value or by reference \
            (and `&str` for a `String` field)"
)]
pub trait KeyArg<T: ?Sized> {
    /// Appends the key encoding of the argument, exactly as a `T` would write it.
    fn write_key_arg(&self, out: &mut String) -> Result<(), KeyValueError>;

    /// The encoding's length hint, as [`KeyValue::key_len_hint`].
    fn key_len_hint(&self) -> usize;
}

impl<T: KeyValue> KeyArg<T> for T {
    fn write_key_arg(&self, out: &mut String) -> Result<(), KeyValueError> {
        self.write_key(out)
    }

    fn key_len_hint(&self) -> usize {
        KeyValue::key_len_hint(self)
    }
}

impl<T: KeyValue> KeyArg<T> for &T {
    fn write_key_arg(&self, out: &mut String) -> Result<(), KeyValueError> {
        (**self).write_key(out)
    }

    fn key_len_hint(&self) -> usize {
        KeyValue::key_len_hint(*self)
    }
}

impl KeyArg<String> for &str {
    fn write_key_arg(&self, out: &mut String) -> Result<(), KeyValueError> {
        (**self).write_key(out)
    }

    fn key_len_hint(&self) -> usize {
        self.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<T: KeyValue>(value: T) -> String {
        value.to_key_string().unwrap()
    }

    #[test]
    fn unsigned_integers_are_zero_padded_to_the_widest_value() {
        assert_eq!(key(0u8), "000");
        assert_eq!(key(255u8), "255");
        assert_eq!(key(42u32), "0000000042");
        assert_eq!(key(u64::MAX), u64::MAX.to_string());
        assert_eq!(key(u128::MAX), u128::MAX.to_string());
        assert_eq!(key(1u128).len(), 39);
    }

    #[test]
    fn signed_integers_put_negatives_first() {
        assert_eq!(key(0i32), "0000000000");
        assert_eq!(key(42i32), "0000000042");
        assert_eq!(key(-1i32), "-9999999999");
        assert_eq!(key(-42i32), "-9999999958");
        assert_eq!(key(i8::MIN), "-872");
        assert_eq!(key(i128::MIN).len(), 40);
        assert_eq!(key(i128::MAX), i128::MAX.to_string());
    }

    #[test]
    fn strings_reject_empty_and_the_delimiter() {
        assert_eq!(key("alice"), "alice");
        assert_eq!("".to_key_string(), Err(KeyValueError::Empty));
        assert_eq!("a#b".to_key_string(), Err(KeyValueError::ContainsDelimiter));
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn chrono_timestamps_are_fixed_width_utc() {
        use chrono::TimeZone;
        let t = chrono::Utc
            .with_ymd_and_hms(2024, 1, 15, 10, 30, 0)
            .unwrap();
        assert_eq!(key(t), "2024-01-15T10:30:00.000000000Z");
        let far = chrono::Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap();
        assert!(matches!(
            far.to_key_string(),
            Err(KeyValueError::Invalid(_))
        ));
    }

    #[cfg(feature = "time")]
    #[test]
    fn time_timestamps_are_converted_to_utc() {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(1_705_314_600_000_000_123)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(5, 30, 0).unwrap());
        assert_eq!(key(t), "2024-01-15T10:30:00.000000123Z");
    }

    #[cfg(feature = "time")]
    #[test]
    fn a_time_in_year_10000_utc_is_refused_not_a_panic() {
        use crate::codec::scalar::Scalar;
        let text = "9999-12-31T23:30:00-01:00";
        let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .unwrap();
        let err = t.to_key_string().unwrap_err();
        assert!(err.to_string().contains("after year 9999"), "{err}");
        // Read from another client's item, it is a decode error, not an entity that cannot
        // be written back.
        let read = time::OffsetDateTime::from_attribute(
            aws_sdk_dynamodb::types::AttributeValue::S(text.into()),
        );
        assert!(read.is_err());
    }

    #[cfg(feature = "uuid")]
    #[test]
    fn uuids_are_lowercase_hyphenated() {
        let id = uuid::Uuid::from_u128(0x67E5_5044_10B1_426F_9247_BB68_0E5F_E0C8);
        assert_eq!(key(id), "67e55044-10b1-426f-9247-bb680e5fe0c8");
    }
}
