//! Batch reads and writes: chunked, deduplicated, concurrent, retried; what is not done is
//! returned, never dropped.

use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest,
};
use futures::StreamExt;

use crate::attribute::is_expired;
use crate::cost::Capacity;
use crate::{clock, Entity, Error, Item, Key, Result, Table};

/// DynamoDB's limits per request.
const GET_CHUNK: usize = 100;
const WRITE_CHUNK: usize = 25;
const DEFAULT_CONCURRENCY: usize = 4;
const DEFAULT_ATTEMPTS: u32 = 8;
const DEFAULT_DEADLINE: Duration = Duration::from_secs(300);

/// Whether a failed request may succeed when sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Again {
    /// No: a malformed request, an access error.
    No,
    /// Yes, after a pause: throttling, a server error.
    Later,
    /// Only if the server can be reached at all: the request got no answer (refused
    /// connection, timeout).
    IfReachable,
}

fn again<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> Again {
    match error {
        SdkError::ServiceError(_) => match error.code() {
            Some(
                "ProvisionedThroughputExceededException"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "InternalServerError"
                | "InternalFailure"
                | "ServiceUnavailable",
            ) => Again::Later,
            _ => Again::No,
        },
        SdkError::ResponseError(_) => Again::Later,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => Again::IfReachable,
        _ => Again::No,
    }
}

/// What all the chunks of one batch share: its deadline, and whether the server answers at all.
/// Once `UNREACHABLE_AFTER` requests in a row got no answer, or once the deadline has passed,
/// no chunk sends anything more, and everything not done is returned.
struct Control {
    deadline: Instant,
    unanswered: AtomicU32,
    stopped: Mutex<Option<String>>,
}

/// Requests in a row, across the batch, that got no answer before it stops.
const UNREACHABLE_AFTER: u32 = 4;

impl Control {
    fn new(deadline: Duration) -> Self {
        Control {
            deadline: Instant::now() + deadline,
            unanswered: AtomicU32::new(0),
            stopped: Mutex::new(None),
        }
    }

    fn stop(&self, reason: String) {
        let mut stopped = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        stopped.get_or_insert(reason);
    }

    /// Whether to send no more; records why the first time.
    fn should_stop(&self) -> bool {
        if Instant::now() >= self.deadline {
            self.stop("its deadline passed".to_owned());
        }
        self.stopped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    fn answered(&self, answered: bool) {
        if answered {
            self.unanswered.store(0, Ordering::Relaxed);
        } else if self.unanswered.fetch_add(1, Ordering::Relaxed) + 1 >= UNREACHABLE_AFTER {
            self.stop(format!(
                "DynamoDB did not answer {UNREACHABLE_AFTER} requests in a row"
            ));
        }
    }

    /// A pause, cut short at the deadline.
    async fn pause(&self, pause: Duration) {
        let left = self.deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(pause.min(left)).await;
    }

    /// The error that says why the batch stopped, if it did.
    fn error(self, operation: &'static str) -> Option<Error> {
        let reason = self
            .stopped
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())?;
        Some(Error::Stopped { operation, reason })
    }
}

/// The key of an item read back, from the table's key attributes.
fn key_of(table: &Table, item: &Item) -> Option<Key> {
    let text = |name: &str| match item.get(name) {
        Some(AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    };
    Some(Key {
        pk: text(&table.schema.partition_key)?,
        sk: match &table.schema.sort_key {
            Some(name) => Some(text(name)?),
            None => None,
        },
    })
}

/// Options shared by batch gets and writes.
#[derive(Debug, Clone, Copy)]
struct Options {
    concurrency: usize,
    max_attempts: u32,
    deadline: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            concurrency: DEFAULT_CONCURRENCY,
            max_attempts: DEFAULT_ATTEMPTS,
            deadline: DEFAULT_DEADLINE,
        }
    }
}

