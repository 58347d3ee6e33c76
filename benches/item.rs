//! `to_item` and `from_item` of one realistic entity, three ways, measured in the same run:
//!
//! * `derive`: the code `#[derive(Entity)]` generates;
//! * `hand_written`: what a careful person writes by hand against `AttributeValue`, with keys
//!   from `format!` and the list and nested map built field by field;
//! * `serde_dynamo`: the common shortcut, a record struct with the key attributes and the
//!   entity `#[serde(flatten)]`-ed into it.
//!
//! Run with `cargo bench --bench item`; BENCHMARKS.md records the ratios.

use std::collections::HashMap;
use std::hint::black_box;

use aws_sdk_dynamodb::types::AttributeValue;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use dynamo_entity::{Entity, Item};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Address {
    street: String,
    city: String,
    postcode: String,
    country: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "ORDER#<order_id>"]
#[gsi1(pk = "ORDER#<order_id>", sk = "ORDER#<order_id>")]
struct Order {
    owner_id: String,
    order_id: String,
    status: String,
    currency: String,
    note: String,
    total_cents: i64,
    item_count: u32,
    weight_kg: f64,
    gift: bool,
    coupon: Option<String>,
    tags: Vec<String>,
    shipping: Address,
    created_at_ms: u64,
}

fn order() -> Order {
    Order {
        owner_id: "c0a8f3e2-5d1b-4c47-9a3e-2f6b7d8e9f10".into(),
        order_id: "01HZX3K9Q7W2B5N8M4R6T1Y0PV".into(),
        status: "SHIPPED".into(),
        currency: "NZD".into(),
        note: "Leave at the back door, please; the dog is friendly.".into(),
        total_cents: 129_950,
        item_count: 3,
        weight_kg: 2.75,
        gift: true,
        coupon: Some("SPRING24".into()),
        tags: vec![
            "priority".into(),
            "fragile".into(),
            "repeat-customer".into(),
        ],
        shipping: Address {
            street: "12 Cuba Street".into(),
            city: "Wellington".into(),
            postcode: "6011".into(),
            country: "NZ".into(),
        },
        created_at_ms: 1_717_171_717_171,
    }
}

mod hand_written {
    use super::*;

    fn s(value: &str) -> AttributeValue {
        AttributeValue::S(value.to_owned())
    }

    pub fn to_item(o: &Order) -> Item {
        let mut item = HashMap::with_capacity(18);
        item.insert(
            "PK".to_owned(),
            AttributeValue::S(format!("USER#{}", o.owner_id)),
        );
        item.insert(
            "SK".to_owned(),
            AttributeValue::S(format!("ORDER#{}", o.order_id)),
        );
        item.insert(
            "GSI1PK".to_owned(),
            AttributeValue::S(format!("ORDER#{}", o.order_id)),
        );
        item.insert(
            "GSI1SK".to_owned(),
            AttributeValue::S(format!("ORDER#{}", o.order_id)),
        );
        item.insert("Type".to_owned(), s("Order"));
        item.insert("owner_id".to_owned(), s(&o.owner_id));
        item.insert("order_id".to_owned(), s(&o.order_id));
        item.insert("status".to_owned(), s(&o.status));
        item.insert("currency".to_owned(), s(&o.currency));
        item.insert("note".to_owned(), s(&o.note));
        item.insert(
            "total_cents".to_owned(),
            AttributeValue::N(o.total_cents.to_string()),
        );
        item.insert(
            "item_count".to_owned(),
            AttributeValue::N(o.item_count.to_string()),
        );
        item.insert(
            "weight_kg".to_owned(),
            AttributeValue::N(o.weight_kg.to_string()),
        );
        item.insert("gift".to_owned(), AttributeValue::Bool(o.gift));
        if let Some(coupon) = &o.coupon {
            item.insert("coupon".to_owned(), s(coupon));
        }
        item.insert(
            "tags".to_owned(),
            AttributeValue::L(o.tags.iter().map(|t| s(t)).collect()),
        );
        let a = &o.shipping;
        let shipping = HashMap::from([
            ("street".to_owned(), s(&a.street)),
            ("city".to_owned(), s(&a.city)),
            ("postcode".to_owned(), s(&a.postcode)),
            ("country".to_owned(), s(&a.country)),
        ]);
        item.insert("shipping".to_owned(), AttributeValue::M(shipping));
        item.insert(
            "created_at_ms".to_owned(),
            AttributeValue::N(o.created_at_ms.to_string()),
        );
        item
    }

