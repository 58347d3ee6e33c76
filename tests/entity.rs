//! Keys and items of derived entities: what `to_item` writes, what `from_item` accepts, and the
//! errors for everything it must refuse.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_entity::{
    Entity, Error, Index, Item, Key, KeySchema, KeyValue, KeyValueError, Segment, Template,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    pub city: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, KeyValue)]
pub enum Species {
    Dog,
    Cat,
    #[dynamo(rename = "OTHER")]
    Other,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "PET#<pet_id>", sk = "PET#<pet_id>")]
#[gsi2(pk = "SPECIES#<species>", sk = "CHIP#<chip>")]
pub struct Pet {
    pub owner_id: String,
    pub pet_id: String,
    pub species: Species,
    pub name: String,
    pub age: u8,
    pub weight_kg: f64,
    pub vaccinated: bool,
    pub chip: Option<u64>,
    pub tags: Vec<String>,
    pub home: Address,
    pub photo: Vec<u8>,
    #[dynamo(rename = "nick")]
    pub nickname: Option<String>,
    #[dynamo(skip)]
    pub cached_score: u32,
}

fn rex() -> Pet {
    Pet {
        owner_id: "alice".into(),
        pet_id: "rex".into(),
        species: Species::Dog,
        name: "Rex".into(),
        age: 3,
        weight_kg: 12.5,
        vaccinated: true,
        chip: Some(981),
        tags: vec!["good".into(), "loud".into()],
        home: Address {
            street: "1 Main St".into(),
            city: "Wellington".into(),
        },
        photo: vec![0, 159, 255],
        nickname: Some("Rexy".into()),
        cached_score: 77,
    }
}

fn s(item: &Item, name: &str) -> String {
    item[name].as_s().unwrap().clone()
}

#[test]
fn to_item_writes_keys_type_and_every_attribute() {
    let item = rex().to_item().unwrap();
    assert_eq!(s(&item, "PK"), "USER#alice");
    assert_eq!(s(&item, "SK"), "PET#rex");
    assert_eq!(s(&item, "GSI1PK"), "PET#rex");
    assert_eq!(s(&item, "GSI1SK"), "PET#rex");
    assert_eq!(s(&item, "GSI2PK"), "SPECIES#Dog");
    assert_eq!(s(&item, "GSI2SK"), "CHIP#00000000000000000981");
    assert_eq!(s(&item, "Type"), "Pet");
    assert_eq!(s(&item, "owner_id"), "alice");
    assert_eq!(s(&item, "species"), "Dog");
    assert_eq!(item["age"].as_n().unwrap(), "3");
    assert_eq!(item["weight_kg"].as_n().unwrap(), "12.5");
    assert_eq!(item["vaccinated"], AttributeValue::Bool(true));
    assert_eq!(item["chip"].as_n().unwrap(), "981");
    assert_eq!(
        item["tags"],
        AttributeValue::L(vec![
            AttributeValue::S("good".into()),
            AttributeValue::S("loud".into())
        ])
    );
    let home = item["home"].as_m().unwrap();
    assert_eq!(home["city"].as_s().unwrap(), "Wellington");
    assert_eq!(
        item["photo"],
        AttributeValue::B(Blob::new(vec![0, 159, 255]))
    );
    assert_eq!(s(&item, "nick"), "Rexy");
    assert!(!item.contains_key("nickname"));
    assert!(
        !item.contains_key("cached_score"),
        "skipped fields are not stored"
    );
    assert_eq!(item.len(), 19, "7 key and type attributes, 12 fields");
}

#[test]
fn from_item_round_trips_and_defaults_skipped_fields() {
    let pet = rex();
    let back = Pet::from_item(pet.to_item().unwrap()).unwrap();
    assert_eq!(
        back,
        Pet {
            cached_score: 0,
            ..pet
        }
    );
}

