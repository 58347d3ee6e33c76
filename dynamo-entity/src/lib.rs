//! # dynamo-entity
//!
//! Typed DynamoDB single-table design. Annotate a plain struct with its key templates; the
//! derive checks them at compile time and generates key builders and item conversion.
//!
//! ```
//! use dynamo_entity::{Entity, Key};
//!
//! #[derive(Debug, PartialEq, Entity)]
//! #[pk = "USER#<owner_id>"]
//! #[sk = "PET#<pet_id>"]
//! #[gsi1(pk = "PET#<pet_id>", sk = "PET#<pet_id>")]
//! pub struct Pet {
//!     pub owner_id: String,
//!     pub pet_id: String,
//!     pub name: String,
//!     pub age: u8,
//!     pub nickname: Option<String>,
//! }
//!
//! # fn main() -> dynamo_entity::Result<()> {
//! // Key builders take the placeholder fields, in template order.
//! assert_eq!(
//!     Pet::primary_key("alice", "rex")?,
//!     Key { pk: "USER#alice".into(), sk: Some("PET#rex".into()) },
//! );
//! assert_eq!(Pet::partition_key("alice")?, "USER#alice");
//!
//! let rex = Pet {
//!     owner_id: "alice".into(),
//!     pet_id: "rex".into(),
//!     name: "Rex".into(),
//!     age: 3,
//!     nickname: None,
//! };
//! let item = rex.to_item()?;
//! assert_eq!(item["PK"].as_s().unwrap(), "USER#alice");
//! assert_eq!(item["GSI1PK"].as_s().unwrap(), "PET#rex");
//! assert_eq!(item["Type"].as_s().unwrap(), "Pet");
//! assert_eq!(item["age"].as_n().unwrap(), "3");
//! assert!(!item.contains_key("nickname")); // None is left out, never NULL
//! assert_eq!(Pet::from_item(item)?, rex);
//!
//! // A value that would make keys ambiguous is refused before anything is sent.
//! let err = Pet::primary_key("alice", "rex#1").unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "invalid key value for Pet.pet_id in `PET#<pet_id>`: the value contains the key delimiter `#`",
//! );
//! # Ok(())
//! # }
//! ```
//!
//! ## The derive
//!
//! On the struct:
//!
//! | attribute | meaning |
//! |---|---|
//! | `#[pk = "USER#<owner_id>"]` | partition key template (required) |
//! | `#[sk = "PET#<pet_id>"]` | sort key template (optional; may be all literal, as in `"PROFILE"`) |
//! | `#[gsi1(pk = "...", sk = "...")]` … `#[gsi20(..)]` | a global secondary index's templates (`sk` optional) |
//! | `#[dynamo(entity_type = "Pet")]` | the entity-type attribute's value (default: the struct name) |
//! | `#[dynamo(constant_pk)]` | allow a partition key with no placeholder: every item in one partition |
//! | `#[dynamo(table = Layout)]` | the table layout (`#[derive(TableLayout)]`, see [`layout`]): key attribute, index and type attribute names |
//! | `#[index(Name: pk = "...", sk = "...")]` | the keys in an index of the layout, by name (no `pk`: a local index) |
//! | `#[dynamo(computed(part: Type, from(field, ..)))]` | a placeholder `<part>` computed by the method `part(&self)` |
//! | `when(method, from(field, ..))` in an index | the item is in the index only while `self.method()` is true |
//! | `#[index(Name: pk = [field, ..], sk = [field, ..])]` | a multi-attribute key (see [`multikey`]) |
//!
//! On a field:
//!
//! | attribute | meaning |
//! |---|---|
//! | `#[dynamo(rename = "name")]` | the attribute name in the item (default: the field name) |
//! | `#[dynamo(skip)]` | not stored; read back as `Default::default()`; cannot be in a key |
//! | `#[dynamo(serde)]` | convert through serde even if the type is a known scalar |
//! | `#[dynamo(format = "millis")]` | a timestamp stored as `2024-01-15T10:30:00.000Z` (`"seconds"`, `"epoch"` too) |
//!
//! Templates are literal text with `<field>` placeholders; `#` is the delimiter. Two placeholders
//! must be separated by a literal that contains `#`, so that every key splits back into its
//! values one way only. Placeholder values are encoded by [`KeyValue`] (see [`key`] for the
//! order-preserving encodings), or in a format given after the name, `<brand:upper>`,
//! `<number:7>`, `<created_at:date>` (see [`format`](mod@format)); `Option` fields may appear only in GSI
//! keys, where `None` leaves the item out of that index (a sparse index).
//!
//! ## Items
//!
//! [`Entity::to_item`] writes `PK`, `SK`, `GSInPK`/`GSInSK`, the entity-type attribute `Type`,
//! and each field under its own name. These key attribute names are never used for fields. The
//! conversion of each field is described in [`attribute`].
//!
//! ## Running against DynamoDB
//!
//! A [`Table`] holds the SDK client, the table's name and its [`TableSchema`] (built from the
//! entities; [`Table::create_table`] for tests, [`TableSchema::create_table_input`] for
//! infrastructure-as-code). On it:
//!
//! * writes: [`Table::create`], [`Table::put`], [`Table::replace`], [`Table::delete`],
//!   [`Table::create_if_absent`], and typed updates with [`Table::update`], each with typed
//!   [`Condition`]s built from `Entity::fields()`; `#[dynamo(version)]`, `created_at`,
//!   `updated_at`, `ttl` and `unique` fields are maintained; [`Table::upsert`] creates when
//!   absent; sets, lists, map entries and struct members change in place;
//! * reads: [`Table::get`], and [`Table::query`] with the generated `query` functions (typed sort
//!   key conditions, pages, [`Cursor`]s, streams), [`Table::query_collection`] for a
//!   [`Collection`], [`Table::get_collection`] for a key that holds one of several types, and
//!   [`Projection`]s of entities (`#[derive(Projection)]`) on all of them;
//! * many items: [`Table::transaction`], [`Table::read_transaction`], [`Table::batch_get`],
//!   [`Table::batch_write`], and [`Table::scan_for_migration`] for backfills only;
//! * cost: [`Table::metered`] and [`Table::cost`]; each request in a `tracing` span, labelled
//!   with [`Table::pattern`];
//! * design review: [`design`] turns the entities and the recorded access patterns into a
//!   report (entity-key and access-pattern tables, a diagram, lints), CloudFormation,
//!   Terraform, CDK and a least-privilege IAM policy.
//!
//! Every failure is an [`Error`] naming the entity and key, field or attribute concerned.
//!
//! ## Guarantees
//!
//! * A write by key never touches another entity's item ([`Error::WrongEntity`]), and a
//!   [`TableSchema`] refuses entities whose keys can collide.
//! * An item whose TTL has passed is absent for reads and writes alike.
//! * Every request ends in bounded time ([`Timeouts`]); batches stop early when DynamoDB does
//!   not answer, or at their deadline, and return what they did not do ([`Error::Stopped`]).
//! * Cursors are bound to their query, and can be sealed ([`Table::with_cursor_key`]).
//! * What DynamoDB would refuse is refused before sending ([`Error::Unstorable`]).
//!
//! ## Feature flags
//!
//! `uuid`, `chrono` and `time` add key and attribute support for `uuid::Uuid`,
//! `chrono::DateTime<Utc>` and `time::OffsetDateTime`. `lambda-events` adds [`stream`]:
//! DynamoDB Streams records as Lambda receives them, decoded into entities.

