//! Native sets (SS, NS, BS) and their update actions, list prepend and removal by index, and
//! the richer conditions (contains, size, attribute_type, IN), against DynamoDB Local, with the
//! stored items and the request counts checked.
//!
//! The brand registry is the deals site's of *The DynamoDB Book*: every brand has its own item,
//! and one singleton item keeps the set of all brand names, so that listing them is one GetItem.
//! Adding a brand writes both in one transaction.

use std::collections::{BTreeSet, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_entity::condition::AttributeType;
use dynamo_entity::{Entity, Error, TableSchema};
use dynamo_entity_suite::{fresh_table, raw_item};

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "BRAND#<name>"]
#[sk = "BRAND#<name>"]
struct Brand {
    name: String,
    logo_url: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "BRANDS"]
#[sk = "BRANDS"]
#[dynamo(constant_pk)]
struct BrandRegistry {
    brands: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "PRODUCT#<id>"]
#[sk = "PRODUCT"]
struct Product {
    id: String,
    sizes: HashSet<u32>,
    thumbnails: BTreeSet<Vec<u8>>,
    tags: Option<BTreeSet<String>>,
    history: Vec<String>,
    status: String,
}

fn brand(name: &str) -> Brand {
    Brand {
        name: name.into(),
        logo_url: format!("https://example.com/{name}.png"),
    }
}

fn strings(values: &[&str]) -> BTreeSet<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

#[tokio::test]
async fn a_brand_registry_kept_in_a_string_set() {
    let schema = TableSchema::new()
        .entity::<Brand>()
        .unwrap()
        .entity::<BrandRegistry>()
        .unwrap();
    let table = fresh_table(schema).await;
    let registry_key = BrandRegistry::primary_key().unwrap();
    let registry = BrandRegistry {
        brands: BTreeSet::new(),
    };
    table.create(&registry).await.unwrap();
    // An empty set is left out, as DynamoDB stores no empty set, and reads back empty.
    let stored = raw_item(&table, &registry_key).await.unwrap();
    assert!(!stored.contains_key("brands"), "{stored:?}");
    assert_eq!(
        table
            .get::<BrandRegistry>(registry_key.clone())
            .await
            .unwrap(),
        Some(registry)
    );

    // Adding a brand: its item and its name in the registry, in one transaction.
    let f = BrandRegistry::fields();
    for name in ["Acme", "Globex"] {
        let metered = table.metered();
        metered
            .transaction()
            .write(metered.create(&brand(name)))
            .update(
                metered
                    .update::<BrandRegistry>(registry_key.clone())
                    .add_to_set(f.brands, [name.to_owned()]),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(metered.cost().requests, 1);
    }
    let stored = raw_item(&table, &registry_key).await.unwrap();
    let mut names = stored["brands"].as_ss().unwrap().clone();
    names.sort();
    assert_eq!(names, ["Acme", "Globex"]);

    // A brand added twice: its create fails, so the registry is left as it was.
    let again = table
        .transaction()
        .write(table.create(&brand("Acme")))
        .update(
            table
                .update::<BrandRegistry>(registry_key.clone())
                .add_to_set(f.brands, ["Acme".to_owned()]),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(again, Error::TransactionCancelled { .. }),
        "{again}"
    );

    // Listing every brand is one GetItem.
    let metered = table.metered();
    let all = metered
        .get::<BrandRegistry>(registry_key.clone())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(all.brands, strings(&["Acme", "Globex"]));
    assert_eq!(metered.cost().requests, 1);

    // Removing a brand: `contains` guards the delete, and the set shrinks.
    let metered = table.metered();
    let after = metered
        .update::<BrandRegistry>(registry_key.clone())
        .delete_from_set(f.brands, ["Globex".to_owned()])
        .condition(f.brands.contains("Globex"))
        .await
        .unwrap();
    assert_eq!(after.brands, strings(&["Acme"]));
    assert_eq!(metered.cost().requests, 1);
    let missing = table
        .update::<BrandRegistry>(registry_key.clone())
        .delete_from_set(f.brands, ["Globex".to_owned()])
        .condition(f.brands.contains("Globex"))
        .await
        .unwrap_err();
    assert!(
        matches!(missing, Error::ConditionFailed { .. }),
        "{missing}"
    );

    // Deleting the last element removes the attribute; the set reads back empty.
    let emptied = table
        .update::<BrandRegistry>(registry_key.clone())
        .delete_from_set(f.brands, ["Acme".to_owned()])
        .await
        .unwrap();
    assert!(emptied.brands.is_empty());
    let stored = raw_item(&table, &registry_key).await.unwrap();
    assert!(!stored.contains_key("brands"), "{stored:?}");
}

fn product() -> Product {
    Product {
        id: "p1".into(),
        sizes: [38, 40, 42].into_iter().collect(),
        thumbnails: [vec![1, 2], vec![3]].into_iter().collect(),
        tags: None,
        history: vec!["created".into()],
        status: "NEW".into(),
    }
}

#[tokio::test]
async fn number_and_binary_sets_are_native_and_round_trip() {
    let table = fresh_table(TableSchema::new().entity::<Product>().unwrap()).await;
    let p = product();
    table.create(&p).await.unwrap();
    let key = Product::primary_key("p1").unwrap();
    let stored = raw_item(&table, &key).await.unwrap();
    let mut sizes = stored["sizes"].as_ns().unwrap().clone();
    sizes.sort();
    assert_eq!(sizes, ["38", "40", "42"]);
    assert_eq!(stored["thumbnails"].as_bs().unwrap().len(), 2);
    assert!(!stored.contains_key("tags"));
    assert_eq!(table.get::<Product>(key.clone()).await.unwrap(), Some(p));

    // An optional set: absent, then created by adding to it.
    let f = Product::fields();
    let tagged = table
        .update::<Product>(key.clone())
        .add_to_set(f.tags, ["sale".to_owned(), "kids".to_owned()])
        .add_to_set(f.sizes, [44])
        .await
        .unwrap();
    assert_eq!(tagged.tags, Some(strings(&["kids", "sale"])));
    assert!(tagged.sizes.contains(&44) && tagged.sizes.len() == 4);
    let stored = raw_item(&table, &key).await.unwrap();
    assert!(matches!(stored["tags"], AttributeValue::Ss(_)));

    // Nothing to add is refused before sending: DynamoDB has no empty set.
    let err = table
        .update::<Product>(key.clone())
        .add_to_set(f.sizes, [])
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: no element to add to `sizes`: DynamoDB has no empty set"
    );
}

