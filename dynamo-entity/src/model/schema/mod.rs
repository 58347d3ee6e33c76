//! The table's schema: its key attributes and indexes, as the entities registered need them,
//! and what reads and writes ask of it (which index holds what, which entity a key belongs to).

mod create;
mod register;

use aws_sdk_dynamodb::types::AttributeValue;

use super::entity::EntitySchema;
use super::index::Index;
use super::keyspace::KeySpace;
use super::layout::{IndexLayout, IndexProjection, Layout, TableLayout};
use super::multikey::KeyAttributeType;
use crate::codec::key_value::KeyDomain;
use crate::error::{Error, InvalidRequestKind, Result};
use crate::item::{Item, Key, PK_ATTRIBUTE, TYPE_ATTRIBUTE};

/// The key attributes of a table and its GSIs, as the registered entities need them.
///
/// Built from the entities that share the table; it is plain data, so the same definition can
/// create the table in tests and be exported for infrastructure-as-code
/// ([`create_table_input`](Self::create_table_input)).
///
/// ```
/// use dynamo_entity::{Entity, TableSchema};
///
/// #[derive(Entity)]
/// #[pk = "USER#<user_id>"]
/// #[sk = "PROFILE"]
/// #[gsi1(pk = "EMAIL#<email>", sk = "USER")]
/// struct User { user_id: String, email: String }
///
/// #[derive(Entity)]
/// #[pk = "USER#<owner_id>"]
/// #[sk = "PET#<pet_id>"]
/// struct Pet { owner_id: String, pet_id: String }
///
/// let schema = TableSchema::new().entity::<User>()?.entity::<Pet>()?;
/// assert_eq!(schema.sort_key.as_deref(), Some("SK"));
/// assert_eq!(schema.indexes.len(), 1);
/// assert_eq!(schema.indexes[0].name, "GSI1");
/// # Ok::<(), dynamo_entity::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableSchema {
    /// The partition key attribute (`PK`).
    pub partition_key: String,
    /// The sort key attribute (`SK`), if the entities have sort keys.
    pub sort_key: Option<String>,
    /// The secondary indexes: in the default layout the GSIs the entities use, in ascending
    /// number; in a declared layout every index it declares, in declaration order.
    pub indexes: Vec<IndexSchema>,
    /// The entity-type attribute (`Type`).
    pub type_attribute: String,
    /// The TTL attribute, if an entity has a `#[dynamo(ttl)]` field.
    pub ttl_attribute: Option<String>,
    /// The entity types registered, in registration order.
    pub entities: Vec<String>,
    /// Their schemas, for the checks between entities (colliding keys, shared prefixes).
    #[serde(skip)]
    pub(crate) schemas: Vec<EntitySchema>,
    /// For each of them, what values each key placeholder field can take.
    #[serde(skip)]
    pub(crate) domains: Vec<Vec<(&'static str, KeyDomain)>>,
    /// The layout the entities share.
    #[serde(skip)]
    pub(crate) layout: &'static Layout,
    /// The types of multi-attribute key attributes, as the entities' fields give them.
    pub key_types: Vec<(String, KeyAttributeType)>,
}

/// One secondary index, global or local.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IndexSchema {
    /// Which index: [`Index::Gsi`] or [`Index::Lsi`].
    #[serde(skip)]
    pub index: Index,
    /// The index name (`GSI1`, `UserIndex`).
    pub name: String,
    /// Whether it is a local secondary index (created with the table, on its partition key).
    pub local: bool,
    /// Its partition key attribute (`GSI1PK`; the table's for a local index).
    pub partition_key: String,
    /// Its sort key attribute (`GSI1SK`), if any.
    pub sort_key: Option<String>,
    /// Which attributes it holds.
    pub projection: IndexProjection,
    /// For a multi-attribute key: the partition key's attributes, in order (`partition_key` is
    /// then empty); empty otherwise.
    pub partition_keys: Vec<String>,
    /// For a multi-attribute key: the sort key's attributes, in order.
    pub sort_keys: Vec<String>,
}

