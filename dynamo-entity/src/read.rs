//! Reads: get by key, and typed queries with pages, cursors and streams.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;
use futures::Stream;

use crate::attribute::is_expired;
use crate::condition::Condition;
use crate::cost::Capacity;
use crate::cursor::{self, Binding, Cursor};
use crate::expression::Expressions;
use crate::range::SortKeyCondition;
use crate::{Entity, Index, Item, Key, Result, Table};

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
        let item = read_item(self.table, E::ENTITY_TYPE, &self.key, self.consistent).await?;
        let now = self.table.read_now();
        item.filter(|item| !is_expired(item, E::SCHEMA.ttl, now))
            .map(E::from_item)
            .transpose()
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
    read_projected(table, entity, key, consistent, None, None).await
}

/// A projection expression for `attributes`, with what reads check besides (the table's key
/// attributes, the entity-type attribute, `ttl`), and its `#p` names (the key condition has
/// `#pk`/`#sk`, a filter `#n`: they never clash).
pub(crate) fn projection_expression(
    table: &Table,
    index: Index,
    attributes: &[&str],
    ttl: Option<&str>,
) -> (String, std::collections::HashMap<String, String>) {
    let schema = &table.schema;
    let mut wanted: Vec<&str> = Vec::with_capacity(attributes.len() + 4);
    // The checks' attributes, where the index holds them.
    let checked = [Some(schema.type_attribute.as_str()), ttl]
        .into_iter()
        .flatten()
        .filter(|name| !name.is_empty() && schema.holds(index, name));
    // The table's keys, and the index's: an index without the entity-type attribute tells
    // entities apart by their keys there.
    let (index_pk, index_sk) = schema.key_attributes(index).unwrap_or_default();
    let extra = [
        Some(schema.partition_key.as_str()),
        schema.sort_key.as_deref(),
        Some(index_pk).filter(|_| index != Index::Primary),
        index_sk.filter(|_| index != Index::Primary),
    ];
    for name in attributes
        .iter()
        .copied()
        .chain(extra.into_iter().flatten())
        .chain(checked)
    {
        if !wanted.contains(&name) {
            wanted.push(name);
        }
    }
    let mut names = std::collections::HashMap::with_capacity(wanted.len());
    let mut placeholders = Vec::with_capacity(wanted.len());
    for (i, name) in wanted.into_iter().enumerate() {
        let placeholder = format!("#p{i}");
        names.insert(placeholder.clone(), name.to_owned());
        placeholders.push(placeholder);
    }
    (placeholders.join(", "), names)
}

