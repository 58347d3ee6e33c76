//! What the unit tests of request building share: entities, a table whose client never sends,
//! and the expressions of a request as text, to pin. Each request's input is a pure function
//! of the call, so every operation's text is tested without a server.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

pub(crate) use crate::item::Item;
pub(crate) use crate::model::entity::Entity;
use crate::model::schema::TableSchema;
use crate::runtime::clock::Clock;
use crate::runtime::table::Table;

/// A pet, with a version, an index and fields of every kind an update changes.
#[derive(Debug, Clone, PartialEq, crate::Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "SPECIES#<species>", sk = "NAME#<name>")]
pub(crate) struct Pet {
    pub owner: String,
    pub pet_id: String,
    pub species: String,
    pub name: String,
    pub visits: u32,
    pub nickname: Option<String>,
    pub tags: BTreeSet<String>,
    pub log: Vec<String>,
    pub addresses: HashMap<String, String>,
    pub reactions: HashMap<String, u32>,
    #[dynamo(version)]
    pub version: u64,
}

/// A session, with a TTL and a unique value.
#[derive(Debug, Clone, PartialEq, crate::Entity)]
#[pk = "SESSION#<id>"]
#[sk = "SESSION"]
pub(crate) struct Session {
    pub id: String,
    pub user: String,
    #[dynamo(unique)]
    pub email: String,
    #[dynamo(ttl)]
    pub expires: u64,
}

/// Rex, alice's dog, as stored at version `version`.
pub(crate) fn rex(version: u64) -> Pet {
    Pet {
        owner: "alice".into(),
        pet_id: "rex".into(),
        species: "dog".into(),
        name: "Rex".into(),
        visits: 3,
        nickname: None,
        tags: BTreeSet::new(),
        log: Vec::new(),
        addresses: HashMap::new(),
        reactions: HashMap::new(),
        version,
    }
}

/// A session of alice's.
pub(crate) fn session() -> Session {
    Session {
        id: "s1".into(),
        user: "alice".into(),
        email: "alice@example.com".into(),
        expires: 1_700_086_400,
    }
}

/// The time of every test table's clock: 2023-11-14T22:13:20Z, epoch second 1,700,000,000.
pub(crate) const NOW: u64 = 1_700_000_000;

/// A table of pets and sessions named `pets`, on a client that is never sent anything, its
/// clock fixed at [`NOW`].
pub(crate) fn table() -> Table {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .build();
    let schema = TableSchema::new()
        .entity::<Pet>()
        .and_then(|s| s.entity::<Session>())
        .expect("the test entities fit one table");
    let now: SystemTime = UNIX_EPOCH + Duration::from_secs(NOW);
    Table::new(Client::from_conf(config), "pets", schema)
        .expect("a valid table name")
        .with_clock(Clock::fixed(now))
}

/// A string value.
pub(crate) fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

/// A number value.
pub(crate) fn n(text: &str) -> AttributeValue {
    AttributeValue::N(text.to_owned())
}

/// A request's expressions as text, its placeholders sorted, for `assert_eq!`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Text {
    pub condition: Option<String>,
    pub key: Option<String>,
    pub filter: Option<String>,
    pub update: Option<String>,
    pub projection: Option<String>,
    pub names: Vec<(String, String)>,
    pub values: Vec<(String, AttributeValue)>,
}

/// The placeholder maps sorted by placeholder.
pub(crate) fn sorted<V: Clone>(map: &Option<HashMap<String, V>>) -> Vec<(String, V)> {
    let mut pairs: Vec<(String, V)> = map.clone().unwrap_or_default().into_iter().collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs
}

/// `(placeholder, name)` pairs, as a test writes them.
pub(crate) fn names(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(p, n)| ((*p).to_owned(), (*n).to_owned()))
        .collect()
}

/// `(placeholder, value)` pairs, as a test writes them.
pub(crate) fn values(pairs: &[(&str, AttributeValue)]) -> Vec<(String, AttributeValue)> {
    pairs
        .iter()
        .map(|(p, v)| ((*p).to_owned(), v.clone()))
        .collect()
}

/// A key item of the test table.
pub(crate) fn key_item(pk: &str, sk: &str) -> Item {
    [("PK".to_owned(), s(pk)), ("SK".to_owned(), s(sk))].into()
}

/// [`Text`] of a request builder (or a transaction's operation), from the getters it has.
macro_rules! text_of {
    ($request:expr; $($field:ident: $getter:ident),*) => {{
        let request = $request;
        Text {
            $($field: request.$getter().clone(),)*
            names: sorted(request.get_expression_attribute_names()),
            values: sorted(request.get_expression_attribute_values()),
            ..Text::default()
        }
    }};
}

/// The builders of conditional writes, whose expressions are a condition (and an update).
pub(crate) trait ConditionedWrite {
    fn text(&self) -> Text;
}

impl ConditionedWrite for aws_sdk_dynamodb::operation::put_item::builders::PutItemInputBuilder {
    fn text(&self) -> Text {
        text_of!(self; condition: get_condition_expression)
    }
}

impl ConditionedWrite
    for aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemInputBuilder
{
    fn text(&self) -> Text {
        text_of!(self; condition: get_condition_expression)
    }
}

impl ConditionedWrite
    for aws_sdk_dynamodb::operation::update_item::builders::UpdateItemInputBuilder
{
    fn text(&self) -> Text {
        text_of!(self; condition: get_condition_expression, update: get_update_expression)
    }
}

/// A query's text.
pub(crate) fn query_text(
    request: &aws_sdk_dynamodb::operation::query::builders::QueryInputBuilder,
) -> Text {
    text_of!(request; key: get_key_condition_expression, filter: get_filter_expression,
        projection: get_projection_expression)
}

/// A transaction operation's text.
pub(crate) fn operation_text(item: &aws_sdk_dynamodb::types::TransactWriteItem) -> Text {
    let expressions = |condition: &Option<String>,
                       update: Option<&str>,
                       names: &Option<HashMap<String, String>>,
                       values: &Option<Item>| Text {
        condition: condition.clone(),
        update: update.map(str::to_owned),
        names: sorted(names),
        values: sorted(values),
        ..Text::default()
    };
    if let Some(put) = &item.put {
        expressions(
            &put.condition_expression,
            None,
            &put.expression_attribute_names,
            &put.expression_attribute_values,
        )
    } else if let Some(update) = &item.update {
        expressions(
            &update.condition_expression,
            Some(&update.update_expression),
            &update.expression_attribute_names,
            &update.expression_attribute_values,
        )
    } else if let Some(delete) = &item.delete {
        expressions(
            &delete.condition_expression,
            None,
            &delete.expression_attribute_names,
            &delete.expression_attribute_values,
        )
    } else if let Some(check) = &item.condition_check {
        expressions(
            &Some(check.condition_expression.clone()),
            None,
            &check.expression_attribute_names,
            &check.expression_attribute_values,
        )
    } else {
        Text::default()
    }
}
