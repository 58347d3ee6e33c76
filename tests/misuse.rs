//! Misuse found by adversarial testing, against DynamoDB Local: writes that reach another
//! entity's item, keys that can collide, and expired items that writes took for live ones.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_entity::{Created, Entity, Error, Table, TableSchema};
use dynamo_entity_suite::{fresh_table, raw_item};

/// Two services' entities that share one table and, by mistake, one key space.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "ITEM#<id>"]
#[sk = "ITEM"]
pub struct Note {
    pub id: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "ITEM#<id>"]
#[sk = "ITEM"]
pub struct Memo {
    pub id: String,
    pub body: String,
    pub pinned: bool,
}

/// Two handles on one table: the notes service knows only `Note`, the memos service only `Memo`.
async fn shared_table() -> (Table, Table) {
    let notes = fresh_table(TableSchema::new().entity::<Note>().unwrap()).await;
    let memos = Table::new(
        notes.client().clone(),
        notes.name(),
        TableSchema::new().entity::<Memo>().unwrap(),
    )
    .unwrap();
    (notes, memos)
}

fn memo() -> Memo {
    Memo {
        id: "m1".into(),
        body: "keep me".into(),
        pinned: true,
    }
}

fn note() -> Note {
    Note {
        id: "m1".into(),
        body: "overwrite".into(),
    }
}

