//! Planning an update: the checks before sending, the index keys it derives, and its
//! expressions (the caller's changes and conditions, with the framework's own: the version,
//! `updated_at`, the upsert's initial values, the item's occupancy).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::builder::Update;
use crate::error::{Error, InvalidRequestKind, Result};
use crate::expr::condition::{Cond, Operand};
use crate::expr::path::Path;
use crate::expr::render::Expressions;
use crate::expr::update::UpdateAction;
use crate::item::{Item, Key};
use crate::model::entity::{Entity, EntitySchema};
use crate::model::index::Index;
use crate::model::template::Template;
use crate::ops::write::outcome::{number, occupant};

/// A GSI whose key an update changes, with the attributes its key is built from.
pub(super) struct AffectedIndex {
    pub index: Index,
    pub inputs: Vec<&'static str>,
}

/// The GSIs with a changed field among their key inputs.
pub(super) fn affected_indexes(
    schema: &EntitySchema,
    actions: &[UpdateAction],
) -> Vec<AffectedIndex> {
    schema
        .keys
        .iter()
        .filter(|key| key.index != Index::Primary)
        .filter_map(|key| {
            let inputs: Vec<&'static str> = key.inputs.to_vec();
            let touched = actions
                .iter()
                .any(|a| inputs.contains(&&*a.path().attribute));
            touched.then_some(AffectedIndex {
                index: key.index,
                inputs,
            })
        })
        .collect()
}

/// Whether the actions change what unique-value guards hold: a unique value, or the expiry
/// that the guards of an entity with unique values share.
pub(super) fn touches_guards(schema: &EntitySchema, actions: &[UpdateAction]) -> bool {
    let has_unique = schema.attributes.iter().any(|a| a.unique);
    actions.iter().any(|action| {
        let attribute = &*action.path().attribute;
        schema
            .attributes
            .iter()
            .any(|a| a.unique && a.attribute == attribute)
            || (has_unique && schema.ttl == Some(attribute))
    })
}

/// Whether the action computes the new value from the one stored at its own path (an addition,
/// an append): an upsert then counts from the initial value when the item is new.
fn builds_on_itself(action: &UpdateAction) -> bool {
    fn uses(operand: &Operand, path: &Path) -> bool {
        match operand {
            Operand::Path(p) => p == path,
            Operand::Plus(a, b) | Operand::Minus(a, b) | Operand::ListAppend(a, b) => {
                uses(a, path) || uses(b, path)
            }
            _ => false,
        }
    }
    matches!(action, UpdateAction::Set(path, value) if uses(value, path))
}

/// `operand` with the value stored at `path` read as `initial` when the item has none.
fn from_initial(operand: Operand, path: &Path, initial: &AttributeValue) -> Operand {
    let inner = |o: Box<Operand>| Box::new(from_initial(*o, path, initial));
    match operand {
        Operand::Path(p) if &p == path => {
            Operand::if_not_exists(p, Operand::value(initial.clone()))
        }
        Operand::Plus(a, b) => Operand::Plus(inner(a), inner(b)),
        Operand::Minus(a, b) => Operand::Minus(inner(a), inner(b)),
        Operand::ListAppend(a, b) => Operand::ListAppend(inner(a), inner(b)),
        other => other,
    }
}

