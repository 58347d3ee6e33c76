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

    /// The placeholder for a value (`:v0`).
    pub fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
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
