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
//! ## Where things are
//!
//! [`prelude`] has what most programs import. The root holds the model (entities, keys,
//! templates, layouts, schemas), [`Table`] and its options, and [`Error`]; [`condition`] the
//! typed field handles and conditions; [`request`] the builders that [`Table`]'s methods return;
//! [`key`], [`format`](mod@format), [`layout`] and [`multikey`] the details of keys; [`design`] the design
//! review. Inside, the crate is built in layers, each using only those before it: the
//! foundation (errors, items), value codecs, the model, the expression model (one renderer for
//! every expression a request carries), the runtime (the table handle and the one executor every
//! request goes through, with its observers), the operations, and the design review, an
//! observer of the executor.
//!
//! ## Feature flags
//!
//! `design` (on by default) adds [`design`]: the recorder and the report, lints, IAM policy and
//! infrastructure templates; a production binary can leave it out
//! (`default-features = false`). `uuid`, `chrono` and `time` add key and attribute support for
//! `uuid::Uuid`, `chrono::DateTime<Utc>` and `time::OffsetDateTime`. `lambda-events` adds
//! [`stream`]: DynamoDB Streams records as Lambda receives them, decoded into entities.

#![warn(missing_docs)]

// Generated code names `::dynamo_entity`, which must resolve inside this crate's own tests too.
extern crate self as dynamo_entity;

// The layers, each depending only on those above it in this list (`scripts/check-layers`
// keeps it so): the foundation (`error`, `key`), value encodings, the model of tables and
// entities, typed expressions, the runtime (the table handle and the one executor every request
// takes), the operations, and the design review.
mod error;
mod item;

mod codec;
mod model;

mod expr;

mod runtime;

mod ops;

#[cfg(feature = "design")]
pub mod design;

// The model: entities, their keys and templates, table layouts and schemas.
#[doc(inline)]
pub use codec::format;
#[doc(inline)]
pub use codec::format::{KeyFormat, TimeBucket, TimeForm};
#[doc(inline)]
pub use codec::key_value as key;
#[doc(inline)]
pub use codec::key_value::{KeyArg, KeyDomain, KeyValue, RawKey};
pub use codec::limits::{item_size, MAX_ITEM_BYTES};
pub use dynamo_entity_derive::{Collection, Entity, KeyValue, Projection, TableLayout};
pub use item::{Item, Key, PK_ATTRIBUTE, SK_ATTRIBUTE, TYPE_ATTRIBUTE};
pub use model::collection::{Collection, Member};
pub use model::entity::{AttributeSchema, Entity, EntitySchema, KeySchema};
pub use model::index::Index;
#[doc(inline)]
pub use model::layout;
#[doc(inline)]
pub use model::layout::{DefaultLayout, IndexLayout, IndexProjection, Layout, TableLayout};
pub use model::projection::Projection;
pub use model::schema::{IndexSchema, TableSchema};
pub use model::template::{Segment, Template};

// Reading and writing: the table handle, what a read selects and a write requires.
pub use expr::key_condition::SortKeyCondition;
pub use expr::query::Query;
pub use expr::typed::Condition;
pub use ops::read::query::Page;
pub use ops::transaction::MAX_TRANSACTION_OPERATIONS;
pub use ops::write::put::Created;
pub use runtime::clock::Clock;
pub use runtime::cost::Cost;
pub use runtime::cursor::{Cursor, CursorKey};
pub use runtime::table::{Table, Timeouts};

// What can go wrong.
pub use error::{
    CancelledOperation, Error, InvalidRequestKind, KeyValueError, RequestError, Result,
    SchemaErrorKind,
};

pub use aws_sdk_dynamodb;

/// What most code that uses dynamo-entity names: `use dynamo_entity::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Collection, Condition, Cursor, Entity, Error, Key, KeyValue, Projection, Query, Result,
        SortKeyCondition, Table, TableLayout, TableSchema,
    };
}

/// Typed conditions on an entity's fields, and the field handles they are built from
/// (`Pet::fields()`).
pub mod condition {
    pub use crate::expr::condition::AttributeType;
    pub use crate::expr::field::{kind, Entry, Field, MapField};
    pub use crate::expr::typed::{Condition, Containable, Size};
}

pub mod attribute {
    #![doc = include_str!("doc/attribute.md")]
    pub use crate::codec::scalar::describe;
    pub use crate::codec::serde::{from_attribute_value, to_attribute_value, SerdeError};
}

pub mod multikey {
    #![doc = include_str!("doc/multikey.md")]
    pub use crate::expr::key_condition::KeyPart;
    pub use crate::model::multikey::{
        AttributeArg, KeyAttribute, KeyAttributeType, KeyField, MultiKeySchema,
    };
}

/// The request builders that [`Table`]'s methods return, and what they answer: each is
/// configured by its methods, then awaited (or sent, or read page by page).
pub mod request {
    pub use crate::ops::batch::{
        BatchGet, BatchGetOutput, BatchWrite, BatchWriteOutput, PendingWrite, ProjectedBatchGet,
    };
    pub use crate::ops::collection::{CollectionPage, CollectionRequest, GetCollection};
    pub use crate::ops::projection::{GetProjection, ProjectedQuery};
    pub use crate::ops::read::get::Get;
    pub use crate::ops::read::query::QueryRequest;
    pub use crate::ops::scan::MigrationScan;
    pub use crate::ops::transaction::{ReadResults, ReadTransaction, Slot, WriteTransaction};
    pub use crate::ops::update::{Numeric, SetValued, Update};
    pub use crate::ops::write::delete::Delete;
    pub use crate::ops::write::put::{CreateIfAbsent, Put};
}

#[cfg(feature = "lambda-events")]
#[doc(inline)]
pub use ops::stream;

/// What generated code uses. Not part of the API: it may change in any release.
/// Imported by generated code with a glob (`use ::dynamo_entity::__alias::*;`), so that it can
/// name [`__private`] as `__dynamo`, and several entities in one module import it without a
/// conflict.
#[doc(hidden)]
pub mod __alias {
    pub use crate::__private as __dynamo;
}

#[doc(hidden)]
pub mod __private;

// The README's examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
