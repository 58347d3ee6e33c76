//! Typed partial reads: a projection struct read with a projection expression, on get and
//! query, against DynamoDB Local.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use dynamo_entity::{Collection, Entity, Error, Projection, TableSchema};
use dynamo_entity_suite::fresh_table;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Address {
    street: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CUSTOMER#<username>"]
#[sk = "CUSTOMER#<username>"]
struct Customer {
    username: String,
    #[dynamo(rename = "full_name")]
    name: String,
    addresses: HashMap<String, Address>,
    #[dynamo(ttl)]
    closes_at: Option<DateTime<Utc>>,
}

/// The customer's header, without the addresses.
#[derive(Debug, PartialEq, Projection)]
#[dynamo(of = Customer)]
struct CustomerHeader {
    username: String,
    #[dynamo(rename = "full_name")]
    name: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CUSTOMER#<username>"]
#[sk = "ORDER#<order_id>"]
struct Order {
    username: String,
    order_id: String,
    status: String,
    lines: Vec<String>,
}

#[derive(Debug, PartialEq, Projection)]
#[dynamo(of = Order)]
struct OrderStatus {
    order_id: String,
    status: String,
}

fn customer(username: &str) -> Customer {
    Customer {
        username: username.into(),
        name: format!("{username} Smith"),
        addresses: (0..50)
            .map(|i| {
                (
                    format!("label {i}"),
                    Address {
                        street: "x".repeat(200),
                    },
                )
            })
            .collect(),
        closes_at: None,
    }
}

#[tokio::test]
async fn a_customers_header_is_read_without_its_addresses() {
    let schema = TableSchema::new()
        .entity::<Customer>()
        .unwrap()
        .entity::<Order>()
        .unwrap();
    let table = fresh_table(schema).await;
    table.create(&customer("alex")).await.unwrap();
    let metered = table.metered();
    let header = metered
        .get_projection::<CustomerHeader>(Customer::primary_key("alex").unwrap())
        .await
        .unwrap();
    assert_eq!(
        header,
        Some(CustomerHeader {
            username: "alex".into(),
            name: "alex Smith".into(),
        })
    );
    assert_eq!(metered.cost().requests, 1);
    let none = table
        .get_projection::<CustomerHeader>(Customer::primary_key("nobody").unwrap())
        .consistent_read()
        .await
        .unwrap();
    assert_eq!(none, None);

    // An expired customer is absent for projections too.
    let mut closed = customer("gone");
    closed.closes_at = Some(Utc::now() - Duration::hours(1));
    table.put(&closed).await.unwrap();
    let gone = table
        .get_projection::<CustomerHeader>(Customer::primary_key("gone").unwrap())
        .await
        .unwrap();
    assert_eq!(gone, None);

    // Another entity's item under the key is a mismatch, as for a full read.
    let order_key = Order::primary_key("alex", "o1").unwrap();
    table
        .create(&Order {
            username: "alex".into(),
            order_id: "o1".into(),
            status: "PLACED".into(),
            lines: vec!["a".into()],
        })
        .await
        .unwrap();
    let err = table
        .get_projection::<CustomerHeader>(order_key)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EntityTypeMismatch { .. }), "{err}");
}

#[tokio::test]
async fn a_query_reads_the_statuses_of_orders_only() {
    let table = fresh_table(TableSchema::new().entity::<Order>().unwrap()).await;
    for (n, status) in [(1, "PLACED"), (2, "SHIPPED"), (3, "PLACED")] {
        table
            .create(&Order {
                username: "alex".into(),
                order_id: format!("o{n}"),
                status: status.into(),
                lines: vec!["line".repeat(100); 20],
            })
            .await
            .unwrap();
    }
    let metered = table.metered();
    let statuses = metered
        .query(Order::query("alex").unwrap())
        .descending()
        .page_size(2)
        .project::<OrderStatus>()
        .all()
        .await
        .unwrap();
    let expected: Vec<(&str, &str)> = vec![("o3", "PLACED"), ("o2", "SHIPPED"), ("o1", "PLACED")];
    let got: Vec<(&str, &str)> = statuses
        .iter()
        .map(|s| (s.order_id.as_str(), s.status.as_str()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(metered.cost().requests, 2);
    // A batch get of statuses: one request, the projection's attributes only.
    let keys: Vec<_> = ["o1", "o3", "o9"]
        .iter()
        .map(|id| Order::primary_key("alex", *id).unwrap())
        .collect();
    let metered = table.metered();
    let read = metered
        .batch_get::<Order>(keys)
        .project::<OrderStatus>()
        .send()
        .await
        .unwrap();
    assert_eq!(metered.cost().requests, 1);
    assert_eq!(read.items.len(), 2);
    assert_eq!(
        read.items[&Order::primary_key("alex", "o3").unwrap()].status,
        "PLACED"
    );
    assert_eq!(read.missing, [Order::primary_key("alex", "o9").unwrap()]);

    let first = table
        .query(Order::query("alex").unwrap())
        .limit(1)
        .project::<OrderStatus>()
        .page()
        .await
        .unwrap();
    assert_eq!(first.items.len(), 1);
    assert!(first.cursor.is_some());
}

/// A customer's page, headers only: the customer without addresses, the orders without lines.
#[derive(Debug, PartialEq, Collection)]
enum CustomerOverview {
    #[dynamo(projection)]
    Customer(CustomerHeader),
    #[dynamo(projection)]
    Order(OrderStatus),
}

#[tokio::test]
async fn a_collection_of_projections_reads_their_attributes_only() {
    let schema = TableSchema::new()
        .entity::<Customer>()
        .unwrap()
        .entity::<Order>()
        .unwrap();
    let table = fresh_table(schema).await;
    table.create(&customer("alex")).await.unwrap();
    for n in 1..=2 {
        table
            .create(&Order {
                username: "alex".into(),
                order_id: format!("o{n}"),
                status: "PLACED".into(),
                lines: vec!["line".repeat(100); 20],
            })
            .await
            .unwrap();
    }
    let metered = table.metered();
    let page = metered
        .query_collection::<CustomerOverview, _>(Customer::query("alex").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(metered.cost().requests, 1);
    let parts = CustomerOverview::split(page.items);
    assert_eq!(
        parts.customer,
        [CustomerHeader {
            username: "alex".into(),
            name: "alex Smith".into()
        }]
    );
    let ids: Vec<&str> = parts.order.iter().map(|o| o.order_id.as_str()).collect();
    assert_eq!(ids, ["o1", "o2"]);
    assert_eq!(
        <CustomerOverview as Collection>::attributes(),
        Some(vec!["username", "full_name", "order_id", "status"])
    );
}
