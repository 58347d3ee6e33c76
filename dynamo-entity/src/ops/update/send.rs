//! Sending an update: one `UpdateItem` when its keys follow from its values, a read first when
//! they do not (or when it moves unique values, then in one transaction with their guards),
//! retried when what was read changed in between.

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemInputBuilder;
use aws_sdk_dynamodb::types::ReturnValue;

use super::builder::Update;
use super::plan::{affected_indexes, index_key_actions, touches_guards, AffectedIndex};
use crate::error::{Error, Result};
use crate::expr::condition::{Cond, Operand};
use crate::expr::render::{conditioned, Expressions};
use crate::expr::update::UpdateAction;
use crate::model::entity::Entity;
use crate::ops::guarded::{read_current, GuardedWrite};
use crate::ops::into_future;
use crate::ops::tx::{self, OnFailure, TxOp};
use crate::ops::unique;
use crate::ops::write::delete::delete_expired;
use crate::ops::write::outcome::{own_item, write_error, PutMode};
use crate::runtime::execute::About;

impl<E: Entity> Update<'_, E> {
    /// Sends the request.
    ///
    /// When a changed field is an input of a GSI key and the update sets every input of that
    /// key (the primary key's values come from the key updated), the key is derived from those
    /// values and written in the same request: nothing is read. When it sets only some, the
    /// item is read first (consistently), the GSI's key is derived again from the changed
    /// entity (or removed, for a sparse index whose input became `None`), and the write is
    /// conditioned on the old values of every input of that index, so that a concurrent change
    /// cannot leave a stale key. If such a change lands in between, the update is read and tried
    /// again (three times at most).
    ///
    /// An update that moves a unique value is a read and one transaction (entity and guards);
    /// the entity returned is built from the item read when every action is a set or a remove,
    /// and read back otherwise.
    pub async fn send(mut self) -> Result<E> {
        self.check()?;
        let schema = E::SCHEMA;
        let affected = affected_indexes(&schema, &self.actions);
        // Retrying is only sound when a failed condition can only be one of the framework's
        // guards on what was read (index inputs, unique values, the version).
        let reads_first = self.reads_first(&affected);
        let attempts = if !reads_first || self.condition.is_some() || self.version.is_some() {
            1
        } else {
            3
        };
        let mut attempt = 0;
        let mut expired_removed = false;
        loop {
            attempt += 1;
            match self.attempt(&affected).await {
                Err(Error::ConditionFailed { .. }) if attempt < attempts => continue,
                // An upsert fails only on an item of another type, or on one of its own whose
                // TTL has passed (read as absent, so `NotFound`): that one is deleted, if it
                // is still expired, and the upsert made again, once.
                Err(Error::NotFound { .. }) if self.initial.is_some() && !expired_removed => {
                    expired_removed = true;
                    delete_expired::<E>(self.table, &self.key).await?;
                }
                result => return result,
            }
        }
    }

    async fn attempt(&self, affected: &[AffectedIndex]) -> Result<E> {
        let table = self.table;
        let schema = E::SCHEMA;
        let now = self.now();
        if !self.reads_first(affected) {
            let exprs = self.expressions_without_read(affected, &now)?;
            return self.update_item(&exprs).await;
        }
        let mut exprs = Expressions::default();
        let mut derived = Vec::new();
        let touches_unique = touches_guards(&schema, &self.actions);
        let mut guard_ops = Vec::new();
        // The item as this update will store it, where that can be known from the item read.
        let mut after = None;
        let stored = read_current::<E>(table, &self.key).await?;
        let old = own_item::<E>(&self.key, stored, table.write_now())?.ok_or_else(|| {
            Error::NotFound {
                entity: schema.entity_type,
                key: self.key.clone(),
            }
        })?;
        let mut changed = self.applied(&old, affected)?;
        let entity = E::from_item(changed.clone())?;
        if touches_unique {
            let before = E::from_item(old.clone())?;
            unique::require_unchanged::<E>(&mut exprs, Some(&old));
            guard_ops = unique::guard_moves(table, &self.key, Some(&before), Some(&entity))?;
        }
        for index in affected {
            let key = entity.index_key(index.index)?;
            for action in index_key_actions(&schema, index.index, key)? {
                match &action {
                    UpdateAction::Set(path, Operand::Value(v)) => {
                        changed.insert(path.attribute.to_string(), v.clone());
                    }
                    UpdateAction::Remove(path) => {
                        changed.remove(&*path.attribute);
                    }
                    _ => {}
                }
                derived.push(action);
            }
            // The key was derived from these values: they must still be the stored ones.
            for input in &index.inputs {
                exprs.require(Cond::as_read(*input, old.get(*input)));
            }
        }
        if !guard_ops.is_empty() {
            after = self.stored_after(&mut exprs, &old, changed, &now);
        }
        let read = Some(old);

        self.expressions(&mut exprs, derived, &now)?;
        if !guard_ops.is_empty() {
            // A unique value moves: the update and the guards' moves in one transaction, which
            // returns no item: the result is built from the item read where that is exact, and
            // read back otherwise.
            let key_item = table.schema.key_item(&self.key);
            let mut ops = vec![TxOp {
                item: tx::update(table, key_item, &exprs)?,
                on_condition_failure: OnFailure::Entity,
            }];
            ops.extend(guard_ops);
            let write = GuardedWrite {
                key: self.key.clone(),
                mode: PutMode::Replace,
                expected_version: self.version,
            };
            write
                .finish::<E>(table, ops, read)
                .await
                .map_err(|f| f.error)?;
            // Applied: what fails from here is reported as such.
            let applied =
                |error| Error::applied("TransactWriteItems", E::ENTITY_TYPE, &self.key, error);
            if let Some(after) = after {
                return E::from_item(after).map_err(applied);
            }
            let stored = read_current::<E>(table, &self.key).await.map_err(applied)?;
            return stored
                .ok_or_else(|| Error::NotFound {
                    entity: schema.entity_type,
                    key: self.key.clone(),
                })
                .and_then(E::from_item)
                .map_err(applied);
        }
        self.update_item(&exprs).await
    }

    /// The expressions of an update that needs no read: every index it changes has its key
    /// follow from the values it sets, whatever is stored.
    pub(super) fn expressions_without_read(
        &self,
        affected: &[AffectedIndex],
        now: &str,
    ) -> Result<Expressions> {
        let mut exprs = Expressions::default();
        let mut derived = Vec::new();
        for index in affected {
            let key = self.derived_key(index.index).flatten();
            derived.extend(index_key_actions(&E::SCHEMA, index.index, key)?);
        }
        self.expressions(&mut exprs, derived, now)?;
        Ok(exprs)
    }

    /// The `UpdateItem` with `exprs`, returning the item as stored.
    pub(super) fn update_input(&self, exprs: &Expressions) -> UpdateItemInputBuilder {
        let rendered = exprs.render();
        let request = UpdateItemInputBuilder::default()
            .table_name(&*self.table.name)
            .set_key(Some(self.table.schema.key_item(&self.key)))
            .set_update_expression(rendered.update.clone())
            .return_values(ReturnValue::AllNew);
        conditioned!(request, rendered)
    }

    /// Sends the one `UpdateItem` with `exprs`: the entity as stored after it.
    async fn update_item(&self, exprs: &Expressions) -> Result<E> {
        let table = self.table;
        let request = self.update_input(exprs);
        match table.execute(About::entity(E::ENTITY_TYPE), request).await {
            Ok(output) => E::from_item(output.attributes.unwrap_or_default())
                .map_err(|error| Error::applied("UpdateItem", E::ENTITY_TYPE, &self.key, error)),
            Err(failed) => Err(write_error(
                failed,
                &E::SCHEMA,
                self.key.clone(),
                PutMode::Replace,
                self.version,
                table.write_now(),
            )),
        }
    }
}

into_future!(Update, E);
