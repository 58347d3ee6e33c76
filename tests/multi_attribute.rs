//! Multi-attribute GSI keys (DynamoDB since November 2025; DynamoDB Local since 3.3.0, and the
//! scripts install 3.3.1): an index keyed by the items' own typed attributes, with no synthetic
//! key attribute, queried attribute by attribute in the order the compiler enforces.

use aws_sdk_dynamodb::types::{AttributeValue, KeyType, ScalarAttributeType};
use dynamo_entity::{Entity, TableLayout, TableSchema};
use dynamo_entity_suite::{fresh_table, raw_item, s};

#[derive(TableLayout)]
#[dynamo(partition_key = "PK", sort_key = "SK")]
#[dynamo(gsi(ByTournament: partition_key = ["TournamentId", "Region"], sort_key = ["Round", "Bracket"]))]
struct Esports;

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = Esports)]
#[pk = "MATCH#<match_id>"]
#[sk = "MATCH"]
#[index(ByTournament: pk = [tournament, region], sk = [round, bracket])]
struct Match {
    #[dynamo(rename = "MatchId")]
    match_id: String,
    #[dynamo(rename = "TournamentId")]
    tournament: String,
    #[dynamo(rename = "Region")]
    region: String,
    #[dynamo(rename = "Round")]
    round: u32,
    /// Not drawn yet: the match is not in the index.
    #[dynamo(rename = "Bracket")]
    bracket: Option<String>,
}

fn schedule() -> Vec<Match> {
    let mut matches = Vec::new();
    for (n, (region, round, bracket)) in [
        ("NA-EAST", 1, Some("UPPER")),
        ("NA-EAST", 1, Some("LOWER")),
        ("NA-EAST", 2, Some("UPPER")),
        ("NA-EAST", 2, Some("LOWER")),
        ("NA-EAST", 3, Some("UPPER")),
        ("NA-EAST", 3, None),
        ("EU-WEST", 1, Some("UPPER")),
    ]
    .into_iter()
    .enumerate()
    {
        matches.push(Match {
            match_id: format!("m{n}"),
            tournament: "WINTER2024".into(),
            region: region.into(),
            round,
            bracket: bracket.map(Into::into),
        });
    }
    matches
}

async fn table() -> dynamo_entity::Table {
    let table = fresh_table(TableSchema::of::<Esports>().entity::<Match>().unwrap()).await;
    for m in schedule() {
        table.create(&m).await.unwrap();
    }
    table
}

fn ids(matches: &[Match]) -> Vec<&str> {
    matches.iter().map(|m| m.match_id.as_str()).collect()
}

#[tokio::test]
async fn the_index_is_created_on_the_items_own_typed_attributes() {
    let table = table().await;
    let described = table
        .client()
        .describe_table()
        .table_name(table.name())
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let index = &described.global_secondary_indexes()[0];
    let keys: Vec<(&str, &KeyType)> = index
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type()))
        .collect();
    assert_eq!(
        keys,
        [
            ("TournamentId", &KeyType::Hash),
            ("Region", &KeyType::Hash),
            ("Round", &KeyType::Range),
            ("Bracket", &KeyType::Range),
        ]
    );
    let round = described
        .attribute_definitions()
        .iter()
        .find(|d| d.attribute_name() == "Round")
        .unwrap();
    assert_eq!(round.attribute_type(), &ScalarAttributeType::N);

    // No synthetic key attribute: the item holds its own attributes and the table's keys.
    let stored = raw_item(&table, &Match::primary_key("m0").unwrap())
        .await
        .unwrap();
    let mut names: Vec<&str> = stored.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Bracket",
            "MatchId",
            "PK",
            "Region",
            "Round",
            "SK",
            "TournamentId",
            "Type"
        ]
    );
    assert_eq!(stored["Round"], AttributeValue::N("1".into()));
    assert_eq!(stored["Region"], s("NA-EAST"));
}

