//! The schema of multi-attribute index keys: the attributes' types, and an entity's fields
//! in such a key. The guide is the public `multikey` module's (`src/doc/multikey.md`).

use std::borrow::Cow;

use aws_sdk_dynamodb::types::{AttributeValue, ScalarAttributeType};

use super::index::Index;
use crate::codec::scalar::Scalar;

/// The type of a key attribute: what DynamoDB's attribute definition says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum KeyAttributeType {
    /// A string (`S`).
    S,
    /// A number (`N`).
    N,
    /// Binary (`B`).
    B,
}

impl KeyAttributeType {
    /// The SDK's type.
    pub fn scalar(self) -> ScalarAttributeType {
        match self {
            KeyAttributeType::S => ScalarAttributeType::S,
            KeyAttributeType::N => ScalarAttributeType::N,
            KeyAttributeType::B => ScalarAttributeType::B,
        }
    }

    /// `S`, `N` or `B`.
    pub fn name(self) -> &'static str {
        match self {
            KeyAttributeType::S => "S",
            KeyAttributeType::N => "N",
            KeyAttributeType::B => "B",
        }
    }
}

/// A field type that can be one attribute of a multi-attribute key: stored as a string, a
/// number or binary.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an attribute of a multi-attribute key",
    label = "a multi-attribute key's attributes are strings, numbers or binary",
    note = "use a String, an integer, Vec<u8>, uuid::Uuid or a timestamp field (Option of one \
            for a sparse index)"
)]
pub trait KeyAttribute: Scalar {
    /// How DynamoDB types the attribute.
    const TYPE: KeyAttributeType;
}

macro_rules! key_attribute {
    ($kind:ident: $($t:ty),*) => { $(impl KeyAttribute for $t { const TYPE: KeyAttributeType = KeyAttributeType::$kind; })* };
}
key_attribute!(S: String);
key_attribute!(N: u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);
key_attribute!(B: Vec<u8>);
#[cfg(feature = "uuid")]
key_attribute!(S: uuid::Uuid);
#[cfg(feature = "chrono")]
key_attribute!(S: chrono::DateTime<chrono::Utc>);
#[cfg(feature = "time")]
key_attribute!(S: time::OffsetDateTime);

/// One attribute of an entity's multi-attribute key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyField {
    /// The Rust field.
    pub field: &'static str,
    /// Its attribute name, the index's key attribute.
    pub attribute: &'static str,
    /// Its type.
    pub kind: KeyAttributeType,
}

/// An entity's key in a multi-attribute index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultiKeySchema {
    /// Which index.
    pub index: Index,
    /// The partition key's attributes, in order.
    pub partition: &'static [KeyField],
    /// The sort key's attributes, in order.
    pub sort: &'static [KeyField],
}

/// An argument standing for a field of type `T` in a multi-attribute key query: the value or
/// a reference to it (and `&str` for a `String` field).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot stand for a `{T}` key attribute",
    label = "expected a `{T}` or a reference to one"
)]
pub trait AttributeArg<T> {
    /// The attribute value, as the field is stored.
    fn to_key_attribute(&self) -> std::result::Result<AttributeValue, Cow<'static, str>>;
}

impl<T: KeyAttribute> AttributeArg<T> for T {
    fn to_key_attribute(&self) -> std::result::Result<AttributeValue, Cow<'static, str>> {
        self.to_attribute()
    }
}

impl<T: KeyAttribute> AttributeArg<T> for &T {
    fn to_key_attribute(&self) -> std::result::Result<AttributeValue, Cow<'static, str>> {
        (*self).to_attribute()
    }
}

impl AttributeArg<String> for &str {
    fn to_key_attribute(&self) -> std::result::Result<AttributeValue, Cow<'static, str>> {
        Ok(AttributeValue::S((*self).to_owned()))
    }
}
