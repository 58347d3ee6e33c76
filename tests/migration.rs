//! The migration scan against DynamoDB Local: every item of one entity, and a GSI backfill.

use std::collections::HashSet;

use dynamo_entity::{Entity, Table, TableSchema};
use dynamo_entity_suite::fresh_table;
use futures::TryStreamExt;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<pet_id>"]
#[dynamo(entity_type = "Pet")]
pub struct PetV1 {
    pub owner: String,
    pub pet_id: String,
    pub species: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "SPECIES#<species>", sk = "PET#<pet_id>")]
#[dynamo(entity_type = "Pet")]
pub struct Pet {
    pub owner: String,
    pub pet_id: String,
    pub species: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PROFILE"]
pub struct Owner {
    pub owner: String,
}

fn v1(i: usize) -> PetV1 {
    PetV1 {
        owner: format!("user{}", i % 25),
        pet_id: format!("p{i:04}"),
        species: ["dog", "cat"][i % 2].into(),
    }
}

async fn seeded(pets: usize) -> Table {
    let schema = TableSchema::new()
        .entity::<Pet>()
        .and_then(TableSchema::entity::<Owner>)
        .unwrap();
    let table = fresh_table(schema).await;
    let mut batch = table.batch_write();
    for i in 0..pets {
        batch = batch.put(&v1(i));
    }
    for i in 0..25 {
        batch = batch.put(&Owner {
            owner: format!("user{i}"),
        });
    }
    let done = batch.send().await.unwrap();
    assert_eq!(done.written, pets + 25);
    table
}

#[tokio::test]
async fn the_scan_reads_every_item_of_one_entity_once() {
    let table = seeded(1500).await;
    let scan = table.metered();
    let pets = scan
        .scan_for_migration::<Pet>()
        .segments(5)
        .page_size(100)
        .all()
        .await
        .unwrap();
    assert_eq!(pets.len(), 1500, "owners left out");
    let ids: HashSet<_> = pets.iter().map(|p| p.pet_id.clone()).collect();
    assert_eq!(ids.len(), 1500, "each item once");
    assert!(scan.cost().requests >= 5, "every segment read");
    let owners = table.scan_for_migration::<Owner>().all().await.unwrap();
    assert_eq!(owners.len(), 25);
}

#[tokio::test]
async fn a_backfill_gives_old_items_a_new_index() {
    let table = seeded(400).await;
    assert!(table
        .query(Pet::query_gsi1("dog").unwrap())
        .all()
        .await
        .unwrap()
        .is_empty());

    let mut pages = std::pin::pin!(table.scan_for_migration::<Pet>().segments(3).pages());
    let mut rewritten = 0;
    while let Some(page) = pages.try_next().await.unwrap() {
        let mut batch = table.batch_write();
        for pet in &page {
            batch = batch.put(pet);
        }
        let done = batch.send().await.unwrap();
        assert!(done.unprocessed.is_empty());
        rewritten += done.written;
    }
    assert_eq!(rewritten, 400);
    let dogs = table
        .query(Pet::query_gsi1("dog").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(dogs.len(), 200);
    let expected: HashSet<_> = (0..400)
        .filter(|i| i % 2 == 0)
        .map(|i| format!("p{i:04}"))
        .collect();
    assert_eq!(
        dogs.into_iter().map(|d| d.pet_id).collect::<HashSet<_>>(),
        expected
    );
}
