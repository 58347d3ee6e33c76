//! Transactions: several writes (or reads) of any entities, all or nothing.

use std::collections::HashSet;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::{ConditionCheck, Get as TxGet, TransactGetItem, TransactWriteItem};

use crate::attribute::is_expired;
use crate::condition::Condition;
use crate::cost::Capacity;
use crate::expression::{conditioned, Expressions};
use crate::unique::{self, Cancelled};
use crate::write::{diagnose, PutMode};
use crate::{Delete, Entity, EntitySchema, Error, Item, Key, Put, Result, Table, Update};

/// DynamoDB's limit on the operations of one transaction.
pub const MAX_TRANSACTION_OPERATIONS: usize = 100;

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

/// The IAM action, table and item (or key) of one write of a transaction; `None` for an
/// operation of none of the four kinds.
pub(crate) fn operation_of(item: &TransactWriteItem) -> Option<(&'static str, &str, &Item)> {
    if let Some(put) = &item.put {
        Some(("PutItem", &put.table_name, &put.item))
    } else if let Some(update) = &item.update {
        Some(("UpdateItem", &update.table_name, &update.key))
    } else if let Some(delete) = &item.delete {
        Some(("DeleteItem", &delete.table_name, &delete.key))
    } else {
        item.condition_check
            .as_ref()
            .map(|check| ("ConditionCheckItem", check.table_name.as_str(), &check.key))
    }
}

/// What an operation is, to map its cancellation reason back.
struct Operation {
    entity: &'static str,
    /// The entity's schema, to say what a failed condition means; `None` for a raw operation.
    schema: Option<EntitySchema>,
    key: Key,
    mode: PutMode,
    version: Option<u64>,
    /// For a unique value's guard: the field and value it holds.
    guard: Option<(&'static str, String)>,
}

impl Operation {
    fn of<E: Entity>(key: Key, mode: PutMode, version: Option<u64>) -> Self {
        Operation {
            entity: E::ENTITY_TYPE,
            schema: Some(E::SCHEMA),
            key,
            mode,
            version,
            guard: None,
        }
    }
}

impl Table {
    /// A write transaction: creates, puts, replaces, updates, deletes and condition checks of
    /// any entities, applied all together or not at all.
    ///
    /// ```no_run
    /// # use dynamo_entity::{Entity, Table};
    /// # #[derive(Entity)] #[pk = "ACCOUNT#<id>"] #[sk = "ACCOUNT"]
    /// # struct Account { id: String, balance: i64 }
    /// # #[derive(Entity)] #[pk = "ACCOUNT#<account>"] #[sk = "ORDER#<n>"]
    /// # struct Order { account: String, n: u32, total: i64 }
    /// # async fn checkout(table: &Table, order: Order) -> dynamo_entity::Result<()> {
    /// let f = Account::fields();
    /// table
    ///     .transaction()
    ///     .write(table.create(&order))
    ///     .update(
    ///         table
    ///             .update::<Account>(Account::primary_key("a1")?)
    ///             .subtract(f.balance, order.total)
    ///             .condition(f.balance.ge(order.total)),
    ///     )
    ///     .client_request_token("checkout-a1-7")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn transaction(&self) -> WriteTransaction<'_> {
        WriteTransaction {
            table: self,
            items: Vec::new(),
            operations: Vec::new(),
            keys: HashSet::new(),
            error: None,
            token: None,
        }
    }

    /// A read transaction: gets of any entities, read at one instant.
    pub fn read_transaction(&self) -> ReadTransaction<'_> {
        ReadTransaction {
            table: self,
            gets: Vec::new(),
        }
    }
}

/// A write transaction; add operations, then await it (or call [`send`](Self::send)).
#[must_use = "a transaction does nothing until awaited"]
pub struct WriteTransaction<'t> {
    table: &'t Table,
    items: Vec<TransactWriteItem>,
    operations: Vec<Operation>,
    /// (table, key) of every operation: DynamoDB refuses two operations on one item.
    keys: HashSet<(String, Key)>,
    /// The first mistake made while building; reported by `send`, before anything is sent.
    error: Option<Error>,
    token: Option<String>,
}

