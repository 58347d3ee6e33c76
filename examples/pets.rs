//! A pet clinic on one DynamoDB table: owners, their pets, and visits, against DynamoDB Local.
//!
//! Run with `cargo run --example pets`. It uses DynamoDB Local at `DYNAMODB_ENDPOINT` if set,
//! else starts one (`scripts/dynamodb-local`, Java 17+ and npm) and stops it when done.
//!
//! Every request runs under the access pattern it serves (`Table::pattern`), recorded; at the
//! end the design review of the table (entity-key table, access patterns with their costs,
//! diagram, lints, CloudFormation, Terraform, CDK and an IAM policy) is compared with the files
//! committed in `examples/pets-design/`, and the example fails if they are stale. Regenerate
//! them with `DYNAMO_ENTITY_UPDATE_DESIGN=1 cargo run --example pets`.

use chrono::{DateTime, TimeZone, Utc};
#[cfg(feature = "design")]
use dynamo_entity::design::{Design, Recorder};
use dynamo_entity::{Collection, Created, Entity, Error, Table, TableSchema};

/// `USER#<owner_id>` / `PROFILE`: the owner's profile, at the head of the owner's partition.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PROFILE"]
struct Owner {
    owner_id: String,
    name: String,
    /// One account per address: a guard item keeps it unique across the table.
    #[dynamo(unique)]
    email: String,
}

/// `USER#<owner_id>` / `PET#<pet_id>`: an owner's pets, one query away; GSI1 finds a pet by id;
/// GSI2 lists microchipped pets only (a sparse index: no chip, no entry).
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "PET#<pet_id>", sk = "PET#<pet_id>")]
#[gsi2(pk = "CHIP#<chip>", sk = "PET")]
struct Pet {
    owner_id: String,
    pet_id: String,
    name: String,
    species: String,
    visits: u32,
    nickname: Option<String>,
    chip: Option<u64>,
    #[dynamo(version)]
    version: u64,
    #[dynamo(updated_at)]
    updated_at: DateTime<Utc>,
}

