//! What requests cost, as `metered()` reports it, against DynamoDB Local: capacity is asked for
//! only where someone reads it, and a write pays for no more than its guarantee needs.

use dynamo_entity::{Entity, TableSchema};
use dynamo_entity_suite::fresh_table;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CUSTOMER#<id>"]
#[sk = "PROFILE"]
pub struct Customer {
    pub id: String,
    #[dynamo(unique)]
    pub email: String,
    pub name: String,
}

fn customer(email: &str, name: &str) -> Customer {
    Customer {
        id: "c1".into(),
        email: email.into(),
        name: name.into(),
    }
}

#[tokio::test]
async fn capacity_is_asked_for_only_where_it_is_read() {
    let table = fresh_table(TableSchema::new().entity::<Customer>().unwrap()).await;
    // A plain handle counts its requests, and does not ask DynamoDB for capacity.
    table.create(&customer("a@example.com", "A")).await.unwrap();
    let plain = table.cost();
    assert_eq!(plain.requests, 1);
    assert_eq!((plain.read_units, plain.write_units), (0.0, 0.0));

    // A metered handle asks, and gets exact receipts: a small item read consistently.
    let metered = table.metered();
    metered
        .get::<Customer>(Customer::primary_key("c1").unwrap())
        .consistent_read()
        .await
        .unwrap()
        .unwrap();
    let cost = metered.cost();
    assert_eq!(
        (cost.requests, cost.read_units, cost.write_units),
        (1, 1.0, 0.0)
    );

    // So does a handle that opts in, on the same meter as the table.
    let reporting = table.with_capacity_reporting();
    reporting
        .get::<Customer>(Customer::primary_key("c1").unwrap())
        .await
        .unwrap();
    let cost = table.cost();
    assert_eq!((cost.requests, cost.read_units), (2, 0.5));
}

#[tokio::test]
async fn a_put_that_keeps_its_unique_values_is_a_plain_conditional_write() {
    let table = fresh_table(TableSchema::new().entity::<Customer>().unwrap()).await;
    table.create(&customer("a@example.com", "A")).await.unwrap();

    // Same address: the stored item is read, then one conditional PutItem (1 WCU), not a
    // one-operation transaction (2 WCU).
    let keep = table.metered();
    keep.put(&customer("a@example.com", "Renamed"))
        .await
        .unwrap();
    let kept = keep.cost();
    assert_eq!(
        (kept.requests, kept.read_units, kept.write_units),
        (2, 1.0, 1.0),
        "{kept}"
    );

    // A new address moves the guard: the read, then entity and guards in one transaction.
    let moved = table.metered();
    moved
        .put(&customer("b@example.com", "Moved"))
        .await
        .unwrap();
    let cost = moved.cost();
    assert_eq!(cost.requests, 2, "{cost}");
    assert!(
        cost.write_units > kept.write_units,
        "a transaction costs more: {cost}"
    );

    // Still guarded: the old address is free, the new one taken.
    table
        .create(&Customer {
            id: "c2".into(),
            ..customer("a@example.com", "Other")
        })
        .await
        .unwrap();
    let err = table
        .create(&Customer {
            id: "c3".into(),
            ..customer("b@example.com", "Third")
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, dynamo_entity::Error::UniqueViolation { .. }),
        "{err}"
    );
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "MEMBER#<id>"]
#[sk = "MEMBER"]
pub struct Member {
    pub id: String,
    #[dynamo(unique)]
    pub handle: String,
    pub visits: u32,
    #[dynamo(version)]
    pub version: u64,
    #[dynamo(updated_at)]
    pub updated: chrono::DateTime<chrono::Utc>,
}

