//! What DynamoDB would refuse is refused before sending, naming the entity and attribute; and
//! data DynamoDB cannot hold is never read as a number, against DynamoDB Local.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_entity::{
    item_size, Entity, Error, InvalidRequestKind, Item, Table, TableSchema, MAX_ITEM_BYTES,
};
use dynamo_entity_suite::fresh_table;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "SENSOR#<id>"]
#[sk = "SENSOR"]
#[gsi1(pk = "LABEL#<label>", sk = "SENSOR")]
pub struct Sensor {
    pub id: String,
    pub label: String,
    pub note: String,
    pub total: u128,
    pub scale: f64,
    pub small: f32,
    pub counts: HashMap<String, u32>,
    pub last: Option<Reading>,
}

fn sensor(id: &str) -> Sensor {
    Sensor {
        id: id.into(),
        label: format!("sensor {id}"),
        note: String::new(),
        total: 1,
        scale: 0.5,
        small: 1.5,
        counts: HashMap::new(),
        last: None,
    }
}

async fn table() -> Table {
    fresh_table(TableSchema::new().entity::<Sensor>().unwrap()).await
}

/// Sends `item` under another sensor key of the same length with the SDK, bypassing the library: does DynamoDB
/// refuse it too?
async fn dynamodb_refuses(table: &Table, mut item: Item) -> bool {
    item.insert("PK".into(), AttributeValue::S("SENSOR#zz".into()));
    item.insert("SK".into(), AttributeValue::S("SENSOR".into()));
    let result = table
        .client()
        .put_item()
        .table_name(table.name())
        .set_item(Some(item))
        .send()
        .await;
    match result {
        Ok(_) => false,
        Err(e) => {
            let text = aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string();
            assert!(text.contains("ValidationException"), "{text}");
            true
        }
    }
}

fn refused<T>(result: dynamo_entity::Result<T>) -> String {
    match result {
        Err(e @ Error::Unstorable { .. }) => e.to_string(),
        Err(other) => panic!("expected Unstorable, got {other:?}"),
        Ok(_) => panic!("expected Unstorable, the write was accepted"),
    }
}

#[tokio::test]
async fn an_item_over_400_kb_is_refused_before_sending() {
    let table = table().await.metered();
    let mut big = sensor("s1");
    // A note that brings the item to 409,601 bytes as the library counts them.
    let rest = item_size(&big.to_item().unwrap());
    big.note = "x".repeat(MAX_ITEM_BYTES + 1 - rest);
    assert_eq!(item_size(&big.to_item().unwrap()), 409_601);
    assert_eq!(
        refused(table.create(&big).await),
        format!(
            "Sensor cannot be stored: the item takes 409601 bytes (the largest attribute, \
             `note`, takes {}); DynamoDB allows 409600; nothing was sent",
            "note".len() + big.note.len()
        )
    );
    assert_eq!(table.cost().requests, 0);
    // DynamoDB refuses it too.
    assert!(dynamodb_refuses(&table, big.to_item().unwrap()).await);
    // A batch is checked too.
    refused(table.batch_write().put(&big).send().await);

    // One byte less is exactly DynamoDB's limit, and is stored.
    big.note.pop();
    assert!(!dynamodb_refuses(&table, big.to_item().unwrap()).await);
    table.create(&big).await.unwrap();
    let stored = table.get::<Sensor>(big.key().unwrap()).await.unwrap();
    assert!(stored == Some(big));
}

#[tokio::test]
async fn numbers_beyond_dynamodb_are_refused_before_sending() {
    let table = table().await.metered();
    let cases: [(Sensor, &str); 4] = [
        (
            Sensor {
                total: u128::MAX,
                ..sensor("a")
            },
            "Sensor `total` cannot be stored: 340282366920938463463374607431768211455: it has \
             39 significant digits; DynamoDB keeps 38; nothing was sent",
        ),
        (
            Sensor {
                scale: 1e200,
                ..sensor("b")
            },
            "beyond DynamoDB's numbers",
        ),
        (
            Sensor {
                scale: 1e-200,
                ..sensor("c")
            },
            "its magnitude is below 1E-130",
        ),
        (
            Sensor {
                last: Some(Reading { value: 1e130 }),
                ..sensor("d")
            },
            "Sensor `last.value` cannot be stored",
        ),
    ];
    for (sensor, expected) in cases {
        let message = refused(table.put(&sensor).await);
        assert!(message.contains(expected), "{message}");
        assert!(dynamodb_refuses(&table, sensor.to_item().unwrap()).await);
    }
    assert_eq!(table.cost().requests, 0);

    // Updates too.
    let f = Sensor::fields();
    let message = refused(
        table
            .update::<Sensor>(Sensor::primary_key("a").unwrap())
            .set(f.total, u128::MAX)
            .await,
    );
    assert!(message.contains("39 significant digits"), "{message}");
    assert_eq!(table.cost().requests, 0);
}