#[tokio::test]
async fn sets_stored_as_lists_by_serde_still_read() {
    let table = fresh_table(TableSchema::new().entity::<Product>().unwrap()).await;
    let mut item = product().to_item().unwrap();
    // How serde stored a set before sets were native: a list.
    item.insert(
        "sizes".into(),
        AttributeValue::L(vec![
            AttributeValue::N("38".into()),
            AttributeValue::N("40".into()),
        ]),
    );
    let read = Product::from_item(item).unwrap();
    assert_eq!(read.sizes, [38, 40].into_iter().collect());
    // A set of the wrong type is a decode error naming the attribute.
    let mut item = product().to_item().unwrap();
    item.insert("sizes".into(), AttributeValue::Ss(vec!["x".into()]));
    let err = Product::from_item(item).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot decode Product: attribute `sizes` should be a number set (NS) of a number (N) \
         that fits u32, found SS (1 strings)"
    );
    drop(table);
}

#[tokio::test]
async fn lists_take_prepends_and_removals_by_index() {
    let table = fresh_table(TableSchema::new().entity::<Product>().unwrap()).await;
    table.create(&product()).await.unwrap();
    let key = Product::primary_key("p1").unwrap();
    let f = Product::fields();
    let metered = table.metered();
    let p = metered
        .update::<Product>(key.clone())
        .prepend(f.history, vec!["drafted".into()])
        .await
        .unwrap();
    assert_eq!(p.history, ["drafted", "created"]);
    let p = metered
        .update::<Product>(key.clone())
        .append(f.history, vec!["priced".into(), "listed".into()])
        .await
        .unwrap();
    assert_eq!(p.history, ["drafted", "created", "priced", "listed"]);
    let p = metered
        .update::<Product>(key.clone())
        .remove_at(f.history, [3, 0])
        .await
        .unwrap();
    assert_eq!(p.history, ["created", "priced"]);
    assert_eq!(metered.cost().requests, 3);
}

#[tokio::test]
async fn size_type_in_and_contains_conditions_hold_or_fail_as_written() {
    let table = fresh_table(TableSchema::new().entity::<Product>().unwrap()).await;
    table.create(&product()).await.unwrap();
    let key = Product::primary_key("p1").unwrap();
    let f = Product::fields();
    let set_status = |status: &str, condition| {
        table
            .update::<Product>(key.clone())
            .set(f.status, status.to_owned())
            .condition(condition)
    };

    // Each holds, and the write happens.
    for (status, condition) in [
        ("A", f.sizes.size().eq(3)),
        ("B", f.history.size().lt(2) & f.status.size().ge(1)),
        ("C", f.sizes.has_type(AttributeType::Ns)),
        (
            "D",
            f.status
                .is_in(["A".to_owned(), "B".to_owned(), "C".to_owned()]),
        ),
        ("E", f.sizes.contains(40u32) & f.history.contains("created")),
        ("F", f.status.contains("E") | f.tags.contains("none")),
        ("G", !f.tags.exists() & f.thumbnails.contains(vec![3u8])),
    ] {
        let stored = set_status(status, condition).await.unwrap();
        assert_eq!(stored.status, status);
    }
    // Each fails, and nothing is written.
    for condition in [
        f.sizes.size().gt(3),
        f.sizes.has_type(AttributeType::Ss),
        f.status.is_in(["A".to_owned()]),
        f.sizes.contains(39u32),
        !f.history.contains("created"),
    ] {
        let err = set_status("X", condition).await.unwrap_err();
        assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
    }
    let stored = table.get::<Product>(key.clone()).await.unwrap().unwrap();
    assert_eq!(stored.status, "G");

    // In a transaction's check too: another product is changed only while this one holds.
    let other = Product {
        id: "p2".into(),
        ..product()
    };
    table.create(&other).await.unwrap();
    let other_key = Product::primary_key("p2").unwrap();
    let committed = table
        .transaction()
        .check(
            key.clone(),
            f.sizes.contains(42u32) & f.status.is_in(["G".to_owned()]),
        )
        .update(
            table
                .update::<Product>(other_key.clone())
                .set(f.status, "H".to_owned()),
        )
        .send()
        .await;
    assert!(committed.is_ok(), "{committed:?}");
    let refused = table
        .transaction()
        .check(key.clone(), f.sizes.size().eq(0))
        .update(
            table
                .update::<Product>(other_key.clone())
                .set(f.status, "I".to_owned()),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::TransactionCancelled { .. }),
        "{refused}"
    );

    // IN takes 1 to 100 values, checked before sending.
    let err = set_status("X", f.status.is_in(Vec::new()))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: `status` is_in needs 1 to 100 values, not 0"
    );
}
