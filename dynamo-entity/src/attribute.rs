//! Field values to and from `AttributeValue`.
//!
//! The derive routes each field by how its type is written:
//!
//! * `String`, `bool`, every integer type, `f32`/`f64`, `Vec<u8>` (Binary), `uuid::Uuid`,
//!   `chrono::DateTime<Utc>` and `time::OffsetDateTime` (fixed-width RFC 3339 strings, the same
//!   text as in keys) are converted directly by [`Scalar`], with no serde in between;
//! * `Vec<T>` of those scalars (but `u8`) is a list (`L`) of them, also converted directly;
//! * `HashSet<T>` and `BTreeSet<T>` of strings, integers, `Vec<u8>`, UUIDs or timestamps are
//!   native sets (`SS`, `NS`, `BS`); an empty set is stored as nothing (DynamoDB has no empty
//!   set) and a missing one reads back empty; a list of fitting elements (how serde stored sets)
//!   reads too;
//! * `Option<T>` of any field type leaves the attribute out for `None` and reads a missing
//!   attribute (or `NULL`) as `None`;
//! * everything else (vectors, maps, nested structs, enums, type aliases) goes through serde,
//!   as does a field marked `#[dynamo(serde)]`, in serde_dynamo's format (its sets included):
//!   [`to_attribute_value`] and [`from_attribute_value`] write and read the SDK's value directly,
//!   with no intermediate tree, and are tested against serde_dynamo's own output.
//!
//! Numbers are written only if DynamoDB can hold them (38 significant digits, magnitudes from
//! 1E-130 to below 1E126; an `f32`/`f64` that is NaN or infinite is refused as well), and read
//! only from text DynamoDB could have stored: a float field never reads `NaN`, `inf`, or a
//! number that its type would turn into an infinity (`1e100` for an `f32`) or into zero
//! (`1e-50` for an `f32`): those are decode errors. Rounding to the nearest float is accepted.

use std::borrow::Cow;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{de::DeserializeOwned, Serialize};

pub use crate::de::{from_attribute_value, SerdeError};
pub use crate::ser::to_attribute_value;
use crate::{Error, Item};

/// A field type converted directly to and from one `AttributeValue`.
#[doc(hidden)]
pub trait Scalar: Sized {
    /// What the attribute must hold, for decode errors.
    const EXPECTED: &'static str;

    /// The attribute value, or why this value cannot be stored.
    fn to_attribute(&self) -> Result<AttributeValue, Cow<'static, str>>;

    /// The field value, or the attribute back when it does not fit.
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeValue>;
}

impl Scalar for String {
    const EXPECTED: &'static str = "a string (S)";

    #[inline]
    fn to_attribute(&self) -> Result<AttributeValue, Cow<'static, str>> {
        Ok(AttributeValue::S(self.clone()))
    }

    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeValue> {
        match value {
            AttributeValue::S(s) => Ok(s),
            other => Err(other),
        }
    }
}

impl Scalar for bool {
    const EXPECTED: &'static str = "a boolean (BOOL)";

    #[inline]
    fn to_attribute(&self) -> Result<AttributeValue, Cow<'static, str>> {
        Ok(AttributeValue::Bool(*self))
    }

    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeValue> {
        match value {
            AttributeValue::Bool(b) => Ok(b),
            other => Err(other),
        }
    }
}

impl Scalar for Vec<u8> {
    const EXPECTED: &'static str = "binary (B)";

    #[inline]
    fn to_attribute(&self) -> Result<AttributeValue, Cow<'static, str>> {
        Ok(AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(
            self.clone(),
        )))
    }

    #[inline]
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeValue> {
        match value {
            AttributeValue::B(b) => Ok(b.into_inner()),
            other => Err(other),
        }
    }
}

