//! Unique values (`#[dynamo(unique)]`): each value owns a guard item, written, moved and deleted
//! in the same transaction as its entity (seed 003's CustomerEmail pattern).

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete as TxDelete, Put as TxPut, TransactWriteItem, Update as TxUpdate,
};

use crate::cost::Capacity;
use crate::expression::{conditioned, Expressions};
use crate::{Entity, Error, Item, Key, Result, Table};

/// The entity-type attribute's value on guard items.
pub(crate) const GUARD_TYPE: &str = "UniqueValue";
const OWNER_PK: &str = "owner_pk";
const OWNER_SK: &str = "owner_sk";

/// The key of the guard for `value` of `entity.field`. `value` is key text (never holds `#`),
/// so guards of different fields or entities never collide.
fn guard_key(table: &Table, entity: &str, field: &str, value: &str) -> Item {
    table
        .schema
        .key_item(&guard_key_of(table, entity, field, value))
}

/// The key templates of guard items, for the table schema's collision check.
pub(crate) const GUARD_PK_TEMPLATE: &str = "UNIQUE#<entity>#<field>#<value>";
pub(crate) const GUARD_SK: &str = "UNIQUE";

/// The key of that guard, as a `Key`.
pub(crate) fn guard_key_of(table: &Table, entity: &str, field: &str, value: &str) -> Key {
    Key {
        pk: format!("UNIQUE#{entity}#{field}#{value}"),
        sk: table.schema.sort_key.as_ref().map(|_| GUARD_SK.to_owned()),
    }
}

/// One operation of a write transaction, with what to say if its condition fails.
pub(crate) struct TxOp {
    pub item: TransactWriteItem,
    pub on_condition_failure: OnFailure,
}

