//! Recording what the requests of each access pattern did, for the design report.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use std::any::Any;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::expr::condition::{Comparator, Cond, Operand};
use crate::expr::render::{show, value_text};
use crate::item::{Item, Key};
use crate::model::index::Index;
use crate::model::schema::TableSchema;
use crate::runtime::execute::{operation_of, Answer, Exchange, Observe, Outcome, Sent};
use crate::runtime::table::Table;

/// Collects what every request through a recording handle did, grouped by the access pattern
/// it was labelled with ([`Table::pattern`]), for the design report
/// ([`Design::patterns`](crate::design::Design::patterns)).
///
/// Cheap to clone: clones share one record. Recording keeps, for each request, its operation,
/// index, key condition, the partitions it touched and what it returned, never the items
/// themselves.
///
/// ```no_run
/// # use dynamo_entity::{Entity, Table, design::Recorder};
/// # #[derive(Entity)] #[pk = "USER#<owner_id>"] #[sk = "PET#<pet_id>"]
/// # struct Pet { owner_id: String, pet_id: String }
/// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
/// let recorder = Recorder::new();
/// let table = table.recorded_by(&recorder);
/// table.pattern("pets of an owner").query(Pet::query("alice")?).all().await?;
/// assert_eq!(recorder.patterns(), ["pets of an owner"]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    events: Arc<Mutex<Vec<Event>>>,
}

impl Recorder {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// The labels of the patterns recorded, in the order they were first seen.
    pub fn patterns(&self) -> Vec<String> {
        let mut labels: Vec<String> = Vec::new();
        for event in self.events().iter() {
            let label = event.pattern_label();
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        labels
    }

    /// Forgets everything recorded so far.
    pub fn clear(&self) {
        self.events().clear();
    }

    pub(crate) fn events(&self) -> std::sync::MutexGuard<'_, Vec<Event>> {
        // A poisoned lock only means a panic elsewhere mid-push; the events are still whole.
        self.events.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The label of requests sent through a handle with no [`Table::pattern`].
pub(crate) const UNLABELLED: &str = "(no pattern)";

/// One item-level permission a request needed, on one partition of one index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Target {
    /// The IAM action (`GetItem`, `Query`, `PutItem`, ... `ConditionCheckItem`).
    pub action: &'static str,
    pub index: Index,
    /// The partition key value, when the request names one (a scan does not).
    pub partition: Option<String>,
    /// The entity type of the item, where the request shows it (a batch or transaction names
    /// several items, each its own).
    pub entity: Option<String>,
}

/// One request, as the design report needs it.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub pattern: Option<Arc<str>>,
    /// The API operation (`Query`, `TransactWriteItems`, ...).
    pub operation: &'static str,
    /// The entity (or collection) the request was for, when one.
    pub entity: Option<String>,
    pub index: Index,
    pub targets: Vec<Target>,
    /// For a query: its key condition.
    pub key: Vec<Cond>,
    /// Items returned, and items read before a filter (they differ only for filtered reads).
    pub returned: u64,
    pub scanned: u64,
    pub filtered: bool,
    pub read_units: f64,
    pub write_units: f64,
    /// For a query or scan: the entity types of the items returned.
    pub returned_types: BTreeSet<String>,
    /// For a query: the partition each returned item has in each other index
    /// (index → partition values), and the attributes equal in every item returned.
    pub other_partitions: BTreeMap<Index, (u64, BTreeSet<String>)>,
    pub shared: Option<BTreeMap<String, AttributeValue>>,
}

impl Event {
    /// Adds a permission the request needed.
    fn target(&mut self, action: &'static str, index: Index, partition: Option<String>) {
        self.targets.push(Target {
            action,
            index,
            partition,
            entity: None,
        });
    }

    pub fn pattern_label(&self) -> String {
        self.pattern.as_deref().unwrap_or(UNLABELLED).to_owned()
    }

    fn note_partition(&mut self, index: Index, pk: Option<&AttributeValue>) {
        if let Some(AttributeValue::S(pk)) = pk {
            let (count, partitions) = self.other_partitions.entry(index).or_default();
            *count += 1;
            partitions.insert(pk.clone());
        }
    }