/// Numbers are stored as DynamoDB `N` strings; a stored number that does not parse as the
/// field's type (too large, or a fraction for an integer field) is a decode error.
macro_rules! number_scalar {
    ($($ty:ty => $expected:literal, $encode:path, $decode:path;)*) => {$(
        impl Scalar for $ty {
            const EXPECTED: &'static str = $expected;

            #[inline]
            fn to_attribute(&self) -> Result<AttributeValue, Cow<'static, str>> {
                $encode(*self).map(AttributeValue::N)
            }

            #[inline]
            fn from_attribute(value: AttributeValue) -> Result<Self, AttributeValue> {
                match value {
                    AttributeValue::N(n) => $decode(&n).ok_or(AttributeValue::N(n)),
                    other => Err(other),
                }
            }
        }
    )*};
}

#[inline]
fn integer_text<T: itoa::Integer>(value: T) -> Result<String, Cow<'static, str>> {
    Ok(itoa::Buffer::new().format(value).to_owned())
}

/// DynamoDB cannot store NaN or an infinity.
#[inline]
fn float_text<T: std::fmt::Display + Into<f64> + Copy>(
    value: T,
) -> Result<String, Cow<'static, str>> {
    if value.into().is_finite() {
        Ok(value.to_string())
    } else {
        Err(Cow::Owned(format!(
            "{value} cannot be stored as a DynamoDB number"
        )))
    }
}

#[inline]
fn integer<T: std::str::FromStr>(text: &str) -> Option<T> {
    text.parse().ok()
}

/// A float from DynamoDB number text. Only a number DynamoDB can hold is read (never `NaN`,
/// `inf` or `1e400`, which no DynamoDB item holds), and only if the type can hold it: a value
/// that overflows the type (`1e100` for an `f32`), or a non-zero one that would round to zero
/// (`1e-50` for an `f32`), is a decode error rather than a silently different number.
/// Rounding to the nearest representable value (`0.1`) is what floats do, and is accepted.
pub(crate) fn float<T: std::str::FromStr + Into<f64> + Copy>(text: &str) -> Option<T> {
    let number = crate::limits::Number::parse(text)?;
    let value: T = text.parse().ok()?;
    let wide: f64 = value.into();
    (wide.is_finite() && (wide != 0.0 || number.is_zero())).then_some(value)
}

number_scalar!(
    i8 => "a number (N) that fits i8", integer_text, integer;
    i16 => "a number (N) that fits i16", integer_text, integer;
    i32 => "a number (N) that fits i32", integer_text, integer;
    i64 => "a number (N) that fits i64", integer_text, integer;
    i128 => "a number (N) that fits i128", integer_text, integer;
    isize => "a number (N) that fits isize", integer_text, integer;
    u8 => "a number (N) that fits u8", integer_text, integer;
    u16 => "a number (N) that fits u16", integer_text, integer;
    u32 => "a number (N) that fits u32", integer_text, integer;
    u64 => "a number (N) that fits u64", integer_text, integer;
    u128 => "a number (N) that fits u128", integer_text, integer;
    usize => "a number (N) that fits usize", integer_text, integer;
    f32 => "a number (N) that fits f32", float_text, float;
    f64 => "a number (N) that fits f64", float_text, float;
);

/// Timestamps are stored as the same fixed-width RFC 3339 text as in keys, so that an attribute
/// and a key holding one instant are byte-for-byte equal and sort alike.
#[cfg(any(feature = "chrono", feature = "time"))]
macro_rules! timestamp_scalar {
    ($ty:ty, $parse:expr) => {
        impl Scalar for $ty {
            const EXPECTED: &'static str = "an RFC 3339 timestamp string (S)";

            fn to_attribute(&self) -> Result<AttributeValue, Cow<'static, str>> {
                crate::KeyValue::to_key_string(self)
                    .map(AttributeValue::S)
                    .map_err(|e| Cow::Owned(e.to_string()))
            }

            fn from_attribute(value: AttributeValue) -> Result<Self, AttributeValue> {
                match value {
                    AttributeValue::S(s) => match $parse(&s) {
                        Some(t) => Ok(t),
                        None => Err(AttributeValue::S(s)),
                    },
                    other => Err(other),
                }
            }
        }
    };
}

#[cfg(feature = "chrono")]
timestamp_scalar!(chrono::DateTime<chrono::Utc>, |s: &str| {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.to_utc())
});

