//! Writes: create, put, replace and delete, each conditioned as its name promises, with
//! optimistic locking and managed timestamps applied to the item before it is sent.

use std::marker::PhantomData;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use crate::attribute::is_expired;
use crate::condition::Condition;
use crate::cost::Capacity;
use crate::expression::{conditioned, Expressions, Occupant};
use crate::unique;
use crate::{clock, Entity, EntitySchema, Error, Item, Key, Result, Table};

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

impl Table {
    /// Writes `entity` only if no item has its key; otherwise fails with
    /// [`Error::AlreadyExists`] (or [`Error::WrongEntity`] for another entity's item) and writes
    /// nothing.
    ///
    /// An item of `E` whose TTL has passed counts as absent here, as for every write: a create
    /// replaces it, while `update`, `replace` and `delete(..).must_exist()` answer
    /// [`Error::NotFound`], and a plain `delete` removes it and returns nothing.
    ///
    /// Sets the `version` field to 1 and `created_at`/`updated_at` to now. Await it to get the
    /// entity as stored.
    pub fn create<'t, E: Entity>(&'t self, entity: &'t E) -> Put<'t, E> {
        Put::new(self, entity, PutMode::Create)
    }

    /// Writes `entity` if no item has its key, and tells which happened: the idempotent write
    /// for deduplication (a webhook delivered twice is processed once).
    ///
    /// ```no_run
    /// # use dynamo_entity::{Created, Entity, Table};
    /// # #[derive(Entity)] #[pk = "EVENT#<id>"] #[sk = "EVENT"] struct Event { id: String }
    /// # async fn handle(table: &Table, event: Event) -> dynamo_entity::Result<()> {
    /// match table.create_if_absent(&event).await? {
    ///     Created::Created(_) => { /* first delivery: process it */ }
    ///     Created::Existed(_) => { /* a retry: already processed */ }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn create_if_absent<'t, E: Entity>(&'t self, entity: &'t E) -> CreateIfAbsent<'t, E> {
        CreateIfAbsent {
            put: Put::new(self, entity, PutMode::Create),
        }
    }

    /// Writes `entity`, replacing any item with its key.
    ///
    /// With a `version` field, the write is conditioned on the version `entity` holds (0: there
    /// must be no item yet) and stores the next one; a lost race is
    /// [`Error::VersionConflict`].
    pub fn put<'t, E: Entity>(&'t self, entity: &'t E) -> Put<'t, E> {
        Put::new(self, entity, PutMode::Upsert)
    }

    /// Writes `entity` only if an item with its key exists; otherwise fails with
    /// [`Error::NotFound`]. Version handling as for [`put`](Self::put).
    pub fn replace<'t, E: Entity>(&'t self, entity: &'t E) -> Put<'t, E> {
        Put::new(self, entity, PutMode::Replace)
    }

    /// Deletes the item with `key`. By default deleting a missing item succeeds; see
    /// [`Delete::must_exist`], [`Delete::if_version`] and [`Delete::return_old`].
    pub fn delete<E: Entity>(&self, key: Key) -> Delete<'_, E> {
        Delete {
            table: self,
            key,
            must_exist: false,
            version: None,
            return_old: false,
            condition: None,
            entity: PhantomData,
        }
    }
}

/// DynamoDB's limits on key values: 2048 bytes for a partition key, 1024 for a sort key.
const MAX_PARTITION_KEY: usize = 2048;
const MAX_SORT_KEY: usize = 1024;