macro_rules! batch_options {
    () => {
        /// At most `n` requests in flight at once (default 4).
        pub fn concurrency(mut self, n: usize) -> Self {
            self.options.concurrency = n.max(1);
            self
        }

        /// Send a chunk's unprocessed part (or a throttled chunk) at most `n` times in all,
        /// pausing with exponential backoff and full jitter in between (default 8).
        pub fn max_attempts(mut self, n: u32) -> Self {
            self.options.max_attempts = n.max(1);
            self
        }

        /// Send nothing more once `deadline` has passed since [`send`](Self::send) was called
        /// (default 5 minutes); what is not done by then is returned as unprocessed, with an
        /// [`Error::Stopped`](crate::Error::Stopped). A request in flight at the deadline
        /// still ends within the table's [`Timeouts`](crate::Timeouts).
        pub fn deadline(mut self, deadline: Duration) -> Self {
            self.options.deadline = deadline;
            self
        }
    };
}

impl Table {
    /// Reads the entities with `keys`, any number of them: sent in requests of 100, each key
    /// once, several requests at a time; keys DynamoDB leaves unprocessed are asked for again
    /// with backoff. Keys still unread at the end are in [`BatchGetOutput::unprocessed`].
    pub fn batch_get<E: Entity>(&self, keys: impl IntoIterator<Item = Key>) -> BatchGet<'_, E> {
        let mut seen = HashSet::new();
        let keys = keys
            .into_iter()
            .filter(|k| seen.insert(k.clone()))
            .collect();
        BatchGet {
            table: self,
            keys,
            consistent: false,
            options: Options::default(),
            entity: PhantomData,
        }
    }

    /// Puts and deletes of any entities, any number of them: sent in requests of 25, several at
    /// a time; writes DynamoDB leaves unprocessed are sent again with backoff. Writes still
    /// not done at the end are in [`BatchWriteOutput::unprocessed`].
    ///
    /// A batch cannot be conditioned: entities with a `version` field or unique values are
    /// refused (use `put`, or a transaction).
    pub fn batch_write(&self) -> BatchWrite<'_> {
        BatchWrite {
            table: self,
            writes: Vec::new(),
            error: None,
            options: Options::default(),
        }
    }
}

/// What a batch get found.
#[derive(Debug)]
pub struct BatchGetOutput<E> {
    /// The entities found, by key.
    pub items: HashMap<Key, E>,
    /// Keys read with no item (or an expired one) under them.
    pub missing: Vec<Key>,
    /// Keys not read: still unprocessed after the last attempt, or in a request that failed.
    pub unprocessed: Vec<Key>,
    /// Keys whose item was read but is not an `E` (another entity type, or attributes that do
    /// not decode), each with the error that says why. The other keys' entities are kept.
    pub undecodable: Vec<(Key, Error)>,
    /// The errors of requests that failed for good (their keys are in `unprocessed`).
    pub errors: Vec<Error>,
}

/// A batch get read as projection `P` ([`BatchGet::project`]); call [`send`](Self::send).
#[must_use = "a batch does nothing until sent"]
pub struct ProjectedBatchGet<'t, P: crate::Projection> {
    batch: BatchGet<'t, P::Of>,
}

impl<P: crate::Projection> ProjectedBatchGet<'_, P> {
    /// Sends the batch: only `P`'s attributes are transferred.
    pub async fn send(self) -> Result<BatchGetOutput<P>> {
        self.batch
            .send_decoded(Some(P::ATTRIBUTES), P::from_item)
            .await
    }
}

/// A batch get; call [`send`](Self::send).
#[must_use = "a batch does nothing until sent"]
pub struct BatchGet<'t, E> {
    table: &'t Table,
    keys: Vec<Key>,
    consistent: bool,
    options: Options,
    entity: PhantomData<fn() -> E>,
}

/// One chunk's result: what was done, what is left (of what was pending), and the error that
/// stopped it, if one did.
struct ChunkOutcome<T, D = T> {
    done: Vec<D>,
    left: Vec<T>,
    error: Option<Error>,
}

