//! The one scan: for migrations and backfills (seed 003 §7.2), never for serving requests.

use std::marker::PhantomData;

use aws_sdk_dynamodb::operation::scan::builders::ScanInputBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use futures::{Stream, StreamExt};

use crate::codec::ttl::is_expired;
use crate::error::{Error, InvalidRequestKind, Result};
use crate::expr::condition::Cond;
use crate::expr::path::Path;
use crate::expr::render::Expressions;
use crate::item::Item;
use crate::model::entity::Entity;
use crate::model::index::Index;
use crate::runtime::execute::About;
use crate::runtime::table::Table;

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
            index: Index::Primary,
            segments: 4,
            only: None,
            concurrency: 4,
            page_size: None,
            consistent: false,
            entity: PhantomData,
        }
    }

    /// Reads every item of entity `E` in the GSI `index`, by scanning it: a scan named for what
    /// it is. A sparse index is often the list of all of something (the pets with a chip, the
    /// open orders), and reading it whole reads only those items. It still reads, and pays for,
    /// the whole index; a request path that needs part of it queries a partition instead.
    ///
    /// ```no_run
    /// # use dynamo_entity::{Entity, Index, Table};
    /// # #[derive(Entity)] #[pk = "USER#<owner>"] #[sk = "PET#<pet_id>"]
    /// # #[gsi2(pk = "CHIP#<chip>", sk = "PET")]
    /// # struct Pet { owner: String, pet_id: String, chip: Option<u64> }
    /// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
    /// // Every chipped pet: GSI2 holds only them. This process reads one part in four.
    /// let chipped = table.scan_index::<Pet>(Index::Gsi(2)).segment(0, 4).all().await?;
    /// # Ok(()) }
    /// ```
    pub fn scan_index<E: Entity>(&self, index: Index) -> MigrationScan<'_, E> {
        MigrationScan {
            index,
            ..self.scan_for_migration()
        }
    }
}

/// A migration scan; read it as a stream of [`pages`](Self::pages) or [`all`](Self::all).
#[must_use = "a scan does nothing until read"]
pub struct MigrationScan<'t, E> {
    table: &'t Table,
    index: Index,
    segments: u32,
    /// Only this segment of `segments` (this process's part of a scan spread over several).
    only: Option<u32>,
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

    /// Reads only segment `i` of `n` (from 0): this process's part of a scan spread over `n`
    /// processes or machines, each reading another `i`. Together they read every item once.
    pub fn segment(mut self, i: u32, n: u32) -> Self {
        self.segments = n.clamp(1, MAX_SEGMENTS);
        self.only = Some(i);
        self
    }

    /// What cannot be sent: a segment past the last, a consistent read of a GSI, an index the
    /// entity has no key in.
    fn check(&self) -> Result<()> {
        if let Some(i) = self.only.filter(|i| *i >= self.segments) {
            return Err(Error::invalid(
                InvalidRequestKind::Argument,
                format!(
                    "segment {i} of {} does not exist: segments count from 0",
                    self.segments
                ),
            ));
        }
        if self.index != Index::Primary {
            let n = self.table.schema.index_name(self.index).unwrap_or_default();
            if self.consistent && matches!(self.index, Index::Gsi(_)) {
                return Err(Error::invalid(
                    InvalidRequestKind::Index,
                    format!(
                        "{n} cannot be read consistently: DynamoDB's global secondary indexes \
                         are eventually consistent"
                    ),
                ));
            }
            let multi = E::SCHEMA
                .multi_keys
                .iter()
                .any(|key| key.index == self.index);
            if E::SCHEMA.key_schema(self.index).is_none() && !multi {
                return Err(Error::invalid(
                    InvalidRequestKind::Index,
                    format!(
                        "{} has no key in {n}, so none of its items is there",
                        E::ENTITY_TYPE
                    ),
                ));
            }
            // Whole entities, as a query of the index reads them: refused alike.
            self.table.schema.check_readable(
                E::ENTITY_TYPE,
                self.index,
                None,
                self.table.expiring(E::SCHEMA.ttl),
            )?;
        }
        Ok(())
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
        if let Err(e) = self.check() {
            return futures::stream::once(async move { Err(e) }).boxed();
        }
        let index = self.index;
        let chosen = match self.only {
            Some(i) => i..i + 1,
            None => 0..self.segments,
        };
        let segments = chosen.map(move |segment| {
            let state = Some(None::<Item>);
            let (table, total, page_size, consistent) =
                (self.table, self.segments, self.page_size, self.consistent);
            futures::stream::try_unfold(state, move |state| async move {
                // `None`: the segment is done; `Some(start)`: read from `start`.
                let Some(start) = state else { return Ok(None) };
                let request = scan_input::<E>(table, index, segment, total, page_size, consistent)
                    .set_exclusive_start_key(start);
                let about = About {
                    index,
                    ..About::entity(E::ENTITY_TYPE)
                };
                let output = table.execute(about, request).await?;
                let now = table.read_now();
                let live: Vec<Item> = output
                    .items
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|item| !is_expired(item, E::SCHEMA.ttl, now))
                    .collect();
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
        futures::stream::iter(segments)
            .flatten_unordered(self.concurrency)
            .boxed()
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

/// One `Scan` request of segment `segment` of `total`, reading `E`'s items.
fn scan_input<E: Entity>(
    table: &Table,
    index: Index,
    segment: u32,
    total: u32,
    page_size: Option<i32>,
    consistent: bool,
) -> ScanInputBuilder {
    let mut exprs = Expressions::default();
    if !table.schema.type_attribute.is_empty() {
        let entity = AttributeValue::S(E::ENTITY_TYPE.to_owned());
        exprs.filter.push(Cond::equals(
            Path::top(table.schema.type_attribute.clone()),
            entity,
        ));
    }
    let rendered = exprs.render();
    ScanInputBuilder::default()
        .table_name(&*table.name)
        .set_index_name(table.schema.index_name(index))
        .segment(segment as i32)
        .total_segments(total as i32)
        .set_limit(page_size)
        .consistent_read(consistent)
        .set_filter_expression(rendered.filter)
        .set_expression_attribute_names(rendered.names)
        .set_expression_attribute_values(rendered.values)
}

#[cfg(test)]
mod tests {
    use super::scan_input;
    use crate::model::index::Index;
    use crate::ops::testing::*;

    #[test]
    fn a_migration_scan_reads_one_entitys_items_of_one_segment() {
        let table = table();
        let input = scan_input::<Pet>(&table, Index::Primary, 2, 8, Some(100), false);
        assert_eq!(input.get_segment(), &Some(2));
        assert_eq!(input.get_total_segments(), &Some(8));
        assert_eq!(input.get_limit(), &Some(100));
        assert_eq!(input.get_filter_expression().as_deref(), Some("#n0 = :v0"));
        assert_eq!(
            sorted(input.get_expression_attribute_names()),
            names(&[("#n0", "Type")])
        );
        assert_eq!(
            sorted(input.get_expression_attribute_values()),
            values(&[(":v0", s("Pet"))])
        );
    }
}
