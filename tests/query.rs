//! Sort key conditions built from the template, and post-read filters, against DynamoDB Local.

use chrono::{DateTime, TimeZone, Utc};
use dynamo_entity::{Entity, Error, InvalidRequestKind, KeyValue, Table, TableSchema};
use dynamo_entity_suite::fresh_table;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, KeyValue, Serialize, Deserialize)]
pub enum Status {
    Open,
    Shipped,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CUSTOMER#<customer>"]
#[sk = "ORDER#<placed_at>#<number>"]
#[gsi1(pk = "STATUS#<status>", sk = "<placed_at>#<customer>")]
pub struct Order {
    pub customer: String,
    pub placed_at: DateTime<Utc>,
    pub number: u32,
    pub status: Status,
    pub total_cents: i64,
}

/// Sorts below `ORDER#` in the same partition.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CUSTOMER#<customer>"]
#[sk = "NOTE#<topic>"]
pub struct Note {
    pub customer: String,
    pub topic: String,
}

/// Sorts just above every `ORDER#...` key in the same partition.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CUSTOMER#<customer>"]
#[sk = "ORDERS_SUMMARY"]
pub struct Summary {
    pub customer: String,
    pub count: u32,
}

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, d, 12, 0, 0).unwrap()
}

fn order(customer: &str, d: u32, number: u32, status: Status) -> Order {
    Order {
        customer: customer.into(),
        placed_at: day(d),
        number,
        status,
        total_cents: i64::from(number) * 1000,
    }
}

/// Orders of alice on days 1..=5, numbers 1..=3 each; bob has one; plus notes and a summary.
async fn shop() -> Table {
    let schema = TableSchema::new()
        .entity::<Order>()
        .and_then(TableSchema::entity::<Note>)
        .and_then(TableSchema::entity::<Summary>)
        .unwrap();
    let table = fresh_table(schema).await;
    for d in 1..=5 {
        for n in 1..=3 {
            let status = if d % 2 == 0 {
                Status::Shipped
            } else {
                Status::Open
            };
            table.create(&order("alice", d, n, status)).await.unwrap();
        }
    }
    table
        .create(&order("bob", 3, 1, Status::Open))
        .await
        .unwrap();
    for topic in ["billing", "delivery", "returns"] {
        let note = Note {
            customer: "alice".into(),
            topic: topic.into(),
        };
        table.create(&note).await.unwrap();
    }
    let summary = Summary {
        customer: "alice".into(),
        count: 15,
    };
    table.create(&summary).await.unwrap();
    table
}

fn days_and_numbers(orders: &[Order]) -> Vec<(u32, u32)> {
    use chrono::Datelike;
    orders
        .iter()
        .map(|o| (o.placed_at.day(), o.number))
        .collect()
}

