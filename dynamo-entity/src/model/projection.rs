//! Projections: structs of some of an entity's fields, read with a projection expression.
//! Implemented by `#[derive(Projection)]`.

use super::entity::Entity;
use crate::error::Result;
use crate::item::Item;

/// Some of the fields of entity [`Of`](Self::Of), read with a projection expression;
/// implemented by `#[derive(Projection)]`.
///
/// The derive checks at compile time that every field is a field of the entity, with the same
/// type, stored under the same attribute name. A projection reads the same bytes from
/// DynamoDB's storage (read capacity counts whole items) but transfers, and decodes, only its
/// attributes.
///
/// ```no_run
/// use std::collections::HashMap;
/// use dynamo_entity::{Entity, Projection, Table};
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// pub struct Address { pub street: String }
///
/// #[derive(Entity)]
/// #[pk = "CUSTOMER#<username>"]
/// #[sk = "CUSTOMER#<username>"]
/// pub struct Customer {
///     pub username: String,
///     pub name: String,
///     pub addresses: HashMap<String, Address>,
/// }
///
/// /// A customer's header, without the addresses.
/// #[derive(Projection)]
/// #[dynamo(of = Customer)]
/// pub struct CustomerHeader {
///     pub username: String,
///     pub name: String,
/// }
///
/// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
/// let header = table
///     .get_projection::<CustomerHeader>(Customer::primary_key("alexdebrie")?)
///     .await?;
/// # Ok(()) }
/// ```
pub trait Projection: Sized {
    /// The entity whose fields these are.
    type Of: Entity;
    /// The attributes read, one per field.
    const ATTRIBUTES: &'static [&'static str];
    /// Reads the fields from an item of the entity (checking its entity type first).
    fn from_item(item: Item) -> Result<Self>;
}
