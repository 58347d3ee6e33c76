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
        let utc = self.to_offset(time::UtcOffset::UTC);
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

/// The key of one item in one index: the partition key and, where the index has one, the sort
/// key, as the strings stored in the index's key attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The partition key value (for example `USER#alice`).
    pub pk: String,
    /// The sort key value (for example `PET#rex`), if the index has a sort key.
    pub sk: Option<String>,
}

/// `(USER#alice, PET#rex)`, or `(SESSION#t1)` without a sort key.
impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.sk {
            Some(sk) => write!(f, "({}, {})", self.pk, sk),
            None => write!(f, "({})", self.pk),
        }
    }
}

/// An index of the table: the base table's primary key, or a secondary index.
///
/// Secondary indexes are numbered from 1 in their table layout's declaration order, global and
/// local apart. In the default layout, GSI `n` is named `GSI<n>` and keyed by `GSI<n>PK` and
/// `GSI<n>SK`; a declared layout ([`TableLayout`](crate::TableLayout)) gives its own names, and
/// entities refer to its indexes by name (`#[index(UserIndex: pk = "..")]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Index {
    /// The table's own primary key.
    Primary,
    /// Global secondary index number `n`, 1 to 20.
    Gsi(u8),
    /// Local secondary index number `n`, 1 to 5: the table's partition key, another sort key.
    Lsi(u8),
}

impl Index {
    /// The attribute holding this index's partition key in the default layout: `PK` or
    /// `GSInPK`. A declared layout's names are [`Layout::key_attributes`](crate::Layout::key_attributes).
    pub fn pk_attribute(self) -> String {
        self.default_attributes().0
    }

    /// The attribute holding this index's sort key in the default layout: `SK` or `GSInSK`.
    pub fn sk_attribute(self) -> String {
        self.default_attributes().1
    }

    fn default_attributes(self) -> (String, String) {
        match crate::Layout::DEFAULT.key_attributes(self) {
            Some((pk, sk)) => (pk.to_owned(), sk.unwrap_or_default().to_owned()),
            None => match self {
                Index::Gsi(n) => (format!("GSI{n}PK"), format!("GSI{n}SK")),
                _ => (String::new(), String::new()),
            },
        }
    }

    /// The index name used in requests in the default layout (`GSIn`), or `None` for the base
    /// table. A declared layout's names are [`Layout::index_name`](crate::Layout::index_name).
    pub fn index_name(self) -> Option<String> {
        match self {
            Index::Primary => None,
            other => Some(other.describe()),
        }
    }

    /// `table`, `GSI<n>` or `LSI<n>`, for messages where no layout is at hand.
    pub fn describe(self) -> String {
        match self {
            Index::Primary => "table".to_owned(),
            Index::Gsi(n) => format!("GSI{n}"),
            Index::Lsi(n) => format!("LSI{n}"),
        }
    }
}

/// One piece of a key template, as generated code hands it to [`build_key`]: literal text, or
/// a placeholder's value with its field name.
#[doc(hidden)]
pub enum KeyPiece<'a> {
    /// Literal text of the template.
    Literal(&'static str),
    /// A field's value (from the entity itself).
    Value(&'static str, &'a dyn KeyValue),
    /// A key builder's argument, standing for a field's value.
    Arg(&'static str, &'a dyn AnyKeyArg),
    /// A value or argument written in a [`KeyFormat`](crate::KeyFormat) (`<brand:upper>`).
    Formatted(crate::KeyFormat, &'a KeyPiece<'a>),
}

impl KeyPiece<'_> {
    /// About how many bytes the piece writes.
    fn hint(&self) -> usize {
        match self {
            KeyPiece::Literal(text) => text.len(),
            KeyPiece::Value(_, value) => KeyValue::key_len_hint(*value),
            KeyPiece::Arg(_, arg) => arg.len_hint(),
            KeyPiece::Formatted(_, inner) => inner.hint(),
        }
    }

    /// Appends the piece; for a value, the field it is on error.
    fn write(&self, key: &mut String) -> Result<(), (&'static str, KeyValueError)> {
        match self {
            KeyPiece::Literal(text) => {
                key.push_str(text);
                Ok(())
            }
            KeyPiece::Value(field, value) => {
                KeyValue::write_key(*value, key).map_err(|reason| (*field, reason))
            }
            KeyPiece::Arg(field, arg) => arg.write(key).map_err(|reason| (*field, reason)),
            KeyPiece::Formatted(format, inner) => {
                let mut plain = String::with_capacity(inner.hint());
                inner.write(&mut plain)?;
                let field: &'static str = match inner {
                    KeyPiece::Value(field, _) | KeyPiece::Arg(field, _) => field,
                    _ => "",
                };
                let formatted = format.apply(&plain).map_err(|reason| (field, reason))?;
                key.push_str(&formatted);
                Ok(())
            }
        }
    }
}

