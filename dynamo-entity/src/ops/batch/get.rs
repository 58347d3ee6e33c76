//! Batch gets: any number of keys, in requests of 100, several at a time.

use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;
use std::sync::Arc;

use aws_sdk_dynamodb::operation::batch_get_item::builders::BatchGetItemInputBuilder;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use futures::StreamExt;

use super::{
    batch_options, drive, key_of, refused, Again, ChunkOutcome, Control, Options, GET_CHUNK,
};
use crate::codec::ttl::is_expired;
use crate::error::{Error, InvalidRequestKind, Result};
use crate::expr::projection::projection as projection_paths;
use crate::expr::render::{Expressions, Rendered};
use crate::item::{Item, Key};
use crate::model::entity::Entity;
use crate::model::index::Index;
use crate::model::projection::Projection;
use crate::runtime::execute::About;
use crate::runtime::table::Table;

impl Table {
    /// Reads the entities with `keys`, any number of them: sent in requests of 100, each key
    /// once, several requests at a time; keys DynamoDB leaves unprocessed are asked for again
    /// with backoff. Keys still unread at the end are in [`BatchGetOutput::unprocessed`].
    pub fn batch_get<E: Entity>(&self, keys: impl IntoIterator<Item = Key>) -> BatchGet<'_, E> {
        let mut keys: Vec<Key> = keys.into_iter().collect();
        // Each key once, in the order given, without copying any.
        let first: Vec<bool> = {
            let mut seen = HashSet::with_capacity(keys.len());
            keys.iter().map(|k| seen.insert(k)).collect()
        };
        let mut first = first.into_iter();
        keys.retain(|_| first.next().unwrap_or(false));
        BatchGet {
            table: self,
            keys,
            consistent: false,
            options: Options::default(),
            entity: PhantomData,
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
pub struct ProjectedBatchGet<'t, P: Projection> {
    batch: BatchGet<'t, P::Of>,
}

impl<P: Projection> ProjectedBatchGet<'_, P> {
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
    pub fn project<P: Projection<Of = E>>(self) -> ProjectedBatchGet<'t, P> {
        ProjectedBatchGet { batch: self }
    }

    /// Sends the batch, reading `projection`'s attributes (all when `None`), each item
    /// decoded by `decode`.
    async fn send_decoded<T>(
        mut self,
        projection: Option<&[&'static str]>,
        decode: fn(Item) -> Result<T>,
    ) -> Result<BatchGetOutput<T>> {
        // Shared, so that a chunk's pending keys are kept for a retry or a report without
        // copying them.
        let keys: Vec<Arc<Key>> = std::mem::take(&mut self.keys)
            .into_iter()
            .map(Arc::new)
            .collect();
        let chunks: Vec<Vec<Arc<Key>>> = keys.chunks(GET_CHUNK).map(<[_]>::to_vec).collect();
        let control = Control::new(self.options.deadline);
        // One projection for every request of the batch.
        let projection = Expressions {
            projection: projection
                .map(|attributes| {
                    projection_paths(
                        &self.table.schema,
                        Index::Primary,
                        attributes,
                        E::SCHEMA.ttl,
                    )
                })
                .unwrap_or_default(),
            ..Expressions::default()
        }
        .render();
        let outcomes: Vec<ChunkOutcome<Arc<Key>, Item>> = futures::stream::iter(chunks)
            .map(|chunk| self.get_chunk(chunk, &projection, &control))
            .buffer_unordered(self.options.concurrency)
            .collect()
            .await;
        let now = self.table.read_now();
        let mut output = BatchGetOutput {
            items: HashMap::with_capacity(keys.len()),
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
                .extend(outcome.left.into_iter().map(Arc::unwrap_or_clone));
            output.errors.extend(outcome.error);
        }
        output.errors.extend(control.error("BatchGetItem"));
        // Every key was found, found undecodable, left unprocessed, or read with nothing (live)
        // under it. When the first three account for every key, none is missing: the usual
        // case needs no lookups.
        let accounted_for =
            output.items.len() + output.unprocessed.len() + output.undecodable.len();
        let missing = if accounted_for == keys.len() {
            Vec::new()
        } else {
            let mut accounted: HashSet<&Key> = output.unprocessed.iter().collect();
            accounted.extend(output.undecodable.iter().map(|(key, _)| key));
            keys.iter()
                .filter(|k| !output.items.contains_key(&***k) && !accounted.contains(&***k))
                .map(|k| Key::clone(k))
                .collect()
        };
        output.missing = missing;
        Ok(output)
    }

    async fn get_chunk(
        &self,
        chunk: Vec<Arc<Key>>,
        projection: &Rendered,
        control: &Control,
    ) -> ChunkOutcome<Arc<Key>, Item> {
        let table = self.table;
        drive(
            chunk,
            self.options.max_attempts,
            control,
            |pending: Vec<Arc<Key>>| async move {
                let keys = pending.iter().map(|k| table.schema.key_item(k)).collect();
                let request = batch_get_input(table, keys, self.consistent, projection)
                    .map_err(|e| (e, Again::No))?;
                let mut output = table
                    .execute(About::entity(E::ENTITY_TYPE), request)
                    .await
                    .map_err(refused)?;
                let found = output
                    .responses
                    .as_mut()
                    .and_then(|r| r.remove(&*table.name))
                    .unwrap_or_default();
                let unprocessed = output
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&*table.name))
                    .map(|k| k.keys)
                    .unwrap_or_default();
                if unprocessed.is_empty() {
                    return Ok((found, Vec::new()));
                }
                // The keys DynamoDB left, as the keys asked for.
                let left: HashSet<Key> = unprocessed
                    .iter()
                    .filter_map(|item| key_of(table, item))
                    .collect();
                let left = pending
                    .into_iter()
                    .filter(|k| left.contains(&**k))
                    .collect();
                Ok((found, left))
            },
        )
        .await
    }
}

/// The `BatchGetItem` of `keys`, reading what `projection` names (everything when it names
/// nothing).
fn batch_get_input(
    table: &Table,
    keys: Vec<Item>,
    consistent: bool,
    projection: &Rendered,
) -> Result<BatchGetItemInputBuilder> {
    let request = KeysAndAttributes::builder()
        .set_keys(Some(keys))
        .consistent_read(consistent)
        .set_projection_expression(projection.projection.clone())
        .set_expression_attribute_names(projection.names.clone())
        .build()
        .map_err(|e| Error::invalid(InvalidRequestKind::Argument, e.to_string()))?;
    Ok(BatchGetItemInputBuilder::default().request_items(&*table.name, request))
}

#[cfg(test)]
mod tests {
    use super::batch_get_input;
    use crate::expr::path::Path;
    use crate::expr::render::Expressions;
    use crate::ops::testing::*;

    #[test]
    fn one_projection_for_every_key_of_a_chunk() {
        let table = table();
        let keys = vec![key_item("USER#a", "PET#1"), key_item("USER#b", "PET#2")];
        let projection = Expressions {
            projection: vec![Path::top("name")],
            ..Expressions::default()
        }
        .render();
        let input = batch_get_input(&table, keys.clone(), true, &projection).unwrap();
        let request = &input.get_request_items().as_ref().unwrap()["pets"];
        assert_eq!(request.keys(), keys);
        assert_eq!(request.consistent_read(), Some(true));
        assert_eq!(request.projection_expression(), Some("#n0"));
        let whole = batch_get_input(&table, keys, false, &Default::default()).unwrap();
        let request = &whole.get_request_items().as_ref().unwrap()["pets"];
        assert_eq!(request.projection_expression(), None);
        assert_eq!(request.expression_attribute_names(), None);
    }
}