fn assert_wrong_entity(error: &Error) {
    match error {
        Error::WrongEntity { entity, key, found } => {
            assert_eq!(*entity, "Note");
            assert_eq!(key, &Note::primary_key("m1").unwrap());
            assert_eq!(found.as_deref(), Some("Memo"));
        }
        other => panic!("expected WrongEntity, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "(ITEM#m1, ITEM) holds a Memo, not a Note; nothing was written"
    );
}

#[tokio::test]
async fn no_single_write_touches_another_entitys_item() {
    let (notes, memos) = shared_table().await;
    memos.create(&memo()).await.unwrap();
    let key = Note::primary_key("m1").unwrap();
    let stored = raw_item(&notes, &key).await.unwrap();
    let f = Note::fields();

    let errors = [
        notes
            .update::<Note>(key.clone())
            .set(f.body, "x".into())
            .await
            .map(|_| ())
            .unwrap_err(),
        notes
            .delete::<Note>(key.clone())
            .await
            .map(|_| ())
            .unwrap_err(),
        notes
            .delete::<Note>(key.clone())
            .must_exist()
            .return_old()
            .await
            .map(|_| ())
            .unwrap_err(),
        notes.put(&note()).await.map(|_| ()).unwrap_err(),
        notes.replace(&note()).await.map(|_| ()).unwrap_err(),
        notes.create(&note()).await.map(|_| ()).unwrap_err(),
        notes
            .create_if_absent(&note())
            .await
            .map(|_| ())
            .unwrap_err(),
    ];
    for error in &errors {
        assert_wrong_entity(error);
    }
    // Nothing was written: the memo is exactly as it was, and still reads as a Memo.
    assert_eq!(raw_item(&notes, &key).await.unwrap(), stored);
    assert_eq!(memos.get::<Memo>(key).await.unwrap(), Some(memo()));
}

#[tokio::test]
async fn no_transactional_write_touches_another_entitys_item() {
    let (notes, memos) = shared_table().await;
    memos.create(&memo()).await.unwrap();
    let key = Note::primary_key("m1").unwrap();
    let stored = raw_item(&notes, &key).await.unwrap();
    let f = Note::fields();
    let transactions = [
        notes
            .transaction()
            .update(notes.update::<Note>(key.clone()).set(f.body, "x".into())),
        notes
            .transaction()
            .delete(notes.delete::<Note>(key.clone())),
        notes.transaction().write(notes.put(&note())),
    ];
    for transaction in transactions {
        match transaction.await.unwrap_err() {
            Error::TransactionCancelled { operations } => {
                assert_eq!(operations.len(), 1);
                assert_wrong_entity(operations[0].error.as_deref().unwrap());
            }
            other => panic!("expected a cancelled transaction, got {other:?}"),
        }
    }
    assert_eq!(raw_item(&notes, &key).await.unwrap(), stored);
}

#[test]
fn a_schema_refuses_entities_whose_keys_can_collide() {
    let err = TableSchema::new()
        .entity::<Note>()
        .and_then(TableSchema::entity::<Memo>)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "table schema: Memo (`ITEM#<id>` / `ITEM`) and Note (`ITEM#<id>` / `ITEM`) can produce \
         the same primary key, and a write of one would replace the other's item; make a \
         literal part of their templates differ"
    );
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<user>"]
#[sk = "<topic>"]
pub struct Subscription {
    pub user: String,
    pub topic: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "UNIQUE#<a>#<b>#<c>"]
#[sk = "<d>"]
pub struct Lookalike {
    pub a: String,
    pub b: String,
    pub c: String,
    pub d: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "ACCOUNT#<id>"]
#[sk = "ACCOUNT"]
pub struct Account {
    pub id: String,
    #[dynamo(unique)]
    pub email: String,
    #[dynamo(ttl)]
    pub expires_at: u64,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<user>"]
#[sk = "PROFILE"]
pub struct Profile {
    pub user: String,
}

#[test]
fn collisions_are_found_between_any_templates_and_with_guard_items() {
    // `<topic>` can be `PROFILE`: that subscription would replace the profile.
    let err = TableSchema::new()
        .entity::<Profile>()
        .and_then(TableSchema::entity::<Subscription>)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "table schema: Subscription (`USER#<user>` / `<topic>`) and Profile (`USER#<user>` / \
         `PROFILE`) can produce the same primary key, and a write of one would replace the \
         other's item; make a literal part of their templates differ"
    );
    // A placeholder never holds `#`, so `<topic>` cannot be a pet's `PET#<pet_id>`.
    TableSchema::new()
        .entity::<Pet>()
        .and_then(TableSchema::entity::<Subscription>)
        .unwrap();
    // Guard items of unique values have keys too.
    let err = TableSchema::new()
        .entity::<Account>()
        .and_then(TableSchema::entity::<Lookalike>)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "table schema: Lookalike (`UNIQUE#<a>#<b>#<c>` / `<d>`) can produce the key of a unique \
         value's guard item (`UNIQUE#<entity>#<field>#<value>` / `UNIQUE`); make a literal part \
         of its templates differ"
    );
    // Without unique values there are no guard items to collide with.
    TableSchema::new().entity::<Lookalike>().unwrap();
    // Keys told apart by a literal are fine.
    TableSchema::new()
        .entity::<Pet>()
        .and_then(TableSchema::entity::<Vaccination>)
        .and_then(TableSchema::entity::<Account>)
        .unwrap();
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<pet_id>"]
pub struct Pet {
    pub owner: String,
    pub pet_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<pet_id>#VAX#<n>"]
pub struct Vaccination {
    pub owner: String,
    pub pet_id: String,
    pub n: u32,
    pub vaccine: String,
}

async fn pets_table() -> Table {
    fresh_table(
        TableSchema::new()
            .entity::<Pet>()
            .and_then(TableSchema::entity::<Vaccination>)
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_batch_cannot_delete_another_entitys_item() {
    let table = pets_table().await;
    let rex = Pet {
        owner: "alice".into(),
        pet_id: "rex".into(),
        name: "Rex".into(),
    };
    let shot = Vaccination {
        owner: "alice".into(),
        pet_id: "rex".into(),
        n: 1,
        vaccine: "rabies".into(),
    };
    table.create(&rex).await.unwrap();
    table.create(&shot).await.unwrap();
    // The vaccination's key given as a pet's: refused before anything is sent.
    let err = table
        .batch_write()
        .delete::<Pet>(shot.key().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: (USER#alice, PET#rex#VAX#0000000001) is not a key of Pet; a batch \
         cannot check what it deletes"
    );
    // An entity the table's schema does not know: its key space was never checked.
    let err = table
        .batch_write()
        .delete::<Note>(Note::primary_key("n1").unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: Note is not an entity of this table's schema (add it with \
         TableSchema::entity)"
    );
    assert!(raw_item(&table, &shot.key().unwrap()).await.is_some());
    // The pet's own key is deleted as before.
    let done = table
        .batch_write()
        .delete::<Pet>(rex.key().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(done.written, 1);
    assert!(raw_item(&table, &rex.key().unwrap()).await.is_none());
    assert!(raw_item(&table, &shot.key().unwrap()).await.is_some());
}

#[tokio::test]
async fn an_entity_query_returns_its_own_items_where_prefixes_overlap() {
    let table = pets_table().await;
    let mut batch = table.batch_write();
    for pet in ["ava", "bo", "cy"] {
        batch = batch.put(&Pet {
            owner: "alice".into(),
            pet_id: pet.into(),
            name: pet.to_uppercase(),
        });
        for n in 1..=3 {
            batch = batch.put(&Vaccination {
                owner: "alice".into(),
                pet_id: pet.into(),
                n,
                vaccine: format!("shot {n}"),
            });
        }
    }
    assert!(batch.send().await.unwrap().unprocessed.is_empty());

    // `PET#` selects the vaccinations too; the query returns the pets only, in one request.
    let metered = table.metered();
    let pets = metered
        .query(Pet::query("alice").unwrap())
        .all()
        .await
        .unwrap();
    let names: Vec<_> = pets.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["AVA", "BO", "CY"]);
    assert_eq!(metered.cost().requests, 1);

    // Pages of two: the limit counts pets, and the cursors resume after the last pet.
    let pets = table
        .query(Pet::query("alice").unwrap())
        .page_size(2)
        .all()
        .await
        .unwrap();
    assert_eq!(pets.len(), 3);
    let two = table
        .query(Pet::query("alice").unwrap())
        .limit(2)
        .all()
        .await
        .unwrap();
    assert_eq!(two.len(), 2);

    // The vaccinations' own prefix is theirs alone.
    let shots = table
        .query(Vaccination::query("alice").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(shots.len(), 9);
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn account(id: &str, email: &str, expires_at: u64) -> Account {
    Account {
        id: id.into(),
        email: email.into(),
        expires_at,
    }
}

fn guard_key(email: &str) -> dynamo_entity::Key {
    dynamo_entity::Key {
        pk: format!("UNIQUE#Account#email#{email}"),
        sk: Some("UNIQUE".into()),
    }
}

#[tokio::test]
async fn unique_guards_expire_with_their_owner() {
    let table = fresh_table(TableSchema::new().entity::<Account>().unwrap()).await;
    let expired = account("old", "a@example.com", now() - 60);
    table.create(&expired).await.unwrap();
    // The guard carries its owner's expiry, so DynamoDB's TTL deletes both.
    let guard = raw_item(&table, &guard_key("a@example.com")).await.unwrap();
    assert_eq!(
        guard["expires_at"],
        AttributeValue::N((now() - 60).to_string())
    );

    // The owner has expired: its address is free.
    let fresh = account("new", "a@example.com", now() + 3_600);
    table.create(&fresh).await.unwrap();
    let guard = raw_item(&table, &guard_key("a@example.com")).await.unwrap();
    assert_eq!(guard["owner_pk"], AttributeValue::S("ACCOUNT#new".into()));
    assert_eq!(
        guard["expires_at"],
        AttributeValue::N(fresh.expires_at.to_string())
    );

    // A live owner's address is still taken.
    let err = table
        .create(&account("third", "a@example.com", now() + 3_600))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UniqueViolation { field: "email", .. }),
        "{err}"
    );

    // Extending the owner's life extends its guards'.
    let later = now() + 7_200;
    let f = Account::fields();
    table
        .update::<Account>(fresh.key().unwrap())
        .set(f.expires_at, later)
        .await
        .unwrap();
    let guard = raw_item(&table, &guard_key("a@example.com")).await.unwrap();
    assert_eq!(guard["expires_at"], AttributeValue::N(later.to_string()));
    // And so does a put that keeps the address.
    let renewed = account("new", "a@example.com", later + 60);
    table.put(&renewed).await.unwrap();
    let guard = raw_item(&table, &guard_key("a@example.com")).await.unwrap();
    assert_eq!(
        guard["expires_at"],
        AttributeValue::N((later + 60).to_string())
    );
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "SESSION#<token>"]
#[sk = "SESSION"]
pub struct Session {
    pub token: String,
    pub user: String,
    #[dynamo(ttl)]
    pub expires_at: u64,
}

fn session(user: &str, expires_at: u64) -> Session {
    Session {
        token: "t1".into(),
        user: user.into(),
        expires_at,
    }
}

#[tokio::test]
async fn an_expired_item_is_absent_for_writes_too() {
    let table = fresh_table(TableSchema::new().entity::<Session>().unwrap()).await;
    let key = Session::primary_key("t1").unwrap();
    let f = Session::fields();
    let expired = session("old", now() - 10);

    // Create over an expired session: it was absent.
    table.create(&expired).await.unwrap();
    let live = session("alice", now() + 600);
    assert_eq!(table.create(&live).await.unwrap(), live);

    table.put(&expired).await.unwrap();
    match table.create_if_absent(&live).await.unwrap() {
        Created::Created(stored) => assert_eq!(stored, live),
        Created::Existed(found) => panic!("the expired session was taken as live: {found:?}"),
    }

    // Update, replace and delete of an expired session behave as for a missing one.
    table.put(&expired).await.unwrap();
    let err = table
        .update::<Session>(key.clone())
        .set(f.user, "mallory".into())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    let err = table.replace(&live).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    let err = table
        .delete::<Session>(key.clone())
        .must_exist()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    // Nothing of that touched it.
    assert_eq!(
        raw_item(&table, &key).await.unwrap()["user"],
        AttributeValue::S("old".into())
    );
    // A delete that need not find anything removes the expired item and returns nothing.
    let old = table
        .delete::<Session>(key.clone())
        .return_old()
        .await
        .unwrap();
    assert_eq!(old, None);
    assert!(raw_item(&table, &key).await.is_none());
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "LEASE#<id>"]
#[sk = "LEASE"]
pub struct Lease {
    pub id: String,
    #[dynamo(ttl)]
    pub until: u64,
}

#[test]
fn a_ttl_beyond_epoch_seconds_range_is_refused() {
    let lease = Lease {
        id: "l1".into(),
        until: u64::MAX,
    };
    let err = lease.to_item().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Encode {
                entity: "Lease",
                field: "until",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "cannot encode Lease.until: 18446744073709551615 is beyond the epoch seconds a TTL can hold"
    );
}

proptest::proptest! {
    /// Every key an entity builds is one of its templates' keys, and never one of another
    /// entity's in the same schema: what a batch delete's key check relies on.
    #[test]
    fn built_keys_belong_to_their_own_entity_only(
        owner in "[^#]{1,12}",
        pet_id in "[^#]{1,12}",
        n in proptest::prelude::any::<u32>(),
    ) {
        let pet = Pet { owner: owner.clone(), pet_id: pet_id.clone(), name: String::new() };
        let shot = Vaccination { owner, pet_id, n, vaccine: String::new() };
        let (pet_key, shot_key) = (pet.key().unwrap(), shot.key().unwrap());
        proptest::prop_assert!(Pet::SCHEMA.is_primary_key(&pet_key));
        proptest::prop_assert!(Vaccination::SCHEMA.is_primary_key(&shot_key));
        proptest::prop_assert!(!Pet::SCHEMA.is_primary_key(&shot_key));
        proptest::prop_assert!(!Vaccination::SCHEMA.is_primary_key(&pet_key));
    }
}
