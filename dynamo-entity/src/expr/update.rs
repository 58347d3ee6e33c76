//! Update actions: what an `UpdateItem` (or a transaction's update) changes, as values.

use aws_sdk_dynamodb::types::AttributeValue;

use super::condition::Operand;
use super::path::Path;

/// One change of an update expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum UpdateAction {
    /// `SET path = operand`.
    Set(Path, Operand),
    /// `REMOVE path`.
    Remove(Path),
    /// `ADD path value`: to a number, or elements to a set.
    Add(Path, AttributeValue),
    /// `DELETE path value`: elements from a set.
    Delete(Path, AttributeValue),
}

impl UpdateAction {
    /// `SET path = value`.
    pub fn set(path: impl Into<Path>, value: AttributeValue) -> Self {
        UpdateAction::Set(path.into(), Operand::Value(value))
    }

    /// The document path it changes.
    pub fn path(&self) -> &Path {
        match self {
            UpdateAction::Set(path, _)
            | UpdateAction::Remove(path)
            | UpdateAction::Add(path, _)
            | UpdateAction::Delete(path, _) => path,
        }
    }

    /// The clause it belongs to, in the order they are written.
    pub(crate) fn clause(&self) -> usize {
        match self {
            UpdateAction::Set(..) => 0,
            UpdateAction::Remove(_) => 1,
            UpdateAction::Add(..) => 2,
            UpdateAction::Delete(..) => 3,
        }
    }
}