/// Refuses an item whose key attributes DynamoDB would reject for their size.
pub(crate) fn check_key_sizes(schema: &EntitySchema, item: &Item) -> Result<()> {
    for key in schema.keys {
        let (pk, sk) = schema.key_attributes(key.index);
        let attributes = [
            (pk, MAX_PARTITION_KEY, "partition"),
            (sk.unwrap_or_default(), MAX_SORT_KEY, "sort"),
        ];
        for (attribute, limit, role) in attributes {
            if let Some(AttributeValue::S(value)) = item.get(attribute) {
                if value.len() > limit {
                    return Err(Error::InvalidRequest(format!(
                        "{} {attribute} is {} bytes; DynamoDB allows {limit} bytes in a {role} key",
                        schema.entity_type,
                        value.len()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The version stored in an item (0 when there is none).
fn stored_version(item: &Item, attribute: &str) -> Option<u64> {
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

impl Table {
    /// What a write of `E` may find under its key, as its conditions see it. Only an entity
    /// with a TTL field has conditions on the time (its items are the ones that expire), so
    /// that a transaction of others sent again with its client request token is the same
    /// request.
    pub(crate) fn occupant<E: Entity>(&self) -> Occupant<'_> {
        Occupant {
            pk: &self.schema.partition_key,
            type_attribute: E::SCHEMA.type_attribute,
            entity: E::ENTITY_TYPE,
            ttl: E::SCHEMA.ttl,
            now: self.write_now(),
        }
    }
}

/// Deletes the `E` under `key` if its TTL has passed (DynamoDB deletes it within days; a write
/// that must not see its stale attributes deletes it now). Nothing happens, and no error, if it
/// is live, absent or another entity's by then.
pub(crate) async fn delete_expired<E: Entity>(table: &Table, key: &Key) -> Result<()> {
    let mut exprs = Expressions::default();
    if !exprs.require_expired_own(&table.occupant::<E>()) {
        return Ok(());
    }
    let request = table
        .client
        .delete_item()
        .table_name(&table.name)
        .set_key(Some(table.schema.key_item(key)));
    let request = conditioned!(request, exprs)
        .set_return_consumed_capacity(table.consumed_capacity())
        .send();
    let span = table.span("DeleteItem", Some(E::ENTITY_TYPE), None);
    let result = table.sent(Capacity::Write, &span, request).await;
    table.record_on_key("DeleteItem", E::ENTITY_TYPE, key, &result);
    match result {
        Ok(_) => Ok(()),
        Err(e) if condition_failure(&e).is_some() => Ok(()),
        Err(e) => Err(crate::request_error("DeleteItem", e)),
    }
}

/// The error of a failed write: the reason a condition failed, diagnosed from the old item
/// DynamoDB returned with the failure, or the request's own error.
pub(crate) fn write_error<Err, R>(
    operation: &'static str,
    error: SdkError<Err, R>,
    schema: &EntitySchema,
    key: Key,
    mode: PutMode,
    expected_version: Option<u64>,
    now: i64,
) -> Error
where
    Err: ConditionFailure
        + std::error::Error
        + aws_sdk_dynamodb::error::ProvideErrorMetadata
        + Send
        + Sync
        + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match condition_failure(&error) {
        Some(old) => diagnose(schema, key, mode, expected_version, old, now),
        None => crate::request_error(operation, error),
    }
}

/// The old item of a failed condition check, if that is how the request failed.
fn condition_failure<E: ConditionFailure, R>(error: &SdkError<E, R>) -> Option<Option<&Item>> {
    error
        .as_service_error()
        .and_then(ConditionFailure::old_item)
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
condition_failure!(
    PutItemError,
    DeleteItemError,
    aws_sdk_dynamodb::operation::update_item::UpdateItemError
);

/// A create, put or replace; await it (or call [`send`](Self::send)) for the entity as stored.
#[must_use = "a write does nothing until awaited"]
pub struct Put<'t, E> {
    table: &'t Table,
    entity: &'t E,
    mode: PutMode,
    condition: Option<Condition<E>>,
}

impl<'t, E: Entity> Put<'t, E> {
    fn new(table: &'t Table, entity: &'t E, mode: PutMode) -> Self {
        Put {
            table,
            entity,
            mode,
            condition: None,
        }
    }

    pub(crate) fn table(&self) -> &'t Table {
        self.table
    }

    /// The write happens only if `condition` holds for the item already stored under the key
    /// (none holds when there is no item, except `not_exists` ones); otherwise
    /// [`Error::ConditionFailed`] and nothing is written.
    pub fn condition(mut self, condition: Condition<E>) -> Self {
        Condition::add_to(&mut self.condition, condition);
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<E> {
        self.send_keeping_old()
            .await
            .map_err(|failure| failure.error)
    }

    /// Sends the request; a failure keeps the item that was in the way, if DynamoDB returned it.
    /// Everything but sending: the item with its managed fields applied, the conditions, the
    /// version it is based on, and the entity as it will be stored.
    pub(crate) fn plan(self) -> Result<PlannedPut<E>> {
        let table = self.table;
        let schema = E::SCHEMA;
        let key = self.entity.key()?;
        let mut item = self.entity.to_item()?;
        let mut expressions = Expressions::default();
        let occupant = table.occupant::<E>();
        match self.mode {
            PutMode::Upsert if schema.version.is_none() => {
                expressions.require_absent_or_own(&occupant)
            }
            // With a version, the version decides below.
            PutMode::Upsert => {}
            PutMode::Create => expressions.require_absent(&occupant),
            PutMode::Replace => expressions.require_own(&occupant),
        }

        // Optimistic locking: the write is based on the version the entity holds.
        let expected_version = schema.version.map(|attribute| {
            let current = match self.mode {
                PutMode::Create => 0,
                _ => stored_version(&item, attribute).unwrap_or(0),
            };
            if self.mode != PutMode::Create {
                if current == 0 {
                    expressions.require_absent(&occupant);
                } else {
                    if self.mode == PutMode::Upsert {
                        expressions.require_own(&occupant);
                    }
                    let name = expressions.name(attribute);
                    let value = expressions.value(number(current));
                    expressions.require(format!("{name} = {value}"));
                }
            }
            item.insert(attribute.to_owned(), number(current.saturating_add(1)));
            current
        });

        let now = clock::timestamp_text(table.now());
        if let (PutMode::Create, Some(attribute)) = (self.mode, schema.created_at) {
            item.insert(attribute.to_owned(), schema.managed_time(attribute, &now));
        }
        if let Some(attribute) = schema.updated_at {
            item.insert(attribute.to_owned(), schema.managed_time(attribute, &now));
        }

        if let Some(condition) = self.condition {
            let condition = condition.render_into(&mut expressions)?;
            expressions.require(condition);
        }

        check_key_sizes(&schema, &item)?;
        crate::limits::check_item(schema.entity_type, &item)?;
        // Decoding what is about to be written both gives the stored entity and proves the item
        // reads back, before anything is sent.
        let stored = E::from_item(item.clone())?;
        Ok(PlannedPut {
            key,
            item,
            expressions,
            expected_version,
            stored,
            mode: self.mode,
        })
    }

    async fn send_keeping_old(self) -> std::result::Result<E, PutFailure> {
        let table = self.table;
        let PlannedPut {
            key,
            item,
            expressions,
            expected_version,
            stored,
            mode,
        } = self.plan()?;
        let write = GuardedWrite {
            key,
            mode,
            expected_version,
        };
        if unique::has_unique::<E>() {
            return write.put(table, item, expressions, stored).await;
        }
        write.put_item::<E>(table, item, expressions).await?;
        Ok(stored)
    }
}

crate::into_future!(Put, E);

/// A put ready to send, alone or in a transaction.
pub(crate) struct PlannedPut<E> {
    pub key: Key,
    pub item: Item,
    pub expressions: Expressions,
    pub expected_version: Option<u64>,
    pub stored: E,
    pub mode: PutMode,
}

/// A write of an entity with unique fields: the entity and the moves of its guards, in one
/// transaction, based on the stored item read first.
pub(crate) struct GuardedWrite {
    pub key: Key,
    pub mode: PutMode,
    pub expected_version: Option<u64>,
}

impl GuardedWrite {
    async fn put<E: Entity>(
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
                let read = unique::read_current::<E>(table, &self.key).await?;
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
        let mut ops = vec![unique::TxOp {
            item: unique::put(table, item, expressions)?,
            on_condition_failure: unique::OnFailure::Entity,
        }];
        ops.extend(moves);
        self.finish::<E>(table, ops, old_item).await?;
        Ok(stored)
    }

    /// Sends the entity's item as one conditional PutItem.
    async fn put_item<E: Entity>(
        self,
        table: &Table,
        item: Item,
        expressions: Expressions,
    ) -> std::result::Result<(), PutFailure> {
        let request = table
            .client
            .put_item()
            .table_name(&table.name)
            .set_item(Some(item));
        let request = conditioned!(request, expressions)
            .set_return_consumed_capacity(table.consumed_capacity())
            .send();
        let span = table.span("PutItem", Some(E::ENTITY_TYPE), None);
        let result = table.sent(Capacity::Write, &span, request).await;
        table.record_on_key("PutItem", E::ENTITY_TYPE, &self.key, &result);
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let old = condition_failure(&e).flatten().cloned();
                let error = write_error(
                    "PutItem",
                    e,
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

    async fn delete<E: Entity>(
        self,
        table: &Table,
        mut expressions: Expressions,
    ) -> std::result::Result<Option<E>, PutFailure> {
        let read = unique::read_current::<E>(table, &self.key).await?;
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
        let mut ops = vec![unique::TxOp {
            item: unique::delete(table, table.schema.key_item(&self.key), expressions)?,
            on_condition_failure: unique::OnFailure::Entity,
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
        ops: Vec<unique::TxOp>,
        read: Option<Item>,
    ) -> std::result::Result<(), PutFailure> {
        use unique::{OnFailure, TxFailure};
        let entity = E::ENTITY_TYPE;
        match unique::transact(table, ops).await {
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
    old: Option<Item>,
}

impl From<Error> for PutFailure {
    fn from(error: Error) -> Self {
        PutFailure { error, old: None }
    }
}

/// What [`Table::create_if_absent`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Created<E> {
    /// This call wrote the entity (as stored).
    Created(E),
    /// An item already had the key; nothing was written. It holds that item.
    Existed(E),
}

impl<E> Created<E> {
    /// True when this call was the first: it wrote the entity.
    pub fn was_created(&self) -> bool {
        matches!(self, Created::Created(_))
    }

    /// The entity, written now or found.
    pub fn into_inner(self) -> E {
        match self {
            Created::Created(e) | Created::Existed(e) => e,
        }
    }
}

/// A create that tells whether it was the first; await it (or call [`send`](Self::send)).
#[must_use = "a write does nothing until awaited"]
pub struct CreateIfAbsent<'t, E> {
    put: Put<'t, E>,
}

impl<E: Entity> CreateIfAbsent<'_, E> {
    /// Sends the request. Exactly one of several concurrent calls for one key gets
    /// [`Created::Created`]; the others get the winner's item.
    pub async fn send(self) -> Result<Created<E>> {
        match self.put.send_keeping_old().await {
            Ok(stored) => Ok(Created::Created(stored)),
            Err(PutFailure {
                error: Error::AlreadyExists { .. },
                old: Some(old),
            }) => E::from_item(old).map(Created::Existed),
            Err(failure) => Err(failure.error),
        }
    }
}

crate::into_future!(CreateIfAbsent, Created<E>);

/// A delete request; await it (or call [`send`](Self::send)).
#[must_use = "a delete does nothing until awaited"]
pub struct Delete<'t, E> {
    table: &'t Table,
    key: Key,
    must_exist: bool,
    version: Option<u64>,
    return_old: bool,
    condition: Option<Condition<E>>,
    entity: PhantomData<fn() -> E>,
}

impl<'t, E: Entity> Delete<'t, E> {
    /// Fail with [`Error::NotFound`] if there is no item to delete.
    pub fn must_exist(mut self) -> Self {
        self.must_exist = true;
        self
    }

    /// Delete only if the stored version is `version` (the one read); otherwise fail with
    /// [`Error::VersionConflict`]. Needs a `#[dynamo(version)]` field.
    pub fn if_version(mut self, version: u64) -> Self {
        self.version = Some(version);
        self
    }

    pub(crate) fn table(&self) -> &'t Table {
        self.table
    }

    /// Delete only if `condition` holds; otherwise [`Error::ConditionFailed`].
    pub fn condition(mut self, condition: Condition<E>) -> Self {
        Condition::add_to(&mut self.condition, condition);
        self
    }

    /// Return the deleted entity (`None` if there was none).
    pub fn return_old(mut self) -> Self {
        self.return_old = true;
        self
    }

    /// The delete's conditions and what a failure of them means, without sending.
    fn conditions(&mut self) -> Result<(Expressions, PutMode)> {
        let schema = E::SCHEMA;
        let mut expressions = Expressions::default();
        let occupant = self.table.occupant::<E>();
        if self.must_exist || self.version.is_some() {
            expressions.require_own(&occupant);
        } else {
            expressions.require_absent_or_own(&occupant);
        }
        if let Some(version) = self.version {
            let attribute = schema.version.ok_or_else(|| {
                Error::InvalidRequest(format!(
                    "{} has no #[dynamo(version)] field",
                    schema.entity_type
                ))
            })?;
            let name = expressions.name(attribute);
            let value = expressions.value(number(version));
            expressions.require(format!("{name} = {value}"));
        }
        if let Some(condition) = self.condition.take() {
            let condition = condition.render_into(&mut expressions)?;
            expressions.require(condition);
        }
        let mode = if self.must_exist {
            PutMode::Replace
        } else {
            PutMode::Upsert
        };
        Ok((expressions, mode))
    }

    /// The delete as one operation of a transaction: not for entities with unique values,
    /// whose guards need a read first.
    pub(crate) fn plan_for_transaction(
        mut self,
    ) -> Result<(Key, Expressions, PutMode, Option<u64>)> {
        if unique::has_unique::<E>() {
            return Err(Error::InvalidRequest(format!(
                "{} has unique values, whose guards need a read first; delete it on its own \
                 rather than in a transaction",
                E::ENTITY_TYPE
            )));
        }
        let (expressions, mode) = self.conditions()?;
        Ok((self.key, expressions, mode, self.version))
    }

    /// Sends the request. The result holds the deleted entity when
    /// [`return_old`](Self::return_old) was asked for and an item was deleted.
    pub async fn send(mut self) -> Result<Option<E>> {
        let table = self.table;
        let schema = E::SCHEMA;
        let (expressions, mode) = self.conditions()?;
        if unique::has_unique::<E>() {
            let write = GuardedWrite {
                key: self.key,
                mode,
                expected_version: self.version,
            };
            let old = write
                .delete::<E>(table, expressions)
                .await
                .map_err(|f| f.error)?;
            return Ok(old.filter(|_| self.return_old));
        }
        let request = table
            .client
            .delete_item()
            .table_name(&table.name)
            .set_key(Some(table.schema.key_item(&self.key)));
        let mut request = conditioned!(request, expressions);
        if self.return_old {
            request = request.return_values(ReturnValue::AllOld);
        }
        let request = request
            .set_return_consumed_capacity(table.consumed_capacity())
            .send();
        let span = table.span("DeleteItem", Some(E::ENTITY_TYPE), None);
        let result = table.sent(Capacity::Write, &span, request).await;
        table.record_on_key("DeleteItem", E::ENTITY_TYPE, &self.key, &result);
        match result {
            // A deleted item that had expired was absent already.
            Ok(output) => match own_item::<E>(&self.key, output.attributes, table.write_now()) {
                Ok(Some(old)) if self.return_old => E::from_item(old).map(Some),
                _ => Ok(None),
            },
            Err(e) => Err(write_error(
                "DeleteItem",
                e,
                &schema,
                self.key,
                mode,
                self.version,
                table.write_now(),
            )),
        }
    }
}

crate::into_future!(Delete, Option<E>);