/// What a failed condition of an operation means.
pub(crate) enum OnFailure {
    /// The entity's own write: diagnosed from the old item, as a single write would be.
    Entity,
    /// A guard for a new value exists: the value belongs to another item.
    Taken { field: &'static str, value: String },
    /// A guard to release belongs to another item: the stored value changed under us.
    Moved,
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> Error {
    Error::InvalidRequest(e.to_string())
}

/// A conditional put in a transaction.
pub(crate) fn put(table: &Table, item: Item, exprs: Expressions) -> Result<TransactWriteItem> {
    let put = TxPut::builder()
        .table_name(&table.name)
        .set_item(Some(item));
    let put = conditioned!(put, exprs).build().map_err(build_error)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// A conditional delete in a transaction.
pub(crate) fn delete(table: &Table, key: Item, exprs: Expressions) -> Result<TransactWriteItem> {
    let delete = TxDelete::builder()
        .table_name(&table.name)
        .set_key(Some(key));
    let delete = conditioned!(delete, exprs).build().map_err(build_error)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// A conditional update in a transaction.
pub(crate) fn update(
    table: &Table,
    key: Item,
    expression: String,
    exprs: Expressions,
) -> Result<TransactWriteItem> {
    let update = TxUpdate::builder()
        .table_name(&table.name)
        .set_key(Some(key))
        .update_expression(expression);
    let update = conditioned!(update, exprs).build().map_err(build_error)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// The TTL attribute's value of an entity that has one: its guards expire with it.
fn expiry_of<E: Entity>(entity: Option<&E>) -> Result<Option<(&'static str, AttributeValue)>> {
    let (Some(attribute), Some(entity)) = (E::SCHEMA.ttl, entity) else {
        return Ok(None);
    };
    Ok(entity.to_item()?.remove(attribute).map(|v| (attribute, v)))
}

/// The guard operations that take a stored entity's unique values (`old`) to a new entity's
/// (`new`): release the values that go, claim the values that come, and give the values that
/// stay the new entity's expiry if it changed. A guard carries its owner's TTL, so that it
/// expires with its owner; a guard whose TTL has passed is free to claim.
pub(crate) fn guard_moves<E: Entity>(
    table: &Table,
    owner: &Key,
    old: Option<&E>,
    new: Option<&E>,
) -> Result<Vec<TxOp>> {
    let old_values = old.map(E::unique_values).transpose()?.unwrap_or_default();
    let new_values = new.map(E::unique_values).transpose()?.unwrap_or_default();
    let new_expiry = expiry_of(new)?;
    let expiry_changed = new.is_some() && expiry_of(old)? != new_expiry;
    let entity = E::ENTITY_TYPE;
    let occupant = table.occupant::<E>();
    let owned_by_us = |exprs: &mut Expressions| {
        let owner_pk = exprs.name(OWNER_PK);
        let ours = exprs.value(AttributeValue::S(owner.pk.clone()));
        exprs.require(format!("{owner_pk} = {ours}"));
    };
    let mut ops = Vec::new();
    for (field, value) in &old_values {
        let kept = new_values.contains(&(field, value.clone()));
        if kept && !expiry_changed {
            continue;
        }
        let mut exprs = Expressions::default();
        owned_by_us(&mut exprs);
        let key = guard_key(table, entity, field, value);
        let item = if !kept {
            delete(table, key, exprs)?
        } else {
            let expression = match &new_expiry {
                Some((attribute, value)) => {
                    format!(
                        "SET {} = {}",
                        exprs.name(attribute),
                        exprs.value(value.clone())
                    )
                }
                None => format!("REMOVE {}", exprs.name(E::SCHEMA.ttl.unwrap_or_default())),
            };
            update(table, key, expression, exprs)?
        };
        ops.push(TxOp {
            item,
            on_condition_failure: OnFailure::Moved,
        });
    }
    for (field, value) in new_values {
        if old_values.contains(&(field, value.clone())) {
            continue;
        }
        let mut item = guard_key(table, entity, field, &value);
        if !table.schema.type_attribute.is_empty() {
            item.insert(
                table.schema.type_attribute.clone(),
                AttributeValue::S(GUARD_TYPE.to_owned()),
            );
        }
        item.insert(OWNER_PK.to_owned(), AttributeValue::S(owner.pk.clone()));
        if let Some(sk) = &owner.sk {
            item.insert(OWNER_SK.to_owned(), AttributeValue::S(sk.clone()));
        }
        if let Some((attribute, value)) = &new_expiry {
            item.insert((*attribute).to_owned(), value.clone());
        }
        let mut exprs = Expressions::default();
        exprs.require_absent(&occupant);
        ops.push(TxOp {
            item: put(table, item, exprs)?,
            on_condition_failure: OnFailure::Taken { field, value },
        });
    }
    Ok(ops)
}

/// Conditions that the stored unique attributes still hold the values read (`old`), so that a
/// concurrent change cannot slip between the read and the transaction.
pub(crate) fn require_unchanged<E: Entity>(exprs: &mut Expressions, old: Option<&Item>) {
    for attribute in E::SCHEMA.attributes.iter().filter(|a| a.unique) {
        let name = exprs.name(attribute.attribute);
        let condition = match old.and_then(|item| item.get(attribute.attribute)) {
            Some(value) => format!("{name} = {}", exprs.value(value.clone())),
            None => format!("attribute_not_exists({name})"),
        };
        exprs.require(condition);
    }
}

/// Whether the entity type has unique fields.
pub(crate) fn has_unique<E: Entity>() -> bool {
    E::SCHEMA.attributes.iter().any(|a| a.unique)
}

/// The stored item under the `E` key `key`, read consistently (the base of a
/// read-modify-write).
pub(crate) async fn read_current<E: Entity>(table: &Table, key: &Key) -> Result<Option<Item>> {
    crate::read::read_item(table, E::ENTITY_TYPE, key, true).await
}

/// True when a transaction was cancelled and every reason is a conflict with another
/// transaction (or no reason).
fn only_conflicts<O, R>(
    result: &std::result::Result<
        O,
        aws_sdk_dynamodb::error::SdkError<
            aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
            R,
        >,
    >,
) -> bool {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    let Err(error) = result else { return false };
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        error.as_service_error()
    else {
        return false;
    };
    let reasons = cancelled.cancellation_reasons();
    reasons
        .iter()
        .any(|r| r.code() == Some("TransactionConflict"))
        && reasons
            .iter()
            .all(|r| matches!(r.code(), Some("TransactionConflict" | "None") | None))
}

/// A failed transaction: the first operation whose condition failed, with the item it found,
/// or the request's own error.
pub(crate) enum TxFailure {
    Condition {
        on_failure: OnFailure,
        old: Option<Item>,
    },
    Other(Error),
}

/// How often a transaction cancelled only by conflicts with other transactions is sent.
const CONFLICT_ATTEMPTS: u32 = 4;

/// One operation's reason in a cancelled transaction (`code` is `None` for operations that
/// were fine), with the item its failed condition found.
pub(crate) struct Reason {
    pub code: Option<String>,
    pub message: Option<String>,
    pub old: Option<Item>,
}

/// How a transaction failed: cancelled, with one reason per operation in order, or not sent.
pub(crate) enum Cancelled {
    Reasons(Vec<Reason>),
    Other(Error),
}

/// Sends a write transaction. One cancelled only because another transaction held one of its
/// items (`TransactionConflict`) is sent again after a short jittered pause (with a new token,
/// unless the caller chose one), so that two claims of one unique value end with one winner.
pub(crate) async fn send_transaction(
    table: &Table,
    items: Vec<TransactWriteItem>,
    token: Option<&str>,
) -> std::result::Result<(), Cancelled> {
    let mut attempt = 0;
    let result = loop {
        attempt += 1;
        let span = table.span("TransactWriteItems", None, None);
        let request = table
            .client
            .transact_write_items()
            .set_transact_items(Some(items.clone()))
            .set_client_request_token(token.map(str::to_owned))
            .set_return_consumed_capacity(table.consumed_capacity())
            .send();
        let result = table.sent(Capacity::Write, &span, request).await;
        table.record("TransactWriteItems", &result, |event, _| {
            event.targets = crate::design::transaction_targets(table, &items);
        });
        if attempt < CONFLICT_ATTEMPTS && only_conflicts(&result) {
            tokio::time::sleep(crate::clock::jittered_backoff(attempt)).await;
            continue;
        }
        break result;
    };
    let error = match result {
        Ok(_) => return Ok(()),
        Err(error) => error,
    };
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        error.as_service_error()
    {
        let reasons = cancelled
            .cancellation_reasons()
            .iter()
            .map(|r| Reason {
                code: r.code().filter(|c| *c != "None").map(str::to_owned),
                message: r.message().map(str::to_owned),
                old: r.item().cloned(),
            })
            .collect();
        return Err(Cancelled::Reasons(reasons));
    }
    Err(Cancelled::Other(crate::request_error(
        "TransactWriteItems",
        error,
    )))
}

/// Sends the operations of one entity write and its guards; a failure is the first operation
/// whose condition failed.
pub(crate) async fn transact(table: &Table, ops: Vec<TxOp>) -> std::result::Result<(), TxFailure> {
    let (items, meanings): (Vec<_>, Vec<_>) = ops
        .into_iter()
        .map(|op| (op.item, op.on_condition_failure))
        .unzip();
    match send_transaction(table, items, None).await {
        Ok(()) => Ok(()),
        Err(Cancelled::Other(error)) => Err(TxFailure::Other(error)),
        Err(Cancelled::Reasons(reasons)) => {
            let failed = reasons
                .into_iter()
                .zip(meanings)
                .find(|(r, _)| r.code.as_deref() == Some("ConditionalCheckFailed"));
            match failed {
                Some((reason, on_failure)) => Err(TxFailure::Condition {
                    on_failure,
                    old: reason.old,
                }),
                None => Err(TxFailure::Other(Error::InvalidRequest(
                    "the transaction was cancelled without a failed condition".to_owned(),
                ))),
            }
        }
    }
}
