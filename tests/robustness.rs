//! Properties of the logic that must hold for any input: sort key ranges select exactly the
//! keys in range, and nothing read from the network can panic.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_entity::__private::sort_key_range;
use dynamo_entity::{Entity, KeyValue, SortKeyCondition};
use proptest::prelude::*;

/// Whether DynamoDB's key condition would select `key` (byte-wise comparison of UTF-8).
fn selects(condition: &SortKeyCondition, key: &str) -> bool {
    let key = key.as_bytes();
    match condition {
        SortKeyCondition::Any => true,
        SortKeyCondition::Eq(v) => key == v.as_bytes(),
        SortKeyCondition::BeginsWith(v) => key.starts_with(v.as_bytes()),
        SortKeyCondition::Between(lo, hi) => lo.as_bytes() <= key && key <= hi.as_bytes(),
        SortKeyCondition::Lt(v) => key < v.as_bytes(),
        SortKeyCondition::Le(v) => key <= v.as_bytes(),
        SortKeyCondition::Gt(v) => key > v.as_bytes(),
        SortKeyCondition::Ge(v) => key >= v.as_bytes(),
    }
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Between,
    Gt,
    Ge,
    Lt,
    Le,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Between),
        Just(Op::Gt),
        Just(Op::Ge),
        Just(Op::Lt),
        Just(Op::Le)
    ]
}

fn in_range<T: PartialOrd>(op: Op, v: &T, a: &T, b: &T) -> bool {
    match op {
        Op::Between => a <= v && v <= b,
        Op::Gt => v > a,
        Op::Ge => v >= a,
        Op::Lt => v < a,
        Op::Le => v <= a,
    }
}

fn condition(op: Op, prefix: &str, a: String, b: String, fixed: bool) -> Option<SortKeyCondition> {
    let bounds = match op {
        Op::Between => (Some((a, true)), Some((b, true))),
        Op::Gt => (Some((a, false)), None),
        Op::Ge => (Some((a, true)), None),
        Op::Lt => (None, Some((a, false))),
        Op::Le => (None, Some((a, true))),
    };
    // An empty range is refused (an error), not sent.
    sort_key_range(prefix, bounds.0, bounds.1, fixed).ok()
}

/// Keys of neighbouring entities in the same partition, around `ORDER#`.
const NEIGHBOURS: [&str; 6] = [
    "NOTE#1",
    "ORDER",
    "ORDER$",
    "ORDERS_SUMMARY",
    "ORDER#",
    "PROFILE",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// A fixed-width placeholder, followed by more key or ending it.
    #[test]
    fn fixed_width_ranges_select_exactly_the_values_in_range(
        values in proptest::collection::vec((any::<u16>(), any::<i32>()), 1..40),
        a in any::<u16>(),
        b in any::<u16>(),
        op in op(),
        ends_the_key in any::<bool>(),
    ) {
        // `ORDER#<day>#<n>`, or `ORDER#<day>` when the placeholder ends the key.
        let key = |day: u16, n: i32| match ends_the_key {
            true => format!("ORDER#{}", day.to_key_string().unwrap()),
            false => format!("ORDER#{}#{}", day.to_key_string().unwrap(), n.to_key_string().unwrap()),
        };
        let bound = |v: u16| format!("ORDER#{}", v.to_key_string().unwrap());
        let Some(condition) = condition(op, "ORDER#", bound(a), bound(b), true) else {
            prop_assert!(matches!(op, Op::Between) && a > b || matches!(op, Op::Lt) && a == 0);
            return Ok(());
        };
        for &(day, n) in &values {
            prop_assert_eq!(
                selects(&condition, &key(day, n)),
                in_range(op, &day, &a, &b),
                "day {} with {:?} {} {}: {:?}", day, op, a, b, condition
            );
        }
        for neighbour in NEIGHBOURS {
            prop_assert!(!selects(&condition, neighbour), "{} leaked: {:?}", neighbour, condition);
        }
    }

    /// `NOTE#<topic>`: a string placeholder that ends the key.
    #[test]
    fn trailing_string_ranges_select_exactly_the_values_in_range(
        topics in proptest::collection::vec("[a-c]{1,4}", 1..30),
        a in "[a-c]{1,4}",
        b in "[a-c]{1,4}",
        op in op(),
    ) {
        let Some(condition) = condition(op, "NOTE#", format!("NOTE#{a}"), format!("NOTE#{b}"), false) else {
            return Ok(());
        };
        for topic in &topics {
            prop_assert_eq!(
                selects(&condition, &format!("NOTE#{topic}")),
                in_range(op, topic, &a, &b),
                "{} with {:?} {} {}: {:?}", topic, op, a, b, condition
            );
        }
        for neighbour in ["NOTE", "NOTE$", "NOTES#x", "NOTA#z", "ORDER#1"] {
            prop_assert!(!selects(&condition, neighbour), "{} leaked: {:?}", neighbour, condition);
        }
    }
}

#[derive(Debug, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "CHIP#<chip>")]
pub struct Pet {
    pub owner: String,
    pub pet_id: String,
    pub age: u8,
    pub weight: f64,
    pub chip: Option<u64>,
    pub tags: Vec<String>,
    pub meta: HashMap<String, i32>,
    #[dynamo(ttl)]
    pub expires: Option<u64>,
}

fn attribute() -> impl Strategy<Value = AttributeValue> {
    let leaf = prop_oneof![
        ".{0,8}".prop_map(AttributeValue::S),
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            Just("1e400".to_owned()),
            Just("-0.5".to_owned()),
            Just("NaN".to_owned()),
            ".{0,6}",
        ]
        .prop_map(AttributeValue::N),
        any::<bool>().prop_map(AttributeValue::Bool),
        Just(AttributeValue::Null(true)),
        proptest::collection::vec(any::<u8>(), 0..4).prop_map(|b| AttributeValue::B(Blob::new(b))),
        proptest::collection::vec(".{0,3}", 0..3).prop_map(AttributeValue::Ss),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(AttributeValue::L),
            proptest::collection::hash_map(".{0,4}", inner, 0..3).prop_map(AttributeValue::M),
        ]
    })
}

fn item() -> impl Strategy<Value = HashMap<String, AttributeValue>> {
    let name = prop_oneof![
        Just("Type".to_owned()),
        Just("owner".to_owned()),
        Just("pet_id".to_owned()),
        Just("age".to_owned()),
        Just("weight".to_owned()),
        Just("chip".to_owned()),
        Just("tags".to_owned()),
        Just("meta".to_owned()),
        Just("expires".to_owned()),
        ".{0,5}",
    ];
    proptest::collection::hash_map(name, attribute(), 0..10).prop_map(|mut item| {
        // Mostly of the right type, so that decoding gets past the first check.
        item.entry("Type".to_owned())
            .or_insert(AttributeValue::S("Pet".into()));
        item
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever an item holds, decoding it returns a value or an error, never a panic.
    #[test]
    fn decoding_any_item_never_panics(item in item()) {
        let _ = Pet::from_item(item);
    }

    /// A decoded item encodes back to an item that decodes to the same fields.
    #[test]
    fn what_decodes_round_trips(item in item()) {
        if let Ok(pet) = Pet::from_item(item) {
            if let Ok(again) = pet.to_item() {
                let back = Pet::from_item(again).unwrap();
                prop_assert_eq!(format!("{back:?}"), format!("{pet:?}"));
            }
        }
    }
}
