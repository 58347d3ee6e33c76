//! Typed updates: the builder. What an update changes is a list of update actions; the plan
//! (`plan.rs`) adds the framework's own changes and conditions, and `send.rs` sends it, reading
//! the item first where it must.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::codec::limits::{check_value, map_key_problem};
use crate::codec::scalar::Scalar;
use crate::codec::set::{native_set, SetCollection, SetElement};
use crate::error::{Error, InvalidRequestKind};
use crate::expr::condition::Operand;
use crate::expr::field::{kind, Entry, Field};
use crate::expr::path::{Element, Path};
use crate::expr::typed::Condition;
use crate::expr::update::UpdateAction;
use crate::item::{Item, Key};
use crate::model::entity::Entity;
use crate::model::index::Index;
use crate::ops::write::outcome::number;
use crate::runtime::clock::timestamp_text;
use crate::runtime::table::Table;

/// Set fields that `add_to_set` and `delete_from_set` accept: `HashSet` and `BTreeSet` of
/// strings, integers or bytes, and `Option`s of them.
pub trait SetValued {
    /// The element type.
    type Element: SetElement;
}

impl<T, S> SetValued for std::collections::HashSet<T, S>
where
    Self: SetCollection<Element = T>,
    T: SetElement,
{
    type Element = T;
}

impl<T> SetValued for std::collections::BTreeSet<T>
where
    Self: SetCollection<Element = T>,
    T: SetElement,
{
    type Element = T;
}

impl<S: SetValued> SetValued for Option<S> {
    type Element = S::Element;
}

/// Number types that `add` and `subtract` accept.
pub trait Numeric: Scalar {}

macro_rules! numeric {
    ($($ty:ty),*) => {$( impl Numeric for $ty {} )*};
}
numeric!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);

impl Table {
    /// Changes attributes of the existing item with `key`; fails with [`Error::NotFound`] if
    /// there is none. Returns the entity as stored after the change.
    ///
    /// Only fields of kind [`Settable`](kind::Settable) can be changed: key fields and managed
    /// fields do not compile here. The `version` field is incremented and `updated_at` set.
    ///
    /// ```no_run
    /// # use dynamo_entity::{Entity, Table};
    /// # #[derive(Entity)] #[pk = "USER#<owner_id>"] #[sk = "PET#<pet_id>"]
    /// # struct Pet { owner_id: String, pet_id: String, name: String, visits: u32, nickname: Option<String> }
    /// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
    /// let f = Pet::fields();
    /// let pet = table
    ///     .update::<Pet>(Pet::primary_key("alice", "rex")?)
    ///     .set(f.name, "Rex II".to_owned())
    ///     .add(f.visits, 1)
    ///     .remove(f.nickname)
    ///     .condition(f.visits.lt(100))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update<E: Entity>(&self, key: Key) -> Update<'_, E> {
        Update {
            table: self,
            key,
            actions: Vec::new(),
            condition: None,
            version: None,
            error: None,
            key_parts: Vec::new(),
            initial: None,
            now: None,
        }
    }

    /// An update that creates the item when there is none: `initial` is the entity then
    /// stored, with the update's changes applied to it; when the item exists, only the changes
    /// are made, as by [`update`](Self::update). One `UpdateItem` either way.
    ///
    /// Managed fields stay right: `created_at` is set only when the item is new, `version`
    /// starts at 1, the entity-type attribute and index keys are written from `initial`, and
    /// an addition (`add`, `subtract`, `append`, `prepend`) counts from `initial`'s value when
    /// the item is new. Optional fields must be `None` (and sets empty) in `initial`, and be
    /// given by the update's changes: an existing item may lack them too, and the request
    /// could not tell.
    ///
    /// Refused (before sending) for an entity with unique values, and for changes to some but
    /// not all inputs of an index key: both need the item read first (use
    /// [`create_if_absent`](Self::create_if_absent) and [`update`](Self::update)). An item whose
    /// TTL has passed is replaced by `initial` (an extra delete, only then).
    ///
    /// ```no_run
    /// # use dynamo_entity::{Entity, Table};
    /// # #[derive(Entity)] #[pk = "PAGE#<url>"] #[sk = "VIEWS"]
    /// # struct PageViews { url: String, views: u64 }
    /// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
    /// let first = PageViews { url: "/".into(), views: 0 };
    /// let counted = table
    ///     .upsert(&first)
    ///     .add(PageViews::fields().views, 1)
    ///     .await?; // 1 on the first visit, one more on every other
    /// # Ok(()) }
    /// ```
    pub fn upsert<'t, E: Entity>(&'t self, initial: &E) -> Update<'t, E> {
        // One time for the item's `created_at` (and the keys that read it) and `updated_at`.
        let now = timestamp_text(self.now());
        let prepared = initial.key().and_then(|key| {
            let mut item = initial.to_item()?;
            let schema = E::SCHEMA;
            // `created_at` is now, for a new item: written only if absent, as every initial
            // value is; a key that reads it is built from it.
            if let Some(attribute) = schema.created_at {
                let primary = schema.key_schema(Index::Primary);
                if primary.is_some_and(|k| k.inputs.contains(&attribute)) {
                    return Err(Error::invalid(
                        InvalidRequestKind::Argument,
                        format!(
                            "{}'s primary key reads its created_at field, which an upsert cannot \
                             know before it finds whether the item exists; use create_if_absent",
                            schema.entity_type
                        ),
                    ));
                }
                item.insert(attribute.to_owned(), schema.managed_time(attribute, &now));
                if schema.is_key_input(attribute) {
                    item = E::from_item(item)?.to_item()?;
                }
            }
            // Managed: the expression writes them.
            for attribute in [schema.version, schema.updated_at].into_iter().flatten() {
                item.remove(attribute);
            }
            for name in self.schema.key_item(&key).keys() {
                item.remove(name);
            }
            Ok((key, item))
        });
        match prepared {
            Ok((key, item)) => Update {
                initial: Some(item),
                now: Some(now),
                ..self.update(key)
            },
            // Reported by `send`, before anything is sent.
            Err(e) => Update {
                error: Some(e),
                ..self.update(Key {
                    pk: String::new(),
                    sk: None,
                })
            },
        }
    }
}

