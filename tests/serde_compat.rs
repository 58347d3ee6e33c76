//! `attribute::to_attribute_value` writes exactly what serde_dynamo writes, and
//! `attribute::from_attribute_value` reads it exactly as serde_dynamo's own reader does: a
//! differential test over generated values of a type with every serde shape.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_entity::attribute::{from_attribute_value, to_attribute_value};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Unit;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Meters(u32);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Empty,
    Circle(f64),
    Pair(i16, String),
    Rect { w: u8, h: u8 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Everything {
    text: String,
    letter: char,
    small: i8,
    big: i64,
    unsigned: u64,
    ratio: f32,
    flag: bool,
    maybe: Option<String>,
    unit: Unit,
    distance: Meters,
    bytes: Vec<u8>,
    tuple: (u8, String, bool),
    shapes: Vec<Shape>,
    by_name: BTreeMap<String, i64>,
    set: BTreeSet<String>,
    by_number: BTreeMap<u16, bool>,
    #[serde(with = "serde_dynamo::string_set")]
    string_set: BTreeSet<String>,
    #[serde(with = "serde_dynamo::number_set")]
    number_set: BTreeSet<u32>,
    nested: Option<Box<Everything>>,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Empty),
        (-1e6f64..1e6).prop_map(Shape::Circle),
        (any::<i16>(), ".{0,4}").prop_map(|(a, b)| Shape::Pair(a, b)),
        (any::<u8>(), any::<u8>()).prop_map(|(w, h)| Shape::Rect { w, h }),
    ]
}

fn leaf() -> impl Strategy<Value = Everything> {
    let scalars = (
        ".{0,8}",
        any::<char>(),
        any::<i8>(),
        any::<i64>(),
        any::<u64>(),
        -1e6f32..1e6,
        any::<bool>(),
        proptest::option::of("[a-z]{0,3}"),
    );
    let shapes = (
        any::<u32>(),
        proptest::collection::vec(any::<u8>(), 0..4),
        (any::<u8>(), "[a-z]{0,3}", any::<bool>()),
        proptest::collection::vec(shape(), 0..4),
    );
    let collections = (
        proptest::collection::btree_map("[a-z]{1,3}", any::<i64>(), 0..3),
        proptest::collection::btree_set("[a-z]{1,3}", 0..3),
        proptest::collection::btree_map(any::<u16>(), any::<bool>(), 0..3),
        proptest::collection::btree_set("[a-z]{1,3}", 1..3),
        proptest::collection::btree_set(any::<u32>(), 1..3),
    );
    (scalars, shapes, collections).prop_map(
        |(
            (text, letter, small, big, unsigned, ratio, flag, maybe),
            (meters, bytes, tuple, shapes),
            (by_name, set, by_number, string_set, number_set),
        )| Everything {
            text,
            letter,
            small,
            big,
            unsigned,
            ratio,
            flag,
            maybe,
            unit: Unit,
            distance: Meters(meters),
            bytes,
            tuple,
            shapes,
            by_name,
            set,
            by_number,
            string_set,
            number_set,
            nested: None,
        },
    )
}

fn everything() -> impl Strategy<Value = Everything> {
    (leaf(), proptest::option::of(leaf())).prop_map(|(mut outer, inner)| {
        outer.nested = inner.map(Box::new);
        outer
    })
}

proptest! {
    #[test]
    fn writes_what_serde_dynamo_writes(value in everything()) {
        let theirs: AttributeValue = serde_dynamo::to_attribute_value(&value).unwrap();
        let ours = to_attribute_value(&value).unwrap();
        prop_assert_eq!(ours, theirs);
    }

    #[test]
    fn reads_what_serde_dynamo_writes_as_serde_dynamo_does(value in everything()) {
        let written: AttributeValue = serde_dynamo::to_attribute_value(&value).unwrap();
        let theirs: Everything = serde_dynamo::from_attribute_value(written.clone()).unwrap();
        let ours: Everything = from_attribute_value(written).unwrap();
        prop_assert_eq!(&ours, &theirs);
        prop_assert_eq!(ours, value);
    }

    /// On arbitrary (mostly wrong) input, both readers accept or refuse alike.
    #[test]
    fn accepts_and_refuses_alike(value in any_attribute(3)) {
        let theirs = serde_dynamo::from_attribute_value::<_, Shape>(value.clone());
        let ours = from_attribute_value::<Shape>(value.clone());
        prop_assert_eq!(ours.as_ref().ok(), theirs.as_ref().ok(), "{:?}", value);
        let theirs = serde_dynamo::from_attribute_value::<_, Option<Vec<u16>>>(value.clone());
        let ours = from_attribute_value::<Option<Vec<u16>>>(value.clone());
        prop_assert_eq!(ours.as_ref().ok(), theirs.as_ref().ok(), "{:?}", value);
    }
}

fn any_attribute(depth: u32) -> impl Strategy<Value = AttributeValue> {
    let leaf = prop_oneof![
        "[a-zA-Z]{0,6}".prop_map(AttributeValue::S),
        prop_oneof![Just("Empty".to_owned()), Just("Circle".to_owned())]
            .prop_map(AttributeValue::S),
        any::<i32>().prop_map(|n| AttributeValue::N(n.to_string())),
        Just(AttributeValue::N("70000".into())),
        any::<bool>().prop_map(AttributeValue::Bool),
        Just(AttributeValue::Null(true)),
    ];
    leaf.prop_recursive(depth, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(AttributeValue::L),
            proptest::collection::hash_map(
                prop_oneof![
                    Just("Circle".to_owned()),
                    Just("Rect".to_owned()),
                    Just("w".to_owned()),
                    Just("h".to_owned())
                ],
                inner,
                0..3
            )
            .prop_map(AttributeValue::M),
        ]
    })
}