/// As [`read_item`], reading only `projection`'s attributes (with the entity-type attribute and
/// `ttl`, which the read checks) when there is one.
pub(crate) async fn read_projected(
    table: &Table,
    entity: &str,
    key: &Key,
    consistent: bool,
    projection: Option<&[&'static str]>,
    ttl: Option<&str>,
) -> Result<Option<Item>> {
    let span = table.span("GetItem", Some(entity), None);
    let mut request = table
        .client
        .get_item()
        .table_name(&table.name)
        .set_key(Some(table.schema.key_item(key)))
        .consistent_read(consistent);
    if let Some(attributes) = projection {
        let (expression, names) = projection_expression(table, Index::Primary, attributes, ttl);
        request = request
            .projection_expression(expression)
            .set_expression_attribute_names(Some(names));
    }
    let request = request
        .set_return_consumed_capacity(table.consumed_capacity())
        .send();
    let output = table.sent(Capacity::Read, &span, request).await;
    table.record("GetItem", &output, |event, output| {
        event.entity = Some(entity.to_owned());
        event.target("GetItem", Index::Primary, Some(key.pk.clone()));
        if let Some(item) = output.and_then(|o| o.item.as_ref()) {
            event.observe_items(table, std::slice::from_ref(item));
        }
    });
    Ok(output.map_err(|e| crate::request_error("GetItem", e))?.item)
}

crate::into_future!(Get, Option<E>);

/// What to read: one partition of one index, for one entity type.
///
/// Built by the generated `Pet::query(owner_id)` / `Pet::query_gsi1(pet_id)`, whose parameters
/// are the partition key's placeholders, so a query without its partition does not compile. By
/// default the sort key condition selects the entity's items only: `begins_with` the literal
/// start of its sort key template (`PET#` for `PET#<pet_id>`), or equality when the template is
/// all literal.
pub struct Query<E> {
    index: Index,
    pk: String,
    sk: SortKeyCondition,
    /// Whether the sort key condition was asked for (a range), rather than the entity's
    /// default prefix: a collection query keeps only an asked-for one.
    ranged: bool,
    /// For a multi-attribute index: the key condition, attribute by attribute (`pk` then
    /// describes it).
    parts: Vec<crate::multikey::KeyPart>,
    entity: PhantomData<fn() -> E>,
}

// By hand: a derive would require `E: Clone` / `E: Debug`, which a query never needs.
impl<E> Clone for Query<E> {
    fn clone(&self) -> Self {
        Query {
            index: self.index,
            pk: self.pk.clone(),
            sk: self.sk.clone(),
            ranged: self.ranged,
            parts: self.parts.clone(),
            entity: PhantomData,
        }
    }
}

impl<E: Entity> std::fmt::Debug for Query<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("entity", &E::ENTITY_TYPE)
            .field("index", &self.index)
            .field("pk", &self.pk)
            .field("sk", &self.sk)
            .finish()
    }
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
            ranged: false,
            parts: Vec::new(),
            entity: PhantomData,
        }
    }

    /// Used by generated code: a query of a multi-attribute index, its partition attributes
    /// given.
    #[doc(hidden)]
    pub fn __multi(index: Index, partition: Vec<crate::multikey::KeyPart>) -> Self {
        let mut query = Query {
            index,
            pk: String::new(),
            sk: SortKeyCondition::Any,
            ranged: false,
            parts: Vec::new(),
            entity: PhantomData,
        };
        for part in partition {
            query.__push_part(part);
        }
        query
    }

    /// Used by generated code: one more attribute of a multi-attribute key condition.
    #[doc(hidden)]
    pub fn __push_part(&mut self, part: crate::multikey::KeyPart) {
        if !self.pk.is_empty() {
            self.pk.push_str(" AND ");
        }
        self.pk.push_str(&part.describe());
        self.parts.push(part);
    }

    /// The key condition of a multi-attribute index, attribute by attribute (empty for an
    /// index keyed by key templates).
    pub fn key_parts(&self) -> &[crate::multikey::KeyPart] {
        &self.parts
    }

    /// Reads only the items whose sort keys meet `condition`, given as key text: for sort keys
    /// that the typed methods cannot narrow (a computed part, a layout that already exists).
    /// Items of other entity types that the condition reaches are left out, as with every
    /// entity query.
    ///
    /// ```
    /// use dynamo_entity::{Entity, SortKeyCondition};
    ///
    /// #[derive(Entity)]
    /// #[pk = "REPO#<repo>"]
    /// #[sk = "ISSUE#<number:7>"]
    /// struct Issue { repo: String, number: u32 }
    ///
    /// let query = dynamo_entity::Query::from(Issue::query("dynamo")?)
    ///     .sort_key(SortKeyCondition::BeginsWith("ISSUE#00000".into()));
    /// assert_eq!(query.sort_key_condition(), &SortKeyCondition::BeginsWith("ISSUE#00000".into()));
    /// # Ok::<(), dynamo_entity::Error>(())
    /// ```
    pub fn sort_key(self, condition: SortKeyCondition) -> Self {
        self.__with_sort_key(condition)
    }

    /// Used by generated code: the sort key condition built from the template.
    #[doc(hidden)]
    pub fn __with_sort_key(mut self, condition: SortKeyCondition) -> Self {
        self.sk = condition;
        self.ranged = true;
        self
    }

    /// Sets the entity's default sort key condition (not one asked for).
    pub(crate) fn with_default_sort_key(mut self, condition: SortKeyCondition) -> Self {
        self.sk = condition;
        self
    }

    /// The sort key condition asked for with a range method, if any (not the entity's default
    /// prefix).
    pub(crate) fn range(&self) -> Option<&SortKeyCondition> {
        self.ranged.then_some(&self.sk)
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

/// The reading options shared by entity and collection queries (fields `paging`, `descending`,
/// `consistent`).
macro_rules! query_options {
    () => {
        /// At most `n` items per page (DynamoDB's `Limit`: items read per request).
        pub fn page_size(mut self, n: u32) -> Self {
            self.paging.page_size(n);
            self
        }

        /// At most `n` entities in all (across pages for [`all`](Self::all) and
        /// [`pages`](Self::pages)). Each request asks DynamoDB for no more than are still wanted,
        /// so the cursor of the last page resumes right after the last entity returned.
        pub fn limit(mut self, n: u32) -> Self {
            self.paging.limit = Some(n);
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
            self.paging.after = Some(cursor);
            self
        }
    };
}
pub(crate) use query_options;

/// Page size, overall limit and starting cursor, shared by entity and collection queries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Paging {
    pub page_size: Option<i32>,
    /// Items still wanted, when a limit was set.
    pub limit: Option<u32>,
    pub after: Option<Cursor>,
}