#[tokio::test]
async fn an_empty_map_key_is_refused_before_sending() {
    let table = table().await.metered();
    let sensor = Sensor {
        counts: HashMap::from([(String::new(), 1)]),
        ..sensor("e")
    };
    assert_eq!(
        refused(table.create(&sensor).await),
        "Sensor `counts` cannot be stored: a map key is empty, which DynamoDB refuses; nothing \
         was sent"
    );
    assert_eq!(table.cost().requests, 0);
    assert!(dynamodb_refuses(&table, sensor.to_item().unwrap()).await);
}

#[tokio::test]
async fn an_index_key_derived_by_an_update_is_checked_for_size() {
    let table = table().await.metered();
    table.create(&sensor("s1")).await.unwrap();
    let f = Sensor::fields();
    let err = table
        .update::<Sensor>(Sensor::primary_key("s1").unwrap())
        .set(f.label, "x".repeat(3_000))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: Sensor GSI1PK is 3006 bytes; DynamoDB allows 2048 bytes in a partition key"
    );
    // The create alone: the update sets the index's only input, so its key is derived without
    // a read, and refused before it is sent.
    assert_eq!(table.cost().requests, 1);
}

#[tokio::test]
async fn requests_dynamodb_would_refuse_are_not_sent() {
    let table = table().await.metered();
    let err = table
        .query(Sensor::query("s1").unwrap())
        .limit(0)
        .all()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: limit(0) asks for no item; leave the query out instead"
    );
    let err = table
        .query(Sensor::query("s1").unwrap())
        .page_size(0)
        .page()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidRequest {
                kind: InvalidRequestKind::Argument,
                ..
            }
        ),
        "{err}"
    );

    let err = table.read_transaction().send().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: the read transaction is empty"
    );
    let mut read = table.read_transaction();
    read.get::<Sensor>(Sensor::primary_key("s1").unwrap());
    read.get::<Sensor>(Sensor::primary_key("s1").unwrap());
    let err = read.send().await.unwrap_err();
    assert!(
        err.to_string().contains("is read twice in one transaction"),
        "{err}"
    );
    assert_eq!(table.cost().requests, 0);
}

#[tokio::test]
async fn one_undecodable_item_does_not_discard_a_batch_get() {
    let table = table().await;
    let mut batch = table.batch_write();
    let sensors: Vec<Sensor> = (0..10).map(|i| sensor(&format!("s{i}"))).collect();
    for sensor in &sensors {
        batch = batch.put(sensor);
    }
    batch.send().await.unwrap();
    // Someone else's code wrote a string where a number belongs.
    table
        .client()
        .update_item()
        .table_name(table.name())
        .key("PK", AttributeValue::S("SENSOR#s3".into()))
        .key("SK", AttributeValue::S("SENSOR".into()))
        .update_expression("SET #t = :t")
        .expression_attribute_names("#t", "total")
        .expression_attribute_values(":t", AttributeValue::S("many".into()))
        .send()
        .await
        .unwrap();
    let keys = sensors.iter().map(|s| s.key().unwrap());
    let read = table.batch_get::<Sensor>(keys).send().await.unwrap();
    assert_eq!(read.items.len(), 9);
    assert!(read.missing.is_empty() && read.unprocessed.is_empty());
    assert_eq!(read.undecodable.len(), 1);
    let (key, error) = &read.undecodable[0];
    assert_eq!(key, &Sensor::primary_key("s3").unwrap());
    assert!(
        matches!(error, Error::Decode { entity: "Sensor", attribute, .. } if attribute == "total"),
        "{error}"
    );
}

#[test]
fn numbers_dynamodb_cannot_hold_are_never_read_as_floats() {
    let item = |scale: &str, small: &str| -> Item {
        let mut item = sensor("f").to_item().unwrap();
        item.insert("scale".into(), AttributeValue::N(scale.into()));
        item.insert("small".into(), AttributeValue::N(small.into()));
        item
    };
    for (scale, small, attribute) in [
        ("NaN", "1", "scale"),
        ("inf", "1", "scale"),
        ("-infinity", "1", "scale"),
        ("1e400", "1", "scale"),
        ("1e-400", "1", "scale"),
        // Valid DynamoDB numbers that an f32 cannot hold.
        ("1", "1e100", "small"),
        ("1", "1e-50", "small"),
    ] {
        match Sensor::from_item(item(scale, small)) {
            Err(Error::Decode {
                attribute: found, ..
            }) => assert_eq!(found, attribute, "{scale} {small}"),
            other => panic!("{scale} {small}: expected a decode error, got {other:?}"),
        }
    }
    // Rounding to the nearest float is what floats do; zero is zero.
    let read = Sensor::from_item(item("0.1", "-0")).unwrap();
    assert_eq!((read.scale, read.small), (0.1, 0.0));
    let read = Sensor::from_item(item("1E+5", "2.5e-3")).unwrap();
    assert_eq!((read.scale, read.small), (100_000.0, 0.0025));
    // Inside a serde field too.
    let mut nested = item("1", "1");
    nested.insert(
        "last".into(),
        AttributeValue::M([("value".to_owned(), AttributeValue::N("NaN".into()))].into()),
    );
    assert!(Sensor::from_item(nested).is_err());
}
