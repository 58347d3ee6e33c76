//! Formats: key parts written the way an existing layout writes them, and timestamp attributes
//! stored in the form another application reads (`#[dynamo(format = "..")]`).

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeZone, Utc};
use dynamo_entity::{Entity, TableSchema};
use dynamo_entity_suite::{fresh_table, raw_item, s};

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "SHIPMENT#<carrier:lower>#<number:unpadded>"]
#[sk = "AT#<shipped_at:epoch>"]
#[gsi1(pk = "DAY#<shipped_at:date>", sk = "<priority:3:inverted>#<number:7>")]
struct Shipment {
    carrier: String,
    number: u64,
    priority: u8,
    #[dynamo(format = "millis")]
    shipped_at: DateTime<Utc>,
    #[dynamo(format = "seconds")]
    promised_by: Option<DateTime<Utc>>,
    #[dynamo(format = "epoch")]
    delivered_at: Option<DateTime<Utc>>,
}

fn shipment() -> Shipment {
    Shipment {
        carrier: "DHL".into(),
        number: 42,
        priority: 2,
        shipped_at: Utc.with_ymd_and_hms(2024, 1, 15, 10, 30, 5).unwrap()
            + chrono::Duration::milliseconds(250),
        promised_by: Some(Utc.with_ymd_and_hms(2024, 1, 17, 18, 0, 0).unwrap()),
        delivered_at: None,
    }
}

#[test]
fn keys_and_attributes_take_their_formats() {
    let item = shipment().to_item().unwrap();
    assert_eq!(item["PK"], s("SHIPMENT#dhl#42"));
    assert_eq!(item["SK"], s("AT#1705314605"));
    assert_eq!(item["GSI1PK"], s("DAY#2024-01-15"));
    assert_eq!(item["GSI1SK"], s("997#0000042"));
    assert_eq!(
        item["carrier"],
        s("DHL"),
        "the attribute keeps the original"
    );
    assert_eq!(item["shipped_at"], s("2024-01-15T10:30:05.250Z"));
    assert_eq!(item["promised_by"], s("2024-01-17T18:00:00Z"));
    assert!(!item.contains_key("delivered_at"));
    assert_eq!(Shipment::from_item(item).unwrap(), shipment());
}

#[test]
fn a_stored_form_keeps_what_it_can_hold() {
    // Millisecond text holds no nanoseconds: they are dropped on the way in, as another
    // application writing that form would drop them.
    let mut precise = shipment();
    precise.shipped_at += chrono::Duration::nanoseconds(999);
    let back = Shipment::from_item(precise.to_item().unwrap()).unwrap();
    assert_eq!(back, shipment());
    // Items that another application wrote, at another precision, read.
    let mut item = shipment().to_item().unwrap();
    item.insert("shipped_at".into(), s("2024-01-15T10:30:05.25Z"));
    item.insert(
        "delivered_at".into(),
        AttributeValue::N("1705500000".into()),
    );
    let read = Shipment::from_item(item).unwrap();
    assert_eq!(read.shipped_at, shipment().shipped_at);
    assert_eq!(
        read.delivered_at,
        DateTime::from_timestamp(1_705_500_000, 0)
    );
    // A key that the format cannot hold is refused, naming the field.
    let mut old = shipment();
    old.shipped_at = Utc.with_ymd_and_hms(1969, 7, 20, 20, 17, 0).unwrap();
    let err = old.key().unwrap_err();
    assert!(err.to_string().contains("Shipment.shipped_at"), "{err}");
}

#[tokio::test]
async fn updates_store_the_format_too() {
    let table = fresh_table(TableSchema::new().entity::<Shipment>().unwrap()).await;
    let shipment = shipment();
    table.create(&shipment).await.unwrap();
    let delivered = Utc.with_ymd_and_hms(2024, 1, 17, 9, 12, 0).unwrap();
    table
        .update::<Shipment>(shipment.key().unwrap())
        .set(Shipment::fields().delivered_at, Some(delivered))
        .send()
        .await
        .unwrap();
    let stored = raw_item(&table, &shipment.key().unwrap()).await.unwrap();
    assert_eq!(
        stored["delivered_at"],
        AttributeValue::N("1705482720".into())
    );
    assert_eq!(stored["shipped_at"], s("2024-01-15T10:30:05.250Z"));
    let read = table
        .get::<Shipment>(shipment.key().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.delivered_at, Some(delivered));
}