/// An update request; await it (or call [`send`](Self::send)).
#[must_use = "an update does nothing until awaited"]
pub struct Update<'t, E> {
    pub(super) table: &'t Table,
    pub(super) key: Key,
    /// The changes asked for, in order.
    pub(super) actions: Vec<UpdateAction>,
    pub(super) condition: Option<Condition<E>>,
    pub(super) version: Option<u64>,
    /// The first mistake made while building; reported by `send`, before anything is sent.
    pub(super) error: Option<Error>,
    /// The key text of each GSI input this update sets, by field name (`None`: set to `None`).
    pub(super) key_parts: Vec<(&'static str, Option<String>)>,
    /// For an upsert: the attributes of the item to create when there is none (all but the
    /// primary key, the version and `updated_at`).
    pub(super) initial: Option<Item>,
    /// For an upsert: the time its initial `created_at` holds, which `updated_at` then holds
    /// too; others take the table's clock when sent.
    pub(super) now: Option<String>,
}

impl<E> Update<'_, E> {
    /// The time the update writes into managed timestamps.
    pub(super) fn now(&self) -> String {
        self.now
            .clone()
            .unwrap_or_else(|| timestamp_text(self.table.now()))
    }
}

/// A set's elements, each once, in the order first given.
fn without_repeats(set: AttributeValue) -> AttributeValue {
    fn once<T: PartialEq>(elements: Vec<T>) -> Vec<T> {
        let mut kept: Vec<T> = Vec::with_capacity(elements.len());
        for element in elements {
            if !kept.contains(&element) {
                kept.push(element);
            }
        }
        kept
    }
    match set {
        AttributeValue::Ss(v) => AttributeValue::Ss(once(v)),
        AttributeValue::Ns(v) => AttributeValue::Ns(once(v)),
        AttributeValue::Bs(v) => AttributeValue::Bs(once(v)),
        other => other,
    }
}

