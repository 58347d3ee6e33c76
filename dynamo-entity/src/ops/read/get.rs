//! Gets: one item by key.

use std::marker::PhantomData;

use aws_sdk_dynamodb::operation::get_item::builders::GetItemInputBuilder;

use crate::codec::ttl::is_expired;
use crate::error::Result;
use crate::expr::projection::projection as projection_paths;
use crate::expr::render::Expressions;
use crate::item::{Item, Key};
use crate::model::entity::Entity;
use crate::model::index::Index;
use crate::ops::into_future;
use crate::runtime::execute::About;
use crate::runtime::table::Table;

impl Table {
    /// Reads the entity with `key`: `None` if there is no item. An item of another entity type
    /// under the key is an [`Error::EntityTypeMismatch`](crate::Error::EntityTypeMismatch).
    pub fn get<E: Entity>(&self, key: Key) -> Get<'_, E> {
        Get {
            table: self,
            key,
            consistent: false,
            entity: PhantomData,
        }
    }
}

/// A get request; await it (or call [`send`](Self::send)).
#[must_use = "a get does nothing until awaited"]
pub struct Get<'t, E> {
    table: &'t Table,
    key: Key,
    consistent: bool,
    entity: PhantomData<fn() -> E>,
}

impl<E: Entity> Get<'_, E> {
    /// Read with strong consistency (twice the read capacity).
    pub fn consistent_read(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Sends the request. An item whose TTL has passed is not returned, even before DynamoDB
    /// deletes it.
    pub async fn send(self) -> Result<Option<E>> {
        let read = Read::whole(E::ENTITY_TYPE, E::SCHEMA.ttl);
        let item = read.live(self.table, &self.key, self.consistent).await?;
        item.map(E::from_item).transpose()
    }
}

/// The item stored under `key`, as it is (expired or not, of whatever entity type); `entity`
/// names what is expected there, for the request's span.
pub(crate) async fn read_item(
    table: &Table,
    entity: &str,
    key: &Key,
    consistent: bool,
) -> Result<Option<Item>> {
    let request = get_input(table, key, consistent, None, None);
    let output = table.execute(About::entity(entity), request).await?;
    Ok(output.item)
}

/// A get by key as the typed reads make it: of what, reading which attributes, expiring by
/// which TTL attribute.
pub(crate) struct Read<'r> {
    /// The entity (or collection) read, for the request's span.
    pub entity: &'r str,
    /// The attributes read (all when `None`).
    pub projection: Option<&'r [&'static str]>,
    /// The TTL attribute by which items are expired.
    pub ttl: Option<&'r str>,
}

impl<'r> Read<'r> {
    /// A read of whole items.
    pub fn whole(entity: &'r str, ttl: Option<&'r str>) -> Self {
        Read {
            entity,
            projection: None,
            ttl,
        }
    }

    /// The live item under `key`: `None` when there is none or its TTL has passed (unless
    /// the table reads expired items).
    pub async fn live(&self, table: &Table, key: &Key, consistent: bool) -> Result<Option<Item>> {
        let request = get_input(table, key, consistent, self.projection, self.ttl);
        let output = table.execute(About::entity(self.entity), request).await?;
        let now = table.read_now();
        Ok(output.item.filter(|item| !is_expired(item, self.ttl, now)))
    }
}

/// The `GetItem` of `key`, reading `projection`'s attributes (all when `None`).
pub(crate) fn get_input(
    table: &Table,
    key: &Key,
    consistent: bool,
    projection: Option<&[&'static str]>,
    ttl: Option<&str>,
) -> GetItemInputBuilder {
    let request = GetItemInputBuilder::default()
        .table_name(&*table.name)
        .set_key(Some(table.schema.key_item(key)))
        .consistent_read(consistent);
    let Some(attributes) = projection else {
        return request;
    };
    let rendered = Expressions {
        projection: projection_paths(&table.schema, Index::Primary, attributes, ttl),
        ..Expressions::default()
    }
    .render();
    request
        .set_projection_expression(rendered.projection)
        .set_expression_attribute_names(rendered.names)
}

into_future!(Get, Option<E>);

#[cfg(test)]
mod tests {
    use super::get_input;
    use crate::ops::testing::*;

    #[test]
    fn a_get_reads_a_projection_with_what_its_checks_need() {
        let table = table();
        let key = Session::primary_key("s1").unwrap();
        let plain = get_input(&table, &key, true, None, None);
        assert_eq!(plain.get_consistent_read(), &Some(true));
        assert_eq!(plain.get_projection_expression(), &None);
        assert_eq!(plain.get_key(), &Some(key_item("SESSION#s1", "SESSION")));
        let projected = get_input(&table, &key, false, Some(&["user"]), Some("expires"));
        assert_eq!(
            projected.get_projection_expression().as_deref(),
            Some("#n0, #n1, #n2, #n3, #n4")
        );
        assert_eq!(
            sorted(projected.get_expression_attribute_names()),
            names(&[
                ("#n0", "user"),
                ("#n1", "PK"),
                ("#n2", "SK"),
                ("#n3", "Type"),
                ("#n4", "expires")
            ])
        );
    }
}
