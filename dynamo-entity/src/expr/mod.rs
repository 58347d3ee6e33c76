//! Typed expressions, rendered once: paths, operands, conditions (the caller's and the
//! framework's), update actions, key conditions and projections are values; one renderer turns
//! the expressions of a request into DynamoDB's text and placeholders. Above them, the typed
//! surface: field handles, [`Condition`](crate::Condition)s, queries and their typestate.

pub(crate) mod condition;
pub(crate) mod field;
pub(crate) mod key_condition;
pub(crate) mod path;
pub(crate) mod projection;
pub(crate) mod query;
pub(crate) mod render;
pub(crate) mod stage;
pub(crate) mod typed;
pub(crate) mod update;
