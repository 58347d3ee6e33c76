//! Upsert: an update that creates the item when there is none, with managed fields right, in
//! one request, against DynamoDB Local.

use chrono::{DateTime, Duration, Utc};
use dynamo_entity::{Entity, TableSchema};
use dynamo_entity_suite::{fresh_table, raw_item};

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "PAGE#<site>#<path>"]
#[sk = "STATS"]
#[gsi1(pk = "SITE#<site>", sk = "PAGE#<path>")]
#[gsi2(pk = "LANG#<lang>", sk = "TITLE#<title>")]
struct PageStats {
    site: String,
    path: String,
    lang: String,
    title: String,
    views: u64,
    referrers: Vec<String>,
    note: Option<String>,
    #[dynamo(version)]
    version: u64,
    #[dynamo(created_at)]
    created_at: DateTime<Utc>,
    #[dynamo(updated_at)]
    updated_at: DateTime<Utc>,
    #[dynamo(ttl)]
    expires_at: Option<DateTime<Utc>>,
}

fn page(title: &str) -> PageStats {
    PageStats {
        site: "example.com".into(),
        path: "/".into(),
        lang: "en".into(),
        title: title.into(),
        views: 100,
        referrers: vec!["seed".into()],
        note: None,
        version: 0,
        created_at: DateTime::UNIX_EPOCH,
        updated_at: DateTime::UNIX_EPOCH,
        expires_at: None,
    }
}

#[tokio::test]
async fn an_upsert_creates_with_managed_fields_then_only_changes() {
    let table = fresh_table(TableSchema::new().entity::<PageStats>().unwrap()).await;
    let key = PageStats::primary_key("example.com", "/").unwrap();
    let f = PageStats::fields();

    // Absent: the initial entity, with the changes applied to it, in one request.
    let metered = table.metered();
    let before = Utc::now() - Duration::seconds(1);
    let created = metered
        .upsert(&page("Home"))
        .add(f.views, 1)
        .append(f.referrers, vec!["google".into()])
        .set(f.note, Some("first".into()))
        .await
        .unwrap();
    assert_eq!(metered.cost().requests, 1);
    assert_eq!(created.views, 101);
    assert_eq!(created.referrers, ["seed", "google"]);
    assert_eq!(created.note.as_deref(), Some("first"));
    assert_eq!(created.version, 1);
    assert!(created.created_at > before, "{}", created.created_at);
    assert_eq!(created.created_at, created.updated_at);
    let stored = raw_item(&table, &key).await.unwrap();
    assert_eq!(stored["Type"].as_s().unwrap(), "PageStats");
    assert_eq!(stored["GSI1PK"].as_s().unwrap(), "SITE#example.com");
    assert_eq!(stored["GSI1SK"].as_s().unwrap(), "PAGE#/");
    assert!(!stored.contains_key("expires_at"));

    // Present: only the changes; the initial entity's values are not applied.
    let metered = table.metered();
    let updated = metered
        .upsert(&page("Another title"))
        .add(f.views, 1)
        .append(f.referrers, vec!["bing".into()])
        .await
        .unwrap();
    assert_eq!(metered.cost().requests, 1);
    assert_eq!(updated.views, 102);
    assert_eq!(updated.referrers, ["seed", "google", "bing"]);
    assert_eq!(updated.title, "Home");
    assert_eq!(updated.note.as_deref(), Some("first"));
    assert_eq!(updated.version, 2);
    assert_eq!(updated.created_at, created.created_at);
    assert!(updated.updated_at >= created.updated_at);

    // In a transaction too.
    table
        .transaction()
        .update(table.upsert(&page("Home")).add(f.views, 10))
        .send()
        .await
        .unwrap();
    let stored = table.get::<PageStats>(key.clone()).await.unwrap().unwrap();
    assert_eq!((stored.views, stored.version), (112, 3));
}

#[tokio::test]
async fn an_expired_item_is_replaced_by_the_initial_entity() {
    let table = fresh_table(TableSchema::new().entity::<PageStats>().unwrap()).await;
    let f = PageStats::fields();
    let mut old = page("Old");
    old.views = 7;
    old.expires_at = Some(Utc::now() - Duration::hours(1));
    table.put(&old).await.unwrap();
    // Expired, so absent: the upsert starts from the initial entity, not from the stale item.
    let metered = table.metered();
    let fresh = metered.upsert(&page("New")).add(f.views, 1).await.unwrap();
    assert_eq!(
        (fresh.title.as_str(), fresh.views, fresh.version),
        ("New", 101, 1)
    );
    assert_eq!(fresh.expires_at, None);
    // The refused attempt, the delete of the expired item, the upsert.
    assert_eq!(metered.cost().requests, 3);
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<id>"]
#[sk = "PROFILE"]
struct Member {
    id: String,
    #[dynamo(unique)]
    email: String,
}

#[tokio::test]
async fn upserts_that_would_need_a_read_are_refused_before_sending() {
    let table = fresh_table(
        TableSchema::new()
            .entity::<PageStats>()
            .unwrap()
            .entity::<Member>()
            .unwrap(),
    )
    .await;
    let f = PageStats::fields();
    // An optional value in the initial entity: an existing item without it would get it.
    let mut noted = page("Home");
    noted.note = Some("hello".into());
    let metered = table.metered();
    let err = metered.upsert(&noted).add(f.views, 1).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: an upsert cannot tell a new PageStats from one without `note`, so it \
         cannot write the initial value of `note` only for a new item; leave it None (or \
         empty) in the initial entity and set it in the upsert"
    );
    // Unique values need their guards claimed.
    let member = Member {
        id: "m1".into(),
        email: "m1@example.com".into(),
    };
    let err = metered.upsert(&member).await.unwrap_err();
    assert!(
        err.to_string().contains("cannot claim its unique values"),
        "{err}"
    );
    // Some but not all inputs of GSI2's key.
    let err = metered
        .upsert(&page("Home"))
        .set(f.title, "About".into())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: this upsert of PageStats changes some but not all inputs of GSI2's \
         key, which needs the item read first; set every input, or use update"
    );
    assert_eq!(metered.cost().requests, 0);
    // All of them: the key is derived from them, for a new item and an existing one alike.
    let moved = table
        .upsert(&page("Home"))
        .set(f.title, "About".into())
        .set(f.lang, "fr".into())
        .await
        .unwrap();
    assert_eq!((moved.title.as_str(), moved.lang.as_str()), ("About", "fr"));
    let stored = raw_item(&table, &PageStats::primary_key("example.com", "/").unwrap())
        .await
        .unwrap();
    assert_eq!(stored["GSI2PK"].as_s().unwrap(), "LANG#fr");
    assert_eq!(stored["GSI2SK"].as_s().unwrap(), "TITLE#About");
    table
        .delete::<PageStats>(PageStats::primary_key("example.com", "/").unwrap())
        .await
        .unwrap();

    // An upsert with no change of its own still creates the item, and then changes nothing
    // but the version and `updated_at`.
    let created = table.upsert(&page("Home")).await.unwrap();
    assert_eq!((created.views, created.version), (100, 1));
    let again = table.upsert(&page("Other")).await.unwrap();
    assert_eq!((again.title.as_str(), again.version), ("Home", 2));
}
