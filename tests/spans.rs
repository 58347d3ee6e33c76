//! Each request in a `tracing` span naming its operation, table, entity, index and access
//! pattern, with the items returned and the capacity consumed; against DynamoDB Local.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use dynamo_entity::{Entity, TableSchema};
use dynamo_entity_suite::fresh_table;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A subscriber that keeps the fields of this crate's spans, as text.
#[derive(Clone, Default)]
struct Spans {
    spans: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Spans {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "dynamo_entity"
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = HashMap::from([("name".to_owned(), span.metadata().name().to_owned())]);
        span.record(&mut Fields(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push(fields);
        Id::from_u64(spans.len() as u64)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let fields = &mut spans[span.into_u64() as usize - 1];
        values.record(&mut Fields(fields));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "SPECIES#<species>", sk = "PET#<pet_id>")]
pub struct Pet {
    pub owner: String,
    pub pet_id: String,
    pub species: String,
}

fn field<'a>(span: &'a HashMap<String, String>, name: &str) -> &'a str {
    span.get(name).map_or("", String::as_str)
}

#[tokio::test]
async fn each_request_is_a_span_with_its_pattern_items_and_capacity() {
    let table = fresh_table(TableSchema::new().entity::<Pet>().unwrap()).await;
    for pet_id in ["rex", "tom"] {
        table
            .create(&Pet {
                owner: "alice".into(),
                pet_id: pet_id.into(),
                species: "dog".into(),
            })
            .await
            .unwrap();
    }

    let spans = Spans::default();
    let guard = tracing::subscriber::set_default(spans.clone());
    let labelled = table.pattern("dogs by species");
    let dogs = labelled
        .query(Pet::query_gsi1("dog").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(dogs.len(), 2);
    table
        .get::<Pet>(Pet::primary_key("alice", "rex").unwrap())
        .await
        .unwrap();
    drop(guard);

    let spans = spans.spans.lock().unwrap();
    let ours: Vec<_> = spans
        .iter()
        .filter(|s| field(s, "name") == "dynamodb")
        .collect();
    assert_eq!(ours.len(), 2, "{spans:?}");
    let query = ours[0];
    assert_eq!(field(query, "operation"), "Query");
    assert_eq!(field(query, "table"), table.name());
    assert_eq!(field(query, "entity"), "Pet");
    assert_eq!(field(query, "index"), "GSI1");
    assert_eq!(field(query, "pattern"), "dogs by species");
    assert_eq!(field(query, "items"), "2");
    // A listening subscriber is someone who will look: capacity is asked for, and recorded,
    // although the handle is not metered.
    assert_eq!(field(query, "read_units"), "0.5");
    let get = ours[1];
    assert_eq!(field(get, "operation"), "GetItem");
    assert_eq!(field(get, "index"), "");
    assert_eq!(field(get, "pattern"), "");
    assert_eq!(field(get, "read_units"), "0.5");
}

#[tokio::test]
async fn without_a_subscriber_capacity_is_not_asked_for() {
    let table = fresh_table(TableSchema::new().entity::<Pet>().unwrap()).await;
    table
        .get::<Pet>(Pet::primary_key("alice", "rex").unwrap())
        .await
        .unwrap();
    let cost = table.cost();
    assert_eq!((cost.requests, cost.read_units), (1, 0.0));
}
