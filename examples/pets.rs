//! A pet clinic on one DynamoDB table: owners, their pets, and visits, against DynamoDB Local.
//!
//! Run with `cargo run --example pets`. It uses DynamoDB Local at `DYNAMODB_ENDPOINT` if set,
//! else starts one (`scripts/dynamodb-local`, Java 17+ and npm) and stops it when done.

use chrono::{DateTime, TimeZone, Utc};
use dynamo_entity::{Entity, Error, Table, TableSchema};

/// `USER#<owner_id>` / `PROFILE`: the owner's profile, at the head of the owner's partition.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PROFILE"]
struct Owner {
    owner_id: String,
    name: String,
}

/// `USER#<owner_id>` / `PET#<pet_id>`: an owner's pets, one query away; GSI1 finds a pet by id.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "PET#<pet_id>", sk = "PET#<pet_id>")]
struct Pet {
    owner_id: String,
    pet_id: String,
    name: String,
    species: String,
    visits: u32,
    nickname: Option<String>,
    #[dynamo(version)]
    version: u64,
    #[dynamo(updated_at)]
    updated_at: DateTime<Utc>,
}

/// `PET#<pet_id>` / `VISIT#<at>#<visit_no>`: a pet's visits in time order.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "PET#<pet_id>"]
#[sk = "VISIT#<at>#<visit_no>"]
struct Visit {
    pet_id: String,
    at: DateTime<Utc>,
    visit_no: u32,
    reason: String,
}

fn pet(owner_id: &str, pet_id: &str, name: &str, species: &str) -> Pet {
    Pet {
        owner_id: owner_id.into(),
        pet_id: pet_id.into(),
        name: name.into(),
        species: species.into(),
        visits: 0,
        nickname: None,
        version: 0,
        updated_at: DateTime::UNIX_EPOCH,
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let schema = TableSchema::new()
        .entity::<Owner>()?
        .entity::<Pet>()?
        .entity::<Visit>()?;
    let table = Table::new(
        dynamo_entity_suite::client(),
        dynamo_entity_suite::unique_table_name("pets-example"),
        schema,
    );
    table.create_table().await?;
    println!(
        "Created table {} on {}",
        table.name(),
        dynamo_entity_suite::endpoint()
    );

    // Writes: create refuses to overwrite.
    let alice = Owner {
        owner_id: "alice".into(),
        name: "Alice".into(),
    };
    table.create(&alice).await?;
    for p in [
        pet("alice", "rex", "Rex", "dog"),
        pet("alice", "tom", "Tom", "cat"),
        pet("bob", "fido", "Fido", "dog"),
    ] {
        let stored = table.create(&p).await?;
        println!(
            "created {} {} (version {})",
            stored.species, stored.name, stored.version
        );
    }
    match table.create(&alice).await {
        Err(e @ Error::AlreadyExists { .. }) => println!("second create refused: {e}"),
        other => println!("unexpected: {other:?}"),
    }

    // Reads: one query per access pattern.
    let pets = table.query(Pet::query("alice")?).all().await?;
    let names: Vec<_> = pets.iter().map(|p| p.name.as_str()).collect();
    println!("alice's pets (one query, profile left out): {names:?}");
    let fido = table.query(Pet::query_gsi1("fido")?).all().await?;
    println!("pet 'fido' through GSI1 belongs to {}", fido[0].owner_id);

    for (visit_no, (day, reason)) in [(3, "vaccine"), (10, "limp"), (24, "check-up")]
        .into_iter()
        .enumerate()
    {
        let visit = Visit {
            pet_id: "rex".into(),
            at: Utc.with_ymd_and_hms(2024, 5, day, 9, 0, 0).unwrap(),
            visit_no: visit_no as u32 + 1,
            reason: reason.into(),
        };
        table.create(&visit).await?;
    }
    let from = Utc.with_ymd_and_hms(2024, 5, 5, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2024, 5, 31, 0, 0, 0).unwrap();
    let visits = table
        .query(Visit::query("rex")?.at_between(from, to)?)
        .descending()
        .all()
        .await?;
    let reasons: Vec<_> = visits.iter().map(|v| v.reason.as_str()).collect();
    println!("rex's visits 5-31 May, newest first: {reasons:?}");

    // Updates: typed, atomic, versioned.
    let f = Pet::fields();
    let rex = table
        .update::<Pet>(Pet::primary_key("alice", "rex")?)
        .add(f.visits, visits.len() as u32)
        .set(f.nickname, Some("Rexy".into()))
        .await?;
    println!(
        "updated rex: {} visits, nickname {:?}, version {}",
        rex.visits, rex.nickname, rex.version
    );

    // Optimistic locking: a write based on an old read loses, and says so.
    let stale = Pet {
        name: "Rex the Great".into(),
        version: 1,
        ..rex.clone()
    };
    match table.replace(&stale).await {
        Err(e @ Error::VersionConflict { .. }) => println!("stale write refused: {e}"),
        other => println!("unexpected: {other:?}"),
    }

    let gone = table
        .delete::<Pet>(Pet::primary_key("alice", "tom")?)
        .must_exist()
        .return_old()
        .await?;
    println!("deleted {:?}", gone.map(|p| p.name));
    Ok(())
}
