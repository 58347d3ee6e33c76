//! The one error type of the crate.

use std::borrow::Cow;

/// Why a value cannot be written into a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyValueError {
    /// The value is empty; an empty segment would make keys ambiguous and is almost always a bug.
    #[error("the value is empty")]
    Empty,
    /// The value holds the key delimiter `#`, which would let two different values give the
    /// same key.
    #[error("the value contains the key delimiter `#`")]
    ContainsDelimiter,
    /// Any other reason, from a [`KeyValue`](crate::KeyValue) implementation.
    #[error("{0}")]
    Invalid(Cow<'static, str>),
}

/// Everything that can go wrong in dynamo-entity.
///
/// Each variant names the entity and, where there is one, the field or attribute concerned, so
/// that the message alone says what to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field's value cannot be written into a key template.
    #[error("invalid key value for {entity}.{field} in `{template}`: {reason}")]
    InvalidKey {
        /// The entity type.
        entity: &'static str,
        /// The field named by the placeholder.
        field: &'static str,
        /// The key template being built.
        template: &'static str,
        /// What is wrong with the value.
        reason: KeyValueError,
    },

    /// An item read from DynamoDB does not fit the entity: an attribute is missing, has the
    /// wrong type, or holds a value out of range for the field.
    #[error("cannot decode {entity}: attribute `{attribute}` should be {expected}, found {found}")]
    Decode {
        /// The entity type.
        entity: &'static str,
        /// The attribute's name in the item.
        attribute: Cow<'static, str>,
        /// What the field needs (for example `a number (N) that fits i32`).
        expected: Cow<'static, str>,
        /// What the item holds (for example `N "3000000000"`, or `nothing`).
        found: String,
    },

    /// The item's entity-type attribute names another entity, or is missing.
    #[error(
        "cannot decode {expected}: the item's entity type (attribute `{attribute}`) is {}",
        found.as_deref().map_or_else(|| "missing".to_owned(), |f| format!("`{f}`"))
    )]
    EntityTypeMismatch {
        /// The entity the item was read as.
        expected: &'static str,
        /// The entity-type attribute's name.
        attribute: &'static str,
        /// The entity type the item holds, if it holds one as a string.
        found: Option<String>,
    },

    /// `create` found an item with the same key: nothing was written.
    #[error("{entity} {key} already exists")]
    AlreadyExists {
        /// The entity type.
        entity: &'static str,
        /// The item's primary key.
        key: crate::Key,
    },

    /// The item had to exist (`replace`, `delete` with `must_exist`) and does not.
    #[error("{entity} {key} does not exist")]
    NotFound {
        /// The entity type.
        entity: &'static str,
        /// The item's primary key.
        key: crate::Key,
    },

    /// The item changed since it was read (optimistic locking): nothing was written. Read it
    /// again and retry.
    #[error(
        "{entity} {key} was changed by someone else: expected version {expected}, found {}",
        found.map_or_else(|| "none".to_owned(), |v| v.to_string())
    )]
    VersionConflict {
        /// The entity type.
        entity: &'static str,
        /// The item's primary key.
        key: crate::Key,
        /// The version this write was based on (0: never stored).
        expected: u64,
        /// The version stored, if any.
        found: Option<u64>,
    },

    /// A `#[dynamo(unique)]` value is already used by another item: nothing was written.
    #[error("{entity}.{field} `{value}` is already used by another item; nothing was written")]
    UniqueViolation {
        /// The entity type.
        entity: &'static str,
        /// The unique field.
        field: &'static str,
        /// The value, as key text.
        value: String,
    },

    /// The key of a write holds an item of another entity type (or one without an entity
    /// type): nothing was written, and that item is as it was.
    #[error(
        "{key} holds {}, not a {entity}; nothing was written",
        found.as_deref().map_or_else(|| "an item without an entity type".to_owned(), |f| format!("a {f}"))
    )]
    WrongEntity {
        /// The entity type of the write.
        entity: &'static str,
        /// The item's primary key.
        key: crate::Key,
        /// The entity type of the item stored there, if it has one.
        found: Option<String>,
    },

    /// A condition of the write did not hold: nothing was written.
    #[error("the condition on {entity} {key} did not hold; nothing was written")]
    ConditionFailed {
        /// The entity type.
        entity: &'static str,
        /// The item's primary key.
        key: crate::Key,
    },

    /// A transaction was cancelled: nothing was written. Each failed operation is listed with
    /// its position, entity, key and reason.
    #[error(
        "the transaction was cancelled and wrote nothing: {}",
        operations.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    TransactionCancelled {
        /// The operations that failed (those that would have succeeded are left out).
        operations: Vec<crate::CancelledOperation>,
    },

    /// A batch stopped before it had sent everything: its deadline passed, or DynamoDB could
    /// not be reached. What was not done is returned beside this error, never dropped.
    #[error("{operation} stopped: {reason}; what was not done is returned as unprocessed")]
    Stopped {
        /// The DynamoDB operation (`BatchWriteItem`, `BatchGetItem`).
        operation: &'static str,
        /// Why it stopped.
        reason: String,
    },

    /// A value DynamoDB would refuse, found before sending (an item over 400 KB, a number out
    /// of DynamoDB's range or precision, an empty map key): nothing was sent.
    #[error(
        "{entity}{} cannot be stored: {problem}; nothing was sent",
        if attribute.is_empty() { String::new() } else { format!(" `{attribute}`") }
    )]
    Unstorable {
        /// The entity type.
        entity: &'static str,
        /// The attribute, as a path into nested values (`addresses.home.zip`, `scores[2]`);
        /// empty when the problem is the whole item's.
        attribute: String,
        /// What DynamoDB would refuse.
        problem: String,
    },

    /// A table definition that cannot hold the entities given to it.
    #[error("table schema: {0}")]
    Schema(String),

    /// A request that cannot be sent as built (for example, comparing with `None`, or changing
    /// one attribute twice in one update). Nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// A pagination cursor that this query did not produce, or that was altered.
    #[error("invalid cursor: {0}")]
    InvalidCursor(&'static str),

    /// The request to DynamoDB failed.
    #[error(transparent)]
    Request(#[from] RequestError),

    /// A field could not be converted to an attribute value (a serde error from a complex field).
    #[error("cannot encode {entity}.{field}: {message}")]
    Encode {
        /// The entity type.
        entity: &'static str,
        /// The field.
        field: &'static str,
        /// The serializer's message.
        message: String,
    },
}

/// A failed request, its operation named, the SDK's error kept as the source.
#[derive(Debug, thiserror::Error)]
#[error("DynamoDB {operation} failed: {message}")]
pub struct RequestError {
    /// The DynamoDB operation (`PutItem`, `Query`, ...).
    pub operation: &'static str,
    /// The SDK error with its whole chain of causes, as text.
    pub message: String,
    /// The SDK error.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// The result type of the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