impl Paging {
    pub fn page_size(&mut self, n: u32) {
        self.page_size = Some(i32::try_from(n).unwrap_or(i32::MAX));
    }

    /// Refuses what DynamoDB would: a page of no items (`Limit` must be at least 1).
    pub fn check(&self) -> Result<()> {
        if self.page_size == Some(0) {
            return Err(crate::Error::InvalidRequest(
                "page_size(0): a page holds at least one item".to_owned(),
            ));
        }
        if self.limit == Some(0) {
            return Err(crate::Error::InvalidRequest(
                "limit(0) asks for no item; leave the query out instead".to_owned(),
            ));
        }
        Ok(())
    }

    /// DynamoDB's `Limit` for the next request: the page size, capped by what is still wanted.
    pub fn request_limit(&self) -> Option<i32> {
        let wanted = self.limit.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
        match (self.page_size, wanted) {
            (Some(size), Some(wanted)) => Some(size.min(wanted)),
            (size, wanted) => size.or(wanted),
        }
    }

    /// Moves past a page of `returned` items ending at `cursor`; false when nothing more is to
    /// be read.
    pub fn advance(&mut self, returned: usize, cursor: Option<Cursor>) -> bool {
        if let Some(wanted) = self.limit.as_mut() {
            *wanted = wanted.saturating_sub(u32::try_from(returned).unwrap_or(u32::MAX));
            if *wanted == 0 {
                return false;
            }
        }
        self.after = cursor;
        self.after.is_some()
    }
}

/// One Query request, whatever decodes its items.
pub(crate) struct QuerySpec<'q> {
    /// The entity (or collection) read, for the request's span.
    pub entity: &'q str,
    pub index: Index,
    pub pk: &'q str,
    pub sk: &'q SortKeyCondition,
    pub descending: bool,
    pub consistent: bool,
    pub limit: Option<i32>,
    pub start: Option<Item>,
    /// A filter expression with its placeholders.
    pub filter: Option<(String, Expressions)>,
    /// The TTL attribute: expired items are dropped.
    pub ttl: Option<&'q str>,
    /// For a projected read: the attributes to read (`ProjectionExpression`).
    pub projection: Option<&'q [&'static str]>,
    /// For a multi-attribute index: the key condition, in place of `pk` and `sk`.
    pub parts: &'q [crate::multikey::KeyPart],
}