#[cfg(feature = "time")]
timestamp_scalar!(time::OffsetDateTime, |s: &str| {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
});

#[cfg(feature = "uuid")]
impl Scalar for uuid::Uuid {
    const EXPECTED: &'static str = "a UUID string (S)";

    fn to_attribute(&self) -> Result<AttributeValue, Cow<'static, str>> {
        Ok(AttributeValue::S(self.hyphenated().to_string()))
    }

    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeValue> {
        match value {
            AttributeValue::S(s) => uuid::Uuid::parse_str(&s).map_err(|_| AttributeValue::S(s)),
            other => Err(other),
        }
    }
}

/// The type tag of an attribute value (`S`, `N`, `M`, ...), without allocating.
fn type_tag(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::S(_) => "S",
        AttributeValue::N(_) => "N",
        AttributeValue::Bool(_) => "BOOL",
        AttributeValue::Null(_) => "NULL",
        AttributeValue::B(_) => "B",
        AttributeValue::L(_) => "L",
        AttributeValue::M(_) => "M",
        AttributeValue::Ss(_) => "SS",
        AttributeValue::Ns(_) => "NS",
        AttributeValue::Bs(_) => "BS",
        _ => "an attribute type this SDK version does not know",
    }
}

/// A short description of an attribute value for error messages: its type and, for scalars, a
/// prefix of its value (never the whole of a large value).
pub fn describe(value: &AttributeValue) -> String {
    const MAX: usize = 48;
    let clip = |s: &str| -> String {
        match s.char_indices().nth(MAX) {
            Some((end, _)) => format!("{:?}…", &s[..end]),
            None => format!("{s:?}"),
        }
    };
    let tag = type_tag(value);
    match value {
        AttributeValue::S(s) => format!("{tag} {}", clip(s)),
        AttributeValue::N(n) => format!("{tag} {}", clip(n)),
        AttributeValue::Bool(b) => format!("{tag} {b}"),
        AttributeValue::B(b) => format!("{tag} ({} bytes)", b.as_ref().len()),
        AttributeValue::L(l) => format!("{tag} ({} elements)", l.len()),
        AttributeValue::M(m) => format!("{tag} ({} attributes)", m.len()),
        AttributeValue::Ss(v) => format!("{tag} ({} strings)", v.len()),
        AttributeValue::Ns(v) => format!("{tag} ({} numbers)", v.len()),
        AttributeValue::Bs(v) => format!("{tag} ({} binaries)", v.len()),
        _ => tag.to_owned(),
    }
}

const MISSING: &str = "nothing (the attribute is missing)";

fn decode_error(
    entity: &'static str,
    attribute: &'static str,
    expected: impl Into<Cow<'static, str>>,
    found: String,
) -> Error {
    Error::Decode {
        entity,
        attribute: Cow::Borrowed(attribute),
        expected: expected.into(),
        found,
    }
}

/// A field value's stored form, `None` when it is stored as nothing (a serde `None`), or why it
/// cannot be stored.
pub(crate) type Encoded = Result<Option<AttributeValue>, Error>;

/// A field handle's encoder: [`encode`] or [`encode_option`] of a codec, given the value and the
/// entity and field names for errors.
pub(crate) type Encoder<T> = fn(&T, &'static str, &'static str) -> Encoded;

/// How the derive stores one kind of field type: the one place each kind is encoded, used by
/// `to_item` (the `put_*` functions) and by typed field handles ([`encode`],
/// [`encode_option`]), so that a handle is a function pointer, not generated code.
#[doc(hidden)]
pub trait Codec<T: ?Sized> {
    /// The stored form of `value`.
    fn to_attribute(value: &T, entity: &'static str, field: &'static str) -> Encoded;
}

/// [`Scalar`] types.
#[doc(hidden)]
pub struct ScalarCodec;

/// `Vec<T>` of a [`Scalar`] `T`: a list (`L`).
#[doc(hidden)]
pub struct ListCodec;

