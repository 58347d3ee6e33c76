//! The library against hand-written aws-sdk-dynamodb code, on DynamoDB Local, alternating in
//! one run: bulk writes and gets, a query of one partition, sequential gets, puts and updates,
//! and updates of an index's inputs. For each pattern it checks first that both sides read and
//! write the same items with the same number of requests, then times them.
//!
//! * `cargo bench --bench requests`: the full run (10,000 items in bulk, a 2,000-item query,
//!   300 sequential operations of each kind, 5 alternating rounds); BENCHMARKS.md records it.
//! * As a test (`cargo test --all-targets`, which `scripts/test` runs): a small run, for its
//!   checks.
//!
//! The library side counts its requests on a plain handle, which does not ask DynamoDB for
//! consumed capacity (a `metered()` one would, and that costs DynamoDB Local time).
//!
//! The hand-written side is what a careful person writes: keys with `format!`, items built and
//! read field by field, `BatchWriteItem` in chunks of 25 and `BatchGetItem` in chunks of 100
//! with 4 requests in flight and unprocessed items resent, a `Query` loop over
//! `LastEvaluatedKey`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, PutRequest, ReturnValue, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use dynamo_entity::{Entity, Item, Key, Table, TableSchema};
use futures::StreamExt;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "DEVICE#<device>"]
#[sk = "READING#<seq>"]
#[gsi1(pk = "ZONE#<zone>", sk = "LEVEL#<level>")]
struct Reading {
    device: String,
    seq: u32,
    zone: String,
    level: u32,
    note: String,
    value: f64,
}

fn reading(device: &str, seq: u32) -> Reading {
    Reading {
        device: device.to_owned(),
        seq,
        zone: format!("zone-{}", seq % 7),
        level: seq % 100,
        note: format!("reading {seq} of {device}: nominal, calibrated, within tolerance"),
        value: f64::from(seq) * 0.25,
    }
}

/// The hand-written item: what `to_item` must also produce.
fn hand_item(r: &Reading) -> Item {
    let mut item = HashMap::with_capacity(10);
    let s = AttributeValue::S;
    item.insert("PK".to_owned(), s(format!("DEVICE#{}", r.device)));
    item.insert("SK".to_owned(), s(format!("READING#{:010}", r.seq)));
    item.insert("GSI1PK".to_owned(), s(format!("ZONE#{}", r.zone)));
    item.insert("GSI1SK".to_owned(), s(format!("LEVEL#{:010}", r.level)));
    item.insert("Type".to_owned(), s("Reading".to_owned()));
    item.insert("device".to_owned(), s(r.device.clone()));
    item.insert("seq".to_owned(), AttributeValue::N(r.seq.to_string()));
    item.insert("zone".to_owned(), s(r.zone.clone()));
    item.insert("level".to_owned(), AttributeValue::N(r.level.to_string()));
    item.insert("note".to_owned(), s(r.note.clone()));
    item.insert("value".to_owned(), AttributeValue::N(r.value.to_string()));
    item
}

fn hand_read(mut item: Item) -> Reading {
    let mut s = |name: &str| match item.remove(name) {
        Some(AttributeValue::S(v)) => v,
        other => panic!("{name}: {other:?}"),
    };
    let (device, zone, note) = (s("device"), s("zone"), s("note"));
    let mut n = |name: &str| match item.remove(name) {
        Some(AttributeValue::N(v)) => v,
        other => panic!("{name}: {other:?}"),
    };
    Reading {
        device,
        seq: n("seq").parse().unwrap(),
        zone,
        level: n("level").parse().unwrap(),
        note,
        value: n("value").parse().unwrap(),
    }
}

fn hand_key(device: &str, seq: u32) -> Item {
    HashMap::from([
        (
            "PK".to_owned(),
            AttributeValue::S(format!("DEVICE#{device}")),
        ),
        (
            "SK".to_owned(),
            AttributeValue::S(format!("READING#{seq:010}")),
        ),
    ])
}

/// The hand-written side's request counter.
#[derive(Default)]
struct Hand {
    requests: std::sync::atomic::AtomicU64,
}

