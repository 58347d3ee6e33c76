//! The foundation every layer shares: an item, and the key of one item in one index.

/// A DynamoDB item, as the SDK represents it.
pub type Item = std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>;

/// The attribute holding the base table's partition key in the default layout.
pub const PK_ATTRIBUTE: &str = "PK";
/// The attribute holding the base table's sort key in the default layout.
pub const SK_ATTRIBUTE: &str = "SK";
/// The attribute holding each item's entity type in the default layout.
pub const TYPE_ATTRIBUTE: &str = "Type";

/// The key of one item in one index: the partition key and, where the index has one, the sort
/// key, as the strings stored in the index's key attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The partition key value (for example `USER#alice`).
    pub pk: String,
    /// The sort key value (for example `PET#rex`), if the index has a sort key.
    pub sk: Option<String>,
}

/// `(USER#alice, PET#rex)`, or `(SESSION#t1)` without a sort key.
impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.sk {
            Some(sk) => write!(f, "({}, {})", self.pk, sk),
            None => write!(f, "({})", self.pk),
        }
    }
}
