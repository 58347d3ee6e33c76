//! Recording what the requests of each access pattern did, for the design report.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::types::{AttributeValue, TransactGetItem, TransactWriteItem, WriteRequest};

use crate::cost::Consumed;
use crate::{Index, Item, SortKeyCondition, Table};

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
    /// For a query: the sort key condition, as an operator and a value (`begins_with`, `PET#`).
    pub sort_condition: Option<(&'static str, Vec<String>)>,
    /// For a query of a multi-attribute index: its key condition with the values left out
    /// (`TournamentId = <TournamentId> AND Round >= <Round>`).
    pub multi_condition: Option<String>,
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
    pub fn target(&mut self, action: &'static str, index: Index, partition: Option<String>) {
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
    pub fn observe_items(&mut self, table: &Table, items: &[Item]) {
        let type_attribute = &table.schema.type_attribute;
        let keys = table.schema.key_attribute_names();
        if self.scanned == 0 && self.returned == 0 {
            self.returned = items.len() as u64;
            self.scanned = items.len() as u64;
        }
        for item in items {
            if let Some(AttributeValue::S(kind)) = item.get(type_attribute) {
                self.returned_types.insert(kind.clone());
            }
            for gsi in &table.schema.indexes {
                self.note_partition(gsi.index, item.get(&gsi.partition_key));
            }
            self.note_partition(Index::Primary, item.get(&table.schema.partition_key));
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
        Table {
            recorder: Some(recorder.clone()),
            report_capacity: true,
            ..self.clone()
        }
    }

    /// Records one request that was sent, if this handle records: `describe` fills in what it
    /// did, from its output when it succeeded.
    pub(crate) fn record<O: Consumed, E>(
        &self,
        operation: &'static str,
        result: &Result<O, E>,
        describe: impl FnOnce(&mut Event, Option<&O>),
    ) {
        let Some(recorder) = &self.recorder else {
            return;
        };
        let output = result.as_ref().ok();
        let units = crate::cost::units(output.and_then(Consumed::consumed));
        let write = matches!(
            operation,
            "PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem" | "TransactWriteItems"
        );
        let mut event = Event {
            pattern: self.pattern.clone(),
            operation,
            entity: None,
            index: Index::Primary,
            targets: Vec::new(),
            sort_condition: None,
            multi_condition: None,
            returned: 0,
            scanned: 0,
            filtered: false,
            read_units: if write { 0.0 } else { units },
            write_units: if write { units } else { 0.0 },
            returned_types: BTreeSet::new(),
            other_partitions: BTreeMap::new(),
            shared: None,
        };
        describe(&mut event, output);
        recorder.events().push(event);
    }

    /// Records a request on one item by key (GetItem, PutItem, UpdateItem, DeleteItem).
    pub(crate) fn record_on_key<O: Consumed, E>(
        &self,
        operation: &'static str,
        entity: &str,
        key: &crate::Key,
        result: &Result<O, E>,
    ) {
        self.record(operation, result, |event, _| {
            event.entity = Some(entity.to_owned());
            event.target(operation, Index::Primary, Some(key.pk.clone()));
        });
    }

    /// Whether this handle records requests (so that describing them is worth the work).
    pub(crate) fn is_recording(&self) -> bool {
        self.recorder.is_some()
    }

    /// The entity type of a base-table item or key: its type attribute, else the registered
    /// entity whose primary key templates produce its key.
    pub(crate) fn entity_of(&self, item: &Item) -> Option<String> {
        if let Some(AttributeValue::S(kind)) = item.get(&self.schema.type_attribute) {
            return Some(kind.clone());
        }
        let text = |name: &str| match item.get(name) {
            Some(AttributeValue::S(s)) => Some(s.clone()),
            _ => None,
        };
        let key = crate::Key {
            pk: text(&self.schema.partition_key)?,
            sk: self.schema.sort_key.as_deref().and_then(text),
        };
        self.schema
            .schemas
            .iter()
            .find(|s| s.is_primary_key(&key))
            .map(|s| s.entity_type.to_owned())
    }

    /// The partition key value of a base-table item or key, as targets name it.
    pub(crate) fn partition_of(&self, item: &Item) -> Option<String> {
        match item.get(&self.schema.partition_key) {
            Some(AttributeValue::S(pk)) => Some(pk.clone()),
            _ => None,
        }
    }
}

/// A query's sort key condition as an operator and its value(s).
pub(crate) fn describe_sort(condition: &SortKeyCondition) -> Option<(&'static str, Vec<String>)> {
    let (op, values) = match condition {
        SortKeyCondition::Any => return None,
        SortKeyCondition::Eq(v) => ("=", [v].to_vec()),
        SortKeyCondition::BeginsWith(v) => ("begins_with", [v].to_vec()),
        SortKeyCondition::Between(lo, hi) => ("BETWEEN", [lo, hi].to_vec()),
        SortKeyCondition::Lt(v) => ("<", [v].to_vec()),
        SortKeyCondition::Le(v) => ("<=", [v].to_vec()),
        SortKeyCondition::Gt(v) => (">", [v].to_vec()),
        SortKeyCondition::Ge(v) => (">=", [v].to_vec()),
    };
    Some((op, values.into_iter().cloned().collect()))
}

/// The permissions a BatchWriteItem request needs: `BatchWriteItem` on each item's partition.
pub(crate) fn write_targets(table: &Table, requests: &[WriteRequest]) -> Vec<Target> {
    let partition = |item: &Item| table.partition_of(item);
    requests
        .iter()
        .map(|request| Target {
            action: "BatchWriteItem",
            index: Index::Primary,
            partition: match (&request.put_request, &request.delete_request) {
                (Some(put), _) => partition(&put.item),
                (None, Some(delete)) => partition(&delete.key),
                (None, None) => None,
            },
            entity: match (&request.put_request, &request.delete_request) {
                (Some(put), _) => table.entity_of(&put.item),
                (None, Some(delete)) => table.entity_of(&delete.key),
                (None, None) => None,
            },
        })
        .collect()
}

/// The permissions a TransactGetItems request needs: `GetItem` on each item.
pub(crate) fn get_targets(table: &Table, items: &[TransactGetItem]) -> Vec<Target> {
    items
        .iter()
        .filter_map(|item| item.get.as_ref())
        .map(|get| Target {
            action: "GetItem",
            index: Index::Primary,
            partition: table.partition_of(&get.key),
            entity: table.entity_of(&get.key),
        })
        .collect()
}

/// The permissions a TransactWriteItems request needs: each operation's own action.
pub(crate) fn transaction_targets(table: &Table, items: &[TransactWriteItem]) -> Vec<Target> {
    items
        .iter()
        .filter_map(crate::transaction::operation_of)
        .map(|(action, _, item)| Target {
            action,
            index: Index::Primary,
            partition: table.partition_of(item),
            entity: table.entity_of(item),
        })
        .collect()
}
