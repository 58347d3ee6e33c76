//! The one path every request takes: [`Table::execute`] sends a request built by an operation,
//! inside its tracing span, asking for consumed capacity where it is read, and tells every
//! observer (the cost meter, a design recorder) what was asked and answered; a failure becomes
//! the crate's error with DynamoDB's code in one place. An operation builds its input, executes
//! it, and decodes the answer.

// What observers are told is read only by the design recorder, which a build without the
// `design` feature leaves out.
#![cfg_attr(not(feature = "design"), allow(dead_code))]

use std::any::Any;
use std::fmt;
use std::future::Future;

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::batch_get_item::{
    builders::BatchGetItemInputBuilder, BatchGetItemError, BatchGetItemOutput,
};
use aws_sdk_dynamodb::operation::batch_write_item::{
    builders::BatchWriteItemInputBuilder, BatchWriteItemError, BatchWriteItemOutput,
};
use aws_sdk_dynamodb::operation::create_table::{
    builders::CreateTableInputBuilder, CreateTableError, CreateTableOutput,
};
use aws_sdk_dynamodb::operation::delete_item::{
    builders::DeleteItemInputBuilder, DeleteItemError, DeleteItemOutput,
};
use aws_sdk_dynamodb::operation::get_item::{
    builders::GetItemInputBuilder, GetItemError, GetItemOutput,
};
use aws_sdk_dynamodb::operation::put_item::{
    builders::PutItemInputBuilder, PutItemError, PutItemOutput,
};
use aws_sdk_dynamodb::operation::query::{builders::QueryInputBuilder, QueryError, QueryOutput};
use aws_sdk_dynamodb::operation::scan::{builders::ScanInputBuilder, ScanError, ScanOutput};
use aws_sdk_dynamodb::operation::transact_get_items::{
    builders::TransactGetItemsInputBuilder, TransactGetItemsError, TransactGetItemsOutput,
};
use aws_sdk_dynamodb::operation::transact_write_items::{
    builders::TransactWriteItemsInputBuilder, TransactWriteItemsError, TransactWriteItemsOutput,
};
use aws_sdk_dynamodb::operation::update_item::{
    builders::UpdateItemInputBuilder, UpdateItemError, UpdateItemOutput,
};
use aws_sdk_dynamodb::operation::update_time_to_live::{
    builders::UpdateTimeToLiveInputBuilder, UpdateTimeToLiveError, UpdateTimeToLiveOutput,
};
use aws_sdk_dynamodb::operation::RequestId;
use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use tracing::Instrument;

use super::table::Table;
use crate::error::{Error, RequestError};
use crate::expr::condition::Cond;
use crate::item::Item;
use crate::model::index::Index;

/// The DynamoDB operations the crate sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Op {
    GetItem,
    PutItem,
    UpdateItem,
    DeleteItem,
    Query,
    Scan,
    BatchGetItem,
    BatchWriteItem,
    TransactGetItems,
    TransactWriteItems,
    CreateTable,
    UpdateTimeToLive,
}

impl Op {
    /// DynamoDB's name for it (and IAM's action, `dynamodb:<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Op::GetItem => "GetItem",
            Op::PutItem => "PutItem",
            Op::UpdateItem => "UpdateItem",
            Op::DeleteItem => "DeleteItem",
            Op::Query => "Query",
            Op::Scan => "Scan",
            Op::BatchGetItem => "BatchGetItem",
            Op::BatchWriteItem => "BatchWriteItem",
            Op::TransactGetItems => "TransactGetItems",
            Op::TransactWriteItems => "TransactWriteItems",
            Op::CreateTable => "CreateTable",
            Op::UpdateTimeToLive => "UpdateTimeToLive",
        }
    }

    /// Whether it writes items (its capacity is write capacity).
    pub fn writes(self) -> bool {
        matches!(
            self,
            Op::PutItem
                | Op::UpdateItem
                | Op::DeleteItem
                | Op::BatchWriteItem
                | Op::TransactWriteItems
        )
    }

    /// Whether it reads or writes items (rather than managing the table): what the cost meter
    /// counts and access patterns are made of.
    pub fn is_item_request(self) -> bool {
        !matches!(self, Op::CreateTable | Op::UpdateTimeToLive)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a request is for, beyond its input: the entity (or collection) it serves, the index it
/// reads, and its key condition as data (the input holds it only as text).
#[derive(Debug, Clone, Copy)]
pub(crate) struct About<'a> {
    pub entity: Option<&'a str>,
    pub index: Index,
    pub key: &'a [Cond],
}

