//! Queries: one partition of one index, typed, in pages, with cursors, as a stream.

use aws_sdk_dynamodb::operation::query::builders::QueryInputBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Select};
use futures::Stream;

use super::paging::{query_options, Paging};
use crate::codec::ttl::is_expired;
use crate::error::Result;
use crate::expr::condition::Cond;
use crate::expr::key_condition::{key_condition, parts_condition, KeyPart, SortKeyCondition};
use crate::expr::projection::projection;
use crate::expr::query::Query;
use crate::expr::render::Expressions;
use crate::expr::typed::Condition;
use crate::item::Item;
use crate::model::entity::Entity;
use crate::model::index::Index;
use crate::runtime::cursor::{Binding, Cursor};
use crate::runtime::execute::About;
use crate::runtime::table::Table;

impl Table {
    /// Runs a query built by an entity's generated `query` or `query_gsiN` function.
    ///
    /// There is deliberately no scan here: every read names a partition.
    ///
    /// Where another entity of the table's schema can have items that the sort key condition
    /// selects (a `Pet` under `PET#<pet_id>` and its `Vaccination`s under
    /// `PET#<pet_id>#VAX#<n>` in one partition), the query also filters on the entity-type
    /// attribute, so that it returns this entity's items only. The other entity's items in the
    /// range are still read and paid for (a page can come back short, with a cursor); a
    /// literal that tells the sort keys apart (`VAX#<pet_id>#<n>`) avoids that cost.
    pub fn query<E: Entity>(&self, query: impl Into<Query<E>>) -> QueryRequest<'_, E> {
        QueryRequest {
            table: self,
            query: query.into(),
            paging: Paging::default(),
            descending: false,
            consistent: false,
            filter: None,
        }
    }
}

/// The key condition of a query of the partition `pk` of `index` with `sk` on its sort key, or
/// of a multi-attribute index's `parts`.
pub(crate) fn key_of(
    table: &Table,
    index: Index,
    pk: &str,
    sk: &SortKeyCondition,
    parts: &[KeyPart],
) -> Result<Vec<Cond>> {
    if !parts.is_empty() {
        return Ok(parts_condition(parts));
    }
    let (pk_name, sk_name) = table.schema.query_attributes(index)?;
    Ok(key_condition(&pk_name, pk, &sk_name, sk))
}

/// One Query request, whatever decodes its items.
pub(crate) struct QuerySpec<'q> {
    /// The entity (or collection) read, for the request's span.
    pub entity: &'q str,
    pub index: Index,
    /// The key condition.
    pub key: Vec<Cond>,
    pub descending: bool,
    pub consistent: bool,
    pub limit: Option<i32>,
    pub start: Option<Item>,
    /// What the items read must meet to be returned.
    pub filter: Vec<Cond>,
    /// The TTL attribute: expired items are dropped.
    pub ttl: Option<&'q str>,
    /// For a projected read: the attributes to read (`ProjectionExpression`).
    pub projection: Option<&'q [&'static str]>,
}

impl QuerySpec<'_> {
    /// The request: a pure function of the query and the table's schema.
    pub(crate) fn input(&self, table: &Table) -> Result<QueryInputBuilder> {
        let schema = &table.schema;
        schema.check_readable(self.entity, self.index, self.projection, self.ttl)?;
        let exprs = Expressions {
            key: self.key.clone(),
            filter: self.filter.clone(),
            projection: self
                .projection
                .map(|attributes| projection(schema, self.index, attributes, self.ttl))
                .unwrap_or_default(),
            ..Expressions::default()
        };
        let rendered = exprs.render();
        let mut request = QueryInputBuilder::default()
            .table_name(&*table.name)
            .set_index_name(schema.index_name(self.index))
            .scan_index_forward(!self.descending)
            .consistent_read(self.consistent)
            .set_limit(self.limit)
            .set_exclusive_start_key(self.start.clone())
            .set_key_condition_expression(rendered.key_condition)
            .set_filter_expression(rendered.filter)
            .set_projection_expression(rendered.projection)
            .set_expression_attribute_names(rendered.names)
            .set_expression_attribute_values(rendered.values);
        if self.projection.is_none() && schema.index(self.index).is_some_and(|i| i.local) {
            // A local index returns what it holds unless asked for all: DynamoDB fetches the
            // rest from the table.
            request = request.select(Select::AllAttributes);
        }
        Ok(request)
    }
}

