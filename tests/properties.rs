//! Properties of key encoding that must hold for every value, not just the examples.

use dynamo_entity::{Entity, Error, KeyValue};
use proptest::prelude::*;

fn key<T: KeyValue>(value: &T) -> String {
    value
        .to_key_string()
        .expect("every value of this type has a key")
}

/// Byte-wise comparison of the keys agrees with the values' own order.
fn assert_order_preserved<T: KeyValue + Ord + std::fmt::Debug>(a: T, b: T) {
    assert_eq!(
        key(&a).as_bytes().cmp(key(&b).as_bytes()),
        a.cmp(&b),
        "{a:?} vs {b:?}: {} vs {}",
        key(&a),
        key(&b)
    );
}

macro_rules! integer_order {
    ($($name:ident: $ty:ty),* $(,)?) => {$(
        proptest! {
            #[test]
            fn $name(a in any::<$ty>(), b in any::<$ty>()) {
                assert_order_preserved(a, b);
                // Fixed width, so that a number followed by more of the key still sorts right.
                prop_assert_eq!(key(&a).trim_start_matches('-').len(), key(&<$ty>::MAX).len());
            }
        }
    )*};
}

integer_order!(
    i8_order: i8, i16_order: i16, i32_order: i32, i64_order: i64, i128_order: i128,
    isize_order: isize, u8_order: u8, u16_order: u16, u32_order: u32, u64_order: u64,
    u128_order: u128, usize_order: usize,
);

/// Numbers near zero and the extremes, where an encoding is most likely to go wrong.
fn edge_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        -1000i64..1000,
        Just(i64::MIN),
        Just(i64::MIN + 1),
        Just(i64::MAX),
        Just(-1),
        Just(0),
        any::<i64>(),
    ]
}

proptest! {
    #[test]
    fn i64_order_at_the_edges(a in edge_i64(), b in edge_i64()) {
        assert_order_preserved(a, b);
    }

    #[test]
    fn strings_keep_their_order_and_are_never_confused(a in "[^#]{1,12}", b in "[^#]{1,12}") {
        assert_order_preserved(a.clone(), b.clone());
        prop_assert_eq!(key(&a) == key(&b), a == b);
    }

    #[test]
    fn strings_with_the_delimiter_are_refused(prefix in ".{0,6}", suffix in ".{0,6}") {
        let value = format!("{prefix}#{suffix}");
        prop_assert!(value.to_key_string().is_err());
    }

    #[test]
    fn chrono_timestamps_keep_their_order(
        a in 0i64..253_402_300_799_000,
        b in 0i64..253_402_300_799_000,
    ) {
        let a = chrono::DateTime::from_timestamp_millis(a).unwrap();
        let b = chrono::DateTime::from_timestamp_millis(b).unwrap();
        assert_order_preserved(a, b);
        prop_assert_eq!(key(&a).len(), 30);
    }

    #[test]
    fn time_timestamps_keep_their_order_across_offsets(
        a in 86_400i64..253_402_213_000,
        b in 86_400i64..253_402_213_000,
        offset_a in -12i8..=12,
        offset_b in -12i8..=12,
    ) {
        let at = |secs: i64, hours: i8| {
            time::OffsetDateTime::from_unix_timestamp(secs)
                .unwrap()
                .to_offset(time::UtcOffset::from_hms(hours, 0, 0).unwrap())
        };
        // OffsetDateTime orders by instant whatever the offset; so must the keys.
        assert_order_preserved(at(a, offset_a), at(b, offset_b));
    }

    #[test]
    fn uuids_keep_their_order(a in any::<u128>(), b in any::<u128>()) {
        assert_order_preserved(uuid::Uuid::from_u128(a), uuid::Uuid::from_u128(b));
    }
}

/// Several placeholders in each key, of several types, strings among them.
#[derive(Debug, Clone, Entity)]
#[pk = "TENANT#<tenant>#USER#<user>"]
#[sk = "ORDER#<day>#<seq>#<note>"]
struct Order {
    tenant: String,
    user: String,
    day: u32,
    seq: i16,
    note: String,
}

/// Strings that often contain the delimiter, are empty, or are prefixes of each other.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("#".to_owned()),
        "[ab#]{0,4}",
        "[a-c]{1,3}",
        ".{0,5}",
    ]
}

fn order() -> impl Strategy<Value = Order> {
    (
        tricky_string(),
        tricky_string(),
        any::<u32>(),
        any::<i16>(),
        tricky_string(),
    )
        .prop_map(|(tenant, user, day, seq, note)| Order {
            tenant,
            user,
            day,
            seq,
            note,
        })
}

fn fields(o: &Order) -> (&str, &str, u32, i16, &str) {
    (&o.tenant, &o.user, o.day, o.seq, &o.note)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Distinct field values never give the same (PK, SK); values that could make keys collide
    /// are refused before any key is produced.
    #[test]
    fn keys_are_injective(a in order(), b in order()) {
        match (a.key(), b.key()) {
            (Ok(ka), Ok(kb)) => prop_assert_eq!(ka == kb, fields(&a) == fields(&b)),
            (Err(e), _) | (_, Err(e)) => {
                let Error::InvalidKey { entity, field, .. } = e else {
                    panic!("unexpected error {e:?}")
                };
                prop_assert_eq!(entity, "Order");
                prop_assert!(["tenant", "user", "note"].contains(&field));
            }
        }
    }

    /// A key is refused exactly when a string field is empty or holds `#`.
    #[test]
    fn keys_are_refused_exactly_for_bad_strings(o in order()) {
        let bad = |s: &str| s.is_empty() || s.contains('#');
        let expect_ok = !(bad(&o.tenant) || bad(&o.user) || bad(&o.note));
        prop_assert_eq!(o.key().is_ok(), expect_ok);
        prop_assert_eq!(o.to_item().is_ok(), expect_ok);
    }
}