#[test]
fn none_is_left_out_and_a_sparse_index_is_skipped() {
    let pet = Pet {
        chip: None,
        nickname: None,
        ..rex()
    };
    let item = pet.to_item().unwrap();
    assert!(!item.contains_key("chip"));
    assert!(!item.contains_key("nick"));
    assert!(!item.values().any(|v| matches!(v, AttributeValue::Null(_))));
    assert!(
        !item.contains_key("GSI2PK"),
        "a sparse GSI is left out when its input is None"
    );
    assert!(!item.contains_key("GSI2SK"));
    assert!(item.contains_key("GSI1PK"));
    assert_eq!(pet.index_key(Index::Gsi(2)).unwrap(), None);
    assert_eq!(
        Pet::from_item(item).unwrap(),
        Pet {
            cached_score: 0,
            ..pet
        }
    );
}

#[test]
fn a_null_attribute_reads_as_none() {
    let mut item = rex().to_item().unwrap();
    item.insert("nick".into(), AttributeValue::Null(true));
    assert_eq!(Pet::from_item(item).unwrap().nickname, None);
}

#[test]
fn key_builders_take_the_placeholder_fields() {
    assert_eq!(
        Pet::primary_key("alice", "rex").unwrap(),
        Key {
            pk: "USER#alice".into(),
            sk: Some("PET#rex".into())
        }
    );
    let owner = String::from("alice");
    assert_eq!(Pet::partition_key(&owner).unwrap(), "USER#alice");
    assert_eq!(Pet::partition_key(owner.clone()).unwrap(), "USER#alice");
    assert_eq!(
        Pet::gsi1_key("rex").unwrap(),
        Key {
            pk: "PET#rex".into(),
            sk: Some("PET#rex".into())
        }
    );
    assert_eq!(
        Pet::gsi2_partition_key(Species::Other).unwrap(),
        "SPECIES#OTHER"
    );
    assert_eq!(
        Pet::gsi2_key(Species::Cat, 7).unwrap().sk.as_deref(),
        Some("CHIP#00000000000000000007")
    );
    // The builders and the entity agree.
    let pet = rex();
    assert_eq!(
        pet.key().unwrap(),
        Pet::primary_key("alice", "rex").unwrap()
    );
    assert_eq!(
        pet.index_key(Index::Gsi(2)).unwrap(),
        Some(Pet::gsi2_key(Species::Dog, 981).unwrap())
    );
    assert_eq!(pet.index_key(Index::Gsi(9)).unwrap(), None);
}

#[test]
fn template_constants_and_schema_describe_the_entity() {
    assert_eq!(Pet::PK_TEMPLATE, "USER#<owner_id>");
    assert_eq!(Pet::SK_TEMPLATE, Some("PET#<pet_id>"));
    assert_eq!(Pet::GSI2_PK_TEMPLATE, "SPECIES#<species>");
    assert_eq!(Pet::GSI2_SK_TEMPLATE, Some("CHIP#<chip>"));
    assert_eq!(Pet::ENTITY_TYPE, "Pet");
    let schema = Pet::SCHEMA;
    assert_eq!(schema.entity_type, "Pet");
    assert_eq!(schema.type_attribute, "Type");
    assert_eq!(schema.layout, &dynamo_entity::Layout::DEFAULT);
    assert!(!schema.constant_pk);
    assert_eq!(
        schema.keys,
        &[
            KeySchema {
                index: Index::Primary,
                pk: Template::new(
                    "USER#<owner_id>",
                    &[Segment::Literal("USER#"), Segment::Field("owner_id", None)],
                ),
                sk: Some(Template::new(
                    "PET#<pet_id>",
                    &[Segment::Literal("PET#"), Segment::Field("pet_id", None)],
                )),
                sparse: false,
                inputs: &["owner_id", "pet_id"],
                computed: false,
            },
            KeySchema {
                index: Index::Gsi(1),
                pk: Template::new(
                    "PET#<pet_id>",
                    &[Segment::Literal("PET#"), Segment::Field("pet_id", None)],
                ),
                sk: Some(Template::new(
                    "PET#<pet_id>",
                    &[Segment::Literal("PET#"), Segment::Field("pet_id", None)],
                )),
                sparse: false,
                inputs: &["pet_id"],
                computed: false,
            },
            KeySchema {
                index: Index::Gsi(2),
                pk: Template::new(
                    "SPECIES#<species>",
                    &[
                        Segment::Literal("SPECIES#"),
                        Segment::Field("species", None)
                    ],
                ),
                sk: Some(Template::new(
                    "CHIP#<chip>",
                    &[Segment::Literal("CHIP#"), Segment::Field("chip", None)],
                )),
                sparse: true,
                inputs: &["species", "chip"],
                computed: false,
            },
        ]
    );
    assert_eq!(
        schema.key_schema(Index::Primary).unwrap().sk_prefix(),
        Some("PET#")
    );
    let attributes: Vec<_> = schema.attributes.iter().map(|a| a.attribute).collect();
    assert_eq!(
        attributes,
        [
            "owner_id",
            "pet_id",
            "species",
            "name",
            "age",
            "weight_kg",
            "vaccinated",
            "chip",
            "tags",
            "home",
            "photo",
            "nick"
        ]
    );
    assert!(schema.attributes[11].optional);
}

