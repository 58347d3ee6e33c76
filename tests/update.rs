//! Typed updates and conditions against DynamoDB Local.

use chrono::{DateTime, Utc};
use dynamo_entity::{Entity, Error, InvalidRequestKind, TableSchema};
use dynamo_entity_suite::fresh_table;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vet {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PET#<pet_id>"]
pub struct Pet {
    pub owner_id: String,
    pub pet_id: String,
    pub name: String,
    pub visits: u32,
    pub weight_kg: f64,
    pub nickname: Option<String>,
    pub tags: Vec<String>,
    pub vet: Option<Vet>,
    pub photo: Vec<u8>,
    #[dynamo(version)]
    pub version: u64,
    #[dynamo(updated_at)]
    pub updated: DateTime<Utc>,
}

fn rex() -> Pet {
    Pet {
        owner_id: "alice".into(),
        pet_id: "rex".into(),
        name: "Rex".into(),
        visits: 2,
        weight_kg: 12.5,
        nickname: Some("Rexy".into()),
        tags: vec!["good".into()],
        vet: None,
        photo: vec![1, 2],
        version: 0,
        updated: DateTime::UNIX_EPOCH,
    }
}

async fn table_with_rex() -> (dynamo_entity::Table, Pet) {
    let table = fresh_table(TableSchema::new().entity::<Pet>().unwrap()).await;
    let stored = table.create(&rex()).await.unwrap();
    (table, stored)
}

#[tokio::test]
async fn every_kind_of_change_in_one_request() {
    let (table, stored) = table_with_rex().await;
    let f = Pet::fields();
    let vet = Vet {
        name: "Dr Who".into(),
        phone: "555".into(),
    };
    let updated = table
        .update::<Pet>(stored.key().unwrap())
        .set(f.name, "Rex II".to_owned())
        .add(f.visits, 3)
        .subtract(f.weight_kg, 0.5)
        .append(f.tags, vec!["brave".into(), "loud".into()])
        .remove(f.nickname)
        .set_if_not_exists(f.vet, Some(vet.clone()))
        .await
        .unwrap();
    assert_eq!(updated.name, "Rex II");
    assert_eq!(updated.visits, 5);
    assert_eq!(updated.weight_kg, 12.0);
    assert_eq!(updated.tags, ["good", "brave", "loud"]);
    assert_eq!(updated.nickname, None);
    assert_eq!(updated.vet, Some(vet.clone()));
    assert_eq!(updated.version, 2, "the version moves on every write");
    assert!(updated.updated > stored.updated, "updated_at moves");
    let read = table.get::<Pet>(stored.key().unwrap()).await.unwrap();
    assert_eq!(
        read.as_ref(),
        Some(&updated),
        "what update returns is what is stored"
    );

    // set_if_not_exists leaves an existing value alone.
    let again = table
        .update::<Pet>(stored.key().unwrap())
        .set_if_not_exists(
            f.vet,
            Some(Vet {
                name: "Other".into(),
                phone: "0".into(),
            }),
        )
        .await
        .unwrap();
    assert_eq!(again.vet, Some(vet));
    // Setting an Option field to None removes the attribute.
    let cleared = table
        .update::<Pet>(stored.key().unwrap())
        .set(f.vet, None)
        .await
        .unwrap();
    assert_eq!(cleared.vet, None);
}

#[tokio::test]
async fn updates_need_the_item_and_their_conditions() {
    let (table, stored) = table_with_rex().await;
    let f = Pet::fields();

    let missing = Pet::primary_key("alice", "ghost").unwrap();
    let err = table
        .update::<Pet>(missing.clone())
        .add(f.visits, 1)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(
        table.get::<Pet>(missing).await.unwrap(),
        None,
        "no partial item created"
    );

    let err = table
        .update::<Pet>(stored.key().unwrap())
        .add(f.visits, 1)
        .condition(f.visits.gt(10))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ConditionFailed { entity: "Pet", .. }),
        "{err:?}"
    );

    let ok = table
        .update::<Pet>(stored.key().unwrap())
        .add(f.visits, 1)
        .condition(f.visits.lt(10) & f.name.begins_with("Re") & !f.vet.exists())
        .await
        .unwrap();
    assert_eq!(ok.visits, 3);

    let err = table
        .update::<Pet>(stored.key().unwrap())
        .set(f.name, "x".into())
        .if_version(1)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::VersionConflict {
                expected: 1,
                found: Some(2),
                ..
            }
        ),
        "{err:?}"
    );
    let read = table
        .get::<Pet>(stored.key().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (read.visits, read.version),
        (3, 2),
        "failed updates change nothing"
    );
}

#[tokio::test]
async fn mistakes_are_reported_before_sending() {
    let (table, stored) = table_with_rex().await;
    let f = Pet::fields();
    let key = stored.key().unwrap();

    let err = table
        .update::<Pet>(key.clone())
        .set(f.name, "a".into())
        .set(f.name, "b".into())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: `name` is changed twice in one update"
    );

    let err = table
        .update::<Pet>(key.clone())
        .set(f.weight_kg, f64::NAN)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Encode {
                field: "weight_kg",
                ..
            }
        ),
        "{err:?}"
    );

    let err = table
        .update::<Pet>(key.clone())
        .append(f.photo, vec![3])
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
        "{err:?}"
    );

    let err = table
        .update::<Pet>(key.clone())
        .add(f.visits, 1)
        .condition(f.nickname.lt(None))
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
        "{err:?}"
    );

    let read = table.get::<Pet>(key).await.unwrap().unwrap();
    assert_eq!(read, stored);
}

#[tokio::test]
async fn writes_and_deletes_take_conditions() {
    let (table, stored) = table_with_rex().await;
    let f = Pet::fields();

    let heavier = Pet {
        weight_kg: 20.0,
        ..stored.clone()
    };
    let err = table
        .replace(&heavier)
        .condition(f.weight_kg.ge(15.0))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    let saved = table
        .replace(&heavier)
        .condition(f.weight_kg.between(10.0, 15.0))
        .await
        .unwrap();
    assert_eq!(saved.weight_kg, 20.0);

    let err = table
        .delete::<Pet>(stored.key().unwrap())
        .condition(f.name.eq("Fido".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    table
        .delete::<Pet>(stored.key().unwrap())
        .condition(f.name.eq("Rex".into()) | f.visits.gt(100))
        .await
        .unwrap();
    assert_eq!(table.get::<Pet>(stored.key().unwrap()).await.unwrap(), None);
}
