//! *The DynamoDB Book*, chapter 20: Big Time Deals. `PK`/`SK`, three GSIs (`GSI1` to `GSI3`)
//! and a sparse, hash-only `UserIndex`; a `Type` attribute. Deals are read by day (the key holds
//! the creation time truncated to midnight, as JavaScript's `toISOString` writes it), by brand
//! and day and by category and day (brand and category upper-cased in keys, kept as written in
//! attributes); users are scanned through a sparse index; a user's unread messages are in GSI1
//! only while unread.

use std::collections::BTreeSet;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeZone, Utc};
use dynamo_entity::{Entity, TableLayout, TableSchema};
use dynamo_entity_suite::{fresh_table, item, raw_item, s};

#[derive(TableLayout)]
#[dynamo(partition_key = "PK", sort_key = "SK")]
#[dynamo(gsi(GSI1: partition_key = "GSI1PK", sort_key = "GSI1SK"))]
#[dynamo(gsi(GSI2: partition_key = "GSI2PK", sort_key = "GSI2SK"))]
#[dynamo(gsi(GSI3: partition_key = "GSI3PK", sort_key = "GSI3SK"))]
#[dynamo(gsi(UserIndex: partition_key = "UserIndex"))]
struct BigTimeDeals;

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = BigTimeDeals)]
#[pk = "DEAL#<deal_id>"]
#[sk = "DEAL#<deal_id>"]
#[index(GSI1: pk = "DEALS#<created_at:date:millis>", sk = "DEAL#<deal_id>")]
#[index(GSI2:
    pk = "BRAND#<brand:upper>#<created_at:date:millis>",
    sk = "DEAL#<deal_id>"
)]
#[index(GSI3:
    pk = "CATEGORY#<category:upper>#<created_at:date:millis>",
    sk = "DEAL#<deal_id>"
)]
struct Deal {
    /// A KSUID in the book: sortable by time.
    #[dynamo(rename = "DealId")]
    deal_id: String,
    #[dynamo(rename = "Title")]
    title: String,
    #[dynamo(rename = "Price")]
    price_cents: u64,
    #[dynamo(rename = "Category")]
    category: String,
    #[dynamo(rename = "Brand")]
    brand: String,
    #[dynamo(rename = "CreatedAt", format = "millis")]
    created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = BigTimeDeals)]
#[pk = "BRAND#<name:upper>"]
#[sk = "BRAND#<name:upper>"]
struct Brand {
    #[dynamo(rename = "BrandName")]
    name: String,
    #[dynamo(rename = "LikeCount")]
    likes: u64,
}

/// Every brand's name, in one item, for the front page's brand list.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = BigTimeDeals, constant_pk)]
#[pk = "BRANDS"]
#[sk = "BRANDS"]
struct Brands {
    #[dynamo(rename = "Brands")]
    names: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = BigTimeDeals)]
#[pk = "USER#<username:lower>"]
#[sk = "USER#<username:lower>"]
#[index(UserIndex: pk = "USER#<username:lower>")]
struct User {
    #[dynamo(rename = "Username")]
    username: String,
    #[dynamo(rename = "Name")]
    name: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = BigTimeDeals)]
#[pk = "MESSAGES#<username:lower>"]
#[sk = "MESSAGES#<message_id>"]
#[index(GSI1:
    pk = "MESSAGES#<username:lower>",
    sk = "MESSAGES#<message_id>",
    when(is_unread, from(unread))
)]
struct Message {
    #[dynamo(rename = "Username")]
    username: String,
    #[dynamo(rename = "MessageId")]
    message_id: String,
    #[dynamo(rename = "Subject")]
    subject: String,
    #[dynamo(rename = "Unread")]
    unread: bool,
}

impl Message {
    /// Only unread messages are in the inbox index.
    fn is_unread(&self) -> bool {
        self.unread
    }
}

fn schema() -> TableSchema {
    TableSchema::of::<BigTimeDeals>()
        .entity::<Deal>()
        .and_then(|s| s.entity::<Brand>())
        .and_then(|s| s.entity::<Brands>())
        .and_then(|s| s.entity::<User>())
        .and_then(|s| s.entity::<Message>())
        .unwrap()
}