impl<'t> WriteTransaction<'t> {
    /// Adds an operation on an item of the table `table_name`.
    fn add(&mut self, table_name: &str, item: Result<TransactWriteItem>, operation: Operation) {
        if self.error.is_some() {
            return;
        }
        if !self
            .keys
            .insert((table_name.to_owned(), operation.key.clone()))
        {
            self.error = Some(Error::InvalidRequest(format!(
                "{} {} appears twice in one transaction",
                operation.entity, operation.key
            )));
            return;
        }
        match item {
            Ok(item) => {
                self.items.push(item);
                self.operations.push(operation);
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn fail(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }

    /// Adds a create, put or replace (`table.create(&e)`, with its conditions).
    ///
    /// A create of an entity with unique values claims them in the same transaction; a put or
    /// replace of one, which may move them, must be sent on its own.
    pub fn write<E: Entity>(mut self, write: Put<'_, E>) -> Self {
        let table = write.table();
        let planned = match write.plan() {
            Ok(planned) => planned,
            Err(e) => {
                self.fail(e);
                return self;
            }
        };
        if unique::has_unique::<E>() && planned.mode != PutMode::Create {
            self.fail(Error::InvalidRequest(format!(
                "a put or replace of {} may move its unique values, which needs a read first; \
                 send it on its own rather than in a transaction",
                E::ENTITY_TYPE
            )));
            return self;
        }
        let guards = unique::guard_moves::<E>(table, &planned.key, None, Some(&planned.stored));
        let item = unique::put(table, planned.item, planned.expressions);
        self.add(
            &table.name,
            item,
            Operation::of::<E>(planned.key.clone(), planned.mode, planned.expected_version),
        );
        match guards {
            Ok(guards) => {
                let values = planned.stored.unique_values().unwrap_or_default();
                for (guard, (field, value)) in guards.into_iter().zip(values) {
                    let key = unique::guard_key_of(table, E::ENTITY_TYPE, field, &value);
                    self.add(
                        &table.name,
                        Ok(guard.item),
                        Operation {
                            entity: E::ENTITY_TYPE,
                            schema: Some(E::SCHEMA),
                            key,
                            mode: PutMode::Create,
                            version: None,
                            guard: Some((field, value)),
                        },
                    );
                }
            }
            Err(e) => self.fail(e),
        }
        self
    }

    /// Adds an update (`table.update::<E>(key)...`), which must not change an index input or a
    /// unique value (those need a read first: send them on their own).
    pub fn update<E: Entity>(mut self, update: Update<'_, E>) -> Self {
        let table = update.table();
        match update.plan_for_transaction() {
            Ok((key, expression, exprs, version)) => {
                let item = unique::update(table, table.schema.key_item(&key), expression, exprs);
                self.add(
                    &table.name,
                    item,
                    Operation::of::<E>(key, PutMode::Replace, version),
                );
            }
            Err(e) => self.fail(e),
        }
        self
    }

    /// Adds a delete (`table.delete::<E>(key)...`, with its conditions).
    pub fn delete<E: Entity>(mut self, delete: Delete<'_, E>) -> Self {
        let table = delete.table();
        match delete.plan_for_transaction() {
            Ok((key, exprs, mode, version)) => {
                let item = unique::delete(table, table.schema.key_item(&key), exprs);
                self.add(&table.name, item, Operation::of::<E>(key, mode, version));
            }
            Err(e) => self.fail(e),
        }
        self
    }

    /// Adds an operation built with the SDK, for the one step the typed API does not cover, so
    /// that it never forces the whole transaction back to the raw SDK. `label` names it where
    /// the typed operations name their entity: in [`CancelledOperation::entity`], at its
    /// position, with the key read from the item (the table's key attributes, when they are
    /// strings) and DynamoDB's reason code and message.
    ///
    /// Nothing of it is checked or maintained: no entity-type condition, no version, no
    /// unique value, no index key.
    ///
    /// ```no_run
    /// # use dynamo_entity::{Entity, Table};
    /// # use dynamo_entity::aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
    /// # #[derive(Entity)] #[pk = "USER#<id>"] #[sk = "PROFILE"] struct User { id: String }
    /// # async fn demo(table: &Table, user: User) -> dynamo_entity::Result<()> {
    /// let bump = Update::builder()
    ///     .table_name("audit")
    ///     .key("PK", AttributeValue::S("COUNTERS".into()))
    ///     .update_expression("ADD #users :one")
    ///     .expression_attribute_names("#users", "users")
    ///     .expression_attribute_values(":one", AttributeValue::N("1".into()))
    ///     .build()
    ///     .expect("a complete update");
    /// table
    ///     .transaction()
    ///     .write(table.create(&user))
    ///     .raw("audit counter", TransactWriteItem::builder().update(bump).build())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn raw(mut self, label: &'static str, item: TransactWriteItem) -> Self {
        let table = self.table;
        let written = operation_of(&item);
        let text = |name: Option<&String>| {
            let (_, _, key_item) = written?;
            key_item.get(name?)?.as_s().ok().cloned()
        };
        let key = Key {
            pk: text(Some(&table.schema.partition_key)).unwrap_or_default(),
            sk: text(table.schema.sort_key.as_ref()),
        };
        let target = written.map_or_else(String::new, |(_, table_name, _)| table_name.to_owned());
        let operation = Operation {
            entity: label,
            schema: None,
            key,
            mode: PutMode::Upsert,
            version: None,
            guard: None,
        };
        // Keyed by its own table, for the check that no item appears twice.
        self.add(&target, Ok(item), operation);
        self
    }

    /// Adds a check that `condition` holds for the `E` stored under `key`, without writing it.
    pub fn check<E: Entity>(mut self, key: Key, condition: Condition<E>) -> Self {
        let table = self.table;
        let mut exprs = Expressions::default();
        let item = condition.render_into(&mut exprs).and_then(|condition| {
            exprs.require(condition);
            let check = ConditionCheck::builder()
                .table_name(&table.name)
                .set_key(Some(table.schema.key_item(&key)));
            let check = conditioned!(check, exprs)
                .build()
                .map_err(|e| Error::InvalidRequest(e.to_string()))?;
            Ok(TransactWriteItem::builder().condition_check(check).build())
        });
        self.add(
            &table.name,
            item,
            Operation::of::<E>(key, PutMode::Upsert, None),
        );
        self
    }

    /// An idempotency token: the same transaction sent again with the same token within ten
    /// minutes (a retry after a timeout, say) is applied once.
    ///
    /// "The same" is DynamoDB's word: every parameter must be equal. A write of an entity with
    /// a TTL field is conditioned on the current second (an expired item counts as absent),
    /// and an `updated_at` field holds the current time, so such a transaction built again a
    /// second later is another request: DynamoDB refuses it (`IdempotentParameterMismatch`)
    /// rather than applying it twice.
    pub fn client_request_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sends the transaction. A cancelled one is [`Error::TransactionCancelled`], with each
    /// failed operation's position, entity, key and reason.
    pub async fn send(self) -> Result<()> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.items.is_empty() {
            return Err(Error::InvalidRequest("the transaction is empty".to_owned()));
        }
        if self.items.len() > MAX_TRANSACTION_OPERATIONS {
            return Err(Error::InvalidRequest(format!(
                "the transaction has {} operations; DynamoDB allows {MAX_TRANSACTION_OPERATIONS}",
                self.items.len()
            )));
        }
        match unique::send_transaction(self.table, self.items, self.token.as_deref()).await {
            Ok(()) => Ok(()),
            Err(Cancelled::Other(error)) => Err(error),
            Err(Cancelled::Reasons(reasons)) => {
                let operations = reasons
                    .into_iter()
                    .zip(self.operations)
                    .enumerate()
                    .filter_map(|(position, (reason, op))| {
                        let code = reason.code?;
                        let error = match (code == "ConditionalCheckFailed", op.guard, op.schema) {
                            (false, _, _) | (true, None, None) => None,
                            (true, Some((field, value)), _) => Some(Error::UniqueViolation {
                                entity: op.entity,
                                field,
                                value,
                            }),
                            (true, None, Some(schema)) => Some(diagnose(
                                &schema,
                                op.key.clone(),
                                op.mode,
                                op.version,
                                reason.old.as_ref(),
                                self.table.write_now(),
                            )),
                        }
                        .map(Box::new);
                        Some(CancelledOperation {
                            position,
                            entity: op.entity,
                            key: op.key,
                            code,
                            message: reason.message,
                            error,
                        })
                    })
                    .collect();
                Err(Error::TransactionCancelled { operations })
            }
        }
    }
}

impl<'t> std::future::IntoFuture for WriteTransaction<'t> {
    type Output = Result<()>;
    type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send + 't>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Where the result of one get of a read transaction will be: take it from the
/// [`ReadResults`] as the entity it was asked as.
#[derive(Debug)]
pub struct Slot<E> {
    index: usize,
    entity: PhantomData<fn() -> E>,
}

/// A read transaction; add gets, then [`send`](Self::send).
#[must_use = "a transaction does nothing until sent"]
pub struct ReadTransaction<'t> {
    table: &'t Table,
    gets: Vec<Key>,
}

impl ReadTransaction<'_> {
    /// Adds a get of the `E` under `key`; its result is taken with the returned slot.
    pub fn get<E: Entity>(&mut self, key: Key) -> Slot<E> {
        self.gets.push(key);
        Slot {
            index: self.gets.len() - 1,
            entity: PhantomData,
        }
    }