/// Refuses an entry whose map key DynamoDB would refuse (empty, or over 64 KB).
fn checked_key<E, V: serde::Serialize, K>(entry: &Entry<E, V, K>) -> Result<(), Error> {
    let Some(Element::Key(key)) = entry.path().elements.last() else {
        return Ok(());
    };
    match map_key_problem(key.as_str()) {
        None => Ok(()),
        Some((kind, problem)) => {
            let (entity, field) = entry.names();
            Err(Error::invalid(kind, format!("{entity}.{field}: {problem}")))
        }
    }
}

/// `SET list = list_append(list, items)`.
fn append(path: Path, items: AttributeValue) -> UpdateAction {
    UpdateAction::Set(
        path.clone(),
        Operand::Path(path).list_append(Operand::value(items)),
    )
}

/// `SET list = list_append(items, list)`.
fn prepend(path: Path, items: AttributeValue) -> UpdateAction {
    UpdateAction::Set(
        path.clone(),
        Operand::value(items).list_append(Operand::Path(path)),
    )
}

impl<'t, E: Entity> Update<'t, E> {
    /// Keeps the first mistake, to report it when sent.
    fn fail(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }

    /// Records the key text of a GSI input's new value.
    fn key_part<T, K>(&mut self, field: &Field<E, T, K>, value: &T) {
        match field.key_part(value) {
            None => {}
            Some(None) => self.key_parts.push((field.name(), None)),
            Some(Some(Ok(text))) => self.key_parts.push((field.name(), Some(text))),
            Some(Some(Err(reason))) => {
                let template = E::SCHEMA
                    .keys
                    .iter()
                    .flat_map(|key| std::iter::once(&key.pk).chain(key.sk.as_ref()))
                    .find(|t| t.fields().any(|name| name == field.name()))
                    .map_or("", |t| t.text);
                self.fail(Error::InvalidKey {
                    entity: E::ENTITY_TYPE,
                    field: field.name(),
                    template,
                    reason,
                });
            }
        }
    }

    /// The stored form of a field's value, checked against DynamoDB's limits.
    fn encode<T, K>(
        &self,
        field: &Field<E, T, K>,
        value: &T,
    ) -> Result<Option<AttributeValue>, Error> {
        match field.encode(value)? {
            Some(v) => check_value(E::ENTITY_TYPE, field.attribute(), &v).map(|_| Some(v)),
            None => Ok(None),
        }
    }

    /// Adds the action `action` makes of the field's path and value; a value stored as nothing
    /// (`None`) removes the attribute.
    fn push<T, K>(
        mut self,
        field: Field<E, T, K>,
        value: &T,
        action: impl FnOnce(Path, AttributeValue) -> UpdateAction,
    ) -> Self {
        let path = Path::top(field.attribute());
        match self.encode(&field, value) {
            Ok(Some(v)) => self.actions.push(action(path, v)),
            Ok(None) => self.actions.push(UpdateAction::Remove(path)),
            Err(e) => self.fail(e),
        }
        self
    }

