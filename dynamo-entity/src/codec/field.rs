//! Field codecs: the one place each kind of field type is encoded (for `to_item` and for
//! typed field handles) and decoded (for `from_item`). The guide to what each type becomes is
//! the public `attribute` module's (`src/doc/attribute.md`).

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{de::DeserializeOwned, Serialize};

use super::format::{time_attribute, TimeForm, TimeKey};
use super::scalar::{decode_error, describe, Scalar, MISSING};
use super::serde::{from_attribute_value, to_attribute_value};
use super::ttl::{take_ttl, TtlValue};
use crate::error::Error;
use crate::item::Item;

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
    const FORM: TimeForm;
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
    const FORM: TimeForm = TimeForm::Seconds;
}
impl TimeAttributeForm for MillisForm {
    const FORM: TimeForm = TimeForm::Millis;
}
impl TimeAttributeForm for EpochForm {
    const FORM: TimeForm = TimeForm::Epoch;
}

impl<F: TimeAttributeForm, T: TimeKey> Codec<T> for TimeCodec<F> {
    fn to_attribute(value: &T, entity: &'static str, field: &'static str) -> Encoded {
        value
            .to_key_string()
            .and_then(|encoded| time_attribute(&encoded, F::FORM))
            .map(Some)
            .map_err(|e| encode_error(entity, field, e.to_string()))
    }
}

/// Adds a timestamp field's attribute in form `F` to `item`.
#[inline]
pub fn put_time<F: TimeAttributeForm, T: TimeKey>(
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
        TimeForm::Epoch => take_ttl(value, entity, attribute),
        _ => take_scalar(value, entity, attribute),
    }
}

pub(crate) fn encode_error(entity: &'static str, field: &'static str, message: String) -> Error {
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
        match to_attribute_value(value) {
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
pub(crate) fn put_with<C: Codec<T>, T: ?Sized>(
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
        Some(value) => from_attribute_value(value).map_err(|e| {
            decode_error(
                entity,
                attribute,
                expected(),
                format!("a value serde rejects: {e}"),
            )
        }),
        None => from_attribute_value(AttributeValue::Null(true))
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
