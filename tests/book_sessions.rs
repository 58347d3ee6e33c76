//! *The DynamoDB Book*, chapter 18: a session store. The table is keyed by the session token
//! alone (no sort key, no entity-type attribute); `UserIndex` maps a username to its sessions'
//! tokens and holds keys only; sessions expire by TTL.
//!
//! Declared with the book's names, and checked item by item against the stored layout the book
//! gives.

use aws_sdk_dynamodb::types::{AttributeValue, KeyType, ProjectionType};
use chrono::{DateTime, Duration, TimeZone, Utc};
use dynamo_entity::{Entity, Error, Item, Projection, TableLayout, TableSchema};
use dynamo_entity_suite::{fresh_table, raw_item};

#[derive(TableLayout)]
#[dynamo(partition_key = "SessionToken", no_type_attribute)]
#[dynamo(gsi(UserIndex: partition_key = "Username", projection = "keys_only"))]
struct SessionStore;

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = SessionStore)]
#[pk = "<session_token>"]
#[index(UserIndex: pk = "<username>")]
struct Session {
    #[dynamo(rename = "SessionToken")]
    session_token: String,
    #[dynamo(rename = "Username")]
    username: String,
    #[dynamo(rename = "CreatedAt", format = "millis")]
    created_at: DateTime<Utc>,
    #[dynamo(rename = "ExpiresAt", format = "millis")]
    expires_at: DateTime<Utc>,
    #[dynamo(rename = "TTL", ttl)]
    ttl: DateTime<Utc>,
}

/// What `UserIndex` holds of a session: its keys.
#[derive(Debug, Clone, PartialEq, Projection)]
#[dynamo(of = Session)]
struct SessionKeys {
    #[dynamo(rename = "SessionToken")]
    session_token: String,
    #[dynamo(rename = "Username")]
    username: String,
}

fn session(token: &str, username: &str) -> Session {
    let created_at = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
    Session {
        session_token: token.into(),
        username: username.into(),
        created_at,
        expires_at: created_at + Duration::days(7),
        ttl: DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap() + Duration::days(7),
    }
}

#[test]
fn the_schema_is_the_books_table() {
    let schema = TableSchema::new().entity::<Session>().unwrap();
    assert_eq!(schema.partition_key, "SessionToken");
    assert_eq!(schema.sort_key, None);
    assert_eq!(schema.type_attribute, "");
    assert_eq!(schema.indexes.len(), 1);
    assert_eq!(schema.indexes[0].name, "UserIndex");
    assert_eq!(schema.indexes[0].partition_key, "Username");
    assert_eq!(schema.indexes[0].sort_key, None);
    assert_eq!(schema.ttl_attribute.as_deref(), Some("TTL"));
    // A table without an entity-type attribute holds one entity.
    #[derive(Entity)]
    #[dynamo(table = SessionStore)]
    #[pk = "<other>"]
    struct Other {
        other: String,
    }
    let refused = schema.entity::<Other>().unwrap_err();
    assert!(
        refused.to_string().contains("has no entity-type attribute"),
        "{refused}"
    );
}

#[tokio::test]
async fn sessions_are_stored_as_the_book_stores_them() {
    let table = fresh_table(
        TableSchema::of::<SessionStore>()
            .entity::<Session>()
            .unwrap(),
    )
    .await;

    // The table DynamoDB Local created: hash-only, and a keys-only index.
    let described = table
        .client()
        .describe_table()
        .table_name(table.name())
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let keys: Vec<(String, KeyType)> = described
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name().to_owned(), k.key_type().clone()))
        .collect();
    assert_eq!(keys, [("SessionToken".to_owned(), KeyType::Hash)]);
    let index = &described.global_secondary_indexes()[0];
    assert_eq!(index.index_name(), Some("UserIndex"));
    assert_eq!(index.key_schema()[0].attribute_name(), "Username");
    assert_eq!(index.key_schema().len(), 1);
    assert_eq!(
        index.projection().and_then(|p| p.projection_type()),
        Some(&ProjectionType::KeysOnly)
    );

    let alex = session("0e7bf1b8-1b6c-4d6f-9d1c-5a7c3b2e1f00", "alexdebrie");
    table.create(&alex).await.unwrap();
    let stored = raw_item(&table, &alex.key().unwrap()).await.unwrap();
    let s = |v: &str| AttributeValue::S(v.to_owned());
    let expected: Item = [
        ("SessionToken", s("0e7bf1b8-1b6c-4d6f-9d1c-5a7c3b2e1f00")),
        ("Username", s("alexdebrie")),
        ("CreatedAt", s("2026-11-30T09:00:00.000Z")),
        ("ExpiresAt", s("2026-12-07T09:00:00.000Z")),
        ("TTL", AttributeValue::N(alex.ttl.timestamp().to_string())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(
        stored, expected,
        "the token is the key, stored once; no type attribute"
    );

    // A second session with the same token is refused: the token is the whole key.
    let err = table.create(&alex).await.unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");
    let read = table
        .get::<Session>(Session::primary_key(&alex.session_token).unwrap())
        .await
        .unwrap();
    assert_eq!(read, Some(alex));
}

#[tokio::test]
async fn a_users_sessions_are_found_by_their_keys_and_deleted() {
    let table = fresh_table(
        TableSchema::of::<SessionStore>()
            .entity::<Session>()
            .unwrap(),
    )
    .await;
    let sessions = [
        session("t-1", "alexdebrie"),
        session("t-2", "alexdebrie"),
        session("t-3", "someone-else"),
    ];
    for s in &sessions {
        table.create(s).await.unwrap();
    }

    // The index holds keys only: whole sessions cannot be read from it, before any request.
    let metered = table.metered();
    let refused = metered
        .query(Session::query_user_index("alexdebrie").unwrap())
        .all()
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("UserIndex projects KEYS_ONLY attributes, so whole Session items"),
        "{refused}"
    );
    assert_eq!(metered.cost().requests, 0);

    // Its keys can: one query. The index does not hold the TTL, so expired sessions cannot be
    // told apart there; logging out everywhere deletes them too, and says so.
    let mut keys = metered
        .including_expired()
        .query(Session::query_user_index("alexdebrie").unwrap())
        .project::<SessionKeys>()
        .all()
        .await
        .unwrap();
    keys.sort_by(|a, b| a.session_token.cmp(&b.session_token));
    assert_eq!(
        keys.iter()
            .map(|k| k.session_token.as_str())
            .collect::<Vec<_>>(),
        ["t-1", "t-2"]
    );
    assert_eq!(metered.cost().requests, 1);

    // Log out everywhere: one batch deletes them.
    let mut batch = table.batch_write();
    for key in &keys {
        batch = batch.delete::<Session>(Session::primary_key(&key.session_token).unwrap());
    }
    let done = batch.send().await.unwrap();
    assert!(done.unprocessed.is_empty());
    for key in &keys {
        let gone = raw_item(&table, &Session::primary_key(&key.session_token).unwrap()).await;
        assert_eq!(gone, None);
    }
    let kept = raw_item(&table, &Session::primary_key("t-3").unwrap()).await;
    assert!(kept.is_some());
}