    pub(crate) fn table(&self) -> &'t Table {
        self.table
    }

    /// Sets the field to `value` (`None` removes an optional attribute). A field that is an input
    /// of a GSI key ([`IndexInput`](kind::IndexInput)) can be set too: the update keeps that
    /// index's key in step (see [`send`](Self::send)).
    pub fn set<T, K: kind::Assignable>(self, field: Field<E, T, K>, value: T) -> Self {
        let mut this = self;
        this.key_part(&field, &value);
        this.push(field, &value, |path, value| {
            UpdateAction::Set(path, Operand::value(value))
        })
    }

    /// Sets the field to `value` only if the item does not have it yet.
    pub fn set_if_not_exists<T>(self, field: Field<E, T, kind::Settable>, value: T) -> Self {
        self.push(field, &value, |path, value| {
            UpdateAction::Set(
                path.clone(),
                Operand::if_not_exists(path, Operand::value(value)),
            )
        })
    }

    /// Removes an optional field's attribute (for a sparse index's input: the item leaves that
    /// index).
    pub fn remove<T, K: kind::Assignable>(mut self, field: Field<E, Option<T>, K>) -> Self {
        if field.is_key_part() {
            self.key_parts.push((field.name(), None));
        }
        self.actions
            .push(UpdateAction::Remove(Path::top(field.attribute())));
        self
    }

    /// Adds `amount` to a number field, atomically.
    pub fn add<T: Numeric>(self, field: Field<E, T, kind::Settable>, amount: T) -> Self {
        self.push(field, &amount, |path, amount| {
            UpdateAction::Set(
                path.clone(),
                Operand::Path(path).plus(Operand::value(amount)),
            )
        })
    }

    /// Subtracts `amount` from a number field, atomically.
    pub fn subtract<T: Numeric>(self, field: Field<E, T, kind::Settable>, amount: T) -> Self {
        self.push(field, &amount, |path, amount| {
            UpdateAction::Set(
                path.clone(),
                Operand::Path(path).minus(Operand::value(amount)),
            )
        })
    }

    /// Appends `items` to the end of a list field, atomically.
    pub fn append<T>(self, field: Field<E, Vec<T>, kind::Settable>, items: Vec<T>) -> Self {
        self.push_list(field, items, append, "appended to")
    }

    /// Puts `items` at the start of a list field, atomically.
    pub fn prepend<T>(self, field: Field<E, Vec<T>, kind::Settable>, items: Vec<T>) -> Self {
        self.push_list(field, items, prepend, "prepended to")
    }

    fn push_list<T>(
        mut self,
        field: Field<E, Vec<T>, kind::Settable>,
        items: Vec<T>,
        action: fn(Path, AttributeValue) -> UpdateAction,
        what: &str,
    ) -> Self {
        match self.encode(&field, &items) {
            Ok(Some(list @ AttributeValue::L(_))) => self
                .actions
                .push(action(Path::top(field.attribute()), list)),
            Ok(_) => self.fail(Error::invalid(
                InvalidRequestKind::Argument,
                format!(
                    "`{}` is not stored as a list, so nothing can be {what} it",
                    field.name()
                ),
            )),
            Err(e) => self.fail(e),
        }
        self
    }

    /// Removes the elements at `indices` (counted before any is removed) from a list field,
    /// atomically; indices past the end remove nothing.
    ///
    /// With concurrent writers, an index may no longer point at the element that was read
    /// there: add a [`condition`](Self::condition) on the list when that matters.
    pub fn remove_at<T>(
        mut self,
        field: Field<E, Vec<T>, kind::Settable>,
        indices: impl IntoIterator<Item = usize>,
    ) -> Self {
        let mut indices: Vec<usize> = indices.into_iter().collect();
        indices.sort_unstable();
        indices.dedup();
        if indices.is_empty() {
            self.fail(Error::invalid(
                InvalidRequestKind::Argument,
                format!("remove_at on `{}` names no index", field.name()),
            ));
        }
        let list = Path::top(field.attribute());
        self.actions.extend(
            indices
                .into_iter()
                .map(|i| UpdateAction::Remove(list.clone().index(i))),
        );
        self
    }

    /// Adds `elements` to a set field (`HashSet`/`BTreeSet`, stored as `SS`, `NS` or `BS`),
    /// atomically; elements already there stay once. A missing set is created.
    pub fn add_to_set<S: SetValued>(
        self,
        field: Field<E, S, kind::Settable>,
        elements: impl IntoIterator<Item = S::Element>,
    ) -> Self {
        self.set_action(field, elements, UpdateAction::Add, "add to")
    }

    /// Deletes `elements` from a set field, atomically; elements not there are ignored. A set
    /// left empty is removed, as DynamoDB keeps no empty set (and reads back empty).
    pub fn delete_from_set<S: SetValued>(
        self,
        field: Field<E, S, kind::Settable>,
        elements: impl IntoIterator<Item = S::Element>,
    ) -> Self {
        self.set_action(field, elements, UpdateAction::Delete, "delete from")
    }

    fn set_action<S: SetValued>(
        mut self,
        field: Field<E, S, kind::Settable>,
        elements: impl IntoIterator<Item = S::Element>,
        action: fn(Path, AttributeValue) -> UpdateAction,
        what: &str,
    ) -> Self {
        let elements: Vec<S::Element> = elements.into_iter().collect();
        let encoded = native_set(elements.iter(), E::ENTITY_TYPE, field.name())
            // An element given twice is one element of the set (DynamoDB refuses the repeat).
            .map(|set| set.map(without_repeats))
            .and_then(|set| {
                set.ok_or_else(|| {
                    Error::invalid(
                        InvalidRequestKind::Argument,
                        format!(
                            "no element to {what} `{}`: DynamoDB has no empty set",
                            field.name()
                        ),
                    )
                })
            })
            .and_then(|set| check_value(E::ENTITY_TYPE, field.attribute(), &set).map(|_| set));
        match encoded {
            Ok(set) => self.actions.push(action(Path::top(field.attribute()), set)),
            Err(e) => self.fail(e),
        }
        self
    }

    /// Sets the map entry `entry` (`Customer::fields().addresses.entry("home")`) to `value`,
    /// leaving the map's other entries as they are; a value stored as nothing (`None`) removes
    /// the entry. The map must exist: a map field is stored even when empty, an `Option`al one
    /// only when `Some`.
    pub fn set_entry<V: serde::Serialize>(
        mut self,
        entry: Entry<E, V, kind::Settable>,
        value: V,
    ) -> Self {
        if let Err(e) = checked_key(&entry) {
            self.fail(e);
            return self;
        }
        match entry.encode(&value) {
            Ok(Some(value)) => {
                let (entity, _) = entry.names();
                match check_value(entity, &entry.path().attribute, &value) {
                    Ok(_) => self
                        .actions
                        .push(UpdateAction::set(entry.path().clone(), value)),
                    Err(e) => self.fail(e),
                }
            }
            Ok(None) => self
                .actions
                .push(UpdateAction::Remove(entry.path().clone())),
            Err(e) => self.fail(e),
        }
        self
    }

    /// Removes the map entry `entry`; nothing happens if it is absent.
    pub fn remove_entry<V: serde::Serialize>(mut self, entry: Entry<E, V, kind::Settable>) -> Self {
        match checked_key(&entry) {
            Ok(()) => self
                .actions
                .push(UpdateAction::Remove(entry.path().clone())),
            Err(e) => self.fail(e),
        }
        self
    }

    /// Adds `amount` to the number in map entry `entry`, atomically, counting from 0 when the
    /// entry is absent: a counter per key (`reactions.<kind>`) that needs no initialising.
    pub fn add_to_entry<V: Numeric + serde::Serialize>(
        mut self,
        entry: Entry<E, V, kind::Settable>,
        amount: V,
    ) -> Self {
        if let Err(e) = checked_key(&entry) {
            self.fail(e);
            return self;
        }
        let (entity, field) = entry.names();
        match amount.to_attribute() {
            Ok(value) => {
                let path = entry.path().clone();
                let zero = Operand::value(number(0));
                let counted =
                    Operand::if_not_exists(path.clone(), zero).plus(Operand::value(value));
                self.actions.push(UpdateAction::Set(path, counted));
            }
            Err(message) => self.fail(Error::Encode {
                entity,
                field,
                message: message.into_owned(),
            }),
        }
        self
    }

    /// The update happens only if `condition` holds; otherwise [`Error::ConditionFailed`].
    pub fn condition(mut self, condition: Condition<E>) -> Self {
        Condition::add_to(&mut self.condition, condition);
        self
    }

    /// The update happens only if the stored version is `version` (the one read); otherwise
    /// [`Error::VersionConflict`]. Needs a `#[dynamo(version)]` field.
    pub fn if_version(mut self, version: u64) -> Self {
        self.version = Some(version);
        self
    }
}