/// Sends one Query: the live items (expired ones dropped) and the key to continue from.
pub(crate) async fn run_query(
    table: &Table,
    spec: QuerySpec<'_>,
) -> Result<(Vec<Item>, Option<Item>)> {
    let index = spec.index;
    let index_name = table.schema.index_name(index);
    table
        .schema
        .check_readable(spec.entity, index, spec.projection)?;
    let s = |v: &str| AttributeValue::S(v.to_owned());
    let mut request = table
        .client
        .query()
        .table_name(&table.name)
        .set_index_name(index_name.clone())
        .scan_index_forward(!spec.descending)
        .consistent_read(spec.consistent)
        .set_limit(spec.limit)
        .set_exclusive_start_key(spec.start);
    let sk_expression = match spec.sk {
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
        _ if !spec.parts.is_empty() => {
            let (mut names, mut values) = (Vec::new(), Vec::new());
            let condition: Vec<String> = spec
                .parts
                .iter()
                .enumerate()
                .map(|(n, part)| part.render(n, &mut names, &mut values))
                .collect();
            for (placeholder, name) in names {
                request = request.expression_attribute_names(placeholder, name);
            }
            for (placeholder, value) in values {
                request = request.expression_attribute_values(placeholder, value);
            }
            request.key_condition_expression(condition.join(" AND "))
        }
        None => {
            let (pk_name, _) = table.schema.query_attributes(index)?;
            request
                .expression_attribute_names("#pk", pk_name)
                .expression_attribute_values(":pk", s(spec.pk))
                .key_condition_expression("#pk = :pk")
        }
        Some((expression, value, high)) => {
            let (pk_name, sk_name) = table.schema.query_attributes(index)?;
            let mut request = request
                .expression_attribute_names("#pk", pk_name)
                .expression_attribute_values(":pk", s(spec.pk))
                .key_condition_expression(format!("#pk = :pk AND {expression}"))
                .expression_attribute_names("#sk", sk_name)
                .expression_attribute_values(":sk", s(value));
            if let Some(high) = high {
                request = request.expression_attribute_values(":hi", s(high));
            }
            request
        }
    };
    let filtered = spec.filter.is_some();
    if spec.projection.is_none() && table.schema.index(index).is_some_and(|i| i.local) {
        // A local index returns what it holds unless asked for all: DynamoDB fetches the rest
        // from the table.
        request = request.select(aws_sdk_dynamodb::types::Select::AllAttributes);
    }
    if let Some(attributes) = spec.projection {
        let (expression, names) = projection_expression(table, index, attributes, spec.ttl);
        for (placeholder, name) in names {
            request = request.expression_attribute_names(placeholder, name);
        }
        request = request.projection_expression(expression);
    }
    if let Some((expression, exprs)) = spec.filter {
        let (names, values) = exprs.into_maps();
        for (placeholder, name) in names.unwrap_or_default() {
            request = request.expression_attribute_names(placeholder, name);
        }
        for (placeholder, value) in values.unwrap_or_default() {
            request = request.expression_attribute_values(placeholder, value);
        }
        request = request.filter_expression(expression);
    }
    let span = table.span("Query", Some(spec.entity), index_name.as_deref());
    let request = request
        .set_return_consumed_capacity(table.consumed_capacity())
        .send();
    let output = table.sent(Capacity::Read, &span, request).await;
    table.record("Query", &output, |event, output| {
        event.entity = Some(spec.entity.to_owned());
        event.index = index;
        event.target("Query", index, Some(spec.pk.to_owned()));
        event.sort_condition = crate::design::describe_sort(spec.sk);
        if !spec.parts.is_empty() {
            let parts: Vec<String> = spec.parts.iter().map(|p| p.template()).collect();
            event.multi_condition = Some(parts.join(" AND "));
        }
        event.filtered = filtered;
        if let Some(output) = output {
            event.returned = output.count.max(0) as u64;
            event.scanned = output.scanned_count.max(0) as u64;
            event.observe_items(table, output.items());
        }
    });
    let output = output.map_err(|e| crate::request_error("Query", e))?;
    let now = table.read_now();
    let items: Vec<Item> = output
        .items
        .unwrap_or_default()
        .into_iter()
        .filter(|item| !is_expired(item, spec.ttl, now))
        .collect();
    span.record("items", items.len());
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

    crate::read::query_options!();

    /// The request for the page after `page`, or `None` when there is nothing more to read.
    pub(crate) fn next<T>(mut self, page: &Page<T>) -> Option<Self> {
        let more = self.paging.advance(page.items.len(), page.cursor.clone());
        more.then_some(self)
    }

    fn binding(&self) -> Binding<'_> {
        Binding {
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
        let start = match &self.paging.after {
            Some(cursor) => Some(cursor::decode(
                self.table.cursor_key.as_ref(),
                &self.binding(),
                cursor,
            )?),
            None => None,
        };
        let mut exprs = Expressions::default();
        // An index that does not hold the entity-type attribute (keys only, or an INCLUDE list
        // without it) cannot be filtered on it: its items are told apart by their keys.
        let index = self.query.index;
        let typed = !E::SCHEMA.type_attribute.is_empty();
        let typed_by_key = typed && !self.table.schema.holds(index, E::SCHEMA.type_attribute);
        if typed && self.shares_prefix() && !typed_by_key {
            // Another entity's items can match the sort key condition: read only this one's.
            let name = exprs.name(E::SCHEMA.type_attribute);
            let entity = exprs.value(AttributeValue::S(E::ENTITY_TYPE.to_owned()));
            exprs.require(format!("{name} = {entity}"));
        }
        if let Some(filter) = &self.filter {
            let condition = filter.render_clone_into(&mut exprs)?;
            exprs.require(condition);
        }
        let filter = exprs.condition().map(|expression| (expression, exprs));
        let spec = QuerySpec {
            entity: E::ENTITY_TYPE,
            index: self.query.index,
            pk: &self.query.pk,
            sk: &self.query.sk,
            descending: self.descending,
            consistent: self.consistent,
            limit: self.paging.request_limit(),
            start,
            filter,
            ttl: E::SCHEMA.ttl,
            projection,
            parts: &self.query.parts,
        };
        let (mut items, last_key) = run_query(self.table, spec).await?;
        if typed_by_key {
            items = self.table.schema.type_by_key(&E::SCHEMA, index, items);
        }
        let items = items.into_iter().map(decode).collect::<Result<Vec<_>>>()?;
        let cursor = match last_key {
            Some(key) => Some(cursor::encode(
                self.table.cursor_key.as_ref(),
                &self.binding(),
                &key,
            )?),
            None => None,
        };
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
