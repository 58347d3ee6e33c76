//! Single-table patterns against DynamoDB Local: idempotent writes, index keys that follow
//! updates, sparse indexes.

use dynamo_entity::{Created, Entity, TableSchema};
use dynamo_entity_suite::fresh_table;

/// Seed 002's webhook deduplication: one item per delivered event id.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "WEBHOOK#<event_id>"]
#[sk = "EVENT"]
pub struct WebhookEvent {
    pub event_id: String,
    pub worker: u32,
}

#[tokio::test]
async fn exactly_one_of_concurrent_creates_is_first() {
    let table = fresh_table(TableSchema::new().entity::<WebhookEvent>().unwrap()).await;
    let attempts = (0..8).map(|worker| {
        let table = table.clone();
        tokio::spawn(async move {
            let event = WebhookEvent {
                event_id: "evt_123".into(),
                worker,
            };
            table.create_if_absent(&event).await.unwrap()
        })
    });
    let mut outcomes = Vec::new();
    for attempt in attempts {
        outcomes.push(attempt.await.unwrap());
    }
    let winners: Vec<_> = outcomes.iter().filter(|o| o.was_created()).collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    let Created::Created(winner) = winners[0] else {
        unreachable!()
    };
    for outcome in &outcomes {
        // Everyone sees the winner's item.
        assert_eq!(outcome.clone().into_inner(), winner.clone());
    }
}

/// A pet listed three ways: by species and name (GSI1), by microchip when it has one (GSI2, a
/// sparse index), and by clinic and name (GSI3). `name` feeds two indexes.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "SPECIES#<species>", sk = "NAME#<name>#<pet_id>")]
#[gsi2(pk = "CHIP#<chip>", sk = "PET")]
#[gsi3(pk = "CLINIC#<clinic>", sk = "NAME#<name>")]
pub struct Pet {
    pub owner_id: String,
    pub pet_id: String,
    pub species: String,
    pub name: String,
    pub chip: Option<u64>,
    pub clinic: String,
    pub visits: u32,
    pub notes: String,
    #[dynamo(version)]
    pub version: u64,
}

fn rex() -> Pet {
    Pet {
        owner_id: "alice".into(),
        pet_id: "rex".into(),
        species: "dog".into(),
        name: "Rex".into(),
        chip: None,
        clinic: "north".into(),
        visits: 0,
        notes: String::new(),
        version: 0,
    }
}

async fn pet_table() -> dynamo_entity::Table {
    fresh_table(TableSchema::new().entity::<Pet>().unwrap()).await
}

async fn names_in_gsi1(table: &dynamo_entity::Table, species: &str) -> Vec<String> {
    let pets = table
        .query(Pet::query_gsi1(species).unwrap())
        .all()
        .await
        .unwrap();
    pets.into_iter().map(|p| p.name).collect()
}