/// A key builder's argument with the field type it stands for erased, so that the pieces of
/// one key fit in one slice. Made by [`key_arg`].
#[doc(hidden)]
pub trait AnyKeyArg {
    /// As [`KeyArg::write_key_arg`].
    fn write(&self, out: &mut String) -> Result<(), KeyValueError>;
    /// As [`KeyArg::key_len_hint`].
    fn len_hint(&self) -> usize;
}

/// A key builder's argument for a field of type `T`; see [`key_arg`].
#[doc(hidden)]
pub struct TypedKeyArg<'a, T: ?Sized, A: ?Sized>(&'a A, std::marker::PhantomData<fn(&T)>);

impl<T: ?Sized, A: KeyArg<T> + ?Sized> AnyKeyArg for TypedKeyArg<'_, T, A> {
    #[inline]
    fn write(&self, out: &mut String) -> Result<(), KeyValueError> {
        self.0.write_key_arg(out)
    }

    #[inline]
    fn len_hint(&self) -> usize {
        self.0.key_len_hint()
    }
}

/// Erases the field type of a key builder's argument. It has no `KeyValue` bound of its own,
/// so that a field type that cannot be a key is reported once, where the entity's own key is
/// built.
#[doc(hidden)]
#[inline]
pub fn key_arg<T: ?Sized, A: KeyArg<T> + ?Sized>(arg: &A) -> TypedKeyArg<'_, T, A> {
    TypedKeyArg(arg, std::marker::PhantomData)
}

/// Builds one key from its template's pieces, allocated once at its final size from the
/// values' length hints. A value that cannot be part of a key (empty, or holding the
/// delimiter) is an [`Error::InvalidKey`](crate::Error::InvalidKey) naming the entity, the
/// field and the template.
#[doc(hidden)]
pub fn build_key(
    entity: &'static str,
    template: &'static str,
    pieces: &[KeyPiece<'_>],
) -> Result<String, crate::Error> {
    let capacity = pieces.iter().map(KeyPiece::hint).sum();
    let mut key = String::with_capacity(capacity);
    for piece in pieces {
        piece
            .write(&mut key)
            .map_err(|(field, reason)| crate::Error::InvalidKey {
                entity,
                field,
                template,
                reason,
            })?;
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<T: KeyValue>(value: T) -> String {
        value.to_key_string().unwrap()
    }

    #[test]
    fn build_key_joins_pieces_at_their_exact_size() {
        let owner = String::from("o1");
        let day = 7u32;
        let built = build_key(
            "Pet",
            "OWNER#<owner>#DAY#<day>",
            &[
                KeyPiece::Literal("OWNER#"),
                KeyPiece::Value("owner", &owner),
                KeyPiece::Literal("#DAY#"),
                KeyPiece::Arg("day", &key_arg::<u32, _>(&day)),
            ],
        )
        .unwrap();
        assert_eq!(built, "OWNER#o1#DAY#0000000007");
        assert_eq!(
            built.capacity(),
            built.len(),
            "allocated once, at its final size"
        );
    }

    #[test]
    fn build_key_names_the_entity_field_and_template_of_a_bad_value() {
        let owner = String::from("a#b");
        let err = build_key(
            "Pet",
            "OWNER#<owner>",
            &[
                KeyPiece::Literal("OWNER#"),
                KeyPiece::Arg("owner", &key_arg::<String, _>(&owner.as_str())),
            ],
        )
        .unwrap_err();
        match err {
            crate::Error::InvalidKey {
                entity,
                field,
                template,
                ..
            } => assert_eq!((entity, field, template), ("Pet", "owner", "OWNER#<owner>")),
            other => panic!("unexpected {other:?}"),
        }
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

    #[cfg(feature = "uuid")]
    #[test]
    fn uuids_are_lowercase_hyphenated() {
        let id = uuid::Uuid::from_u128(0x67E5_5044_10B1_426F_9247_BB68_0E5F_E0C8);
        assert_eq!(key(id), "67e55044-10b1-426f-9247-bb680e5fe0c8");
    }

    #[test]
    fn index_attribute_names() {
        assert_eq!(Index::Primary.pk_attribute(), "PK");
        assert_eq!(Index::Gsi(3).sk_attribute(), "GSI3SK");
        assert_eq!(Index::Gsi(3).index_name().as_deref(), Some("GSI3"));
        for n in 0..=u8::MAX {
            assert_eq!(Index::Gsi(n).pk_attribute(), format!("GSI{n}PK"));
            assert_eq!(Index::Gsi(n).sk_attribute(), format!("GSI{n}SK"));
        }
    }
}
