//! Entities executed against Amazon's DynamoDB Local: each test in a table of its own.

use dynamo_entity::{Cursor, Entity, Error, Index, Query, SortKeyCondition, Table, TableSchema};
use dynamo_entity_suite::fresh_table;
use futures::TryStreamExt;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<user_id>"]
#[sk = "PROFILE"]
pub struct User {
    pub user_id: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "PET#<pet_id>", sk = "PET#<pet_id>")]
pub struct Pet {
    pub owner_id: String,
    pub pet_id: String,
    pub name: String,
    pub age: u8,
}

/// Deliberately the same key space as `User` (so never in one schema with it): an item of one
/// read as the other, through a second handle on the same table.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<user_id>"]
#[sk = "PROFILE"]
pub struct Settings {
    pub user_id: String,
    pub theme: String,
}

fn schema() -> TableSchema {
    TableSchema::new()
        .entity::<User>()
        .and_then(TableSchema::entity::<Pet>)
        .expect("compatible entities")
}

fn pet(owner: &str, id: &str, age: u8) -> Pet {
    Pet {
        owner_id: owner.into(),
        pet_id: id.into(),
        name: format!("{id} the pet"),
        age,
    }
}

#[tokio::test]
async fn create_then_get() {
    let table = fresh_table(schema()).await;
    let rex = pet("alice", "rex", 3);
    assert_eq!(table.create(&rex).await.unwrap(), rex);
    let read = table.get::<Pet>(rex.key().unwrap()).await.unwrap();
    assert_eq!(read, Some(rex.clone()));
    let read = table
        .get::<Pet>(rex.key().unwrap())
        .consistent_read()
        .await
        .unwrap();
    assert_eq!(read, Some(rex));
    let missing = table
        .get::<Pet>(Pet::primary_key("alice", "nobody").unwrap())
        .await;
    assert_eq!(missing.unwrap(), None);
}

#[tokio::test]
async fn a_second_create_fails_and_changes_nothing() {
    let table = fresh_table(schema()).await;
    let rex = pet("alice", "rex", 3);
    table.create(&rex).await.unwrap();
    let impostor = Pet {
        name: "Impostor".into(),
        ..rex.clone()
    };
    let err = table.create(&impostor).await.unwrap_err();
    assert!(
        matches!(&err, Error::AlreadyExists { entity: "Pet", key } if *key == rex.key().unwrap()),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "Pet (USER#alice, PET#rex) already exists");
    let stored = table.get::<Pet>(rex.key().unwrap()).await.unwrap();
    assert_eq!(stored, Some(rex), "the first item is untouched");
}

#[tokio::test]
async fn put_upserts_and_replace_requires_the_item() {
    let table = fresh_table(schema()).await;
    let rex = pet("alice", "rex", 3);

    let err = table.replace(&rex).await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound { entity: "Pet", .. }),
        "{err:?}"
    );
    assert_eq!(table.get::<Pet>(rex.key().unwrap()).await.unwrap(), None);

    table.put(&rex).await.unwrap();
    let older = Pet {
        age: 4,
        ..rex.clone()
    };
    table.put(&older).await.unwrap();
    let oldest = Pet {
        age: 5,
        ..rex.clone()
    };
    table.replace(&oldest).await.unwrap();
    let stored = table.get::<Pet>(rex.key().unwrap()).await.unwrap();
    assert_eq!(stored.map(|p| p.age), Some(5));
}

#[tokio::test]
async fn delete_can_require_the_item_and_return_it() {
    let table = fresh_table(schema()).await;
    let rex = pet("alice", "rex", 3);
    let key = rex.key().unwrap();

    // Deleting nothing is fine unless the item must exist.
    assert_eq!(table.delete::<Pet>(key.clone()).await.unwrap(), None);
    let err = table
        .delete::<Pet>(key.clone())
        .must_exist()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");

    table.create(&rex).await.unwrap();
    let old = table
        .delete::<Pet>(key.clone())
        .must_exist()
        .return_old()
        .await
        .unwrap();
    assert_eq!(old, Some(rex));
    assert_eq!(table.get::<Pet>(key).await.unwrap(), None);
}