/// What one attempt at a chunk did: what it finished and what it left pending; or why it
/// failed, and whether sending again may help.
type Attempt<T, D> = std::result::Result<(Vec<D>, Vec<T>), (Error, Again)>;

/// Sends a chunk until nothing is pending, the attempts run out or the batch stops, pausing
/// with exponential backoff and full jitter between attempts.
async fn drive<T, D, F, Fut>(
    mut pending: Vec<T>,
    max_attempts: u32,
    control: &Control,
    mut attempt_once: F,
) -> ChunkOutcome<T, D>
where
    T: Clone,
    F: FnMut(Vec<T>) -> Fut,
    Fut: std::future::Future<Output = Attempt<T, D>>,
{
    let mut done = Vec::new();
    for attempt in 1..=max_attempts {
        if control.should_stop() {
            break;
        }
        match attempt_once(pending.clone()).await {
            Ok((finished, left)) => {
                control.answered(true);
                done.extend(finished);
                pending = left;
            }
            Err((error, again)) => {
                control.answered(again != Again::IfReachable);
                if again == Again::No || attempt == max_attempts || control.should_stop() {
                    return ChunkOutcome {
                        done,
                        left: pending,
                        error: Some(error),
                    };
                }
            }
        }
        if pending.is_empty() {
            break;
        }
        if attempt < max_attempts {
            control.pause(clock::jittered_backoff(attempt)).await;
        }
    }
    ChunkOutcome {
        done,
        left: pending,
        error: None,
    }
}

impl<'t, E: Entity> BatchGet<'t, E> {
    batch_options!();

    /// Read with strong consistency.
    pub fn consistent_read(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Sends the batch.
    pub async fn send(self) -> Result<BatchGetOutput<E>> {
        self.send_decoded(None, E::from_item).await
    }

    /// The same batch, reading only the attributes of projection `P` of the entity.
    pub fn project<P: crate::Projection<Of = E>>(self) -> ProjectedBatchGet<'t, P> {
        ProjectedBatchGet { batch: self }
    }

