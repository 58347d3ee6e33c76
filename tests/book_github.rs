//! *The DynamoDB Book*, chapter 21: GitHub's metadata. `PK`/`SK`, `GSI1` to `GSI4`, a `Type`
//! attribute; owner and repository names lower-cased in keys; issue numbers zero-padded to 7
//! digits, and open issues numbered `9999999 - n` so that the newest come first. Two keys depend
//! on data: a repository's `GSI2` key points at the repository it was forked from, and an
//! issue's `GSI4` sort key depends on its status; both are computed parts that updates re-derive.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeZone, Utc};
use dynamo_entity::{
    Collection, Entity, KeyFormat, Query, RawKey, SortKeyCondition, TableLayout, TableSchema,
};
use dynamo_entity_suite::{fresh_table, item, raw_item, s};

#[derive(TableLayout)]
#[dynamo(partition_key = "PK", sort_key = "SK")]
#[dynamo(gsi(GSI1: partition_key = "GSI1PK", sort_key = "GSI1SK"))]
#[dynamo(gsi(GSI2: partition_key = "GSI2PK", sort_key = "GSI2SK"))]
#[dynamo(gsi(GSI3: partition_key = "GSI3PK", sort_key = "GSI3SK"))]
#[dynamo(gsi(GSI4: partition_key = "GSI4PK", sort_key = "GSI4SK"))]
struct GitHubTable;

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = GitHubTable)]
#[dynamo(computed(source_owner: String, from(owner, fork_owner)))]
#[dynamo(computed(fork_key: RawKey, from(owner, name, fork_owner)))]
#[pk = "REPO#<owner:lower>#<name:lower>"]
#[sk = "REPO#<owner:lower>#<name:lower>"]
#[index(GSI1:
    pk = "REPO#<owner:lower>#<name:lower>",
    sk = "REPO#<owner:lower>#<name:lower>"
)]
#[index(GSI2: pk = "REPO#<source_owner:lower>#<name:lower>", sk = "<fork_key>")]
#[index(GSI3: pk = "ACCOUNT#<owner:lower>", sk = "#<updated_at:millis>")]
#[index(GSI4:
    pk = "REPO#<owner:lower>#<name:lower>",
    sk = "#REPO#<owner:lower>#<name:lower>"
)]
struct Repo {
    #[dynamo(rename = "OwnerName")]
    owner: String,
    #[dynamo(rename = "RepoName")]
    name: String,
    /// The owner of the repository this one was forked from.
    #[dynamo(rename = "ForkOwner")]
    fork_owner: Option<String>,
    #[dynamo(rename = "UpdatedAt", format = "millis")]
    updated_at: DateTime<Utc>,
}

impl Repo {
    /// A fork is filed under the repository it was forked from.
    fn source_owner(&self) -> String {
        self.fork_owner
            .clone()
            .unwrap_or_else(|| self.owner.clone())
    }