impl Hand {
    fn count(&self) {
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn requests(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn bulk_write(&self, client: &Client, table: &str, items: &[Reading]) {
        let chunks = items.chunks(25).map(|chunk| async move {
            let mut pending: Vec<WriteRequest> = chunk
                .iter()
                .map(|r| {
                    let put = PutRequest::builder()
                        .set_item(Some(hand_item(r)))
                        .build()
                        .unwrap();
                    WriteRequest::builder().put_request(put).build()
                })
                .collect();
            while !pending.is_empty() {
                self.count();
                let out = client
                    .batch_write_item()
                    .request_items(table, pending)
                    .send()
                    .await
                    .unwrap();
                pending = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(table))
                    .unwrap_or_default();
            }
        });
        futures::stream::iter(chunks)
            .buffer_unordered(4)
            .collect::<Vec<()>>()
            .await;
    }

    /// The same loop with the library's guarantee that a request which fails loses nothing:
    /// it keeps each chunk's items and sends copies, so that they are still at hand to send
    /// again or to return.
    async fn bulk_write_keeping(&self, client: &Client, table: &str, items: &[Reading]) {
        let chunks = items.chunks(25).map(|chunk| async move {
            let mut pending: Vec<Item> = chunk.iter().map(hand_item).collect();
            while !pending.is_empty() {
                self.count();
                let copies = pending.iter().map(|item| {
                    let put = PutRequest::builder().set_item(Some(item.clone()));
                    WriteRequest::builder()
                        .put_request(put.build().unwrap())
                        .build()
                });
                let unprocessed = client
                    .batch_write_item()
                    .request_items(table, copies.collect())
                    .send()
                    .await
                    .unwrap()
                    .unprocessed_items;
                pending = unprocessed
                    .and_then(|mut u| u.remove(table))
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|w| w.put_request.map(|put| put.item))
                    .collect();
            }
        });
        futures::stream::iter(chunks)
            .buffer_unordered(4)
            .collect::<Vec<()>>()
            .await;
    }

