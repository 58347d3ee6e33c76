//! Registering entities: the checks between them (colliding keys, one layout, one sort key per
//! index, one TTL attribute), and the key schema that follows from them in the default layout.

use super::{IndexSchema, TableSchema};
use crate::codec::key_value::KeyDomain;
use crate::error::{Error, Result, SchemaErrorKind};
use crate::item::SK_ATTRIBUTE;
use crate::model::entity::{Entity, EntitySchema, KeySchema};
use crate::model::index::Index;
use crate::model::keyspace::KeySpace;
use crate::model::layout::IndexProjection;
use crate::model::reserved::{GUARD_PK, GUARD_SK};

impl TableSchema {
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
        let domains = key_domains::<E>();
        self.check_collisions(&E::SCHEMA, &domains, false)?;
        self.add(E::SCHEMA, domains)
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
            return Err(Error::schema(
                SchemaErrorKind::Conflict,
                format!(
                    "the table layout {} has no entity-type attribute, so its table holds one \
                 entity, {}; {} needs #[dynamo(type_attribute = \"..\")] on the layout",
                    schema.layout.name, first.entity_type, schema.entity_type
                ),
            ));
        }
        match self
            .schemas
            .iter()
            .find(|s| s.entity_type == schema.entity_type)
        {
            None => Ok(false),
            Some(known) if known == schema => Ok(true),
            Some(_) => Err(Error::schema(
                SchemaErrorKind::DuplicateEntityType,
                format!(
                    "two different entities use the entity type `{}`; give one another \
                 #[dynamo(entity_type = \"..\")]",
                    schema.entity_type
                ),
            )),
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
        let domains = key_domains::<E>();
        self.check_collisions(&E::SCHEMA, &domains, true)?;
        self.add(E::SCHEMA, domains)
    }

    /// Registers an entity whose keys were checked (or may be shared).
    fn add(
        mut self,
        schema: EntitySchema,
        domains: Vec<(&'static str, KeyDomain)>,
    ) -> Result<Self> {
        let first = self.entities.is_empty();
        if first && self.layout != schema.layout {
            self = self.with_layout(schema.layout);
        }
        if self.layout != schema.layout {
            return Err(Error::schema(
                SchemaErrorKind::Conflict,
                format!(
                    "{} is in the table layout {}, but the entities before it are in {}; the \
                 entities of a table share its layout",
                    schema.entity_type, schema.layout.name, self.layout.name
                ),
            ));
        }
        if self.layout.declared {
            self.check_declared_keys(&schema)?;
        } else if let Some(key) = schema.multi_keys.first() {
            return Err(Error::schema(
                SchemaErrorKind::Layout,
                format!(
                    "{} has a multi-attribute key in {}, which needs a declared table layout",
                    schema.entity_type,
                    key.index.describe()
                ),
            ));
        }
        for key in schema.multi_keys {
            for field in key.partition.iter().chain(key.sort) {
                match self
                    .key_types
                    .iter()
                    .find(|(name, _)| name == field.attribute)
                {
                    Some((_, kind)) if *kind != field.kind => {
                        return Err(Error::schema(
                            SchemaErrorKind::Conflict,
                            format!(
                                "{}.{} is stored as {}, but the entities before it store the key \
                             attribute `{}` as {}",
                                schema.entity_type,
                                field.field,
                                field.kind.name(),
                                field.attribute,
                                kind.name()
                            ),
                        ))
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
                    let sk = key.sk.map(|_| SK_ATTRIBUTE.to_owned());
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
                    return Err(Error::schema(
                        SchemaErrorKind::Conflict,
                        format!(
                            "{} keeps its TTL in `{ttl}`, but the entities before it use \
                         `{existing}`; a table has one TTL attribute",
                            schema.entity_type
                        ),
                    ))
                }
                _ => self.ttl_attribute = Some(ttl.to_owned()),
            }
        }
        self.check_ttl_attribute(&schema)?;
        self.entities.push(schema.entity_type.to_owned());
        self.schemas.push(schema);
        self.domains.push(domains);
        Ok(self)
    }

    /// Refuses a plain field stored in the table's TTL attribute (another entity's
    /// `#[dynamo(ttl)]`, or this one's beside another's plain field): DynamoDB would delete
    /// items by it, and reads would disagree on whether they are live.
    fn check_ttl_attribute(&self, schema: &EntitySchema) -> Result<()> {
        let Some(ttl) = self.ttl_attribute.as_deref() else {
            return Ok(());
        };
        let plain = |entity: &EntitySchema| {
            (entity.ttl != Some(ttl))
                .then(|| entity.attributes.iter().find(|a| a.attribute == ttl))
                .flatten()
                .map(|a| (entity.entity_type, a.field))
        };
        let Some((entity, field)) = plain(schema).or_else(|| self.schemas.iter().find_map(plain))
        else {
            return Ok(());
        };
        let owner = std::iter::once(schema)
            .chain(&self.schemas)
            .find(|s| s.ttl == Some(ttl))
            .map_or("an entity", |s| s.entity_type);
        Err(Error::schema(
            SchemaErrorKind::Conflict,
            format!(
                "{entity}.{field} is stored in `{ttl}`, the table's TTL attribute ({owner}'s \
                 #[dynamo(ttl)] field): DynamoDB would delete {entity} items by it; mark it \
                 #[dynamo(ttl)] too, or store it under another name"
            ),
        ))
    }

    /// Refuses an entity whose keys do not fit the declared layout (the derive checks this at
    /// compile time; this holds for schemas written by hand too).
    fn check_declared_keys(&self, schema: &EntitySchema) -> Result<()> {
        for key in schema.keys {
            let Some((_, sk)) = self.key_attributes(key.index) else {
                return Err(Error::schema(
                    SchemaErrorKind::Layout,
                    format!(
                        "{} has a key in {}, which the table layout {} does not declare",
                        schema.entity_type,
                        key.index.describe(),
                        self.layout.name
                    ),
                ));
            };
            if sk.is_some() != key.sk.is_some() {
                let name = self
                    .index_name(key.index)
                    .unwrap_or_else(|| "the table".into());
                return Err(Error::schema(
                    SchemaErrorKind::Layout,
                    format!(
                        "{} {} a sort key template in {name}, which the table layout {} declares \
                     {} a sort key",
                        schema.entity_type,
                        if key.sk.is_some() { "has" } else { "has no" },
                        self.layout.name,
                        if sk.is_some() { "with" } else { "without" },
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Refuses `schema` if its primary key can be one of a registered entity's (unless it
    /// `shares` keys on purpose), or one of the unique-value guard items' (when unique values
    /// are in use).
    fn check_collisions(
        &self,
        schema: &EntitySchema,
        domains: &[(&'static str, KeyDomain)],
        shares: bool,
    ) -> Result<()> {
        let Some(new) = schema.key_schema(Index::Primary) else {
            return Ok(());
        };
        let new = (new, domains);
        let describe = |key: &KeySchema| match key.sk {
            Some(sk) => format!("`{}` / `{sk}`", key.pk),
            None => format!("`{}`", key.pk),
        };
        for (other, other_domains) in self.schemas.iter().zip(&self.domains).filter(|_| !shares) {
            let Some(old) = other.key_schema(Index::Primary) else {
                continue;
            };
            if keys_collide(new, (old, other_domains)) {
                return Err(Error::schema(
                    SchemaErrorKind::KeyCollision,
                    format!(
                        "{} ({}) and {} ({}) can produce the same primary key, and a write of one \
                     would replace the other's item; make a literal part of their templates \
                     differ",
                        schema.entity_type,
                        describe(new.0),
                        other.entity_type,
                        describe(old)
                    ),
                ));
            }
        }
        let has_unique = |s: &EntitySchema| s.attributes.iter().any(|a| a.unique);
        if has_unique(schema) || self.schemas.iter().any(has_unique) {
            let guard = KeySchema {
                index: Index::Primary,
                pk: GUARD_PK,
                sk: new.0.sk.map(|_| GUARD_SK),
                sparse: false,
                inputs: &[],
                computed: false,
            };
            let all = self
                .schemas
                .iter()
                .zip(self.domains.iter().map(Vec::as_slice))
                .chain(std::iter::once((schema, domains)));
            for (entity, domains) in all {
                match entity.key_schema(Index::Primary) {
                    Some(key) if keys_collide((key, domains), (&guard, &[])) => {
                        return Err(Error::schema(
                            SchemaErrorKind::KeyCollision,
                            format!(
                                "{} ({}) can produce the key of a unique value's guard item ({}); \
                             make a literal part of its templates differ",
                                entity.entity_type,
                                describe(key),
                                describe(&guard)
                            ),
                        ))
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

fn conflict(entity: &str, what: &str, table: &Option<String>, entity_sk: &Option<String>) -> Error {
    let describe = |sk: &Option<String>| match sk {
        Some(name) => format!("a sort key ({name})"),
        None => "no sort key".to_owned(),
    };
    Error::schema(
        SchemaErrorKind::Conflict,
        format!(
            "{entity} needs {} for {what} key, but the entities before it need {}",
            describe(entity_sk),
            describe(table)
        ),
    )
}

/// Whether two keys' templates can produce the same key, each with the domains of its
/// entity's key fields (a [`RawKey`](crate::RawKey) field may hold the delimiter).
pub(super) fn keys_collide(
    (a, a_domains): (&KeySchema, &[(&str, KeyDomain)]),
    (b, b_domains): (&KeySchema, &[(&str, KeyDomain)]),
) -> bool {
    let space = |template, domains| KeySpace::with_raw(template, raw_in(domains));
    space(&a.pk, a_domains).intersects(&space(&b.pk, b_domains))
        && match (&a.sk, &b.sk) {
            (Some(a), Some(b)) => space(a, a_domains).intersects(&space(b, b_domains)),
            _ => true,
        }
}

/// Whether a field, by its domain in `domains`, may hold the delimiter.
pub(super) fn raw_in<'d>(domains: &'d [(&str, KeyDomain)]) -> impl Fn(&str) -> bool + 'd {
    move |field| domains.contains(&(field, KeyDomain::Raw))
}

/// What values each key placeholder field of `E` can take.
fn key_domains<E: Entity>() -> Vec<(&'static str, KeyDomain)> {
    let mut domains: Vec<(&'static str, KeyDomain)> = Vec::new();
    for field in E::SCHEMA.keys.iter().flat_map(KeySchema::placeholders) {
        if !domains.iter().any(|(known, _)| *known == field) {
            domains.extend(E::key_domain(field).map(|domain| (field, domain)));
        }
    }
    domains
}