/// The TTL field: epoch seconds (`N`).
#[doc(hidden)]
pub struct TtlCodec;

/// Everything else, through serde in serde_dynamo's format.
#[doc(hidden)]
pub struct SerdeCodec;

/// A timestamp field stored in another form than the default nanosecond RFC 3339
/// (`#[dynamo(format = "millis")]`): `F` says which.
#[doc(hidden)]
pub struct TimeCodec<F>(std::marker::PhantomData<F>);

/// The forms a timestamp attribute can take besides the default.
#[doc(hidden)]
pub trait TimeAttributeForm {
    /// The form, as a key format (no bucket).
    const FORM: crate::TimeForm;
}

/// `format = "seconds"`: `2024-01-15T10:30:00Z`.
#[doc(hidden)]
pub struct SecondsForm;
/// `format = "millis"`: `2024-01-15T10:30:00.000Z`, as JavaScript's `toISOString` writes it.
#[doc(hidden)]
pub struct MillisForm;
/// `format = "epoch"`: seconds since 1970, a number (`N`).
#[doc(hidden)]
pub struct EpochForm;

impl TimeAttributeForm for SecondsForm {
    const FORM: crate::TimeForm = crate::TimeForm::Seconds;
}
impl TimeAttributeForm for MillisForm {
    const FORM: crate::TimeForm = crate::TimeForm::Millis;
}
impl TimeAttributeForm for EpochForm {
    const FORM: crate::TimeForm = crate::TimeForm::Epoch;
}

impl<F: TimeAttributeForm, T: crate::format::TimeKey> Codec<T> for TimeCodec<F> {
    fn to_attribute(value: &T, entity: &'static str, field: &'static str) -> Encoded {
        value
            .to_key_string()
            .and_then(|encoded| crate::format::time_attribute(&encoded, F::FORM))
            .map(Some)
            .map_err(|e| encode_error(entity, field, e.to_string()))
    }
}

/// Adds a timestamp field's attribute in form `F` to `item`.
#[inline]
pub fn put_time<F: TimeAttributeForm, T: crate::format::TimeKey>(
    item: &mut Item,
    entity: &'static str,
    field: &'static str,
    attribute: &'static str,
    value: &T,
) -> Result<(), Error> {
    put_with::<TimeCodec<F>, T>(item, entity, field, attribute, value)
}

/// Reads a timestamp field stored in form `F`: RFC 3339 text (at any precision) or epoch
/// seconds.
pub fn take_time<F: TimeAttributeForm, T: Scalar + TtlValue>(
    value: Option<AttributeValue>,
    entity: &'static str,
    attribute: &'static str,
) -> Result<T, Error> {
    match F::FORM {
        crate::TimeForm::Epoch => take_ttl(value, entity, attribute),
        _ => take_scalar(value, entity, attribute),
    }
}

fn encode_error(entity: &'static str, field: &'static str, message: String) -> Error {
    Error::Encode {
        entity,
        field,
        message,
    }
}

impl<T: Scalar> Codec<T> for ScalarCodec {
    #[inline]
    fn to_attribute(value: &T, entity: &'static str, field: &'static str) -> Encoded {
        match value.to_attribute() {
            Ok(value) => Ok(Some(value)),
            Err(message) => Err(encode_error(entity, field, message.into_owned())),
        }
    }
}

impl<T: Scalar> Codec<[T]> for ListCodec {
    #[inline]
    fn to_attribute(value: &[T], entity: &'static str, field: &'static str) -> Encoded {
        let list = value
            .iter()
            .map(Scalar::to_attribute)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|message| encode_error(entity, field, message.into_owned()))?;
        Ok(Some(AttributeValue::L(list)))
    }
}

impl<T: Scalar> Codec<Vec<T>> for ListCodec {
    #[inline]
    fn to_attribute(value: &Vec<T>, entity: &'static str, field: &'static str) -> Encoded {
        <ListCodec as Codec<[T]>>::to_attribute(value, entity, field)
    }
}

