//! A serde `Deserializer` reading the SDK's `AttributeValue` in place.
//!
//! Why not `serde_dynamo::from_attribute_value`: it first converts the SDK value into its own
//! value type, rebuilding every list and map (a nested struct's map is rehashed), which made
//! `from_item` of an entity with one nested struct 12% slower than hand-written code. This reads
//! the format serde_dynamo writes (as does `ser`), and a differential property test
//! (`tests/serde_compat.rs`) holds the two to the same answers.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::value::{MapAccessDeserializer, MapDeserializer, SeqDeserializer};
use serde::de::{self, IntoDeserializer, Visitor};

use super::SerdeError;

/// Reads a `T` from an attribute value in the format `serde_dynamo` writes.
///
/// ```
/// use aws_sdk_dynamodb::types::AttributeValue;
/// use dynamo_entity::attribute::from_attribute_value;
///
/// let value = AttributeValue::L(vec![AttributeValue::N("1".into()), AttributeValue::N("2".into())]);
/// let numbers: Vec<u8> = from_attribute_value(value).unwrap();
/// assert_eq!(numbers, [1, 2]);
/// ```
pub fn from_attribute_value<T: de::DeserializeOwned>(
    value: AttributeValue,
) -> Result<T, SerdeError> {
    T::deserialize(Value(value))
}

/// The deserializer: one attribute value, consumed.
struct Value(AttributeValue);

impl<'de> IntoDeserializer<'de, SerdeError> for Value {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// A map key: always a string in DynamoDB, parsed when the key type is a number or a boolean
/// (serde_dynamo writes such keys as their text).
struct MapKey(String);

impl<'de> IntoDeserializer<'de, SerdeError> for MapKey {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parse_key {
    ($($method:ident => $ty:ty, $visit:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
            match self.0.parse::<$ty>() {
                Ok(value) => visitor.$visit(value),
                Err(_) => Err(de::Error::invalid_value(de::Unexpected::Str(&self.0), &visitor)),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for MapKey {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        visitor.visit_string(self.0)
    }

    parse_key! {
        deserialize_bool => bool, visit_bool;
        deserialize_i8 => i8, visit_i8;
        deserialize_i16 => i16, visit_i16;
        deserialize_i32 => i32, visit_i32;
        deserialize_i64 => i64, visit_i64;
        deserialize_i128 => i128, visit_i128;
        deserialize_u8 => u8, visit_u8;
        deserialize_u16 => u16, visit_u16;
        deserialize_u32 => u32, visit_u32;
        deserialize_u64 => u64, visit_u64;
        deserialize_u128 => u128, visit_u128;
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        f32 f64 char str string bytes byte_buf option unit unit_struct seq tuple tuple_struct
        map struct identifier ignored_any
    }
}

/// An "invalid type" error that shows the value as `describe` does: type and a clipped value.
fn invalid_type<'de, V: Visitor<'de>>(value: &AttributeValue, visitor: &V) -> SerdeError {
    let found = crate::codec::scalar::describe(value);
    de::Error::invalid_type(de::Unexpected::Other(&found), visitor)
}

fn visit_seq<'de, V, I>(visitor: V, elements: I) -> Result<V::Value, SerdeError>
where
    V: Visitor<'de>,
    I: Iterator<Item = AttributeValue>,
{
    let mut seq = SeqDeserializer::new(elements.map(Value));
    let value = visitor.visit_seq(&mut seq)?;
    seq.end()?;
    Ok(value)
}

/// `N` text read as the type serde asked for, by the same rules as a field of that type (a
/// float is never `NaN`, infinite, or a non-zero number rounded to zero), so that range errors
/// are precise.
macro_rules! deserialize_number {
    ($($method:ident => $ty:ty, $visit:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
            match self.0 {
                number @ AttributeValue::N(_) => {
                    match <$ty as crate::codec::scalar::Scalar>::from_attribute(number) {
                        Ok(number) => visitor.$visit(number),
                        Err(AttributeValue::N(n)) => Err(de::Error::invalid_value(
                            de::Unexpected::Other(&n),
                            &visitor,
                        )),
                        Err(other) => Err(invalid_type(&other, &visitor)),
                    }
                }
                other => Err(invalid_type(&other, &visitor)),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.0 {
            AttributeValue::S(s) => visitor.visit_string(s),
            // Untyped numbers: the narrowest of u64, i64, f64 that holds the text.
            AttributeValue::N(n) => {
                if let Ok(u) = n.parse::<u64>() {
                    visitor.visit_u64(u)
                } else if let Ok(i) = n.parse::<i64>() {
                    visitor.visit_i64(i)
                } else if let Some(f) = crate::codec::scalar::float::<f64>(&n) {
                    visitor.visit_f64(f)
                } else {
                    Err(de::Error::invalid_value(
                        de::Unexpected::Other(&n),
                        &visitor,
                    ))
                }
            }
            AttributeValue::Bool(b) => visitor.visit_bool(b),
            AttributeValue::Null(_) => visitor.visit_unit(),
            AttributeValue::B(b) => visitor.visit_byte_buf(b.into_inner()),
            AttributeValue::L(list) => visit_seq(visitor, list.into_iter()),
            AttributeValue::Ss(strings) => {
                visit_seq(visitor, strings.into_iter().map(AttributeValue::S))
            }
            AttributeValue::Ns(numbers) => {
                visit_seq(visitor, numbers.into_iter().map(AttributeValue::N))
            }
            AttributeValue::Bs(binaries) => {
                visit_seq(visitor, binaries.into_iter().map(AttributeValue::B))
            }
            AttributeValue::M(map) => {
                let mut access =
                    MapDeserializer::new(map.into_iter().map(|(k, v)| (MapKey(k), Value(v))));
                let value = visitor.visit_map(&mut access)?;
                access.end()?;
                Ok(value)
            }
            other => Err(invalid_type(&other, &visitor)),
        }
    }

    deserialize_number! {
        deserialize_i8 => i8, visit_i8;
        deserialize_i16 => i16, visit_i16;
        deserialize_i32 => i32, visit_i32;
        deserialize_i64 => i64, visit_i64;
        deserialize_i128 => i128, visit_i128;
        deserialize_u8 => u8, visit_u8;
        deserialize_u16 => u16, visit_u16;
        deserialize_u32 => u32, visit_u32;
        deserialize_u64 => u64, visit_u64;
        deserialize_u128 => u128, visit_u128;
        deserialize_f32 => f32, visit_f32;
        deserialize_f64 => f64, visit_f64;
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.0 {
            value @ AttributeValue::M(_) => Value(value).deserialize_any(visitor),
            other => Err(invalid_type(&other, &visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.0 {
            value @ (AttributeValue::L(_)
            | AttributeValue::Ss(_)
            | AttributeValue::Ns(_)
            | AttributeValue::Bs(_)) => Value(value).deserialize_any(visitor),
            other => Err(invalid_type(&other, &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.0 {
            AttributeValue::Null(_) => visitor.visit_none(),
            other => visitor.visit_some(Value(other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_newtype_struct(self)
    }

    /// Unit variants are strings; other variants are a map of one entry, variant to content.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        match self.0 {
            AttributeValue::S(variant) => visitor.visit_enum(variant.into_deserializer()),
            AttributeValue::M(map) if map.len() == 1 => {
                let entries = map.into_iter().map(|(k, v)| (MapKey(k), Value(v)));
                visitor.visit_enum(MapAccessDeserializer::new(MapDeserializer::new(entries)))
            }
            other => Err(invalid_type(&other, &visitor)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool char str string bytes byte_buf unit unit_struct identifier
    }
}