/// An owner's page: the profile and the pets, read by one query of the owner's partition.
#[derive(Debug, Collection)]
enum OwnerPage {
    Owner(Owner),
    Pet(Pet),
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
        chip: None,
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
    )?;
    table.create_table().await?;
    // Everything from here is recorded, for the design review at the end (when the design
    // review is compiled in: `scripts/binary-size` builds the example without it too).
    #[cfg(feature = "design")]
    let recorder = Recorder::new();
    #[cfg(feature = "design")]
    let table = table.recorded_by(&recorder);
    println!(
        "Created table {} on {}",
        table.name(),
        dynamo_entity_suite::endpoint()
    );

    // Writes: create refuses to overwrite.
    let signup = table.pattern("sign up an owner (unique e-mail)");
    let alice = Owner {
        owner_id: "alice".into(),
        name: "Alice".into(),
        email: "alice@example.com".into(),
    };
    signup.create(&alice).await?;
    let add_pet = table.pattern("add a pet");
    for p in [
        pet("alice", "rex", "Rex", "dog"),
        pet("alice", "tom", "Tom", "cat"),
        pet("bob", "fido", "Fido", "dog"),
    ] {
        let stored = add_pet.create(&p).await?;
        println!(
            "created {} {} (version {})",
            stored.species, stored.name, stored.version
        );
    }
    match signup.create(&alice).await {
        Err(e @ Error::AlreadyExists { .. }) => println!("second create refused: {e}"),
        other => println!("unexpected: {other:?}"),
    }
    let impostor = Owner {
        owner_id: "mallory".into(),
        name: "Mallory".into(),
        email: "alice@example.com".into(),
    };
    match signup.create(&impostor).await {
        Err(e @ Error::UniqueViolation { .. }) => println!("unique email kept: {e}"),
        other => println!("unexpected: {other:?}"),
    }
    // Idempotent writes: a webhook delivered twice is processed once.
    let again = pet("bob", "fido", "Fido", "dog");
    let idempotent = table.pattern("add a pet, delivered twice (idempotent)");
    if let Created::Existed(_) = idempotent.create_if_absent(&again).await? {
        println!("create_if_absent: fido was already there, nothing written");
    }

    // One query, a typed mix: the owner's profile and pets, with what it cost.
    let measured = table.pattern("owner page: profile and pets").metered();
    let page = measured
        .query_collection::<OwnerPage, _>(Owner::query("alice")?)
        .all()
        .await?;
    let OwnerPageParts { owner, pet: pets } = OwnerPage::split(page.items);
    println!(
        "owner page of {}: {} pets; this access pattern took {}",
        owner[0].name,
        pets.len(),
        measured.cost()
    );

    // Reads: one query per access pattern.
    let pets = table
        .pattern("pets of an owner")
        .query(Pet::query("alice")?)
        .all()
        .await?;
    let names: Vec<_> = pets.iter().map(|p| p.name.as_str()).collect();
    println!("alice's pets (one query, profile left out): {names:?}");
    let fido = table
        .pattern("a pet by id")
        .query(Pet::query_gsi1("fido")?)
        .all()
        .await?;
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
        table.pattern("record a visit").create(&visit).await?;
    }
    let from = Utc.with_ymd_and_hms(2024, 5, 5, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2024, 5, 31, 0, 0, 0).unwrap();
    let visits = table
        .pattern("a pet's visits in a date range, newest first")
        .query(Visit::query("rex")?.at_between(from, to)?)
        .descending()
        .all()
        .await?;
    let reasons: Vec<_> = visits.iter().map(|v| v.reason.as_str()).collect();
    println!("rex's visits 5-31 May, newest first: {reasons:?}");

    // Updates: typed, atomic, versioned.
    let f = Pet::fields();
    let rex = table
        .pattern("count visits, set a nickname")
        .update::<Pet>(Pet::primary_key("alice", "rex")?)
        .add(f.visits, visits.len() as u32)
        .set(f.nickname, Some("Rexy".into()))
        .await?;
    println!(
        "updated rex: {} visits, nickname {:?}, version {}",
        rex.visits, rex.nickname, rex.version
    );

    // A sparse index follows its Option field: chipping rex puts him in GSI2.
    let by_chip = table.pattern("a pet by microchip");
    let chipped = by_chip
        .query(Pet::query_gsi2(981_000_123u64)?)
        .all()
        .await?;
    println!("pets with chip 981000123 before: {}", chipped.len());
    table
        .pattern("chip a pet")
        .update::<Pet>(Pet::primary_key("alice", "rex")?)
        .set(f.chip, Some(981_000_123))
        .await?;
    let chipped = by_chip
        .query(Pet::query_gsi2(981_000_123u64)?)
        .all()
        .await?;
    println!(
        "pets with chip 981000123 after: {:?}",
        chipped.iter().map(|p| &p.name).collect::<Vec<_>>()
    );

    // Optimistic locking: a write based on an old read loses, and says so.
    let stale = Pet {
        name: "Rex the Great".into(),
        version: 1,
        ..rex.clone()
    };
    match table.pattern("rename a pet").replace(&stale).await {
        Err(e @ Error::VersionConflict { .. }) => println!("stale write refused: {e}"),
        other => println!("unexpected: {other:?}"),
    }

    let gone = table
        .pattern("remove a pet")
        .delete::<Pet>(Pet::primary_key("alice", "tom")?)
        .must_exist()
        .return_old()
        .await?;
    println!("deleted {:?}", gone.map(|p| p.name));

    // The design review, from the entities and what the patterns above did. An owner's
    // partitions are keyed by the caller's `owner_id` principal tag in the IAM policy.
    #[cfg(feature = "design")]
    {
        let design = Design::of("pets", &table)
            .patterns(&recorder)
            .principal_tag("owner_id", "owner_id");
        design.assert_current(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/pets-design"));
        println!("\nDesign review (examples/pets-design/DESIGN.md is current):");
        for lint in design.lints() {
            println!("  {lint}");
        }
    }
    Ok(())
}