impl<T: TtlValue + std::fmt::Debug> Codec<T> for TtlCodec {
    /// A value beyond the epoch seconds an `i64` holds is refused rather than clamped (a clamped
    /// expiry would be another time than the one asked for).
    #[inline]
    fn to_attribute(value: &T, entity: &'static str, field: &'static str) -> Encoded {
        let seconds = value.to_epoch_seconds().ok_or_else(|| {
            encode_error(
                entity,
                field,
                format!("{value:?} is beyond the epoch seconds a TTL can hold"),
            )
        })?;
        let seconds = itoa::Buffer::new().format(seconds).to_owned();
        Ok(Some(AttributeValue::N(seconds)))
    }
}

impl<T: Serialize + ?Sized> Codec<T> for SerdeCodec {
    /// `NULL` (an `Option` that is `None`, however its type is spelt) is stored as nothing.
    fn to_attribute(value: &T, entity: &'static str, field: &'static str) -> Encoded {
        match crate::ser::to_attribute_value(value) {
            Ok(AttributeValue::Null(_)) => Ok(None),
            Ok(value) => Ok(Some(value)),
            Err(e) => Err(encode_error(entity, field, e.to_string())),
        }
    }
}

/// A field handle's encoder for a field stored by codec `C`.
#[doc(hidden)]
pub fn encode<C: Codec<T>, T>(value: &T, entity: &'static str, field: &'static str) -> Encoded {
    C::to_attribute(value, entity, field)
}

/// A field handle's encoder for an `Option<T>` field whose `T` is stored by codec `C`: `None`
/// is stored as nothing.
#[doc(hidden)]
pub fn encode_option<C: Codec<T>, T>(
    value: &Option<T>,
    entity: &'static str,
    field: &'static str,
) -> Encoded {
    match value {
        Some(value) => C::to_attribute(value, entity, field),
        None => Ok(None),
    }
}

/// Adds the attribute that codec `C` makes of `value` to `item`, if it makes one.
#[inline]
fn put_with<C: Codec<T>, T: ?Sized>(
    item: &mut Item,
    entity: &'static str,
    field: &'static str,
    attribute: &'static str,
    value: &T,
) -> Result<(), Error> {
    if let Some(value) = C::to_attribute(value, entity, field)? {
        item.insert(attribute.to_owned(), value);
    }
    Ok(())
}

/// Adds a scalar field's attribute to `item`.
#[inline]
pub fn put_scalar<T: Scalar>(
    item: &mut Item,
    entity: &'static str,
    field: &'static str,
    attribute: &'static str,
    value: &T,
) -> Result<(), Error> {
    put_with::<ScalarCodec, T>(item, entity, field, attribute, value)
}

/// Adds a serde field's attribute to `item`, leaving it out when it serializes to `NULL`
/// (an `Option` that is `None`, however its type is spelt).
pub fn put_serde<T: Serialize + ?Sized>(
    item: &mut Item,
    entity: &'static str,
    field: &'static str,
    attribute: &'static str,
    value: &T,
) -> Result<(), Error> {
    put_with::<SerdeCodec, T>(item, entity, field, attribute, value)
}

/// A TTL field's type: stored as epoch seconds (`N`), as DynamoDB's TTL needs. Sub-second
/// precision is not kept.
#[doc(hidden)]
pub trait TtlValue: Sized {
    /// Seconds since the Unix epoch; `None` when the value is beyond what an `i64` holds.
    fn to_epoch_seconds(&self) -> Option<i64>;
    /// The value at `seconds`, if the type can hold it.
    fn from_epoch_seconds(seconds: i64) -> Option<Self>;
}

macro_rules! integer_ttl {
    ($($ty:ty),*) => {$(
        impl TtlValue for $ty {
            fn to_epoch_seconds(&self) -> Option<i64> {
                i64::try_from(*self).ok()
            }
            fn from_epoch_seconds(seconds: i64) -> Option<Self> {
                <$ty>::try_from(seconds).ok()
            }
        }
    )*};
}
integer_ttl!(i32, i64, u32, u64);

