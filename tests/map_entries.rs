//! Map entries chosen at run time: set, removed, added to and tested without touching the rest
//! of the map, against DynamoDB Local, on two designs of *The DynamoDB Book*: the e-commerce
//! store's customer addresses (a map by label) and GitHub's reactions (a counter per kind,
//! each user reacting at most once per kind).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_entity::{Entity, Error, TableSchema};
use dynamo_entity_suite::{fresh_table, raw_item};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Address {
    street: String,
    city: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CUSTOMER#<username>"]
#[sk = "CUSTOMER#<username>"]
struct Customer {
    username: String,
    name: String,
    addresses: HashMap<String, Address>,
}

fn address(street: &str) -> Address {
    Address {
        street: street.into(),
        city: "Omaha".into(),
    }
}

#[tokio::test]
async fn a_customers_addresses_are_upserted_and_removed_by_label() {
    let table = fresh_table(TableSchema::new().entity::<Customer>().unwrap()).await;
    let key = Customer::primary_key("alexdebrie").unwrap();
    table
        .create(&Customer {
            username: "alexdebrie".into(),
            name: "Alex".into(),
            addresses: HashMap::new(),
        })
        .await
        .unwrap();
    let f = Customer::fields();
    // Any label is safe: it is an expression attribute name, never expression text.
    let odd = "my #1 place. (old) :v0";
    let metered = table.metered();
    for (label, street) in [
        ("home", "1 Main St"),
        ("business", "2 Office Rd"),
        (odd, "3 Odd Ln"),
    ] {
        metered
            .update::<Customer>(key.clone())
            .set_entry(f.addresses.entry(label), address(street))
            .await
            .unwrap();
    }
    // Setting a label again replaces that address only.
    let customer = metered
        .update::<Customer>(key.clone())
        .set_entry(f.addresses.entry("home"), address("10 New St"))
        .condition(f.addresses.entry("home").exists())
        .await
        .unwrap();
    assert_eq!(metered.cost().requests, 4);
    assert_eq!(customer.addresses.len(), 3);
    assert_eq!(customer.addresses["home"], address("10 New St"));
    assert_eq!(customer.addresses[odd], address("3 Odd Ln"));
    let stored = raw_item(&table, &key).await.unwrap();
    let map = stored["addresses"].as_m().unwrap();
    assert_eq!(
        map["business"].as_m().unwrap()["street"],
        AttributeValue::S("2 Office Rd".into())
    );

    // Removed by label; a condition on an entry holds or fails as written.
    let customer = table
        .update::<Customer>(key.clone())
        .remove_entry(f.addresses.entry("business"))
        .condition(f.addresses.entry("business").eq(address("2 Office Rd")))
        .await
        .unwrap();
    assert_eq!(customer.addresses.len(), 2);
    assert!(!customer.addresses.contains_key("business"));
    let err = table
        .update::<Customer>(key.clone())
        .remove_entry(f.addresses.entry("home"))
        .condition(f.addresses.entry("business").exists())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");

    // One entry changed twice in one update is refused before sending; two entries are fine.
    let err = table
        .update::<Customer>(key.clone())
        .set_entry(f.addresses.entry("home"), address("x"))
        .remove_entry(f.addresses.entry("home"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: `addresses.\"home\"` is changed twice in one update"
    );
    let err = table
        .update::<Customer>(key.clone())
        .set(f.addresses, HashMap::new())
        .remove_entry(f.addresses.entry("home"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: `addresses.\"home\"` is changed twice in one update"
    );
    let both = table
        .update::<Customer>(key.clone())
        .set_entry(f.addresses.entry("home"), address("11 New St"))
        .set_entry(f.addresses.entry("cabin"), address("1 Lake Rd"))
        .await
        .unwrap();
    assert_eq!(both.addresses.len(), 3);

    // A member of a struct, typed by the compiler: one city moves, the street stays.
    let home_city = f.addresses.entry("home").member("city", |a| &a.city);
    let moved = table
        .update::<Customer>(key.clone())
        .set_entry(home_city.clone(), "Lincoln".to_owned())
        .condition(home_city.eq("Omaha".to_owned()))
        .await
        .unwrap();
    assert_eq!(
        moved.addresses["home"],
        Address {
            street: "11 New St".into(),
            city: "Lincoln".into()
        }
    );
    assert_eq!(moved.addresses["cabin"].city, "Omaha");

    // Every condition works on a path as on a field.
    let street = f.addresses.entry("home").member("street", |a| &a.street);
    for (condition, holds) in [
        (street.begins_with("11 "), true),
        (street.contains("New"), true),
        (street.size().eq(9), true),
        (
            street.has_type(dynamo_entity::condition::AttributeType::S),
            true,
        ),
        (street.is_in(["11 New St".to_owned(), "x".to_owned()]), true),
        (street.between("10".to_owned(), "12".to_owned()), true),
        (f.addresses.entry("home").size().eq(2), true),
        (street.gt("2".to_owned()), false),
        (f.addresses.entry("cabin").not_exists(), false),
    ] {
        let result = table
            .update::<Customer>(key.clone())
            .set(f.name, "Alex D.".to_owned())
            .condition(condition)
            .await;
        match (result, holds) {
            (Ok(_), true) => {}
            (Err(Error::ConditionFailed { .. }), false) => {}
            (other, _) => panic!("expected the condition to {holds}: {other:?}"),
        }
    }
}

/// GitHub: an issue counts its reactions by kind.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "REPO#<repo>"]
#[sk = "ISSUE#<number>"]
struct Issue {
    repo: String,
    number: u32,
    title: String,
    reactions: HashMap<String, u64>,
}

/// One user's reaction of one kind to one issue: its key makes it unique.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "REACTION#<repo>#<number>"]
#[sk = "USER#<user>#KIND#<kind>"]
struct Reaction {
    repo: String,
    number: u32,
    user: String,
    kind: String,
}

#[tokio::test]
async fn a_reaction_is_added_at_most_once_per_user_with_its_counter() {
    let schema = TableSchema::new()
        .entity::<Issue>()
        .unwrap()
        .entity::<Reaction>()
        .unwrap();
    let table = fresh_table(schema).await;
    let issue_key = Issue::primary_key("dynamo-entity", 7u32).unwrap();
    table
        .create(&Issue {
            repo: "dynamo-entity".into(),
            number: 7,
            title: "Sets".into(),
            reactions: HashMap::new(),
        })
        .await
        .unwrap();
    let f = Issue::fields();
    let react = |user: &str, kind: &str| {
        let reaction = Reaction {
            repo: "dynamo-entity".into(),
            number: 7,
            user: user.into(),
            kind: kind.into(),
        };
        let metered = table.metered();
        let kind = kind.to_owned();
        let issue_key = issue_key.clone();
        async move {
            let result = metered
                .transaction()
                .write(metered.create(&reaction))
                .update(
                    metered
                        .update::<Issue>(issue_key)
                        .add_to_entry(f.reactions.entry(kind), 1),
                )
                .send()
                .await;
            (result, metered.cost().requests)
        }
    };
    for (user, kind) in [("alice", "+1"), ("bob", "+1"), ("alice", "heart")] {
        let (result, requests) = react(user, kind).await;
        result.unwrap();
        assert_eq!(requests, 1);
    }
    // Alice's second +1: the reaction exists, so the counter is not touched.
    let (result, requests) = react("alice", "+1").await;
    assert_eq!(requests, 1);
    let Err(Error::TransactionCancelled { operations }) = result else {
        panic!("{result:?}");
    };
    assert_eq!(operations[0].position, 0);
    assert!(
        matches!(
            operations[0].error.as_deref(),
            Some(Error::AlreadyExists { .. })
        ),
        "{operations:?}"
    );

    let issue = table
        .get::<Issue>(issue_key.clone())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        issue.reactions,
        HashMap::from([("+1".to_owned(), 2), ("heart".to_owned(), 1)])
    );
    let stored = raw_item(&table, &issue_key).await.unwrap();
    assert_eq!(
        stored["reactions"].as_m().unwrap()["+1"],
        AttributeValue::N("2".into())
    );
}
