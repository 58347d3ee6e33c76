//! Reads: get by key, and typed queries with pages, cursors and streams.

use std::marker::PhantomData;
use std::time::SystemTime;

use aws_sdk_dynamodb::types::AttributeValue;
use futures::Stream;

use crate::attribute::is_expired;
use crate::cursor::{self, Binding, Cursor};
use crate::{clock, Entity, Index, Key, Result, Table};

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

    /// Runs a query built by an entity's generated `query` or `query_gsiN` function.
    ///
    /// There is deliberately no scan here: every read names a partition.
    pub fn query<E: Entity>(&self, query: Query<E>) -> QueryRequest<'_, E> {
        QueryRequest {
            table: self,
            query,
            page_size: None,
            descending: false,
            consistent: false,
            after: None,
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
        let table = self.table;
        let output = table
            .client
            .get_item()
            .table_name(&table.name)
            .set_key(Some(table.schema.key_item(&self.key)))
            .consistent_read(self.consistent)
            .send()
            .await
            .map_err(|e| crate::request_error("GetItem", e))?;
        let now = clock::epoch_seconds(SystemTime::now());
        output
            .item
            .filter(|item| !is_expired(item, E::SCHEMA.ttl, now))
            .map(E::from_item)
            .transpose()
    }
}

crate::into_future!(Get, Option<E>);

/// A condition on the sort key of a query, as key strings built from the entity's template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKeyCondition {
    /// No condition: the whole partition.
    Any,
    /// Sort key equal to the value.
    Eq(String),
    /// Sort key starting with the value.
    BeginsWith(String),
    /// Sort key between the two values, both included.
    Between(String, String),
    /// Sort key below the value.
    Lt(String),
    /// Sort key at or below the value.
    Le(String),
    /// Sort key above the value.
    Gt(String),
    /// Sort key at or above the value.
    Ge(String),
}

/// What to read: one partition of one index, for one entity type.
///
/// Built by the generated `Pet::query(owner_id)` / `Pet::query_gsi1(pet_id)`, whose parameters
/// are the partition key's placeholders, so a query without its partition does not compile. By
/// default the sort key condition selects the entity's items only: `begins_with` the literal
/// start of its sort key template (`PET#` for `PET#<pet_id>`), or equality when the template is
/// all literal.
#[derive(Debug, Clone)]
pub struct Query<E> {
    index: Index,
    pk: String,
    sk: SortKeyCondition,
    entity: PhantomData<fn() -> E>,
}

impl<E: Entity> Query<E> {
    /// Used by generated code; build queries with the entity's `query` functions.
    #[doc(hidden)]
    pub fn __new(index: Index, pk: String) -> Self {
        let template = E::SCHEMA.key_schema(index);
        let sk = match template.and_then(|t| t.sk.map(|sk| (sk, t.sk_prefix()))) {
            Some((sk, Some(prefix))) if prefix.len() == sk.len() => {
                SortKeyCondition::Eq(prefix.to_owned())
            }
            Some((_, Some(prefix))) if !prefix.is_empty() => {
                SortKeyCondition::BeginsWith(prefix.to_owned())
            }
            _ => SortKeyCondition::Any,
        };
        Query {
            index,
            pk,
            sk,
            entity: PhantomData,
        }
    }

    /// The index queried.
    pub fn index(&self) -> Index {
        self.index
    }

    /// The partition key value.
    pub fn partition_key(&self) -> &str {
        &self.pk
    }

    /// The sort key condition.
    pub fn sort_key_condition(&self) -> &SortKeyCondition {
        &self.sk
    }
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
    page_size: Option<i32>,
    descending: bool,
    consistent: bool,
    after: Option<Cursor>,
}