    async fn bulk_get(&self, client: &Client, table: &str, keys: &[Item]) -> Vec<Reading> {
        let chunks = keys.chunks(100).map(|chunk| async move {
            let mut pending = chunk.to_vec();
            let mut found = Vec::new();
            while !pending.is_empty() {
                self.count();
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(pending))
                    .build()
                    .unwrap();
                let mut out = client
                    .batch_get_item()
                    .request_items(table, request)
                    .send()
                    .await
                    .unwrap();
                let items = out
                    .responses
                    .as_mut()
                    .and_then(|r| r.remove(table))
                    .unwrap_or_default();
                found.extend(items.into_iter().map(hand_read));
                pending = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(table))
                    .map(|k| k.keys)
                    .unwrap_or_default();
            }
            found
        });
        futures::stream::iter(chunks)
            .buffer_unordered(4)
            .collect::<Vec<Vec<Reading>>>()
            .await
            .concat()
    }

    async fn query(&self, client: &Client, table: &str, device: &str) -> Vec<Reading> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            self.count();
            let out = client
                .query()
                .table_name(table)
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :sk)")
                .expression_attribute_names("#pk", "PK")
                .expression_attribute_names("#sk", "SK")
                .expression_attribute_values(":pk", AttributeValue::S(format!("DEVICE#{device}")))
                .expression_attribute_values(":sk", AttributeValue::S("READING#".to_owned()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .unwrap();
            found.extend(out.items.unwrap_or_default().into_iter().map(hand_read));
            start = out.last_evaluated_key;
            if start.is_none() {
                return found;
            }
        }
    }

    async fn get(&self, client: &Client, table: &str, device: &str, seq: u32) -> Reading {
        self.count();
        let out = client
            .get_item()
            .table_name(table)
            .set_key(Some(hand_key(device, seq)))
            .send()
            .await
            .unwrap();
        hand_read(out.item.unwrap())
    }

    async fn put(&self, client: &Client, table: &str, r: &Reading) {
        self.count();
        client
            .put_item()
            .table_name(table)
            .set_item(Some(hand_item(r)))
            .send()
            .await
            .unwrap();
    }

    /// A put with the condition the library's `put` has: the key is free or holds a `Reading`.
    async fn put_own(&self, client: &Client, table: &str, r: &Reading) {
        self.count();
        client
            .put_item()
            .table_name(table)
            .set_item(Some(hand_item(r)))
            .condition_expression("attribute_not_exists(#pk) OR #type = :type")
            .expression_attribute_names("#pk", "PK")
            .expression_attribute_names("#type", "Type")
            .expression_attribute_values(":type", AttributeValue::S("Reading".to_owned()))
            .send()
            .await
            .unwrap();
    }

    async fn update_note(&self, client: &Client, table: &str, r: &Reading, note: &str) -> Reading {
        self.count();
        let out = client
            .update_item()
            .table_name(table)
            .set_key(Some(hand_key(&r.device, r.seq)))
            .update_expression("SET #note = :note")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#note", "note")
            .expression_attribute_names("#pk", "PK")
            .expression_attribute_values(":note", AttributeValue::S(note.to_owned()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .unwrap();
        hand_read(out.attributes.unwrap())
    }

    async fn update_index(
        &self,
        client: &Client,
        table: &str,
        r: &Reading,
        zone: &str,
        level: u32,
    ) -> Reading {
        self.count();
        let out = client
            .update_item()
            .table_name(table)
            .set_key(Some(hand_key(&r.device, r.seq)))
            .update_expression("SET #zone = :zone, #level = :level, #g1pk = :g1pk, #g1sk = :g1sk")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#zone", "zone")
            .expression_attribute_names("#level", "level")
            .expression_attribute_names("#g1pk", "GSI1PK")
            .expression_attribute_names("#g1sk", "GSI1SK")
            .expression_attribute_names("#pk", "PK")
            .expression_attribute_values(":zone", AttributeValue::S(zone.to_owned()))
            .expression_attribute_values(":level", AttributeValue::N(level.to_string()))
            .expression_attribute_values(":g1pk", AttributeValue::S(format!("ZONE#{zone}")))
            .expression_attribute_values(":g1sk", AttributeValue::S(format!("LEVEL#{level:010}")))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .unwrap();
        hand_read(out.attributes.unwrap())
    }
}

struct Scale {
    bulk: u32,
    query: u32,
    sequential: u32,
    rounds: usize,
}

/// Process CPU time, in nanoseconds: the time every thread of the process has run, from
/// `/proc/self/task/*/schedstat` on Linux (the threads of a multi-threaded runtime live as
/// long as the process); zero elsewhere. Fine-grained where `/proc/self/stat`'s ticks are
/// 10 ms.
fn cpu_time() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let nanos: u64 = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

/// Median of a few durations.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

struct Row {
    pattern: String,
    library: Duration,
    hand: Duration,
    requests: (u64, u64),
    cpu_per_item: Option<(Duration, Duration)>,
}

/// Runs `library` and `hand` alternately `rounds` times each; each returns the requests it
/// made. Both must make the same number of requests.
async fn measure<L, H, LF, HF>(
    pattern: &str,
    items: u32,
    rounds: usize,
    mut library: L,
    mut hand: H,
) -> Row
where
    L: FnMut(usize) -> LF,
    H: FnMut(usize) -> HF,
    LF: std::future::Future<Output = u64>,
    HF: std::future::Future<Output = u64>,
{
    let (mut lib_times, mut hand_times, mut lib_cpu, mut hand_cpu) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut requests = (0, 0);
    for round in 0..rounds {
        let (cpu, start) = (cpu_time(), Instant::now());
        requests.0 = library(round).await;
        lib_times.push(start.elapsed());
        lib_cpu.push(cpu_time().saturating_sub(cpu));
        let (cpu, start) = (cpu_time(), Instant::now());
        requests.1 = hand(round).await;
        hand_times.push(start.elapsed());
        hand_cpu.push(cpu_time().saturating_sub(cpu));
    }
    assert_eq!(
        requests.0, requests.1,
        "{pattern}: the library made {} requests, the hand-written code {}",
        requests.0, requests.1
    );
    let per_item = |cpu: Vec<Duration>| median(cpu) / items.max(1);
    Row {
        pattern: pattern.to_owned(),
        library: median(lib_times),
        hand: median(hand_times),
        requests,
        cpu_per_item: (items >= 100).then(|| (per_item(lib_cpu), per_item(hand_cpu))),
    }
}

async fn run(scale: Scale) -> Vec<Row> {
    let client = dynamo_entity_suite::client();
    let table = Table::new(
        client.clone(),
        dynamo_entity_suite::unique_table_name("bench"),
        TableSchema::new().entity::<Reading>().unwrap(),
    )
    .unwrap()
    // A release build against DynamoDB Local, on purpose: no production-config warning.
    .with_custom_endpoint_intended();
    table.create_table().await.unwrap();
    let name = table.name().to_owned();
    let hand = Hand::default();
    let (client, name, hand) = (&client, name.as_str(), &hand);

    // Same items, same keys, same decoding on both sides.
    let sample = reading("d0", 7);
    assert_eq!(sample.to_item().unwrap(), hand_item(&sample));
    assert_eq!(hand_read(hand_item(&sample)), sample);

    let bulk: Vec<Reading> = (0..scale.bulk).map(|i| reading("bulk", i)).collect();
    let keys: Vec<Key> = bulk.iter().map(|r| r.key().unwrap()).collect();
    let hand_keys: Vec<Item> = bulk.iter().map(|r| hand_key(&r.device, r.seq)).collect();
    let (table, bulk, keys, hand_keys) = (&table, &bulk, &keys, &hand_keys);
    let mut rows = Vec::new();

    let library_batch_write = move |_| async move {
        let before = table.cost().requests;
        let mut batch = table.batch_write();
        for r in bulk {
            batch = batch.put(r);
        }
        let done = batch.send().await.unwrap();
        assert!(done.unprocessed.is_empty() && done.errors.is_empty());
        table.cost().requests - before
    };
    // Against the plain loop, and against one with the library's guarantee (a failed request
    // loses nothing), which copies each item into its request.
    for keeping in [false, true] {
        let label = if keeping {
            ", hand-written keeping copies for failed requests"
        } else {
            ""
        };
        rows.push(
            measure(
                &format!("batch_write of {} items{label}", scale.bulk),
                scale.bulk,
                scale.rounds,
                library_batch_write,
                move |_| async move {
                    let before = hand.requests();
                    if keeping {
                        hand.bulk_write_keeping(client, name, bulk).await;
                    } else {
                        hand.bulk_write(client, name, bulk).await;
                    }
                    hand.requests() - before
                },
            )
            .await,
        );
    }

    rows.push(
        measure(
            &format!("batch_get of {} items", scale.bulk),
            scale.bulk,
            scale.rounds,
            move |_| async move {
                let before = table.cost().requests;
                let got = table
                    .batch_get::<Reading>(keys.iter().cloned())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(got.items.len(), bulk.len());
                table.cost().requests - before
            },
            move |_| async move {
                let before = hand.requests();
                let got = hand.bulk_get(client, name, hand_keys).await;
                assert_eq!(got.len(), bulk.len());
                hand.requests() - before
            },
        )
        .await,
    );

    let partition: Vec<Reading> = (0..scale.query).map(|i| reading("query", i)).collect();
    let mut batch = table.batch_write();
    for r in &partition {
        batch = batch.put(r);
    }
    batch.send().await.unwrap();
    let partition = &partition;
    rows.push(
        measure(
            &format!("query of {} items", scale.query),
            scale.query,
            scale.rounds,
            move |_| async move {
                let before = table.cost().requests;
                let found = table
                    .query(Reading::query("query").unwrap())
                    .all()
                    .await
                    .unwrap();
                assert_eq!(&found, partition);
                table.cost().requests - before
            },
            move |_| async move {
                let before = hand.requests();
                let found = hand.query(client, name, "query").await;
                assert_eq!(&found, partition);
                hand.requests() - before
            },
        )
        .await,
    );

    let n = scale.sequential.min(scale.bulk);
    rows.push(
        measure(
            &format!("{n} sequential gets"),
            n,
            scale.rounds,
            move |_| async move {
                let before = table.cost().requests;
                for r in &bulk[..n as usize] {
                    let got = table.get::<Reading>(r.key().unwrap()).await.unwrap();
                    assert_eq!(got.as_ref(), Some(r));
                }
                table.cost().requests - before
            },
            move |_| async move {
                let before = hand.requests();
                for r in &bulk[..n as usize] {
                    assert_eq!(&hand.get(client, name, &r.device, r.seq).await, r);
                }
                hand.requests() - before
            },
        )
        .await,
    );

    // The library's side of both put patterns: the hand-written side differs.
    let library_puts = move |_| async move {
        let before = table.cost().requests;
        for r in &bulk[..n as usize] {
            table.put(r).await.unwrap();
        }
        table.cost().requests - before
    };
    rows.push(
        measure(
            &format!("{n} sequential puts"),
            n,
            scale.rounds,
            library_puts,
            move |_| async move {
                let before = hand.requests();
                for r in &bulk[..n as usize] {
                    hand.put(client, name, r).await;
                }
                hand.requests() - before
            },
        )
        .await,
    );

    rows.push(
        measure(
            &format!("{n} sequential puts, hand-written with the library's type condition"),
            n,
            scale.rounds,
            library_puts,
            move |_| async move {
                let before = hand.requests();
                for r in &bulk[..n as usize] {
                    hand.put_own(client, name, r).await;
                }
                hand.requests() - before
            },
        )
        .await,
    );

    let f = Reading::fields();
    rows.push(
        measure(
            &format!("{n} sequential updates"),
            n,
            scale.rounds,
            move |round| async move {
                let before = table.cost().requests;
                for r in &bulk[..n as usize] {
                    let note = format!("library round {round}");
                    let updated = table
                        .update::<Reading>(r.key().unwrap())
                        .set(f.note, note.clone())
                        .await
                        .unwrap();
                    assert_eq!(updated.note, note);
                }
                table.cost().requests - before
            },
            move |round| async move {
                let before = hand.requests();
                for r in &bulk[..n as usize] {
                    let note = format!("hand round {round}");
                    let updated = hand.update_note(client, name, r, &note).await;
                    assert_eq!(updated.note, note);
                }
                hand.requests() - before
            },
        )
        .await,
    );

    rows.push(
        measure(
            &format!("{n} updates of an index's inputs"),
            n,
            scale.rounds,
            move |round| async move {
                let before = table.cost().requests;
                for r in &bulk[..n as usize] {
                    let zone = format!("lib-{round}");
                    let updated = table
                        .update::<Reading>(r.key().unwrap())
                        .set(f.zone, zone.clone())
                        .set(f.level, r.seq)
                        .await
                        .unwrap();
                    assert_eq!(updated.zone, zone);
                }
                table.cost().requests - before
            },
            move |round| async move {
                let before = hand.requests();
                for r in &bulk[..n as usize] {
                    let zone = format!("hand-{round}");
                    let updated = hand.update_index(client, name, r, &zone, r.seq).await;
                    assert_eq!(updated.zone, zone);
                }
                hand.requests() - before
            },
        )
        .await,
    );
    // The index keys the library wrote are the ones the hand-written update writes.
    let stored = table
        .query(Reading::query_gsi1("hand-".to_owned() + &(scale.rounds - 1).to_string()).unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(stored.len(), n as usize);
    rows
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let scale = if full {
        Scale {
            bulk: 10_000,
            query: 2_000,
            sequential: 300,
            rounds: 5,
        }
    } else {
        Scale {
            bulk: 300,
            query: 120,
            sequential: 10,
            rounds: 1,
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let rows = runtime.block_on(run(scale));
    println!("| pattern | library | hand-written | library / hand | requests | CPU per item (library / hand) |");
    println!("|---|---|---|---|---|---|");
    for row in rows {
        let ratio = row.library.as_secs_f64() / row.hand.as_secs_f64();
        let cpu = row.cpu_per_item.map_or_else(
            || "".to_owned(),
            |(lib, hand)| {
                let micros = |d: Duration| d.as_secs_f64() * 1e6;
                format!(
                    "{:.1} µs / {:.1} µs (**{:.2}**)",
                    micros(lib),
                    micros(hand),
                    micros(lib) / micros(hand).max(f64::MIN_POSITIVE)
                )
            },
        );
        println!(
            "| {} | {:.1} ms | {:.1} ms | **{ratio:.2}** | {} / {} | {cpu} |",
            row.pattern,
            row.library.as_secs_f64() * 1e3,
            row.hand.as_secs_f64() * 1e3,
            row.requests.0,
            row.requests.1,
        );
    }
}
