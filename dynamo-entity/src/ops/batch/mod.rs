//! Batch reads and writes: chunked, deduplicated, concurrent, retried; what is not done is
//! returned, never dropped.

mod get;
mod write;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::Error;
use crate::item::{Item, Key};
use crate::runtime::clock::jittered_backoff;
use crate::runtime::execute::Failed;
use crate::runtime::table::Table;

pub use get::{BatchGet, BatchGetOutput, ProjectedBatchGet};
pub use write::{BatchWrite, BatchWriteOutput, PendingWrite};

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
        pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
            self.options.deadline = deadline;
            self
        }
    };
}
use batch_options;

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
            control.pause(jittered_backoff(attempt)).await;
        }
    }
    ChunkOutcome {
        done,
        left: pending,
        error: None,
    }
}

/// A failed request as one attempt at a chunk sees it: the error, and whether sending again
/// may help.
fn refused<E>(failed: Failed<E>) -> (Error, Again)
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    let again = again(&failed.error);
    (failed.into(), again)
}
