//! What writes share: how a put is conditioned, the framework's conditions on what a write may
//! find under its key, and what a failed condition means (diagnosed from the item DynamoDB
//! returned with the failure, as a single write or a transaction's operation would say it).

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemInputBuilder;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::builders::PutItemInputBuilder;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::codec::ttl::is_expired;
use crate::error::{Error, Result};
use crate::expr::condition::Occupant;
use crate::expr::render::{conditioned, Expressions};
use crate::item::{Item, Key};
use crate::model::entity::{Entity, EntitySchema};
use crate::runtime::execute::Failed;
use crate::runtime::table::Table;

/// How a put is conditioned.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PutMode {
    /// Insert or overwrite (still subject to the version check).
    Upsert,
    /// The key must be free.
    Create,
    /// The key must hold an item.
    Replace,
}

/// The version stored in an item (0 when there is none).
pub(crate) fn stored_version(item: &Item, attribute: &str) -> Option<u64> {
    match item.get(attribute) {
        Some(AttributeValue::N(n)) => n.parse().ok(),
        _ => None,
    }
}

pub(crate) fn number(n: u64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

/// Why a conditional write failed, from the old item DynamoDB returned with the failure (one
/// whose TTL has passed counts as none, as the write's conditions count it).
pub(crate) fn diagnose(
    schema: &EntitySchema,
    key: Key,
    mode: PutMode,
    expected_version: Option<u64>,
    old: Option<&Item>,
    now: i64,
) -> Error {
    let entity = schema.entity_type;
    let old = old.filter(|item| !item.is_empty() && !is_expired(item, schema.ttl, now));
    if let Some(found) = old.and_then(|item| other_entity(schema, item)) {
        return Error::WrongEntity { entity, key, found };
    }
    match (mode, old) {
        (PutMode::Create, Some(_)) => Error::AlreadyExists { entity, key },
        (PutMode::Replace, None) => Error::NotFound { entity, key },
        (_, old) => match (expected_version, schema.version) {
            (Some(expected), Some(attribute)) => {
                let found = old.and_then(|item| stored_version(item, attribute));
                if found == Some(expected) {
                    Error::ConditionFailed { entity, key }
                } else if expected > 0 && old.is_none() {
                    Error::NotFound { entity, key }
                } else {
                    Error::VersionConflict {
                        entity,
                        key,
                        expected,
                        found,
                    }
                }
            }
            _ => Error::ConditionFailed { entity, key },
        },
    }
}

/// The entity type of a stored item that is not `schema`'s (`Some(None)`: it has none).
fn other_entity(schema: &EntitySchema, item: &Item) -> Option<Option<String>> {
    if schema.type_attribute.is_empty() {
        // A table without an entity-type attribute holds this entity alone.
        return None;
    }
    match item.get(schema.type_attribute) {
        Some(AttributeValue::S(found)) if found == schema.entity_type => None,
        Some(AttributeValue::S(found)) => Some(Some(found.clone())),
        _ => Some(None),
    }
}

/// The live item of entity `E` read from under `key`: `None` when there is none or it has
/// expired; [`Error::WrongEntity`] when it belongs to another entity.
pub(crate) fn own_item<E: Entity>(key: &Key, item: Option<Item>, now: i64) -> Result<Option<Item>> {
    match item {
        Some(item) if item.is_empty() || is_expired(&item, E::SCHEMA.ttl, now) => Ok(None),
        Some(item) => match other_entity(&E::SCHEMA, &item) {
            Some(found) => Err(Error::WrongEntity {
                entity: E::ENTITY_TYPE,
                key: key.clone(),
                found,
            }),
            None => Ok(Some(item)),
        },
        None => Ok(None),
    }
}

/// The conditional `PutItem` of `item`.
pub(crate) fn put_input(
    table: &Table,
    item: Item,
    expressions: &Expressions,
) -> PutItemInputBuilder {
    let request = PutItemInputBuilder::default()
        .table_name(&*table.name)
        .set_item(Some(item));
    conditioned!(request, expressions.render())
}

/// The conditional `DeleteItem` of `key`.
pub(crate) fn delete_input(
    table: &Table,
    key: &Key,
    expressions: &Expressions,
) -> DeleteItemInputBuilder {
    let request = DeleteItemInputBuilder::default()
        .table_name(&*table.name)
        .set_key(Some(table.schema.key_item(key)));
    conditioned!(request, expressions.render())
}

/// What a write of `E` may find under its key, as its conditions see it. Only an entity with a
/// TTL field has conditions on the time (its items are the ones that expire), so that a
/// transaction of others sent again with its client request token is the same request.
pub(crate) fn occupant<E: Entity>(table: &Table) -> Occupant<'_> {
    Occupant {
        pk: &table.schema.partition_key,
        type_attribute: E::SCHEMA.type_attribute,
        entity: E::ENTITY_TYPE,
        ttl: E::SCHEMA.ttl,
        now: table.write_now(),
    }
}

/// The error of a failed write: the reason a condition failed, diagnosed from the old item
/// DynamoDB returned with the failure, or the request's own error.
pub(crate) fn write_error<Err>(
    failed: Failed<Err>,
    schema: &EntitySchema,
    key: Key,
    mode: PutMode,
    expected_version: Option<u64>,
    now: i64,
) -> Error
where
    Err: ConditionFailure + std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    match condition_failure(&failed) {
        Some(old) => diagnose(schema, key, mode, expected_version, old, now),
        None => failed.into(),
    }
}

/// The old item of a failed condition check, if that is how the request failed.
pub(crate) fn condition_failure<E: ConditionFailure>(failed: &Failed<E>) -> Option<Option<&Item>> {
    failed.service_error().and_then(ConditionFailure::old_item)
}

pub(crate) trait ConditionFailure {
    /// `Some(old item)` when the request failed its condition check.
    fn old_item(&self) -> Option<Option<&Item>>;
}

macro_rules! condition_failure {
    ($($error:ty),*) => {$(
        impl ConditionFailure for $error {
            fn old_item(&self) -> Option<Option<&Item>> {
                match self {
                    Self::ConditionalCheckFailedException(e) => Some(e.item()),
                    _ => None,
                }
            }
        }
    )*};
}
condition_failure!(PutItemError, DeleteItemError, UpdateItemError);