    /// Sends the batch, reading `projection`'s attributes (all when `None`), each item
    /// decoded by `decode`.
    async fn send_decoded<T>(
        self,
        projection: Option<&[&'static str]>,
        decode: fn(Item) -> Result<T>,
    ) -> Result<BatchGetOutput<T>> {
        let chunks: Vec<Vec<Key>> = self.keys.chunks(GET_CHUNK).map(<[Key]>::to_vec).collect();
        let control = Control::new(self.options.deadline);
        let outcomes: Vec<ChunkOutcome<Item, Item>> = futures::stream::iter(chunks)
            .map(|chunk| self.get_chunk(chunk, projection, &control))
            .buffer_unordered(self.options.concurrency)
            .collect()
            .await;
        let now = self.table.read_now();
        let mut output = BatchGetOutput {
            items: HashMap::new(),
            missing: Vec::new(),
            unprocessed: Vec::new(),
            undecodable: Vec::new(),
            errors: Vec::new(),
        };
        for outcome in outcomes {
            for item in outcome.done {
                let Some(key) = key_of(self.table, &item) else {
                    continue;
                };
                if is_expired(&item, E::SCHEMA.ttl, now) {
                    continue;
                }
                match decode(item) {
                    Ok(entity) => {
                        output.items.insert(key, entity);
                    }
                    Err(error) => output.undecodable.push((key, error)),
                }
            }
            output
                .unprocessed
                .extend(outcome.left.iter().filter_map(|k| key_of(self.table, k)));
            output.errors.extend(outcome.error);
        }
        output.errors.extend(control.error("BatchGetItem"));
        // Every key was found, found undecodable, left unprocessed, or read with nothing (live)
        // under it.
        let mut accounted: HashSet<&Key> = output.unprocessed.iter().collect();
        accounted.extend(output.undecodable.iter().map(|(key, _)| key));
        let missing = self
            .keys
            .iter()
            .filter(|k| !output.items.contains_key(*k) && !accounted.contains(k))
            .cloned()
            .collect();
        output.missing = missing;
        Ok(output)
    }

    async fn get_chunk(
        &self,
        chunk: Vec<Key>,
        projection: Option<&[&'static str]>,
        control: &Control,
    ) -> ChunkOutcome<Item, Item> {
        let table = self.table;
        let keys: Vec<Item> = chunk.iter().map(|k| table.schema.key_item(k)).collect();
        drive(
            keys,
            self.options.max_attempts,
            control,
            |pending| async move {
                let keys_sent = if table.is_recording() {
                    pending.clone()
                } else {
                    Vec::new()
                };
                let mut request = KeysAndAttributes::builder()
                    .set_keys(Some(pending))
                    .consistent_read(self.consistent);
                if let Some(attributes) = projection {
                    let (expression, names) = crate::read::projection_expression(
                        table,
                        crate::Index::Primary,
                        attributes,
                        E::SCHEMA.ttl,
                    );
                    request = request
                        .projection_expression(expression)
                        .set_expression_attribute_names(Some(names));
                }
                let request = request
                    .build()
                    .map_err(|e| (Error::InvalidRequest(e.to_string()), Again::No))?;
                let result = table
                    .client
                    .batch_get_item()
                    .request_items(&table.name, request)
                    .set_return_consumed_capacity(table.consumed_capacity())
                    .send();
                let span = table.span("BatchGetItem", Some(E::ENTITY_TYPE), None);
                let result = table.sent(Capacity::Read, &span, result).await;
                table.record("BatchGetItem", &result, |event, output| {
                    event.entity = Some(E::ENTITY_TYPE.to_owned());
                    let found = output
                        .and_then(|o| o.responses.as_ref())
                        .and_then(|r| r.get(&table.name));
                    event.observe_items(table, found.map_or(&[], Vec::as_slice));
                    for key in &keys_sent {
                        event.target(
                            "BatchGetItem",
                            crate::Index::Primary,
                            table.partition_of(key),
                        );
                    }
                });
                let mut output = result.map_err(|e| {
                    let again = again(&e);
                    (crate::request_error("BatchGetItem", e), again)
                })?;
                let found = output
                    .responses
                    .as_mut()
                    .and_then(|r| r.remove(&table.name))
                    .unwrap_or_default();
                span.record("items", found.len());
                let left = output
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&table.name))
                    .map(|k| k.keys)
                    .unwrap_or_default();
                Ok((found, left))
            },
        )
        .await
    }
}

/// A write of a batch: a put (with its item) or a delete, of one entity's key.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingWrite {
    /// The entity type.
    pub entity: &'static str,
    /// The item's primary key.
    pub key: Key,
    /// The item to put, or `None` for a delete.
    pub put: Option<Item>,
}

impl PendingWrite {
    fn request(&self, table: &Table) -> Result<WriteRequest> {
        let build = |e: aws_sdk_dynamodb::error::BuildError| Error::InvalidRequest(e.to_string());
        Ok(match &self.put {
            Some(item) => WriteRequest::builder()
                .put_request(
                    PutRequest::builder()
                        .set_item(Some(item.clone()))
                        .build()
                        .map_err(build)?,
                )
                .build(),
            None => WriteRequest::builder()
                .delete_request(
                    DeleteRequest::builder()
                        .set_key(Some(table.schema.key_item(&self.key)))
                        .build()
                        .map_err(build)?,
                )
                .build(),
        })
    }
}

/// What a batch write did.
#[derive(Debug)]
pub struct BatchWriteOutput {
    /// Writes DynamoDB accepted.
    pub written: usize,
    /// Writes not done: still unprocessed after the last attempt, or in a request that failed.
    pub unprocessed: Vec<PendingWrite>,
    /// The errors of requests that failed for good (their writes are in `unprocessed`).
    pub errors: Vec<Error>,
}

