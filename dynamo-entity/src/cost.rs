//! What requests cost: counted on the table handle, summed across pages and retries.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::types::ConsumedCapacity;

/// Requests made, and capacity consumed as DynamoDB reported it (`ReturnConsumedCapacity:
/// TOTAL`, asked for by [`Table::metered`](crate::Table::metered) handles). On-demand tables
/// bill the same units as request units.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cost {
    /// Requests sent, failed ones and retries included.
    pub requests: u64,
    /// Read capacity units consumed.
    pub read_units: f64,
    /// Write capacity units consumed.
    pub write_units: f64,
}

/// `1 request, 0.5 RCU, 0 WCU`.
impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.requests == 1 { "" } else { "s" };
        write!(
            f,
            "{} request{plural}, {} RCU, {} WCU",
            self.requests, self.read_units, self.write_units
        )
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Capacity {
    Read,
    Write,
}

/// The capacity units of a response's consumed capacity (all tables summed; 0 when none).
pub(crate) fn units(consumed: Option<&[ConsumedCapacity]>) -> f64 {
    consumed
        .unwrap_or_default()
        .iter()
        .filter_map(ConsumedCapacity::capacity_units)
        .sum()
}

/// A running total, shared by the clones of one table handle.
#[derive(Debug, Default)]
pub(crate) struct Meter {
    requests: AtomicU64,
    units: Mutex<(f64, f64)>,
}

impl Meter {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// Counts one request and what it consumed, if DynamoDB said (per table, for batches and
    /// transactions). Returns the units, if DynamoDB reported them.
    pub fn record(&self, kind: Capacity, consumed: Option<&[ConsumedCapacity]>) -> Option<f64> {
        let units = units(consumed);
        self.requests.fetch_add(1, Ordering::Relaxed);
        // A poisoned lock only means another thread panicked mid-add; the sums are still numbers.
        let mut totals = self.units.lock().unwrap_or_else(|e| e.into_inner());
        match kind {
            Capacity::Read => totals.0 += units,
            Capacity::Write => totals.1 += units,
        }
        consumed.map(|_| units)
    }

    /// Counts one request from its result.
    pub fn observe<O: Consumed, E>(&self, kind: Capacity, result: &Result<O, E>) -> Option<f64> {
        self.record(kind, result.as_ref().ok().and_then(Consumed::consumed))
    }

    pub fn total(&self) -> Cost {
        let (read_units, write_units) = *self.units.lock().unwrap_or_else(|e| e.into_inner());
        Cost {
            requests: self.requests.load(Ordering::Relaxed),
            read_units,
            write_units,
        }
    }
}

/// SDK outputs that report consumed capacity: one entry for single-item operations and
/// queries, one per table for batches and transactions.
pub(crate) trait Consumed {
    fn consumed(&self) -> Option<&[ConsumedCapacity]>;
}

macro_rules! consumed {
    ($($output:ty),*) => {$(
        impl Consumed for $output {
            fn consumed(&self) -> Option<&[ConsumedCapacity]> {
                self.consumed_capacity().map(std::slice::from_ref)
            }
        }
    )*};
}
consumed!(
    aws_sdk_dynamodb::operation::get_item::GetItemOutput,
    aws_sdk_dynamodb::operation::query::QueryOutput,
    aws_sdk_dynamodb::operation::scan::ScanOutput,
    aws_sdk_dynamodb::operation::put_item::PutItemOutput,
    aws_sdk_dynamodb::operation::delete_item::DeleteItemOutput,
    aws_sdk_dynamodb::operation::update_item::UpdateItemOutput
);

macro_rules! consumed_per_table {
    ($($output:ty),*) => {$(
        impl Consumed for $output {
            fn consumed(&self) -> Option<&[ConsumedCapacity]> {
                self.consumed_capacity.as_deref()
            }
        }
    )*};
}
consumed_per_table!(
    aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemOutput,
    aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemOutput,
    aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsOutput,
    aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsOutput
);

impl crate::Table {
    /// Sends one request inside its span (so the SDK's own spans nest under it) and counts it,
    /// with its consumed capacity, on the meter and in the span.
    pub(crate) async fn sent<O: Consumed, E>(
        &self,
        kind: Capacity,
        span: &tracing::Span,
        request: impl std::future::Future<Output = Result<O, E>>,
    ) -> Result<O, E> {
        use tracing::Instrument;
        let result = request.instrument(span.clone()).await;
        record_units(span, kind, self.meter.observe(kind, &result));
        result
    }
}

/// Records a request's consumed capacity in its span, when DynamoDB reported it.
fn record_units(span: &tracing::Span, kind: Capacity, units: Option<f64>) {
    if let Some(units) = units {
        let field = match kind {
            Capacity::Read => "read_units",
            Capacity::Write => "write_units",
        };
        span.record(field, units);
    }
}
