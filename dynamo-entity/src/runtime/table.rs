//! The table handle: a client, a name chosen at run time, the schema, and how its requests are
//! made (timeouts, capacity reporting, the clock, cursors, observers).

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::operation::create_table::builders::CreateTableInputBuilder;
use aws_sdk_dynamodb::operation::update_time_to_live::builders::UpdateTimeToLiveInputBuilder;
use aws_sdk_dynamodb::types::{ReturnConsumedCapacity, TimeToLiveSpecification};
use aws_sdk_dynamodb::Client;

use super::clock::{epoch_seconds, Clock};
use super::cost::{Cost, Meter};
use super::cursor::{CursorKey, CursorKeys};
use super::endpoint::{watch_endpoint, EndpointState};
use super::execute::{About, Observe};
use crate::error::{Error, InvalidRequestKind, Result, SchemaErrorKind};
use crate::model::schema::TableSchema;

/// A DynamoDB table used by entities: the client, the table's name and its [`TableSchema`].
///
/// Cheap to clone (the SDK client and the schema are reference-counted). Every request made
/// through a handle goes through one executor (see `runtime::execute`), which owns its span,
/// its capacity reporting, its cost and its observers.
#[derive(Debug, Clone)]
pub struct Table {
    pub(crate) client: Client,
    pub(crate) name: Arc<str>,
    pub(crate) schema: Arc<TableSchema>,
    pub(crate) meter: Arc<Meter>,
    /// Whatever else watches this handle's requests (a design recorder).
    pub(crate) observers: Arc<[Arc<dyn Observe>]>,
    pub(crate) cursor_keys: Option<Arc<CursorKeys>>,
    /// Whether requests ask DynamoDB for the capacity they consume.
    pub(crate) report_capacity: bool,
    /// The access pattern the requests through this handle serve, for their tracing spans.
    pub(crate) pattern: Option<Arc<str>>,
    /// Where "now" comes from, for TTL checks and managed timestamps.
    pub(crate) clock: Clock,
    /// Whether reads return items whose TTL has passed (not yet deleted by DynamoDB).
    pub(crate) include_expired: bool,
    /// The endpoint requests go to, as the first request saw it, and whether a custom one is
    /// intended.
    pub(crate) endpoint: Arc<EndpointState>,
}

/// How long a request may take. [`Table::new`] applies [`Timeouts::DEFAULT`] wherever the
/// client's own configuration sets no timeout; [`Table::with_timeouts`] sets them for one table.
///
/// The SDK enforces both: an attempt that gets no answer in time is abandoned (and retried, as
/// the client's retry policy says, if the operation's time allows), and the operation ends
/// with a timeout error when its time is up. Every request this crate sends therefore ends in
/// bounded time, even against a server that accepts connections and never answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// One attempt: one HTTP request and its response.
    pub attempt: Duration,
    /// One operation, every attempt and pause between them included.
    pub operation: Duration,
}

impl Timeouts {
    /// 10 s an attempt, 30 s an operation: far above DynamoDB's latencies (a 1 MB query page
    /// takes well under a second), far below "hangs".
    pub const DEFAULT: Timeouts = Timeouts {
        attempt: Duration::from_secs(10),
        operation: Duration::from_secs(30),
    };

    fn config(self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }
}

/// The client with `timeouts`: where the client sets none (`prefer_client`), or over its own.
fn with_timeouts(client: &Client, timeouts: Timeouts, prefer_client: bool) -> Client {
    let config = client.config();
    let ours = timeouts.config();
    let merged = match config.timeout_config() {
        Some(theirs) if prefer_client => {
            let mut merged = theirs.clone();
            merged.take_defaults_from(&ours);
            merged
        }
        Some(theirs) => {
            let mut merged = ours;
            merged.take_defaults_from(theirs);
            merged
        }
        None => ours,
    };
    Client::from_conf(config.to_builder().timeout_config(merged).build())
}

/// DynamoDB's rule for table names: 3 to 255 of `a-z`, `A-Z`, `0-9`, `_`, `-` and `.`.
fn check_table_name(name: &str) -> Result<()> {
    let problem = if !(3..=255).contains(&name.len()) {
        Some(format!(
            "it has {} characters; DynamoDB allows 3 to 255",
            name.len()
        ))
    } else {
        name.chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .map(|c| format!("{c:?} is not allowed (only a-z, A-Z, 0-9, `_`, `-` and `.`)"))
    };
    match problem {
        Some(problem) => Err(Error::invalid(
            InvalidRequestKind::Argument,
            format!("invalid table name `{name}`: {problem}"),
        )),
        None => Ok(()),
    }
}