#[cfg(feature = "chrono")]
impl TtlValue for chrono::DateTime<chrono::Utc> {
    fn to_epoch_seconds(&self) -> Option<i64> {
        Some(self.timestamp())
    }
    fn from_epoch_seconds(seconds: i64) -> Option<Self> {
        chrono::DateTime::from_timestamp(seconds, 0)
    }
}

#[cfg(feature = "time")]
impl TtlValue for time::OffsetDateTime {
    fn to_epoch_seconds(&self) -> Option<i64> {
        Some(self.unix_timestamp())
    }
    fn from_epoch_seconds(seconds: i64) -> Option<Self> {
        time::OffsetDateTime::from_unix_timestamp(seconds).ok()
    }
}

const TTL_EXPECTED: &str = "epoch seconds (N)";

/// Adds the TTL field's attribute (see [`TtlCodec`]).
#[inline]
pub fn put_ttl<T: TtlValue + std::fmt::Debug>(
    item: &mut Item,
    entity: &'static str,
    field: &'static str,
    attribute: &'static str,
    value: &T,
) -> Result<(), Error> {
    put_with::<TtlCodec, T>(item, entity, field, attribute, value)
}

/// Reads a required TTL field.
pub fn take_ttl<T: TtlValue>(
    value: Option<AttributeValue>,
    entity: &'static str,
    attribute: &'static str,
) -> Result<T, Error> {
    let value =
        value.ok_or_else(|| decode_error(entity, attribute, TTL_EXPECTED, MISSING.to_owned()))?;
    let seconds = match &value {
        AttributeValue::N(n) => n.parse::<i64>().ok(),
        _ => None,
    };
    seconds
        .and_then(T::from_epoch_seconds)
        .ok_or_else(|| decode_error(entity, attribute, TTL_EXPECTED, describe(&value)))
}

/// Whether an item's TTL attribute says it has expired (at or before `now`, in epoch seconds).
/// DynamoDB deletes expired items only eventually, so reads must check.
pub(crate) fn is_expired(item: &Item, ttl_attribute: Option<&str>, now: i64) -> bool {
    let Some(attribute) = ttl_attribute else {
        return false;
    };
    match item.get(attribute) {
        Some(AttributeValue::N(n)) => n.parse::<i64>().is_ok_and(|expiry| expiry <= now),
        _ => false,
    }
}

/// Adds a list field (`Vec<T>` of a scalar `T`, other than bytes) as an `L` of the scalars:
/// the same attribute serde would write, without the detour.
#[inline]
pub fn put_list<T: Scalar>(
    item: &mut Item,
    entity: &'static str,
    field: &'static str,
    attribute: &'static str,
    value: &[T],
) -> Result<(), Error> {
    put_with::<ListCodec, [T]>(item, entity, field, attribute, value)
}

/// Reads a list field; every element must fit `T`. A missing attribute is an error, like any
/// required field (an `Option<Vec<T>>` reads it as `None`).
#[inline]
pub fn take_list<T: Scalar>(
    value: Option<AttributeValue>,
    entity: &'static str,
    attribute: &'static str,
) -> Result<Vec<T>, Error> {
    let expected = || format!("a list (L) of {}", T::EXPECTED);
    match value {
        Some(AttributeValue::L(list)) => list
            .into_iter()
            .map(|element| {
                T::from_attribute(element).map_err(|found| {
                    decode_error(
                        entity,
                        attribute,
                        expected(),
                        format!("an element {}", describe(&found)),
                    )
                })
            })
            .collect(),
        Some(other) => Err(decode_error(
            entity,
            attribute,
            expected(),
            describe(&other),
        )),
        None => Err(decode_error(
            entity,
            attribute,
            expected(),
            MISSING.to_owned(),
        )),
    }
}

/// Reads an optional field with `take`, the reader of its inner type: a missing attribute or
/// `NULL` is `None`.
#[inline]
pub fn take_optional<T>(
    value: Option<AttributeValue>,
    entity: &'static str,
    attribute: &'static str,
    take: impl FnOnce(Option<AttributeValue>, &'static str, &'static str) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    match value {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        value => take(value, entity, attribute).map(Some),
    }
}