/// Sends one Query: the live items (expired ones dropped) and the key to continue from.
pub(crate) async fn run_query(
    table: &Table,
    spec: QuerySpec<'_>,
) -> Result<(Vec<Item>, Option<Item>)> {
    let request = spec.input(table)?;
    let about = About {
        entity: Some(spec.entity),
        index: spec.index,
        key: &spec.key,
    };
    let output = table.execute(about, request).await?;
    let now = table.read_now();
    let items: Vec<Item> = output
        .items
        .unwrap_or_default()
        .into_iter()
        .filter(|item| !is_expired(item, spec.ttl, now))
        .collect();
    let last_key = output.last_evaluated_key.filter(|key| !key.is_empty());
    Ok((items, last_key))
}

/// One page of query results.
#[derive(Debug, Clone)]
pub struct Page<E> {
    /// The entities on this page.
    pub items: Vec<E>,
    /// Where the next page starts; `None` on the last page.
    pub cursor: Option<Cursor>,
}

/// A query request; read one [`page`](Self::page), [`all`](Self::all) of them, or a stream of
/// [`pages`](Self::pages).
#[must_use = "a query does nothing until a page is read"]
pub struct QueryRequest<'t, E> {
    table: &'t Table,
    query: Query<E>,
    paging: Paging,
    descending: bool,
    consistent: bool,
    filter: Option<Condition<E>>,
}

impl<'t, E: Entity> QueryRequest<'t, E> {
    /// Drops items for which `condition` does not hold, after DynamoDB has read them: they
    /// still cost read capacity, and a page can come back short or empty (with a cursor). Use a
    /// sort key condition or an index where one can select the items instead.
    pub fn filter_after_read(mut self, condition: Condition<E>) -> Self {
        Condition::add_to(&mut self.filter, condition);
        self
    }

    query_options!();

    /// The request for the page after `page`, or `None` when there is nothing more to read.
    pub(crate) fn next<T>(mut self, page: &Page<T>) -> Option<Self> {
        let more = self.paging.advance(page.items.len(), page.cursor.clone());
        more.then_some(self)
    }

