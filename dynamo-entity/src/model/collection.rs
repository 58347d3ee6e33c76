//! Collections: enums whose variants are entities sharing a partition (or a key), read together
//! by one request. Implemented by `#[derive(Collection)]`; read with
//! [`Table::query_collection`](crate::Table::query_collection) and
//! [`Table::get_collection`](crate::Table::get_collection).

use aws_sdk_dynamodb::types::AttributeValue;

use super::entity::Entity;
use super::index::Index;
use crate::error::Result;
use crate::item::Item;

/// An enum whose variants are entities sharing a partition; implemented by
/// `#[derive(Collection)]`.
///
/// ```no_run
/// use dynamo_entity::{Collection, Entity, Table};
///
/// #[derive(Entity)]
/// #[pk = "USER#<username>"]
/// #[sk = "PROFILE"]
/// struct User { username: String, email: String }
///
/// #[derive(Entity)]
/// #[pk = "USER#<owner>"]
/// #[sk = "PET#<pet_id>"]
/// struct Pet { owner: String, pet_id: String }
///
/// #[derive(Collection)]
/// enum UserPage {
///     User(User),
///     Pet(Pet),
/// }
///
/// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
/// // One query for the user and their pets; the partition comes from any member's query.
/// let page = table.query_collection::<UserPage, _>(User::query("alice")?).all().await?;
/// let UserPageParts { user, pet } = UserPage::split(page.items);
/// # Ok(()) }
/// ```
pub trait Collection: Sized {
    /// The collection's name (the enum's).
    const NAME: &'static str;
    /// The GSI it is read from, for a collection declared with `#[dynamo(index = "gsi1")]`
    /// (its members' shapes are checked there, and only queries of that index read it).
    /// `None`: its shapes are checked on the table, and any index whose partitions its members
    /// share can read it.
    const INDEX: Option<Index> = None;
    /// The entity types of its variants.
    const ENTITY_TYPES: &'static [&'static str];

    /// The attributes a query of the collection reads, when every variant is a projection
    /// (`#[dynamo(projection)]`); `None`: whole items.
    fn attributes() -> Option<Vec<&'static str>> {
        None
    }

    /// The variant an item belongs to, by its entity-type attribute; `None` for an item of
    /// another entity type.
    fn from_item(item: Item) -> Result<Option<Self>>;
}

/// Marks an entity as a variant of collection `C`; implemented by `#[derive(Collection)]`, so
/// that only a member's query can start a collection query.
pub trait Member<C: Collection>: Entity {}

/// The entity-type attribute's value, if the item has one.
#[doc(hidden)]
pub fn entity_type_of<'i>(item: &'i Item, attribute: &str) -> Option<&'i str> {
    match item.get(attribute) {
        Some(AttributeValue::S(s)) => Some(s),
        _ => None,
    }
}
