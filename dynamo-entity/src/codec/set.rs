//! Set fields: `HashSet` and `BTreeSet` of strings, integers or bytes, stored as DynamoDB's
//! native sets (`SS`, `NS`, `BS`).

use aws_sdk_dynamodb::types::AttributeValue;

use super::field::{encode_error, put_with, Codec, Encoded};
use super::scalar::{decode_error, describe, Scalar};
use crate::error::Error;
use crate::item::Item;

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
