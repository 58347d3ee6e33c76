//! Typed updates: change some attributes of an existing item in one request.

use std::time::SystemTime;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};

use crate::condition::{kind, Condition, Field};
use crate::expression::Expressions;
use crate::write::{number, write_error, PutMode};
use crate::{clock, Entity, Error, Key, Result, Table};

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
    Remove(&'static str),
}

impl Action {
    fn attribute(&self) -> &'static str {
        match self {
            Action::Set(a, _)
            | Action::SetIfNotExists(a, _)
            | Action::Add(a, _)
            | Action::Subtract(a, _)
            | Action::Append(a, _)
            | Action::Remove(a) => a,
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
}

impl<'t, E: Entity> Update<'t, E> {
    fn push<T, K>(
        mut self,
        field: Field<E, T, K>,
        value: &T,
        action: fn(&'static str, AttributeValue) -> Action,
    ) -> Self {
        match field.encode(value) {
            Ok(Some(v)) => self.actions.push(action(field.attribute(), v)),
            Ok(None) => self.actions.push(Action::Remove(field.attribute())),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Sets the field to `value` (`None` removes an optional attribute).
    pub fn set<T>(self, field: Field<E, T, kind::Settable>, value: T) -> Self {
        self.push(field, &value, Action::Set)
    }

    /// Sets the field to `value` only if the item does not have it yet.
    pub fn set_if_not_exists<T>(self, field: Field<E, T, kind::Settable>, value: T) -> Self {
        self.push(field, &value, Action::SetIfNotExists)
    }

    /// Removes an optional field's attribute.
    pub fn remove<T>(mut self, field: Field<E, Option<T>, kind::Settable>) -> Self {
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
        let name = field.name();
        let mut this = self.push(field, &items, Action::Append);
        if let Some(Action::Append(_, value)) = this.actions.last() {
            if !matches!(value, AttributeValue::L(_)) {
                this.error.get_or_insert(Error::InvalidRequest(format!(
                    "`{name}` is not stored as a list, so nothing can be appended to it"
                )));
            }
        }
        this
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
    pub async fn send(self) -> Result<E> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let table = self.table;
        let schema = E::SCHEMA;
        let mut actions = self.actions;
        for (i, action) in actions.iter().enumerate() {
            let attribute = action.attribute();
            if actions[..i].iter().any(|a| a.attribute() == attribute) {
                return Err(Error::InvalidRequest(format!(
                    "`{attribute}` is changed twice in one update"
                )));
            }
        }
        let mut exprs = Expressions::default();
        let mut set = Vec::new();
        let mut remove = Vec::new();
        if let Some(attribute) = schema.version {
            let name = exprs.name(attribute);
            let zero = exprs.value(number(0));
            let one = exprs.value(number(1));
            set.push(format!("{name} = if_not_exists({name}, {zero}) + {one}"));
            if let Some(version) = self.version {
                let expected = exprs.value(number(version));
                exprs.require(format!("{name} = {expected}"));
            }
        } else if self.version.is_some() {
            return Err(Error::InvalidRequest(format!(
                "{} has no #[dynamo(version)] field",
                schema.entity_type
            )));
        }
        if let Some(attribute) = schema.updated_at {
            let now = AttributeValue::S(clock::timestamp_text(SystemTime::now()));
            actions.push(Action::Set(attribute, now));
        }
        for action in actions {
            let name = exprs.name(action.attribute());
            match action {
                Action::Set(_, v) => set.push(format!("{name} = {}", exprs.value(v))),
                Action::SetIfNotExists(_, v) => set.push(format!(
                    "{name} = if_not_exists({name}, {})",
                    exprs.value(v)
                )),
                Action::Add(_, v) => set.push(format!("{name} = {name} + {}", exprs.value(v))),
                Action::Subtract(_, v) => set.push(format!("{name} = {name} - {}", exprs.value(v))),
                Action::Append(_, v) => {
                    set.push(format!("{name} = list_append({name}, {})", exprs.value(v)))
                }
                Action::Remove(_) => remove.push(name),
            }
        }
        if set.is_empty() && remove.is_empty() {
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
        let pk = exprs.name(&table.schema.partition_key);
        exprs.require(format!("attribute_exists({pk})"));
        if let Some(condition) = self.condition {
            let condition = condition.render_into(&mut exprs)?;
            exprs.require(condition);
        }
        let condition = exprs.condition();
        let (names, values) = exprs.into_maps();
        let result = table
            .client
            .update_item()
            .table_name(&table.name)
            .set_key(Some(table.schema.key_item(&self.key)))
            .update_expression(expression.trim_start())
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(output) => E::from_item(output.attributes.unwrap_or_default()),
            Err(e) => Err(write_error(
                "UpdateItem",
                e,
                &schema,
                self.key,
                PutMode::Replace,
                self.version,
            )),
        }
    }
}

crate::into_future!(Update, E);
