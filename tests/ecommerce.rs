//! The e-commerce example's access patterns (seeds 001 and 003), against DynamoDB Local.

#[path = "../examples/ecommerce/model.rs"]
#[allow(dead_code)]
mod model;

use std::collections::BTreeMap;
use std::time::SystemTime;

use chrono::{DateTime, Duration, Utc};
use dynamo_entity::{Clock, Entity, Error, Table};
use dynamo_entity_suite::{fresh_table, raw_item, s};
use model::{patterns, Address, Customer, Order, OrderItem, Status, ORDER_RETENTION};

/// The table's clock: a day ahead of the real one (DynamoDB Local deletes by the real clock).
fn now() -> DateTime<Utc> {
    static NOW: std::sync::OnceLock<DateTime<Utc>> = std::sync::OnceLock::new();
    *NOW.get_or_init(|| DateTime::from(dynamo_entity_suite::clock_ahead(1)))
}

async fn table() -> Table {
    fresh_table(model::schema().unwrap())
        .await
        .with_clock(Clock::fixed(SystemTime::from(now())))
}

fn alex() -> Customer {
    Customer {
        username: "alexdebrie".into(),
        email: "alexdebrie1@gmail.com".into(),
        name: "Alex DeBrie".into(),
        addresses: BTreeMap::new(),
    }
}

fn order(id: &str, days_ago: i64) -> Order {
    let placed_at = now() - Duration::days(days_ago);
    Order {
        username: "alexdebrie".into(),
        order_id: id.into(),
        placed_at,
        status: Status::Placed,
        total: 4_000,
        item_count: 2,
        expires_at: placed_at + ORDER_RETENTION,
    }
}

fn items(order: &Order) -> Vec<OrderItem> {
    (1..=2)
        .map(|n| OrderItem {
            order_id: order.order_id.clone(),
            item_id: format!("I{n}"),
            description: format!("Item {n}"),
            price: 2_000,
            quantity: 1,
            expires_at: order.expires_at,
        })
        .collect()
}

#[tokio::test]
async fn usernames_and_emails_are_taken_once() {
    let table = table().await;
    patterns::sign_up(&table, &alex()).await.unwrap();
    let mut same_name = alex();
    same_name.email = "other@example.com".into();
    let err = patterns::sign_up(&table, &same_name).await.unwrap_err();
    assert!(matches!(err, Error::TransactionCancelled { .. }), "{err}");
    let mut same_email = alex();
    same_email.username = "copycat".into();
    let err = patterns::sign_up(&table, &same_email).await.unwrap_err();
    assert!(matches!(err, Error::TransactionCancelled { .. }), "{err}");
    // Neither refused sign-up left anything behind.
    assert!(raw_item(&table, &Customer::primary_key("copycat").unwrap())
        .await
        .is_none());
    assert!(raw_item(
        &table,
        &model::CustomerEmail::primary_key("other@example.com").unwrap()
    )
    .await
    .is_none());
}

#[tokio::test]
async fn a_customer_keeps_at_most_five_addresses() {
    let table = table().await;
    patterns::sign_up(&table, &alex()).await.unwrap();
    let address = |n: usize| Address {
        street: format!("{n} Main Street"),
        city: "Omaha".into(),
    };
    for n in 0..model::MAX_ADDRESSES {
        patterns::save_address(&table, "alexdebrie", &format!("A{n}"), address(n))
            .await
            .unwrap();
    }
    let err = patterns::save_address(&table, "alexdebrie", "A5", address(5))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
    // Replacing one of the five is still allowed.
    let saved = patterns::save_address(&table, "alexdebrie", "A0", address(9))
        .await
        .unwrap();
    assert_eq!(saved.addresses.len(), 5);
    assert_eq!(saved.addresses["A0"].street, "9 Main Street");
    let stored = raw_item(&table, &Customer::primary_key("alexdebrie").unwrap())
        .await
        .unwrap();
    assert_eq!(
        stored["Addresses"].as_m().unwrap()["A0"].as_m().unwrap()["Street"],
        s("9 Main Street")
    );
}

#[tokio::test]
async fn orders_are_found_by_id_with_their_items_and_kept_ninety_days() {
    let table = table().await;
    patterns::sign_up(&table, &alex()).await.unwrap();
    let order = order("O1", 0);
    let metered = table.metered();
    patterns::place_order(&metered, &order, &items(&order))
        .await
        .unwrap();
    assert_eq!(metered.cost().requests, 1, "one transaction");
    let stored = raw_item(&table, &order.key().unwrap()).await.unwrap();
    assert_eq!(
        stored["SK"],
        s(&format!("ORDER#{}#O1", order.placed_at.format("%Y-%m-%d")))
    );
    assert_eq!(stored["GSI1PK"], s("ORDER#O1"));
    assert_eq!(
        stored["TTL"],
        aws_sdk_dynamodb::types::AttributeValue::N(order.expires_at.timestamp().to_string())
    );

    let metered = table.metered();
    let found = patterns::order(&metered, "O1").await.unwrap().unwrap();
    assert_eq!(found, order);
    let parts = patterns::order_with_items(&metered, "O1").await.unwrap();
    assert_eq!(parts.order, std::slice::from_ref(&order));
    assert_eq!(parts.item.len(), 2);
    assert_eq!(metered.cost().requests, 2);

    // Shipped once: the second is refused by its condition.
    assert_eq!(
        patterns::ship(&table, &order).await.unwrap().status,
        Status::Shipped
    );
    let err = patterns::ship(&table, &order).await.unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
}

#[tokio::test]
async fn latest_orders_come_newest_first_a_page_at_a_time() {
    let table = table().await;
    patterns::sign_up(&table, &alex()).await.unwrap();
    for (n, days_ago) in [12, 3, 40, 7, 1, 25, 60].into_iter().enumerate() {
        let order = order(&format!("O{n}"), days_ago);
        patterns::place_order(&table, &order, &items(&order))
            .await
            .unwrap();
    }
    let metered = table.metered();
    let first = patterns::latest_orders(&metered, "alexdebrie", 4, None)
        .await
        .unwrap();
    let second = patterns::latest_orders(&metered, "alexdebrie", 4, first.cursor.clone())
        .await
        .unwrap();
    let ages: Vec<i64> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|o| (now() - o.placed_at).num_days())
        .collect();
    assert_eq!(ages, [1, 3, 7, 12, 25, 40, 60]);
    assert!(second.cursor.is_none());
    assert_eq!(metered.cost().requests, 2);
}