impl IndexSchema {
    fn of(layout: &IndexLayout) -> Self {
        IndexSchema {
            index: layout.index,
            name: layout.name.to_owned(),
            local: matches!(layout.index, Index::Lsi(_)),
            partition_key: layout.partition_key.to_owned(),
            sort_key: layout.sort_key.map(str::to_owned),
            projection: layout.projection,
            partition_keys: layout
                .partition_keys
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            sort_keys: layout.sort_keys.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

impl Default for TableSchema {
    fn default() -> Self {
        Self::new()
    }
}

impl TableSchema {
    /// A schema with no entity yet: `PK` only, until entities say more. Its layout is the
    /// first entity's.
    pub fn new() -> Self {
        TableSchema {
            partition_key: PK_ATTRIBUTE.to_owned(),
            sort_key: None,
            indexes: Vec::new(),
            type_attribute: TYPE_ATTRIBUTE.to_owned(),
            ttl_attribute: None,
            entities: Vec::new(),
            schemas: Vec::new(),
            domains: Vec::new(),
            layout: &Layout::DEFAULT,
            key_types: Vec::new(),
        }
    }

    /// The schema of a table in layout `L`, with no entity yet: every key attribute and index
    /// the layout declares, whatever the entities registered later use. For a table that
    /// exists already, or one created before its entities are written.
    ///
    /// ```
    /// use dynamo_entity::{TableLayout, TableSchema};
    ///
    /// #[derive(TableLayout)]
    /// #[dynamo(partition_key = "PK", sort_key = "SK")]
    /// #[dynamo(gsi(GSI1: partition_key = "GSI1PK", sort_key = "GSI1SK"))]
    /// #[dynamo(lsi(ByDate: sort_key = "CreatedAt", projection = "keys_only"))]
    /// struct Shop;
    ///
    /// let schema = TableSchema::of::<Shop>();
    /// assert_eq!(schema.sort_key.as_deref(), Some("SK"));
    /// assert_eq!(schema.indexes.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["GSI1", "ByDate"]);
    /// assert!(schema.indexes[1].local);
    /// ```
    pub fn of<L: TableLayout>() -> Self {
        Self::new().with_layout(&L::LAYOUT)
    }

    /// This schema in `layout`: its names, and in a declared layout its key schema.
    fn with_layout(mut self, layout: &'static Layout) -> Self {
        self.layout = layout;
        self.type_attribute = layout.type_attribute.to_owned();
        self.partition_key = layout.partition_key.to_owned();
        if layout.declared {
            self.sort_key = layout.sort_key.map(str::to_owned);
            self.indexes = layout.indexes.iter().map(IndexSchema::of).collect();
        }
        self
    }

    /// The layout of the table: the entities' (the default layout, if they name none).
    pub fn layout(&self) -> &'static Layout {
        self.layout
    }

    /// The index `index`, if the table has it.
    pub fn index(&self, index: Index) -> Option<&IndexSchema> {
        self.indexes.iter().find(|i| i.index == index)
    }

    /// The partition and sort key attribute names of `index`, if the table has it.
    pub fn key_attributes(&self, index: Index) -> Option<(&str, Option<&str>)> {
        match index {
            Index::Primary => Some((&self.partition_key, self.sort_key.as_deref())),
            _ => self
                .index(index)
                .map(|i| (i.partition_key.as_str(), i.sort_key.as_deref())),
        }
    }

    /// The key attribute names a query of `index` names (the sort key's empty when the index
    /// has none); an error for an index the table does not have.
    pub(crate) fn query_attributes(&self, index: Index) -> Result<(String, String)> {
        let (pk, sk) = self
            .key_attributes(index)
            .or_else(|| self.layout.key_attributes(index))
            .ok_or_else(|| {
                Error::invalid(
                    InvalidRequestKind::Index,
                    format!(
                        "the table layout {} has no index {}",
                        self.layout.name,
                        index.describe()
                    ),
                )
            })?;
        Ok((pk.to_owned(), sk.unwrap_or_default().to_owned()))
    }

    /// Whether a read of `index` returns `attribute`: the table holds every attribute, and a
    /// local index fetches what it does not hold from the table; a global index holds its keys,
    /// the table's, and what its projection names.
    pub(crate) fn holds(&self, index: Index, attribute: &str) -> bool {
        match self.index(index) {
            None => true,
            Some(found) if found.local => true,
            Some(found) => {
                attribute == self.partition_key
                    || Some(attribute) == self.sort_key.as_deref()
                    || attribute == found.partition_key
                    || Some(attribute) == found.sort_key.as_deref()
                    || found.partition_keys.iter().any(|k| k == attribute)
                    || found.sort_keys.iter().any(|k| k == attribute)
                    || found.projection.holds(attribute)
            }
        }
    }

    /// Items read from an index that does not hold the entity-type attribute, given
    /// `entity`'s type where their keys in that index are ones its templates produce; the
    /// others (another entity's) are left out.
    pub(crate) fn type_by_key(
        &self,
        entity: &EntitySchema,
        index: Index,
        items: Vec<Item>,
    ) -> Vec<Item> {
        let (Some(templates), Some((pk, sk))) =
            (entity.key_schema(index), self.key_attributes(index))
        else {
            return Vec::new();
        };
        let raw = register::raw_in(self.domains_of(entity.entity_type));
        let pk_space = KeySpace::with_raw(&templates.pk, &raw);
        let sk_space = templates.sk.as_ref().map(|sk| KeySpace::with_raw(sk, &raw));
        let text = |item: &Item, name: &str| match item.get(name) {
            Some(AttributeValue::S(s)) => Some(s.clone()),
            _ => None,
        };
        items
            .into_iter()
            .filter(|item| {
                text(item, pk).is_some_and(|v| pk_space.matches(&v))
                    && match (&sk_space, sk) {
                        (Some(space), Some(sk)) => {
                            text(item, sk).is_some_and(|v| space.matches(&v))
                        }
                        _ => true,
                    }
            })
            .map(|mut item| {
                item.insert(
                    entity.type_attribute.to_owned(),
                    AttributeValue::S(entity.entity_type.to_owned()),
                );
                item
            })
            .collect()
    }

    /// Refuses a read of `entity` from an index that does not hold what it reads: a whole
    /// entity (`attributes` `None`) needs an index projecting every attribute; a projection,
    /// one holding its attributes; and an entity with a TTL attribute (`ttl`), an index
    /// holding it, without which expired items could not be told from live ones.
    pub(crate) fn check_readable(
        &self,
        entity: &str,
        index: Index,
        attributes: Option<&[&str]>,
        ttl: Option<&str>,
    ) -> Result<()> {
        let Some(found) = self.index(index).filter(|i| !i.local) else {
            // The table, or a local index: DynamoDB fetches from the table what a local index
            // does not hold (at the cost of reading the table's item too).
            return Ok(());
        };
        let missing: Vec<&str> = match attributes {
            None if found.projection == IndexProjection::All => return Ok(()),
            None => {
                return Err(Error::invalid(
                    InvalidRequestKind::Index,
                    format!(
                        "{} projects {} attributes, so whole {entity} items cannot be read \
                         from it; read a projection (#[derive(Projection)]) of the attributes \
                         it holds",
                        found.name,
                        found.projection.name()
                    ),
                ))
            }
            Some(names) => names
                .iter()
                .copied()
                .filter(|name| !self.holds(index, name))
                .collect(),
        };
        if missing.is_empty() {
            if let Some(ttl) = ttl.filter(|ttl| !self.holds(index, ttl)) {
                return Err(Error::invalid(
                    InvalidRequestKind::Index,
                    format!(
                        "{} projects {} attributes and does not hold {entity}'s TTL attribute \
                         `{ttl}`, so expired items could not be told from live ones; project \
                         `{ttl}` into the index (include = [\"{ttl}\"]), or read expired items \
                         too (Table::including_expired)",
                        found.name,
                        found.projection.name()
                    ),
                ));
            }
            return Ok(());
        }
        Err(Error::invalid(
            InvalidRequestKind::Index,
            format!(
                "{} projects {} attributes and does not hold {} of {entity}; read them from \
                 the table, or project them into the index",
                found.name,
                found.projection.name(),
                missing.join(", ")
            ),
        ))
    }

    /// The name of `index` in requests, `None` for the table itself.
    pub fn index_name(&self, index: Index) -> Option<String> {
        match index {
            Index::Primary => None,
            _ => Some(match self.index(index) {
                Some(found) => found.name.clone(),
                None => self
                    .layout
                    .index_name(index)
                    .map_or_else(|| index.describe(), |name| name.into_owned()),
            }),
        }
    }

    /// Refuses an entity whose type and primary key templates are not in the schema (another
    /// version of a registered struct, with the same type and keys, is one of its entities).
    pub(crate) fn registered(&self, schema: &EntitySchema) -> Result<()> {
        let primary = schema.key_schema(Index::Primary);
        if self.schemas.iter().any(|known| {
            known.entity_type == schema.entity_type && known.key_schema(Index::Primary) == primary
        }) {
            return Ok(());
        }
        Err(Error::invalid(
            InvalidRequestKind::NotInSchema,
            format!(
                "{} is not an entity of this table's schema (add it with TableSchema::entity)",
                schema.entity_type
            ),
        ))
    }

    /// Another registered entity whose primary keys can be this one's (registered with
    /// [`TableSchema::entity_sharing_keys`]): a write under such a key must check the type of
    /// the item it replaces or deletes, which a batch cannot.
    pub(crate) fn key_sharer(&self, schema: &EntitySchema) -> Option<&'static str> {
        let own = schema.key_schema(Index::Primary)?;
        let own_domains = self.domains_of(schema.entity_type);
        self.schemas
            .iter()
            .zip(&self.domains)
            .filter(|(other, _)| other.entity_type != schema.entity_type)
            .find(|(other, domains)| {
                other
                    .key_schema(Index::Primary)
                    .is_some_and(|key| register::keys_collide((own, own_domains), (key, domains)))
            })
            .map(|(other, _)| other.entity_type)
    }

    /// The key domains of the registered entity `entity` (none if it is not registered).
    fn domains_of(&self, entity: &str) -> &[(&'static str, KeyDomain)] {
        self.schemas
            .iter()
            .position(|s| s.entity_type == entity)
            .map_or(&[], |i| &self.domains[i])
    }

    /// Whether another registered entity can have items in the partition `pk` of `index` whose
    /// sort keys start with `prefix`: an entity query there must then select its own type.
    pub(crate) fn shares_prefix(&self, entity: &str, index: Index, pk: &str, prefix: &str) -> bool {
        self.schemas
            .iter()
            .zip(&self.domains)
            .filter(|(other, _)| other.entity_type != entity)
            .filter_map(|(other, domains)| Some((other.key_schema(index)?, domains)))
            .any(|(key, domains)| {
                let raw = register::raw_in(domains);
                KeySpace::with_raw(&key.pk, &raw).matches(pk)
                    && key
                        .sk
                        .as_ref()
                        .is_none_or(|sk| KeySpace::with_raw(sk, &raw).can_start_with(prefix))
            })
    }

    /// Every key attribute name of the table and its indexes.
    pub(crate) fn key_attribute_names(&self) -> Vec<&str> {
        let mut names = vec![self.partition_key.as_str()];
        names.extend(self.sort_key.as_deref());
        for gsi in &self.indexes {
            if gsi.partition_keys.is_empty() {
                names.push(&gsi.partition_key);
                names.extend(gsi.sort_key.as_deref());
            }
            names.extend(
                gsi.partition_keys
                    .iter()
                    .chain(&gsi.sort_keys)
                    .map(String::as_str),
            );
        }
        names
    }

    /// The key attributes of `key` in the base table.
    pub(crate) fn key_item(&self, key: &Key) -> Item {
        let mut item = Item::with_capacity(2);
        item.insert(
            self.partition_key.clone(),
            AttributeValue::S(key.pk.clone()),
        );
        if let (Some(name), Some(sk)) = (&self.sort_key, &key.sk) {
            item.insert(name.clone(), AttributeValue::S(sk.clone()));
        }
        item
    }
}
