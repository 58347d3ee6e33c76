//! The [`Entity`] trait, implemented by `#[derive(Entity)]`, and the schema it exposes.

use aws_sdk_dynamodb::types::AttributeValue;

use super::index::Index;
use super::keyspace::KeySpace;
use super::layout::Layout;
use super::multikey::MultiKeySchema;
use super::template::Template;
use crate::codec::format::{time_attribute, TimeForm};
use crate::codec::key_value::KeyDomain;
use crate::codec::limits::key_attribute_problem;
use crate::error::{Error, InvalidRequestKind, Result};
use crate::item::{Item, Key};

/// DynamoDB's limits on key values: 2048 bytes for a partition key, 1024 for a sort key.
pub(crate) const MAX_PARTITION_KEY: usize = 2048;
pub(crate) const MAX_SORT_KEY: usize = 1024;

/// A struct stored as items of a single DynamoDB table, with keys built from templates.
///
/// Implemented by `#[derive(Entity)]`; see the [crate docs](crate) for the attributes. Besides
/// this trait, the derive adds inherent key builders that take the placeholder fields
/// (`Pet::primary_key(owner_id, pet_id)`, `Pet::partition_key(owner_id)`, `Pet::gsi1_key(..)`,
/// `Pet::gsi1_partition_key(..)`) and the template constants (`Pet::PK_TEMPLATE`, ...).
pub trait Entity: Sized {
    /// The value of the entity-type attribute on every item of this entity.
    const ENTITY_TYPE: &'static str;

    /// Everything the derive knows about the entity's keys and attributes, for tooling.
    const SCHEMA: EntitySchema;

    /// This value's primary key (partition key, and sort key if the template has one).
    fn key(&self) -> Result<Key>;

    /// This value's key in `index`, or `None` when the entity has no key in that index, or when
    /// the index is sparse and an `Option` placeholder is `None`.
    fn index_key(&self, index: Index) -> Result<Option<Key>>;

    /// What values the key placeholder `field` can take ([`KeyValue::domain`](crate::KeyValue::domain)
    /// of its type), for the design review; `None` for a field in no key template.
    fn key_domain(field: &str) -> Option<KeyDomain> {
        let _ = field;
        None
    }

    /// The `#[dynamo(unique)]` fields' values as key text, by field name (an optional field that
    /// is `None` has none). Each is kept unique across the table by a guard item.
    /// None unless the entity has unique fields.
    fn unique_values(&self) -> Result<Vec<(&'static str, String)>> {
        Ok(Vec::new())
    }

    /// The DynamoDB item: key attributes, the entity-type attribute and every field's attribute.
    fn to_item(&self) -> Result<Item>;

    /// Reads a value back from an item, checking the entity-type attribute first.
    fn from_item(item: Item) -> Result<Self>;
}

/// The keys and attributes of an entity, as written in its derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntitySchema {
    /// The value of the entity-type attribute (the struct name unless renamed).
    pub entity_type: &'static str,
    /// The name of the entity-type attribute (the layout's).
    pub type_attribute: &'static str,
    /// The table layout the entity's keys are in: attribute and index names.
    pub layout: &'static Layout,
    /// Whether the partition key templates without placeholders were declared intentional with
    /// `#[dynamo(constant_pk)]`.
    pub constant_pk: bool,
    /// The `#[dynamo(version)]` attribute: optimistic locking.
    pub version: Option<&'static str>,
    /// The `#[dynamo(ttl)]` attribute: expiry in epoch seconds.
    pub ttl: Option<&'static str>,
    /// The `#[dynamo(created_at)]` attribute.
    pub created_at: Option<&'static str>,
    /// The `#[dynamo(updated_at)]` attribute.
    pub updated_at: Option<&'static str>,
    /// The key templates: the primary key first, then each GSI in ascending order.
    pub keys: &'static [KeySchema],
    /// The keys in multi-attribute indexes: fields, not templates.
    pub multi_keys: &'static [MultiKeySchema],
    /// The application attributes, in field order (skipped fields are absent).
    pub attributes: &'static [AttributeSchema],
}

impl EntitySchema {
    /// Whether `attribute` is read by a key template of any index (or by its predicate).
    pub(crate) fn is_key_input(&self, attribute: &str) -> bool {
        self.keys.iter().any(|key| key.inputs.contains(&attribute))
    }

