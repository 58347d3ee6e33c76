//! Entities that share keys on purpose (`entity_sharing_keys`: an account is a person or an
//! organization): no write of one can replace or delete the other's item, in a batch or a
//! transaction either (issue 20, items 3 and 6).

use dynamo_entity::{Entity, Error, InvalidRequestKind, TableSchema};
use dynamo_entity_suite::{fresh_table, raw_item};

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "ACCOUNT#<name>"]
#[sk = "ACCOUNT"]
struct Person {
    name: String,
    plan: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "ACCOUNT#<name>"]
#[sk = "ACCOUNT"]
struct Org {
    name: String,
    plan: String,
}

fn schema() -> TableSchema {
    TableSchema::new()
        .entity::<Person>()
        .unwrap()
        .entity_sharing_keys::<Org>()
        .unwrap()
}

fn refused_for_shared_keys(err: &Error) -> bool {
    matches!(
        err,
        Error::InvalidRequest { kind: InvalidRequestKind::NeedsRead, message }
            if message.contains("shares its keys")
    )
}

/// A fresh table holding alice, a person on the free plan.
async fn table_with_alice() -> (dynamo_entity::Table, Person) {
    let table = fresh_table(schema()).await;
    let alice = Person {
        name: "alice".into(),
        plan: "free".into(),
    };
    table.create(&alice).await.unwrap();
    (table, alice)
}

#[tokio::test]
async fn a_batch_never_writes_under_a_shared_key() {
    let (table, alice) = table_with_alice().await;
    let key = alice.key().unwrap();

    let org = Org {
        name: "alice".into(),
        plan: "team".into(),
    };
    let put = table.batch_write().put(&org).send().await.unwrap_err();
    assert!(refused_for_shared_keys(&put), "{put}");
    let delete = table
        .batch_write()
        .delete::<Org>(key.clone())
        .send()
        .await
        .unwrap_err();
    assert!(refused_for_shared_keys(&delete), "{delete}");
    // Either side of the sharing.
    let person = table.batch_write().put(&alice).send().await.unwrap_err();
    assert!(refused_for_shared_keys(&person), "{person}");

    let stored = raw_item(&table, &key).await.expect("alice is still stored");
    assert_eq!(
        stored["Type"],
        aws_sdk_dynamodb::types::AttributeValue::S("Person".into())
    );
}

#[tokio::test]
async fn entities_that_share_no_keys_still_batch() {
    #[derive(Debug, Clone, PartialEq, Entity)]
    #[pk = "NOTE#<id>"]
    #[sk = "NOTE"]
    struct Note {
        id: String,
    }
    let table = fresh_table(schema().entity::<Note>().unwrap()).await;
    let done = table
        .batch_write()
        .put(&Note { id: "n1".into() })
        .send()
        .await
        .unwrap();
    assert_eq!(done.written, 1);
}

#[tokio::test]
async fn a_transaction_check_holds_only_for_its_own_entity_type() {
    let (table, alice) = table_with_alice().await;
    let key = alice.key().unwrap();
    let audit = Person {
        name: "audit".into(),
        plan: "free".into(),
    };

    // Both types have `plan`: the check on an Org must not pass on alice, a Person.
    let err = table
        .transaction()
        .check::<Org>(key.clone(), Org::fields().plan.eq("free".to_owned()))
        .write(table.create(&audit))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TransactionCancelled { .. }), "{err}");
    assert!(
        raw_item(&table, &audit.key().unwrap()).await.is_none(),
        "nothing was written"
    );

    // On her own type, the same check holds.
    table
        .transaction()
        .check::<Person>(key, Person::fields().plan.eq("free".to_owned()))
        .write(table.create(&audit))
        .send()
        .await
        .unwrap();
    assert!(raw_item(&table, &audit.key().unwrap()).await.is_some());
}

/// Handles that share keys and expire: a `Handle` can be a user's or a team's.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "HANDLE#<name>"]
#[sk = "HANDLE"]
struct UserHandle {
    name: String,
    #[dynamo(ttl)]
    expires: u64,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "HANDLE#<name>"]
#[sk = "HANDLE"]
struct TeamHandle {
    name: String,
    #[dynamo(ttl)]
    expires: u64,
}

/// An expired item of the other type is absent for an upsert as it is for a create (issue 20,
/// item 17).
#[tokio::test]
async fn an_upsert_over_another_types_expired_item_creates() {
    let table = fresh_table(
        TableSchema::new()
            .entity::<UserHandle>()
            .unwrap()
            .entity_sharing_keys::<TeamHandle>()
            .unwrap(),
    )
    .await;
    let expired = TeamHandle {
        name: "owls".into(),
        expires: 1,
    };
    table
        .client()
        .put_item()
        .table_name(table.name())
        .set_item(Some(expired.to_item().unwrap()))
        .send()
        .await
        .unwrap();
    let claimed = UserHandle {
        name: "owls".into(),
        expires: 4_000_000_000,
    };
    let stored = table
        .upsert(&claimed)
        .set(UserHandle::fields().expires, 4_000_000_001)
        .await
        .unwrap();
    assert_eq!(stored.expires, 4_000_000_001);
    let item = raw_item(&table, &claimed.key().unwrap()).await.unwrap();
    assert_eq!(
        item["Type"],
        aws_sdk_dynamodb::types::AttributeValue::S("UserHandle".into())
    );
}
