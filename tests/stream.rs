//! DynamoDB Streams records, as Lambda receives them, decoded into entities and collections.
//! The images are the items that the library stored in DynamoDB Local, read back raw.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use dynamo_entity::stream::{Change, ChangeKind};
use dynamo_entity::{Collection, Entity, Error, Item, TableSchema};
use dynamo_entity_suite::{fresh_table, raw_item};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PROFILE"]
struct Owner {
    owner: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<pet_id>"]
struct Pet {
    owner: String,
    pet_id: String,
    name: String,
    visits: u32,
}

#[derive(Debug, PartialEq, Collection)]
enum OwnerPage {
    Owner(Owner),
    Pet(Pet),
}

/// A stream record as Lambda delivers it, with the images given.
fn record(name: &str, old: Option<&Item>, new: Option<&Item>, by_ttl: bool) -> EventRecord {
    let image = |item: Option<&Item>| match item {
        Some(item) => serde_json::to_value(serde_dynamo::Item::from(item.clone())).unwrap(),
        None => json!(null),
    };
    let mut record = json!({
        "eventID": "e1",
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": {
            "Keys": {"PK": {"S": "USER#alice"}},
            "OldImage": image(old),
            "NewImage": image(new),
            "SequenceNumber": "100",
            "SizeBytes": 120,
            "StreamViewType": "NEW_AND_OLD_IMAGES"
        }
    });
    if by_ttl {
        record["userIdentity"] =
            json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"});
    }
    let event: Event = serde_json::from_value(json!({ "Records": [record] })).unwrap();
    event.records.into_iter().next().unwrap()
}

#[tokio::test]
async fn stream_records_decode_into_entities_and_collections() {
    let schema = TableSchema::new()
        .entity::<Owner>()
        .unwrap()
        .entity::<Pet>()
        .unwrap();
    let table = fresh_table(schema).await;
    let rex = Pet {
        owner: "alice".into(),
        pet_id: "rex".into(),
        name: "Rex".into(),
        visits: 0,
    };
    table.create(&rex).await.unwrap();
    let key = Pet::primary_key("alice", "rex").unwrap();
    let before = raw_item(&table, &key).await.unwrap();
    let after_update = table
        .update::<Pet>(key.clone())
        .add(Pet::fields().visits, 1)
        .await
        .unwrap();
    let after = raw_item(&table, &key).await.unwrap();

    let inserted = Change::<Pet>::of(&record("INSERT", None, Some(&before), false))
        .unwrap()
        .unwrap();
    assert_eq!(inserted.kind, ChangeKind::Insert);
    assert_eq!((inserted.old, inserted.new), (None, Some(rex.clone())));

    let modified = Change::<Pet>::of(&record("MODIFY", Some(&before), Some(&after), false))
        .unwrap()
        .unwrap();
    assert_eq!(modified.kind, ChangeKind::Modify);
    assert_eq!(modified.old.as_ref(), Some(&rex));
    assert_eq!(modified.new.as_ref(), Some(&after_update));

    let removed = Change::<Pet>::of(&record("REMOVE", Some(&after), None, true))
        .unwrap()
        .unwrap();
    assert_eq!(removed.kind, ChangeKind::Remove);
    assert!(removed.expired);
    let deleted = Change::<Pet>::of(&record("REMOVE", Some(&after), None, false))
        .unwrap()
        .unwrap();
    assert!(!deleted.expired);

    // Another entity type's record is not this entity's business.
    let owner = Owner {
        owner: "alice".into(),
        name: "Alice".into(),
    };
    let owner_item = owner.to_item().unwrap();
    assert_eq!(
        Change::<Pet>::of(&record("INSERT", None, Some(&owner_item), false)).unwrap(),
        None
    );
    // A collection takes either.
    let page =
        Change::<OwnerPage>::of_collection(&record("INSERT", None, Some(&owner_item), false))
            .unwrap()
            .unwrap();
    assert_eq!(page.new, Some(OwnerPage::Owner(owner)));

    // The errors of from_item: an attribute that does not decode is named.
    let mut broken = before.clone();
    broken.insert(
        "visits".into(),
        aws_sdk_dynamodb::types::AttributeValue::S("many".into()),
    );
    let err = Change::<Pet>::of(&record("INSERT", None, Some(&broken), false)).unwrap_err();
    assert_eq!(
        err.to_string(),
        Pet::from_item(broken).unwrap_err().to_string()
    );
    assert!(matches!(err, Error::Decode { .. }), "{err}");
}
