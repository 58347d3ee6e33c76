//! Backfilling a new GSI onto existing items, with the migration scan (seed 003 §7.2).
//!
//! Run with `cargo run --example backfill` (starts DynamoDB Local unless DYNAMODB_ENDPOINT is
//! set). Version 1 of `Pet` had no index by species; version 2 adds GSI1. Pets written by
//! version 1 carry no GSI1 keys, so the new index does not see them until they are written
//! again through version 2.

use dynamo_entity::{Entity, Error, Table, TableSchema};
use futures::TryStreamExt;

/// Version 1, as the items were written.
#[derive(Debug, Clone, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<pet_id>"]
#[dynamo(entity_type = "Pet")]
struct PetV1 {
    owner: String,
    pet_id: String,
    species: String,
}

/// Version 2: the same items, now also listed by species in GSI1.
#[derive(Debug, Clone, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "SPECIES#<species>", sk = "PET#<pet_id>")]
#[dynamo(entity_type = "Pet")]
struct Pet {
    owner: String,
    pet_id: String,
    species: String,
}

/// Another entity in the table, which the scan leaves alone.
#[derive(Debug, Clone, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PROFILE"]
struct Owner {
    owner: String,
}

const SPECIES: [&str; 3] = ["dog", "cat", "parrot"];

#[tokio::main]
async fn main() -> Result<(), Error> {
    let schema = TableSchema::new().entity::<Pet>()?.entity::<Owner>()?;
    let table = Table::new(
        dynamo_entity_suite::client(),
        dynamo_entity_suite::unique_table_name("backfill-example"),
        schema,
    )?;
    table.create_table().await?;

    // Before the migration: 600 pets written by version 1, and 20 owners.
    let mut batch = table.batch_write();
    for i in 0..600 {
        batch = batch.put(&PetV1 {
            owner: format!("user{}", i % 20),
            pet_id: format!("p{i:04}"),
            species: SPECIES[i % 3].into(),
        });
    }
    for i in 0..20 {
        batch = batch.put(&Owner {
            owner: format!("user{i}"),
        });
    }
    let written = batch.send().await?;
    println!("written by version 1: {} items", written.written);
    let dogs = table.query(Pet::query_gsi1("dog")?).all().await?;
    println!("dogs in GSI1 before the backfill: {}", dogs.len());

    // The backfill: every Pet, read in 4 parallel segments, written again as version 2.
    let migration = table.metered();
    let mut pages = std::pin::pin!(migration.scan_for_migration::<Pet>().segments(4).pages());
    let (mut pets, mut unprocessed) = (0, 0);
    while let Some(page) = pages.try_next().await? {
        let mut batch = migration.batch_write();
        for pet in &page {
            batch = batch.put(pet);
        }
        let done = batch.send().await?;
        pets += done.written;
        unprocessed += done.unprocessed.len();
    }
    println!(
        "backfilled {pets} pets ({unprocessed} left unprocessed); the migration took {}",
        migration.cost()
    );

    let dogs = table.query(Pet::query_gsi1("dog")?).all().await?;
    println!("dogs in GSI1 after the backfill: {}", dogs.len());
    Ok(())
}
