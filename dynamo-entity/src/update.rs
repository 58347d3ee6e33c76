//! Typed updates: change some attributes of an existing item in one request.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use crate::condition::{kind, Condition, Entry, Field};
use crate::cost::Capacity;
use crate::expression::{conditioned, Expressions, Path};
use crate::unique;
use crate::write::{number, own_item, write_error, GuardedWrite, PutMode};
use crate::{clock, Entity, EntitySchema, Error, Index, Key, Result, Table};

/// Set fields that `add_to_set` and `delete_from_set` accept: `HashSet` and `BTreeSet` of
/// strings, integers or bytes, and `Option`s of them.
pub trait SetValued {
    /// The element type.
    type Element: crate::attribute::SetElement;
}

impl<T, S> SetValued for std::collections::HashSet<T, S>
where
    Self: crate::attribute::SetCollection<Element = T>,
    T: crate::attribute::SetElement,
{
    type Element = T;
}

impl<T> SetValued for std::collections::BTreeSet<T>
where
    Self: crate::attribute::SetCollection<Element = T>,
    T: crate::attribute::SetElement,
{
    type Element = T;
}

impl<S: SetValued> SetValued for Option<S> {
    type Element = S::Element;
}

/// Number types that `add` and `subtract` accept.
pub trait Numeric: crate::attribute::Scalar {}

macro_rules! numeric {
    ($($ty:ty),*) => {$( impl Numeric for $ty {} )*};
}
numeric!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);

