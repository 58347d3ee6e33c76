//! Every call ends in bounded time: against a DynamoDB Local that is frozen (SIGSTOP: it accepts
//! connections and never answers), against a server that is not there at all, and for scans of
//! absurdly many segments.

use std::process::Command;
use std::time::Duration;

use dynamo_entity::{Entity, Error, Table, TableSchema, Timeouts};
use dynamo_entity_suite::{client, config, fresh_table};
use futures::StreamExt;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "THING#<id>"]
#[sk = "THING"]
pub struct Thing {
    pub id: u32,
    pub label: String,
}

fn schema() -> TableSchema {
    TableSchema::new().entity::<Thing>().unwrap()
}

fn things(n: u32) -> Vec<Thing> {
    (0..n)
        .map(|id| Thing {
            id,
            label: format!("thing {id}"),
        })
        .collect()
}

/// A DynamoDB Local of this test's own, frozen with SIGSTOP once its table exists; killed when
/// dropped.
struct Frozen {
    pid: String,
    endpoint: String,
}

impl Frozen {
    fn start() -> Frozen {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/dynamodb-local");
        let out = Command::new("bash")
            .arg(script)
            .arg("start")
            .env("DYNAMODB_LOCAL_PARENT", std::process::id().to_string())
            .output()
            .expect("run scripts/dynamodb-local");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let endpoint = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let port = endpoint.rsplit(':').next().unwrap().to_owned();
        let cache = std::env::var("DYNAMODB_LOCAL_CACHE").unwrap_or_else(|_| {
            let base = std::env::var("XDG_CACHE_HOME")
                .unwrap_or_else(|_| format!("{}/.cache", std::env::var("HOME").unwrap()));
            format!("{base}/dynamo-entity")
        });
        let pid = std::fs::read_to_string(format!("{cache}/run/{port}.pid"))
            .expect("the emulator's pid file")
            .trim()
            .to_owned();
        Frozen { pid, endpoint }
    }

    fn freeze(&self) {
        let status = Command::new("kill").args(["-STOP", &self.pid]).status();
        assert!(status.unwrap().success());
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-KILL", &self.pid]).status();
    }
}

const SHORT: Timeouts = Timeouts {
    attempt: Duration::from_millis(300),
    operation: Duration::from_secs(1),
};

#[tokio::test]
async fn a_frozen_server_cannot_hang_a_call() {
    let frozen = Frozen::start();
    let client =
        aws_sdk_dynamodb::Client::from_conf(config().endpoint_url(&frozen.endpoint).build());
    let table = Table::new(client, "frozen", schema()).unwrap();
    table.create_table().await.unwrap();
    // Written with the default timeouts: a JVM that just started can take a while to answer.
    table.put(&things(1)[0]).await.unwrap();
    let table = table.with_timeouts(SHORT);
    assert_eq!(table.timeouts(), Some(SHORT));
    frozen.freeze();

    // Each call ends, in error, within its operation timeout; the outer timeout only keeps a
    // regression from hanging the suite.
    let bound = Duration::from_secs(60);
    let get = tokio::time::timeout(bound, table.get::<Thing>(Thing::primary_key(0u32).unwrap()))
        .await
        .expect("get ended");
    match get.unwrap_err() {
        Error::Request(e) => assert_eq!(e.operation, "GetItem"),
        other => panic!("expected a request error, got {other:?}"),
    }

    let items = things(200);
    let mut batch = table
        .batch_write()
        .max_attempts(3)
        .deadline(Duration::from_secs(3));
    for thing in &items {
        batch = batch.put(thing);
    }
    let done = tokio::time::timeout(bound, batch.send())
        .await
        .expect("batch_write ended")
        .unwrap();
    // Nothing was written, and nothing is lost: every write comes back to be sent again.
    assert_eq!(done.written, 0);
    assert_eq!(done.unprocessed.len(), 200);
    assert!(
        done.errors
            .iter()
            .any(|e| matches!(e, Error::Stopped { .. })),
        "{:?}",
        done.errors
    );
}

