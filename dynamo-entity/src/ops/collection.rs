//! Item collections: several entity types in one partition, read by one query.

use std::marker::PhantomData;

use futures::Stream;

use super::read::get::Read;
use super::read::paging::{query_options, Paging};
use super::read::query::{key_of, run_query, QuerySpec};
use crate::error::{Error, InvalidRequestKind, Result};
use crate::expr::key_condition::{KeyPart, SortKeyCondition};
use crate::expr::query::Query;
use crate::item::Key;
use crate::model::collection::{entity_type_of, Collection, Member};
use crate::model::index::Index;
use crate::runtime::cursor::{Binding, Cursor};
use crate::runtime::table::Table;

impl Table {
    /// Reads a whole partition as a typed mix of the collection's entities, in sort key order.
    /// The partition is given by any member's query (`User::query("alice")?`), on the base
    /// table or a GSI; items of entity types outside the collection are an error unless
    /// [`skip_unknown`](CollectionRequest::skip_unknown) is asked for.
    pub fn query_collection<C: Collection, E: Member<C>>(
        &self,
        query: impl Into<Query<E>>,
    ) -> CollectionRequest<'_, C> {
        let query = query.into();
        CollectionRequest {
            table: self,
            index: query.index(),
            pk: query.partition_key().to_owned(),
            sk: query.range().cloned().unwrap_or(SortKeyCondition::Any),
            parts: query.key_parts().to_vec(),
            paging: Paging::default(),
            descending: false,
            consistent: false,
            skip_unknown: false,
            collection: PhantomData,
        }
    }
}

impl Table {
    /// Reads the item under `key` as whichever of the collection's entities it is, in one
    /// GetItem: for keys that hold one of several entity types (an account that is a user or an
    /// organization; see [`TableSchema::entity_sharing_keys`](crate::TableSchema::entity_sharing_keys)).
    /// `None` when there is no live item; an item of a type outside the collection is an
    /// [`Error::EntityTypeMismatch`].
    ///
    /// ```no_run
    /// # use dynamo_entity::{Collection, Entity, Table};
    /// # #[derive(Entity)] #[pk = "ACCOUNT#<name>"] #[sk = "ACCOUNT"]
    /// # struct User { name: String, email: String }
    /// # #[derive(Entity)] #[pk = "ACCOUNT#<name>"] #[sk = "ACCOUNT"]
    /// # struct Organization { name: String, members: u32 }
    /// #[derive(Collection)]
    /// enum Account {
    ///     User(User),
    ///     Organization(Organization),
    /// }
    ///
    /// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
    /// match table.get_collection::<Account>(User::primary_key("rust-lang")?).await? {
    ///     Some(Account::User(user)) => println!("user {}", user.email),
    ///     Some(Account::Organization(org)) => println!("org of {}", org.members),
    ///     None => println!("no such account"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get_collection<C: Collection>(&self, key: Key) -> GetCollection<'_, C> {
        GetCollection {
            table: self,
            key,
            consistent: false,
            collection: PhantomData,
        }
    }
}

/// A get into a [`Collection`]; await it (or call [`send`](Self::send)).
#[must_use = "a get does nothing until awaited"]
pub struct GetCollection<'t, C> {
    table: &'t Table,
    key: Key,
    consistent: bool,
    collection: PhantomData<fn() -> C>,
}

impl<C: Collection> GetCollection<'_, C> {
    /// Read with strong consistency (twice the read capacity).
    pub fn consistent_read(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Sends the request. An item whose TTL has passed is not returned.
    pub async fn send(self) -> Result<Option<C>> {
        let table = self.table;
        let read = Read::whole(C::NAME, table.schema.ttl_attribute.as_deref());
        let Some(item) = read.live(table, &self.key, self.consistent).await? else {
            return Ok(None);
        };
        let found = entity_type_of(&item, &table.schema.type_attribute).map(str::to_owned);
        match C::from_item(item)? {
            Some(value) => Ok(Some(value)),
            None => Err(Error::EntityTypeMismatch {
                expected: C::NAME,
                attribute: table.schema.layout.type_attribute,
                found,
            }),
        }
    }
}

impl<'t, C: Collection + Send + 't> std::future::IntoFuture for GetCollection<'t, C> {
    type Output = Result<Option<C>>;
    type IntoFuture =
        std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 't>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A page of a collection.
#[derive(Debug, Clone)]
pub struct CollectionPage<C> {
    /// The items, each as its variant.
    pub items: Vec<C>,
    /// Items of entity types outside the collection that were skipped.
    pub skipped: usize,
    /// Where the next page starts; `None` on the last page (and for [`CollectionRequest::all`]).
    pub cursor: Option<Cursor>,
}

/// A collection query; read one [`page`](Self::page), [`all`](Self::all), or
/// [`pages`](Self::pages).
#[must_use = "a query does nothing until a page is read"]
pub struct CollectionRequest<'t, C> {
    table: &'t Table,
    index: Index,
    pk: String,
    /// For a multi-attribute index: the key condition.
    parts: Vec<KeyPart>,
    sk: SortKeyCondition,
    paging: Paging,
    descending: bool,
    consistent: bool,
    skip_unknown: bool,
    collection: PhantomData<fn() -> C>,
}