impl Table {
    /// A handle on the table `name` (which may differ between environments) with `schema`.
    ///
    /// Refuses a name DynamoDB would refuse. Requests through the handle have the client's
    /// timeouts, and [`Timeouts::DEFAULT`] for those the client leaves unset.
    pub fn new(client: Client, name: impl Into<String>, schema: TableSchema) -> Result<Self> {
        let name = name.into();
        check_table_name(&name)?;
        let endpoint = Arc::new(EndpointState::default());
        let client = watch_endpoint(&client, &endpoint);
        Ok(Table {
            client: with_timeouts(&client, Timeouts::DEFAULT, true),
            name: name.into(),
            schema: Arc::new(schema),
            meter: Meter::new(),
            observers: Arc::new([]),
            cursor_keys: None,
            report_capacity: false,
            pattern: None,
            clock: Clock::system(),
            include_expired: false,
            endpoint,
        })
    }

    /// The same table with `timeouts` for its requests, over the client's own.
    pub fn with_timeouts(&self, timeouts: Timeouts) -> Table {
        Table {
            client: with_timeouts(&self.client, timeouts, false),
            ..self.clone()
        }
    }

    /// The same table, sealing the cursors of its queries with `key`: a client can then
    /// neither read the key values in a cursor nor make one (see [`Cursor`](crate::Cursor)).
    /// Cursors it did not seal, or sealed with another key, are refused with
    /// [`Error::InvalidCursor`].
    ///
    /// ```no_run
    /// # use dynamo_entity::{CursorKey, Entity, Table};
    /// # #[derive(Entity)] #[pk = "USER#<owner_id>"] #[sk = "PET#<pet_id>"]
    /// # struct Pet { owner_id: String, pet_id: String }
    /// # async fn demo(table: &Table, secret: [u8; 32]) -> dynamo_entity::Result<()> {
    /// let public = table.with_cursor_key(CursorKey::new(secret));
    /// let page = public.query(Pet::query("alice")?).limit(20).page().await?;
    /// let next = page.cursor.map(|c| c.to_string()); // safe to hand to any client
    /// # Ok(()) }
    /// ```
    pub fn with_cursor_key(&self, key: CursorKey) -> Table {
        self.with_cursor_keys(key, [])
    }

    /// The same table, sealing its cursors with `current` and still opening those sealed with
    /// any of `previous`: to rotate the key without failing the cursors handed out before.
    /// Drop a previous key once its cursors need not work any more.
    ///
    /// ```no_run
    /// # use dynamo_entity::{CursorKey, Table};
    /// # fn demo(table: &Table, new: [u8; 32], old: [u8; 32]) {
    /// let public = table.with_cursor_keys(CursorKey::new(new), [CursorKey::new(old)]);
    /// # }
    /// ```
    pub fn with_cursor_keys(
        &self,
        current: CursorKey,
        previous: impl IntoIterator<Item = CursorKey>,
    ) -> Table {
        Table {
            cursor_keys: Some(Arc::new(CursorKeys {
                current,
                previous: previous.into_iter().collect(),
            })),
            ..self.clone()
        }
    }

    /// The attempt and operation timeouts of this handle's requests.
    pub fn timeouts(&self) -> Option<Timeouts> {
        let config = self.client.config().timeout_config()?;
        Some(Timeouts {
            attempt: config.operation_attempt_timeout()?,
            operation: config.operation_timeout()?,
        })
    }

    /// A handle on the same table with its own cost meter starting at zero: run one access
    /// pattern through it, then read [`cost`](Self::cost).
    ///
    /// ```no_run
    /// # use dynamo_entity::{Entity, Table};
    /// # #[derive(Entity)] #[pk = "USER#<owner_id>"] #[sk = "PET#<pet_id>"]
    /// # struct Pet { owner_id: String, pet_id: String }
    /// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
    /// let measured = table.metered();
    /// let pets = measured.query(Pet::query("alice")?).all().await?;
    /// println!("alice's pets took {}", measured.cost()); // 1 request, 0.5 RCU, 0 WCU
    /// # Ok(()) }
    /// ```
    pub fn metered(&self) -> Table {
        Table {
            meter: Meter::new(),
            report_capacity: true,
            ..self.clone()
        }
    }

    /// The same table (and meter), with every request asking DynamoDB for the capacity it
    /// consumes, so that [`cost`](Self::cost) sums it. Without this (or [`metered`](Self::metered)),
    /// requests do not ask for it, as a hand-written request would not, and `cost` counts the
    /// requests alone.
    pub fn with_capacity_reporting(&self) -> Table {
        Table {
            report_capacity: true,
            ..self.clone()
        }
    }

    /// `ReturnConsumedCapacity` for this handle's requests: asked for only where it is read, by a
    /// metered handle or a tracing subscriber that listens to this crate's request spans.
    pub(crate) fn consumed_capacity(&self) -> Option<ReturnConsumedCapacity> {
        let traced = tracing::enabled!(target: "dynamo_entity", tracing::Level::DEBUG);
        (self.report_capacity || traced).then_some(ReturnConsumedCapacity::Total)
    }

    /// The same table, its requests also watched by `observer` (as every handle made from it).
    #[cfg_attr(not(feature = "design"), allow(dead_code))]
    pub(crate) fn observed_by(&self, observer: Arc<dyn Observe>, report_capacity: bool) -> Table {
        let observers: Vec<Arc<dyn Observe>> = self
            .observers
            .iter()
            .cloned()
            .chain(std::iter::once(observer))
            .collect();
        Table {
            observers: observers.into(),
            report_capacity: self.report_capacity || report_capacity,
            ..self.clone()
        }
    }