#[tokio::test]
async fn ranges_on_the_first_placeholder_stay_inside_the_entity() {
    let table = shop().await;
    let q = || Order::query("alice").unwrap();

    let all = table.query(q()).all().await.unwrap();
    assert_eq!(all.len(), 15, "only orders, not notes or the summary");

    let between = table
        .query(q().placed_at_between(day(2), day(3)).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(
        days_and_numbers(&between),
        [(2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3)],
        "both ends included, with every number of those days"
    );
    let after = table
        .query(q().placed_at_gt(day(4)).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(days_and_numbers(&after), [(5, 1), (5, 2), (5, 3)]);
    let from = table
        .query(q().placed_at_ge(day(4)).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(
        from.len(),
        6,
        "days 4 and 5, and not the summary above them"
    );
    let before = table
        .query(q().placed_at_lt(day(2)).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(
        days_and_numbers(&before),
        [(1, 1), (1, 2), (1, 3)],
        "not the notes below"
    );
    let until = table
        .query(q().placed_at_le(day(2)).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(until.len(), 6);

    let newest = table
        .query(q().placed_at_ge(day(3)).unwrap())
        .descending()
        .page_size(2)
        .page()
        .await
        .unwrap();
    assert_eq!(days_and_numbers(&newest.items), [(5, 3), (5, 2)]);
}

#[tokio::test]
async fn equality_on_leading_placeholders_then_a_range_or_the_rest() {
    let table = shop().await;
    let q = || Order::query("alice").unwrap();

    let on_day = table
        .query(q().placed_at(day(3)).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(days_and_numbers(&on_day), [(3, 1), (3, 2), (3, 3)]);

    let later = table
        .query(q().placed_at(day(3)).unwrap().number_ge(2).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(days_and_numbers(&later), [(3, 2), (3, 3)]);
    let below = table
        .query(q().placed_at(day(3)).unwrap().number_lt(2).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(days_and_numbers(&below), [(3, 1)]);

    let exact = table
        .query(q().placed_at(day(3)).unwrap().number(2).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(exact, vec![order("alice", 3, 2, Status::Open)]);

    let err = q().placed_at_between(day(4), day(2)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidRequest {
                kind: InvalidRequestKind::Argument,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_trailing_string_placeholder_takes_ranges_too() {
    let table = shop().await;
    let topics = |notes: Vec<Note>| notes.into_iter().map(|n| n.topic).collect::<Vec<_>>();
    let q = || Note::query("alice").unwrap();
    let after = table
        .query(q().topic_gt("billing").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(topics(after), ["delivery", "returns"]);
    let until = table
        .query(q().topic_le("delivery").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(topics(until), ["billing", "delivery"]);
    let one = table
        .query(q().topic("returns").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(topics(one), ["returns"]);
}

#[tokio::test]
async fn typed_ranges_on_a_gsi_whose_sort_key_starts_with_a_placeholder() {
    let table = shop().await;
    let shipped = table
        .query(Order::query_gsi1(Status::Shipped).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(shipped.len(), 6, "days 2 and 4");
    let recent_open = table
        .query(
            Order::query_gsi1(Status::Open)
                .unwrap()
                .placed_at_ge(day(3))
                .unwrap(),
        )
        .all()
        .await
        .unwrap();
    // Days 3 and 5 for alice (3 each), day 3 for bob.
    assert_eq!(recent_open.len(), 7);
    assert!(recent_open.iter().all(|o| o.placed_at >= day(3)));
    let bobs = table
        .query(
            Order::query_gsi1(Status::Open)
                .unwrap()
                .placed_at(day(3))
                .unwrap()
                .customer("bob")
                .unwrap(),
        )
        .all()
        .await
        .unwrap();
    assert_eq!(bobs, vec![order("bob", 3, 1, Status::Open)]);
}

#[tokio::test]
async fn post_read_filters_drop_items_after_reading_them() {
    let table = shop().await;
    let f = Order::fields();
    let big = table
        .query(Order::query("alice").unwrap())
        .filter_after_read(f.total_cents.ge(3000) & f.status.eq(Status::Shipped))
        .all()
        .await
        .unwrap();
    assert_eq!(days_and_numbers(&big), [(2, 3), (4, 3)]);

    // A page counts what was read, not what survived the filter.
    let page = table
        .query(Order::query("alice").unwrap())
        .filter_after_read(f.total_cents.ge(3000))
        .page_size(2)
        .page()
        .await
        .unwrap();
    assert!(page.items.is_empty(), "{:?}", page.items);
    assert!(page.cursor.is_some(), "more to read");
}

/// A fixed-width placeholder that ends the key: `le(5)` must not take day 6.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "SENSOR#<sensor>"]
#[sk = "DAY#<day>"]
pub struct Reading {
    pub sensor: String,
    pub day: u16,
}

#[tokio::test]
async fn ranges_on_a_placeholder_that_ends_the_key_are_exact() {
    let table = fresh_table(TableSchema::new().entity::<Reading>().unwrap()).await;
    for day in 1..=9 {
        let reading = Reading {
            sensor: "s1".into(),
            day,
        };
        table.create(&reading).await.unwrap();
    }
    let days = |readings: Vec<Reading>| readings.into_iter().map(|r| r.day).collect::<Vec<_>>();
    let q = || Reading::query("s1").unwrap();
    assert_eq!(
        days(table.query(q().day_le(5).unwrap()).all().await.unwrap()),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(
        days(table.query(q().day_lt(5).unwrap()).all().await.unwrap()),
        [1, 2, 3, 4]
    );
    assert_eq!(
        days(table.query(q().day_gt(5).unwrap()).all().await.unwrap()),
        [6, 7, 8, 9]
    );
    assert_eq!(
        days(
            table
                .query(q().day_between(3, 4).unwrap())
                .all()
                .await
                .unwrap()
        ),
        [3, 4]
    );
}
