//! The e-commerce application of seeds 001 and 003, on one table: customers with unique
//! usernames and e-mail addresses, their addresses, orders kept 90 days (TTL), order items,
//! an order found by its id through GSI1, a customer's latest orders newest first, and an order
//! with its items in one query.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use dynamo_entity::{Collection, Entity, Error, TableLayout, TableSchema};

/// The seeds' table: generic keys, one overloaded index.
#[derive(TableLayout)]
#[dynamo(partition_key = "PK", sort_key = "SK", type_attribute = "Type")]
#[dynamo(gsi(GSI1: partition_key = "GSI1PK", sort_key = "GSI1SK"))]
pub struct Shop;

/// A postal address, kept in the customer's item (a customer has at most five).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Address {
    #[serde(rename = "Street")]
    pub street: String,
    #[serde(rename = "City")]
    pub city: String,
}

/// The most addresses a customer keeps.
pub const MAX_ADDRESSES: usize = 5;

/// `CUSTOMER#<username>` / `CUSTOMER#<username>`: the username is the key, so it is unique.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = Shop)]
#[pk = "CUSTOMER#<username>"]
#[sk = "CUSTOMER#<username>"]
pub struct Customer {
    #[dynamo(rename = "Username")]
    pub username: String,
    #[dynamo(rename = "EmailAddress")]
    pub email: String,
    #[dynamo(rename = "Name")]
    pub name: String,
    /// By label (`Home`, `Work`): a bounded relationship, in the item.
    #[dynamo(rename = "Addresses")]
    pub addresses: BTreeMap<String, Address>,
}

/// `CUSTOMEREMAIL#<email>`: an address is taken once, by the customer who holds this item.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = Shop)]
#[pk = "CUSTOMEREMAIL#<email>"]
#[sk = "CUSTOMEREMAIL#<email>"]
pub struct CustomerEmail {
    #[dynamo(rename = "EmailAddress")]
    pub email: String,
    #[dynamo(rename = "Username")]
    pub username: String,
}

/// An order's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Placed,
    Shipped,
}

/// `CUSTOMER#<username>` / `ORDER#<date>#<order_id>`: a customer's orders by date; GSI1 finds
/// one by its id. Kept 90 days.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = Shop)]
#[pk = "CUSTOMER#<username>"]
#[sk = "ORDER#<placed_at:date>#<order_id>"]
#[index(GSI1: pk = "ORDER#<order_id>", sk = "ORDER#<order_id>")]
pub struct Order {
    #[dynamo(rename = "Username")]
    pub username: String,
    #[dynamo(rename = "OrderId")]
    pub order_id: String,
    #[dynamo(rename = "PlacedAt", format = "millis")]
    pub placed_at: DateTime<Utc>,
    #[dynamo(rename = "Status")]
    pub status: Status,
    /// In cents.
    #[dynamo(rename = "Total")]
    pub total: u64,
    #[dynamo(rename = "ItemCount")]
    pub item_count: u32,
    #[dynamo(rename = "TTL", ttl)]
    pub expires_at: DateTime<Utc>,
}

/// How long orders are kept.
pub const ORDER_RETENTION: Duration = Duration::days(90);

/// `ORDER#<order_id>#ITEM#<item_id>`: an order's line; in GSI1 beside its order.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = Shop)]
#[pk = "ORDER#<order_id>#ITEM#<item_id>"]
#[sk = "ORDER#<order_id>#ITEM#<item_id>"]
#[index(GSI1: pk = "ORDER#<order_id>", sk = "ITEM#<item_id>")]
pub struct OrderItem {
    #[dynamo(rename = "OrderId")]
    pub order_id: String,
    #[dynamo(rename = "ItemId")]
    pub item_id: String,
    #[dynamo(rename = "Description")]
    pub description: String,
    /// In cents, each.
    #[dynamo(rename = "Price")]
    pub price: u64,
    #[dynamo(rename = "Quantity")]
    pub quantity: u32,
    #[dynamo(rename = "TTL", ttl)]
    pub expires_at: DateTime<Utc>,
}