    /// The same table, its requests labelled with the access pattern they serve: the label is
    /// in each request's tracing span.
    ///
    /// ```no_run
    /// # use dynamo_entity::{Entity, Table};
    /// # #[derive(Entity)] #[pk = "USER#<owner_id>"] #[sk = "PET#<pet_id>"]
    /// # struct Pet { owner_id: String, pet_id: String }
    /// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
    /// let pets = table
    ///     .pattern("pets of an owner")
    ///     .query(Pet::query("alice")?)
    ///     .all()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn pattern(&self, label: &str) -> Table {
        Table {
            pattern: Some(label.into()),
            ..self.clone()
        }
    }

    /// Requests made through this handle (and its clones) so far, failed requests, every page
    /// and every retry included, and the capacity they consumed when it was asked for
    /// ([`metered`](Self::metered) handles, [`with_capacity_reporting`](Self::with_capacity_reporting)).
    pub fn cost(&self) -> Cost {
        self.meter.total()
    }

    /// The same table, taking "now" from `clock`: which items have expired, and the time that
    /// `created_at` and `updated_at` fields get. For tests (a fixed or stepped clock), and for
    /// reads "as of" a time.
    ///
    /// ```no_run
    /// # use std::time::{Duration, SystemTime};
    /// # use dynamo_entity::{Clock, Entity, Table};
    /// # #[derive(Entity)] #[pk = "SESSION#<id>"] #[sk = "SESSION"]
    /// # struct Session { id: String, #[dynamo(ttl)] expires_at: u64 }
    /// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
    /// let tomorrow = SystemTime::now() + Duration::from_secs(86_400);
    /// let later = table.with_clock(Clock::fixed(tomorrow));
    /// let gone = later.get::<Session>(Session::primary_key("s1")?).await?; // None if expired by then
    /// # Ok(()) }
    /// ```
    pub fn with_clock(&self, clock: Clock) -> Table {
        Table {
            clock,
            ..self.clone()
        }
    }

    /// The same table, with reads (get, query, collection query, batch get, read
    /// transaction) returning items whose TTL has passed but that DynamoDB has not deleted yet
    /// (it does within a few days). By default they stay hidden, as if deleted, and an index
    /// that does not hold an entity's TTL attribute (a keys-only index) is not read for it,
    /// as expired items could not be told apart there; with this, it can be (to find every
    /// session of a user to delete, say). Writes are not affected: an expired item is absent
    /// for them either way.
    pub fn including_expired(&self) -> Table {
        Table {
            include_expired: true,
            ..self.clone()
        }
    }

    /// The TTL attribute `ttl` by which this table's reads leave expired items out: none when
    /// they include expired items.
    pub(crate) fn expiring<'a>(&self, ttl: Option<&'a str>) -> Option<&'a str> {
        ttl.filter(|_| !self.include_expired)
    }

    /// Now, by this table's clock, in epoch seconds, for the TTL checks of reads: `i64::MIN`
    /// when reads include expired items, so that nothing counts as expired.
    pub(crate) fn read_now(&self) -> i64 {
        if self.include_expired {
            i64::MIN
        } else {
            epoch_seconds(self.clock.now())
        }
    }

    /// Now, by this table's clock.
    pub(crate) fn now(&self) -> std::time::SystemTime {
        self.clock.now()
    }

    /// Now, by this table's clock, in epoch seconds, for the TTL checks of writes (for which
    /// an expired item is always absent).
    pub(crate) fn write_now(&self) -> i64 {
        epoch_seconds(self.clock.now())
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The table's schema.
    pub fn schema(&self) -> &TableSchema {
        &self.schema
    }

    /// The SDK client, for anything this crate does not do.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates the table, its GSIs and its TTL setting, for development and tests. Production
    /// tables are better created by infrastructure-as-code from
    /// [`TableSchema::create_table_input`]. Table requests are not item requests: they are not
    /// counted in [`cost`](Self::cost).
    pub async fn create_table(&self) -> Result<()> {
        let input = self.schema.create_table_input(&self.name)?;
        let request = CreateTableInputBuilder::default()
            .table_name(&*self.name)
            .set_attribute_definitions(input.attribute_definitions)
            .set_key_schema(input.key_schema)
            .set_global_secondary_indexes(input.global_secondary_indexes)
            .set_local_secondary_indexes(input.local_secondary_indexes)
            .set_billing_mode(input.billing_mode);
        self.execute(About::many(), request).await?;
        if let Some(attribute) = &self.schema.ttl_attribute {
            let specification = TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(attribute)
                .build()
                .map_err(|e| Error::schema(SchemaErrorKind::Definition, e.to_string()))?;
            let request = UpdateTimeToLiveInputBuilder::default()
                .table_name(&*self.name)
                .time_to_live_specification(specification);
            self.execute(About::many(), request).await?;
        }
        Ok(())
    }
}
