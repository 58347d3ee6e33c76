//! Deletes: of one entity's item by key, conditioned so that another entity's item is never
//! deleted, with optimistic locking; and the deletion of an item whose TTL has passed.

use std::marker::PhantomData;

use aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemInputBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::outcome::{
    condition_failure, delete_input, number, occupant, own_item, write_error, PutMode,
};
use crate::error::{Error, InvalidRequestKind, Result};
use crate::expr::condition::{Comparator, Cond};
use crate::expr::path::Path;
use crate::expr::render::Expressions;
use crate::expr::typed::Condition;
use crate::item::Key;
use crate::model::entity::Entity;
use crate::ops::guarded::GuardedWrite;
use crate::ops::into_future;
use crate::ops::unique;
use crate::runtime::execute::About;
use crate::runtime::table::Table;

impl Table {
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

/// Deletes the item under `key` if its TTL has passed, whichever entity it is (DynamoDB deletes
/// it within days; a write that must not see its stale attributes deletes it now: an expired
/// item is absent for every entity, as for `create`). Nothing happens, and no error, if it is
/// live or absent by then, or if the table has no TTL attribute.
pub(crate) async fn delete_expired<E: Entity>(table: &Table, key: &Key) -> Result<()> {
    let Some(request) = expired_delete_input::<E>(table, key) else {
        return Ok(());
    };
    match table.execute(About::entity(E::ENTITY_TYPE), request).await {
        Ok(_) => Ok(()),
        Err(failed) if condition_failure(&failed).is_some() => Ok(()),
        Err(failed) => Err(failed.into()),
    }
}

/// The `DeleteItem` of [`delete_expired`]: conditioned on the table's TTL attribute (`E`'s,
/// if the table names none) having passed; `None` without one.
fn expired_delete_input<E: Entity>(table: &Table, key: &Key) -> Option<DeleteItemInputBuilder> {
    let ttl = table.schema.ttl_attribute.as_deref().or(E::SCHEMA.ttl)?;
    let mut expressions = Expressions::default();
    expressions.require(Cond::compare(
        Path::top(ttl.to_owned()),
        Comparator::Le,
        AttributeValue::N(table.write_now().to_string()),
    ));
    Some(delete_input(table, key, &expressions))
}

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
        let occupant = occupant::<E>(self.table);
        if self.must_exist || self.version.is_some() {
            expressions.require(occupant.live_own());
        } else {
            expressions.require(occupant.absent_or_own());
        }
        if let Some(version) = self.version {
            let attribute = schema.version.ok_or_else(|| {
                Error::invalid(
                    InvalidRequestKind::NoVersion,
                    format!("{} has no #[dynamo(version)] field", schema.entity_type),
                )
            })?;
            expressions.require(Cond::equals(attribute, number(version)));
        }
        if let Some(condition) = self.condition.take() {
            expressions.require(condition.cond()?);
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
            return Err(Error::invalid(
                InvalidRequestKind::NeedsRead,
                format!(
                    "{} has unique values, whose guards need a read first; delete it on its own \
                     rather than in a transaction",
                    E::ENTITY_TYPE
                ),
            ));
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
        let request = delete_input(table, &self.key, &expressions);
        let request = match self.return_old {
            true => request.return_values(ReturnValue::AllOld),
            false => request,
        };
        match table.execute(About::entity(E::ENTITY_TYPE), request).await {
            // A deleted item that had expired was absent already.
            Ok(output) => match own_item::<E>(&self.key, output.attributes, table.write_now()) {
                Ok(Some(old)) if self.return_old => E::from_item(old).map(Some).map_err(|error| {
                    Error::applied("DeleteItem", E::ENTITY_TYPE, &self.key, error)
                }),
                _ => Ok(None),
            },
            Err(failed) => Err(write_error(
                failed,
                &schema,
                self.key,
                mode,
                self.version,
                table.write_now(),
            )),
        }
    }
}

into_future!(Delete, Option<E>);

#[cfg(test)]
mod tests {
    use super::super::outcome::delete_input;
    use super::expired_delete_input;
    use crate::ops::testing::*;

    fn delete_text(mut delete: super::Delete<'_, Pet>) -> Text {
        let table = delete.table();
        let key = delete.key.clone();
        let (expressions, _) = delete.conditions().expect("a valid delete");
        delete_input(table, &key, &expressions).text()
    }

    #[test]
    fn a_delete_never_removes_another_entitys_item() {
        let table = table();
        let key = Pet::primary_key("alice", "rex").unwrap();
        assert_eq!(
            delete_text(table.delete::<Pet>(key.clone())),
            Text {
                condition: Some("attribute_not_exists(#n0) OR #n1 = :v0".into()),
                names: names(&[("#n0", "PK"), ("#n1", "Type")]),
                values: values(&[(":v0", s("Pet"))]),
                ..Text::default()
            }
        );
        assert_eq!(
            delete_text(table.delete::<Pet>(key).must_exist().if_version(2)),
            Text {
                condition: Some("#n0 = :v0 AND #n1 = :v1".into()),
                names: names(&[("#n0", "Type"), ("#n1", "version")]),
                values: values(&[(":v0", s("Pet")), (":v1", n("2"))]),
                ..Text::default()
            }
        );
    }

    #[test]
    fn an_expired_item_is_deleted_only_while_it_is_expired_whichever_entitys() {
        let table = table();
        let key = Session::primary_key("s1").unwrap();
        assert_eq!(
            expired_delete_input::<Session>(&table, &key)
                .unwrap()
                .text(),
            Text {
                condition: Some("#n0 <= :v0".into()),
                names: names(&[("#n0", "expires")]),
                values: values(&[(":v0", n("1700000000"))]),
                ..Text::default()
            }
        );
        // The table's TTL attribute, for an entity without one of its own too.
        assert_eq!(
            expired_delete_input::<Pet>(&table, &key)
                .unwrap()
                .text()
                .condition
                .as_deref(),
            Some("#n0 <= :v0")
        );
    }
}