#[tokio::test]
async fn a_unique_move_is_one_read_and_one_transaction() {
    let table = fresh_table(TableSchema::new().entity::<Member>().unwrap()).await;
    let created = table
        .create(&Member {
            id: "m1".into(),
            handle: "ann".into(),
            visits: 0,
            version: 0,
            updated: chrono::DateTime::UNIX_EPOCH,
        })
        .await
        .unwrap();
    let key = Member::primary_key("m1").unwrap();
    let f = Member::fields();

    // The result is built from the item read: no read-back.
    let moved = table.metered();
    let renamed = moved
        .update::<Member>(key.clone())
        .set(f.handle, "anna".into())
        .await
        .unwrap();
    assert_eq!(moved.cost().requests, 2, "{}", moved.cost());
    assert_eq!(renamed.version, created.version + 1);
    assert!(renamed.updated > created.updated);
    // Exactly what is stored.
    let stored = table
        .get::<Member>(key.clone())
        .consistent_read()
        .await
        .unwrap();
    assert_eq!(stored.as_ref(), Some(&renamed));

    // An addition is computed by DynamoDB from the value it finds: that result is read back.
    let counted = table.metered();
    let member = counted
        .update::<Member>(key.clone())
        .set(f.handle, "annie".into())
        .add(f.visits, 1)
        .await
        .unwrap();
    assert_eq!(counted.cost().requests, 3, "{}", counted.cost());
    assert_eq!((member.visits, member.version), (1, renamed.version + 1));
    assert_eq!(
        table.get::<Member>(key).consistent_read().await.unwrap(),
        Some(member)
    );
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "TICKET#<id>"]
#[sk = "TICKET"]
#[gsi1(pk = "QUEUE#<queue>", sk = "PRIORITY#<priority>#<id>")]
#[gsi2(pk = "ASSIGNEE#<assignee>", sk = "TICKET#<id>")]
pub struct Ticket {
    pub id: String,
    pub queue: String,
    pub priority: u8,
    pub assignee: Option<String>,
    pub title: String,
}

#[tokio::test]
async fn an_update_that_sets_every_input_of_an_index_derives_its_key_without_reading() {
    let table = fresh_table(TableSchema::new().entity::<Ticket>().unwrap()).await;
    let ticket = Ticket {
        id: "t1".into(),
        queue: "billing".into(),
        priority: 3,
        assignee: Some("ann".into()),
        title: "Refund".into(),
    };
    table.create(&ticket).await.unwrap();
    let key = ticket.key().unwrap();
    let f = Ticket::fields();
    // The stored item, raw, compared with what the entity it decodes to would write.
    let stored_keys_are_derived = |item: dynamo_entity::Item| {
        let entity = Ticket::from_item(item.clone()).unwrap();
        let expected = entity.to_item().unwrap();
        for attribute in ["GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"] {
            assert_eq!(item.get(attribute), expected.get(attribute), "{attribute}");
        }
        entity
    };

    // Both inputs of GSI1: one UpdateItem, no read (hand-written code would do the same).
    let moved = table.metered();
    moved
        .update::<Ticket>(key.clone())
        .set(f.queue, "refunds".into())
        .set(f.priority, 1)
        .await
        .unwrap();
    assert_eq!(moved.cost().requests, 1, "{}", moved.cost());
    let raw = dynamo_entity_suite::raw_item(&table, &key).await.unwrap();
    let entity = stored_keys_are_derived(raw);
    let found = table
        .query(Ticket::query_gsi1("refunds").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(found, [entity]);

    // A sparse index's input set to None: the item leaves GSI2, still without a read.
    let unassigned = table.metered();
    unassigned
        .update::<Ticket>(key.clone())
        .remove(f.assignee)
        .await
        .unwrap();
    assert_eq!(unassigned.cost().requests, 1);
    let raw = dynamo_entity_suite::raw_item(&table, &key).await.unwrap();
    assert!(!raw.contains_key("GSI2PK") && !raw.contains_key("GSI2SK"));
    stored_keys_are_derived(raw);

    // One input of GSI1 only: the other is read, and guarded as read.
    let partial = table.metered();
    partial
        .update::<Ticket>(key.clone())
        .set(f.priority, 2)
        .await
        .unwrap();
    assert_eq!(partial.cost().requests, 2);
    let raw = dynamo_entity_suite::raw_item(&table, &key).await.unwrap();
    assert_eq!(stored_keys_are_derived(raw).priority, 2);

    // A value that cannot be in a key is refused before anything is sent.
    let refused = table.metered();
    let err = refused
        .update::<Ticket>(key)
        .set(f.queue, "a#b".into())
        .set(f.priority, 1)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid key value for Ticket.queue in `QUEUE#<queue>`: the value contains the key \
         delimiter `#`"
    );
    assert_eq!(refused.cost().requests, 0);
}
