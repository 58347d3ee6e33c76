//! An index whose key attribute is the entity's own field (the session store of *The DynamoDB
//! Book*: `UserIndex` keyed by `Username`): updating that field writes the attribute once,
//! and the index follows it (issue 20, item 4).

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_entity::{Entity, TableLayout, TableSchema};
use dynamo_entity_suite::{fresh_table, raw_item};

#[derive(TableLayout)]
#[dynamo(partition_key = "SessionToken", no_type_attribute)]
#[dynamo(gsi(UserIndex: partition_key = "Username"))]
struct SessionStore;

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = SessionStore)]
#[pk = "<session_token>"]
#[index(UserIndex: pk = "<username>")]
struct Session {
    #[dynamo(rename = "SessionToken")]
    session_token: String,
    /// `None` for a session not signed in yet: out of the index.
    #[dynamo(rename = "Username")]
    username: Option<String>,
    #[dynamo(rename = "Device")]
    device: String,
}

fn session(username: Option<&str>) -> Session {
    Session {
        session_token: "t-1".into(),
        username: username.map(Into::into),
        device: "phone".into(),
    }
}

async fn table() -> dynamo_entity::Table {
    fresh_table(
        TableSchema::of::<SessionStore>()
            .entity::<Session>()
            .unwrap(),
    )
    .await
}

async fn tokens_of(table: &dynamo_entity::Table, user: &str) -> Vec<String> {
    table
        .query(Session::query_user_index(user).unwrap())
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.session_token)
        .collect()
}

#[tokio::test]
async fn setting_the_field_that_is_the_index_key_writes_it_once() {
    let table = table().await;
    table.create(&session(Some("alice"))).await.unwrap();
    let key = Session::primary_key("t-1").unwrap();
    let fields = Session::fields();

    let moved = table
        .update::<Session>(key.clone())
        .set(fields.username, Some("bob".into()))
        .await
        .unwrap();
    assert_eq!(moved.username.as_deref(), Some("bob"));
    assert_eq!(tokens_of(&table, "bob").await, ["t-1"]);
    assert!(tokens_of(&table, "alice").await.is_empty());

    // Removed: the item leaves the index.
    table
        .update::<Session>(key.clone())
        .set(fields.username, None)
        .await
        .unwrap();
    assert!(tokens_of(&table, "bob").await.is_empty());
    assert!(!raw_item(&table, &key)
        .await
        .unwrap()
        .contains_key("Username"));
}

#[tokio::test]
async fn an_upsert_of_the_field_that_is_the_index_key_writes_it_once() {
    let table = table().await;
    let key = Session::primary_key("t-1").unwrap();
    let fields = Session::fields();
    let stored = table
        .upsert::<Session>(&session(None))
        .set(fields.username, Some("carol".into()))
        .await
        .unwrap();
    assert_eq!(stored.username.as_deref(), Some("carol"));
    assert_eq!(
        raw_item(&table, &key).await.unwrap()["Username"],
        AttributeValue::S("carol".into())
    );
    assert_eq!(tokens_of(&table, "carol").await, ["t-1"]);
}