/// An order's partition of GSI1: the order and its items.
#[derive(Debug, Clone, PartialEq, Collection)]
#[dynamo(index = "GSI1")]
pub enum OrderWithItems {
    Order(Order),
    Item(OrderItem),
}

/// The table's entities.
pub fn schema() -> Result<TableSchema, Error> {
    TableSchema::of::<Shop>()
        .entity::<Customer>()?
        .entity::<CustomerEmail>()?
        .entity::<Order>()?
        .entity::<OrderItem>()
}

/// The access patterns.
pub mod patterns {
    use super::*;
    use dynamo_entity::{Cursor, Page, Table};

    /// Signs a customer up: the customer and its e-mail item, each only if absent, in one
    /// transaction; a taken username or address cancels both.
    pub async fn sign_up(table: &Table, customer: &Customer) -> Result<(), Error> {
        let email = CustomerEmail {
            email: customer.email.clone(),
            username: customer.username.clone(),
        };
        table
            .transaction()
            .write(table.create(customer))
            .write(table.create(&email))
            .await
    }

    /// A customer by username: one GetItem.
    pub async fn customer(table: &Table, username: &str) -> Result<Option<Customer>, Error> {
        table
            .get::<Customer>(Customer::primary_key(username)?)
            .await
    }

    /// Adds or replaces an address by label: one update of one map entry, refused beyond five
    /// addresses (the condition counts them).
    pub async fn save_address(
        table: &Table,
        username: &str,
        label: &str,
        address: Address,
    ) -> Result<Customer, Error> {
        let f = Customer::fields();
        table
            .update::<Customer>(Customer::primary_key(username)?)
            .set_entry(f.addresses.entry(label), address)
            .condition(
                f.addresses
                    .entry(label)
                    .exists()
                    .or(f.addresses.size().lt(MAX_ADDRESSES)),
            )
            .send()
            .await
    }

    /// Places an order with its items: one transaction, every item created only if absent.
    pub async fn place_order(
        table: &Table,
        order: &Order,
        items: &[OrderItem],
    ) -> Result<(), Error> {
        let mut transaction = table.transaction().write(table.create(order));
        for item in items {
            transaction = transaction.write(table.create(item));
        }
        transaction.await
    }

    /// An order by its id: one query of its GSI1 partition, its items left out.
    pub async fn order(table: &Table, order_id: &str) -> Result<Option<Order>, Error> {
        Ok(table
            .query(Order::query_gsi1(order_id)?)
            .all()
            .await?
            .into_iter()
            .next())
    }

    /// An order with its items: one query of GSI1.
    pub async fn order_with_items(
        table: &Table,
        order_id: &str,
    ) -> Result<OrderWithItemsParts, Error> {
        let page = table
            .query_collection::<OrderWithItems, _>(Order::query_gsi1(order_id)?)
            .all()
            .await?;
        Ok(OrderWithItems::split(page.items))
    }

    /// A page of a customer's orders, newest first, from `after` if given: one query.
    pub async fn latest_orders(
        table: &Table,
        username: &str,
        page_size: u32,
        after: Option<Cursor>,
    ) -> Result<Page<Order>, Error> {
        let mut query = table
            .query(Order::query(username)?)
            .descending()
            .page_size(page_size);
        if let Some(cursor) = after {
            query = query.after(cursor);
        }
        query.page().await
    }

    /// Ships an order that is placed (only once): one conditional update.
    pub async fn ship(table: &Table, order: &Order) -> Result<Order, Error> {
        let f = Order::fields();
        table
            .update::<Order>(order.key()?)
            .set(f.status, Status::Shipped)
            .condition(f.status.eq(Status::Placed))
            .send()
            .await
    }
}
