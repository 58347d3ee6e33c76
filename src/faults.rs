//! A fault-injecting layer for the SDK client, to test what DynamoDB Local never does on its
//! own: leave batch items unprocessed, throttle, and fail with server errors.
//!
//! For a chosen share of batch requests (`BatchWriteItem`, `BatchGetItem`) it either
//! * drops part of the request's items before they are sent, and reports them back as
//!   `UnprocessedItems` / `UnprocessedKeys`, as DynamoDB does under load; or
//! * answers with a throttling error (`ProvisionedThroughputExceededException`) or a 500
//!   (`InternalServerError`) in place of DynamoDB's answer.
//!
//! The client it makes has the SDK's own retries turned off, so the code under test must
//! retry by itself. Counters say how many faults were injected.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::{
    BeforeDeserializationInterceptorContextMut, BeforeSerializationInterceptorContextMut,
    FinalizerInterceptorContextMut,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::batch_get_item::{BatchGetItemInput, BatchGetItemOutput};
use aws_sdk_dynamodb::operation::batch_write_item::{BatchWriteItemInput, BatchWriteItemOutput};
use aws_sdk_dynamodb::types::{KeysAndAttributes, WriteRequest};
use aws_sdk_dynamodb::Client;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How many faults of each kind were injected.
#[derive(Debug, Default)]
pub struct FaultCounts {
    /// Batch requests that had part of their items dropped and reported unprocessed.
    pub partial: AtomicU64,
    /// Requests answered with a throttling error.
    pub throttled: AtomicU64,
    /// Requests answered with a 500.
    pub server_errors: AtomicU64,
    /// Items (or keys) dropped and reported unprocessed.
    pub dropped_items: AtomicU64,
}

impl FaultCounts {
    /// All faults injected.
    pub fn total(&self) -> u64 {
        self.partial.load(Ordering::Relaxed)
            + self.throttled.load(Ordering::Relaxed)
            + self.server_errors.load(Ordering::Relaxed)
    }
}

/// The interceptor. `rate` is the share of batch requests that get a fault (0.0 to 1.0).
#[derive(Debug)]
pub struct FaultInjector {
    rate: f64,
    rng: Mutex<u64>,
    counts: Arc<FaultCounts>,
}

impl FaultInjector {
    /// A layer faulting `rate` of batch requests, with a seeded (repeatable) choice of faults.
    pub fn new(rate: f64, seed: u64) -> (Self, Arc<FaultCounts>) {
        let counts = Arc::new(FaultCounts::default());
        let injector = FaultInjector {
            rate,
            rng: Mutex::new(seed | 1),
            counts: counts.clone(),
        };
        (injector, counts)
    }