/// What an update writes for an index key: the attributes to set, or, when the item leaves the
/// index (`key` `None`), those to remove. A local index's partition key is the table's: it is
/// never written or removed.
pub(super) fn index_key_changes(
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

/// The update actions that write (or remove) an index key.
pub(super) fn index_key_actions(
    schema: &EntitySchema,
    index: Index,
    key: Option<Key>,
) -> Result<Vec<UpdateAction>> {
    if let Some(key) = &key {
        check_index_key_size(schema, index, key)?;
    }
    let (writes, removes) = index_key_changes(schema, index, key);
    let sets = writes
        .into_iter()
        .map(|(attribute, value)| UpdateAction::set(attribute, AttributeValue::S(value)));
    let removals = removes
        .into_iter()
        .map(|attribute| UpdateAction::Remove(Path::top(attribute)));
    Ok(sets.chain(removals).collect())
}

/// Refuses a derived index key that DynamoDB would refuse for its size.
fn check_index_key_size(schema: &EntitySchema, index: Index, key: &Key) -> Result<()> {
    let mut item = Item::new();
    let (pk, sk) = schema.key_attributes(index);
    item.insert(pk.to_owned(), AttributeValue::S(key.pk.clone()));
    if let (Some(sk), Some(value)) = (sk, &key.sk) {
        item.insert(sk.to_owned(), AttributeValue::S(value.clone()));
    }
    schema.check_key_sizes(&item)
}

/// Why a key cannot be derived from an update's values.
enum Underived {
    /// An input it does not set: the item must be read.
    Unknown,
    /// An input set to `None`: the item leaves the (sparse) index.
    Absent,
}

impl<E: Entity> Update<'_, E> {
    /// The key of `index` built from the values this update sets, if it sets every input of
    /// that index: `Some(None)` when one of them is `None` (the item leaves a sparse index).
    pub(super) fn derived_key(&self, index: Index) -> Option<Option<Key>> {
        let templates = E::SCHEMA.key_schema(index)?;
        if templates.computed {
            // Methods of the entity decide the key: it needs the whole item.
            return None;
        }
        // The primary key's values are in the key updated, and never change.
        let primary = E::SCHEMA.key_schema(Index::Primary)?;
        let mut known = primary.pk.captures(&self.key.pk)?;
        if let (Some(template), Some(sk)) = (&primary.sk, &self.key.sk) {
            known.extend(template.captures(sk)?);
        }
        // A value set by the update is in its plain encoding, and takes the placeholder's
        // format; one captured from the primary key is usable where it has the same format.
        let fill = |template: &Template| {
            template.fill(|name, format| {
                if let Some((_, text)) = self.key_parts.iter().find(|(field, _)| *field == name) {
                    return match (text, format) {
                        (None, _) => Err(Underived::Absent),
                        (Some(text), None) => Ok(text.clone()),
                        (Some(text), Some(format)) => {
                            format.apply(text).map_err(|_| Underived::Unknown)
                        }
                    };
                }
                known
                    .iter()
                    .find(|(captured, captured_format, _)| {
                        (*captured, *captured_format) == (name, format)
                    })
                    .map(|(_, _, text)| (*text).to_owned())
                    .ok_or(Underived::Unknown)
            })
        };
        let outcome = (|| {
            let pk = fill(&templates.pk)?;
            let sk = templates.sk.as_ref().map(fill).transpose()?;
            Ok(Key { pk, sk })
        })();
        match outcome {
            Ok(key) => Some(Some(key)),
            Err(Underived::Absent) => Some(None),
            Err(Underived::Unknown) => None,
        }
    }

    /// The item read with this update's actions applied, as DynamoDB will apply them (the
    /// inputs of the `affected` indexes are conditioned to be still as read). An action that
    /// cannot be applied here exactly (a list index, say) is refused when it changes an input
    /// of an affected index, whose key could not be derived; other actions leave what they
    /// change as read, which only the unique-value guards look at, and they read sets and
    /// removes only.
    pub(super) fn applied(&self, old: &Item, affected: &[AffectedIndex]) -> Result<Item> {
        let mut changed = old.clone();
        for action in &self.actions {
            if action.apply(&mut changed).is_ok() {
                continue;
            }
            let attribute = &*action.path().attribute;
            if let Some(index) = affected.iter().find(|i| i.inputs.contains(&attribute)) {
                let schema = E::SCHEMA;
                let field = schema
                    .attributes
                    .iter()
                    .find(|a| a.attribute == attribute)
                    .map_or(attribute, |a| a.field);
                return Err(Error::invalid(
                    InvalidRequestKind::Argument,
                    format!(
                        "this update of {} changes `{field}` in a way that cannot be applied to \
                         the item read ({}), so the key of {}, which reads `{field}`, cannot be \
                         derived; set the whole value instead",
                        schema.entity_type,
                        action.path(),
                        schema.layout.index_name(index.index).unwrap_or_default()
                    ),
                ));
            }
        }
        Ok(changed)
    }

    /// Whether the update must read the item first: it moves a unique value (or their shared
    /// expiry), or changes an index whose every input it does not set.
    pub(super) fn reads_first(&self, affected: &[AffectedIndex]) -> bool {
        touches_guards(&E::SCHEMA, &self.actions)
            || affected
                .iter()
                .any(|index| self.derived_key(index.index).is_none())
    }

    /// The update's expressions: `derived` (index keys already decided), then the framework's
    /// own changes (the upsert's initial values, `created_at`, the version, `updated_at`) and
    /// the caller's; its conditions (the item exists, or for an upsert may be created; the
    /// version; the caller's condition).
    pub(super) fn expressions(
        &self,
        exprs: &mut Expressions,
        derived: Vec<UpdateAction>,
        now: &str,
    ) -> Result<()> {
        let schema = E::SCHEMA;
        let derived = self.without_own_writes(derived)?;
        let derived_attributes: Vec<&str> = derived.iter().map(|a| &*a.path().attribute).collect();
        let mut actions = Vec::new();
        // For an upsert, every attribute of the initial item that nothing else writes is set if
        // absent; an action computed from the value stored counts from the initial value.
        let mut base: HashMap<&str, &AttributeValue> = HashMap::new();
        if let Some(initial) = &self.initial {
            let mut attributes: Vec<(&String, &AttributeValue)> = initial.iter().collect();
            attributes.sort_by(|a, b| a.0.cmp(b.0));
            for (attribute, value) in attributes {
                let mine = |a: &&UpdateAction| a.path().attribute == attribute.as_str();
                let written = derived_attributes.contains(&attribute.as_str())
                    || self.actions.iter().any(|a| mine(&a));
                if self.actions.iter().filter(mine).any(builds_on_itself) {
                    base.insert(attribute, value);
                } else if !written {
                    let path = Path::top(attribute.clone());
                    let initially =
                        Operand::if_not_exists(path.clone(), Operand::value(value.clone()));
                    actions.push(UpdateAction::Set(path, initially));
                }
            }
            // `created_at` is among the initial values (see `Table::upsert`).
        }
        if let Some(attribute) = schema.version {
            let path = Path::top(attribute);
            let next = Operand::if_not_exists(path.clone(), Operand::value(number(0)))
                .plus(Operand::value(number(1)));
            actions.push(UpdateAction::Set(path, next));
            if let Some(version) = self.version {
                exprs.require(Cond::equals(attribute, number(version)));
            }
        }
        if let Some(attribute) = schema.updated_at {
            actions.push(UpdateAction::set(
                attribute,
                schema.managed_time(attribute, now),
            ));
        }
        for action in &self.actions {
            actions.push(match (action, base.get(&*action.path().attribute)) {
                (UpdateAction::Set(path, value), Some(initial)) if builds_on_itself(action) => {
                    UpdateAction::Set(path.clone(), from_initial(value.clone(), path, initial))
                }
                _ => action.clone(),
            });
        }
        if self.initial.is_none() && derived.is_empty() && actions.is_empty() {
            return Err(Error::invalid(
                InvalidRequestKind::Empty,
                "the update changes nothing",
            ));
        }
        exprs.update.extend(derived);
        exprs.update.extend(actions);
        let occupant = occupant::<E>(self.table);
        exprs.require(match &self.initial {
            None => occupant.live_own(),
            Some(_) => occupant.absent_or_live_own(),
        });
        if let Some(condition) = &self.condition {
            exprs.require(condition.cond()?);
        }
        Ok(())
    }

    /// The derived index-key actions, less those the update's own actions already make: an
    /// index whose key attribute is a field's own attribute (`UserIndex` keyed by `Username`)
    /// gets the field's value, which the update writes once (DynamoDB refuses one path written
    /// twice). A key that would need that attribute to hold something else is refused.
    fn without_own_writes(&self, derived: Vec<UpdateAction>) -> Result<Vec<UpdateAction>> {
        let mut kept = Vec::with_capacity(derived.len());
        for action in derived {
            match self.actions.iter().find(|own| own.path() == action.path()) {
                None => kept.push(action),
                Some(own) if *own == action => {}
                Some(_) => {
                    return Err(Error::invalid(
                        InvalidRequestKind::Argument,
                        format!(
                            "{}: `{}` is both a field's attribute and an index key attribute, \
                             and the key would need it to hold something other than the value \
                             the update sets",
                            E::ENTITY_TYPE,
                            action.path()
                        ),
                    ))
                }
            }
        }
        Ok(kept)
    }

    /// The item this update will store, built from the item read (`changed`: `old` with the
    /// update's sets and removes and the derived index keys), when that is exact: every action
    /// sets a top-level attribute to a value or removes one (an addition or an append is
    /// computed by DynamoDB from the value it finds), and, for an entity with a version, the
    /// version is still the one read (a condition added here; a change in between fails it,
    /// and the update is read again). Attributes the update does not touch are as read, as with
    /// any read-modify-write.
    pub(super) fn stored_after(
        &self,
        exprs: &mut Expressions,
        old: &Item,
        mut changed: Item,
        now: &str,
    ) -> Option<Item> {
        let schema = E::SCHEMA;
        let computable = self.actions.iter().all(|a| match a {
            UpdateAction::Set(path, Operand::Value(_)) | UpdateAction::Remove(path) => {
                path.is_top()
            }
            _ => false,
        });
        if !computable {
            return None;
        }
        if let Some(attribute) = schema.version {
            exprs.require(Cond::as_read(attribute, old.get(attribute)));
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
    pub(super) fn check(&mut self) -> Result<()> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        for (i, action) in self.actions.iter().enumerate() {
            let path = action.path();
            if self.actions[..i].iter().any(|a| a.path().overlaps(path)) {
                return Err(Error::invalid(
                    InvalidRequestKind::Duplicate,
                    format!("`{path}` is changed twice in one update"),
                ));
            }
        }
        if self.initial.is_some() {
            self.check_upsert()?;
        }
        if self.version.is_some() && E::SCHEMA.version.is_none() {
            return Err(Error::invalid(
                InvalidRequestKind::NoVersion,
                format!("{} has no #[dynamo(version)] field", E::ENTITY_TYPE),
            ));
        }
        Ok(())
    }

    /// What an upsert cannot do in one request.
    fn check_upsert(&self) -> Result<()> {
        let schema = E::SCHEMA;
        if schema.attributes.iter().any(|a| a.unique) {
            return Err(Error::invalid(
                InvalidRequestKind::NeedsRead,
                format!(
                    "an upsert of {} cannot claim its unique values, which needs a read first; \
                     use create_if_absent, then update",
                    schema.entity_type
                ),
            ));
        }
        // `if_not_exists` tells an absent attribute, not an absent item: an attribute that an
        // existing item may lack (an optional field, a set left out when empty) would be added
        // to it. Such values must come through the update's own changes.
        for (attribute, value) in self.initial.iter().flatten() {
            let field = schema.attributes.iter().find(|a| a.attribute == attribute);
            let may_be_absent = field.is_some_and(|f| f.optional)
                || matches!(
                    value,
                    AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_)
                );
            let changed = self
                .actions
                .iter()
                .any(|a| a.path().attribute == attribute.as_str());
            if may_be_absent && !changed {
                return Err(Error::invalid(
                    InvalidRequestKind::Argument,
                    format!(
                        "an upsert cannot tell a new {} from one without `{}`, so it cannot \
                         write the initial value of `{}` only for a new item; leave it None \
                         (or empty) in the initial entity and set it in the upsert",
                        schema.entity_type,
                        attribute,
                        field.map_or(attribute.as_str(), |f| f.field)
                    ),
                ));
            }
        }
        let affected = affected_indexes(&schema, &self.actions);
        if let Some(index) = affected
            .iter()
            .find(|i| self.derived_key(i.index).is_none())
        {
            return Err(Error::invalid(
                InvalidRequestKind::NeedsRead,
                format!(
                    "this upsert of {} changes some but not all inputs of {}'s key, which \
                     needs the item read first; set every input, or use update",
                    schema.entity_type,
                    schema.layout.index_name(index.index).unwrap_or_default()
                ),
            ));
        }
        Ok(())
    }

    /// The update as one operation of a transaction, with its expressions: only when it needs
    /// no read first (it changes no index input and no unique value).
    pub(crate) fn plan_for_transaction(mut self) -> Result<(Key, Expressions, Option<u64>)> {
        self.check()?;
        let schema = E::SCHEMA;
        let touches_unique = touches_guards(&schema, &self.actions);
        if touches_unique || !affected_indexes(&schema, &self.actions).is_empty() {
            return Err(Error::invalid(
                InvalidRequestKind::NeedsRead,
                format!(
                    "this update of {} changes an index input, a unique value or the expiry \
                     that unique values' guards share, which needs a read first; send it on \
                     its own rather than in a transaction",
                    schema.entity_type
                ),
            ));
        }
        let mut exprs = Expressions::default();
        let now = self.now();
        self.expressions(&mut exprs, Vec::new(), &now)?;
        Ok((self.key, exprs, self.version))
    }
}
