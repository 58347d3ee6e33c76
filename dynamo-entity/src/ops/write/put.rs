//! Creates, puts and replaces: each conditioned as its name promises (the key free, an item of
//! this entity or none, an item of this entity), with optimistic locking and managed
//! timestamps applied to the item before it is sent.

use super::outcome::{number, occupant, stored_version, PutMode};
use crate::codec::limits::check_item;
use crate::error::{Error, Result};
use crate::expr::condition::Cond;
use crate::expr::render::Expressions;
use crate::expr::typed::Condition;
use crate::item::{Item, Key};
use crate::model::entity::Entity;
use crate::ops::guarded::{GuardedWrite, PutFailure};
use crate::ops::into_future;
use crate::ops::unique;
use crate::runtime::clock::timestamp_text;
use crate::runtime::table::Table;

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
}

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
        let mut key = self.entity.key()?;
        let mut item = self.entity.to_item()?;
        let mut expressions = Expressions::default();
        let occupant = occupant::<E>(table);
        match self.mode {
            PutMode::Upsert if schema.version.is_none() => {
                expressions.require(occupant.absent_or_own())
            }
            // With a version, the version decides below.
            PutMode::Upsert => {}
            PutMode::Create => expressions.require(occupant.absent()),
            PutMode::Replace => expressions.require(occupant.live_own()),
        }

        // Optimistic locking: the write is based on the version the entity holds.
        let expected_version = schema.version.map(|attribute| {
            let current = match self.mode {
                PutMode::Create => 0,
                _ => stored_version(&item, attribute).unwrap_or(0),
            };
            if self.mode != PutMode::Create {
                if current == 0 {
                    expressions.require(occupant.absent());
                } else {
                    if self.mode == PutMode::Upsert {
                        expressions.require(occupant.live_own());
                    }
                    expressions.require(Cond::equals(attribute, number(current)));
                }
            }
            item.insert(attribute.to_owned(), number(current.saturating_add(1)));
            current
        });

        let now = timestamp_text(table.now());
        if let (PutMode::Create, Some(attribute)) = (self.mode, schema.created_at) {
            item.insert(attribute.to_owned(), schema.managed_time(attribute, &now));
        }
        if let Some(attribute) = schema.updated_at {
            item.insert(attribute.to_owned(), schema.managed_time(attribute, &now));
        }
        // A key that reads a managed time is built from the time stored, not the one passed.
        let created = schema.created_at.filter(|_| self.mode == PutMode::Create);
        let mut rederived = None;
        if [created, schema.updated_at]
            .into_iter()
            .flatten()
            .any(|attribute| schema.is_key_input(attribute))
        {
            let stored = E::from_item(item)?;
            key = stored.key()?;
            item = stored.to_item()?;
            rederived = Some(stored);
        }

        if let Some(condition) = self.condition {
            expressions.require(condition.cond()?);
        }

        schema.check_key_sizes(&item)?;
        check_item(schema.entity_type, &item)?;
        // Decoding what is about to be written both gives the stored entity and proves the item
        // reads back, before anything is sent (a re-derived item was written from it).
        let stored = match rederived {
            Some(stored) => stored,
            None => E::from_item(item.clone())?,
        };
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

into_future!(Put, E);

/// A put ready to send, alone or in a transaction.
pub(crate) struct PlannedPut<E> {
    pub key: Key,
    pub item: Item,
    pub expressions: Expressions,
    pub expected_version: Option<u64>,
    pub stored: E,
    pub mode: PutMode,
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

into_future!(CreateIfAbsent, Created<E>);

#[cfg(test)]
mod tests {
    use super::super::outcome::put_input;
    use crate::ops::testing::*;

    fn put_text(put: super::Put<'_, Pet>) -> Text {
        let table = put.table();
        let planned = put.plan().expect("a valid put");
        put_input(table, planned.item, &planned.expressions).text()
    }

    #[test]
    fn create_requires_a_free_key() {
        let table = table();
        let rex = rex(0);
        assert_eq!(
            put_text(table.create(&rex)),
            Text {
                condition: Some("attribute_not_exists(#n0)".into()),
                names: names(&[("#n0", "PK")]),
                ..Text::default()
            }
        );
    }

    #[test]
    fn put_requires_the_version_it_is_based_on() {
        let table = table();
        let first = rex(0);
        assert_eq!(
            put_text(table.put(&first)),
            Text {
                condition: Some("attribute_not_exists(#n0)".into()),
                names: names(&[("#n0", "PK")]),
                ..Text::default()
            }
        );
        let third = rex(3);
        let based_on_three = Text {
            condition: Some("#n0 = :v0 AND #n1 = :v1".into()),
            names: names(&[("#n0", "Type"), ("#n1", "version")]),
            values: values(&[(":v0", s("Pet")), (":v1", n("3"))]),
            ..Text::default()
        };
        assert_eq!(put_text(table.put(&third)), based_on_three);
        assert_eq!(put_text(table.replace(&third)), based_on_three);
    }

    #[test]
    fn a_callers_condition_joins_the_frameworks() {
        let table = table();
        let third = rex(3);
        let f = Pet::fields();
        let put = table
            .replace(&third)
            .condition(f.visits.lt(10) | f.nickname.exists());
        assert_eq!(
            put_text(put),
            Text {
                condition: Some(
                    "#n0 = :v0 AND #n1 = :v1 AND (#n2 < :v2 OR attribute_exists(#n3))".into()
                ),
                names: names(&[
                    ("#n0", "Type"),
                    ("#n1", "version"),
                    ("#n2", "visits"),
                    ("#n3", "nickname")
                ]),
                values: values(&[(":v0", s("Pet")), (":v1", n("3")), (":v2", n("10"))]),
                ..Text::default()
            }
        );
    }

    #[test]
    fn the_item_written_has_the_next_version() {
        let table = table();
        let third = rex(3);
        let planned = table.put(&third).plan().unwrap();
        assert_eq!(planned.item["version"], n("4"));
        assert_eq!(planned.expected_version, Some(3));
        assert_eq!(planned.stored.version, 4);
    }
}
