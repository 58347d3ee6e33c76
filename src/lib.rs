//! Support for this workspace's tests and examples: a client on Amazon's DynamoDB Local and a
//! fresh table for each test.
//!
//! The endpoint is `DYNAMODB_ENDPOINT` when it is set (`scripts/test` starts one DynamoDB Local
//! for the whole suite; `docker compose up -d` gives `http://localhost:8000`). Otherwise the first
//! use starts one with `scripts/dynamodb-local`, which stops it again when this process exits.
//! When neither works, the test fails and says how to get DynamoDB Local: it never passes
//! without it.

pub mod faults;

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::Client;
use dynamo_entity::{Table, TableSchema};

/// The endpoint of the DynamoDB Local this process uses, started on first use if needed.
pub fn endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| match std::env::var("DYNAMODB_ENDPOINT") {
        Ok(endpoint) if !endpoint.is_empty() => endpoint,
        _ => start_dynamodb_local(),
    })
}

fn start_dynamodb_local() -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/dynamodb-local");
    let output = Command::new("bash")
        .arg(script)
        .arg("start")
        .env("DYNAMODB_LOCAL_PARENT", std::process::id().to_string())
        .stderr(Stdio::inherit())
        .output();
    match output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        Ok(out) => panic!(
            "DynamoDB Local could not be started ({script} exited with {}). Tests need it: \
             install Java 17+ and npm so the script can run it, or start one yourself \
             (`docker compose up -d`) and set DYNAMODB_ENDPOINT=http://localhost:8000",
            out.status
        ),
        Err(e) => panic!("cannot run {script}: {e}; set DYNAMODB_ENDPOINT to a DynamoDB Local"),
    }
}

/// A client on DynamoDB Local. Make one per test: a client belongs to the async runtime it
/// was first used on.
pub fn client() -> Client {
    Client::from_conf(config().build())
}

/// The client configuration for DynamoDB Local, to extend (see [`faults`]).
pub fn config() -> aws_sdk_dynamodb::config::Builder {
    aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint())
        .credentials_provider(Credentials::new(
            "local",
            "local",
            None,
            None,
            "dynamodb-local",
        ))
}

/// A table name no other test in this run uses.
pub fn unique_table_name(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}-{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A new, empty table with `schema`, on its own, so tests can run in parallel.
pub async fn fresh_table(schema: TableSchema) -> Table {
    let table =
        Table::new(client(), unique_table_name("test"), schema).unwrap_or_else(|e| panic!("{e}"));
    table
        .create_table()
        .await
        .unwrap_or_else(|e| panic!("creating table {} on {}: {e}", table.name(), endpoint()));
    table
}

/// The item stored under `key`, as it is (read consistently with the SDK, not the library).
pub async fn raw_item(table: &Table, key: &dynamo_entity::Key) -> Option<dynamo_entity::Item> {
    use aws_sdk_dynamodb::types::AttributeValue;
    let schema = table.schema();
    let mut request = table
        .client()
        .get_item()
        .table_name(table.name())
        .consistent_read(true)
        .key(&schema.partition_key, AttributeValue::S(key.pk.clone()));
    if let (Some(name), Some(sk)) = (&schema.sort_key, &key.sk) {
        request = request.key(name, AttributeValue::S(sk.clone()));
    }
    let output = request.send().await.expect("GetItem on DynamoDB Local");
    output.item.filter(|item| !item.is_empty())
}

/// A string attribute value, for expected items.
pub fn s(value: &str) -> aws_sdk_dynamodb::types::AttributeValue {
    aws_sdk_dynamodb::types::AttributeValue::S(value.to_owned())
}

/// An item from its attributes, for comparing stored items with expected ones.
pub fn item(pairs: Vec<(&str, aws_sdk_dynamodb::types::AttributeValue)>) -> dynamo_entity::Item {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// A time `days` ahead of the real one, at the start of a minute, for an example's or a test's
/// table clock. DynamoDB Local deletes items whose TTL has passed by the real clock; with the
/// table's clock ahead of it, items the application sees expire are still stored, as in
/// DynamoDB before its background deletion, and every run reads the same items.
pub fn clock_ahead(days: u64) -> SystemTime {
    let ahead = SystemTime::now() + std::time::Duration::from_secs(days * 86_400);
    let seconds = ahead.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    UNIX_EPOCH + std::time::Duration::from_secs(seconds - seconds % 60)
}

/// What each access pattern of an example returned and cost, printed as a table.
#[derive(Default)]
pub struct CostTable(Vec<(String, String, dynamo_entity::Cost)>);

impl CostTable {
    /// Notes a pattern: its result and what the metered `table` it ran on cost.
    pub fn note(&mut self, pattern: &str, result: impl Into<String>, table: &Table) {
        self.0
            .push((pattern.to_owned(), result.into(), table.cost()));
    }

    /// Prints the table: pattern, result, requests, RCU, WCU.
    pub fn print(&self) {
        println!("\n| pattern | result | requests | RCU | WCU |\n|---|---|---|---|---|");
        for (pattern, result, cost) in &self.0 {
            println!(
                "| {pattern} | {result} | {} | {} | {} |",
                cost.requests, cost.read_units, cost.write_units
            );
        }
    }
}