/// A batch write; add puts and deletes, then [`send`](Self::send).
#[must_use = "a batch does nothing until sent"]
pub struct BatchWrite<'t> {
    table: &'t Table,
    writes: Vec<PendingWrite>,
    /// The first mistake made while building; reported by `send`, before anything is sent.
    error: Option<Error>,
    options: Options,
}

impl BatchWrite<'_> {
    batch_options!();

    fn push(&mut self, write: Result<PendingWrite>) {
        match write {
            Ok(write) => self.writes.push(write),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }

    /// Adds a put of `entity` (its `updated_at` set to now).
    ///
    /// A batch cannot be conditioned, so `E` must be an entity of the table's schema, which
    /// refuses entities whose keys could collide: the put can only replace an `E`.
    pub fn put<E: Entity>(mut self, entity: &E) -> Self {
        let write = (|| {
            let schema = E::SCHEMA;
            self.table.schema.registered(&schema)?;
            if schema.version.is_some() || schema.attributes.iter().any(|a| a.unique) {
                return Err(Error::InvalidRequest(format!(
                    "{} has a version field or unique values, which a batch write cannot \
                     check; write it with put or in a transaction",
                    schema.entity_type
                )));
            }
            let mut item = entity.to_item()?;
            if let Some(attribute) = schema.updated_at {
                let now = clock::timestamp_text(self.table.now());
                item.insert(attribute.to_owned(), schema.managed_time(attribute, &now));
            }
            crate::write::check_key_sizes(&schema, &item)?;
            crate::limits::check_item(schema.entity_type, &item)?;
            // The key as stored in the item, rather than built a second time.
            let key = key_of(self.table, &item).ok_or_else(|| {
                Error::InvalidRequest(format!(
                    "{} has no string key attributes in its item",
                    schema.entity_type
                ))
            })?;
            Ok(PendingWrite {
                entity: schema.entity_type,
                key,
                put: Some(item),
            })
        })();
        self.push(write);
        self
    }

    /// Adds a delete of the `E` with `key`.
    ///
    /// A batch cannot be conditioned, so `E` must be an entity of the table's schema and `key`
    /// one of its keys (checked against its templates): as the schema refuses entities whose
    /// keys could collide, the delete can only remove an `E`.
    pub fn delete<E: Entity>(mut self, key: Key) -> Self {
        let write = if let Err(e) = self.table.schema.registered(&E::SCHEMA) {
            Err(e)
        } else if !E::SCHEMA.is_primary_key(&key) {
            Err(Error::InvalidRequest(format!(
                "{key} is not a key of {}; a batch cannot check what it deletes",
                E::ENTITY_TYPE
            )))
        } else if E::SCHEMA.attributes.iter().any(|a| a.unique) {
            Err(Error::InvalidRequest(format!(
                "{} has unique values, whose guards a batch cannot release; delete it with \
                 delete",
                E::ENTITY_TYPE
            )))
        } else {
            Ok(PendingWrite {
                entity: E::ENTITY_TYPE,
                key,
                put: None,
            })
        };
        self.push(write);
        self
    }

    /// Sends the batch.
    pub async fn send(self) -> Result<BatchWriteOutput> {
        if let Some(error) = self.error {
            return Err(error);
        }
        // DynamoDB refuses two writes to one key in one request, and across requests their
        // order is not kept: which would win is undefined, so neither is sent. Checked here,
        // once, by reference: no key is copied.
        let mut keys = HashSet::with_capacity(self.writes.len());
        if let Some(twice) = self.writes.iter().find(|w| !keys.insert(&w.key)) {
            return Err(Error::InvalidRequest(format!(
                "{} {} is written twice in one batch",
                twice.entity, twice.key
            )));
        }
        // The writes move into their chunks: no item is copied here.
        let mut writes = self.writes.into_iter();
        let chunks: Vec<Vec<PendingWrite>> = std::iter::from_fn(|| {
            let chunk: Vec<PendingWrite> = writes.by_ref().take(WRITE_CHUNK).collect();
            (!chunk.is_empty()).then_some(chunk)
        })
        .collect();
        let table = self.table;
        let options = self.options;
        let control = Control::new(options.deadline);
        let outcomes: Vec<ChunkOutcome<PendingWrite>> = futures::stream::iter(chunks)
            .map(|chunk| write_chunk(table, options, &control, chunk))
            .buffer_unordered(options.concurrency)
            .collect()
            .await;
        let mut output = BatchWriteOutput {
            written: 0,
            unprocessed: Vec::new(),
            errors: Vec::new(),
        };
        for outcome in outcomes {
            output.written += outcome.done.len();
            output.unprocessed.extend(outcome.left);
            output.errors.extend(outcome.error);
        }
        output.errors.extend(control.error("BatchWriteItem"));
        Ok(output)
    }
}

