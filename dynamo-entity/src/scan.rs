//! The one scan: for migrations and backfills (seed 003 §7.2), never for serving requests.

use std::marker::PhantomData;
use std::time::SystemTime;

use aws_sdk_dynamodb::types::AttributeValue;
use futures::{Stream, StreamExt};

use crate::attribute::is_expired;
use crate::cost::Capacity;
use crate::{clock, Entity, Item, Result, Table};

impl Table {
    /// Reads every item of entity `E` in the table, by scanning all of it in parallel segments.
    ///
    /// This is for migrations and backfills only: it reads (and pays for) the whole table,
    /// whatever it holds. Serve requests with queries, which name a partition.
    ///
    /// ```no_run
    /// # use dynamo_entity::{Entity, Table};
    /// # use futures::TryStreamExt;
    /// # #[derive(Entity)] #[pk = "USER#<owner>"] #[sk = "PET#<pet_id>"]
    /// # #[gsi1(pk = "SPECIES#<species>", sk = "PET#<pet_id>")]
    /// # struct Pet { owner: String, pet_id: String, species: String }
    /// # async fn backfill(table: &Table) -> dynamo_entity::Result<()> {
    /// // Pets written before GSI1 existed get its keys by being written again.
    /// let mut pages = std::pin::pin!(table.scan_for_migration::<Pet>().segments(8).pages());
    /// while let Some(pets) = pages.try_next().await? {
    ///     let mut batch = table.batch_write();
    ///     for pet in &pets {
    ///         batch = batch.put(pet);
    ///     }
    ///     let done = batch.send().await?;
    ///     assert!(done.unprocessed.is_empty());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn scan_for_migration<E: Entity>(&self) -> MigrationScan<'_, E> {
        MigrationScan {
            table: self,
            segments: 4,
            concurrency: 4,
            page_size: None,
            consistent: false,
            entity: PhantomData,
        }
    }
}

/// A migration scan; read it as a stream of [`pages`](Self::pages) or [`all`](Self::all).
#[must_use = "a scan does nothing until read"]
pub struct MigrationScan<'t, E> {
    table: &'t Table,
    segments: u32,
    concurrency: usize,
    page_size: Option<i32>,
    consistent: bool,
    entity: PhantomData<fn() -> E>,
}

/// DynamoDB's limit on `TotalSegments`.
const MAX_SEGMENTS: u32 = 1_000_000;

impl<'t, E: Entity + Send + 't> MigrationScan<'t, E> {
    /// Scan in `n` segments (default 4; DynamoDB allows 1 to 1,000,000, and `n` is clamped
    /// to that). At most [`concurrency`](Self::concurrency) of them are read at once.
    pub fn segments(mut self, n: u32) -> Self {
        self.segments = n.clamp(1, MAX_SEGMENTS);
        self
    }

    /// Read at most `n` segments at once (default 4): each has one request in flight.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// At most `n` items read per request.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(i32::try_from(n).unwrap_or(i32::MAX).max(1));
        self
    }

    /// Strongly consistent reads.
    pub fn consistent_read(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// The entities, a page at a time, from all segments as they come.
    pub fn pages(self) -> impl Stream<Item = Result<Vec<E>>> + 't {
        let segments = (0..self.segments).map(move |segment| {
            let state = Some(None::<Item>);
            let (table, total, page_size, consistent) =
                (self.table, self.segments, self.page_size, self.consistent);
            futures::stream::try_unfold(state, move |state| async move {
                // `None`: the segment is done; `Some(start)`: read from `start`.
                let Some(start) = state else { return Ok(None) };
                let result = table
                    .client
                    .scan()
                    .table_name(&table.name)
                    .segment(segment as i32)
                    .total_segments(total as i32)
                    .set_limit(page_size)
                    .consistent_read(consistent)
                    .set_exclusive_start_key(start)
                    .filter_expression("#type = :type")
                    .expression_attribute_names("#type", &table.schema.type_attribute)
                    .expression_attribute_values(
                        ":type",
                        AttributeValue::S(E::ENTITY_TYPE.to_owned()),
                    )
                    .set_return_consumed_capacity(table.consumed_capacity())
                    .send();
                let span = table.span("Scan", Some(E::ENTITY_TYPE), None);
                let result = table.sent(Capacity::Read, &span, result).await;
                table.record("Scan", &result, |event, output| {
                    event.entity = Some(E::ENTITY_TYPE.to_owned());
                    event.target("Scan", crate::Index::Primary, None);
                    event.filtered = true;
                    if let Some(output) = output {
                        event.returned = output.count.max(0) as u64;
                        event.scanned = output.scanned_count.max(0) as u64;
                        event.observe_items(table, output.items());
                    }
                });
                let output = result.map_err(|e| crate::request_error("Scan", e))?;
                let now = clock::epoch_seconds(SystemTime::now());
                let live: Vec<Item> = output
                    .items
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|item| !is_expired(item, E::SCHEMA.ttl, now))
                    .collect();
                span.record("items", live.len());
                let items = live
                    .into_iter()
                    .map(E::from_item)
                    .collect::<Result<Vec<_>>>()?;
                let next = output
                    .last_evaluated_key
                    .filter(|k| !k.is_empty())
                    .map(Some);
                Ok(Some((items, next)))
            })
            .boxed()
        });
        // Segments are started as others finish, never more than `concurrency` at once.
        futures::stream::iter(segments).flatten_unordered(self.concurrency)
    }

    /// Every entity of the type in the table.
    pub async fn all(self) -> Result<Vec<E>> {
        let mut pages = std::pin::pin!(self.pages());
        let mut all = Vec::new();
        while let Some(page) = pages.next().await {
            all.extend(page?);
        }
        Ok(all)
    }
}
