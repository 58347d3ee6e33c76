//! Writes of one item: create, put, replace and delete, and what they share.

pub(crate) mod delete;
pub(crate) mod outcome;
pub(crate) mod put;