/// Reads a required scalar field from its attribute (already taken out of the item).
#[inline]
pub fn take_scalar<T: Scalar>(
    value: Option<AttributeValue>,
    entity: &'static str,
    attribute: &'static str,
) -> Result<T, Error> {
    match value {
        Some(value) => T::from_attribute(value)
            .map_err(|found| decode_error(entity, attribute, T::EXPECTED, describe(&found))),
        None => Err(decode_error(
            entity,
            attribute,
            T::EXPECTED,
            MISSING.to_owned(),
        )),
    }
}

/// Reads a field through serde. A missing attribute is read as `NULL`, which succeeds only for
/// types that accept it (an `Option`), and is otherwise reported as missing.
pub fn take_serde<T: DeserializeOwned>(
    value: Option<AttributeValue>,
    entity: &'static str,
    attribute: &'static str,
) -> Result<T, Error> {
    let expected = || format!("a value of type `{}`", std::any::type_name::<T>());
    match value {
        // The reader's message names what it found.
        Some(value) => crate::de::from_attribute_value(value).map_err(|e| {
            decode_error(
                entity,
                attribute,
                expected(),
                format!("a value serde rejects: {e}"),
            )
        }),
        None => crate::de::from_attribute_value(AttributeValue::Null(true))
            .map_err(|_| decode_error(entity, attribute, expected(), MISSING.to_owned())),
    }
}

/// Checks the item's entity-type attribute before any field is read.
#[inline]
pub fn check_entity_type(
    item: &Item,
    attribute: &'static str,
    expected: &'static str,
) -> Result<(), Error> {
    match item.get(attribute) {
        // A layout without an entity-type attribute: one entity per table, nothing to check.
        _ if attribute.is_empty() => Ok(()),
        Some(AttributeValue::S(found)) if found == expected => Ok(()),
        Some(AttributeValue::S(found)) => Err(Error::EntityTypeMismatch {
            expected,
            attribute,
            found: Some(found.clone()),
        }),
        _ => Err(Error::EntityTypeMismatch {
            expected,
            attribute,
            found: None,
        }),
    }
}

/// Which DynamoDB set type holds a set's elements.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    /// `SS`.
    Strings,
    /// `NS`.
    Numbers,
    /// `BS`.
    Binaries,
}

/// A type whose values can be elements of a native DynamoDB set: text (`SS`), integers (`NS`)
/// or bytes (`BS`).
#[doc(hidden)]
pub trait SetElement: Scalar {
    /// The set type that holds it.
    const KIND: SetKind;
}