#[test]
fn invalid_key_values_name_entity_field_and_template() {
    let pet = Pet {
        pet_id: "rex#2".into(),
        ..rex()
    };
    let err = pet.to_item().unwrap_err();
    assert!(
        matches!(
            &err,
            Error::InvalidKey {
                entity: "Pet",
                field: "pet_id",
                template: "PET#<pet_id>",
                reason: KeyValueError::ContainsDelimiter
            }
        ),
        "{err:?}"
    );
    let err = Pet::partition_key("").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid key value for Pet.owner_id in `USER#<owner_id>`: the value is empty"
    );
}

fn decode_error(item: Item) -> (String, String, String) {
    match Pet::from_item(item) {
        Err(Error::Decode {
            entity: "Pet",
            attribute,
            expected,
            found,
        }) => (attribute.into_owned(), expected.into_owned(), found),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn a_missing_attribute_is_a_decode_error() {
    let mut item = rex().to_item().unwrap();
    item.remove("name");
    let (attribute, expected, found) = decode_error(item);
    assert_eq!(attribute, "name");
    assert_eq!(expected, "a string (S)");
    assert_eq!(found, "nothing (the attribute is missing)");

    let mut item = rex().to_item().unwrap();
    item.remove("tags");
    let (attribute, _, found) = decode_error(item);
    assert_eq!(attribute, "tags");
    assert_eq!(found, "nothing (the attribute is missing)");
}

#[test]
fn a_mistyped_attribute_is_a_decode_error() {
    let mut item = rex().to_item().unwrap();
    item.insert("age".into(), AttributeValue::S("three".into()));
    let (attribute, expected, found) = decode_error(item);
    assert_eq!(
        (attribute.as_str(), expected.as_str(), found.as_str()),
        ("age", "a number (N) that fits u8", "S \"three\"")
    );

    let mut item = rex().to_item().unwrap();
    item.insert("age".into(), AttributeValue::N("300".into()));
    let err = Pet::from_item(item).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot decode Pet: attribute `age` should be a number (N) that fits u8, found N \"300\""
    );

    let mut item = rex().to_item().unwrap();
    item.insert("home".into(), AttributeValue::S("somewhere".into()));
    let (attribute, expected, found) = decode_error(item);
    assert_eq!(attribute, "home");
    assert!(expected.contains("Address"), "{expected}");
    assert_eq!(
        found,
        "a value serde rejects: invalid type: S \"somewhere\", expected struct Address"
    );

    let mut item = rex().to_item().unwrap();
    item.insert("nick".into(), AttributeValue::Bool(false));
    let (attribute, _, found) = decode_error(item);
    assert_eq!((attribute.as_str(), found.as_str()), ("nick", "BOOL false"));
}

#[test]
fn long_values_are_clipped_in_errors() {
    let mut item = rex().to_item().unwrap();
    item.insert("age".into(), AttributeValue::S("x".repeat(10_000)));
    let (_, _, found) = decode_error(item);
    assert!(found.len() < 80, "{found}");

    let mut item = rex().to_item().unwrap();
    item.insert("home".into(), AttributeValue::S("x".repeat(10_000)));
    let (_, _, found) = decode_error(item);
    assert!(found.len() < 150, "{found}");
}

#[test]
fn the_entity_type_is_checked_first() {
    let mut item = rex().to_item().unwrap();
    item.insert("Type".into(), AttributeValue::S("User".into()));
    let err = Pet::from_item(item).unwrap_err();
    assert!(
        matches!(&err, Error::EntityTypeMismatch { expected: "Pet", attribute: "Type", found: Some(f) } if f == "User"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "cannot decode Pet: the item's entity type (attribute `Type`) is `User`"
    );

    let mut item = rex().to_item().unwrap();
    item.remove("Type");
    let err = Pet::from_item(item).unwrap_err();
    assert!(matches!(err, Error::EntityTypeMismatch { found: None, .. }));
    assert!(err.to_string().ends_with("is missing"), "{err}");
}

#[test]
fn unstorable_floats_are_encode_errors() {
    let pet = Pet {
        weight_kg: f64::NAN,
        ..rex()
    };
    let err = pet.to_item().unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Encode {
                entity: "Pet",
                field: "weight_kg",
                ..
            }
        ),
        "{err:?}"
    );
}