    /// Notes what the items returned by a query or scan have in common, for the fan-out lint.
    /// Counts them as returned and read, unless the request said how many it read.
    fn observe_items(&mut self, schema: &TableSchema, items: &[Item]) {
        let type_attribute = &schema.type_attribute;
        let keys = schema.key_attribute_names();
        if self.scanned == 0 && self.returned == 0 {
            self.returned = items.len() as u64;
            self.scanned = items.len() as u64;
        }
        for item in items {
            if let Some(AttributeValue::S(kind)) = item.get(type_attribute) {
                self.returned_types.insert(kind.clone());
            }
            for gsi in &schema.indexes {
                self.note_partition(gsi.index, item.get(&gsi.partition_key));
            }
            self.note_partition(Index::Primary, item.get(&schema.partition_key));
            let application = item
                .iter()
                .filter(|(name, _)| !keys.contains(&name.as_str()) && **name != *type_attribute);
            match &mut self.shared {
                None => {
                    self.shared = Some(application.map(|(k, v)| (k.clone(), v.clone())).collect())
                }
                Some(shared) => shared.retain(|name, value| item.get(name) == Some(value)),
            }
        }
    }
}

impl Table {
    /// The same table, recording what each request does into `recorder` (and asking DynamoDB
    /// for the capacity each consumes), for the design report. Clones of the handle, and
    /// handles made from it ([`pattern`](Self::pattern), [`metered`](Self::metered)), record
    /// into the same recorder.
    pub fn recorded_by(&self, recorder: &Recorder) -> Table {
        self.observed_by(Arc::new(recorder.clone()), true)
    }
}