#[tokio::test]
async fn an_item_of_another_entity_type_is_not_read_as_this_one() {
    let table = fresh_table(schema()).await;
    let user = User {
        user_id: "alice".into(),
        email: "alice@example.com".into(),
    };
    table.create(&user).await.unwrap();
    // Settings has the same key template, so the same key finds the User item. The schema
    // refuses the two together; a second handle that knows only Settings reads the same table.
    let settings = Table::new(
        table.client().clone(),
        table.name(),
        TableSchema::new().entity::<Settings>().unwrap(),
    )
    .unwrap();
    let key = Settings::primary_key("alice").unwrap();
    assert_eq!(key, user.key().unwrap());
    let err = settings.get::<Settings>(key).await.unwrap_err();
    assert!(
        matches!(&err, Error::EntityTypeMismatch { expected: "Settings", found: Some(f), .. } if f == "User"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_query_reads_one_entity_of_one_partition() {
    let table = fresh_table(schema()).await;
    table
        .create(&User {
            user_id: "alice".into(),
            email: "a@example.com".into(),
        })
        .await
        .unwrap();
    for (owner, id) in [("alice", "rex"), ("alice", "tom"), ("bob", "fido")] {
        table.create(&pet(owner, id, 1)).await.unwrap();
    }
    let query: Query<Pet> = Pet::query("alice").unwrap().into();
    assert_eq!(query.index(), Index::Primary);
    assert_eq!(query.partition_key(), "USER#alice");
    assert_eq!(
        query.sort_key_condition(),
        &SortKeyCondition::BeginsWith("PET#".into())
    );
    // The user's profile shares the partition; the default condition leaves it out.
    let pets = table.query(query).all().await.unwrap();
    let ids: Vec<_> = pets.iter().map(|p| p.pet_id.as_str()).collect();
    assert_eq!(ids, ["rex", "tom"]);

    let users = table
        .query(User::query("alice").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(users.len(), 1);

    let newest_first = table
        .query(Pet::query("alice").unwrap())
        .descending()
        .all()
        .await
        .unwrap();
    assert_eq!(newest_first[0].pet_id, "tom");

    // Through the GSI: a pet by its id alone.
    let fido = table
        .query(Pet::query_gsi1("fido").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(fido, vec![pet("bob", "fido", 1)]);
}

async fn many_pets(table: &dynamo_entity::Table, owner: &str, n: usize) {
    for i in 0..n {
        table
            .create(&pet(owner, &format!("p{i:03}"), 1))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_query_spanning_several_pages() {
    let table = fresh_table(schema()).await;
    many_pets(&table, "alice", 25).await;

    let request = table.query(Pet::query("alice").unwrap()).page_size(10);
    let first = request.page().await.unwrap();
    assert_eq!(first.items.len(), 10);
    let cursor = first.cursor.clone().expect("more pages");

    // A cursor travels as text and comes back.
    let text = cursor.to_string();
    let second = table
        .query(Pet::query("alice").unwrap())
        .page_size(10)
        .after(text.parse::<Cursor>().unwrap())
        .page()
        .await
        .unwrap();
    assert_eq!(second.items[0].pet_id, "p010");

    let pages: Vec<_> = table
        .query(Pet::query("alice").unwrap())
        .page_size(10)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<_> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [10, 10, 5]);
    assert!(pages.last().unwrap().cursor.is_none());
    let ids: Vec<_> = pages
        .iter()
        .flat_map(|p| &p.items)
        .map(|p| p.pet_id.clone())
        .collect();
    let expected: Vec<_> = (0..25).map(|i| format!("p{i:03}")).collect();
    assert_eq!(ids, expected, "every item once, in sort key order");

    let all = table
        .query(Pet::query("alice").unwrap())
        .page_size(7)
        .all()
        .await
        .unwrap();
    assert_eq!(all.len(), 25);
}

#[tokio::test]
async fn tampered_and_foreign_cursors_are_refused() {
    let table = fresh_table(schema()).await;
    many_pets(&table, "alice", 3).await;
    many_pets(&table, "bob", 3).await;
    let page = table
        .query(Pet::query("alice").unwrap())
        .page_size(1)
        .page()
        .await
        .unwrap();
    let cursor = page.cursor.unwrap();

    let mut text = cursor.to_string();
    let last = text.pop().unwrap();
    text.push(if last == 'A' { 'B' } else { 'A' });
    let err = table
        .query(Pet::query("alice").unwrap())
        .after(Cursor::from(text))
        .page()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCursor(_)), "{err:?}");

    let err = table
        .query(Pet::query("bob").unwrap())
        .after(cursor)
        .page()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidCursor("the cursor belongs to another query")
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn invalid_keys_are_refused_before_anything_is_sent() {
    let table = fresh_table(schema()).await;
    let err = table.create(&pet("alice", "", 1)).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidKey {
                entity: "Pet",
                field: "pet_id",
                ..
            }
        ),
        "{err:?}"
    );
    let err = Pet::query("al#ice").unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidKey {
                field: "owner_id",
                ..
            }
        ),
        "{err:?}"
    );
}

/// A table whose entities disagree on the key schema cannot be built.
#[test]
fn entities_must_agree_on_the_key_schema() {
    #[derive(Entity)]
    #[pk = "SESSION#<token>"]
    struct Session {
        token: String,
    }
    let err = TableSchema::new()
        .entity::<Pet>()
        .and_then(TableSchema::entity::<Session>)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "table schema: Session needs no sort key for the table's key, but the entities before \
         it need a sort key (SK)"
    );
}

/// The create-table input is data, for infrastructure-as-code.
#[test]
fn the_table_definition_is_data() {
    let input = schema().create_table_input("prod-app").unwrap();
    assert_eq!(input.table_name(), Some("prod-app"));
    let names: Vec<_> = input
        .attribute_definitions()
        .iter()
        .map(|a| a.attribute_name())
        .collect();
    assert_eq!(names, ["PK", "SK", "GSI1PK", "GSI1SK"]);
    let gsis = input.global_secondary_indexes();
    assert_eq!(gsis.len(), 1);
    assert_eq!(gsis[0].index_name(), "GSI1");
}

#[tokio::test]
async fn a_limit_caps_the_results_and_its_cursor_resumes_right_after() {
    let table = fresh_table(schema()).await;
    many_pets(&table, "alice", 25).await;
    let ids = |pets: &[Pet]| pets.iter().map(|p| p.pet_id.clone()).collect::<Vec<_>>();

    let twelve = table
        .query(Pet::query("alice").unwrap())
        .page_size(5)
        .limit(12)
        .all()
        .await
        .unwrap();
    let expected: Vec<_> = (0..12).map(|i| format!("p{i:03}")).collect();
    assert_eq!(ids(&twelve), expected);

    let pages: Vec<_> = table
        .query(Pet::query("alice").unwrap())
        .page_size(5)
        .limit(12)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<_> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [5, 5, 2]);
    let resume = pages
        .last()
        .unwrap()
        .cursor
        .clone()
        .expect("more items exist");
    let next = table
        .query(Pet::query("alice").unwrap())
        .after(resume)
        .limit(1)
        .all()
        .await
        .unwrap();
    assert_eq!(ids(&next), ["p012"]);
}