#[tokio::test]
async fn a_batch_stops_early_when_the_server_is_unreachable() {
    // A port with nothing listening: every connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = aws_sdk_dynamodb::Client::from_conf(
        config()
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .build(),
    );
    let table = Table::new(client, "nowhere", schema()).unwrap().metered();
    let items = things(20_000);
    let mut batch = table.batch_write();
    for thing in &items {
        batch = batch.put(thing);
    }
    let done = batch.send().await.unwrap();
    assert_eq!(done.written, 0);
    assert_eq!(done.unprocessed.len(), 20_000);
    let stopped: Vec<_> = done
        .errors
        .iter()
        .filter_map(|e| match e {
            Error::Stopped { reason, .. } => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(stopped, ["DynamoDB did not answer 4 requests in a row"]);
    // 800 chunks of 25 used to be sent 8 times each (6,400 requests, minutes of backoff). Now
    // the batch stops after the first requests in flight (4 at a time) fail.
    let requests = table.cost().requests;
    assert!(requests <= 8, "{requests} requests");

    // The same for reads.
    let keys = (0..5_000u32).map(|id| Thing::primary_key(id).unwrap());
    let read = table.batch_get::<Thing>(keys).send().await.unwrap();
    assert_eq!(read.unprocessed.len(), 5_000);
    assert!(read
        .errors
        .iter()
        .any(|e| matches!(e, Error::Stopped { .. })));
}

#[tokio::test]
async fn a_batch_returns_what_its_deadline_left_undone() {
    let table = fresh_table(schema()).await;
    let items = things(500);
    let mut batch = table.batch_write().deadline(Duration::ZERO);
    for thing in &items {
        batch = batch.put(thing);
    }
    let done = batch.send().await.unwrap();
    assert_eq!(done.written, 0);
    assert_eq!(done.unprocessed.len(), 500);
    assert_eq!(
        done.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["BatchWriteItem stopped: its deadline passed; what was not done is returned as unprocessed"]
    );
}

#[test]
fn default_timeouts_fill_in_what_the_client_leaves_unset() {
    let table = Table::new(client(), "defaults", schema()).unwrap();
    assert_eq!(table.timeouts(), Some(Timeouts::DEFAULT));

    // The client's own choice is kept.
    let theirs = aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .operation_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(2))
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config().timeout_config(theirs).build());
    let table = Table::new(client, "theirs", schema()).unwrap();
    assert_eq!(
        table.timeouts(),
        Some(Timeouts {
            attempt: Duration::from_secs(2),
            operation: Duration::from_secs(5),
        })
    );
    // And a table's own setting is over both.
    assert_eq!(table.with_timeouts(SHORT).timeouts(), Some(SHORT));
}

#[test]
fn invalid_table_names_are_refused() {
    for (name, problem) in [
        ("ab", "it has 2 characters; DynamoDB allows 3 to 255"),
        (
            "pets prod",
            "' ' is not allowed (only a-z, A-Z, 0-9, `_`, `-` and `.`)",
        ),
        (
            "pets/prod",
            "'/' is not allowed (only a-z, A-Z, 0-9, `_`, `-` and `.`)",
        ),
    ] {
        let err = Table::new(client(), name, schema()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid request: invalid table name `{name}`: {problem}")
        );
    }
    let long = "t".repeat(256);
    assert!(Table::new(client(), long, schema()).is_err());
    Table::new(client(), "pets-prod_v2.1", schema()).unwrap();
}

#[tokio::test]
async fn a_scan_of_a_million_segments_reads_a_few_at_a_time() {
    let table = fresh_table(schema()).await;
    let mut batch = table.batch_write();
    for thing in &things(20) {
        batch = batch.put(thing);
    }
    batch.send().await.unwrap();
    let scan = table.metered();
    let mut pages = Box::pin(
        scan.scan_for_migration::<Thing>()
            .segments(u32::MAX)
            .concurrency(4)
            .pages(),
    );
    pages.next().await.unwrap().unwrap();
    // Dropping the stream abandons the segments not read.
    drop(pages);
    // One page read; at most the other segments in flight beside it had answered.
    let requests = scan.cost().requests;
    assert!((1..=4).contains(&requests), "{requests} requests");
}
