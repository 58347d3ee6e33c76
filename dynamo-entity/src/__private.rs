//! What generated code uses, and nothing else does: not part of the API, it may change in any
//! release. Generated code reaches the crate only through here (as `__dynamo`), and the public
//! types carry no methods for it.

pub use crate::codec::field::{
    check_entity_type, encode, encode_option, put_list, put_scalar, put_serde, put_time, take_list,
    take_optional, take_scalar, take_serde, take_time, EpochForm, ListCodec, MillisForm,
    ScalarCodec, SecondsForm, SerdeCodec, TimeCodec, TtlCodec,
};
pub use crate::codec::format::{
    fits_integer, fits_text, fits_time, KeyFormat, TimeBucket, TimeForm,
};
pub use crate::codec::key_value::{KeyArg, KeyDomain, KeyValue};
pub use crate::codec::scalar::Scalar;
pub use crate::codec::set::{put_set, take_set, SetCodec};
pub use crate::codec::ttl::{put_ttl, take_ttl, TtlValue};
pub use crate::error::Result;
pub use crate::error::{Error, KeyValueError};
pub use crate::expr::field::{kind, Field};
pub use crate::expr::key_condition::{sort_key_range, KeyPart, RangeOp};
pub use crate::expr::query::Query;
pub use crate::expr::stage::{MultiKeyStage, SortKeyStage, SortKeyStep};
pub use crate::item::{Item, Key, PK_ATTRIBUTE, SK_ATTRIBUTE, TYPE_ATTRIBUTE};
pub use crate::model::build::{build_key, key_arg, KeyPiece};
pub use crate::model::check::{
    check_entity_attributes, check_entity_key, check_multi_key, has_attribute, index_named, is_ttl,
    key_names, partition_template, same_key_shape, same_text,
};
pub use crate::model::collection::{entity_type_of, Collection, Member};
pub use crate::model::entity::{AttributeSchema, Entity, EntitySchema, KeySchema};
pub use crate::model::index::Index;
pub use crate::model::layout::{DefaultLayout, IndexLayout, IndexProjection, Layout, TableLayout};
pub use crate::model::multikey::{
    AttributeArg, KeyAttribute, KeyAttributeType, KeyField, MultiKeySchema,
};
pub use crate::model::projection::Projection;
pub use crate::model::template::{Segment, Template};
pub use aws_sdk_dynamodb::types::AttributeValue;
pub use core::default::Default;
pub use core::option::Option;
pub use std::string::String;

use crate::codec::field::Encoder;
use crate::expr::field::KeyText;

/// The handle on the field `name` of `entity`, stored as `attribute` by `encode`.
#[inline]
pub const fn field<E, T, K>(
    entity: &'static str,
    name: &'static str,
    attribute: &'static str,
    encode: Encoder<T>,
) -> Field<E, T, K> {
    Field::new(entity, name, attribute, encode)
}

/// The handle on an input of GSI keys, whose values' text in a key is `key`'s.
#[inline]
pub const fn keyed_field<E, T, K>(
    entity: &'static str,
    name: &'static str,
    attribute: &'static str,
    encode: Encoder<T>,
    key: KeyText<T>,
) -> Field<E, T, K> {
    Field::keyed(entity, name, attribute, encode, key)
}

/// A query of the partition `pk` of `index`, as the generated `query` functions start one.
#[inline]
pub fn query<E: Entity>(index: Index, pk: String) -> Query<E> {
    Query::new(index, pk)
}

/// A key field's value as a trait object. Generated code calls this once per placeholder,
/// spanned at the field's type, so that a type which cannot be a key is reported once, there.
#[inline]
pub fn key_value<T: KeyValue>(value: &T) -> &dyn KeyValue {
    value
}

/// Appends a field's value to a key being built from the entity itself.
#[inline]
pub fn write_key_value(
    out: &mut String,
    value: &dyn KeyValue,
    entity: &'static str,
    field: &'static str,
    template: &'static str,
) -> Result<(), Error> {
    value.write_key(out).map_err(|reason| Error::InvalidKey {
        entity,
        field,
        template,
        reason,
    })
}

/// A value's text in a key, for an update that derives an index key from the values it sets.
#[inline]
pub fn key_text(value: &dyn KeyValue) -> Result<String, KeyValueError> {
    let mut out = String::new();
    value.write_key(&mut out)?;
    Ok(out)
}

/// Finds a key field type's [`KeyDomain`] without requiring `KeyValue`:
/// `(&DomainProbe::<T>::NEW).key_domain()` is `T::domain()` when `T: KeyValue`, and `Open`
/// otherwise (method resolution picks [`KnownDomain`] first when it applies). A type that is no
/// key is then reported once, where the key is built, rather than twice.
pub struct DomainProbe<T: ?Sized>(core::marker::PhantomData<T>);

impl<T: ?Sized> DomainProbe<T> {
    /// The probe.
    pub const NEW: Self = DomainProbe(core::marker::PhantomData);
}

/// The domain of a `KeyValue` type.
pub trait KnownDomain {
    /// `T::domain()`.
    fn key_domain(&self) -> KeyDomain;
}