async fn write_chunk(
    table: &Table,
    options: Options,
    control: &Control,
    chunk: Vec<PendingWrite>,
) -> ChunkOutcome<PendingWrite> {
    // Shared, so that an attempt's list of what is pending costs no copy of the items. The
    // first attempt copies each item into its request, keeping the original so that a request
    // that fails loses nothing; what DynamoDB leaves unprocessed comes back in its response,
    // whole, and is sent again as it came, with no second copy. Only an attempt after a failed
    // request copies again (that request, and its items, are gone).
    let chunk: Vec<Arc<PendingWrite>> = chunk.into_iter().map(Arc::new).collect();
    let returned: Mutex<Option<Vec<WriteRequest>>> = Mutex::new(None);
    let returned = &returned;
    let outcome = drive(chunk, options.max_attempts, control, |pending| async move {
        // Set only when they were exactly the writes now pending (below).
        let carried = returned.lock().unwrap_or_else(|e| e.into_inner()).take();
        let requests = match carried {
            Some(requests) => requests,
            None => pending
                .iter()
                .map(|w| w.request(table))
                .collect::<Result<Vec<_>>>()
                .map_err(|e| (e, Again::No))?,
        };
        let targets = table
            .is_recording()
            .then(|| crate::design::write_targets(table, &requests));
        let result = table
            .client
            .batch_write_item()
            .request_items(&table.name, requests)
            .set_return_consumed_capacity(table.consumed_capacity())
            .send();
        let span = table.span("BatchWriteItem", None, None);
        let result = table.sent(Capacity::Write, &span, result).await;
        table.record("BatchWriteItem", &result, |event, _| {
            event.targets = targets.unwrap_or_default();
        });
        let output = result.map_err(|e| {
            let again = again(&e);
            (crate::request_error("BatchWriteItem", e), again)
        })?;
        // Match what DynamoDB left back to our writes, by key (unique within a batch).
        let unprocessed = output
            .unprocessed_items
            .and_then(|mut u| u.remove(&table.name))
            .unwrap_or_default();
        let left: HashSet<Key> = unprocessed
            .iter()
            .filter_map(|w| match (&w.put_request, &w.delete_request) {
                (Some(put), _) => key_of(table, &put.item),
                (_, Some(delete)) => key_of(table, &delete.key),
                _ => None,
            })
            .collect();
        let (retry, accepted): (Vec<_>, Vec<_>) =
            pending.into_iter().partition(|w| left.contains(&w.key));
        // Sent again as they came only if they are exactly the writes left pending.
        if unprocessed.len() == retry.len() && left.len() == retry.len() {
            *returned.lock().unwrap_or_else(|e| e.into_inner()) = Some(unprocessed);
        }
        Ok((accepted, retry))
    })
    .await;
    let unshare = |w: Arc<PendingWrite>| Arc::try_unwrap(w).unwrap_or_else(|w| (*w).clone());
    ChunkOutcome {
        done: outcome.done.into_iter().map(unshare).collect(),
        left: outcome.left.into_iter().map(unshare).collect(),
        error: outcome.error,
    }
}