#[tokio::test]
async fn queries_take_the_attributes_in_order() {
    let table = table().await;
    let metered = table.metered();
    let tournament = || Match::query_by_tournament("WINTER2024", "NA-EAST").unwrap();

    // The partition: every match there that has all four attributes, by round then bracket.
    let all = metered.query(tournament()).all().await.unwrap();
    assert_eq!(
        ids(&all),
        ["m1", "m0", "m3", "m2", "m4"],
        "m5 has no bracket yet"
    );
    // One round.
    let second = metered
        .query(tournament().round(2u32).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(ids(&second), ["m3", "m2"]);
    // One round and bracket.
    let final_upper = metered
        .query(tournament().round(3u32).unwrap().bracket("UPPER").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(ids(&final_upper), ["m4"]);
    // A range on the last attribute given.
    let late = metered
        .query(tournament().round_ge(2u32).unwrap())
        .descending()
        .all()
        .await
        .unwrap();
    assert_eq!(ids(&late), ["m4", "m2", "m3"]);
    let early = metered
        .query(tournament().round_between(1u32, 2u32).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(early.len(), 4);
    let lower = metered
        .query(tournament().round(1u32).unwrap().bracket_begins_with("LOW"))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(&lower), ["m1"]);
    // Another partition.
    let europe = metered
        .query(Match::query_by_tournament("WINTER2024", "EU-WEST").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(ids(&europe), ["m6"]);
    assert_eq!(metered.cost().requests, 7);
}

#[tokio::test]
async fn an_update_moves_an_item_in_the_index_without_deriving_a_key() {
    let table = table().await;
    let f = Match::fields();
    let metered = table.metered();
    // m5 is drawn into the lower bracket, m0 advances to round 2: one UpdateItem each, no
    // read, no key attribute written; DynamoDB indexes the attributes themselves.
    metered
        .update::<Match>(Match::primary_key("m5").unwrap())
        .set(f.bracket, Some("LOWER".to_owned()))
        .send()
        .await
        .unwrap();
    metered
        .update::<Match>(Match::primary_key("m0").unwrap())
        .set(f.round, 2)
        .send()
        .await
        .unwrap();
    assert_eq!(metered.cost().requests, 2);
    let third = table
        .query(
            Match::query_by_tournament("WINTER2024", "NA-EAST")
                .unwrap()
                .round(3u32)
                .unwrap(),
        )
        .all()
        .await
        .unwrap();
    assert_eq!(ids(&third), ["m5", "m4"]);
    let second = table
        .query(
            Match::query_by_tournament("WINTER2024", "NA-EAST")
                .unwrap()
                .round(2u32)
                .unwrap()
                .bracket("UPPER")
                .unwrap(),
        )
        .all()
        .await
        .unwrap();
    assert_eq!(ids(&second), ["m0", "m2"]);
}

/// The design review of a multi-attribute index: typed attribute definitions and a key schema
/// of several attributes in CloudFormation, Terraform (`key_schema` blocks) and the CDK
/// (`partitionKeys`, `sortKeys`). Committed under `tests/designs/multi-attribute/` and
/// validated by CI (`scripts/validate-design`).
#[tokio::test]
async fn the_design_of_a_multi_attribute_index_is_current() {
    use dynamo_entity::design::{Design, Recorder};
    let table = table().await;
    let recorder = Recorder::new();
    let table = table.recorded_by(&recorder);
    table
        .pattern("a tournament's matches in a region, from a round on")
        .query(
            Match::query_by_tournament("WINTER2024", "NA-EAST")
                .unwrap()
                .round_ge(2u32)
                .unwrap(),
        )
        .all()
        .await
        .unwrap();
    let design = Design::of("esports", &table).patterns(&recorder);
    design.assert_current(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/designs/multi-attribute"
    ));
    let report = design.markdown();
    assert!(
        report.contains("| ByTournament | `[TournamentId, Region]` | `[Round, Bracket]` | ALL |"),
        "{report}"
    );
    let cfn = design.cloudformation();
    assert!(
        cfn.contains("        - AttributeName: \"Round\"\n          AttributeType: N"),
        "{cfn}"
    );
    assert!(
        cfn.contains("            - AttributeName: \"Region\"\n              KeyType: HASH"),
        "{cfn}"
    );
    assert!(design.terraform().contains(
        "key_schema {\n      attribute_name = \"Bracket\"\n      key_type       = \"RANGE\""
    ));
    assert!(design.cdk().contains("partitionKeys: [{ name: \"TournamentId\", type: dynamodb.AttributeType.STRING }, { name: \"Region\", type: dynamodb.AttributeType.STRING }],"));
}

/// An index keyed by a number attribute pages like any other: its cursors carry the number
/// (issue 20, item 1), and it can be scanned.
#[tokio::test]
async fn a_query_pages_over_a_number_key_attribute_and_the_index_scans() {
    let table = table().await;
    let tournament = || Match::query_by_tournament("WINTER2024", "NA-EAST").unwrap();
    let mut seen = Vec::new();
    let mut page = table.query(tournament()).page_size(2).page().await.unwrap();
    let mut pages = 1;
    loop {
        seen.extend(page.items.iter().map(|m| m.match_id.clone()));
        let Some(cursor) = page.cursor.clone() else {
            break;
        };
        page = table
            .query(tournament())
            .page_size(2)
            .after(cursor)
            .page()
            .await
            .unwrap();
        pages += 1;
    }
    assert_eq!(seen, ["m1", "m0", "m3", "m2", "m4"]);
    assert!(pages >= 3, "{pages} pages of 2");
    let all = table.query(tournament()).page_size(2).all().await.unwrap();
    assert_eq!(ids(&all), ["m1", "m0", "m3", "m2", "m4"]);

    let mut scanned: Vec<String> = table
        .scan_index::<Match>(Match::BY_TOURNAMENT)
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.match_id)
        .collect();
    scanned.sort();
    assert_eq!(
        scanned,
        ["m0", "m1", "m2", "m3", "m4", "m6"],
        "m5 has no bracket"
    );
}
