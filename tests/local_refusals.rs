//! What DynamoDB would refuse is refused before sending, with an error that names the entity,
//! the field and the problem; what a set means is kept (issue 20, item 16).

use std::collections::{BTreeSet, HashMap};

use dynamo_entity::{Entity, Error, InvalidRequestKind, TableLayout, TableSchema};
use dynamo_entity_suite::fresh_table;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "DOC#<id>"]
#[sk = "DOC"]
struct Doc {
    id: String,
    labels: HashMap<String, String>,
    tags: BTreeSet<String>,
}

fn doc() -> Doc {
    Doc {
        id: "d1".into(),
        labels: HashMap::new(),
        tags: BTreeSet::from(["a".to_owned()]),
    }
}

fn refused(err: &Error, kind: InvalidRequestKind, words: &[&str]) -> bool {
    matches!(err, Error::InvalidRequest { kind: k, message }
        if *k == kind && words.iter().all(|w| message.contains(w)))
}

#[tokio::test]
async fn map_keys_dynamodb_refuses_are_refused_here() {
    let table = fresh_table(TableSchema::new().entity::<Doc>().unwrap()).await;
    table.create(&doc()).await.unwrap();
    let metered = table.metered();
    let key = Doc::primary_key("d1").unwrap();
    let labels = Doc::fields().labels;

    let empty = metered
        .update::<Doc>(key.clone())
        .set_entry(labels.entry(""), "x".to_owned())
        .await
        .unwrap_err();
    assert!(
        refused(
            &empty,
            InvalidRequestKind::Argument,
            &["Doc.labels", "empty"]
        ),
        "{empty}"
    );
    let long = "k".repeat(65_536);
    let too_long = metered
        .update::<Doc>(key.clone())
        .remove_entry(labels.entry(long))
        .await
        .unwrap_err();
    assert!(
        refused(
            &too_long,
            InvalidRequestKind::TooLarge,
            &["Doc.labels", "65536 bytes"]
        ),
        "{too_long}"
    );
    assert_eq!(metered.cost().requests, 0, "nothing was sent");
}

#[tokio::test]
async fn an_element_given_twice_is_added_once() {
    let table = fresh_table(TableSchema::new().entity::<Doc>().unwrap()).await;
    table.create(&doc()).await.unwrap();
    let updated = table
        .update::<Doc>(Doc::primary_key("d1").unwrap())
        .add_to_set(Doc::fields().tags, ["b".to_owned(), "b".to_owned()])
        .await
        .unwrap();
    assert_eq!(
        updated.tags,
        BTreeSet::from(["a".to_owned(), "b".to_owned()])
    );
}

#[derive(TableLayout)]
#[dynamo(partition_key = "PK", sort_key = "SK")]
#[dynamo(gsi(ByTeam: partition_key = ["Team"], sort_key = ["Player"]))]
struct League;

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = League)]
#[pk = "SCORE#<id>"]
#[sk = "SCORE"]
#[index(ByTeam: pk = [team], sk = [player])]
struct Score {
    id: String,
    #[dynamo(rename = "Team")]
    team: String,
    #[dynamo(rename = "Player")]
    player: String,
}

#[tokio::test]
async fn multi_attribute_key_values_dynamodb_refuses_are_refused_here() {
    let table = fresh_table(TableSchema::of::<League>().entity::<Score>().unwrap()).await;
    let metered = table.metered();
    let empty = metered
        .create(&Score {
            id: "s1".into(),
            team: String::new(),
            player: "ann".into(),
        })
        .await
        .unwrap_err();
    assert!(
        refused(
            &empty,
            InvalidRequestKind::Argument,
            &["Score", "Team", "empty"]
        ),
        "{empty}"
    );
    let long = metered
        .create(&Score {
            id: "s1".into(),
            team: "owls".into(),
            player: "p".repeat(1025),
        })
        .await
        .unwrap_err();
    assert!(
        refused(
            &long,
            InvalidRequestKind::TooLarge,
            &["Score", "Player", "1024"]
        ),
        "{long}"
    );
    let query = Score::query_by_team("").map(|_| ()).unwrap_err();
    assert!(
        refused(
            &query,
            InvalidRequestKind::Argument,
            &["Score.team", "empty"]
        ),
        "{query}"
    );
    assert_eq!(metered.cost().requests, 0, "nothing was sent");
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Profile {
    #[serde(with = "serde_dynamo::string_set")]
    badges: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "MEMBER#<id>"]
#[sk = "MEMBER"]
struct Member {
    id: String,
    profile: Profile,
}

/// A set that serde writes as a DynamoDB set (serde_dynamo's `string_set`), empty: DynamoDB
/// stores no empty set, so the item is refused before sending (issue 20, item 15).
#[tokio::test]
async fn an_empty_set_written_through_serde_is_refused_before_sending() {
    let member = Member {
        id: "m1".into(),
        profile: Profile {
            badges: BTreeSet::new(),
        },
    };
    let err = member.to_item().unwrap_err();
    assert!(
        matches!(&err, Error::Encode { entity: "Member", field: "profile", message }
            if message.contains("empty")),
        "{err}"
    );
    let table = fresh_table(TableSchema::new().entity::<Member>().unwrap()).await;
    let metered = table.metered();
    assert!(metered.create(&member).await.is_err());
    assert_eq!(metered.cost().requests, 0, "nothing was sent");
    let badged = Member {
        profile: Profile {
            badges: BTreeSet::from(["early".to_owned()]),
        },
        ..member
    };
    assert_eq!(table.create(&badged).await.unwrap(), badged);
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "SESSION#<id>"]
#[sk = "SESSION"]
struct Login {
    id: String,
    #[dynamo(ttl)]
    expires: u64,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "TASK#<id>"]
#[sk = "TASK"]
struct Chore {
    id: String,
    /// A due date, not an expiry: in the attribute DynamoDB's TTL reads.
    expires: u64,
}

/// A plain field in the attribute another entity's TTL uses would be deleted by DynamoDB's
/// TTL, and reads would disagree on it: refused when the schema is built, in either order
/// (issue 20, item 9).
#[test]
fn a_plain_field_in_the_tables_ttl_attribute_is_refused() {
    let errors = [
        TableSchema::new()
            .entity::<Login>()
            .and_then(|s| s.entity::<Chore>()),
        TableSchema::new()
            .entity::<Chore>()
            .and_then(|s| s.entity::<Login>()),
    ];
    for result in errors {
        let err = result.unwrap_err();
        assert!(
            matches!(&err, Error::Schema { kind: dynamo_entity::SchemaErrorKind::Conflict, message }
                if message.contains("Chore.expires") && message.contains("Login's #[dynamo(ttl)]")),
            "{err}"
        );
    }
}