    /// The original repository sorts first (`#`), its forks after it by owner.
    fn fork_key(&self) -> RawKey {
        match &self.fork_owner {
            None => RawKey(format!(
                "#REPO#{}#{}",
                self.owner.to_lowercase(),
                self.name.to_lowercase()
            )),
            Some(_) => RawKey(format!("FORK#{}", self.owner.to_lowercase())),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
enum Status {
    Open,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = GitHubTable)]
#[dynamo(computed(status_key: RawKey, from(number, status)))]
#[pk = "REPO#<owner:lower>#<repo:lower>"]
#[sk = "ISSUE#<number:7>"]
#[index(GSI4: pk = "REPO#<owner:lower>#<repo:lower>", sk = "<status_key>")]
struct Issue {
    #[dynamo(rename = "OwnerName")]
    owner: String,
    #[dynamo(rename = "RepoName")]
    repo: String,
    #[dynamo(rename = "IssueNumber")]
    number: u32,
    #[dynamo(rename = "Title")]
    title: String,
    #[dynamo(rename = "Status", serde)]
    status: Status,
}

impl Issue {
    /// Open issues newest first (`ISSUE#OPEN#<9999999 - n>`), then closed ones oldest first,
    /// after the repository's own `#REPO#` item.
    fn status_key(&self) -> RawKey {
        let key = match self.status {
            Status::Open => KeyFormat::Inverted(Some(7))
                .format(&self.number)
                .map(|n| format!("ISSUE#OPEN#{n}")),
            Status::Closed => KeyFormat::Width(7)
                .format(&self.number)
                .map(|n| format!("#ISSUE#CLOSED#{n}")),
        };
        RawKey(key.unwrap_or_default())
    }
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = GitHubTable)]
#[pk = "ACCOUNT#<name:lower>"]
#[sk = "ACCOUNT#<name:lower>"]
#[index(GSI3: pk = "ACCOUNT#<name:lower>", sk = "ACCOUNT#<name:lower>")]
struct User {
    #[dynamo(rename = "Username")]
    name: String,
}

/// An account and its repositories, most recently updated first.
#[derive(Debug, PartialEq, Collection)]
#[dynamo(index = "gsi3")]
enum AccountAndRepos {
    User(User),
    Repo(Repo),
}

fn schema() -> TableSchema {
    TableSchema::of::<GitHubTable>()
        .entity::<Repo>()
        .and_then(|s| s.entity::<Issue>())
        .and_then(|s| s.entity::<User>())
        .unwrap()
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 2, day, 10, 0, 0).unwrap()
}

fn repo(owner: &str, fork_of: Option<&str>, day: u32) -> Repo {
    Repo {
        owner: owner.into(),
        name: "DynamoDB-Book".into(),
        fork_owner: fork_of.map(Into::into),
        updated_at: at(day),
    }
}

#[tokio::test]
async fn a_repository_and_its_forks_share_a_partition_of_gsi2() {
    let table = fresh_table(schema()).await;
    let original = repo("AlexDeBrie", None, 1);
    let forks = [
        repo("bob", Some("AlexDeBrie"), 2),
        repo("carol", Some("AlexDeBrie"), 3),
    ];
    table.create(&original).await.unwrap();
    for fork in &forks {
        table.create(fork).await.unwrap();
    }
    assert_eq!(
        raw_item(&table, &original.key().unwrap()).await.unwrap(),
        item(vec![
            ("PK", s("REPO#alexdebrie#dynamodb-book")),
            ("SK", s("REPO#alexdebrie#dynamodb-book")),
            ("GSI1PK", s("REPO#alexdebrie#dynamodb-book")),
            ("GSI1SK", s("REPO#alexdebrie#dynamodb-book")),
            ("GSI2PK", s("REPO#alexdebrie#dynamodb-book")),
            ("GSI2SK", s("#REPO#alexdebrie#dynamodb-book")),
            ("GSI3PK", s("ACCOUNT#alexdebrie")),
            ("GSI3SK", s("#2020-02-01T10:00:00.000Z")),
            ("GSI4PK", s("REPO#alexdebrie#dynamodb-book")),
            ("GSI4SK", s("#REPO#alexdebrie#dynamodb-book")),
            ("Type", s("Repo")),
            ("OwnerName", s("AlexDeBrie")),
            ("RepoName", s("DynamoDB-Book")),
            ("UpdatedAt", s("2020-02-01T10:00:00.000Z")),
        ])
    );
    let fork = raw_item(&table, &forks[0].key().unwrap()).await.unwrap();
    assert_eq!(fork["PK"], s("REPO#bob#dynamodb-book"));
    assert_eq!(fork["GSI2PK"], s("REPO#alexdebrie#dynamodb-book"));
    assert_eq!(fork["GSI2SK"], s("FORK#bob"));
    assert_eq!(fork["ForkOwner"], s("AlexDeBrie"));

    // The repository and its forks: one query, the original first.
    let metered = table.metered();
    let family = metered
        .query(Repo::query_gsi2("AlexDeBrie", "DynamoDB-Book").unwrap())
        .all()
        .await
        .unwrap();
    let owners: Vec<&str> = family.iter().map(|r| r.owner.as_str()).collect();
    assert_eq!(owners, ["AlexDeBrie", "bob", "carol"]);
    assert_eq!(metered.cost().requests, 1);
}