    /// The key templates of `index`, if the entity has a key there.
    pub fn key_schema(&self, index: Index) -> Option<&'static KeySchema> {
        self.keys.iter().find(|k| k.index == index)
    }

    /// The partition and sort key attribute names of `index` in the entity's layout (the sort
    /// key's `None` when the index has none). An index the layout does not have is named as in
    /// the default layout.
    pub fn key_attributes(&self, index: Index) -> (&'static str, Option<&'static str>) {
        self.layout
            .key_attributes(index)
            .or_else(|| Layout::DEFAULT.key_attributes(index))
            .unwrap_or(("", None))
    }

    /// The stored value of a managed timestamp (`created_at`, `updated_at`) whose canonical
    /// text is `now`: in the attribute's format, if it has one.
    pub(crate) fn managed_time(&self, attribute: &str, now: &str) -> AttributeValue {
        let form = self
            .attributes
            .iter()
            .find(|a| a.attribute == attribute)
            .and_then(|a| a.format);
        form.and_then(|form| time_attribute(now, form).ok())
            .unwrap_or_else(|| AttributeValue::S(now.to_owned()))
    }

    /// Refuses an item whose key attributes DynamoDB would refuse for their size: 2048 bytes
    /// in a partition key, 1024 in a sort key.
    pub(crate) fn check_key_sizes(&self, item: &Item) -> Result<()> {
        for key in self.keys {
            let (pk, sk) = self.key_attributes(key.index);
            let attributes = [
                (pk, MAX_PARTITION_KEY, "partition"),
                (sk.unwrap_or_default(), MAX_SORT_KEY, "sort"),
            ];
            for (attribute, limit, role) in attributes {
                if let Some(AttributeValue::S(value)) = item.get(attribute) {
                    if value.len() > limit {
                        return Err(Error::invalid(
                            InvalidRequestKind::TooLarge,
                            format!(
                                "{} {attribute} is {} bytes; DynamoDB allows {limit} bytes in a \
                                 {role} key",
                                self.entity_type,
                                value.len()
                            ),
                        ));
                    }
                }
            }
        }
        for key in self.multi_keys {
            let fields = key.partition.iter().map(|f| (f, MAX_PARTITION_KEY));
            for (field, limit) in fields.chain(key.sort.iter().map(|f| (f, MAX_SORT_KEY))) {
                let Some(value) = item.get(field.attribute) else {
                    continue;
                };
                if let Some((kind, problem)) = key_attribute_problem(value, limit) {
                    return Err(Error::invalid(
                        kind,
                        format!(
                            "{}.{} (`{}`, a key attribute of {}): {problem}",
                            self.entity_type,
                            field.field,
                            field.attribute,
                            key.index.describe()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether `key` is one that this entity's primary key templates can produce.
    pub fn is_primary_key(&self, key: &Key) -> bool {
        self.key_schema(Index::Primary).is_some_and(|templates| {
            KeySpace::of(&templates.pk).matches(&key.pk)
                && match (&templates.sk, &key.sk) {
                    (Some(template), Some(sk)) => KeySpace::of(template).matches(sk),
                    (None, None) => true,
                    _ => false,
                }
        })
    }
}

/// The key templates of an entity in one index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySchema {
    /// Which index.
    pub index: Index,
    /// The partition key template, for example `USER#<owner_id>`.
    pub pk: Template,
    /// The sort key template, if any, for example `PET#<pet_id>`.
    pub sk: Option<Template>,
    /// True when a placeholder is an `Option` field: the item is in the index only when every
    /// such field is `Some`; or when the index has a predicate (`when(..)`).
    pub sparse: bool,
    /// The attributes the key is derived from: the placeholders' fields', and those that
    /// computed parts and the index's predicate read. An update of one re-derives the key.
    pub inputs: &'static [&'static str],
    /// Whether the key depends on methods of the entity (computed parts, a predicate): an
    /// update changing its inputs reads the item to derive it.
    pub computed: bool,
}

impl KeySchema {
    /// The literal text of the sort key template before its first placeholder (`PET#` for
    /// `PET#<pet_id>`): a `begins_with` on it selects exactly this entity's items in a shared
    /// partition. The whole template if it has no placeholder.
    pub fn sk_prefix(&self) -> Option<&'static str> {
        self.sk.as_ref().map(Template::prefix)
    }

    /// The field names of the placeholders of both templates, in order (a name can repeat).
    pub fn placeholders(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.pk
            .fields()
            .chain(self.sk.iter().flat_map(Template::fields))
    }
}

/// One application attribute of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeSchema {
    /// The Rust field name.
    pub field: &'static str,
    /// The attribute name in the item.
    pub attribute: &'static str,
    /// Whether the field is an `Option`, left out of the item when `None`.
    pub optional: bool,
    /// Whether the value is unique across the table (`#[dynamo(unique)]`).
    pub unique: bool,
    /// A timestamp stored in another form (`#[dynamo(format = "millis")]`).
    pub format: Option<TimeForm>,
}

impl AttributeSchema {
    /// The field `field`, stored under its own name, required, not unique, not a timestamp in
    /// another form; the other methods say otherwise.
    pub const fn new(field: &'static str) -> Self {
        AttributeSchema {
            field,
            attribute: field,
            optional: false,
            unique: false,
            format: None,
        }
    }

    /// Stored under `attribute` (`#[dynamo(rename = "..")]`).
    pub const fn stored_as(self, attribute: &'static str) -> Self {
        AttributeSchema { attribute, ..self }
    }

    /// An `Option`, left out of the item when `None`.
    pub const fn optional(self) -> Self {
        AttributeSchema {
            optional: true,
            ..self
        }
    }

    /// Unique across the table (`#[dynamo(unique)]`).
    pub const fn unique(self) -> Self {
        AttributeSchema {
            unique: true,
            ..self
        }
    }

    /// A timestamp stored in `form` (`#[dynamo(format = "millis")]`).
    pub const fn time_form(self, form: TimeForm) -> Self {
        AttributeSchema {
            format: Some(form),
            ..self
        }
    }
}
