//! Transactions: several writes (or reads) of any entities, all or nothing.

use std::collections::HashSet;
use std::marker::PhantomData;

use aws_sdk_dynamodb::operation::transact_get_items::builders::TransactGetItemsInputBuilder;
use aws_sdk_dynamodb::types::{Get as TxGet, TransactGetItem, TransactWriteItem};

use super::tx::{self, Cancelled};
use super::unique;
use super::update::Update;
use super::write::delete::Delete;
use super::write::outcome::{diagnose, occupant, PutMode};
use super::write::put::Put;
use crate::codec::ttl::is_expired;
use crate::error::{CancelledOperation, Error, InvalidRequestKind, Result};
use crate::expr::render::Expressions;
use crate::expr::typed::Condition;
use crate::item::{Item, Key};
use crate::model::entity::{Entity, EntitySchema};
use crate::runtime::execute::{operation_of, About};
use crate::runtime::table::Table;

/// DynamoDB's limit on the operations of one transaction.
pub const MAX_TRANSACTION_OPERATIONS: usize = 100;

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
            self.error = Some(Error::invalid(
                InvalidRequestKind::Duplicate,
                format!(
                    "{} {} appears twice in one transaction",
                    operation.entity, operation.key
                ),
            ));
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
            self.fail(Error::invalid(
                InvalidRequestKind::NeedsRead,
                format!(
                    "a put or replace of {} may move its unique values, which needs a read \
                     first; send it on its own rather than in a transaction",
                    E::ENTITY_TYPE
                ),
            ));
            return self;
        }
        let guards = unique::guard_moves::<E>(table, &planned.key, None, Some(&planned.stored));
        let item = tx::put(table, planned.item, &planned.expressions);
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
            Ok((key, exprs, version)) => {
                let item = tx::update(table, table.schema.key_item(&key), &exprs);
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
                let item = tx::delete(table, table.schema.key_item(&key), &exprs);
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
    /// The check holds only for a live `E`: an item of another entity type under the key (one
    /// that shares `E`'s keys), an expired one, or none fails it.
    pub fn check<E: Entity>(mut self, key: Key, condition: Condition<E>) -> Self {
        let table = self.table;
        let item = condition.cond().and_then(|condition| {
            let exprs = Expressions {
                condition: vec![occupant::<E>(table).live_own(), condition],
                ..Expressions::default()
            };
            tx::check(table, table.schema.key_item(&key), &exprs)
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
            return Err(Error::invalid(
                InvalidRequestKind::Empty,
                "the transaction is empty",
            ));
        }
        if self.items.len() > MAX_TRANSACTION_OPERATIONS {
            return Err(Error::invalid(
                InvalidRequestKind::TooLarge,
                format!(
                    "the transaction has {} operations; DynamoDB allows \
                     {MAX_TRANSACTION_OPERATIONS}",
                    self.items.len()
                ),
            ));
        }
        match tx::send_transaction(self.table, self.items, self.token.as_deref()).await {
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
            return Err(Error::invalid(
                InvalidRequestKind::Empty,
                "the read transaction is empty",
            ));
        }
        let mut seen = HashSet::new();
        if let Some(twice) = self.gets.iter().find(|key| !seen.insert(*key)) {
            return Err(Error::invalid(
                InvalidRequestKind::Duplicate,
                format!(
                    "{twice} is read twice in one transaction; DynamoDB refuses that, and one \
                     read gives both slots the same item"
                ),
            ));
        }
        if self.gets.len() > MAX_TRANSACTION_OPERATIONS {
            return Err(Error::invalid(
                InvalidRequestKind::TooLarge,
                format!(
                    "the transaction has {} gets; DynamoDB allows {MAX_TRANSACTION_OPERATIONS}",
                    self.gets.len()
                ),
            ));
        }
        let items = self
            .gets
            .iter()
            .map(|key| {
                let get = TxGet::builder()
                    .table_name(&*table.name)
                    .set_key(Some(table.schema.key_item(key)))
                    .build()
                    .map_err(|e| Error::invalid(InvalidRequestKind::Argument, e.to_string()))?;
                Ok(TransactGetItem::builder().get(get).build())
            })
            .collect::<Result<Vec<_>>>()?;
        let request = TransactGetItemsInputBuilder::default().set_transact_items(Some(items));
        let output = table.execute(About::many(), request).await?;
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

#[cfg(test)]
mod tests {
    use crate::ops::testing::*;

    #[test]
    fn each_operation_carries_its_own_conditions() {
        let table = table();
        let f = Pet::fields();
        let key = Pet::primary_key("alice", "rex").unwrap();
        let session = session();
        let transaction = table
            .transaction()
            .check::<Pet>(key.clone(), f.visits.lt(5))
            .update(
                table
                    .update::<Pet>(Pet::primary_key("bob", "tom").unwrap())
                    .add(f.visits, 1),
            )
            .delete(table.delete::<Pet>(Pet::primary_key("carol", "kit").unwrap()))
            .write(table.create(&session));
        assert!(transaction.error.is_none(), "{:?}", transaction.error);
        let texts: Vec<Text> = transaction.items.iter().map(operation_text).collect();
        assert_eq!(
            texts.len(),
            5,
            "four operations and the session's e-mail guard"
        );
        // The check holds only for a Pet: the item's type, then the caller's condition.
        assert_eq!(
            texts[0],
            Text {
                condition: Some("#n0 = :v0 AND #n1 < :v1".into()),
                names: names(&[("#n0", "Type"), ("#n1", "visits")]),
                values: values(&[(":v0", s("Pet")), (":v1", n("5"))]),
                ..Text::default()
            }
        );
        assert_eq!(
            texts[1],
            Text {
                condition: Some("#n0 = :v0".into()),
                update: Some("SET #n1 = if_not_exists(#n1, :v1) + :v2, #n2 = #n2 + :v3".into()),
                names: names(&[("#n0", "Type"), ("#n1", "version"), ("#n2", "visits")]),
                values: values(&[
                    (":v0", s("Pet")),
                    (":v1", n("0")),
                    (":v2", n("1")),
                    (":v3", n("1"))
                ]),
                ..Text::default()
            }
        );
        assert_eq!(
            texts[2],
            Text {
                condition: Some("attribute_not_exists(#n0) OR #n1 = :v0".into()),
                names: names(&[("#n0", "PK"), ("#n1", "Type")]),
                values: values(&[(":v0", s("Pet"))]),
                ..Text::default()
            }
        );
        // The session's create, and its e-mail's guard: both free, or expired.
        let free = Text {
            condition: Some("attribute_not_exists(#n0) OR #n1 <= :v0".into()),
            names: names(&[("#n0", "PK"), ("#n1", "expires")]),
            values: values(&[(":v0", n("1700000000"))]),
            ..Text::default()
        };
        assert_eq!(texts[3], free);
        assert_eq!(texts[4], free);
        let guard = transaction.items[4].put.as_ref().unwrap();
        assert_eq!(
            guard.item["PK"],
            s("UNIQUE#Session#email#alice@example.com")
        );
        assert_eq!(guard.item["owner_pk"], s("SESSION#s1"));
        assert_eq!(guard.item["expires"], n("1700086400"));
    }

    #[test]
    fn an_item_appears_once_in_a_transaction() {
        let table = table();
        let key = Pet::primary_key("alice", "rex").unwrap();
        let f = Pet::fields();
        let transaction = table
            .transaction()
            .check::<Pet>(key.clone(), f.visits.lt(5))
            .delete(table.delete::<Pet>(key));
        assert_eq!(
            transaction.error.map(|e| e.to_string()).as_deref(),
            Some("invalid request: Pet (USER#alice, PET#rex) appears twice in one transaction")
        );
    }
}
