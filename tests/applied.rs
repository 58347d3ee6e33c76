//! A completed write is never reported as a plain failure: when DynamoDB applied it and the
//! item it returned does not decode, the error says the write was applied (issue 20, item 8).

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_entity::{Entity, Error, TableSchema};
use dynamo_entity_suite::{client, fresh_table, raw_item};

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PET#<pet_id>"]
struct Pet {
    owner_id: String,
    pet_id: String,
    name: String,
    age: u8,
}

/// A pet whose stored `age` another client wrote out of `u8`'s range.
async fn stored_with_bad_age(table: &dynamo_entity::Table) -> dynamo_entity::Key {
    let pet = Pet {
        owner_id: "alice".into(),
        pet_id: "rex".into(),
        name: "Rex".into(),
        age: 3,
    };
    let mut item = pet.to_item().unwrap();
    item.insert("age".into(), AttributeValue::N("300".into()));
    client()
        .put_item()
        .table_name(table.name())
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
    pet.key().unwrap()
}

#[tokio::test]
async fn an_update_whose_returned_item_does_not_decode_says_it_was_applied() {
    let table = fresh_table(TableSchema::new().entity::<Pet>().unwrap()).await;
    let key = stored_with_bad_age(&table).await;
    let err = table
        .update::<Pet>(key.clone())
        .set(Pet::fields().name, "Max".to_owned())
        .await
        .unwrap_err();
    assert!(err.was_applied(), "{err}");
    match &err {
        Error::Applied {
            operation,
            key: written,
            source,
            ..
        } => {
            assert_eq!((*operation, written), ("UpdateItem", &key));
            assert!(matches!(**source, Error::Decode { .. }), "{source}");
        }
        other => panic!("unexpected {other}"),
    }
    let stored = raw_item(&table, &key).await.unwrap();
    assert_eq!(
        stored["name"],
        AttributeValue::S("Max".into()),
        "the update was applied"
    );
}

#[tokio::test]
async fn a_delete_whose_old_item_does_not_decode_says_it_was_applied() {
    let table = fresh_table(TableSchema::new().entity::<Pet>().unwrap()).await;
    let key = stored_with_bad_age(&table).await;
    let err = table
        .delete::<Pet>(key.clone())
        .return_old()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Applied {
                operation: "DeleteItem",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        raw_item(&table, &key).await.is_none(),
        "the delete was applied"
    );
}

#[tokio::test]
async fn other_errors_were_not_applied() {
    let table = fresh_table(TableSchema::new().entity::<Pet>().unwrap()).await;
    let err = table
        .update::<Pet>(Pet::primary_key("nobody", "none").unwrap())
        .set(Pet::fields().name, "Max".to_owned())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }) && !err.was_applied());
}
