//! A serde `Serializer` writing the SDK's `AttributeValue` directly, in serde_dynamo's format.
//!
//! Why not `serde_dynamo::to_attribute_value`: it builds its own value tree and then converts it
//! into the SDK's, rebuilding every list and rehashing every map, which kept `to_item` of an
//! entity with a nested struct 12% slower than hand-written code. The format is serde_dynamo's
//! (including its string, number and binary sets); `tests/serde_compat.rs` holds this writer to
//! serde_dynamo's output on generated values.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::ser::{self, Serialize};

use super::SerdeError;

/// Writes `value` as an attribute value, in the format `serde_dynamo` writes.
///
/// ```
/// use aws_sdk_dynamodb::types::AttributeValue;
/// use dynamo_entity::attribute::to_attribute_value;
///
/// let value = to_attribute_value(&vec![1u8, 2]).unwrap();
/// assert_eq!(value, AttributeValue::L(vec![AttributeValue::N("1".into()), AttributeValue::N("2".into())]));
/// ```
pub fn to_attribute_value<T: Serialize + ?Sized>(value: &T) -> Result<AttributeValue, SerdeError> {
    value.serialize(Serializer)
}

// serde_dynamo marks its set types by these newtype names.
const STRING_SET: &str = "\u{037E}STRINGSET\u{037E}";
const NUMBER_SET: &str = "\u{037E}NUMBERSET\u{037E}";
const BINARY_SET: &str = "\u{037E}BYTESSET\u{037E}";

fn error(message: impl std::fmt::Display) -> SerdeError {
    <SerdeError as ser::Error>::custom(message)
}

fn number<T: itoa::Integer>(value: T) -> AttributeValue {
    AttributeValue::N(itoa::Buffer::new().format(value).to_owned())
}

fn float<T: std::fmt::Display + Into<f64> + Copy>(value: T) -> Result<AttributeValue, SerdeError> {
    if value.into() == 0.0 {
        // No negative zero in DynamoDB: `-0.0` is `0`.
        Ok(AttributeValue::N("0".to_owned()))
    } else if value.into().is_finite() {
        Ok(AttributeValue::N(value.to_string()))
    } else {
        Err(error(format_args!(
            "{value} cannot be stored as a DynamoDB number"
        )))
    }
}

