//! Field values to and from `AttributeValue`.
//!
//! The derive routes each field by how its type is written:
//!
//! * `String`, `bool`, every integer type, `f32`/`f64`, `Vec<u8>` (Binary), `uuid::Uuid`,
//!   `chrono::DateTime<Utc>` and `time::OffsetDateTime` (fixed-width RFC 3339 strings, the same
//!   text as in keys) are converted directly by [`Scalar`], with no serde in between;
//! * `Option<T>` of any field type leaves the attribute out for `None` and reads a missing
//!   attribute (or `NULL`) as `None`;
//! * everything else (vectors, maps, nested structs, enums, type aliases) goes through serde
//!   with `serde_dynamo`, as does a field marked `#[dynamo(serde)]`.

use std::borrow::Cow;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{de::DeserializeOwned, Serialize};

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
    ($($ty:ty => $expected:literal),* $(,)?) => {$(
        impl Scalar for $ty {
            const EXPECTED: &'static str = $expected;

            #[inline]
            fn to_attribute(&self) -> Result<AttributeValue, Cow<'static, str>> {
                number_to_attribute(self)
            }

            #[inline]
            fn from_attribute(value: AttributeValue) -> Result<Self, AttributeValue> {
                match value {
                    AttributeValue::N(n) => n.parse().map_err(|_| AttributeValue::N(n)),
                    other => Err(other),
                }
            }
        }
    )*};
}

/// The `N` text of a number. Integers always succeed; floats refuse NaN and infinities, which
/// DynamoDB cannot store.
trait Number: std::fmt::Display {
    fn is_finite_number(&self) -> bool {
        true
    }
}

macro_rules! integer {
    ($($ty:ty),*) => {$( impl Number for $ty {} )*};
}
integer!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl Number for f32 {
    fn is_finite_number(&self) -> bool {
        self.is_finite()
    }
}

impl Number for f64 {
    fn is_finite_number(&self) -> bool {
        self.is_finite()
    }
}

#[inline]
fn number_to_attribute<T: Number>(value: &T) -> Result<AttributeValue, Cow<'static, str>> {
    if value.is_finite_number() {
        Ok(AttributeValue::N(value.to_string()))
    } else {
        Err(Cow::Owned(format!(
            "{value} cannot be stored as a DynamoDB number"
        )))
    }
}

number_scalar!(
    i8 => "a number (N) that fits i8",
    i16 => "a number (N) that fits i16",
    i32 => "a number (N) that fits i32",
    i64 => "a number (N) that fits i64",
    i128 => "a number (N) that fits i128",
    isize => "a number (N) that fits isize",
    u8 => "a number (N) that fits u8",
    u16 => "a number (N) that fits u16",
    u32 => "a number (N) that fits u32",
    u64 => "a number (N) that fits u64",
    u128 => "a number (N) that fits u128",
    usize => "a number (N) that fits usize",
    f32 => "a number (N) that fits f32",
    f64 => "a number (N) that fits f64",
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

/// Adds a scalar field's attribute to `item`.
#[inline]
pub fn put_scalar<T: Scalar>(
    item: &mut Item,
    entity: &'static str,
    field: &'static str,
    attribute: &'static str,
    value: &T,
) -> Result<(), Error> {
    let value = value.to_attribute().map_err(|message| Error::Encode {
        entity,
        field,
        message: message.into_owned(),
    })?;
    item.insert(attribute.to_owned(), value);
    Ok(())
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
    let value: AttributeValue =
        serde_dynamo::to_attribute_value(value).map_err(|e| Error::Encode {
            entity,
            field,
            message: e.to_string(),
        })?;
    if !matches!(value, AttributeValue::Null(_)) {
        item.insert(attribute.to_owned(), value);
    }
    Ok(())
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

/// Reads an optional scalar field: a missing attribute or `NULL` is `None`.
#[inline]
pub fn take_optional_scalar<T: Scalar>(
    value: Option<AttributeValue>,
    entity: &'static str,
    attribute: &'static str,
) -> Result<Option<T>, Error> {
    match value {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        value => take_scalar(value, entity, attribute).map(Some),
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
        Some(value) => {
            // The deserializer consumes the value; keep only its type tag for the message.
            let tag = type_tag(&value);
            serde_dynamo::from_attribute_value(value).map_err(|e| {
                let found = format!("{tag}, which does not deserialize: {e}");
                decode_error(entity, attribute, expected(), found)
            })
        }
        None => serde_dynamo::from_attribute_value(AttributeValue::Null(true))
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
