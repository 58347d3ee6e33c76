//! The transactional-write engine: the operations of a `TransactWriteItems`, sent with retries
//! when another transaction held one of their items, and a cancellation mapped back to the
//! operation whose condition failed.

use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsInputBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete as TxDelete, Put as TxPut, TransactWriteItem, Update as TxUpdate,
};

use crate::error::{Error, InvalidRequestKind, Result};
use crate::expr::render::{conditioned, Expressions};
use crate::item::Item;
use crate::runtime::clock::jittered_backoff;
use crate::runtime::execute::{About, Failed};
use crate::runtime::table::Table;

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
    Error::invalid(InvalidRequestKind::Argument, e.to_string())
}

/// A conditional put in a transaction.
pub(crate) fn put(table: &Table, item: Item, exprs: &Expressions) -> Result<TransactWriteItem> {
    let put = TxPut::builder()
        .table_name(&*table.name)
        .set_item(Some(item));
    let put = conditioned!(put, exprs.render())
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// A conditional delete in a transaction.
pub(crate) fn delete(table: &Table, key: Item, exprs: &Expressions) -> Result<TransactWriteItem> {
    let delete = TxDelete::builder()
        .table_name(&*table.name)
        .set_key(Some(key));
    let delete = conditioned!(delete, exprs.render())
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// A conditional update in a transaction: `exprs`' update actions and conditions.
pub(crate) fn update(table: &Table, key: Item, exprs: &Expressions) -> Result<TransactWriteItem> {
    let rendered = exprs.render();
    let update = TxUpdate::builder()
        .table_name(&*table.name)
        .set_key(Some(key))
        .set_update_expression(rendered.update.clone());
    let update = conditioned!(update, rendered)
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// A condition check in a transaction.
pub(crate) fn check(table: &Table, key: Item, exprs: &Expressions) -> Result<TransactWriteItem> {
    let check = ConditionCheck::builder()
        .table_name(&*table.name)
        .set_key(Some(key));
    let check = conditioned!(check, exprs.render())
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().condition_check(check).build())
}

/// True when a transaction was cancelled and every reason is a conflict with another
/// transaction (or no reason).
fn only_conflicts<O>(result: &std::result::Result<O, Failed<TransactWriteItemsError>>) -> bool {
    let Err(failed) = result else { return false };
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        failed.service_error()
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
        let request = TransactWriteItemsInputBuilder::default()
            .set_transact_items(Some(items.clone()))
            .set_client_request_token(token.map(str::to_owned));
        let result = table.execute(About::many(), request).await;
        if attempt < CONFLICT_ATTEMPTS && only_conflicts(&result) {
            tokio::time::sleep(jittered_backoff(attempt)).await;
            continue;
        }
        break result;
    };
    let failed = match result {
        Ok(_) => return Ok(()),
        Err(failed) => failed,
    };
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        failed.service_error()
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
    Err(Cancelled::Other(failed.into()))
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
                None => Err(TxFailure::Other(Error::invalid(
                    InvalidRequestKind::Argument,
                    "the transaction was cancelled without a failed condition",
                ))),
            }
        }
    }
}