impl<'t, E: Entity> QueryRequest<'t, E> {
    /// At most `n` items per page (DynamoDB's `Limit`: items read per request).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(i32::try_from(n).unwrap_or(i32::MAX).max(1));
        self
    }

    /// Sort key descending (newest first for time-ordered keys).
    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }

    /// Strongly consistent reads (base table only; DynamoDB refuses them on a GSI).
    pub fn consistent_read(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Start after the page that returned `cursor`.
    pub fn after(mut self, cursor: Cursor) -> Self {
        self.after = Some(cursor);
        self
    }

    fn binding(&self) -> Binding<'_> {
        Binding {
            entity: E::ENTITY_TYPE,
            index: self.query.index,
            pk: &self.query.pk,
        }
    }

    /// Reads one page. Items whose TTL has passed are left out, so a page can hold fewer
    /// items than the page size, or none, and still have a cursor.
    pub async fn page(&self) -> Result<Page<E>> {
        let table = self.table;
        let index = self.query.index;
        let pk_name = match index {
            Index::Primary => table.schema.partition_key.clone(),
            Index::Gsi(_) => index.pk_attribute(),
        };
        let sk_name = match index {
            Index::Primary => table.schema.sort_key.clone().unwrap_or_default(),
            Index::Gsi(_) => index.sk_attribute(),
        };
        let start = match &self.after {
            Some(cursor) => Some(cursor::decode(&self.binding(), cursor)?),
            None => None,
        };
        let s = |v: &str| AttributeValue::S(v.to_owned());
        let mut request = table
            .client
            .query()
            .table_name(&table.name)
            .set_index_name(index.index_name())
            .expression_attribute_names("#pk", pk_name)
            .expression_attribute_values(":pk", s(&self.query.pk))
            .scan_index_forward(!self.descending)
            .consistent_read(self.consistent)
            .set_limit(self.page_size)
            .set_exclusive_start_key(start);
        let sk_expression = match &self.query.sk {
            SortKeyCondition::Any => None,
            SortKeyCondition::Eq(v) => Some(("#sk = :sk", v, None)),
            SortKeyCondition::BeginsWith(v) => Some(("begins_with(#sk, :sk)", v, None)),
            SortKeyCondition::Between(lo, hi) => Some(("#sk BETWEEN :sk AND :hi", lo, Some(hi))),
            SortKeyCondition::Lt(v) => Some(("#sk < :sk", v, None)),
            SortKeyCondition::Le(v) => Some(("#sk <= :sk", v, None)),
            SortKeyCondition::Gt(v) => Some(("#sk > :sk", v, None)),
            SortKeyCondition::Ge(v) => Some(("#sk >= :sk", v, None)),
        };
        request = match sk_expression {
            None => request.key_condition_expression("#pk = :pk"),
            Some((expression, value, high)) => {
                let mut request = request
                    .key_condition_expression(format!("#pk = :pk AND {expression}"))
                    .expression_attribute_names("#sk", sk_name)
                    .expression_attribute_values(":sk", s(value));
                if let Some(high) = high {
                    request = request.expression_attribute_values(":hi", s(high));
                }
                request
            }
        };
        let output = request
            .send()
            .await
            .map_err(|e| crate::request_error("Query", e))?;
        let now = clock::epoch_seconds(SystemTime::now());
        let items = output
            .items
            .unwrap_or_default()
            .into_iter()
            .filter(|item| !is_expired(item, E::SCHEMA.ttl, now))
            .map(E::from_item)
            .collect::<Result<Vec<_>>>()?;
        let cursor = match output.last_evaluated_key {
            Some(key) if !key.is_empty() => Some(cursor::encode(&self.binding(), &key)?),
            _ => None,
        };
        Ok(Page { items, cursor })
    }

    /// Reads every page and returns all the entities.
    pub async fn all(self) -> Result<Vec<E>> {
        let mut request = self;
        let mut all = Vec::new();
        loop {
            let page = request.page().await?;
            all.extend(page.items);
            match page.cursor {
                Some(cursor) => request = request.after(cursor),
                None => return Ok(all),
            }
        }
    }

    /// The pages, one request each, as a stream that ends after the last page.
    pub fn pages(self) -> impl Stream<Item = Result<Page<E>>> + 't
    where
        E: 't,
    {
        futures::stream::try_unfold(Some(self), |request| async move {
            let Some(request) = request else {
                return Ok(None);
            };
            let page = request.page().await?;
            let next = page.cursor.clone().map(|cursor| request.after(cursor));
            Ok(Some((page, next)))
        })
    }
}
