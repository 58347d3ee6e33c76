//! Item collections: several entity types in one partition, read by one query.

use std::marker::PhantomData;

use futures::Stream;

use crate::attribute::is_expired;
use crate::cursor::{self, Binding, Cursor};
use crate::range::SortKeyCondition;
use crate::read::{read_item, run_query, Paging, QuerySpec};
use crate::{Entity, Error, Index, Item, Key, Query, Result, Table};

/// An enum whose variants are entities sharing a partition; implemented by
/// `#[derive(Collection)]`.
///
/// ```no_run
/// use dynamo_entity::{Collection, Entity, Table};
///
/// #[derive(Entity)]
/// #[pk = "USER#<username>"]
/// #[sk = "PROFILE"]
/// struct User { username: String, email: String }
///
/// #[derive(Entity)]
/// #[pk = "USER#<owner>"]
/// #[sk = "PET#<pet_id>"]
/// struct Pet { owner: String, pet_id: String }
///
/// #[derive(Collection)]
/// enum UserPage {
///     User(User),
///     Pet(Pet),
/// }
///
/// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
/// // One query for the user and their pets; the partition comes from any member's query.
/// let page = table.query_collection::<UserPage, _>(User::query("alice")?).all().await?;
/// let UserPageParts { user, pet } = UserPage::split(page.items);
/// # Ok(()) }
/// ```
pub trait Collection: Sized {
    /// The collection's name (the enum's).
    const NAME: &'static str;
    /// The GSI it is read from, for a collection declared with `#[dynamo(index = "gsi1")]`
    /// (its members' shapes are checked there, and only queries of that index read it).
    /// `None`: its shapes are checked on the table, and any index whose partitions its members
    /// share can read it.
    const INDEX: Option<Index> = None;
    /// The entity types of its variants.
    const ENTITY_TYPES: &'static [&'static str];

    /// The attributes a query of the collection reads, when every variant is a projection
    /// (`#[dynamo(projection)]`); `None`: whole items.
    fn attributes() -> Option<Vec<&'static str>> {
        None
    }

    /// The variant an item belongs to, by its entity-type attribute; `None` for an item of
    /// another entity type.
    fn from_item(item: Item) -> Result<Option<Self>>;
}

/// Marks an entity as a variant of collection `C`; implemented by `#[derive(Collection)]`, so
/// that only a member's query can start a collection query.
pub trait Member<C: Collection>: Entity {}

/// The entity-type attribute's value, if the item has one.
#[doc(hidden)]
pub fn entity_type_of<'i>(item: &'i Item, attribute: &str) -> Option<&'i str> {
    match item.get(attribute) {
        Some(aws_sdk_dynamodb::types::AttributeValue::S(s)) => Some(s),
        _ => None,
    }
}

/// The partition key template of `keys` in `index`; empty when the entity has no key there.
/// Const, for the derive's compile-time checks.
#[doc(hidden)]
pub const fn partition_template(keys: &[crate::KeySchema], index: Index) -> &'static str {
    let mut i = 0;
    while i < keys.len() {
        if crate::layout::same_index(keys[i].index, index) {
            return keys[i].pk;
        }
        i += 1;
    }
    ""
}

/// Whether two key templates have the same shape: equal literal text, placeholders in the same
/// places (their names may differ: `USER#<username>` and `USER#<owner>` do). Const, so the
/// derive can check a collection at compile time.
#[doc(hidden)]
pub const fn same_key_shape(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b'<' && b[j] == b'<' {
            while i < a.len() && a[i] != b'>' {
                i += 1;
            }
            while j < b.len() && b[j] != b'>' {
                j += 1;
            }
        } else if a[i] != b[j] || a[i] == b'<' || b[j] == b'<' {
            return false;
        }
        i += 1;
        j += 1;
    }
    i >= a.len() && j >= b.len()
}

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
        let item = read_item(table, C::NAME, &self.key, self.consistent).await?;
        let now = table.read_now();
        let ttl = table.schema.ttl_attribute.as_deref();
        let Some(item) = item.filter(|item| !is_expired(item, ttl, now)) else {
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
    parts: Vec<crate::multikey::KeyPart>,
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

    crate::read::query_options!();

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
            return Err(Error::InvalidRequest(format!(
                "collection {} is read from {}, but the query given is of {}",
                C::NAME,
                name(index),
                name(self.index)
            )));
        }
        let start = match &self.paging.after {
            Some(cursor) => Some(cursor::decode(
                self.table.cursor_key.as_ref(),
                &self.binding(),
                cursor,
            )?),
            None => None,
        };
        let attributes = C::attributes();
        let spec = QuerySpec {
            entity: C::NAME,
            index: self.index,
            pk: &self.pk,
            sk: &self.sk,
            descending: self.descending,
            consistent: self.consistent,
            limit: self.paging.request_limit(),
            start,
            filter: None,
            ttl: self.table.schema.ttl_attribute.as_deref(),
            projection: attributes.as_deref(),
            parts: &self.parts,
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
        let cursor = match last_key {
            Some(key) => Some(cursor::encode(
                self.table.cursor_key.as_ref(),
                &self.binding(),
                &key,
            )?),
            None => None,
        };
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

#[cfg(test)]
mod tests {
    use super::same_key_shape;

    #[test]
    fn shapes_compare_literals_and_placeholder_positions() {
        assert!(same_key_shape("USER#<username>", "USER#<owner_id>"));
        assert!(same_key_shape("A#<x>#B#<y>", "A#<p>#B#<q>"));
        assert!(!same_key_shape("USER#<id>", "ACCOUNT#<id>"));
        assert!(!same_key_shape("USER#<id>", "USER#<id>#X"));
        assert!(!same_key_shape("USER#<id>", "USER#X"));
        assert!(!same_key_shape("A#<x>#<y>", "A#<x>"));
        assert!(same_key_shape("CONFIG", "CONFIG"));
    }
}