impl<'a> About<'a> {
    /// A request for `entity`, on the base table.
    pub fn entity(entity: &'a str) -> Self {
        About {
            entity: Some(entity),
            index: Index::Primary,
            key: &[],
        }
    }

    /// A request for several entities (a batch write, a transaction).
    pub fn many() -> Self {
        About {
            entity: None,
            index: Index::Primary,
            key: &[],
        }
    }
}

/// A request's input, as observers see it before it is sent.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sent<'a> {
    GetItem(&'a GetItemInputBuilder),
    PutItem(&'a PutItemInputBuilder),
    UpdateItem(&'a UpdateItemInputBuilder),
    DeleteItem(&'a DeleteItemInputBuilder),
    Query(&'a QueryInputBuilder),
    /// A scan: observers need only what [`About`] says of it.
    Scan,
    BatchGetItem(&'a BatchGetItemInputBuilder),
    BatchWriteItem(&'a BatchWriteItemInputBuilder),
    TransactGetItems(&'a TransactGetItemsInputBuilder),
    TransactWriteItems(&'a TransactWriteItemsInputBuilder),
    Table,
}

/// The IAM action, table and item (or key) of one write of a transaction; `None` for an
/// operation of none of the four kinds.
pub(crate) fn operation_of(item: &TransactWriteItem) -> Option<(&'static str, &str, &Item)> {
    if let Some(put) = &item.put {
        Some(("PutItem", &put.table_name, &put.item))
    } else if let Some(update) = &item.update {
        Some(("UpdateItem", &update.table_name, &update.key))
    } else if let Some(delete) = &item.delete {
        Some(("DeleteItem", &delete.table_name, &delete.key))
    } else {
        item.condition_check
            .as_ref()
            .map(|check| ("ConditionCheckItem", check.table_name.as_str(), &check.key))
    }
}

/// A request's output, as observers see it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Answer<'a> {
    GetItem(&'a GetItemOutput),
    Query(&'a QueryOutput),
    Scan(&'a ScanOutput),
    BatchGetItem(&'a BatchGetItemOutput),
    TransactGetItems(&'a TransactGetItemsOutput),
    /// A write, or a table operation: nothing observers read but its capacity.
    Other,
}

impl Answer<'_> {
    /// How many items it returned, for a read that returns items.
    fn items(&self) -> Option<usize> {
        Some(match self {
            Answer::Query(o) => o.items().len(),
            Answer::Scan(o) => o.items().len(),
            Answer::BatchGetItem(o) => o.responses.as_ref()?.values().map(Vec::len).sum(),
            _ => return None,
        })
    }
}

/// One request the executor can send: an SDK input builder.
pub(crate) trait Request: Sized + Send {
    type Output: Consumed + Send + Sync;
    type Error: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static;
    const OP: Op;

    /// The request, asking for its consumed capacity or not.
    fn with_capacity(self, capacity: Option<ReturnConsumedCapacity>) -> Self;
    /// The input, for observers.
    fn sent(&self) -> Sent<'_>;
    /// The output, for observers.
    fn answer(output: &Self::Output) -> Answer<'_>;
    /// Sends it.
    fn send(
        self,
        client: &Client,
    ) -> impl Future<Output = Result<Self::Output, SdkError<Self::Error, HttpResponse>>> + Send;
}

macro_rules! request {
    ($builder:ty, $op:ident, $output:ty, $error:ty, capacity: $capacity:tt, answer: $answer:tt) => {
        request!($builder, $op, $output, $error, capacity: $capacity, sent: $capacity, answer: $answer);
    };
    ($builder:ty, $op:ident, $output:ty, $error:ty, capacity: $capacity:tt, sent: $sent:tt, answer: $answer:tt) => {
        impl Request for $builder {
            type Output = $output;
            type Error = $error;
            const OP: Op = Op::$op;

            fn with_capacity(self, capacity: Option<ReturnConsumedCapacity>) -> Self {
                request!(@capacity $capacity, self, capacity)
            }

            fn sent(&self) -> Sent<'_> {
                request!(@sent $sent, $op, self)
            }

            fn answer(output: &Self::Output) -> Answer<'_> {
                request!(@answer $answer, $op, output)
            }

            fn send(
                self,
                client: &Client,
            ) -> impl Future<Output = Result<$output, SdkError<$error, HttpResponse>>> + Send {
                self.send_with(client)
            }
        }
    };
    (@capacity yes, $self:ident, $capacity:ident) => { $self.set_return_consumed_capacity($capacity) };
    (@capacity no, $self:ident, $capacity:ident) => {{ let _ = $capacity; $self }};
    (@sent yes, $op:ident, $self:ident) => { Sent::$op($self) };
    (@sent no, $op:ident, $self:ident) => {{ let _ = $self; Sent::Table }};
    (@sent unit, $op:ident, $self:ident) => {{ let _ = $self; Sent::$op }};
    (@answer yes, $op:ident, $output:ident) => { Answer::$op($output) };
    (@answer no, $op:ident, $output:ident) => {{ let _ = $output; Answer::Other }};
}

request!(GetItemInputBuilder, GetItem, GetItemOutput, GetItemError, capacity: yes, answer: yes);
request!(PutItemInputBuilder, PutItem, PutItemOutput, PutItemError, capacity: yes, answer: no);
request!(UpdateItemInputBuilder, UpdateItem, UpdateItemOutput, UpdateItemError, capacity: yes, answer: no);
request!(DeleteItemInputBuilder, DeleteItem, DeleteItemOutput, DeleteItemError, capacity: yes, answer: no);
request!(QueryInputBuilder, Query, QueryOutput, QueryError, capacity: yes, answer: yes);
request!(ScanInputBuilder, Scan, ScanOutput, ScanError, capacity: yes, sent: unit, answer: yes);
request!(BatchGetItemInputBuilder, BatchGetItem, BatchGetItemOutput, BatchGetItemError, capacity: yes, answer: yes);
request!(BatchWriteItemInputBuilder, BatchWriteItem, BatchWriteItemOutput, BatchWriteItemError, capacity: yes, answer: no);
request!(TransactGetItemsInputBuilder, TransactGetItems, TransactGetItemsOutput, TransactGetItemsError, capacity: yes, answer: yes);
request!(TransactWriteItemsInputBuilder, TransactWriteItems, TransactWriteItemsOutput, TransactWriteItemsError, capacity: yes, answer: no);
request!(CreateTableInputBuilder, CreateTable, CreateTableOutput, CreateTableError, capacity: no, answer: no);
request!(UpdateTimeToLiveInputBuilder, UpdateTimeToLive, UpdateTimeToLiveOutput, UpdateTimeToLiveError, capacity: no, answer: no);

/// SDK outputs that report consumed capacity: one entry for single-item operations and
/// queries, one per table for batches and transactions.
pub(crate) trait Consumed {
    fn consumed(&self) -> Option<&[ConsumedCapacity]>;
}

macro_rules! consumed {
    (one: $($output:ty),*) => {$(
        impl Consumed for $output {
            fn consumed(&self) -> Option<&[ConsumedCapacity]> {
                self.consumed_capacity().map(std::slice::from_ref)
            }
        }
    )*};
    (per table: $($output:ty),*) => {$(
        impl Consumed for $output {
            fn consumed(&self) -> Option<&[ConsumedCapacity]> {
                self.consumed_capacity.as_deref()
            }
        }
    )*};
    (none: $($output:ty),*) => {$(
        impl Consumed for $output {
            fn consumed(&self) -> Option<&[ConsumedCapacity]> {
                None
            }
        }
    )*};
}
consumed!(one: GetItemOutput, QueryOutput, ScanOutput, PutItemOutput, DeleteItemOutput, UpdateItemOutput);
consumed!(per table: BatchGetItemOutput, BatchWriteItemOutput, TransactWriteItemsOutput, TransactGetItemsOutput);
consumed!(none: CreateTableOutput, UpdateTimeToLiveOutput);

/// The capacity units of a response's consumed capacity (all tables summed; 0 when none).
pub(crate) fn units(consumed: Option<&[ConsumedCapacity]>) -> f64 {
    consumed
        .unwrap_or_default()
        .iter()
        .filter_map(ConsumedCapacity::capacity_units)
        .sum()
}

/// One request as its observers see it.
pub(crate) struct Exchange<'a> {
    pub table: &'a Table,
    pub op: Op,
    pub about: &'a About<'a>,
}

/// How a request ended, for observers.
pub(crate) struct Outcome<'a> {
    /// The output, when it succeeded.
    pub answer: Option<Answer<'a>>,
    /// The capacity it consumed, when DynamoDB said.
    pub units: Option<f64>,
}

/// Something that watches every request of a table handle (a design recorder). It is told what
/// each request asks before it is sent, and how it ended; it never changes a request, and an
/// operation never calls it. The cost meter is one too, counted by the executor itself so that
/// a handle without other observers allocates nothing per request.
pub(crate) trait Observe: Send + Sync + fmt::Debug {
    /// Before sending: what to keep of the request for [`answered`](Self::answered), if
    /// anything (most observers need only the outcome).
    fn sending(&self, exchange: &Exchange<'_>, sent: Sent<'_>) -> Option<Box<dyn Any + Send>> {
        let _ = (exchange, sent);
        None
    }

    /// After the request ended, with what [`sending`](Self::sending) kept.
    fn answered(
        &self,
        exchange: &Exchange<'_>,
        kept: Option<Box<dyn Any + Send>>,
        outcome: &Outcome<'_>,
    );
}

/// A request that failed: its SDK error, with the operation it was.
pub(crate) struct Failed<E> {
    pub op: Op,
    pub error: SdkError<E, HttpResponse>,
}

impl<E> Failed<E> {
    /// DynamoDB's error, when the service answered with one.
    pub fn service_error(&self) -> Option<&E> {
        self.error.as_service_error()
    }
}

impl<E> From<Failed<E>> for Error
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    fn from(failed: Failed<E>) -> Self {
        request_error(failed.op, failed.error)
    }
}

/// Wraps a failed SDK request, keeping the SDK error as the source. The message is DynamoDB's
/// error code and message when the service answered, else the SDK's chain of causes.
pub(crate) fn request_error<E>(op: Op, error: SdkError<E, HttpResponse>) -> Error
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    let code = error.code().map(str::to_owned);
    let message = match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => aws_sdk_dynamodb::error::DisplayErrorContext(&error).to_string(),
    };
    Error::Request(RequestError {
        operation: op.name(),
        code,
        request_id: error.request_id().map(str::to_owned),
        message,
        source: Box::new(error),
    })
}

impl Table {
    /// Sends `request` for `about`: inside its span (so the SDK's own spans nest under it),
    /// asking for consumed capacity where a meter or a subscriber reads it, and told to every
    /// observer.
    pub(crate) async fn execute<R: Request>(
        &self,
        about: About<'_>,
        request: R,
    ) -> Result<R::Output, Failed<R::Error>> {
        let op = R::OP;
        let request = request.with_capacity(self.consumed_capacity());
        let span = self.span(op, &about);
        let exchange = Exchange {
            table: self,
            op,
            about: &about,
        };
        // Most handles have no observer but their meter: nothing is allocated for them.
        let kept: Vec<Option<Box<dyn Any + Send>>> = self
            .observers
            .iter()
            .map(|observer| observer.sending(&exchange, request.sent()))
            .collect();
        let result = request.send(&self.client).instrument(span.clone()).await;
        let output = result.as_ref().ok();
        let consumed = output.and_then(Consumed::consumed);
        let answer = output.map(R::answer);
        if let Some(items) = answer.as_ref().and_then(Answer::items) {
            span.record("items", items);
        }
        let units = consumed.map(|c| units(Some(c)));
        if op.is_item_request() {
            self.meter.record(op.writes(), units);
        }
        if let Some(units) = units {
            let field = if op.writes() {
                "write_units"
            } else {
                "read_units"
            };
            span.record(field, units);
        }
        let outcome = Outcome { answer, units };
        for (observer, kept) in self.observers.iter().zip(kept) {
            observer.answered(&exchange, kept, &outcome);
        }
        result.map_err(|error| Failed { op, error })
    }

    /// The span of one request: `dynamodb` at DEBUG level, target `dynamo_entity`, with the
    /// operation, table, entity, index and access pattern; then the items it returned and the
    /// capacity it consumed. Without a subscriber that listens, it is never built.
    fn span(&self, op: Op, about: &About<'_>) -> tracing::Span {
        tracing::debug_span!(
            target: "dynamo_entity",
            "dynamodb",
            operation = op.name(),
            table = %self.name,
            entity = about.entity,
            index = self.schema.index_name(about.index).as_deref(),
            pattern = self.pattern.as_deref(),
            items = tracing::field::Empty,
            read_units = tracing::field::Empty,
            write_units = tracing::field::Empty,
        )
    }
}