    fn binding(&self) -> Binding<'_> {
        Binding {
            table: &self.table.name,
            entity: E::ENTITY_TYPE,
            index: self.query.index,
            pk: &self.query.pk,
            sk: &self.query.sk,
            descending: self.descending,
        }
    }

    /// Whether another entity of the table can have items that this query's sort key
    /// condition selects (`PET#<id>` and `PET#<id>#VAX#<n>` in one partition).
    fn shares_prefix(&self) -> bool {
        let prefix = E::SCHEMA
            .key_schema(self.query.index)
            .and_then(|key| key.sk_prefix())
            .unwrap_or_default();
        self.table
            .schema
            .shares_prefix(E::ENTITY_TYPE, self.query.index, &self.query.pk, prefix)
    }

    /// Whether the items read are told apart by their keys: the index does not hold the
    /// entity-type attribute (keys only, or an INCLUDE list without it), so it cannot be
    /// filtered on.
    fn typed_by_key(&self) -> bool {
        let typed = !E::SCHEMA.type_attribute.is_empty();
        let index = self.query.index;
        typed && !self.table.schema.holds(index, E::SCHEMA.type_attribute)
    }

    /// The query of one page: a pure function of the request, reading `projection`'s
    /// attributes (all when `None`), from `start` on.
    pub(crate) fn spec<'s>(
        &'s self,
        projection: Option<&'s [&'static str]>,
        start: Option<Item>,
    ) -> Result<QuerySpec<'s>> {
        let index = self.query.index;
        let typed = !E::SCHEMA.type_attribute.is_empty();
        let mut filter = Vec::new();
        if typed && self.shares_prefix() && !self.typed_by_key() {
            // Another entity's items can match the sort key condition: read only this one's.
            let entity = AttributeValue::S(E::ENTITY_TYPE.to_owned());
            filter.push(Cond::equals(E::SCHEMA.type_attribute, entity));
        }
        if let Some(condition) = &self.filter {
            filter.push(condition.cond()?);
        }
        let query = &self.query;
        let key = key_of(self.table, index, &query.pk, &query.sk, &query.parts)?;
        Ok(QuerySpec {
            entity: E::ENTITY_TYPE,
            index,
            key,
            descending: self.descending,
            consistent: self.consistent,
            limit: self.paging.request_limit(),
            start,
            filter,
            ttl: self.table.expiring(E::SCHEMA.ttl),
            projection,
        })
    }

    /// Reads one page. Items whose TTL has passed are left out, so a page can hold fewer
    /// items than the page size, or none, and still have a cursor.
    pub async fn page(&self) -> Result<Page<E>>
    where
        E: Sync,
    {
        self.decoded_page(None, E::from_item).await
    }

    /// Reads one page of the attributes `projection` (all when `None`), each item decoded by
    /// `decode`.
    pub(crate) async fn decoded_page<T>(
        &self,
        projection: Option<&[&'static str]>,
        decode: fn(Item) -> Result<T>,
    ) -> Result<Page<T>> {
        self.paging.check()?;
        let start = self
            .table
            .resume(&self.binding(), self.paging.after.as_ref())?;
        let spec = self.spec(projection, start)?;
        let typed_by_key = self.typed_by_key();
        let index = self.query.index;
        let (mut items, last_key) = run_query(self.table, spec).await?;
        if typed_by_key {
            items = self.table.schema.type_by_key(&E::SCHEMA, index, items);
        }
        let items = items.into_iter().map(decode).collect::<Result<Vec<_>>>()?;
        let cursor = self
            .table
            .cursor_after(&self.binding(), last_key.as_ref())?;
        Ok(Page { items, cursor })
    }

    /// Reads every page (up to the [`limit`](Self::limit)) and returns all the entities.
    pub async fn all(self) -> Result<Vec<E>>
    where
        E: Sync,
    {
        let mut request = Some(self);
        let mut all = Vec::new();
        while let Some(current) = request {
            let page = current.page().await?;
            request = current.next(&page);
            all.extend(page.items);
        }
        Ok(all)
    }

    /// The pages, one request each, as a stream that ends after the last page.
    pub fn pages(self) -> impl Stream<Item = Result<Page<E>>> + 't
    where
        E: Sync + 't,
    {
        futures::stream::try_unfold(Some(self), |request| async move {
            let Some(request) = request else {
                return Ok(None);
            };
            let page = request.page().await?;
            let next = request.next(&page);
            Ok(Some((page, next)))
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::testing::*;

    #[test]
    fn a_query_selects_its_entitys_part_of_the_partition() {
        let table = table();
        let request = table.query(Pet::query("alice").unwrap());
        let spec = request.spec(None, None).unwrap();
        assert_eq!(
            query_text(&spec.input(&table).unwrap()),
            Text {
                key: Some("#n0 = :v0 AND begins_with(#n1, :v1)".into()),
                names: names(&[("#n0", "PK"), ("#n1", "SK")]),
                values: values(&[(":v0", s("USER#alice")), (":v1", s("PET#"))]),
                ..Text::default()
            }
        );
    }

    #[test]
    fn an_index_query_with_a_range_a_filter_and_a_projection() {
        let table = table();
        let f = Pet::fields();
        let query = Pet::query_gsi1("dog")
            .unwrap()
            .name_between("A".to_owned(), "M".to_owned())
            .unwrap();
        let request = table
            .query(query)
            .filter_after_read(f.visits.ge(2))
            .page_size(10)
            .descending();
        let spec = request.spec(Some(&["name", "visits"]), None).unwrap();
        let input = spec.input(&table).unwrap();
        assert_eq!(input.get_index_name().as_deref(), Some("GSI1"));
        assert_eq!(input.get_limit(), &Some(10));
        assert_eq!(input.get_scan_index_forward(), &Some(false));
        assert_eq!(
            query_text(&input),
            Text {
                key: Some("#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2".into()),
                filter: Some("#n2 >= :v3".into()),
                projection: Some("#n3, #n2, #n4, #n5, #n0, #n1, #n6".into()),
                names: names(&[
                    ("#n0", "GSI1PK"),
                    ("#n1", "GSI1SK"),
                    ("#n2", "visits"),
                    ("#n3", "name"),
                    ("#n4", "PK"),
                    ("#n5", "SK"),
                    ("#n6", "Type"),
                ]),
                values: values(&[
                    (":v0", s("SPECIES#dog")),
                    (":v1", s("NAME#A")),
                    (":v2", s("NAME#M")),
                    (":v3", n("2")),
                ]),
                ..Text::default()
            }
        );
    }
}