    #[derive(Debug)]
    pub struct Bad(#[allow(dead_code)] &'static str);

    fn take_s(item: &mut Item, name: &'static str) -> Result<String, Bad> {
        match item.remove(name) {
            Some(AttributeValue::S(v)) => Ok(v),
            _ => Err(Bad(name)),
        }
    }

    fn take_n<T: std::str::FromStr>(item: &mut Item, name: &'static str) -> Result<T, Bad> {
        match item.remove(name) {
            Some(AttributeValue::N(v)) => v.parse().map_err(|_| Bad(name)),
            _ => Err(Bad(name)),
        }
    }

    pub fn from_item(mut item: Item) -> Result<Order, Bad> {
        match item.get("Type") {
            Some(AttributeValue::S(t)) if t == "Order" => {}
            _ => return Err(Bad("Type")),
        }
        let tags = match item.remove("tags") {
            Some(AttributeValue::L(list)) => list
                .into_iter()
                .map(|v| match v {
                    AttributeValue::S(s) => Ok(s),
                    _ => Err(Bad("tags")),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(Bad("tags")),
        };
        let shipping = match item.remove("shipping") {
            Some(AttributeValue::M(mut m)) => Address {
                street: take_s(&mut m, "street")?,
                city: take_s(&mut m, "city")?,
                postcode: take_s(&mut m, "postcode")?,
                country: take_s(&mut m, "country")?,
            },
            _ => return Err(Bad("shipping")),
        };
        Ok(Order {
            owner_id: take_s(&mut item, "owner_id")?,
            order_id: take_s(&mut item, "order_id")?,
            status: take_s(&mut item, "status")?,
            currency: take_s(&mut item, "currency")?,
            note: take_s(&mut item, "note")?,
            total_cents: take_n(&mut item, "total_cents")?,
            item_count: take_n(&mut item, "item_count")?,
            weight_kg: take_n(&mut item, "weight_kg")?,
            gift: match item.remove("gift") {
                Some(AttributeValue::Bool(b)) => b,
                _ => return Err(Bad("gift")),
            },
            coupon: match item.remove("coupon") {
                Some(AttributeValue::S(c)) => Some(c),
                None | Some(AttributeValue::Null(_)) => None,
                _ => return Err(Bad("coupon")),
            },
            tags,
            shipping,
            created_at_ms: take_n(&mut item, "created_at_ms")?,
        })
    }
}

mod with_serde_dynamo {
    use super::*;

    #[allow(non_snake_case)]
    #[derive(Serialize, Deserialize)]
    struct Record {
        PK: String,
        SK: String,
        GSI1PK: String,
        GSI1SK: String,
        Type: String,
        #[serde(flatten)]
        order: Order,
    }

    #[allow(non_snake_case)]
    #[derive(Serialize)]
    struct RecordRef<'a> {
        PK: String,
        SK: String,
        GSI1PK: String,
        GSI1SK: String,
        Type: &'a str,
        #[serde(flatten)]
        order: &'a Order,
    }

    pub fn to_item(o: &Order) -> Item {
        serde_dynamo::to_item(RecordRef {
            PK: format!("USER#{}", o.owner_id),
            SK: format!("ORDER#{}", o.order_id),
            GSI1PK: format!("ORDER#{}", o.order_id),
            GSI1SK: format!("ORDER#{}", o.order_id),
            Type: "Order",
            order: o,
        })
        .expect("serializable")
    }

    pub fn from_item(item: Item) -> Order {
        let record: Record = serde_dynamo::from_item(item).expect("deserializable");
        record.order
    }
}

fn bench_items(c: &mut Criterion) {
    let order = order();
    // All three must produce the same item and read it back, or the comparison means nothing.
    let item = order.to_item().unwrap();
    assert_eq!(item, hand_written::to_item(&order));
    assert_eq!(item, with_serde_dynamo::to_item(&order));
    assert_eq!(Order::from_item(item.clone()).unwrap(), order);
    assert_eq!(hand_written::from_item(item.clone()).unwrap(), order);
    assert_eq!(with_serde_dynamo::from_item(item.clone()), order);

    let mut group = c.benchmark_group("to_item");
    group.bench_function("derive", |b| {
        b.iter(|| black_box(&order).to_item().unwrap())
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| hand_written::to_item(black_box(&order)))
    });
    group.bench_function("serde_dynamo", |b| {
        b.iter(|| with_serde_dynamo::to_item(black_box(&order)))
    });
    group.finish();

    let mut group = c.benchmark_group("from_item");
    group.bench_function("derive", |b| {
        b.iter_batched(
            || item.clone(),
            |item| Order::from_item(item).unwrap(),
            BatchSize::NumIterations(64),
        )
    });
    group.bench_function("hand_written", |b| {
        b.iter_batched(
            || item.clone(),
            |item| hand_written::from_item(item).unwrap(),
            BatchSize::NumIterations(64),
        )
    });
    group.bench_function("serde_dynamo", |b| {
        b.iter_batched(
            || item.clone(),
            with_serde_dynamo::from_item,
            BatchSize::NumIterations(64),
        )
    });
    group.finish();
}

criterion_group!(benches, bench_items);
criterion_main!(benches);