/// A constant partition key (stated with `constant_pk`), an all-literal sort key, a renamed
/// entity type, raw identifiers and timestamp, UUID and map fields.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CONFIG"]
#[sk = "REV#<type>#<at>"]
#[dynamo(entity_type = "Config", constant_pk)]
pub struct ConfigRevision {
    pub r#type: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub seen: time::OffsetDateTime,
    pub id: uuid::Uuid,
    pub limits: HashMap<String, u32>,
    pub sorted: BTreeMap<String, Vec<i64>>,
    #[dynamo(serde)]
    pub note: String,
    pub maybe_list: Option<Vec<String>>,
}

#[test]
fn constant_partitions_timestamps_and_serde_fields() {
    use chrono::TimeZone;
    let at = chrono::Utc
        .with_ymd_and_hms(2024, 1, 15, 10, 30, 0)
        .unwrap();
    let config = ConfigRevision {
        r#type: "limits".into(),
        at,
        seen: time::macros::datetime!(2024-01-15 16:00:00.5 +05:30),
        id: uuid::Uuid::from_u128(1),
        limits: HashMap::from([("rps".into(), 100)]),
        sorted: BTreeMap::from([("a".into(), vec![-1, 2])]),
        note: "hello".into(),
        maybe_list: None,
    };
    assert_eq!(ConfigRevision::partition_key().unwrap(), "CONFIG");
    let item = config.to_item().unwrap();
    assert_eq!(s(&item, "PK"), "CONFIG");
    assert_eq!(s(&item, "SK"), "REV#limits#2024-01-15T10:30:00.000000000Z");
    assert_eq!(s(&item, "Type"), "Config");
    assert_eq!(s(&item, "type"), "limits");
    assert_eq!(s(&item, "at"), "2024-01-15T10:30:00.000000000Z");
    assert_eq!(s(&item, "seen"), "2024-01-15T10:30:00.500000000Z");
    assert_eq!(s(&item, "id"), "00000000-0000-0000-0000-000000000001");
    assert_eq!(item["limits"].as_m().unwrap()["rps"].as_n().unwrap(), "100");
    assert_eq!(s(&item, "note"), "hello");
    assert!(!item.contains_key("maybe_list"));
    let back = ConfigRevision::from_item(item).unwrap();
    assert_eq!(back, config);
    const { assert!(ConfigRevision::SCHEMA.constant_pk) };
    assert_eq!(ConfigRevision::ENTITY_TYPE, "Config");
}

/// A partition-only entity: no sort key at all.
#[derive(Debug, PartialEq, Entity)]
#[pk = "SESSION#<token>"]
pub struct Session {
    pub token: String,
    pub user: String,
}

#[test]
fn an_entity_without_sort_key_writes_no_sk() {
    let session = Session {
        token: "t1".into(),
        user: "alice".into(),
    };
    let item = session.to_item().unwrap();
    assert_eq!(s(&item, "PK"), "SESSION#t1");
    assert!(!item.contains_key("SK"));
    assert_eq!(
        Session::primary_key("t1").unwrap(),
        Key {
            pk: "SESSION#t1".into(),
            sk: None
        }
    );
    assert_eq!(Session::SK_TEMPLATE, None);
    assert_eq!(Session::from_item(item).unwrap(), session);
}

#[test]
fn derived_key_value_enums_write_their_names() {
    assert_eq!(Species::Cat.to_key_string().unwrap(), "Cat");
    assert_eq!(Species::Other.to_key_string().unwrap(), "OTHER");
}
