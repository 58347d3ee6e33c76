//! Guarded writes: a write of an entity with unique values reads the stored item, then writes
//! the entity and moves its values' guards in one transaction, conditioned on what was read.

use super::read::get::read_item;
use super::tx::{self, OnFailure, TxFailure, TxOp};
use super::unique;
use super::write::outcome::{
    condition_failure, diagnose, own_item, put_input, write_error, PutMode,
};
use crate::error::{Error, Result};
use crate::expr::render::Expressions;
use crate::item::{Item, Key};
use crate::model::entity::Entity;
use crate::runtime::execute::About;
use crate::runtime::table::Table;

/// The stored item under the `E` key `key`, read consistently (the base of a
/// read-modify-write).
pub(crate) async fn read_current<E: Entity>(table: &Table, key: &Key) -> Result<Option<Item>> {
    read_item(table, E::ENTITY_TYPE, key, true).await
}

/// A write of an entity with unique fields: the entity and the moves of its guards, in one
/// transaction, based on the stored item read first.
pub(crate) struct GuardedWrite {
    pub key: Key,
    pub mode: PutMode,
    pub expected_version: Option<u64>,
}

impl GuardedWrite {
    pub(crate) async fn put<E: Entity>(
        self,
        table: &Table,
        item: Item,
        mut expressions: Expressions,
        stored: E,
    ) -> std::result::Result<E, PutFailure> {
        let (old_item, old) = match self.mode {
            // A create has nothing to move: the item must not exist.
            PutMode::Create => (None, None),
            _ => {
                let read = read_current::<E>(table, &self.key).await?;
                let live = own_item::<E>(&self.key, read.clone(), table.write_now())?;
                if live.is_none() && self.mode == PutMode::Replace {
                    return Err(Error::NotFound {
                        entity: E::ENTITY_TYPE,
                        key: self.key,
                    }
                    .into());
                }
                // The values read must still be stored when the transaction runs; only a live
                // item's guards are moved (an expired item's guards have expired with it).
                unique::require_unchanged::<E>(&mut expressions, read.as_ref());
                let old = live.clone().map(E::from_item).transpose()?;
                (live, old)
            }
        };
        let moves = unique::guard_moves(table, &self.key, old.as_ref(), Some(&stored))?;
        if moves.is_empty() {
            // No guard to move: a plain conditional put (the unique values are guarded as
            // unchanged), at half a transaction's capacity.
            self.put_item::<E>(table, item, expressions).await?;
            return Ok(stored);
        }
        let mut ops = vec![TxOp {
            item: tx::put(table, item, &expressions)?,
            on_condition_failure: OnFailure::Entity,
        }];
        ops.extend(moves);
        self.finish::<E>(table, ops, old_item).await?;
        Ok(stored)
    }

    /// Sends the entity's item as one conditional PutItem.
    pub(crate) async fn put_item<E: Entity>(
        self,
        table: &Table,
        item: Item,
        expressions: Expressions,
    ) -> std::result::Result<(), PutFailure> {
        let request = put_input(table, item, &expressions);
        match table.execute(About::entity(E::ENTITY_TYPE), request).await {
            Ok(_) => Ok(()),
            Err(failed) => {
                let old = condition_failure(&failed).flatten().cloned();
                let error = write_error(
                    failed,
                    &E::SCHEMA,
                    self.key,
                    self.mode,
                    self.expected_version,
                    table.write_now(),
                );
                Err(PutFailure { error, old })
            }
        }
    }

    pub(crate) async fn delete<E: Entity>(
        self,
        table: &Table,
        mut expressions: Expressions,
    ) -> std::result::Result<Option<E>, PutFailure> {
        let read = read_current::<E>(table, &self.key).await?;
        let Some(old_item) = own_item::<E>(&self.key, read, table.write_now())? else {
            // Nothing live stored: as a single delete would, fail only if the item had to exist.
            return match (self.mode, self.expected_version) {
                (PutMode::Replace, _) | (_, Some(1..)) => Err(Error::NotFound {
                    entity: E::ENTITY_TYPE,
                    key: self.key,
                }
                .into()),
                _ => Ok(None),
            };
        };
        let old = E::from_item(old_item.clone())?;
        unique::require_unchanged::<E>(&mut expressions, Some(&old_item));
        let mut ops = vec![TxOp {
            item: tx::delete(table, table.schema.key_item(&self.key), &expressions)?,
            on_condition_failure: OnFailure::Entity,
        }];
        ops.extend(unique::guard_moves::<E>(
            table,
            &self.key,
            Some(&old),
            None,
        )?);
        self.finish::<E>(table, ops, Some(old_item)).await?;
        Ok(Some(old))
    }

    /// Sends the transaction and says why it failed, as a single write would.
    pub(crate) async fn finish<E: Entity>(
        self,
        table: &Table,
        ops: Vec<TxOp>,
        read: Option<Item>,
    ) -> std::result::Result<(), PutFailure> {
        let entity = E::ENTITY_TYPE;
        match tx::transact(table, ops).await {
            Ok(()) => Ok(()),
            Err(TxFailure::Other(error)) => Err(error.into()),
            Err(TxFailure::Condition { on_failure, old }) => Err(match on_failure {
                OnFailure::Entity => {
                    let old = old.or(read);
                    let error = diagnose(
                        &E::SCHEMA,
                        self.key,
                        self.mode,
                        self.expected_version,
                        old.as_ref(),
                        table.write_now(),
                    );
                    PutFailure { error, old }
                }
                OnFailure::Taken { field, value } => Error::UniqueViolation {
                    entity,
                    field,
                    value,
                }
                .into(),
                OnFailure::Moved => Error::ConditionFailed {
                    entity,
                    key: self.key,
                }
                .into(),
            }),
        }
    }
}

/// A failed put, with the item that was in the way when the condition failed.
pub(crate) struct PutFailure {
    pub error: Error,
    pub old: Option<Item>,
}

impl From<Error> for PutFailure {
    fn from(error: Error) -> Self {
        PutFailure { error, old: None }
    }
}