#[tokio::test]
async fn changing_an_index_input_moves_every_index_key_it_feeds() {
    let table = pet_table().await;
    let stored = table.create(&rex()).await.unwrap();
    let f = Pet::fields();

    let renamed = table
        .update::<Pet>(stored.key().unwrap())
        .set(f.name, "Max".to_owned())
        .add(f.visits, 1)
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.visits, renamed.version),
        ("Max", 1, 2)
    );

    // GSI1 and GSI3 both answer with the new name, and nothing is left under the old one.
    assert_eq!(names_in_gsi1(&table, "dog").await, ["Max"]);
    let by_new_name = table
        .query(Pet::query_gsi1("dog").unwrap().name("Max").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(by_new_name.len(), 1);
    let by_old_name = table
        .query(Pet::query_gsi1("dog").unwrap().name("Rex").unwrap())
        .all()
        .await
        .unwrap();
    assert!(by_old_name.is_empty(), "no orphaned GSI1 key");
    let at_clinic = table
        .query(Pet::query_gsi3("north").unwrap().name("Max").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(at_clinic, vec![renamed.clone()]);

    // The stored GSI attributes are exactly what the entity derives.
    let raw = table
        .client()
        .get_item()
        .table_name(table.name())
        .set_key(Some(
            [
                (
                    "PK".to_owned(),
                    aws_sdk_dynamodb::types::AttributeValue::S("USER#alice".into()),
                ),
                (
                    "SK".to_owned(),
                    aws_sdk_dynamodb::types::AttributeValue::S("PET#rex".into()),
                ),
            ]
            .into(),
        ))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(raw, renamed.to_item().unwrap());

    // Moving to another species moves the item to another GSI1 partition.
    table
        .update::<Pet>(stored.key().unwrap())
        .set(f.species, "wolf".to_owned())
        .await
        .unwrap();
    assert!(names_in_gsi1(&table, "dog").await.is_empty());
    assert_eq!(names_in_gsi1(&table, "wolf").await, ["Max"]);
}

#[tokio::test]
async fn a_sparse_index_follows_its_option_input() {
    let table = pet_table().await;
    let stored = table.create(&rex()).await.unwrap();
    let f = Pet::fields();
    let chipped = |chip: u64| {
        let table = table.clone();
        async move {
            table
                .query(Pet::query_gsi2(chip).unwrap())
                .all()
                .await
                .unwrap()
        }
    };
    assert!(chipped(42).await.is_empty(), "no chip, not in the index");

    table
        .update::<Pet>(stored.key().unwrap())
        .set(f.chip, Some(42))
        .await
        .unwrap();
    assert_eq!(chipped(42).await.len(), 1, "Some: in the index");

    table
        .update::<Pet>(stored.key().unwrap())
        .set(f.chip, Some(43))
        .await
        .unwrap();
    assert!(chipped(42).await.is_empty(), "the old chip's key is gone");
    assert_eq!(chipped(43).await.len(), 1);

    let cleared = table
        .update::<Pet>(stored.key().unwrap())
        .remove(f.chip)
        .await
        .unwrap();
    assert_eq!(cleared.chip, None);
    assert!(chipped(43).await.is_empty(), "None: out of the index");
    let item = cleared.to_item().unwrap();
    assert!(!item.contains_key("GSI2PK") && !item.contains_key("GSI2SK"));
    let stored_item = table
        .get::<Pet>(stored.key().unwrap())
        .await
        .unwrap()
        .unwrap()
        .to_item()
        .unwrap();
    assert_eq!(stored_item, item);
}

#[tokio::test]
async fn put_and_replace_rewrite_every_index_key_from_the_entity() {
    let table = pet_table().await;
    let stored = table
        .create(&Pet {
            chip: Some(7),
            ..rex()
        })
        .await
        .unwrap();
    assert_eq!(
        table
            .query(Pet::query_gsi2(7u64).unwrap())
            .all()
            .await
            .unwrap()
            .len(),
        1
    );
    table
        .replace(&Pet {
            chip: None,
            name: "Odin".into(),
            ..stored
        })
        .await
        .unwrap();
    assert!(table
        .query(Pet::query_gsi2(7u64).unwrap())
        .all()
        .await
        .unwrap()
        .is_empty());
    assert_eq!(names_in_gsi1(&table, "dog").await, ["Odin"]);
}

#[tokio::test]
async fn every_access_pattern_reports_its_requests_and_capacity() {
    let table = pet_table().await;
    for i in 0..5 {
        let pet = Pet {
            pet_id: format!("p{i}"),
            name: format!("Pet {i}"),
            ..rex()
        };
        table.create(&pet).await.unwrap();
    }
    assert_eq!(table.cost().requests, 5, "the base handle counts too");

    let one_query = table.metered();
    let pets = one_query
        .query(Pet::query("alice").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(pets.len(), 5);
    let cost = one_query.cost();
    assert_eq!(cost.requests, 1);
    assert!(cost.read_units > 0.0 && cost.write_units == 0.0, "{cost}");
    println!("a partition of 5 small pets took {cost}");

    let paged = table.metered();
    paged
        .query(Pet::query("alice").unwrap())
        .page_size(2)
        .all()
        .await
        .unwrap();
    assert_eq!(paged.cost().requests, 3, "summed across pages");

    let f = Pet::fields();
    let plain = table.metered();
    plain
        .update::<Pet>(Pet::primary_key("alice", "p0").unwrap())
        .add(f.visits, 1)
        .await
        .unwrap();
    assert_eq!(plain.cost().requests, 1);
    assert!(plain.cost().write_units > 0.0);
    let reindex = table.metered();
    reindex
        .update::<Pet>(Pet::primary_key("alice", "p0").unwrap())
        .set(f.name, "Renamed".to_owned())
        .await
        .unwrap();
    assert_eq!(
        reindex.cost().requests,
        2,
        "an index input costs a read first"
    );

    // A 5 KB item costs 5 write units (1 per KB, rounded up) in the table, and 5 more in each
    // GSI it is written to: GSI1 and GSI3 (GSI2 is sparse and the pet has no chip).
    let big = table.metered();
    let heavy = Pet {
        pet_id: "heavy".into(),
        notes: "x".repeat(4_700),
        ..rex()
    };
    big.create(&heavy).await.unwrap();
    assert_eq!(big.cost().write_units, 15.0, "{}", big.cost());

    // A key DynamoDB would refuse for its size is refused before sending, and costs nothing.
    let refused = table.metered();
    let err = refused
        .create(&Pet {
            pet_id: "long".into(),
            name: "x".repeat(2_000),
            ..rex()
        })
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("GSI1SK is 2010 bytes; DynamoDB allows 1024 bytes in a sort key"),
        "{err}"
    );
    assert_eq!(refused.cost().requests, 0);
    // Metered handles are independent of each other.
    assert_eq!(one_query.cost().requests, 1);
}
