//! Fields the framework maintains: optimistic locking with a version, created/updated
//! timestamps, and TTL expiry, against DynamoDB Local.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use dynamo_entity::{Entity, Error, TableSchema};
use dynamo_entity_suite::fresh_table;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "DOC#<id>"]
#[sk = "DOC"]
pub struct Doc {
    pub id: String,
    pub body: String,
    #[dynamo(version)]
    pub version: u64,
    #[dynamo(created_at)]
    pub created: DateTime<Utc>,
    #[dynamo(updated_at)]
    pub updated: time::OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "SESSION#<token>"]
#[sk = "SESSION"]
pub struct Session {
    pub token: String,
    #[dynamo(ttl)]
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<user>"]
#[sk = "SESSION#<token>"]
pub struct UserSession {
    pub user: String,
    pub token: String,
    #[dynamo(ttl)]
    pub expires_at: Option<u64>,
}

fn schema() -> TableSchema {
    TableSchema::new()
        .entity::<Doc>()
        .and_then(TableSchema::entity::<Session>)
        .and_then(TableSchema::entity::<UserSession>)
        .unwrap()
}

fn doc(id: &str, body: &str) -> Doc {
    Doc {
        id: id.into(),
        body: body.into(),
        version: 0,
        created: DateTime::UNIX_EPOCH,
        updated: time::OffsetDateTime::UNIX_EPOCH,
    }
}

fn recent(t: DateTime<Utc>) -> bool {
    (Utc::now() - t).num_seconds().abs() < 60
}

#[tokio::test]
async fn create_sets_version_one_and_both_timestamps() {
    let table = fresh_table(schema()).await;
    let stored = table.create(&doc("d1", "hello")).await.unwrap();
    assert_eq!(stored.version, 1);
    assert!(recent(stored.created), "{}", stored.created);
    assert_eq!(
        stored.updated.unix_timestamp(),
        stored.created.timestamp(),
        "one instant for both"
    );
    let read = table.get::<Doc>(stored.key().unwrap()).await.unwrap();
    assert_eq!(read, Some(stored));
}

#[tokio::test]
async fn writes_based_on_a_stale_version_lose_the_race() {
    let table = fresh_table(schema()).await;
    let original = table.create(&doc("d1", "v1")).await.unwrap();

    // Two writers read version 1.
    let mut alice = original.clone();
    let mut bob = original.clone();
    alice.body = "alice's edit".into();
    bob.body = "bob's edit".into();

    std::thread::sleep(Duration::from_millis(5));
    let saved = table.replace(&alice).await.unwrap();
    assert_eq!(saved.version, 2);
    assert_eq!(saved.created, original.created, "created_at is kept");
    assert!(saved.updated > original.updated, "updated_at moves");

    let err = table.replace(&bob).await.unwrap_err();
    match &err {
        Error::VersionConflict {
            entity: "Doc",
            expected: 1,
            found: Some(2),
            ..
        } => {}
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "Doc (DOC#d1, DOC) was changed by someone else: expected version 1, found 2"
    );
    let stored = table
        .get::<Doc>(original.key().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.body, "alice's edit", "the loser wrote nothing");

    // put is checked the same way.
    let err = table.put(&bob).await.unwrap_err();
    assert!(
        matches!(err, Error::VersionConflict { expected: 1, .. }),
        "{err:?}"
    );
    // A put of a never-stored value (version 0) over an existing item conflicts too.
    let err = table.put(&doc("d1", "fresh")).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::VersionConflict {
                expected: 0,
                found: Some(2),
                ..
            }
        ),
        "{err:?}"
    );
    // Based on the current version, it goes through.
    let again = table
        .put(&Doc {
            body: "third".into(),
            ..stored
        })
        .await
        .unwrap();
    assert_eq!(again.version, 3);
}

