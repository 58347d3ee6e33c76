//! The table: a client, a name chosen at run time, and the key schema the entities need.

use aws_sdk_dynamodb::operation::create_table::CreateTableInput;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ScalarAttributeType,
};
use std::time::Duration;

use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::Client;

use crate::keyspace::KeySpace;
use crate::layout::{IndexLayout, IndexProjection, Layout, TableLayout};
use crate::{Entity, EntitySchema, Error, Index, Item, Key, KeySchema, Result};

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
    pub(crate) domains: Vec<Vec<(&'static str, crate::KeyDomain)>>,
    /// The layout the entities share.
    #[serde(skip)]
    pub(crate) layout: &'static Layout,
    /// The types of multi-attribute key attributes, as the entities' fields give them.
    pub key_types: Vec<(String, crate::multikey::KeyAttributeType)>,
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

/// The former name of [`IndexSchema`].
#[deprecated(note = "renamed IndexSchema: a table's indexes include local ones")]
pub type GsiSchema = IndexSchema;

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
            partition_key: crate::PK_ATTRIBUTE.to_owned(),
            sort_key: None,
            indexes: Vec::new(),
            type_attribute: crate::TYPE_ATTRIBUTE.to_owned(),
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
                Error::InvalidRequest(format!(
                    "the table layout {} has no index {}",
                    self.layout.name,
                    index.describe()
                ))
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
        use aws_sdk_dynamodb::types::AttributeValue;
        let (Some(templates), Some((pk, sk))) =
            (entity.key_schema(index), self.key_attributes(index))
        else {
            return Vec::new();
        };
        let (pk_space, sk_space) = (KeySpace::of(templates.pk), templates.sk.map(KeySpace::of));
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
    /// one holding its attributes.
    pub(crate) fn check_readable(
        &self,
        entity: &str,
        index: Index,
        attributes: Option<&[&str]>,
    ) -> Result<()> {
        let Some(found) = self.index(index).filter(|i| !i.local) else {
            // The table, or a local index: DynamoDB fetches from the table what a local index
            // does not hold (at the cost of reading the table's item too).
            return Ok(());
        };
        let missing: Vec<&str> = match attributes {
            None if found.projection == IndexProjection::All => return Ok(()),
            None => {
                return Err(Error::InvalidRequest(format!(
                    "{} projects {} attributes, so whole {entity} items cannot be read from it; \
                     read a projection (#[derive(Projection)]) of the attributes it holds",
                    found.name,
                    found.projection.name()
                )))
            }
            Some(names) => names
                .iter()
                .copied()
                .filter(|name| !self.holds(index, name))
                .collect(),
        };
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::InvalidRequest(format!(
            "{} projects {} attributes and does not hold {} of {entity}; read them from the \
             table, or project them into the index",
            found.name,
            found.projection.name(),
            missing.join(", ")
        )))
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

    /// Adds an entity's keys. Every entity of a table must agree on whether the table and each
    /// GSI have a sort key, since DynamoDB fixes the key schema when the table is created.
    ///
    /// Two entities whose primary key templates can produce one same key are refused: a write
    /// of one would land on the other's item. Key spaces are compared as the templates allow
    /// any value (a placeholder is any non-empty text without `#`), so a literal segment must
    /// tell them apart:
    ///
    /// ```
    /// use dynamo_entity::{Entity, TableSchema};
    ///
    /// #[derive(Entity)]
    /// #[pk = "USER#<user_id>"]
    /// #[sk = "PROFILE"]
    /// struct Profile { user_id: String }
    ///
    /// // A topic named `PROFILE` would replace the profile.
    /// #[derive(Entity)]
    /// #[pk = "USER#<user_id>"]
    /// #[sk = "<topic>"]
    /// struct Subscription { user_id: String, topic: String }
    ///
    /// let err = TableSchema::new().entity::<Profile>()?.entity::<Subscription>().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "table schema: Subscription (`USER#<user_id>` / `<topic>`) and Profile \
    ///      (`USER#<user_id>` / `PROFILE`) can produce the same primary key, and a write of \
    ///      one would replace the other's item; make a literal part of their templates differ",
    /// );
    ///
    /// // `TOPIC#<topic>` cannot be `PROFILE`: a placeholder is never empty and never holds `#`.
    /// #[derive(Entity)]
    /// #[pk = "USER#<user_id>"]
    /// #[sk = "TOPIC#<topic>"]
    /// struct Topic { user_id: String, topic: String }
    /// TableSchema::new().entity::<Profile>()?.entity::<Topic>()?;
    /// # Ok::<(), dynamo_entity::Error>(())
    /// ```
    pub fn entity<E: Entity>(self) -> Result<Self> {
        if self.knows(&E::SCHEMA)? {
            return Ok(self);
        }
        self.check_collisions(&E::SCHEMA, false)?;
        self.add::<E>()
    }

    /// Whether `schema` is registered already; an error if another entity has its type, or if
    /// its layout has no entity-type attribute and another entity is registered.
    fn knows(&self, schema: &EntitySchema) -> Result<bool> {
        if let (true, Some(first)) = (
            schema.layout.type_attribute.is_empty(),
            self.schemas
                .iter()
                .find(|s| s.entity_type != schema.entity_type),
        ) {
            return Err(Error::Schema(format!(
                "the table layout {} has no entity-type attribute, so its table holds one \
                 entity, {}; {} needs #[dynamo(type_attribute = \"..\")] on the layout",
                schema.layout.name, first.entity_type, schema.entity_type
            )));
        }
        match self
            .schemas
            .iter()
            .find(|s| s.entity_type == schema.entity_type)
        {
            None => Ok(false),
            Some(known) if known == schema => Ok(true),
            Some(_) => Err(Error::Schema(format!(
                "two different entities use the entity type `{}`; give one another \
                 #[dynamo(entity_type = \"..\")]",
                schema.entity_type
            ))),
        }
    }

    /// Adds an entity whose keys may be those of entities already registered, on purpose: one
    /// key holds one of several entity types (a GitHub account is a user or an organization,
    /// both under `ACCOUNT#<name>`). Read such a key with
    /// [`Table::get_collection`](crate::Table::get_collection).
    ///
    /// Writes stay safe: `create` fails when the key holds an item of either type, and a put,
    /// replace, update or delete of one never touches the other's item
    /// ([`Error::WrongEntity`]). Queries of a shared partition select by entity type.
    ///
    /// ```
    /// use dynamo_entity::{Entity, TableSchema};
    ///
    /// #[derive(Entity)]
    /// #[pk = "ACCOUNT#<name>"]
    /// #[sk = "ACCOUNT"]
    /// struct User { name: String }
    ///
    /// #[derive(Entity)]
    /// #[pk = "ACCOUNT#<name>"]
    /// #[sk = "ACCOUNT"]
    /// struct Organization { name: String }
    ///
    /// assert!(TableSchema::new().entity::<User>()?.entity::<Organization>().is_err());
    /// let schema = TableSchema::new().entity::<User>()?.entity_sharing_keys::<Organization>()?;
    /// assert_eq!(schema.entities, ["User", "Organization"]);
    /// # Ok::<(), dynamo_entity::Error>(())
    /// ```
    pub fn entity_sharing_keys<E: Entity>(self) -> Result<Self> {
        if self.knows(&E::SCHEMA)? {
            return Ok(self);
        }
        self.check_collisions(&E::SCHEMA, true)?;
        self.add::<E>()
    }

    /// Registers an entity whose keys were checked (or may be shared).
    fn add<E: Entity>(mut self) -> Result<Self> {
        let schema = E::SCHEMA;
        let first = self.entities.is_empty();
        if first && self.layout != schema.layout {
            self = self.with_layout(schema.layout);
        }
        if self.layout != schema.layout {
            return Err(Error::Schema(format!(
                "{} is in the table layout {}, but the entities before it are in {}; the \
                 entities of a table share its layout",
                schema.entity_type, schema.layout.name, self.layout.name
            )));
        }
        if self.layout.declared {
            self.check_declared_keys(&schema)?;
        } else if let Some(key) = schema.multi_keys.first() {
            return Err(Error::Schema(format!(
                "{} has a multi-attribute key in {}, which needs a declared table layout",
                schema.entity_type,
                key.index.describe()
            )));
        }
        for key in schema.multi_keys {
            for field in key.partition.iter().chain(key.sort) {
                match self
                    .key_types
                    .iter()
                    .find(|(name, _)| name == field.attribute)
                {
                    Some((_, kind)) if *kind != field.kind => {
                        return Err(Error::Schema(format!(
                            "{}.{} is stored as {}, but the entities before it store the key \
                             attribute `{}` as {}",
                            schema.entity_type,
                            field.field,
                            field.kind.name(),
                            field.attribute,
                            kind.name()
                        )))
                    }
                    Some(_) => {}
                    None => self
                        .key_types
                        .push((field.attribute.to_owned(), field.kind)),
                }
            }
        }

        let inferred = !self.layout.declared;
        for key in schema.keys.iter().filter(|_| inferred) {
            match key.index {
                Index::Primary => {
                    let sk = key.sk.map(|_| crate::SK_ATTRIBUTE.to_owned());
                    if !first && sk != self.sort_key {
                        return Err(conflict(
                            schema.entity_type,
                            "the table's",
                            &self.sort_key,
                            &sk,
                        ));
                    }
                    self.sort_key = sk;
                }
                index => {
                    let sk = key.sk.map(|_| index.sk_attribute());
                    match self.index(index) {
                        Some(existing) if existing.sort_key != sk => {
                            let what = format!("{}'s", index.describe());
                            return Err(conflict(
                                schema.entity_type,
                                &what,
                                &existing.sort_key,
                                &sk,
                            ));
                        }
                        Some(_) => {}
                        None => {
                            self.indexes.push(IndexSchema {
                                index,
                                name: index.describe(),
                                local: false,
                                partition_key: index.pk_attribute(),
                                sort_key: sk,
                                projection: IndexProjection::All,
                                partition_keys: Vec::new(),
                                sort_keys: Vec::new(),
                            });
                            self.indexes.sort_by_key(|g| g.index);
                        }
                    }
                }
            }
        }
        if let Some(ttl) = schema.ttl {
            match &self.ttl_attribute {
                Some(existing) if existing != ttl => {
                    return Err(Error::Schema(format!(
                        "{} keeps its TTL in `{ttl}`, but the entities before it use \
                         `{existing}`; a table has one TTL attribute",
                        schema.entity_type
                    )))
                }
                _ => self.ttl_attribute = Some(ttl.to_owned()),
            }
        }
        let mut domains: Vec<(&'static str, crate::KeyDomain)> = Vec::new();
        for field in schema.keys.iter().flat_map(KeySchema::placeholders) {
            if !domains.iter().any(|(known, _)| *known == field) {
                domains.extend(E::key_domain(field).map(|domain| (field, domain)));
            }
        }
        self.entities.push(schema.entity_type.to_owned());
        self.schemas.push(schema);
        self.domains.push(domains);
        Ok(self)
    }

    /// Refuses an entity whose keys do not fit the declared layout (the derive checks this at
    /// compile time; this holds for schemas written by hand too).
    fn check_declared_keys(&self, schema: &EntitySchema) -> Result<()> {
        for key in schema.keys {
            let Some((_, sk)) = self.key_attributes(key.index) else {
                return Err(Error::Schema(format!(
                    "{} has a key in {}, which the table layout {} does not declare",
                    schema.entity_type,
                    key.index.describe(),
                    self.layout.name
                )));
            };
            if sk.is_some() != key.sk.is_some() {
                let name = self
                    .index_name(key.index)
                    .unwrap_or_else(|| "the table".into());
                return Err(Error::Schema(format!(
                    "{} {} a sort key template in {name}, which the table layout {} declares \
                     {} a sort key",
                    schema.entity_type,
                    if key.sk.is_some() { "has" } else { "has no" },
                    self.layout.name,
                    if sk.is_some() { "with" } else { "without" },
                )));
            }
        }
        Ok(())
    }

    /// Refuses `schema` if its primary key can be one of a registered entity's (unless it
    /// `shares` keys on purpose), or one of the unique-value guard items' (when unique values
    /// are in use).
    fn check_collisions(&self, schema: &EntitySchema, shares: bool) -> Result<()> {
        let Some(new) = schema.key_schema(Index::Primary) else {
            return Ok(());
        };
        let describe = |key: &KeySchema| match key.sk {
            Some(sk) => format!("`{}` / `{sk}`", key.pk),
            None => format!("`{}`", key.pk),
        };
        let collide = |a: &KeySchema, b: &KeySchema| {
            KeySpace::of(a.pk).intersects(&KeySpace::of(b.pk))
                && match (a.sk, b.sk) {
                    (Some(a), Some(b)) => KeySpace::of(a).intersects(&KeySpace::of(b)),
                    _ => true,
                }
        };
        for other in self.schemas.iter().filter(|_| !shares) {
            let Some(old) = other.key_schema(Index::Primary) else {
                continue;
            };
            if collide(new, old) {
                return Err(Error::Schema(format!(
                    "{} ({}) and {} ({}) can produce the same primary key, and a write of one \
                     would replace the other's item; make a literal part of their templates \
                     differ",
                    schema.entity_type,
                    describe(new),
                    other.entity_type,
                    describe(old)
                )));
            }
        }
        let has_unique = |s: &EntitySchema| s.attributes.iter().any(|a| a.unique);
        if has_unique(schema) || self.schemas.iter().any(has_unique) {
            let guard = KeySchema {
                index: Index::Primary,
                pk: crate::unique::GUARD_PK_TEMPLATE,
                sk: new.sk.map(|_| crate::unique::GUARD_SK),
                sparse: false,
                inputs: &[],
                computed: false,
            };
            let all = self.schemas.iter().chain(std::iter::once(schema));
            for entity in all {
                match entity.key_schema(Index::Primary) {
                    Some(key) if collide(key, &guard) => {
                        return Err(Error::Schema(format!(
                            "{} ({}) can produce the key of a unique value's guard item ({}); \
                             make a literal part of its templates differ",
                            entity.entity_type,
                            describe(key),
                            describe(&guard)
                        )))
                    }
                    _ => {}
                }
            }
        }
        Ok(())
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
        Err(Error::InvalidRequest(format!(
            "{} is not an entity of this table's schema (add it with TableSchema::entity)",
            schema.entity_type
        )))
    }

    /// Whether another registered entity can have items in the partition `pk` of `index` whose
    /// sort keys start with `prefix`: an entity query there must then select its own type.
    pub(crate) fn shares_prefix(&self, entity: &str, index: Index, pk: &str, prefix: &str) -> bool {
        self.schemas
            .iter()
            .filter(|other| other.entity_type != entity)
            .filter_map(|other| other.key_schema(index))
            .any(|key| {
                KeySpace::of(key.pk).matches(pk)
                    && key
                        .sk
                        .is_none_or(|sk| KeySpace::of(sk).can_start_with(prefix))
            })
    }

    /// The `CreateTable` request for this schema: on-demand billing, every index with the
    /// projection its layout declares (all attributes in the default layout).
    pub fn create_table_input(&self, table_name: &str) -> Result<CreateTableInput> {
        // Templated keys are strings; a multi-attribute key's attributes have their fields'
        // types.
        let multi_attributes: Vec<&str> = self
            .indexes
            .iter()
            .flat_map(|i| i.partition_keys.iter().chain(&i.sort_keys))
            .map(String::as_str)
            .collect();
        let string_attribute = |name: &str| {
            let kind = match self.key_types.iter().find(|(n, _)| n == name) {
                Some((_, kind)) => kind.scalar(),
                None if multi_attributes.contains(&name) => {
                    return Err(Error::Schema(format!(
                        "the type of key attribute `{name}` is unknown: register an entity \
                         with a key in its index"
                    )))
                }
                None => ScalarAttributeType::S,
            };
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(kind)
                .build()
                .map_err(build_error)
        };
        let key_schema = |pk: &str, sk: Option<&str>| -> Result<Vec<KeySchemaElement>> {
            let mut elements = vec![KeySchemaElement::builder()
                .attribute_name(pk)
                .key_type(KeyType::Hash)
                .build()
                .map_err(build_error)?];
            if let Some(sk) = sk {
                elements.push(
                    KeySchemaElement::builder()
                        .attribute_name(sk)
                        .key_type(KeyType::Range)
                        .build()
                        .map_err(build_error)?,
                );
            }
            Ok(elements)
        };
        // One definition per attribute, though several indexes may key on it (an inverted
        // index keys on the table's sort key; a local index on its partition key).
        let mut names: Vec<&str> = Vec::new();
        for name in self.key_attribute_names() {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let attributes = names
            .into_iter()
            .map(string_attribute)
            .collect::<Result<Vec<_>>>()?;
        let projection = |projection: &IndexProjection| {
            let kind = match projection {
                IndexProjection::All => ProjectionType::All,
                IndexProjection::KeysOnly => ProjectionType::KeysOnly,
                IndexProjection::Include(_) => ProjectionType::Include,
            };
            let included = match projection {
                IndexProjection::Include(names) => {
                    Some(names.iter().map(|n| (*n).to_owned()).collect())
                }
                _ => None,
            };
            Projection::builder()
                .projection_type(kind)
                .set_non_key_attributes(included)
                .build()
        };
        let (mut global, mut local) = (Vec::new(), Vec::new());
        for index in &self.indexes {
            let keys = if index.partition_keys.is_empty() {
                key_schema(&index.partition_key, index.sort_key.as_deref())?
            } else {
                let element = |name: &String, kind: KeyType| {
                    KeySchemaElement::builder()
                        .attribute_name(name)
                        .key_type(kind)
                        .build()
                        .map_err(build_error)
                };
                let hash = index
                    .partition_keys
                    .iter()
                    .map(|n| element(n, KeyType::Hash));
                let range = index.sort_keys.iter().map(|n| element(n, KeyType::Range));
                hash.chain(range).collect::<Result<Vec<_>>>()?
            };
            if index.local {
                local.push(
                    LocalSecondaryIndex::builder()
                        .index_name(&index.name)
                        .set_key_schema(Some(keys))
                        .projection(projection(&index.projection))
                        .build()
                        .map_err(build_error)?,
                );
            } else {
                global.push(
                    GlobalSecondaryIndex::builder()
                        .index_name(&index.name)
                        .set_key_schema(Some(keys))
                        .projection(projection(&index.projection))
                        .build()
                        .map_err(build_error)?,
                );
            }
        }
        CreateTableInput::builder()
            .table_name(table_name)
            .set_attribute_definitions(Some(attributes))
            .set_key_schema(Some(key_schema(
                &self.partition_key,
                self.sort_key.as_deref(),
            )?))
            .set_global_secondary_indexes((!global.is_empty()).then_some(global))
            .set_local_secondary_indexes((!local.is_empty()).then_some(local))
            .billing_mode(BillingMode::PayPerRequest)
            .build()
            .map_err(build_error)
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
        use aws_sdk_dynamodb::types::AttributeValue;
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

fn conflict(entity: &str, what: &str, table: &Option<String>, entity_sk: &Option<String>) -> Error {
    let describe = |sk: &Option<String>| match sk {
        Some(name) => format!("a sort key ({name})"),
        None => "no sort key".to_owned(),
    };
    Error::Schema(format!(
        "{entity} needs {} for {what} key, but the entities before it need {}",
        describe(entity_sk),
        describe(table)
    ))
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> Error {
    Error::Schema(e.to_string())
}

/// A DynamoDB table used by entities: the client, the table's name and its [`TableSchema`].
///
/// Cheap to clone (the SDK client is reference-counted).
#[derive(Debug, Clone)]
pub struct Table {
    pub(crate) client: Client,
    pub(crate) name: String,
    pub(crate) schema: TableSchema,
    pub(crate) meter: std::sync::Arc<crate::cost::Meter>,
    pub(crate) cursor_key: Option<crate::CursorKey>,
    /// Whether requests ask DynamoDB for the capacity they consume.
    pub(crate) report_capacity: bool,
    /// The access pattern the requests through this handle serve, for their tracing spans.
    pub(crate) pattern: Option<std::sync::Arc<str>>,
    /// Where requests are recorded for the design report, if they are.
    pub(crate) recorder: Option<crate::design::Recorder>,
    /// Where "now" comes from, for TTL checks and managed timestamps.
    pub(crate) clock: crate::Clock,
    /// Whether reads return items whose TTL has passed (not yet deleted by DynamoDB).
    pub(crate) include_expired: bool,
    /// The endpoint requests go to, as the first request saw it, and whether a custom one is
    /// intended.
    pub(crate) endpoint: std::sync::Arc<crate::design::EndpointState>,
}

/// How long a request may take. [`Table::new`] applies [`Timeouts::DEFAULT`] wherever the
/// client's own configuration sets no timeout; [`Table::with_timeouts`] sets them for one table.
///
/// The SDK enforces both: an attempt that gets no answer in time is abandoned (and retried, as
/// the client's retry policy says, if the operation's time allows), and the operation ends
/// with a timeout error when its time is up. Every request this crate sends therefore ends in
/// bounded time, even against a server that accepts connections and never answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// One attempt: one HTTP request and its response.
    pub attempt: Duration,
    /// One operation, every attempt and pause between them included.
    pub operation: Duration,
}

impl Timeouts {
    /// 10 s an attempt, 30 s an operation: far above DynamoDB's latencies (a 1 MB query page
    /// takes well under a second), far below "hangs".
    pub const DEFAULT: Timeouts = Timeouts {
        attempt: Duration::from_secs(10),
        operation: Duration::from_secs(30),
    };

    fn config(self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }
}

/// The client with `timeouts`: where the client sets none (`prefer_client`), or over its own.
fn with_timeouts(client: &Client, timeouts: Timeouts, prefer_client: bool) -> Client {
    let config = client.config();
    let ours = timeouts.config();
    let merged = match config.timeout_config() {
        Some(theirs) if prefer_client => {
            let mut merged = theirs.clone();
            merged.take_defaults_from(&ours);
            merged
        }
        Some(theirs) => {
            let mut merged = ours;
            merged.take_defaults_from(theirs);
            merged
        }
        None => ours,
    };
    Client::from_conf(config.to_builder().timeout_config(merged).build())
}

/// DynamoDB's rule for table names: 3 to 255 of `a-z`, `A-Z`, `0-9`, `_`, `-` and `.`.
fn check_table_name(name: &str) -> Result<()> {
    let problem = if !(3..=255).contains(&name.len()) {
        Some(format!(
            "it has {} characters; DynamoDB allows 3 to 255",
            name.len()
        ))
    } else {
        name.chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .map(|c| format!("{c:?} is not allowed (only a-z, A-Z, 0-9, `_`, `-` and `.`)"))
    };
    match problem {
        Some(problem) => Err(Error::InvalidRequest(format!(
            "invalid table name `{name}`: {problem}"
        ))),
        None => Ok(()),
    }
}

impl Table {
    /// A handle on the table `name` (which may differ between environments) with `schema`.
    ///
    /// Refuses a name DynamoDB would refuse. Requests through the handle have the client's
    /// timeouts, and [`Timeouts::DEFAULT`] for those the client leaves unset.
    pub fn new(client: Client, name: impl Into<String>, schema: TableSchema) -> Result<Self> {
        let name = name.into();
        check_table_name(&name)?;
        let endpoint = std::sync::Arc::new(crate::design::EndpointState::default());
        let client = crate::design::watch_endpoint(&client, &endpoint);
        Ok(Table {
            client: with_timeouts(&client, Timeouts::DEFAULT, true),
            name,
            schema,
            meter: crate::cost::Meter::new(),
            cursor_key: None,
            report_capacity: false,
            pattern: None,
            recorder: None,
            clock: crate::Clock::system(),
            include_expired: false,
            endpoint,
        })
    }

    /// The same table with `timeouts` for its requests, over the client's own.
    pub fn with_timeouts(&self, timeouts: Timeouts) -> Table {
        Table {
            client: with_timeouts(&self.client, timeouts, false),
            ..self.clone()
        }
    }

    /// The same table, sealing the cursors of its queries with `key`: a client can then
    /// neither read the key values in a cursor nor make one (see [`Cursor`](crate::Cursor)).
    /// Cursors it did not seal, or sealed with another key, are refused with
    /// [`Error::InvalidCursor`].
    ///
    /// ```no_run
    /// # use dynamo_entity::{CursorKey, Entity, Table};
    /// # #[derive(Entity)] #[pk = "USER#<owner_id>"] #[sk = "PET#<pet_id>"]
    /// # struct Pet { owner_id: String, pet_id: String }
    /// # async fn demo(table: &Table, secret: [u8; 32]) -> dynamo_entity::Result<()> {
    /// let public = table.with_cursor_key(CursorKey::new(secret));
    /// let page = public.query(Pet::query("alice")?).limit(20).page().await?;
    /// let next = page.cursor.map(|c| c.to_string()); // safe to hand to any client
    /// # Ok(()) }
    /// ```
    pub fn with_cursor_key(&self, key: crate::CursorKey) -> Table {
        Table {
            cursor_key: Some(key),
            ..self.clone()
        }
    }

    /// The attempt and operation timeouts of this handle's requests.
    pub fn timeouts(&self) -> Option<Timeouts> {
        let config = self.client.config().timeout_config()?;
        Some(Timeouts {
            attempt: config.operation_attempt_timeout()?,
            operation: config.operation_timeout()?,
        })
    }

    /// A handle on the same table with its own cost meter starting at zero: run one access
    /// pattern through it, then read [`cost`](Self::cost).
    ///
    /// ```no_run
    /// # use dynamo_entity::{Entity, Table};
    /// # #[derive(Entity)] #[pk = "USER#<owner_id>"] #[sk = "PET#<pet_id>"]
    /// # struct Pet { owner_id: String, pet_id: String }
    /// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
    /// let measured = table.metered();
    /// let pets = measured.query(Pet::query("alice")?).all().await?;
    /// println!("alice's pets took {}", measured.cost()); // 1 request, 0.5 RCU, 0 WCU
    /// # Ok(()) }
    /// ```
    pub fn metered(&self) -> Table {
        Table {
            meter: crate::cost::Meter::new(),
            report_capacity: true,
            ..self.clone()
        }
    }

    /// The same table (and meter), with every request asking DynamoDB for the capacity it
    /// consumes, so that [`cost`](Self::cost) sums it. Without this (or [`metered`](Self::metered)),
    /// requests do not ask for it, as a hand-written request would not, and `cost` counts the
    /// requests alone.
    pub fn with_capacity_reporting(&self) -> Table {
        Table {
            report_capacity: true,
            ..self.clone()
        }
    }

    /// `ReturnConsumedCapacity` for this handle's requests: asked for only where it is read, by a
    /// metered handle or a tracing subscriber that listens to this crate's request spans.
    pub(crate) fn consumed_capacity(
        &self,
    ) -> Option<aws_sdk_dynamodb::types::ReturnConsumedCapacity> {
        let traced = tracing::enabled!(target: "dynamo_entity", tracing::Level::DEBUG);
        (self.report_capacity || traced)
            .then_some(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
    }

    /// The same table, its requests labelled with the access pattern they serve: the label is
    /// in each request's tracing span.
    ///
    /// ```no_run
    /// # use dynamo_entity::{Entity, Table};
    /// # #[derive(Entity)] #[pk = "USER#<owner_id>"] #[sk = "PET#<pet_id>"]
    /// # struct Pet { owner_id: String, pet_id: String }
    /// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
    /// let pets = table
    ///     .pattern("pets of an owner")
    ///     .query(Pet::query("alice")?)
    ///     .all()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn pattern(&self, label: &str) -> Table {
        Table {
            pattern: Some(label.into()),
            ..self.clone()
        }
    }

    /// The span of one request: `dynamodb` at DEBUG level, target `dynamo_entity`, with the
    /// operation, table, entity, index and access pattern; then the items it returned and the
    /// capacity it consumed. Without a subscriber that listens, it is never built.
    pub(crate) fn span(
        &self,
        operation: &'static str,
        entity: Option<&str>,
        index: Option<&str>,
    ) -> tracing::Span {
        tracing::debug_span!(
            target: "dynamo_entity",
            "dynamodb",
            operation,
            table = %self.name,
            entity,
            index,
            pattern = self.pattern.as_deref(),
            items = tracing::field::Empty,
            read_units = tracing::field::Empty,
            write_units = tracing::field::Empty,
        )
    }

    /// Requests made through this handle (and its clones) so far, failed requests, every page
    /// and every retry included, and the capacity they consumed when it was asked for
    /// ([`metered`](Self::metered) handles, [`with_capacity_reporting`](Self::with_capacity_reporting)).
    pub fn cost(&self) -> crate::Cost {
        self.meter.total()
    }

    /// The same table, taking "now" from `clock`: which items have expired, and the time that
    /// `created_at` and `updated_at` fields get. For tests (a fixed or stepped clock), and for
    /// reads "as of" a time.
    ///
    /// ```no_run
    /// # use std::time::{Duration, SystemTime};
    /// # use dynamo_entity::{Clock, Entity, Table};
    /// # #[derive(Entity)] #[pk = "SESSION#<id>"] #[sk = "SESSION"]
    /// # struct Session { id: String, #[dynamo(ttl)] expires_at: u64 }
    /// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
    /// let tomorrow = SystemTime::now() + Duration::from_secs(86_400);
    /// let later = table.with_clock(Clock::fixed(tomorrow));
    /// let gone = later.get::<Session>(Session::primary_key("s1")?).await?; // None if expired by then
    /// # Ok(()) }
    /// ```
    pub fn with_clock(&self, clock: crate::Clock) -> Table {
        Table {
            clock,
            ..self.clone()
        }
    }

    /// The same table, with reads (get, query, collection query, batch get, read
    /// transaction) returning items whose TTL has passed but that DynamoDB has not deleted yet
    /// (it does within a few days). By default they stay hidden, as if deleted. Writes are not
    /// affected: an expired item is absent for them either way.
    pub fn including_expired(&self) -> Table {
        Table {
            include_expired: true,
            ..self.clone()
        }
    }

    /// Now, by this table's clock, in epoch seconds, for the TTL checks of reads: `i64::MIN`
    /// when reads include expired items, so that nothing counts as expired.
    pub(crate) fn read_now(&self) -> i64 {
        if self.include_expired {
            i64::MIN
        } else {
            crate::clock::epoch_seconds(self.clock.now())
        }
    }

    /// Now, by this table's clock.
    pub(crate) fn now(&self) -> std::time::SystemTime {
        self.clock.now()
    }

    /// Now, by this table's clock, in epoch seconds, for the TTL checks of writes (for which
    /// an expired item is always absent).
    pub(crate) fn write_now(&self) -> i64 {
        crate::clock::epoch_seconds(self.clock.now())
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The table's schema.
    pub fn schema(&self) -> &TableSchema {
        &self.schema
    }

    /// The SDK client, for anything this crate does not do.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates the table, its GSIs and its TTL setting, for development and tests. Production tables are
    /// better created by infrastructure-as-code from
    /// [`TableSchema::create_table_input`].
    pub async fn create_table(&self) -> Result<()> {
        let input = self.schema.create_table_input(&self.name)?;
        self.client
            .create_table()
            .table_name(&self.name)
            .set_attribute_definitions(input.attribute_definitions)
            .set_key_schema(input.key_schema)
            .set_global_secondary_indexes(input.global_secondary_indexes)
            .set_local_secondary_indexes(input.local_secondary_indexes)
            .set_billing_mode(input.billing_mode)
            .send()
            .await
            .map_err(|e| crate::request_error("CreateTable", e))?;
        if let Some(attribute) = &self.schema.ttl_attribute {
            let specification = aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(attribute)
                .build()
                .map_err(build_error)?;
            self.client
                .update_time_to_live()
                .table_name(&self.name)
                .time_to_live_specification(specification)
                .send()
                .await
                .map_err(|e| crate::request_error("UpdateTimeToLive", e))?;
        }
        Ok(())
    }
}