enum Action {
    Set(&'static str, AttributeValue),
    SetIfNotExists(&'static str, AttributeValue),
    Add(&'static str, AttributeValue),
    Subtract(&'static str, AttributeValue),
    Append(&'static str, AttributeValue),
    Prepend(&'static str, AttributeValue),
    /// Elements added to a set (`ADD`).
    AddToSet(&'static str, AttributeValue),
    /// Elements deleted from a set (`DELETE`).
    DeleteFromSet(&'static str, AttributeValue),
    Remove(&'static str),
    /// List elements removed by index.
    RemoveAt(&'static str, Vec<usize>),
    /// A map entry set, removed, or added to (from 0 when absent).
    SetEntry(Path, AttributeValue),
    RemoveEntry(Path),
    AddToEntry(Path, AttributeValue),
}

impl Action {
    fn attribute(&self) -> &'static str {
        match self {
            Action::Set(a, _)
            | Action::SetIfNotExists(a, _)
            | Action::Add(a, _)
            | Action::Subtract(a, _)
            | Action::Append(a, _)
            | Action::Prepend(a, _)
            | Action::AddToSet(a, _)
            | Action::DeleteFromSet(a, _)
            | Action::RemoveAt(a, _)
            | Action::Remove(a) => a,
            Action::SetEntry(p, _) | Action::RemoveEntry(p) | Action::AddToEntry(p, _) => {
                p.attribute
            }
        }
    }

    /// The document path it changes.
    fn path(&self) -> Path {
        match self {
            Action::SetEntry(p, _) | Action::RemoveEntry(p) | Action::AddToEntry(p, _) => p.clone(),
            other => Path::top(other.attribute()),
        }
    }
}

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
        let prepared = initial.key().and_then(|key| {
            let mut item = initial.to_item()?;
            let schema = E::SCHEMA;
            // Managed: the expression writes them, `created_at` only for a new item.
            let managed = [schema.version, schema.updated_at, schema.created_at];
            for attribute in managed.into_iter().flatten() {
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
    table: &'t Table,
    key: Key,
    actions: Vec<Action>,
    condition: Option<Condition<E>>,
    version: Option<u64>,
    /// The first mistake made while building; reported by `send`, before anything is sent.
    error: Option<Error>,
    /// The key text of each GSI input this update sets, by field name (`None`: set to `None`).
    key_parts: Vec<(&'static str, Option<String>)>,
    /// For an upsert: the attributes of the item to create when there is none (all but the
    /// primary key, the version and `updated_at`).
    initial: Option<crate::Item>,
}

impl<'t, E: Entity> Update<'t, E> {
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
                    .flat_map(|key| std::iter::once(key.pk).chain(key.sk))
                    .find(|t| t.contains(&format!("<{}>", field.name())))
                    .unwrap_or_default();
                self.error.get_or_insert(Error::InvalidKey {
                    entity: E::ENTITY_TYPE,
                    field: field.name(),
                    template,
                    reason,
                });
            }
        }
    }

    /// The key of `index` built from the values this update sets, if it sets every input of
    /// that index: `Some(None)` when one of them is `None` (the item leaves a sparse index).
    fn derived_key(&self, index: Index) -> Option<Option<Key>> {
        let templates = E::SCHEMA.key_schema(index)?;
        if templates.computed {
            // Methods of the entity decide the key: it needs the whole item.
            return None;
        }
        // The primary key's values are in the key updated, and never change.
        let primary = E::SCHEMA.key_schema(Index::Primary)?;
        let mut known: Vec<(&str, &str)> = crate::keyspace::captures(primary.pk, &self.key.pk)?;
        if let (Some(template), Some(sk)) = (primary.sk, &self.key.sk) {
            known.extend(crate::keyspace::captures(template, sk)?);
        }
        // A value set by the update is in its plain encoding, and takes the placeholder's
        // format; one captured from the primary key is usable where it has the same format.
        let part = |placeholder: &str| -> Option<Option<String>> {
            let (name, format) = crate::KeyFormat::of_placeholder(placeholder);
            if let Some((_, text)) = self.key_parts.iter().find(|(field, _)| *field == name) {
                return match (text, format) {
                    (None, _) => Some(None),
                    (Some(text), None) => Some(Some(text.clone())),
                    (Some(text), Some(format)) => format.apply(text).ok().map(Some),
                };
            }
            known
                .iter()
                .find(|(captured, _)| crate::KeyFormat::of_placeholder(captured) == (name, format))
                .map(|(_, text)| Some((*text).to_owned()))
        };
        let fill = |template: &str| -> Option<Option<String>> {
            let mut out = String::with_capacity(template.len() + 16);
            let mut rest = template;
            while let Some(open) = rest.find('<') {
                out.push_str(&rest[..open]);
                let close = open + rest[open..].find('>')?;
                match part(&rest[open + 1..close])? {
                    Some(text) => out.push_str(&text),
                    None => return Some(None),
                }
                rest = &rest[close + 1..];
            }
            out.push_str(rest);
            Some(Some(out))
        };
        let pk = fill(templates.pk)?;
        let sk = match templates.sk {
            Some(sk) => Some(fill(sk)?),
            None => None,
        };
        Some(match (pk, sk) {
            (Some(pk), None) => Some(Key { pk, sk: None }),
            (Some(pk), Some(Some(sk))) => Some(Key { pk, sk: Some(sk) }),
            _ => None,
        })
    }

    /// Whether the update must read the item first: it moves a unique value (or their shared
    /// expiry), or changes an index whose every input it does not set.
    fn reads_first(&self, affected: &[AffectedIndex]) -> bool {
        touches_guards(&E::SCHEMA, &self.actions)
            || affected
                .iter()
                .any(|index| self.derived_key(index.index).is_none())
    }

    fn push<T, K>(
        mut self,
        field: Field<E, T, K>,
        value: &T,
        action: fn(&'static str, AttributeValue) -> Action,
    ) -> Self {
        let encoded = field.encode(value).and_then(|v| match v {
            Some(v) => {
                crate::limits::check_value(E::ENTITY_TYPE, field.attribute(), &v).map(|_| Some(v))
            }
            None => Ok(None),
        });
        match encoded {
            Ok(Some(v)) => self.actions.push(action(field.attribute(), v)),
            Ok(None) => self.actions.push(Action::Remove(field.attribute())),
            Err(e) => {
                self.error.get_or_insert(e);
            }
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
        this.push(field, &value, Action::Set)
    }

    /// Sets the field to `value` only if the item does not have it yet.
    pub fn set_if_not_exists<T>(self, field: Field<E, T, kind::Settable>, value: T) -> Self {
        self.push(field, &value, Action::SetIfNotExists)
    }

    /// Removes an optional field's attribute (for a sparse index's input: the item leaves that
    /// index).
    pub fn remove<T, K: kind::Assignable>(mut self, field: Field<E, Option<T>, K>) -> Self {
        if field.is_key_part() {
            self.key_parts.push((field.name(), None));
        }
        self.actions.push(Action::Remove(field.attribute()));
        self
    }

    /// Adds `amount` to a number field, atomically.
    pub fn add<T: Numeric>(self, field: Field<E, T, kind::Settable>, amount: T) -> Self {
        self.push(field, &amount, Action::Add)
    }

    /// Subtracts `amount` from a number field, atomically.
    pub fn subtract<T: Numeric>(self, field: Field<E, T, kind::Settable>, amount: T) -> Self {
        self.push(field, &amount, Action::Subtract)
    }

    /// Appends `items` to the end of a list field, atomically.
    pub fn append<T>(self, field: Field<E, Vec<T>, kind::Settable>, items: Vec<T>) -> Self {
        self.push_list(field, items, Action::Append, "appended to")
    }

    /// Puts `items` at the start of a list field, atomically.
    pub fn prepend<T>(self, field: Field<E, Vec<T>, kind::Settable>, items: Vec<T>) -> Self {
        self.push_list(field, items, Action::Prepend, "prepended to")
    }

    fn push_list<T>(
        self,
        field: Field<E, Vec<T>, kind::Settable>,
        items: Vec<T>,
        action: fn(&'static str, AttributeValue) -> Action,
        what: &str,
    ) -> Self {
        let name = field.name();
        let mut this = self.push(field, &items, action);
        if let Some(Action::Append(_, value) | Action::Prepend(_, value)) = this.actions.last() {
            if !matches!(value, AttributeValue::L(_)) {
                this.error.get_or_insert(Error::InvalidRequest(format!(
                    "`{name}` is not stored as a list, so nothing can be {what} it"
                )));
            }
        }
        this
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
            self.error.get_or_insert(Error::InvalidRequest(format!(
                "remove_at on `{}` names no index",
                field.name()
            )));
        }
        self.actions
            .push(Action::RemoveAt(field.attribute(), indices));
        self
    }

    /// Adds `elements` to a set field (`HashSet`/`BTreeSet`, stored as `SS`, `NS` or `BS`),
    /// atomically; elements already there stay once. A missing set is created.
    pub fn add_to_set<S: SetValued>(
        self,
        field: Field<E, S, kind::Settable>,
        elements: impl IntoIterator<Item = S::Element>,
    ) -> Self {
        self.set_action(field, elements, Action::AddToSet, "add to")
    }

    /// Deletes `elements` from a set field, atomically; elements not there are ignored. A set
    /// left empty is removed, as DynamoDB keeps no empty set (and reads back empty).
    pub fn delete_from_set<S: SetValued>(
        self,
        field: Field<E, S, kind::Settable>,
        elements: impl IntoIterator<Item = S::Element>,
    ) -> Self {
        self.set_action(field, elements, Action::DeleteFromSet, "delete from")
    }

    fn set_action<S: SetValued>(
        mut self,
        field: Field<E, S, kind::Settable>,
        elements: impl IntoIterator<Item = S::Element>,
        action: fn(&'static str, AttributeValue) -> Action,
        what: &str,
    ) -> Self {
        let elements: Vec<S::Element> = elements.into_iter().collect();
        let encoded = crate::attribute::native_set(elements.iter(), E::ENTITY_TYPE, field.name())
            .and_then(|set| {
                set.ok_or_else(|| {
                    Error::InvalidRequest(format!(
                        "no element to {what} `{}`: DynamoDB has no empty set",
                        field.name()
                    ))
                })
            })
            .and_then(|set| {
                crate::limits::check_value(E::ENTITY_TYPE, field.attribute(), &set).map(|_| set)
            });
        match encoded {
            Ok(set) => self.actions.push(action(field.attribute(), set)),
            Err(e) => {
                self.error.get_or_insert(e);
            }
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
        match entry.encode(&value) {
            Ok(Some(value)) => {
                let (entity, _) = entry.names();
                match crate::limits::check_value(entity, entry.path().attribute, &value) {
                    Ok(_) => self
                        .actions
                        .push(Action::SetEntry(entry.path().clone(), value)),
                    Err(e) => {
                        self.error.get_or_insert(e);
                    }
                }
            }
            Ok(None) => self.actions.push(Action::RemoveEntry(entry.path().clone())),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Removes the map entry `entry`; nothing happens if it is absent.
    pub fn remove_entry<V: serde::Serialize>(mut self, entry: Entry<E, V, kind::Settable>) -> Self {
        self.actions.push(Action::RemoveEntry(entry.path().clone()));
        self
    }

    /// Adds `amount` to the number in map entry `entry`, atomically, counting from 0 when the
    /// entry is absent: a counter per key (`reactions.<kind>`) that needs no initialising.
    pub fn add_to_entry<V: Numeric + serde::Serialize>(
        mut self,
        entry: Entry<E, V, kind::Settable>,
        amount: V,
    ) -> Self {
        let (entity, field) = entry.names();
        match amount.to_attribute() {
            Ok(value) => self
                .actions
                .push(Action::AddToEntry(entry.path().clone(), value)),
            Err(message) => {
                self.error.get_or_insert(Error::Encode {
                    entity,
                    field,
                    message: message.into_owned(),
                });
            }
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

    /// Sends the request.
    ///
    /// When a changed field is an input of a GSI key and the update sets every input of that
    /// key (the primary key's values come from the key updated), the key is derived from those
    /// values and written in the same request: nothing is read. When it sets only some, the
    /// item is read first (consistently), the GSI's key is derived again from the changed
    /// entity (or removed, for a sparse index whose input became `None`), and the write is
    /// conditioned on the old values of every input of that index, so that a concurrent change
    /// cannot leave a stale key. If such a change lands in between, the update is read and tried
    /// again (three times at most).
    ///
    /// An update that moves a unique value is a read and one transaction (entity and guards);
    /// the entity returned is built from the item read when every action is a set or a remove,
    /// and read back otherwise.
    pub async fn send(mut self) -> Result<E> {
        self.check()?;
        let schema = E::SCHEMA;
        let affected = affected_indexes(&schema, &self.actions);
        // Retrying is only sound when a failed condition can only be one of the framework's
        // guards on what was read (index inputs, unique values, the version).
        let reads_first = self.reads_first(&affected);
        let attempts = if !reads_first || self.condition.is_some() || self.version.is_some() {
            1
        } else {
            3
        };
        let mut attempt = 0;
        let mut expired_removed = false;
        loop {
            attempt += 1;
            match self.attempt(&affected).await {
                Err(Error::ConditionFailed { .. }) if attempt < attempts => continue,
                // An upsert fails only on an item of another type, or on one of its own whose
                // TTL has passed (read as absent, so `NotFound`): that one is deleted, if it
                // is still expired, and the upsert made again, once.
                Err(Error::NotFound { .. }) if self.initial.is_some() && !expired_removed => {
                    expired_removed = true;
                    crate::write::delete_expired::<E>(self.table, &self.key).await?;
                }
                result => return result,
            }
        }
    }

    /// The update expression, with the framework's own changes (version, `updated_at`) and
    /// conditions (the item exists; the caller's condition) added to `exprs`. `set` and `remove`
    /// hold changes already decided (derived index keys).
    fn expression(
        &self,
        exprs: &mut Expressions,
        mut set: Vec<String>,
        mut remove: Vec<String>,
        now: &str,
    ) -> Result<String> {
        let table = self.table;
        let schema = E::SCHEMA;
        let (mut add, mut delete) = (Vec::new(), Vec::new());
        // For an upsert, every attribute of the initial item that nothing else writes is set
        // if absent; an addition to one of them counts from its initial value.
        let initial = self.initial.as_ref();
        let mut base: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
        if let Some(initial) = initial {
            let derived: Vec<String> = affected_indexes(&schema, &self.actions)
                .iter()
                .flat_map(|index| {
                    let (pk, sk) = schema.key_attributes(index.index);
                    [pk.to_owned(), sk.unwrap_or_default().to_owned()]
                })
                .collect();
            let mut attributes: Vec<(&String, &AttributeValue)> = initial.iter().collect();
            attributes.sort_by(|a, b| a.0.cmp(b.0));
            for (attribute, value) in attributes {
                let written = derived.contains(attribute)
                    || self.actions.iter().any(|a| a.attribute() == attribute);
                let computed = self.actions.iter().any(|a| {
                    a.attribute() == attribute
                        && matches!(
                            a,
                            Action::Add(..)
                                | Action::Subtract(..)
                                | Action::Append(..)
                                | Action::Prepend(..)
                        )
                });
                if computed || !written {
                    let name = exprs.name(attribute);
                    let value = exprs.value(value.clone());
                    let initially = format!("if_not_exists({name}, {value})");
                    match computed {
                        true => base.insert(attribute, initially),
                        false => {
                            set.push(format!("{name} = {initially}"));
                            None
                        }
                    };
                }
            }
            if let Some(attribute) = schema.created_at {
                let name = exprs.name(attribute);
                let now = exprs.value(schema.managed_time(attribute, now));
                set.push(format!("{name} = if_not_exists({name}, {now})"));
            }
        }
        if let Some(attribute) = schema.version {
            let name = exprs.name(attribute);
            let zero = exprs.value(number(0));
            let one = exprs.value(number(1));
            set.push(format!("{name} = if_not_exists({name}, {zero}) + {one}"));
            if let Some(version) = self.version {
                let expected = exprs.value(number(version));
                exprs.require(format!("{name} = {expected}"));
            }
        }
        if let Some(attribute) = schema.updated_at {
            let now = schema.managed_time(attribute, now);
            set.push(format!("{} = {}", exprs.name(attribute), exprs.value(now)));
        }
        for action in &self.actions {
            let name = exprs.path(&action.path());
            match action {
                Action::Set(_, v) => set.push(format!("{name} = {}", exprs.value(v.clone()))),
                Action::SetIfNotExists(_, v) => set.push(format!(
                    "{name} = if_not_exists({name}, {})",
                    exprs.value(v.clone())
                )),
                Action::Add(a, v) => {
                    let from = base.get(a).cloned().unwrap_or_else(|| name.clone());
                    set.push(format!("{name} = {from} + {}", exprs.value(v.clone())))
                }
                Action::Subtract(a, v) => {
                    let from = base.get(a).cloned().unwrap_or_else(|| name.clone());
                    set.push(format!("{name} = {from} - {}", exprs.value(v.clone())))
                }
                Action::Append(a, v) => {
                    let from = base.get(a).cloned().unwrap_or_else(|| name.clone());
                    set.push(format!(
                        "{name} = list_append({from}, {})",
                        exprs.value(v.clone())
                    ))
                }
                Action::Prepend(a, v) => {
                    let from = base.get(a).cloned().unwrap_or_else(|| name.clone());
                    set.push(format!(
                        "{name} = list_append({}, {from})",
                        exprs.value(v.clone())
                    ))
                }
                Action::AddToSet(_, v) => add.push(format!("{name} {}", exprs.value(v.clone()))),
                Action::DeleteFromSet(_, v) => {
                    delete.push(format!("{name} {}", exprs.value(v.clone())))
                }
                Action::Remove(_) => remove.push(name),
                Action::RemoveAt(_, indices) => {
                    remove.extend(indices.iter().map(|i| format!("{name}[{i}]")))
                }
                Action::SetEntry(_, v) => set.push(format!("{name} = {}", exprs.value(v.clone()))),
                Action::RemoveEntry(_) => remove.push(name),
                Action::AddToEntry(_, v) => {
                    let zero = exprs.value(number(0));
                    set.push(format!(
                        "{name} = if_not_exists({name}, {zero}) + {}",
                        exprs.value(v.clone())
                    ))
                }
            }
        }
        if initial.is_none()
            && set.is_empty()
            && remove.is_empty()
            && add.is_empty()
            && delete.is_empty()
        {
            return Err(Error::InvalidRequest(
                "the update changes nothing".to_owned(),
            ));
        }
        let mut expression = String::new();
        if !set.is_empty() {
            expression = format!("SET {}", set.join(", "));
        }
        if !remove.is_empty() {
            expression = format!("{expression} REMOVE {}", remove.join(", "));
        }
        if !add.is_empty() {
            expression = format!("{expression} ADD {}", add.join(", "));
        }
        if !delete.is_empty() {
            expression = format!("{expression} DELETE {}", delete.join(", "));
        }
        match &self.initial {
            None => exprs.require_own(&table.occupant::<E>()),
            Some(_) => exprs.require_absent_or_live_own(&table.occupant::<E>()),
        }
        if let Some(condition) = &self.condition {
            let condition = condition.render_clone_into(exprs)?;
            exprs.require(condition);
        }
        Ok(expression.trim_start().to_owned())
    }

    /// The item this update will store, built from the item read (`changed`: `old` with the
    /// update's sets and removes and the derived index keys), when that is exact: every action
    /// is a set or a remove (an addition or an append is computed by DynamoDB from the value
    /// it finds), and, for an entity with a version, the version is still the one read (a
    /// condition added here; a change in between fails it, and the update is read again).
    /// Attributes the update does not touch are as read, as with any read-modify-write.
    fn stored_after(
        &self,
        exprs: &mut Expressions,
        old: &crate::Item,
        mut changed: crate::Item,
        now: &str,
    ) -> Option<crate::Item> {
        let schema = E::SCHEMA;
        let computable = self
            .actions
            .iter()
            .all(|a| matches!(a, Action::Set(..) | Action::Remove(_)));
        if !computable {
            return None;
        }
        if let Some(attribute) = schema.version {
            let name = exprs.name(attribute);
            let read = match old.get(attribute) {
                Some(value) => format!("{name} = {}", exprs.value(value.clone())),
                None => format!("attribute_not_exists({name})"),
            };
            exprs.require(read);
            let version = match old.get(attribute) {
                Some(AttributeValue::N(n)) => n.parse::<u64>().ok()?,
                None => 0,
                Some(_) => return None,
            };
            changed.insert(attribute.to_owned(), number(version.saturating_add(1)));
        }
        if let Some(attribute) = schema.updated_at {
            changed.insert(attribute.to_owned(), schema.managed_time(attribute, now));
        }
        Some(changed)
    }

    /// The mistakes that can be found before anything is sent.
    fn check(&mut self) -> Result<()> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        for (i, action) in self.actions.iter().enumerate() {
            let path = action.path();
            if self.actions[..i].iter().any(|a| a.path().overlaps(&path)) {
                return Err(Error::InvalidRequest(format!(
                    "`{path}` is changed twice in one update"
                )));
            }
        }
        if self.initial.is_some() {
            let schema = E::SCHEMA;
            if schema.attributes.iter().any(|a| a.unique) {
                return Err(Error::InvalidRequest(format!(
                    "an upsert of {} cannot claim its unique values, which needs a read first; \
                     use create_if_absent, then update",
                    schema.entity_type
                )));
            }
            // `if_not_exists` tells an absent attribute, not an absent item: an attribute that
            // an existing item may lack (an optional field, a set left out when empty) would
            // be added to it. Such values must come through the update's own changes.
            let initial = self.initial.as_ref().into_iter().flatten();
            for (attribute, value) in initial {
                let field = schema.attributes.iter().find(|a| a.attribute == attribute);
                let may_be_absent = field.is_some_and(|f| f.optional)
                    || matches!(
                        value,
                        AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_)
                    );
                let changed = self.actions.iter().any(|a| a.attribute() == attribute);
                if may_be_absent && !changed {
                    return Err(Error::InvalidRequest(format!(
                        "an upsert cannot tell a new {} from one without `{}`, so it cannot \
                         write the initial value of `{}` only for a new item; leave it \
                         None (or empty) in the initial entity and set it in the upsert",
                        schema.entity_type,
                        attribute,
                        field.map_or(attribute.as_str(), |f| f.field)
                    )));
                }
            }
            let affected = affected_indexes(&schema, &self.actions);
            if let Some(index) = affected
                .iter()
                .find(|i| self.derived_key(i.index).is_none())
            {
                return Err(Error::InvalidRequest(format!(
                    "this upsert of {} changes some but not all inputs of {}'s key, which needs \
                     the item read first; set every input, or use update",
                    schema.entity_type,
                    schema.layout.index_name(index.index).unwrap_or_default()
                )));
            }
        }
        if self.version.is_some() && E::SCHEMA.version.is_none() {
            return Err(Error::InvalidRequest(format!(
                "{} has no #[dynamo(version)] field",
                E::ENTITY_TYPE
            )));
        }
        Ok(())
    }

    /// The update as one operation of a transaction: only when it needs no read first (it
    /// changes no index input and no unique value).
    pub(crate) fn plan_for_transaction(
        mut self,
    ) -> Result<(Key, String, Expressions, Option<u64>)> {
        self.check()?;
        let schema = E::SCHEMA;
        let touches_unique = touches_guards(&schema, &self.actions);
        if touches_unique || !affected_indexes(&schema, &self.actions).is_empty() {
            return Err(Error::InvalidRequest(format!(
                "this update of {} changes an index input, a unique value or the expiry that \
                 unique values' guards share, which needs a read first; send it on its own \
                 rather than in a transaction",
                schema.entity_type
            )));
        }
        let mut exprs = Expressions::default();
        let now = clock::timestamp_text(self.table.now());
        let expression = self.expression(&mut exprs, Vec::new(), Vec::new(), &now)?;
        Ok((self.key, expression, exprs, self.version))
    }

    async fn attempt(&self, affected: &[AffectedIndex]) -> Result<E> {
        let table = self.table;
        let schema = E::SCHEMA;
        let mut exprs = Expressions::default();
        let mut set = Vec::new();
        let mut remove = Vec::new();

        let touches_unique = touches_guards(&schema, &self.actions);
        let now = clock::timestamp_text(table.now());
        let mut guard_ops = Vec::new();
        let mut read = None;
        // The item as this update will store it, where that can be known from the item read.
        let mut after = None;
        if self.reads_first(affected) {
            let stored = unique::read_current::<E>(table, &self.key).await?;
            let old = own_item::<E>(&self.key, stored, table.write_now())?.ok_or_else(|| {
                Error::NotFound {
                    entity: schema.entity_type,
                    key: self.key.clone(),
                }
            })?;
            let mut changed = old.clone();
            for action in &self.actions {
                match action {
                    Action::Set(a, v) => {
                        changed.insert((*a).to_owned(), v.clone());
                    }
                    Action::Remove(a) => {
                        changed.remove(*a);
                    }
                    // Index inputs are only ever set or removed; other changes leave keys alone.
                    _ => {}
                }
            }
            let entity = E::from_item(changed.clone())?;
            if touches_unique {
                let before = E::from_item(old.clone())?;
                unique::require_unchanged::<E>(&mut exprs, Some(&old));
                guard_ops = unique::guard_moves(table, &self.key, Some(&before), Some(&entity))?;
            }
            for index in affected {
                let key = entity.index_key(index.index)?;
                if let Some(key) = &key {
                    check_index_key_size(&schema, index.index, key)?;
                }
                let (writes, removes) = index_key_changes(&schema, index.index, key);
                for (attribute, value) in writes {
                    set.push(format!(
                        "{} = {}",
                        exprs.name(attribute),
                        exprs.value(AttributeValue::S(value.clone()))
                    ));
                    changed.insert(attribute.to_owned(), AttributeValue::S(value));
                }
                for attribute in removes {
                    remove.push(exprs.name(attribute));
                    changed.remove(attribute);
                }
                // The key was derived from these values: they must still be the stored ones.
                for input in &index.inputs {
                    let name = exprs.name(input);
                    let guard = match old.get(*input) {
                        Some(value) => format!("{name} = {}", exprs.value(value.clone())),
                        None => format!("attribute_not_exists({name})"),
                    };
                    exprs.require(guard);
                }
            }
            if !guard_ops.is_empty() {
                after = self.stored_after(&mut exprs, &old, changed, &now);
            }
            read = Some(old);
        } else {
            // Every changed index has all its inputs in this update: its key follows from them,
            // whatever is stored, so nothing is read.
            for index in affected {
                let key = self.derived_key(index.index).flatten();
                if let Some(key) = &key {
                    check_index_key_size(&schema, index.index, key)?;
                }
                let (writes, removes) = index_key_changes(&schema, index.index, key);
                for (attribute, value) in writes {
                    let value = exprs.value(AttributeValue::S(value));
                    set.push(format!("{} = {value}", exprs.name(attribute)));
                }
                for attribute in removes {
                    remove.push(exprs.name(attribute));
                }
            }
        }

        let expression = self.expression(&mut exprs, set, remove, &now)?;
        if !guard_ops.is_empty() {
            // A unique value moves: the update and the guards' moves in one transaction, which
            // returns no item: the result is built from the item read where that is exact, and
            // read back otherwise.
            let key_item = table.schema.key_item(&self.key);
            let mut ops = vec![unique::TxOp {
                item: unique::update(table, key_item, expression.trim_start().to_owned(), exprs)?,
                on_condition_failure: unique::OnFailure::Entity,
            }];
            ops.extend(guard_ops);
            let write = GuardedWrite {
                key: self.key.clone(),
                mode: PutMode::Replace,
                expected_version: self.version,
            };
            write
                .finish::<E>(table, ops, read)
                .await
                .map_err(|f| f.error)?;
            if let Some(after) = after {
                return E::from_item(after);
            }
            let stored = unique::read_current::<E>(table, &self.key).await?;
            return stored
                .ok_or_else(|| Error::NotFound {
                    entity: schema.entity_type,
                    key: self.key.clone(),
                })
                .and_then(E::from_item);
        }
        let request = table
            .client
            .update_item()
            .table_name(&table.name)
            .set_key(Some(table.schema.key_item(&self.key)))
            .update_expression(expression.trim_start())
            .return_values(ReturnValue::AllNew);
        let request = conditioned!(request, exprs)
            .set_return_consumed_capacity(table.consumed_capacity())
            .send();
        let span = table.span("UpdateItem", Some(E::ENTITY_TYPE), None);
        let result = table.sent(Capacity::Write, &span, request).await;
        table.record_on_key("UpdateItem", E::ENTITY_TYPE, &self.key, &result);
        match result {
            Ok(output) => E::from_item(output.attributes.unwrap_or_default()),
            Err(e) => Err(write_error(
                "UpdateItem",
                e,
                &schema,
                self.key.clone(),
                PutMode::Replace,
                self.version,
                table.write_now(),
            )),
        }
    }
}

/// What an update writes for an index key: the attributes to set, or, when the item leaves the
/// index (`key` `None`), those to remove. A local index's partition key is the table's: it is
/// never written or removed.
fn index_key_changes(
    schema: &EntitySchema,
    index: Index,
    key: Option<Key>,
) -> (Vec<(&'static str, String)>, Vec<&'static str>) {
    let (pk, sk) = schema.key_attributes(index);
    let table_pk = schema.key_attributes(Index::Primary).0;
    let own_pk = (pk != table_pk).then_some(pk);
    match key {
        Some(key) => {
            let mut writes: Vec<(&'static str, String)> =
                own_pk.map(|pk| (pk, key.pk)).into_iter().collect();
            writes.extend(sk.zip(key.sk));
            (writes, Vec::new())
        }
        None => (Vec::new(), own_pk.into_iter().chain(sk).collect()),
    }
}

/// Refuses a derived index key that DynamoDB would refuse for its size.
fn check_index_key_size(schema: &EntitySchema, index: Index, key: &Key) -> Result<()> {
    let mut item = crate::Item::new();
    let (pk, sk) = schema.key_attributes(index);
    crate::__private::put_key(&mut item, pk, sk.unwrap_or_default(), key.clone());
    crate::write::check_key_sizes(schema, &item)
}

/// Whether the actions change what unique-value guards hold: a unique value, or the expiry
/// that the guards of an entity with unique values share.
fn touches_guards(schema: &EntitySchema, actions: &[Action]) -> bool {
    let has_unique = schema.attributes.iter().any(|a| a.unique);
    actions.iter().any(|action| {
        let attribute = action.attribute();
        schema
            .attributes
            .iter()
            .any(|a| a.unique && a.attribute == attribute)
            || (has_unique && schema.ttl == Some(attribute))
    })
}

/// A GSI whose key an update changes, with the attributes its key is built from.
struct AffectedIndex {
    index: Index,
    inputs: Vec<&'static str>,
}

/// The GSIs with a changed field among their key inputs.
fn affected_indexes(schema: &EntitySchema, actions: &[Action]) -> Vec<AffectedIndex> {
    schema
        .keys
        .iter()
        .filter(|key| key.index != Index::Primary)
        .filter_map(|key| {
            let inputs: Vec<&'static str> = key.inputs.to_vec();
            let touched = actions.iter().any(|a| inputs.contains(&a.attribute()));
            touched.then_some(AffectedIndex {
                index: key.index,
                inputs,
            })
        })
        .collect()
}

crate::into_future!(Update, E);
