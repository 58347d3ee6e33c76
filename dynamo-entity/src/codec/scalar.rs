//! Scalar field types converted directly to and from one `AttributeValue`, with no serde in
//! between: text, booleans, numbers (within DynamoDB's range and precision), bytes, UUIDs and
//! timestamps; and the short description of a value that decode errors show.

use std::borrow::Cow;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::Error;

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
    let number = value.into();
    if number == 0.0 {
        // DynamoDB numbers have no negative zero: `-0.0` is stored as `0`, as read back.
        Ok("0".to_owned())
    } else if number.is_finite() {
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
    let number = super::limits::Number::parse(text)?;
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
                super::key_value::KeyValue::to_key_string(self)
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

// A time whose UTC form is outside what an `OffsetDateTime` holds (year 10000) is refused as
// it is read, so that every entity read can be written again.
#[cfg(feature = "time")]
timestamp_scalar!(time::OffsetDateTime, |s: &str| {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .filter(|t| t.checked_to_offset(time::UtcOffset::UTC).is_some())
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

pub(crate) const MISSING: &str = "nothing (the attribute is missing)";

pub(crate) fn decode_error(
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