#[tokio::test]
async fn open_issues_come_newest_first_and_closing_one_moves_it() {
    let table = fresh_table(schema()).await;
    table.create(&repo("AlexDeBrie", None, 1)).await.unwrap();
    let issues: Vec<Issue> = [15u32, 16, 3]
        .into_iter()
        .map(|number| Issue {
            owner: "AlexDeBrie".into(),
            repo: "DynamoDB-Book".into(),
            number,
            title: format!("Issue {number}"),
            status: if number == 3 {
                Status::Closed
            } else {
                Status::Open
            },
        })
        .collect();
    for issue in &issues {
        table.create(issue).await.unwrap();
    }
    assert_eq!(
        raw_item(&table, &issues[0].key().unwrap()).await.unwrap(),
        item(vec![
            ("PK", s("REPO#alexdebrie#dynamodb-book")),
            ("SK", s("ISSUE#0000015")),
            ("GSI4PK", s("REPO#alexdebrie#dynamodb-book")),
            ("GSI4SK", s("ISSUE#OPEN#9999984")),
            ("Type", s("Issue")),
            ("OwnerName", s("AlexDeBrie")),
            ("RepoName", s("DynamoDB-Book")),
            ("IssueNumber", AttributeValue::N("15".into())),
            ("Title", s("Issue 15")),
            ("Status", s("Open")),
        ])
    );
    let closed = raw_item(&table, &issues[2].key().unwrap()).await.unwrap();
    assert_eq!(closed["GSI4SK"], s("#ISSUE#CLOSED#0000003"));

    let open = |table: dynamo_entity::Table| async move {
        let query = Query::from(Issue::query_gsi4("AlexDeBrie", "DynamoDB-Book").unwrap())
            .sort_key(SortKeyCondition::BeginsWith("ISSUE#OPEN#".into()));
        table
            .query(query)
            .all()
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.number)
            .collect::<Vec<_>>()
    };
    assert_eq!(open(table.clone()).await, [16, 15], "newest first");

    // Closing issue 16: its GSI4 key depends on the status, so the update reads it first.
    let metered = table.metered();
    metered
        .update::<Issue>(issues[1].key().unwrap())
        .set(Issue::fields().status, Status::Closed)
        .send()
        .await
        .unwrap();
    assert_eq!(metered.cost().requests, 2);
    let stored = raw_item(&table, &issues[1].key().unwrap()).await.unwrap();
    assert_eq!(stored["GSI4SK"], s("#ISSUE#CLOSED#0000016"));
    assert_eq!(open(table.clone()).await, [15]);
}

#[tokio::test]
async fn an_account_and_its_latest_repositories_are_one_query() {
    let table = fresh_table(schema()).await;
    let alex = User {
        name: "AlexDeBrie".into(),
    };
    table.create(&alex).await.unwrap();
    for (name, day) in [("one", 1), ("two", 5), ("three", 3)] {
        let mut r = repo("AlexDeBrie", None, day);
        r.name = name.into();
        table.create(&r).await.unwrap();
    }
    let metered = table.metered();
    let page = metered
        .query_collection::<AccountAndRepos, _>(User::query_gsi3("AlexDeBrie").unwrap())
        .descending()
        .all()
        .await
        .unwrap();
    let parts = AccountAndRepos::split(page.items);
    assert_eq!(parts.user, [alex]);
    let names: Vec<&str> = parts.repo.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["two", "three", "one"],
        "most recently updated first"
    );
    assert_eq!(metered.cost().requests, 1);
}