    /// Sends the transaction: every item as it was at one instant.
    pub async fn send(self) -> Result<ReadResults> {
        let table = self.table;
        if self.gets.is_empty() {
            return Err(Error::InvalidRequest(
                "the read transaction is empty".to_owned(),
            ));
        }
        let mut seen = HashSet::new();
        if let Some(twice) = self.gets.iter().find(|key| !seen.insert(*key)) {
            return Err(Error::InvalidRequest(format!(
                "{twice} is read twice in one transaction; DynamoDB refuses that, and one read \
                 gives both slots the same item"
            )));
        }
        if self.gets.len() > MAX_TRANSACTION_OPERATIONS {
            return Err(Error::InvalidRequest(format!(
                "the transaction has {} gets; DynamoDB allows {MAX_TRANSACTION_OPERATIONS}",
                self.gets.len()
            )));
        }
        let items = self
            .gets
            .iter()
            .map(|key| {
                let get = TxGet::builder()
                    .table_name(&table.name)
                    .set_key(Some(table.schema.key_item(key)))
                    .build()
                    .map_err(|e| Error::InvalidRequest(e.to_string()))?;
                Ok(TransactGetItem::builder().get(get).build())
            })
            .collect::<Result<Vec<_>>>()?;
        let targets = table
            .is_recording()
            .then(|| crate::design::get_targets(table, &items));
        let result = table
            .client
            .transact_get_items()
            .set_transact_items(Some(items))
            .set_return_consumed_capacity(table.consumed_capacity())
            .send();
        let span = table.span("TransactGetItems", None, None);
        let result = table.sent(Capacity::Read, &span, result).await;
        table.record("TransactGetItems", &result, |event, output| {
            event.targets = targets.unwrap_or_default();
            let found: Vec<crate::Item> = output
                .and_then(|o| o.responses.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|r| r.item.clone())
                .collect();
            event.observe_items(table, &found);
        });
        let output = result.map_err(|e| crate::request_error("TransactGetItems", e))?;
        let now = table.read_now();
        let ttl = table.schema.ttl_attribute.as_deref();
        let items = output
            .responses
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                r.item
                    .filter(|item| !item.is_empty() && !is_expired(item, ttl, now))
            })
            .collect();
        Ok(ReadResults { items })
    }
}

/// The items of a read transaction, taken by their slots.
#[derive(Debug)]
pub struct ReadResults {
    items: Vec<Option<Item>>,
}

impl ReadResults {
    /// The entity of `slot`, `None` if there was no item (or an expired one).
    pub fn take<E: Entity>(&mut self, slot: Slot<E>) -> Result<Option<E>> {
        self.items
            .get_mut(slot.index)
            .and_then(Option::take)
            .map(E::from_item)
            .transpose()
    }
}
