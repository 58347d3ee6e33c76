//! An entity, its keys and its item: no network, no DynamoDB.
//!
//! Run with `cargo run --example keys`.

use dynamo_entity::{Entity, Index, KeyValue};

/// A fieldless enum in a key: `#[derive(KeyValue)]` writes the variant's name.
#[derive(Debug, Clone, Copy, PartialEq, KeyValue, serde::Serialize, serde::Deserialize)]
enum Species {
    Dog,
    Cat,
}

/// A pet in its owner's item collection, findable by id through GSI1, and listed by species
/// and microchip number through GSI2 only when it has a chip (a sparse index).
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "PET#<pet_id>", sk = "PET#<pet_id>")]
#[gsi2(pk = "SPECIES#<species>", sk = "CHIP#<chip>")]
struct Pet {
    owner_id: String,
    pet_id: String,
    species: Species,
    name: String,
    born: chrono::DateTime<chrono::Utc>,
    chip: Option<u64>,
    tags: Vec<String>,
}

fn main() -> Result<(), dynamo_entity::Error> {
    println!("Pet templates (from Pet::SCHEMA):");
    for key in Pet::SCHEMA.keys {
        let sk = key.sk.map_or("-", |sk| sk.text);
        let sparse = if key.sparse { " (sparse)" } else { "" };
        println!(
            "  {:<8} pk = {:<20} sk = {}{}",
            format!("{:?}", key.index),
            key.pk,
            sk,
            sparse
        );
    }

    let rex = Pet {
        owner_id: "alice".into(),
        pet_id: "rex".into(),
        species: Species::Dog,
        name: "Rex".into(),
        born: "2021-06-01T08:00:00Z".parse().expect("a valid timestamp"),
        chip: Some(981_000_123),
        tags: vec!["good boy".into()],
    };

    println!("\nKey builders take the placeholder fields:");
    println!(
        "  Pet::primary_key(\"alice\", \"rex\") = {:?}",
        Pet::primary_key("alice", "rex")?
    );
    println!(
        "  Pet::partition_key(\"alice\")      = {:?}",
        Pet::partition_key("alice")?
    );
    println!(
        "  Pet::gsi2_partition_key(Cat)     = {:?}",
        Pet::gsi2_partition_key(Species::Cat)?
    );

    println!("\nThe item rex.to_item() writes (attribute names sorted):");
    let item = rex.to_item()?;
    let mut names: Vec<_> = item.keys().collect();
    names.sort();
    for name in names {
        println!("  {name:<9} {:?}", item[name]);
    }

    let back = Pet::from_item(item)?;
    assert_eq!(back, rex);
    println!("\nPet::from_item(item) gives back the same Pet.");

    let stray = Pet {
        chip: None,
        ..rex.clone()
    };
    println!(
        "Without a chip, rex is not in GSI2: index_key(Gsi(2)) = {:?}",
        stray.index_key(Index::Gsi(2))?
    );

    let bad = Pet {
        pet_id: "rex#2".into(),
        ..rex
    };
    println!(
        "A key value holding the delimiter is refused:\n  {}",
        bad.to_item().unwrap_err()
    );
    Ok(())
}