impl<'t, C: Collection> CollectionRequest<'t, C> {
    /// Items of other entity types are skipped and counted (in [`CollectionPage::skipped`])
    /// instead of failing the read.
    pub fn skip_unknown(mut self) -> Self {
        self.skip_unknown = true;
        self
    }

    query_options!();

    /// Reads only the items whose sort keys meet `condition`, in place of the whole partition
    /// (or of the range the member's query asked for): a repository and its newest issues,
    /// without its stars, is `Le` the repository's own sort key, read descending. `limit` and
    /// pages then count the items in that range.
    ///
    /// ```no_run
    /// # use dynamo_entity::{Collection, Entity, SortKeyCondition, Table};
    /// # #[derive(Entity)] #[pk = "REPO#<repo>"] #[sk = "REPO#<repo>"] struct Repo { repo: String }
    /// # #[derive(Entity)] #[pk = "REPO#<repo>"] #[sk = "ISSUE#<number>"] struct Issue { repo: String, number: u32 }
    /// # #[derive(Entity)] #[pk = "REPO#<repo>"] #[sk = "STAR#<user>"] struct Star { repo: String, user: String }
    /// # #[derive(Collection)] enum RepoPage { Repo(Repo), Issue(Issue), Star(Star) }
    /// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
    /// let repo_sk = Repo::primary_key("serde")?.sk.unwrap_or_default();
    /// let newest = table
    ///     .query_collection::<RepoPage, _>(Repo::query("serde")?)
    ///     .sort_key(SortKeyCondition::Le(repo_sk))
    ///     .descending()
    ///     .limit(11) // the repository and its 10 newest issues
    ///     .all()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn sort_key(mut self, condition: SortKeyCondition) -> Self {
        self.sk = condition;
        self
    }

    fn binding(&self) -> Binding<'_> {
        Binding {
            table: &self.table.name,
            entity: C::NAME,
            index: self.index,
            pk: &self.pk,
            sk: &self.sk,
            descending: self.descending,
        }
    }

    /// Reads one page.
    pub async fn page(&self) -> Result<CollectionPage<C>> {
        self.paging.check()?;
        if let Some(index) = C::INDEX.filter(|index| *index != self.index) {
            let schema = &self.table.schema;
            let name = |index: Index| {
                schema
                    .index_name(index)
                    .unwrap_or_else(|| "the table".to_owned())
            };
            return Err(Error::invalid(
                InvalidRequestKind::Index,
                format!(
                    "collection {} is read from {}, but the query given is of {}",
                    C::NAME,
                    name(index),
                    name(self.index)
                ),
            ));
        }
        let start = self
            .table
            .resume(&self.binding(), self.paging.after.as_ref())?;
        let attributes = C::attributes();
        let spec = QuerySpec {
            entity: C::NAME,
            index: self.index,
            key: key_of(self.table, self.index, &self.pk, &self.sk, &self.parts)?,
            descending: self.descending,
            consistent: self.consistent,
            limit: self.paging.request_limit(),
            start,
            filter: Vec::new(),
            ttl: self.table.schema.ttl_attribute.as_deref(),
            projection: attributes.as_deref(),
        };
        let (raw, last_key) = run_query(self.table, spec).await?;
        let mut items = Vec::with_capacity(raw.len());
        let mut skipped = 0;
        for item in raw {
            let found = entity_type_of(&item, &self.table.schema.type_attribute).map(str::to_owned);
            match C::from_item(item)? {
                Some(value) => items.push(value),
                None if self.skip_unknown => skipped += 1,
                None => {
                    return Err(Error::EntityTypeMismatch {
                        expected: C::NAME,
                        attribute: self.table.schema.layout.type_attribute,
                        found,
                    })
                }
            }
        }
        let cursor = self
            .table
            .cursor_after(&self.binding(), last_key.as_ref())?;
        Ok(CollectionPage {
            items,
            skipped,
            cursor,
        })
    }

    /// Reads every page (up to the limit): all the items, and how many were skipped.
    pub async fn all(self) -> Result<CollectionPage<C>>
    where
        C: Send,
    {
        let mut request = Some(self);
        let mut all = CollectionPage {
            items: Vec::new(),
            skipped: 0,
            cursor: None,
        };
        while let Some(mut current) = request {
            let page = current.page().await?;
            all.skipped += page.skipped;
            request = current
                .paging
                .advance(page.items.len(), page.cursor.clone())
                .then_some(current);
            all.items.extend(page.items);
        }
        Ok(all)
    }

    /// The pages as a stream that ends after the last page.
    pub fn pages(self) -> impl Stream<Item = Result<CollectionPage<C>>> + 't
    where
        C: Send + 't,
    {
        futures::stream::try_unfold(Some(self), |request| async move {
            let Some(mut request) = request else {
                return Ok(None);
            };
            let page = request.page().await?;
            let more = request
                .paging
                .advance(page.items.len(), page.cursor.clone());
            Ok(Some((page, more.then_some(request))))
        })
    }
}