#[tokio::test]
async fn put_of_a_new_versioned_entity_creates_it_and_replace_needs_it() {
    let table = fresh_table(schema()).await;
    let stored = table.put(&doc("d2", "new")).await.unwrap();
    assert_eq!(stored.version, 1);
    let missing = Doc {
        version: 4,
        ..doc("d3", "gone")
    };
    let err = table.replace(&missing).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn delete_can_be_conditioned_on_the_version_read() {
    let table = fresh_table(schema()).await;
    let stored = table.create(&doc("d1", "x")).await.unwrap();
    let key = stored.key().unwrap();
    let err = table
        .delete::<Doc>(key.clone())
        .if_version(7)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::VersionConflict {
                expected: 7,
                found: Some(1),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(table.get::<Doc>(key.clone()).await.unwrap().is_some());
    table
        .delete::<Doc>(key.clone())
        .if_version(1)
        .await
        .unwrap();
    assert!(table.get::<Doc>(key).await.unwrap().is_none());
}

#[tokio::test]
async fn expired_items_are_never_returned() {
    let table = fresh_table(schema()).await;
    assert_eq!(table.schema().ttl_attribute.as_deref(), Some("expires_at"));
    let ttl = table
        .client()
        .describe_time_to_live()
        .table_name(table.name())
        .send()
        .await
        .unwrap();
    let description = ttl.time_to_live_description().unwrap();
    assert_eq!(description.attribute_name(), Some("expires_at"));

    let expired = Session {
        token: "old".into(),
        expires_at: Utc::now() - chrono::Duration::minutes(5),
    };
    let live = Session {
        token: "new".into(),
        expires_at: Utc::now() + chrono::Duration::hours(1),
    };
    table.create(&expired).await.unwrap();
    table.create(&live).await.unwrap();

    // The expired item is still stored (DynamoDB deletes it only eventually), as epoch
    // seconds...
    let raw = table
        .client()
        .get_item()
        .table_name(table.name())
        .key("PK", AttributeValue::S("SESSION#old".into()))
        .key("SK", AttributeValue::S("SESSION".into()))
        .send()
        .await
        .unwrap();
    let stored = raw.item().expect("still stored");
    assert_eq!(
        stored["expires_at"],
        AttributeValue::N(expired.expires_at.timestamp().to_string())
    );
    // ...but never returned.
    assert_eq!(
        table.get::<Session>(expired.key().unwrap()).await.unwrap(),
        None
    );
    let read = table
        .get::<Session>(live.key().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.expires_at.timestamp(), live.expires_at.timestamp());

    // Queries leave expired items out too; an item without a TTL value never expires.
    let now = Utc::now().timestamp() as u64;
    for (token, expires_at) in [("a", Some(now - 10)), ("b", Some(now + 3600)), ("c", None)] {
        let session = UserSession {
            user: "alice".into(),
            token: token.into(),
            expires_at,
        };
        table.create(&session).await.unwrap();
    }
    let sessions = table
        .query(UserSession::query("alice").unwrap())
        .all()
        .await
        .unwrap();
    let tokens: Vec<_> = sessions.iter().map(|s| s.token.as_str()).collect();
    assert_eq!(tokens, ["b", "c"]);
}

/// A post listed by creation time: the managed `created_at` is an input of GSI1's key, which
/// must be built from the time stored, not the one passed in (issue 20, item 7).
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "POST#<id>"]
#[sk = "POST"]
#[gsi1(pk = "FEED#<feed>", sk = "<created>#<id>")]
pub struct Post {
    pub id: String,
    pub feed: String,
    pub title: String,
    #[dynamo(created_at)]
    pub created: DateTime<Utc>,
}

fn post(id: &str) -> Post {
    Post {
        id: id.into(),
        feed: "main".into(),
        title: "Hello".into(),
        // What the caller happens to hold: the table's clock decides the stored time.
        created: DateTime::<Utc>::UNIX_EPOCH,
    }
}

async fn gsi1_sort_key(table: &dynamo_entity::Table, post: &Post) -> AttributeValue {
    dynamo_entity_suite::raw_item(table, &post.key().unwrap())
        .await
        .unwrap()["GSI1SK"]
        .clone()
}

#[tokio::test]
async fn a_managed_created_at_in_a_key_is_the_time_stored() {
    let table = fresh_table(TableSchema::new().entity::<Post>().unwrap()).await;
    let created = table.create(&post("p1")).await.unwrap();
    assert_ne!(
        created.created,
        DateTime::<Utc>::UNIX_EPOCH,
        "set by the table"
    );
    assert_eq!(
        gsi1_sort_key(&table, &created).await,
        AttributeValue::S(created.index_key(Post::GSI1).unwrap().unwrap().sk.unwrap())
    );
    let found = table
        .query(Post::query_gsi1("main").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(found, [created]);

    let upserted = table
        .upsert(&post("p2"))
        .set(Post::fields().title, "Hello again".to_owned())
        .await
        .unwrap();
    assert_ne!(upserted.created, DateTime::<Utc>::UNIX_EPOCH);
    assert_eq!(
        gsi1_sort_key(&table, &upserted).await,
        AttributeValue::S(upserted.index_key(Post::GSI1).unwrap().unwrap().sk.unwrap())
    );
}