/// The entity type of a base-table item or key: its type attribute, else the registered entity
/// whose primary key templates produce its key.
fn entity_of(schema: &TableSchema, item: &Item) -> Option<String> {
    if let Some(AttributeValue::S(kind)) = item.get(&schema.type_attribute) {
        return Some(kind.clone());
    }
    let text = |name: &str| match item.get(name) {
        Some(AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    };
    let key = Key {
        pk: text(&schema.partition_key)?,
        sk: schema.sort_key.as_deref().and_then(text),
    };
    schema
        .schemas
        .iter()
        .find(|s| s.is_primary_key(&key))
        .map(|s| s.entity_type.to_owned())
}

/// The partition key value of a base-table item or key, as targets name it.
fn partition_of(schema: &TableSchema, item: &Item) -> Option<String> {
    match item.get(&schema.partition_key) {
        Some(AttributeValue::S(pk)) => Some(pk.clone()),
        _ => None,
    }
}

/// The partition a query reads, as its key condition names it: the partition key's value, or
/// the whole condition of a multi-attribute key (values shown as they are).
fn queried_partition(schema: &TableSchema, index: Index, key: &[Cond]) -> Option<String> {
    let multi = schema
        .index(index)
        .is_some_and(|i| !i.partition_keys.is_empty());
    if multi {
        return Some(show(key, |_, v| value_text(v)));
    }
    match key.first()? {
        Cond::Compare(_, Comparator::Eq, Operand::Value(AttributeValue::S(pk))) => Some(pk.clone()),
        _ => None,
    }
}

impl Observe for Recorder {
    fn sending(&self, exchange: &Exchange<'_>, sent: Sent<'_>) -> Option<Box<dyn Any + Send>> {
        if !exchange.op.is_item_request() {
            return None;
        }
        let table = exchange.table;
        let schema = &table.schema;
        let about = exchange.about;
        let op = exchange.op.name();
        let mut event = Event {
            pattern: table.pattern.clone(),
            operation: op,
            entity: about.entity.map(str::to_owned),
            index: Index::Primary,
            targets: Vec::new(),
            key: Vec::new(),
            returned: 0,
            scanned: 0,
            filtered: false,
            read_units: 0.0,
            write_units: 0.0,
            returned_types: BTreeSet::new(),
            other_partitions: BTreeMap::new(),
            shared: None,
        };
        let partition = |item: Option<&Item>| item.and_then(|item| partition_of(schema, item));
        match sent {
            Sent::GetItem(input) => {
                event.target(op, Index::Primary, partition(input.get_key().as_ref()))
            }
            Sent::PutItem(input) => {
                event.target(op, Index::Primary, partition(input.get_item().as_ref()))
            }
            Sent::UpdateItem(input) => {
                event.target(op, Index::Primary, partition(input.get_key().as_ref()))
            }
            Sent::DeleteItem(input) => {
                event.target(op, Index::Primary, partition(input.get_key().as_ref()))
            }
            Sent::Query(input) => {
                event.index = about.index;
                event.filtered = input.get_filter_expression().is_some();
                event.key = about.key.to_vec();
                let pk = queried_partition(schema, about.index, about.key);
                event.target(op, about.index, pk);
            }
            Sent::Scan => {
                // A scan reads everything: its items are counted as filtered, whatever it
                // selects.
                event.index = about.index;
                event.target(op, about.index, None);
                event.filtered = true;
            }
            Sent::BatchGetItem(input) => {
                let keys = input
                    .get_request_items()
                    .as_ref()
                    .and_then(|r| r.get(&*table.name))
                    .map_or(&[][..], |k| k.keys());
                for key in keys {
                    event.target(op, Index::Primary, partition_of(schema, key));
                }
            }
            Sent::BatchWriteItem(input) => {
                let requests = input
                    .get_request_items()
                    .as_ref()
                    .and_then(|r| r.get(&*table.name))
                    .map_or(&[][..], Vec::as_slice);
                event.targets = requests
                    .iter()
                    .map(|request| {
                        let item = match (&request.put_request, &request.delete_request) {
                            (Some(put), _) => Some(&put.item),
                            (None, Some(delete)) => Some(&delete.key),
                            (None, None) => None,
                        };
                        Target {
                            action: op,
                            index: Index::Primary,
                            partition: item.and_then(|i| partition_of(schema, i)),
                            entity: item.and_then(|i| entity_of(schema, i)),
                        }
                    })
                    .collect();
            }
            Sent::TransactGetItems(input) => {
                event.targets = input
                    .get_transact_items()
                    .iter()
                    .flatten()
                    .filter_map(|item| item.get.as_ref())
                    .map(|get| Target {
                        action: "GetItem",
                        index: Index::Primary,
                        partition: partition_of(schema, &get.key),
                        entity: entity_of(schema, &get.key),
                    })
                    .collect();
            }
            Sent::TransactWriteItems(input) => {
                event.targets = input
                    .get_transact_items()
                    .iter()
                    .flatten()
                    .filter_map(operation_of)
                    .map(|(action, _, item)| Target {
                        action,
                        index: Index::Primary,
                        partition: partition_of(schema, item),
                        entity: entity_of(schema, item),
                    })
                    .collect();
            }
            Sent::Table => return None,
        }
        Some(Box::new(event))
    }

    fn answered(
        &self,
        exchange: &Exchange<'_>,
        kept: Option<Box<dyn Any + Send>>,
        outcome: &Outcome<'_>,
    ) {
        let Some(Ok(mut event)) = kept.map(|kept| kept.downcast::<Event>()) else {
            return;
        };
        let units = outcome.units.unwrap_or_default();
        if exchange.op.writes() {
            event.write_units = units;
        } else {
            event.read_units = units;
        }
        let schema = &exchange.table.schema;
        match outcome.answer {
            Some(Answer::GetItem(output)) => {
                if let Some(item) = output.item.as_ref() {
                    event.observe_items(schema, std::slice::from_ref(item));
                }
            }
            Some(Answer::Query(output)) => {
                event.returned = output.count.max(0) as u64;
                event.scanned = output.scanned_count.max(0) as u64;
                event.observe_items(schema, output.items());
            }
            Some(Answer::Scan(output)) => {
                event.returned = output.count.max(0) as u64;
                event.scanned = output.scanned_count.max(0) as u64;
                event.observe_items(schema, output.items());
            }
            Some(Answer::BatchGetItem(output)) => {
                let found = output
                    .responses
                    .as_ref()
                    .and_then(|r| r.get(&*exchange.table.name));
                event.observe_items(schema, found.map_or(&[], Vec::as_slice));
            }
            Some(Answer::TransactGetItems(output)) => {
                let found: Vec<Item> = output
                    .responses
                    .iter()
                    .flatten()
                    .filter_map(|r| r.item.clone())
                    .collect();
                event.observe_items(schema, &found);
            }
            Some(Answer::Other) | None => {}
        }
        self.events().push(*event);
    }
}
