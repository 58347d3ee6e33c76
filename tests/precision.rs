//! What DynamoDB's and the formats' precision does to values, decided and pinned (issue 20,
//! item 22): each case says what is kept, and the README's guarantees say the same.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeZone, Utc};
use dynamo_entity::{Entity, Item};

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "READING#<id>"]
#[sk = "READING"]
struct Reading {
    id: String,
    value: f64,
    #[dynamo(format = "millis")]
    at: DateTime<Utc>,
    #[dynamo(ttl)]
    expires: DateTime<Utc>,
}

fn reading() -> Reading {
    Reading {
        id: "r1".into(),
        value: -0.0,
        at: Utc.with_ymd_and_hms(2024, 1, 15, 10, 30, 0).unwrap(),
        expires: Utc.timestamp_opt(1_800_000_000, 700_000_000).unwrap(),
    }
}

/// DynamoDB numbers have no negative zero: `-0.0` is stored as `0`, and reads back as `0.0`.
#[test]
fn negative_zero_is_stored_as_zero() {
    let item = reading().to_item().unwrap();
    assert_eq!(item["value"], AttributeValue::N("0".into()));
    let back = Reading::from_item(item).unwrap();
    assert_eq!(back.value, 0.0);
    assert!(back.value.is_sign_positive());
}

/// A TTL is whole epoch seconds, as DynamoDB reads it: a fraction of a second is dropped (the
/// item expires at the start of its second).
#[test]
fn a_ttl_keeps_whole_seconds() {
    let item = reading().to_item().unwrap();
    assert_eq!(item["expires"], AttributeValue::N("1800000000".into()));
    let back = Reading::from_item(item).unwrap();
    assert_eq!(back.expires, Utc.timestamp_opt(1_800_000_000, 0).unwrap());
}

/// A `millis` field is written to the millisecond; finer digits another client wrote are
/// read as they are, and written back to the millisecond.
#[test]
fn a_millis_field_reads_finer_digits_and_writes_milliseconds() {
    let mut item: Item = reading().to_item().unwrap();
    assert_eq!(
        item["at"],
        AttributeValue::S("2024-01-15T10:30:00.000Z".into())
    );
    item.insert(
        "at".into(),
        AttributeValue::S("2024-01-15T10:30:00.123456Z".into()),
    );
    let read = Reading::from_item(item).unwrap();
    assert_eq!(read.at.timestamp_subsec_micros(), 123_456);
    let written = read.to_item().unwrap();
    assert_eq!(
        written["at"],
        AttributeValue::S("2024-01-15T10:30:00.123Z".into())
    );
}
