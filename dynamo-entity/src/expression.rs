//! Building DynamoDB expressions with placeholder names and values, so that no attribute name
//! or value is ever spliced into expression text.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::Item;

/// Sets a request builder's condition expression, names and values from an `Expressions`, and
/// asks for the old item when the condition fails (every builder of a conditional write has
/// these four setters, but they share no trait).
macro_rules! conditioned {
    ($builder:expr, $exprs:expr) => {{
        let exprs: $crate::expression::Expressions = $exprs;
        let condition = exprs.condition();
        let (names, values) = exprs.into_maps();
        $builder
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            )
    }};
}
pub(crate) use conditioned;

/// The item stored under a write's key, as its conditions see it: whether there is one, whether
/// it is this entity's, whether its TTL has passed.
///
/// An item whose TTL has passed is absent for every write, as it is for reads, whatever its
/// type: DynamoDB deletes it eventually, and a create must not fail on it.
pub(crate) struct Occupant<'a> {
    /// The table's partition key attribute.
    pub pk: &'a str,
    /// The entity-type attribute and the value this write's entity has there.
    pub type_attribute: &'a str,
    pub entity: &'a str,
    /// The entity's TTL attribute, if it has one.
    pub ttl: Option<&'a str>,
    /// Now, in epoch seconds.
    pub now: i64,
}

/// A document path: an attribute, then map keys into it (`addresses.home`). Every part goes
/// through an expression attribute name, so any key text is safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Path {
    pub attribute: &'static str,
    pub keys: Vec<String>,
}

impl Path {
    /// A top-level attribute.
    pub fn top(attribute: &'static str) -> Self {
        Path {
            attribute,
            keys: Vec::new(),
        }
    }

    /// Whether one path is the other or inside it: DynamoDB refuses an update that changes
    /// both.
    pub fn overlaps(&self, other: &Path) -> bool {
        self.attribute == other.attribute && self.keys.iter().zip(&other.keys).all(|(a, b)| a == b)
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.attribute)?;
        for key in &self.keys {
            write!(f, ".{key:?}")?;
        }
        Ok(())
    }
}

#[derive(Default)]
pub(crate) struct Expressions {
    names: HashMap<String, String>,
    values: Item,
    conditions: Vec<String>,
}

impl Expressions {
    /// The placeholder for an attribute name (`#n0`), one per name.
    pub fn name(&mut self, attribute: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, a)| *a == attribute) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    /// A document path as placeholders: `#n0.#n1`.
    pub fn path(&mut self, path: &Path) -> String {
        let mut out = self.name(path.attribute);
        for key in &path.keys {
            out.push('.');
            out.push_str(&self.name(key));
        }
        out
    }

    /// The placeholder for a value (`:v0`).
    pub fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// `name <= now`: the stored item's TTL has passed (false without a TTL attribute).
    fn expired(&mut self, occupant: &Occupant<'_>) -> Option<String> {
        let ttl = occupant.ttl?;
        let name = self.name(ttl);
        let now = self.value(AttributeValue::N(occupant.now.to_string()));
        Some(format!("{name} <= {now}"))
    }

    fn is_own(&mut self, occupant: &Occupant<'_>) -> String {
        if occupant.type_attribute.is_empty() {
            // A table without an entity-type attribute holds one entity: an item is its.
            let pk = self.name(occupant.pk);
            return format!("attribute_exists({pk})");
        }
        let name = self.name(occupant.type_attribute);
        let entity = self.value(AttributeValue::S(occupant.entity.to_owned()));
        format!("{name} = {entity}")
    }

    /// There is no item under the key, or only an expired one.
    pub fn require_absent(&mut self, occupant: &Occupant<'_>) {
        let pk = self.name(occupant.pk);
        let condition = match self.expired(occupant) {
            Some(expired) => format!("attribute_not_exists({pk}) OR {expired}"),
            None => format!("attribute_not_exists({pk})"),
        };
        self.require(condition);
    }

    /// The item under the key is a live item of this entity.
    pub fn require_own(&mut self, occupant: &Occupant<'_>) {
        let own = self.is_own(occupant);
        self.require(own);
        if let Some(expired) = self.expired(occupant) {
            self.require(format!("NOT ({expired})"));
        }
    }

    /// The item under the key, if there is a live one, is this entity's.
    pub fn require_absent_or_own(&mut self, occupant: &Occupant<'_>) {
        let pk = self.name(occupant.pk);
        let own = self.is_own(occupant);
        let condition = match self.expired(occupant) {
            Some(expired) => format!("attribute_not_exists({pk}) OR {own} OR {expired}"),
            None => format!("attribute_not_exists({pk}) OR {own}"),
        };
        self.require(condition);
    }

    /// There is no live item under the key, or only a live one of this entity (an expired one
    /// fails: its stale attributes must not be kept).
    pub fn require_absent_or_live_own(&mut self, occupant: &Occupant<'_>) {
        let pk = self.name(occupant.pk);
        let own = self.is_own(occupant);
        let condition = match self.expired(occupant) {
            Some(expired) => format!("attribute_not_exists({pk}) OR ({own} AND NOT ({expired}))"),
            None => format!("attribute_not_exists({pk}) OR {own}"),
        };
        self.require(condition);
    }

    /// The item under the key is this entity's and its TTL has passed; `false` for an entity
    /// without TTL (nothing of it expires).
    pub fn require_expired_own(&mut self, occupant: &Occupant<'_>) -> bool {
        let Some(expired) = self.expired(occupant) else {
            return false;
        };
        let own = self.is_own(occupant);
        self.require(format!("{own} AND {expired}"));
        true
    }

    /// Adds a condition; all conditions must hold.
    pub fn require(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    /// The condition expression, if any condition was added.
    pub fn condition(&self) -> Option<String> {
        match self.conditions.len() {
            0 => None,
            1 => Some(self.conditions[0].clone()),
            _ => Some(
                self.conditions
                    .iter()
                    .map(|c| format!("({c})"))
                    .collect::<Vec<_>>()
                    .join(" AND "),
            ),
        }
    }

    /// Name and value placeholders, as the request wants them (`None` when empty).
    pub fn into_maps(self) -> (Option<HashMap<String, String>>, Option<Item>) {
        let names = (!self.names.is_empty()).then_some(self.names);
        let values = (!self.values.is_empty()).then_some(self.values);
        (names, values)
    }
}
