//! The one error type of the crate.

use std::borrow::Cow;

use crate::item::Key;

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
        key: Key,
    },

    /// The item had to exist (`replace`, `delete` with `must_exist`) and does not.
    #[error("{entity} {key} does not exist")]
    NotFound {
        /// The entity type.
        entity: &'static str,
        /// The item's primary key.
        key: Key,
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
        key: Key,
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
        key: Key,
        /// The entity type of the item stored there, if it has one.
        found: Option<String>,
    },

    /// A condition of the write did not hold: nothing was written.
    #[error("the condition on {entity} {key} did not hold; nothing was written")]
    ConditionFailed {
        /// The entity type.
        entity: &'static str,
        /// The item's primary key.
        key: Key,
    },

    /// A transaction was cancelled: nothing was written. Each failed operation is listed with
    /// its position, entity, key and reason.
    #[error(
        "the transaction was cancelled and wrote nothing: {}",
        operations.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    TransactionCancelled {
        /// The operations that failed (those that would have succeeded are left out).
        operations: Vec<CancelledOperation>,
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
    #[error("table schema: {message}")]
    Schema {
        /// Which rule the entities break.
        kind: SchemaErrorKind,
        /// What is wrong and how to fix it, naming the entities, templates and attributes.
        message: String,
    },

    /// A request that cannot be sent as built (for example, comparing with `None`, or changing
    /// one attribute twice in one update). Nothing was sent.
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What kind of mistake it is.
        kind: InvalidRequestKind,
        /// What is wrong and how to fix it, naming the entity, field and value.
        message: String,
    },

    /// A pagination cursor that this query did not produce, or that was altered.
    #[error("invalid cursor: {0}")]
    InvalidCursor(&'static str),

    /// The request to DynamoDB failed.
    #[error(transparent)]
    Request(#[from] RequestError),

    /// The write was applied, and then something failed: the item DynamoDB returned does not
    /// decode as the entity, or reading it back failed. Nothing is to be sent again; `source`
    /// says what went wrong after the write. [`Error::was_applied`] tells this case apart.
    #[error("{operation} of {entity} {key} was applied, but then: {source}")]
    Applied {
        /// The DynamoDB operation that was applied (`UpdateItem`, `DeleteItem`,
        /// `TransactWriteItems`).
        operation: &'static str,
        /// The entity type.
        entity: &'static str,
        /// The key of the item written.
        key: Key,
        /// What failed after the write.
        #[source]
        source: Box<Error>,
    },

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

/// The kinds of [`Error::InvalidRequest`]: what a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidRequestKind {
    /// A value or option the request cannot take: a page of no items, `None` compared with a
    /// value, a set with no element, a segment past the last, a table name DynamoDB refuses.
    Argument,
    /// Nothing to send: an empty transaction or batch, an update that changes nothing.
    Empty,
    /// More than DynamoDB takes: over 100 operations in a transaction, a key over its size
    /// limit.
    TooLarge,
    /// One item in a transaction or batch twice, or one attribute changed twice in an update.
    Duplicate,
    /// The write needs the item read first (to move unique values, or to derive an index key
    /// from values it does not set), or a condition a batch cannot carry (a version, the type
    /// of an item under a key another entity shares), so it cannot be part of a transaction,
    /// a batch or an upsert: send it on its own.
    NeedsRead,
    /// The index read does not hold what is asked for (a `KEYS_ONLY` index and a whole entity),
    /// the entity has no key in it, or the table has no such index.
    Index,
    /// The entity is not one of the table's schema, or the key is not one of its keys.
    NotInSchema,
    /// A version was given for an entity without a `#[dynamo(version)]` field.
    NoVersion,
}

/// The kinds of [`Error::Schema`]: which rule the entities of a table break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SchemaErrorKind {
    /// Two entities (or an entity and a unique value's guard) whose key templates can produce
    /// one same key.
    KeyCollision,
    /// Two different entities with one entity type.
    DuplicateEntityType,
    /// Entities that disagree on what the table is: its sort key, an index's sort key, the TTL
    /// attribute, a key attribute's type, the layout, the entity-type attribute.
    Conflict,
    /// An entity whose keys do not fit its declared layout, or that needs one.
    Layout,
    /// A table definition the SDK refuses to build.
    Definition,
}

impl Error {
    /// Whether the write this error comes from was applied ([`Error::Applied`]): a caller that
    /// retries failed writes must not retry this one.
    ///
    /// ```
    /// # use dynamo_entity::{Error, Key};
    /// let err = Error::NotFound { entity: "Pet", key: Key { pk: "USER#a".into(), sk: None } };
    /// assert!(!err.was_applied());
    /// ```
    pub fn was_applied(&self) -> bool {
        matches!(self, Error::Applied { .. })
    }

    /// What failed after `operation` of `entity` `key` was applied.
    pub(crate) fn applied(
        operation: &'static str,
        entity: &'static str,
        key: &Key,
        source: Error,
    ) -> Error {
        Error::Applied {
            operation,
            entity,
            key: key.clone(),
            source: Box::new(source),
        }
    }

    /// An [`Error::InvalidRequest`].
    pub(crate) fn invalid(kind: InvalidRequestKind, message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            kind,
            message: message.into(),
        }
    }

    /// An [`Error::Schema`].
    pub(crate) fn schema(kind: SchemaErrorKind, message: impl Into<String>) -> Self {
        Error::Schema {
            kind,
            message: message.into(),
        }
    }
}

/// An operation of a cancelled transaction, and why it failed.
#[derive(Debug)]
pub struct CancelledOperation {
    /// Its position in the transaction, from 0, in the order the operations were added.
    pub position: usize,
    /// The entity type.
    pub entity: &'static str,
    /// The item's key.
    pub key: Key,
    /// DynamoDB's cancellation reason code (`ConditionalCheckFailed`, `TransactionConflict`,
    /// `ValidationError`, ...).
    pub code: String,
    /// DynamoDB's message, if any.
    pub message: Option<String>,
    /// For a failed condition, what it means, as the single operation would have said it:
    /// `AlreadyExists`, `NotFound`, `VersionConflict`, `UniqueViolation` or `ConditionFailed`.
    pub error: Option<Box<Error>>,
}

impl std::fmt::Display for CancelledOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "operation {} ({} {}): ",
            self.position, self.entity, self.key
        )?;
        match (&self.error, &self.message) {
            (Some(error), _) => write!(f, "{error}"),
            (None, Some(message)) => write!(f, "{}: {message}", self.code),
            (None, None) => write!(f, "{}", self.code),
        }
    }
}

/// A failed request, its operation named, the SDK's error kept as the source.
#[derive(Debug, thiserror::Error)]
#[error("DynamoDB {operation} failed: {message}")]
pub struct RequestError {
    /// The DynamoDB operation (`PutItem`, `Query`, ...).
    pub operation: &'static str,
    /// DynamoDB's error code (`ProvisionedThroughputExceededException`,
    /// `ResourceNotFoundException`, ...) when the service answered with one.
    pub code: Option<String>,
    /// The request id DynamoDB gave the failed request, when it answered.
    pub request_id: Option<String>,
    /// The SDK error with its whole chain of causes, as text.
    pub message: String,
    /// The SDK error.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// The result type of the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