#![warn(missing_docs)]

// Generated code names `::dynamo_entity`, which must resolve inside this crate's own tests too.
extern crate self as dynamo_entity;

/// Lets a request builder be awaited directly: `table.get::<Pet>(key).await`.
macro_rules! into_future {
    ($builder:ident, $output:ty) => {
        impl<'t, E: $crate::Entity + Send + Sync + 't> ::std::future::IntoFuture
            for $builder<'t, E>
        {
            type Output = $crate::Result<$output>;
            type IntoFuture =
                ::std::pin::Pin<Box<dyn ::std::future::Future<Output = Self::Output> + Send + 't>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}
pub(crate) use into_future;

pub mod attribute;
mod batch;
mod clock;
mod collection;
pub mod condition;
mod cost;
mod cursor;
mod de;
pub mod design;
mod entity;
mod error;
mod expression;
pub mod format;
pub mod key;
mod keyspace;
pub mod layout;
mod limits;
pub mod multikey;
mod projection;
mod range;
mod read;
mod scan;
mod ser;
#[cfg(feature = "lambda-events")]
pub mod stream;
mod table;
mod transaction;
mod unique;
mod update;
mod write;

pub use aws_sdk_dynamodb;
pub use batch::{
    BatchGet, BatchGetOutput, BatchWrite, BatchWriteOutput, PendingWrite, ProjectedBatchGet,
};
pub use clock::Clock;
pub use collection::{Collection, CollectionPage, CollectionRequest, GetCollection, Member};
pub use condition::{kind, AttributeType, Condition, Containable, Entry, Field, MapField, Size};
pub use cost::Cost;
pub use cursor::{Cursor, CursorKey};
pub use dynamo_entity_derive::{Collection, Entity, KeyValue, Projection, TableLayout};
pub use entity::{AttributeSchema, Entity, EntitySchema, KeySchema};
pub use error::{Error, KeyValueError, RequestError, Result};
pub use format::{KeyFormat, TimeBucket, TimeForm};
pub use key::{Index, Key, KeyArg, KeyDomain, KeyValue, RawKey};
pub use layout::{DefaultLayout, IndexLayout, IndexProjection, Layout, TableLayout};
pub use limits::{item_size, MAX_ITEM_BYTES};
pub use projection::{GetProjection, ProjectedQuery, Projection};
pub use range::SortKeyCondition;
pub use read::{Get, Page, Query, QueryRequest};
pub use scan::MigrationScan;
#[allow(deprecated)]
pub use table::GsiSchema;
pub use table::{IndexSchema, Table, TableSchema, Timeouts};
pub use transaction::{
    CancelledOperation, ReadResults, ReadTransaction, Slot, WriteTransaction,
    MAX_TRANSACTION_OPERATIONS,
};
pub use update::{Numeric, SetValued, Update};
pub use write::{CreateIfAbsent, Created, Delete, Put};

/// A DynamoDB item, as the SDK represents it.
pub type Item = std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>;

/// The attribute holding the base table's partition key.
pub const PK_ATTRIBUTE: &str = "PK";
/// The attribute holding the base table's sort key.
pub const SK_ATTRIBUTE: &str = "SK";
/// The attribute holding each item's entity type.
pub const TYPE_ATTRIBUTE: &str = "Type";

/// Wraps a failed SDK request, keeping the SDK error as the source. The message is DynamoDB's
/// error code and message when the service answered, else the SDK's chain of causes.
pub(crate) fn request_error<E, R>(
    operation: &'static str,
    error: aws_sdk_dynamodb::error::SdkError<E, R>,
) -> Error
where
    E: std::error::Error + aws_sdk_dynamodb::error::ProvideErrorMetadata + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    use aws_sdk_dynamodb::error::ProvideErrorMetadata;
    let message = match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => aws_sdk_dynamodb::error::DisplayErrorContext(&error).to_string(),
    };
    Error::Request(RequestError {
        operation,
        message,
        source: Box::new(error),
    })
}

/// What generated code uses. Not part of the API: it may change in any release.
/// Imported by generated code with a glob (`use ::dynamo_entity::__alias::*;`), so that it can
/// name [`__private`] as `__dynamo`, and several entities in one module import it without a
/// conflict.
#[doc(hidden)]
pub mod __alias {
    pub use crate::__private as __dynamo;
}

#[doc(hidden)]
pub mod __private {
    pub use crate::attribute::{
        check_entity_type, encode, encode_option, put_list, put_scalar, put_serde, put_set,
        put_time, put_ttl, take_list, take_optional, take_scalar, take_serde, take_set, take_time,
        take_ttl, EpochForm, ListCodec, MillisForm, Scalar, ScalarCodec, SecondsForm, SerdeCodec,
        SetCodec, TimeCodec, TtlCodec, TtlValue,
    };
    pub use crate::collection::{
        entity_type_of, partition_template, same_key_shape, Collection, Member,
    };
    pub use crate::projection::Projection;

    pub use crate::format::{fits_integer, fits_text, fits_time, KeyFormat, TimeBucket, TimeForm};
    use crate::layout::same;
    pub use crate::layout::{
        check_entity_attributes, check_entity_key, index_named, key_names, DefaultLayout,
        IndexLayout, IndexProjection, Layout, TableLayout,
    };
    pub use crate::multikey::{
        AttributeArg, KeyAttribute, KeyAttributeType, KeyField, KeyPart, MultiKeySchema,
        MultiKeyStage,
    };

    /// Whether `attribute` is the entity's TTL attribute `ttl`, in const code.
    pub const fn is_ttl(ttl: Option<&str>, attribute: &str) -> bool {
        match ttl {
            Some(ttl) => same(ttl, attribute),
            None => false,
        }
    }

    /// Whether `attributes` has the field `field` stored as `attribute`. Const, so that
    /// `#[derive(Projection)]` checks its fields at compile time.
    pub const fn has_attribute(
        attributes: &[AttributeSchema],
        field: &str,
        attribute: &str,
    ) -> bool {
        let mut i = 0;
        while i < attributes.len() {
            if same(attributes[i].field, field) && same(attributes[i].attribute, attribute) {
                return true;
            }
            i += 1;
        }
        false
    }
    pub use crate::key::{build_key, key_arg, Index, Key, KeyArg, KeyDomain, KeyPiece, KeyValue};
    pub use crate::range::{__sort_key_range, RangeOp, SortKeyStage, SortKeyStep};
    pub use crate::{
        kind, AttributeSchema, Entity, EntitySchema, Error, Field, Item, KeySchema, KeyValueError,
        Query, PK_ATTRIBUTE, SK_ATTRIBUTE, TYPE_ATTRIBUTE,
    };
    pub use aws_sdk_dynamodb::types::AttributeValue;
    pub use core::default::Default;
    pub use core::option::Option;
    pub use core::result::Result;
    pub use std::string::String;

    /// Appends a key builder's argument to a key being built. It has no `KeyValue` bound of its
    /// own, so that a field type that cannot be a key is reported once, by `write_key_value`.
    #[inline]
    pub fn write_key_arg<T, A>(
        out: &mut String,
        value: &A,
        entity: &'static str,
        field: &'static str,
        template: &'static str,
    ) -> Result<(), Error>
    where
        T: ?Sized,
        A: KeyArg<T> + ?Sized,
    {
        value
            .write_key_arg(out)
            .map_err(|reason| Error::InvalidKey {
                entity,
                field,
                template,
                reason,
            })
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

    /// A value's text in a key, for an update that derives an index key from the values it
    /// sets.
    #[inline]
    pub fn key_text(value: &dyn KeyValue) -> Result<String, KeyValueError> {
        let mut out = String::new();
        value.write_key(&mut out)?;
        Ok(out)
    }

    /// Finds a key field type's [`KeyDomain`](crate::KeyDomain) without requiring `KeyValue`:
    /// `(&DomainProbe::<T>::NEW).key_domain()` is `T::domain()` when `T: KeyValue`, and `Open`
    /// otherwise (method resolution picks [`KnownDomain`] first when it applies). A type that is
    /// no key is then reported once, where the key is built, rather than twice.
    pub struct DomainProbe<T: ?Sized>(core::marker::PhantomData<T>);

    impl<T: ?Sized> DomainProbe<T> {
        /// The probe.
        pub const NEW: Self = DomainProbe(core::marker::PhantomData);
    }

    /// The domain of a `KeyValue` type.
    pub trait KnownDomain {
        /// `T::domain()`.
        fn key_domain(&self) -> crate::KeyDomain;
    }

    impl<T: KeyValue> KnownDomain for DomainProbe<T> {
        fn key_domain(&self) -> crate::KeyDomain {
            T::domain()
        }
    }

    /// The fallback for a type that is no key (its error is reported elsewhere).
    pub trait UnknownDomain {
        /// [`KeyDomain::Open`](crate::KeyDomain::Open).
        fn key_domain(&self) -> crate::KeyDomain {
            crate::KeyDomain::Open
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
}

// The README's examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
