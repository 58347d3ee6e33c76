//! Unique values across the table (seed 003's CustomerEmail), against DynamoDB Local.

use dynamo_entity::{Entity, Error, Table, TableSchema};
use dynamo_entity_suite::fresh_table;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CUSTOMER#<id>"]
#[sk = "PROFILE"]
pub struct Customer {
    pub id: String,
    #[dynamo(unique)]
    pub email: String,
    #[dynamo(unique)]
    pub phone: Option<String>,
    pub name: String,
    #[dynamo(version)]
    pub version: u64,
}

fn customer(id: &str, email: &str) -> Customer {
    Customer {
        id: id.into(),
        email: email.into(),
        phone: None,
        name: id.to_uppercase(),
        version: 0,
    }
}

/// A new customer with `email` is written.
async fn claims(table: &Table, id: &str, email: &str) {
    table.create(&customer(id, email)).await.unwrap();
}

/// A new customer with `email` is refused: the address is taken.
async fn refused(table: &Table, id: &str, email: &str) {
    let err = table.create(&customer(id, email)).await.unwrap_err();
    assert_taken(err, "email", email);
}

fn carol_with_phone() -> Customer {
    Customer {
        phone: Some("555-0100".into()),
        ..customer("carol", "c@example.com")
    }
}

async fn table() -> Table {
    fresh_table(TableSchema::new().entity::<Customer>().unwrap()).await
}

async fn exists(table: &Table, id: &str) -> bool {
    let key = Customer::primary_key(id).unwrap();
    table.get::<Customer>(key).await.unwrap().is_some()
}

fn assert_taken(err: Error, field: &str, value: &str) {
    match &err {
        Error::UniqueViolation {
            entity: "Customer",
            field: f,
            value: v,
        } if *f == field && v == value => {}
        other => panic!("expected {field} `{value}` to be taken, got {other:?}"),
    }
}

#[tokio::test]
async fn a_duplicate_value_is_refused_and_nothing_is_written() {
    let table = table().await;
    let metered = table.metered();
    metered
        .create(&customer("alice", "a@example.com"))
        .await
        .unwrap();
    assert_eq!(
        metered.cost().requests,
        1,
        "entity and guard in one transaction"
    );

    let err = table
        .create(&customer("bob", "a@example.com"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Customer.email `a@example.com` is already used by another item; nothing was written"
    );
    assert_taken(err, "email", "a@example.com");
    assert!(!exists(&table, "bob").await);

    // The entity's own key is still checked first.
    let err = table
        .create(&customer("alice", "other@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");
    // ...and the guard for the other address was not left behind.
    claims(&table, "carol", "other@example.com").await;
}

#[tokio::test]
async fn changing_the_value_moves_its_guard() {
    let table = table().await;
    let alice = table
        .create(&customer("alice", "a@example.com"))
        .await
        .unwrap();
    let f = Customer::fields();

    // Through an update...
    let moved = table
        .update::<Customer>(alice.key().unwrap())
        .set(f.email, "b@example.com".to_owned())
        .await
        .unwrap();
    assert_eq!((moved.email.as_str(), moved.version), ("b@example.com", 2));
    claims(&table, "bob", "a@example.com").await;
    refused(&table, "carol", "b@example.com").await;

    // ...a taken value refuses the update and changes nothing...
    let err = table
        .update::<Customer>(alice.key().unwrap())
        .set(f.email, "a@example.com".to_owned())
        .await
        .unwrap_err();
    assert_taken(err, "email", "a@example.com");
    let still = table
        .get::<Customer>(alice.key().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still, moved);

    // ...and through a replace.
    let replaced = table
        .replace(&Customer {
            email: "c@example.com".into(),
            ..moved
        })
        .await
        .unwrap();
    assert_eq!(replaced.version, 3);
    claims(&table, "dave", "b@example.com").await;
    refused(&table, "erin", "c@example.com").await;

    // An update of other fields leaves the guards alone.
    table
        .update::<Customer>(alice.key().unwrap())
        .set(f.name, "Alice".to_owned())
        .await
        .unwrap();
    refused(&table, "erin", "c@example.com").await;
}

#[tokio::test]
async fn deleting_the_entity_releases_its_values() {
    let table = table().await;
    let alice = table
        .create(&customer("alice", "a@example.com"))
        .await
        .unwrap();
    let old = table
        .delete::<Customer>(alice.key().unwrap())
        .must_exist()
        .return_old()
        .await
        .unwrap();
    assert_eq!(old, Some(alice.clone()));
    assert!(!exists(&table, "alice").await);
    claims(&table, "bob", "a@example.com").await;

    // Deleting what is not there: as without unique fields.
    let gone = table
        .delete::<Customer>(alice.key().unwrap())
        .await
        .unwrap();
    assert_eq!(gone, None);
    let err = table
        .delete::<Customer>(alice.key().unwrap())
        .must_exist()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn an_optional_unique_value_is_guarded_only_when_present() {
    let table = table().await;
    let f = Customer::fields();
    let alice = table
        .create(&customer("alice", "a@example.com"))
        .await
        .unwrap();
    table
        .create(&customer("bob", "b@example.com"))
        .await
        .unwrap(); // both without a phone

    table
        .update::<Customer>(alice.key().unwrap())
        .set(f.phone, Some("555-0100".into()))
        .await
        .unwrap();
    let err = table.create(&carol_with_phone()).await.unwrap_err();
    assert_taken(err, "phone", "555-0100");

    table
        .update::<Customer>(alice.key().unwrap())
        .remove(f.phone)
        .await
        .unwrap();
    table.create(&carol_with_phone()).await.unwrap();
}

#[tokio::test]
async fn of_concurrent_claims_on_one_value_exactly_one_wins() {
    let table = table().await;
    let claims = (0..6).map(|i| {
        let table = table.clone();
        tokio::spawn(async move {
            table
                .create(&customer(&format!("c{i}"), "same@example.com"))
                .await
        })
    });
    let mut won = 0;
    for claim in claims {
        match claim.await.unwrap() {
            Ok(_) => won += 1,
            // A loser is refused by the guard. (A TransactionConflict, while another claim is in
            // flight, is retried until the guard decides.)
            Err(Error::UniqueViolation { .. }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(won, 1);
    let mut stored = 0;
    for i in 0..6 {
        stored += usize::from(exists(&table, &format!("c{i}")).await);
    }
    assert_eq!(stored, 1, "no loser left an entity behind");
}
