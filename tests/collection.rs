//! Item collections: one query, a typed mix of entities, against DynamoDB Local.

use dynamo_entity::{Collection, Entity, Error, Table, TableSchema};
use dynamo_entity_suite::fresh_table;
use futures::TryStreamExt;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<username>"]
#[sk = "PROFILE"]
#[gsi1(pk = "CLUB#<club>", sk = "MEMBER#<username>")]
pub struct User {
    pub username: String,
    pub club: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "CLUB#<club>", sk = "PET#<pet_id>")]
pub struct Pet {
    pub owner: String,
    pub pet_id: String,
    pub club: String,
}

/// In the same partition, but not part of the collection.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<username>"]
#[sk = "NOTE#<n>"]
pub struct Note {
    pub username: String,
    pub n: u32,
}

#[derive(Debug, Clone, PartialEq, Collection)]
pub enum UserPage {
    User(User),
    Pet(Pet),
}

async fn table() -> Table {
    let schema = TableSchema::new()
        .entity::<User>()
        .and_then(TableSchema::entity::<Pet>)
        .and_then(TableSchema::entity::<Note>)
        .unwrap();
    let table = fresh_table(schema).await;
    for (name, club) in [("alice", "chess"), ("bob", "chess")] {
        let user = User {
            username: name.into(),
            club: club.into(),
        };
        table.create(&user).await.unwrap();
    }
    for (owner, pet) in [("alice", "rex"), ("alice", "tom"), ("bob", "fido")] {
        let pet = Pet {
            owner: owner.into(),
            pet_id: pet.into(),
            club: "chess".into(),
        };
        table.create(&pet).await.unwrap();
    }
    table
}

#[tokio::test]
async fn one_query_returns_the_parent_and_its_typed_children() {
    let table = table().await;
    let page = table
        .query_collection::<UserPage, _>(User::query("alice").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(page.skipped, 0);
    // In sort key order: PET#rex, PET#tom, PROFILE.
    assert!(matches!(
        &page.items[..],
        [UserPage::Pet(_), UserPage::Pet(_), UserPage::User(_)]
    ));

    let parts = UserPage::split(page.items);
    assert_eq!(
        parts.user,
        vec![User {
            username: "alice".into(),
            club: "chess".into()
        }]
    );
    let pets: Vec<_> = parts.pet.iter().map(|p| p.pet_id.as_str()).collect();
    assert_eq!(pets, ["rex", "tom"]);

    // Any member's query names the same partition.
    let same = table
        .query_collection::<UserPage, _>(Pet::query("alice").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(same.items.len(), 3);
}

#[tokio::test]
async fn other_entity_types_follow_an_explicit_policy() {
    let table = table().await;
    for n in 0..2 {
        let note = Note {
            username: "alice".into(),
            n,
        };
        table.create(&note).await.unwrap();
    }
    let err = table
        .query_collection::<UserPage, _>(User::query("alice").unwrap())
        .all()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::EntityTypeMismatch { expected: "UserPage", found: Some(t), .. } if t == "Note"),
        "{err:?}"
    );
    let page = table
        .query_collection::<UserPage, _>(User::query("alice").unwrap())
        .skip_unknown()
        .all()
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.skipped), (3, 2));
}

#[tokio::test]
async fn collections_page_with_cursors_and_limits() {
    let table = table().await;
    let pages: Vec<_> = table
        .query_collection::<UserPage, _>(User::query("alice").unwrap())
        .page_size(2)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<_> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [2, 1]);
    let limited = table
        .query_collection::<UserPage, _>(User::query("alice").unwrap())
        .limit(1)
        .descending()
        .all()
        .await
        .unwrap();
    assert!(
        matches!(&limited.items[..], [UserPage::User(_)]),
        "newest sort key first"
    );

    // A cursor of an entity query is not a collection cursor.
    let entity_page = table
        .query(Pet::query("alice").unwrap())
        .page_size(1)
        .page()
        .await
        .unwrap();
    let err = table
        .query_collection::<UserPage, _>(Pet::query("alice").unwrap())
        .after(entity_page.cursor.unwrap())
        .page()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCursor(_)), "{err:?}");
}

#[tokio::test]
async fn a_collection_can_be_read_from_an_overloaded_gsi() {
    let table = table().await;
    // GSI1 holds users and pets under CLUB#<club>: one query lists the club's members and pets.
    let club = table
        .query_collection::<UserPage, _>(User::query_gsi1("chess").unwrap())
        .all()
        .await
        .unwrap();
    let parts = UserPage::split(club.items);
    assert_eq!(parts.user.len(), 2);
    assert_eq!(parts.pet.len(), 3);
    // The entity queries on the same GSI stay scoped to their own entity by the sort key prefix.
    let members = table
        .query(User::query_gsi1("chess").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(members.len(), 2);
    let pets = table
        .query(Pet::query_gsi1("chess").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(pets.len(), 3);
}
