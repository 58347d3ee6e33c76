//! The typed query: one partition of one index, for one entity type, and the sort key (or
//! multi-attribute key) condition on it.

use std::marker::PhantomData;

use super::key_condition::{parts_condition, KeyPart, SortKeyCondition};
use super::render::{show, value_text};
use crate::model::entity::Entity;
use crate::model::index::Index;

/// What to read: one partition of one index, for one entity type.
///
/// Built by the generated `Pet::query(owner_id)` / `Pet::query_gsi1(pet_id)`, whose parameters
/// are the partition key's placeholders, so a query without its partition does not compile. By
/// default the sort key condition selects the entity's items only: `begins_with` the literal
/// start of its sort key template (`PET#` for `PET#<pet_id>`), or equality when the template is
/// all literal.
pub struct Query<E> {
    pub(crate) index: Index,
    pub(crate) pk: String,
    pub(crate) sk: SortKeyCondition,
    /// Whether the sort key condition was asked for (a range), rather than the entity's
    /// default prefix: a collection query keeps only an asked-for one.
    ranged: bool,
    /// For a multi-attribute index: the key condition, attribute by attribute (`pk` then
    /// describes it).
    pub(crate) parts: Vec<KeyPart>,
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
    /// A query of the partition `pk` of `index`, selecting the entity's items by default.
    pub(crate) fn new(index: Index, pk: String) -> Self {
        let template = E::SCHEMA.key_schema(index);
        let sk = match template.and_then(|t| t.sk.as_ref()) {
            Some(sk) if sk.is_literal() => SortKeyCondition::Eq(sk.text.to_owned()),
            Some(sk) if !sk.prefix().is_empty() => {
                SortKeyCondition::BeginsWith(sk.prefix().to_owned())
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

    /// A query of a multi-attribute index, its partition attributes given.
    pub(crate) fn multi(index: Index, partition: Vec<KeyPart>) -> Self {
        let mut query = Query {
            index,
            pk: String::new(),
            sk: SortKeyCondition::Any,
            ranged: false,
            parts: Vec::new(),
            entity: PhantomData,
        };
        for part in partition {
            query.push_part(part);
        }
        query
    }

    /// One more attribute of a multi-attribute key condition.
    pub(crate) fn push_part(&mut self, part: KeyPart) {
        self.parts.push(part);
        // The partition is described by the whole condition, values shown as they are: what
        // its cursors are bound to.
        self.pk = show(&parts_condition(&self.parts), |_, v| value_text(v));
    }

    /// The key condition of a multi-attribute index, attribute by attribute (empty for an
    /// index keyed by key templates).
    pub fn key_parts(&self) -> &[KeyPart] {
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
    pub fn sort_key(mut self, condition: SortKeyCondition) -> Self {
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
