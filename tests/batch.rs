//! Batch gets and writes against DynamoDB Local, with and without injected faults.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;

use dynamo_entity::{Entity, Error, InvalidRequestKind, Key, Table, TableSchema};
use dynamo_entity_suite::faults::faulty_client;
use dynamo_entity_suite::fresh_table;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "OWNER#<owner>"]
#[sk = "PET#<n>"]
pub struct Pet {
    pub owner: String,
    pub n: u32,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "OWNER#<owner>"]
#[sk = "TOY#<n>"]
pub struct Toy {
    pub owner: String,
    pub n: u32,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "DOC#<id>"]
#[sk = "DOC"]
pub struct Versioned {
    pub id: String,
    #[dynamo(version)]
    pub version: u64,
}

const OWNERS: u32 = 10;

fn pets(count: u32) -> Vec<Pet> {
    (0..count)
        .map(|i| Pet {
            owner: format!("o{}", i % OWNERS),
            n: i,
            name: format!("pet number {i}"),
        })
        .collect()
}

async fn table() -> Table {
    let schema = TableSchema::new()
        .entity::<Pet>()
        .and_then(TableSchema::entity::<Toy>)
        .and_then(TableSchema::entity::<Versioned>)
        .unwrap();
    fresh_table(schema).await
}

/// What is stored, read back with plain queries (no batch code involved).
async fn stored_pets(table: &Table) -> HashMap<Key, Pet> {
    let mut stored = HashMap::new();
    for owner in 0..OWNERS {
        let query = Pet::query(format!("o{owner}")).unwrap();
        for pet in table.query(query).all().await.unwrap() {
            let previous = stored.insert(pet.key().unwrap(), pet);
            assert!(previous.is_none(), "a key read twice");
        }
    }
    stored
}

fn by_key(pets: &[Pet]) -> HashMap<Key, Pet> {
    pets.iter().map(|p| (p.key().unwrap(), p.clone())).collect()
}

#[tokio::test]
async fn a_thousand_items_in_and_out() {
    let table = table().await;
    let all = pets(1200);
    let writer = table.metered();
    let mut batch = writer.batch_write();
    for pet in &all {
        batch = batch.put(pet);
    }
    for n in 0..30 {
        batch = batch.put(&Toy {
            owner: "o1".into(),
            n,
        });
    }
    let output = batch.concurrency(6).send().await.unwrap();
    assert_eq!(output.written, 1230);
    assert!(output.unprocessed.is_empty() && output.errors.is_empty());
    assert_eq!(writer.cost().requests, 50, "1230 writes in requests of 25");
    assert_eq!(stored_pets(&table).await, by_key(&all));

    // Reading: requests of 100, each key once, absent keys reported as missing.
    let absent: Vec<Key> = (0..3)
        .map(|i| Pet::primary_key("nobody", i).unwrap())
        .collect();
    let mut keys: Vec<Key> = all.iter().map(|p| p.key().unwrap()).collect();
    keys.extend(keys.clone()); // every key twice
    keys.extend(absent.clone());
    let reader = table.metered();
    let read = reader.batch_get::<Pet>(keys).send().await.unwrap();
    assert_eq!(read.items, by_key(&all));
    assert_eq!(
        read.missing.iter().collect::<HashSet<_>>(),
        absent.iter().collect::<HashSet<_>>()
    );
    assert!(read.unprocessed.is_empty() && read.errors.is_empty());
    assert_eq!(
        reader.cost().requests,
        13,
        "1203 distinct keys in requests of 100"
    );

    // Deletes in a batch, of another entity type.
    let mut deletes = table.batch_write();
    for n in 0..30 {
        deletes = deletes.delete::<Toy>(Toy::primary_key("o1", n).unwrap());
    }
    let output = deletes.send().await.unwrap();
    assert_eq!(output.written, 30);
    assert!(table
        .query(Toy::query("o1").unwrap())
        .all()
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn writes_a_batch_cannot_do_safely_are_refused_before_sending() {
    let table = table().await;
    let twice = pets(3)[0].clone();
    let err = table
        .batch_write()
        .put(&pets(3)[1])
        .put(&twice)
        .delete::<Pet>(twice.key().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: Pet (OWNER#o0, PET#0000000000) is written twice in one batch"
    );
    assert!(stored_pets(&table).await.is_empty(), "nothing was sent");

    let err = table
        .batch_write()
        .put(&Versioned {
            id: "d".into(),
            version: 1,
        })
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidRequest {
                kind: InvalidRequestKind::NeedsRead,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn under_twenty_percent_faults_five_thousand_items_lose_nothing() {
    let table = table().await;
    let (client, faults) = faulty_client(0.2, 0x5EED);
    let faulty = Table::new(client, table.name(), table.schema().clone()).unwrap();
    let all = pets(5000);

    let mut batch = faulty.batch_write();
    for pet in &all {
        batch = batch.put(pet);
    }
    let output = batch.send().await.unwrap();
    assert!(output.errors.is_empty(), "{:?}", output.errors);
    assert!(output.unprocessed.is_empty());
    assert_eq!(output.written, 5000);
    // Read back without faults: everything, once, as written.
    assert_eq!(stored_pets(&table).await, by_key(&all));

    let keys: Vec<Key> = all.iter().map(|p| p.key().unwrap()).collect();
    let read = faulty.batch_get::<Pet>(keys).send().await.unwrap();
    assert!(read.errors.is_empty() && read.unprocessed.is_empty() && read.missing.is_empty());
    assert_eq!(read.items, by_key(&all));

    // The faults really happened, of every kind.
    let (partial, throttled, server) = (
        faults.partial.load(Ordering::Relaxed),
        faults.throttled.load(Ordering::Relaxed),
        faults.server_errors.load(Ordering::Relaxed),
    );
    println!("injected: {partial} partial batches, {throttled} throttled, {server} server errors");
    assert!(partial > 0 && throttled > 0 && server > 0);
    assert!(faults.dropped_items.load(Ordering::Relaxed) > 0);
}

#[tokio::test]
async fn what_cannot_be_done_is_returned_not_dropped() {
    let table = table().await;
    // Every batch request faulted, and no second attempt.
    let (client, faults) = faulty_client(1.0, 7);
    let faulty = Table::new(client, table.name(), table.schema().clone()).unwrap();
    let all = pets(500);
    let mut batch = faulty.batch_write().max_attempts(1);
    for pet in &all {
        batch = batch.put(pet);
    }
    let output = batch.send().await.unwrap();
    assert!(faults.total() > 0);
    assert!(!output.unprocessed.is_empty());
    assert_eq!(
        output.written + output.unprocessed.len(),
        500,
        "every write accounted for"
    );

    let stored = stored_pets(&table).await;
    let unprocessed: HashSet<Key> = output.unprocessed.iter().map(|w| w.key.clone()).collect();
    for pet in &all {
        let key = pet.key().unwrap();
        // Nothing reported written is missing; whatever is missing was reported.
        assert!(
            stored.contains_key(&key) || unprocessed.contains(&key),
            "{key} lost"
        );
    }
    // An unprocessed write carries what is needed to send it again.
    let again = output.unprocessed.iter().find(|w| w.put.is_some()).unwrap();
    assert_eq!(again.entity, "Pet");

    let keys: Vec<Key> = all.iter().map(|p| p.key().unwrap()).collect();
    let read = faulty
        .batch_get::<Pet>(keys)
        .max_attempts(1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        read.items.len() + read.missing.len() + read.unprocessed.len(),
        500,
        "every key accounted for"
    );
    assert!(!read.unprocessed.is_empty());
}
