//! Batch writes: puts and deletes of any entities, in requests of 25, several at a time.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::operation::batch_write_item::builders::BatchWriteItemInputBuilder;
use aws_sdk_dynamodb::types::{DeleteRequest, PutRequest, WriteRequest};
use futures::StreamExt;

use super::{
    batch_options, drive, key_of, refused, Again, ChunkOutcome, Control, Options, WRITE_CHUNK,
};
use crate::codec::limits::check_item;
use crate::error::{Error, InvalidRequestKind, Result};
use crate::item::{Item, Key};
use crate::model::entity::Entity;
use crate::runtime::clock::timestamp_text;
use crate::runtime::execute::About;
use crate::runtime::table::Table;

impl Table {
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
        let build = |e: aws_sdk_dynamodb::error::BuildError| {
            Error::invalid(InvalidRequestKind::Argument, e.to_string())
        };
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

/// Refuses a batch write of `E` when another entity may hold items under its keys: a batch
/// cannot check the type of the item it replaces or deletes.
fn unshared<E: Entity>(table: &Table) -> Result<()> {
    match table.schema.key_sharer(&E::SCHEMA) {
        None => Ok(()),
        Some(other) => Err(Error::invalid(
            InvalidRequestKind::NeedsRead,
            format!(
                "{} shares its keys with {other}, and a batch cannot check which of them a key \
                 holds; write it with put or delete (or in a transaction), which do",
                E::ENTITY_TYPE
            ),
        )),
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
            unshared::<E>(self.table)?;
            if schema.version.is_some() || schema.attributes.iter().any(|a| a.unique) {
                return Err(Error::invalid(
                    InvalidRequestKind::NeedsRead,
                    format!(
                        "{} has a version field or unique values, which a batch write cannot \
                         check; write it with put or in a transaction",
                        schema.entity_type
                    ),
                ));
            }
            let mut item = entity.to_item()?;
            if let Some(attribute) = schema.updated_at {
                let now = timestamp_text(self.table.now());
                item.insert(attribute.to_owned(), schema.managed_time(attribute, &now));
            }
            schema.check_key_sizes(&item)?;
            check_item(schema.entity_type, &item)?;
            // The key as stored in the item, rather than built a second time.
            let key = key_of(self.table, &item).ok_or_else(|| {
                Error::invalid(
                    InvalidRequestKind::Argument,
                    format!(
                        "{} has no string key attributes in its item",
                        schema.entity_type
                    ),
                )
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
        } else if let Err(e) = unshared::<E>(self.table) {
            Err(e)
        } else if !E::SCHEMA.is_primary_key(&key) {
            Err(Error::invalid(
                InvalidRequestKind::NotInSchema,
                format!(
                    "{key} is not a key of {}; a batch cannot check what it deletes",
                    E::ENTITY_TYPE
                ),
            ))
        } else if E::SCHEMA.attributes.iter().any(|a| a.unique) {
            Err(Error::invalid(
                InvalidRequestKind::NeedsRead,
                format!(
                    "{} has unique values, whose guards a batch cannot release; delete it \
                     with delete",
                    E::ENTITY_TYPE
                ),
            ))
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
            return Err(Error::invalid(
                InvalidRequestKind::Duplicate,
                format!(
                    "{} {} is written twice in one batch",
                    twice.entity, twice.key
                ),
            ));
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
        let request = BatchWriteItemInputBuilder::default().request_items(&*table.name, requests);
        let output = table
            .execute(About::many(), request)
            .await
            .map_err(refused)?;
        // Match what DynamoDB left back to our writes, by key (unique within a batch).
        let unprocessed = output
            .unprocessed_items
            .and_then(|mut u| u.remove(&*table.name))
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