fn deal(id: &str, brand: &str, category: &str, day: u32, hour: u32) -> Deal {
    Deal {
        deal_id: id.into(),
        title: format!("{brand} deal {id}"),
        price_cents: 4_999,
        category: category.into(),
        brand: brand.into(),
        created_at: Utc.with_ymd_and_hms(2020, 1, day, hour, 15, 0).unwrap(),
    }
}

#[tokio::test]
async fn deals_are_keyed_by_day_brand_and_category_as_the_book_keys_them() {
    let table = fresh_table(schema()).await;
    let deals = [
        deal("1a", "Nike", "Shoes", 10, 8),
        deal("1b", "Nike", "Shoes", 10, 17),
        deal("1c", "Adidas", "Shoes", 10, 12),
        deal("1d", "Nike", "Apparel", 11, 9),
    ];
    for d in &deals {
        table.create(d).await.unwrap();
    }
    assert_eq!(
        raw_item(&table, &deals[0].key().unwrap()).await.unwrap(),
        item(vec![
            ("PK", s("DEAL#1a")),
            ("SK", s("DEAL#1a")),
            ("GSI1PK", s("DEALS#2020-01-10T00:00:00.000Z")),
            ("GSI1SK", s("DEAL#1a")),
            ("GSI2PK", s("BRAND#NIKE#2020-01-10T00:00:00.000Z")),
            ("GSI2SK", s("DEAL#1a")),
            ("GSI3PK", s("CATEGORY#SHOES#2020-01-10T00:00:00.000Z")),
            ("GSI3SK", s("DEAL#1a")),
            ("Type", s("Deal")),
            ("DealId", s("1a")),
            ("Title", s("Nike deal 1a")),
            ("Price", AttributeValue::N("4999".into())),
            ("Category", s("Shoes")),
            ("Brand", s("Nike")),
            ("CreatedAt", s("2020-01-10T08:15:00.000Z")),
        ])
    );

    // The day's deals, newest first: the typed query takes any time of the day and buckets it.
    let noon = Utc.with_ymd_and_hms(2020, 1, 10, 12, 0, 0).unwrap();
    let metered = table.metered();
    let today = metered
        .query(Deal::query_gsi1(noon).unwrap())
        .descending()
        .all()
        .await
        .unwrap();
    let ids: Vec<&str> = today.iter().map(|d| d.deal_id.as_str()).collect();
    assert_eq!(ids, ["1c", "1b", "1a"]);
    // A brand's deals of the day, whatever the case the caller writes the brand in.
    let nike = metered
        .query(Deal::query_gsi2("nike", noon).unwrap())
        .all()
        .await
        .unwrap();
    let ids: Vec<&str> = nike.iter().map(|d| d.deal_id.as_str()).collect();
    assert_eq!(ids, ["1a", "1b"]);
    // A category's deals of another day.
    let next_day = Utc.with_ymd_and_hms(2020, 1, 11, 23, 59, 59).unwrap();
    let apparel = metered
        .query(Deal::query_gsi3("Apparel", next_day).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(apparel, [deals[3].clone()]);
    assert_eq!(metered.cost().requests, 3);
}

#[tokio::test]
async fn a_new_brand_joins_the_brand_list_in_one_transaction() {
    let table = fresh_table(schema()).await;
    table
        .create(&Brands {
            names: BTreeSet::new(),
        })
        .await
        .unwrap();
    let f = Brands::fields();
    for name in ["Nike", "Adidas"] {
        let brand = Brand {
            name: name.into(),
            likes: 0,
        };
        table
            .transaction()
            .write(table.create(&brand))
            .update(
                table
                    .update::<Brands>(Brands::primary_key().unwrap())
                    .add_to_set(f.names, [name.to_owned()]),
            )
            .send()
            .await
            .unwrap();
    }
    assert_eq!(
        raw_item(&table, &Brand::primary_key("Nike").unwrap())
            .await
            .unwrap(),
        item(vec![
            ("PK", s("BRAND#NIKE")),
            ("SK", s("BRAND#NIKE")),
            ("Type", s("Brand")),
            ("BrandName", s("Nike")),
            ("LikeCount", AttributeValue::N("0".into())),
        ])
    );
    let list = raw_item(&table, &Brands::primary_key().unwrap())
        .await
        .unwrap();
    let mut names = list["Brands"].as_ss().unwrap().clone();
    names.sort();
    assert_eq!(names, ["Adidas", "Nike"]);
    assert_eq!(list["PK"], s("BRANDS"));
}

#[tokio::test]
async fn users_are_scanned_through_their_sparse_index() {
    let table = fresh_table(schema()).await;
    for name in ["AlexDeBrie", "bob", "carol"] {
        table
            .create(&User {
                username: name.into(),
                name: format!("{name}!"),
            })
            .await
            .unwrap();
    }
    table
        .create(&deal("1a", "Nike", "Shoes", 10, 8))
        .await
        .unwrap();
    assert_eq!(
        raw_item(&table, &User::primary_key("AlexDeBrie").unwrap())
            .await
            .unwrap(),
        item(vec![
            ("PK", s("USER#alexdebrie")),
            ("SK", s("USER#alexdebrie")),
            ("UserIndex", s("USER#alexdebrie")),
            ("Type", s("User")),
            ("Username", s("AlexDeBrie")),
            ("Name", s("AlexDeBrie!")),
        ])
    );
    assert_eq!(User::USER_INDEX, dynamo_entity::Index::Gsi(4));
    let metered = table.metered();
    let users = metered
        .scan_index::<User>(User::USER_INDEX)
        .segments(1)
        .all()
        .await
        .unwrap();
    assert_eq!(users.len(), 3);
    assert_eq!(metered.cost().requests, 1);
}

#[tokio::test]
async fn a_message_leaves_the_inbox_index_when_read() {
    let table = fresh_table(schema()).await;
    let messages: Vec<Message> = (1..=3)
        .map(|n| Message {
            username: "AlexDeBrie".into(),
            message_id: format!("m{n}"),
            subject: format!("Deal {n}"),
            unread: n != 2,
        })
        .collect();
    for m in &messages {
        table.create(m).await.unwrap();
    }
    assert_eq!(
        raw_item(&table, &messages[0].key().unwrap()).await.unwrap(),
        item(vec![
            ("PK", s("MESSAGES#alexdebrie")),
            ("SK", s("MESSAGES#m1")),
            ("GSI1PK", s("MESSAGES#alexdebrie")),
            ("GSI1SK", s("MESSAGES#m1")),
            ("Type", s("Message")),
            ("Username", s("AlexDeBrie")),
            ("MessageId", s("m1")),
            ("Subject", s("Deal 1")),
            ("Unread", AttributeValue::Bool(true)),
        ])
    );
    let read = raw_item(&table, &messages[1].key().unwrap()).await.unwrap();
    assert!(
        !read.contains_key("GSI1PK") && !read.contains_key("GSI1SK"),
        "{read:?}"
    );

    let unread = |table: dynamo_entity::Table| async move {
        table
            .query(Message::query_gsi1("alexdebrie").unwrap())
            .all()
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.message_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(unread(table.clone()).await, ["m1", "m3"]);

    // Reading a message: the predicate decides the index, so the update reads the item first.
    let metered = table.metered();
    metered
        .update::<Message>(messages[0].key().unwrap())
        .set(Message::fields().unread, false)
        .send()
        .await
        .unwrap();
    assert_eq!(
        metered.cost().requests,
        2,
        "read, then a conditional update"
    );
    let stored = raw_item(&table, &messages[0].key().unwrap()).await.unwrap();
    assert!(
        !stored.contains_key("GSI1PK") && !stored.contains_key("GSI1SK"),
        "{stored:?}"
    );
    assert_eq!(stored["Unread"], AttributeValue::Bool(false));
    assert_eq!(unread(table.clone()).await, ["m3"]);
}