    /// A uniform number in [0, 1) (xorshift64*).
    fn roll(&self) -> f64 {
        let mut state = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        let value = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (value >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The items dropped from one request, to report back as unprocessed once.
#[derive(Debug, Clone, Default)]
struct Dropped(Arc<Mutex<Option<DroppedItems>>>);

#[derive(Debug)]
enum DroppedItems {
    Writes(String, Vec<WriteRequest>),
    Keys(String, KeysAndAttributes),
}

impl Storable for Dropped {
    type Storer = StoreReplace<Self>;
}

/// Set on batch requests only: the others are never faulted.
#[derive(Debug, Clone, Copy)]
struct BatchRequest;

impl Storable for BatchRequest {
    type Storer = StoreReplace<Self>;
}

/// Keeps the first half (at least one) of `items`, returns the rest.
fn split_half<T>(items: &mut Vec<T>) -> Vec<T> {
    let keep = items.len().div_ceil(2).max(1);
    items.split_off(keep.min(items.len()))
}

impl Intercept for FaultInjector {
    fn name(&self) -> &'static str {
        "FaultInjector"
    }

    fn modify_before_serialization(
        &self,
        context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(Dropped::default());
        let input = context.input_mut();
        let is_batch = input.downcast_ref::<BatchWriteItemInput>().is_some()
            || input.downcast_ref::<BatchGetItemInput>().is_some();
        if !is_batch {
            cfg.interceptor_state().unset::<BatchRequest>();
            return Ok(());
        }
        cfg.interceptor_state().store_put(BatchRequest);
        // Half of the faults are partial batches.
        if self.roll() >= self.rate / 2.0 {
            return Ok(());
        }
        let dropped = if let Some(input) = input.downcast_mut::<BatchWriteItemInput>() {
            input.request_items.as_mut().and_then(|tables| {
                let (table, writes) = tables.iter_mut().next()?;
                let gone = split_half(writes);
                (!gone.is_empty()).then(|| DroppedItems::Writes(table.clone(), gone))
            })
        } else if let Some(input) = input.downcast_mut::<BatchGetItemInput>() {
            input.request_items.as_mut().and_then(|tables| {
                let (table, keys) = tables.iter_mut().next()?;
                let gone = split_half(&mut keys.keys);
                let consistent = keys.consistent_read;
                let gone = KeysAndAttributes::builder()
                    .set_keys(Some(gone))
                    .set_consistent_read(consistent)
                    .build()
                    .ok()?;
                (!gone.keys.is_empty()).then(|| DroppedItems::Keys(table.clone(), gone))
            })
        } else {
            None
        };
        if let Some(dropped) = dropped {
            let count = match &dropped {
                DroppedItems::Writes(_, w) => w.len(),
                DroppedItems::Keys(_, k) => k.keys.len(),
            };
            self.counts.partial.fetch_add(1, Ordering::Relaxed);
            self.counts
                .dropped_items
                .fetch_add(count as u64, Ordering::Relaxed);
            cfg.interceptor_state()
                .store_put(Dropped(Arc::new(Mutex::new(Some(dropped)))));
        }
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if cfg.load::<BatchRequest>().is_none() {
            return Ok(());
        }
        let roll = self.roll();
        // The other half: throttling and server errors, a quarter each.
        let (status, error, counter) = if roll < self.rate / 4.0 {
            (
                400,
                "ProvisionedThroughputExceededException",
                &self.counts.throttled,
            )
        } else if roll < self.rate / 2.0 {
            (500, "InternalServerError", &self.counts.server_errors)
        } else {
            return Ok(());
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let response = context.response_mut();
        *response.status_mut() = StatusCode::try_from(status)?;
        let body = format!(
            r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{error}","message":"injected by FaultInjector"}}"#
        );
        *response.body_mut() = SdkBody::from(body);
        Ok(())
    }

    fn modify_before_attempt_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(dropped) = cfg.load::<Dropped>().and_then(|d| d.0.lock().ok()?.take()) else {
            return Ok(());
        };
        let Some(Ok(output)) = context.output_or_error_mut() else {
            // The attempt failed anyway: the caller resends every item it had.
            return Ok(());
        };
        match dropped {
            DroppedItems::Writes(table, writes) => {
                if let Some(output) = output.downcast_mut::<BatchWriteItemOutput>() {
                    let unprocessed = output
                        .unprocessed_items
                        .get_or_insert_with(Default::default);
                    unprocessed.entry(table).or_default().extend(writes);
                }
            }
            DroppedItems::Keys(table, keys) => {
                if let Some(output) = output.downcast_mut::<BatchGetItemOutput>() {
                    let unprocessed = output.unprocessed_keys.get_or_insert_with(Default::default);
                    match unprocessed.get_mut(&table) {
                        Some(existing) => existing.keys.extend(keys.keys),
                        None => {
                            unprocessed.insert(table, keys);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// A client on DynamoDB Local with `rate` of its batch requests faulted, and no SDK retries.
pub fn faulty_client(rate: f64, seed: u64) -> (Client, Arc<FaultCounts>) {
    let (injector, counts) = FaultInjector::new(rate, seed);
    let config = crate::config()
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .interceptor(injector)
        .build();
    (Client::from_conf(config), counts)
}