macro_rules! set_element {
    ($kind:ident: $($ty:ty),*) => {$( impl SetElement for $ty { const KIND: SetKind = SetKind::$kind; } )*};
}
set_element!(Strings: String);
set_element!(Numbers: i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
set_element!(Binaries: Vec<u8>);
#[cfg(feature = "uuid")]
set_element!(Strings: uuid::Uuid);
#[cfg(feature = "chrono")]
set_element!(Strings: chrono::DateTime<chrono::Utc>);
#[cfg(feature = "time")]
set_element!(Strings: time::OffsetDateTime);

/// A Rust set stored as a native DynamoDB set: `HashSet` and `BTreeSet` of a [`SetElement`].
#[doc(hidden)]
pub trait SetCollection: Default {
    /// The element type.
    type Element: SetElement;
    /// The elements, in the set's order.
    fn elements(&self) -> impl Iterator<Item = &Self::Element>;
    /// Adds an element read back.
    fn insert_element(&mut self, element: Self::Element);
}

impl<T, S> SetCollection for std::collections::HashSet<T, S>
where
    T: SetElement + Eq + std::hash::Hash,
    S: std::hash::BuildHasher + Default,
{
    type Element = T;

    fn elements(&self) -> impl Iterator<Item = &T> {
        self.iter()
    }

    fn insert_element(&mut self, element: T) {
        self.insert(element);
    }
}

impl<T: SetElement + Ord> SetCollection for std::collections::BTreeSet<T> {
    type Element = T;

    fn elements(&self) -> impl Iterator<Item = &T> {
        self.iter()
    }

    fn insert_element(&mut self, element: T) {
        self.insert(element);
    }
}

/// `HashSet`/`BTreeSet` of a [`SetElement`]: a native set (`SS`, `NS`, `BS`); an empty set is
/// stored as nothing, as DynamoDB stores no empty set.
#[doc(hidden)]
pub struct SetCodec;

/// The native set of `elements` (of one kind), `None` when there are none.
pub(crate) fn native_set<'a, T: SetElement + 'a>(
    elements: impl Iterator<Item = &'a T>,
    entity: &'static str,
    field: &'static str,
) -> Encoded {
    let mut texts = Vec::new();
    let mut blobs = Vec::new();
    for element in elements {
        match element.to_attribute() {
            Ok(AttributeValue::S(s) | AttributeValue::N(s)) => texts.push(s),
            Ok(AttributeValue::B(b)) => blobs.push(b),
            Ok(other) => {
                return Err(encode_error(
                    entity,
                    field,
                    format!("a set element cannot be {}", describe(&other)),
                ))
            }
            Err(message) => return Err(encode_error(entity, field, message.into_owned())),
        }
    }
    if texts.is_empty() && blobs.is_empty() {
        return Ok(None);
    }
    Ok(Some(match T::KIND {
        SetKind::Strings => AttributeValue::Ss(texts),
        SetKind::Numbers => AttributeValue::Ns(texts),
        SetKind::Binaries => AttributeValue::Bs(blobs),
    }))
}

impl<C: SetCollection> Codec<C> for SetCodec {
    #[inline]
    fn to_attribute(value: &C, entity: &'static str, field: &'static str) -> Encoded {
        native_set(value.elements(), entity, field)
    }
}

/// Adds a set field's attribute to `item`, unless the set is empty.
#[inline]
pub fn put_set<C: SetCollection>(
    item: &mut Item,
    entity: &'static str,
    field: &'static str,
    attribute: &'static str,
    value: &C,
) -> Result<(), Error> {
    put_with::<SetCodec, C>(item, entity, field, attribute, value)
}

/// Reads a set field. A missing attribute (or `NULL`) is the empty set, since an empty set is
/// stored as nothing. A list (`L`) of fitting elements is read too: that is how serde stored
/// sets before they were native, so that items written then still read.
pub fn take_set<C: SetCollection>(
    value: Option<AttributeValue>,
    entity: &'static str,
    attribute: &'static str,
) -> Result<C, Error> {
    let kind = <C::Element as SetElement>::KIND;
    let expected = || {
        let set = match kind {
            SetKind::Strings => "a string set (SS)",
            SetKind::Numbers => "a number set (NS)",
            SetKind::Binaries => "a binary set (BS)",
        };
        format!("{set} of {}", <C::Element as Scalar>::EXPECTED)
    };
    let elements: Vec<AttributeValue> = match (kind, value) {
        (_, None | Some(AttributeValue::Null(_))) => Vec::new(),
        (SetKind::Strings, Some(AttributeValue::Ss(v))) => {
            v.into_iter().map(AttributeValue::S).collect()
        }
        (SetKind::Numbers, Some(AttributeValue::Ns(v))) => {
            v.into_iter().map(AttributeValue::N).collect()
        }
        (SetKind::Binaries, Some(AttributeValue::Bs(v))) => {
            v.into_iter().map(AttributeValue::B).collect()
        }
        (_, Some(AttributeValue::L(list))) => list,
        (_, Some(other)) => {
            return Err(decode_error(
                entity,
                attribute,
                expected(),
                describe(&other),
            ))
        }
    };
    let mut set = C::default();
    for element in elements {
        let element = C::Element::from_attribute(element).map_err(|found| {
            decode_error(
                entity,
                attribute,
                expected(),
                format!("an element {}", describe(&found)),
            )
        })?;
        set.insert_element(element);
    }
    Ok(set)
}