impl<T: KeyValue> KnownDomain for DomainProbe<T> {
    fn key_domain(&self) -> KeyDomain {
        T::domain()
    }
}

/// The fallback for a type that is no key (its error is reported elsewhere).
pub trait UnknownDomain {
    /// [`KeyDomain::Open`].
    fn key_domain(&self) -> KeyDomain {
        KeyDomain::Open
    }
}

impl<T: ?Sized> UnknownDomain for &DomainProbe<T> {}

/// Stores the entity-type attribute.
#[inline]
pub fn put_entity_type(item: &mut Item, attribute: &'static str, entity: &'static str) {
    if attribute.is_empty() {
        // The layout has no entity-type attribute.
        return;
    }
    item.insert(attribute.to_owned(), AttributeValue::S(entity.to_owned()));
}

/// Stores a built key in the item under the index's attribute names.
#[inline]
pub fn put_key(item: &mut Item, pk_attribute: &str, sk_attribute: &str, key: Key) {
    item.insert(pk_attribute.to_owned(), AttributeValue::S(key.pk));
    if let Some(sk) = key.sk {
        item.insert(sk_attribute.to_owned(), AttributeValue::S(sk));
    }
}

/// The typestate query type `$name<const STAGE: usize>($inner)` of an index, with `Clone`,
/// `Debug` and the conversion into the entity's `Query` (by `$inner::$finish`) at any stage.
/// The derive writes one line; the compiler expands it (cheaper than a procedural macro writing
/// every token).
#[doc(hidden)]
#[macro_export]
macro_rules! __typestate {
    ($(#[$attr:meta])* $vis:vis struct $name:ident($inner:ty) for $entity:ty, $finish:ident) => {
        $(#[$attr])*
        $vis struct $name<const STAGE: usize>($inner);

        #[automatically_derived]
        impl<const STAGE: usize> ::core::clone::Clone for $name<STAGE> {
            fn clone(&self) -> Self {
                $name(::core::clone::Clone::clone(&self.0))
            }
        }

        #[automatically_derived]
        impl<const STAGE: usize> ::core::fmt::Debug for $name<STAGE> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_tuple(::core::stringify!($name)).field(&self.0).finish()
            }
        }

        #[automatically_derived]
        impl<const STAGE: usize> ::core::convert::From<$name<STAGE>>
            for $crate::__private::Query<$entity>
        {
            fn from(stage: $name<STAGE>) -> Self {
                stage.0.$finish()
            }
        }
    };
}

/// One stage of a sort key typestate query: equality on the placeholder `$field` (of key type
/// `$ty`) leading to stage `$next`, and, when the method names are given, the ranges on it,
/// each a finished query. See [`SortKeyStage`].
#[doc(hidden)]
#[macro_export]
macro_rules! __sort_key_stage {
    (
        $query:ident<$stage:literal => $next:literal> of $entity:ty,
        $field:ident($name:literal): $ty:ty, $step:expr
        $(, ranges($between:ident, $gt:ident, $ge:ident, $lt:ident, $le:ident))?
    ) => {
        // Generated methods a program does not call are no dead code of its own.
        #[allow(dead_code)]
        impl $query<$stage> {
            const __STEP: $crate::__private::SortKeyStep = $step;

            #[doc = ::core::concat!("Sort key with `", $name, "` equal to the value.")]
            pub fn $field(
                self,
                $field: impl $crate::__private::KeyArg<$ty>,
            ) -> $crate::__private::Result<$query<$next>> {
                $crate::__private::Result::map(
                    self.0.equal::<$ty, _>(&$field, &Self::__STEP),
                    $query,
                )
            }

            $(
                #[doc = ::core::concat!(
                    "Sort key with `", $name, "` between `low` and `high`, both included."
                )]
                pub fn $between(
                    self,
                    low: impl $crate::__private::KeyArg<$ty>,
                    high: impl $crate::__private::KeyArg<$ty>,
                ) -> $crate::__private::Result<$crate::__private::Query<$entity>> {
                    self.0.between::<$ty, _, _>(&low, &high, &Self::__STEP)
                }

                $crate::__sort_key_stage!(@bound $gt, Gt, "above", $name, $ty, $entity);
                $crate::__sort_key_stage!(@bound $ge, Ge, "at or above", $name, $ty, $entity);
                $crate::__sort_key_stage!(@bound $lt, Lt, "below", $name, $ty, $entity);
                $crate::__sort_key_stage!(@bound $le, Le, "at or below", $name, $ty, $entity);
            )?
        }
    };
    (@bound $method:ident, $op:ident, $words:literal, $name:literal, $ty:ty, $entity:ty) => {
        #[doc = ::core::concat!("Sort key with `", $name, "` ", $words, " the value.")]
        pub fn $method(
            self,
            value: impl $crate::__private::KeyArg<$ty>,
        ) -> $crate::__private::Result<$crate::__private::Query<$entity>> {
            self.0.bound::<$ty, _>($crate::__private::RangeOp::$op, &value, &Self::__STEP)
        }
    };
}

pub use crate::{__sort_key_stage as sort_key_stage, __typestate as typestate};