/// A list turned into one of DynamoDB's sets, when serde_dynamo's set marker asks for it.
fn into_set(name: &str, value: AttributeValue) -> Result<AttributeValue, SerdeError> {
    let kind = match name {
        STRING_SET => "string",
        NUMBER_SET => "number",
        BINARY_SET => "binary",
        _ => return Ok(value),
    };
    let AttributeValue::L(items) = value else {
        return Err(error(format_args!(
            "a {kind} set must serialize as a sequence"
        )));
    };
    if items.is_empty() {
        return Err(error(format_args!(
            "an empty {kind} set cannot be stored: DynamoDB has no empty set (leave the field \
             out when empty, or store it as a list)"
        )));
    }
    let wrong = || error(format_args!("a {kind} set holds only {kind} values"));
    Ok(match kind {
        "string" => AttributeValue::Ss(
            items
                .into_iter()
                .map(|v| {
                    if let AttributeValue::S(s) = v {
                        Ok(s)
                    } else {
                        Err(wrong())
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
        "number" => AttributeValue::Ns(
            items
                .into_iter()
                .map(|v| {
                    if let AttributeValue::N(n) = v {
                        Ok(n)
                    } else {
                        Err(wrong())
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
        _ => AttributeValue::Bs(
            items
                .into_iter()
                .map(|v| {
                    if let AttributeValue::B(b) = v {
                        Ok(b)
                    } else {
                        Err(wrong())
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn single_entry(variant: &str, value: AttributeValue) -> AttributeValue {
    AttributeValue::M(HashMap::from([(variant.to_owned(), value)]))
}

struct Serializer;

impl ser::Serializer for Serializer {
    type Ok = AttributeValue;
    type Error = SerdeError;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Seq;
    type SerializeMap = Map;
    type SerializeStruct = Map;
    type SerializeStructVariant = Map;

    fn serialize_bool(self, v: bool) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<AttributeValue, SerdeError> {
        Ok(number(v))
    }
    fn serialize_i16(self, v: i16) -> Result<AttributeValue, SerdeError> {
        Ok(number(v))
    }
    fn serialize_i32(self, v: i32) -> Result<AttributeValue, SerdeError> {
        Ok(number(v))
    }
    fn serialize_i64(self, v: i64) -> Result<AttributeValue, SerdeError> {
        Ok(number(v))
    }
    fn serialize_i128(self, v: i128) -> Result<AttributeValue, SerdeError> {
        Ok(number(v))
    }
    fn serialize_u8(self, v: u8) -> Result<AttributeValue, SerdeError> {
        Ok(number(v))
    }
    fn serialize_u16(self, v: u16) -> Result<AttributeValue, SerdeError> {
        Ok(number(v))
    }
    fn serialize_u32(self, v: u32) -> Result<AttributeValue, SerdeError> {
        Ok(number(v))
    }
    fn serialize_u64(self, v: u64) -> Result<AttributeValue, SerdeError> {
        Ok(number(v))
    }
    fn serialize_u128(self, v: u128) -> Result<AttributeValue, SerdeError> {
        Ok(number(v))
    }
    fn serialize_f32(self, v: f32) -> Result<AttributeValue, SerdeError> {
        float(v)
    }
    fn serialize_f64(self, v: f64) -> Result<AttributeValue, SerdeError> {
        float(v)
    }
    fn serialize_char(self, v: char) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::S(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::S(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::B(Blob::new(v)))
    }
    fn serialize_none(self) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::Null(true))
    }
    fn serialize_some<T: Serialize + ?Sized>(
        self,
        value: &T,
    ) -> Result<AttributeValue, SerdeError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::Null(true))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::Null(true))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::S(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<AttributeValue, SerdeError> {
        into_set(name, value.serialize(self)?)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<AttributeValue, SerdeError> {
        Ok(single_entry(variant, value.serialize(self)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, SerdeError> {
        Ok(Seq::new(None, len.unwrap_or(0)))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq, SerdeError> {
        Ok(Seq::new(None, len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq, SerdeError> {
        Ok(Seq::new(None, len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Seq, SerdeError> {
        Ok(Seq::new(Some(variant), len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map, SerdeError> {
        Ok(Map::new(None, len.unwrap_or(0)))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Map, SerdeError> {
        Ok(Map::new(None, len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Map, SerdeError> {
        Ok(Map::new(Some(variant), len))
    }
}

/// A list; for a tuple variant, wrapped in a one-entry map under the variant's name.
struct Seq {
    variant: Option<&'static str>,
    items: Vec<AttributeValue>,
}

impl Seq {
    fn new(variant: Option<&'static str>, len: usize) -> Self {
        Seq {
            variant,
            items: Vec::with_capacity(len),
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.items.push(value.serialize(Serializer)?);
        Ok(())
    }

    fn finish(self) -> Result<AttributeValue, SerdeError> {
        let list = AttributeValue::L(self.items);
        Ok(match self.variant {
            Some(variant) => single_entry(variant, list),
            None => list,
        })
    }
}

macro_rules! seq_impl {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Seq {
            type Ok = AttributeValue;
            type Error = SerdeError;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
                self.push(value)
            }

            fn end(self) -> Result<AttributeValue, SerdeError> {
                self.finish()
            }
        }
    )*};
}
seq_impl!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// A map (or struct); for a struct variant, wrapped in a one-entry map under the variant's name.
struct Map {
    variant: Option<&'static str>,
    entries: HashMap<String, AttributeValue>,
    key: Option<String>,
}

impl Map {
    fn new(variant: Option<&'static str>, len: usize) -> Self {
        Map {
            variant,
            entries: HashMap::with_capacity(len),
            key: None,
        }
    }

    fn insert<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), SerdeError> {
        self.entries.insert(key, value.serialize(Serializer)?);
        Ok(())
    }

    fn finish(self) -> Result<AttributeValue, SerdeError> {
        let map = AttributeValue::M(self.entries);
        Ok(match self.variant {
            Some(variant) => single_entry(variant, map),
            None => map,
        })
    }
}

impl ser::SerializeMap for Map {
    type Ok = AttributeValue;
    type Error = SerdeError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerdeError> {
        self.key = Some(map_key(key)?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| error("a map value came before its key"))?;
        self.insert(key, value)
    }

    fn end(self) -> Result<AttributeValue, SerdeError> {
        self.finish()
    }
}

macro_rules! struct_impl {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Map {
            type Ok = AttributeValue;
            type Error = SerdeError;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), SerdeError> {
                self.insert(key.to_owned(), value)
            }

            fn end(self) -> Result<AttributeValue, SerdeError> {
                self.finish()
            }
        }
    )*};
}
struct_impl!(SerializeStruct, SerializeStructVariant);

/// A map key as text: strings as they are, integers, booleans and unit variants as their text,
/// as serde_dynamo writes them.
fn map_key<T: Serialize + ?Sized>(key: &T) -> Result<String, SerdeError> {
    match key.serialize(Serializer)? {
        AttributeValue::S(s) | AttributeValue::N(s) => Ok(s),
        AttributeValue::Bool(b) => Ok(b.to_string()),
        _ => Err(error("map keys must be strings, integers or booleans")),
    }
}
