//! What requests cost: counted on the table handle, summed across pages and retries.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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

    /// Counts one request, and the capacity units it consumed (read or write) when DynamoDB
    /// said.
    pub fn record(&self, write: bool, units: Option<f64>) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let Some(units) = units else { return };
        // A poisoned lock only means another thread panicked mid-add; the sums are still numbers.
        let mut totals = self.units.lock().unwrap_or_else(|e| e.into_inner());
        if write {
            totals.1 += units;
        } else {
            totals.0 += units;
        }
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
