//! The e-commerce application of seeds 001 and 003, built with the framework and reviewed by it.
//!
//! Run with `cargo run --example ecommerce`. It uses DynamoDB Local at `DYNAMODB_ENDPOINT` if
//! set, else starts one (`scripts/dynamodb-local`) and stops it when done. It seeds about a
//! thousand items, runs every access pattern, prints what each returned and cost, and checks the
//! design report committed in `examples/ecommerce/design/` (regenerate it with
//! `DYNAMO_ENTITY_UPDATE_DESIGN=1 cargo run --example ecommerce`). See `README.md` beside this
//! file.

mod model;

use std::collections::BTreeMap;
use std::time::SystemTime;

use chrono::{DateTime, Duration, Utc};
use dynamo_entity::design::{Design, Recorder};
use dynamo_entity::{Clock, Error, Table};

use model::{patterns, Address, Customer, Order, OrderItem, Status, ORDER_RETENTION};

/// The example's "now", the table's clock: a day ahead of the real time (see
/// `dynamo_entity_suite::clock_ahead`).
fn now() -> DateTime<Utc> {
    static NOW: std::sync::OnceLock<DateTime<Utc>> = std::sync::OnceLock::new();
    *NOW.get_or_init(|| DateTime::from(dynamo_entity_suite::clock_ahead(1)))
}

fn customer(n: usize) -> Customer {
    Customer {
        username: format!("customer{n:02}"),
        email: format!("customer{n:02}@example.com"),
        name: format!("Customer {n}"),
        addresses: BTreeMap::from([(
            "Home".to_owned(),
            Address {
                street: format!("{n} Main Street"),
                city: "Omaha".into(),
            },
        )]),
    }
}

/// An order placed `days_ago`, with `lines` items; its id starts with the time it was placed,
/// as a KSUID does, and ends with `seq`, unique among the run's orders.
fn order(username: &str, seq: usize, days_ago: i64, lines: usize) -> (Order, Vec<OrderItem>) {
    let placed_at = now() - Duration::days(days_ago);
    let order_id = format!("{}-{seq:04}", placed_at.timestamp());
    let items: Vec<OrderItem> = (1..=lines)
        .map(|l| OrderItem {
            order_id: order_id.clone(),
            item_id: format!("I{l:02}"),
            description: format!("Item {l}"),
            price: 1_000 * l as u64,
            quantity: 1 + (l as u32 % 3),
            expires_at: placed_at + ORDER_RETENTION,
        })
        .collect();
    let order = Order {
        username: username.into(),
        order_id,
        placed_at,
        status: Status::Placed,
        total: items.iter().map(|i| i.price * u64::from(i.quantity)).sum(),
        item_count: lines as u32,
        expires_at: placed_at + ORDER_RETENTION,
    };
    (order, items)
}

/// Seeds the table without recording: 60 customers, each with up to 8 orders of 1 to 4 items.
async fn seed(table: &Table) -> Result<usize, Error> {
    let mut count = 0;
    let mut batch = table.batch_write();
    for n in 0..60 {
        let customer = customer(n);
        batch = batch.put(&customer).put(&model::CustomerEmail {
            email: customer.email.clone(),
            username: customer.username.clone(),
        });
        for k in 0..(n % 8) + 1 {
            let (order, items) = order(
                &customer.username,
                n * 10 + k,
                (k * 7 + n % 5) as i64,
                k % 4 + 1,
            );
            batch = batch.put(&order);
            for item in &items {
                batch = batch.put(item);
            }
        }
    }
    let written = batch.send().await?;
    assert!(written.unprocessed.is_empty());
    count += written.written;
    Ok(count)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let table = Table::new(
        dynamo_entity_suite::client(),
        dynamo_entity_suite::unique_table_name("ecommerce-example"),
        model::schema()?,
    )?
    .with_clock(Clock::fixed(SystemTime::from(now())));
    table.create_table().await?;
    println!(
        "Created table {} on {}",
        table.name(),
        dynamo_entity_suite::endpoint()
    );
    println!("Seeded {} items", seed(&table).await?);

    let recorder = Recorder::new();
    let table = table.recorded_by(&recorder);
    let mut costs = dynamo_entity_suite::CostTable::default();
    let mut note =
        |pattern: &str, result: String, table: &Table| costs.note(pattern, result, table);

    // Sign-up: a new customer; a taken username, then a taken address, refused as a whole.
    let t = table
        .pattern("sign up (unique username and e-mail)")
        .metered();
    let alex = Customer {
        username: "alexdebrie".into(),
        email: "alexdebrie1@gmail.com".into(),
        name: "Alex DeBrie".into(),
        addresses: BTreeMap::new(),
    };
    patterns::sign_up(&t, &alex).await?;
    note("sign up (unique username and e-mail)", "created".into(), &t);
    let t = table.pattern("sign up (username taken)").metered();
    let mut taken = customer(3);
    taken.email = "new@example.com".into();
    let refused = patterns::sign_up(&t, &taken).await;
    assert!(matches!(refused, Err(Error::TransactionCancelled { .. })));
    note(
        "sign up (username taken)",
        "refused: username taken".into(),
        &t,
    );
    let t = table.pattern("sign up (e-mail taken)").metered();
    let mut copycat = alex.clone();
    copycat.username = "copycat".into();
    let refused = patterns::sign_up(&t, &copycat).await;
    assert!(matches!(refused, Err(Error::TransactionCancelled { .. })));
    note("sign up (e-mail taken)", "refused: e-mail taken".into(), &t);

    let t = table.pattern("save an address").metered();
    let home = Address {
        street: "123 1st Street".into(),
        city: "Omaha".into(),
    };
    let saved = patterns::save_address(&t, "alexdebrie", "Home", home).await?;
    note(
        "save an address",
        format!("{} address(es)", saved.addresses.len()),
        &t,
    );

    let t = table.pattern("a customer by username").metered();
    let found = patterns::customer(&t, "customer07").await?;
    note(
        "a customer by username",
        format!("{:?}", found.map(|c| c.name)),
        &t,
    );

    // Orders.
    let t = table.pattern("place an order with its items").metered();
    let (order, items) = order("alexdebrie", 9_999, 0, 3);
    patterns::place_order(&t, &order, &items).await?;
    note(
        "place an order with its items",
        format!("{} with {} items", order.order_id, items.len()),
        &t,
    );
    let t = table.pattern("an order by id").metered();
    let found = patterns::order(&t, &order.order_id).await?;
    note(
        "an order by id",
        format!("total {:?} cents", found.map(|o| o.total)),
        &t,
    );
    let t = table.pattern("an order with its items").metered();
    let parts = patterns::order_with_items(&t, &order.order_id).await?;
    note(
        "an order with its items",
        format!("{} order, {} items", parts.order.len(), parts.item.len()),
        &t,
    );
    let t = table.pattern("ship an order (once)").metered();
    let shipped = patterns::ship(&t, &order).await?;
    let again = patterns::ship(&t, &order).await;
    assert!(matches!(again, Err(Error::ConditionFailed { .. })));
    note(
        "ship an order (once)",
        format!("{:?}; a second ship refused", shipped.status),
        &t,
    );

    // A customer's latest orders, newest first, a page at a time with a cursor.
    let t = table
        .pattern("latest orders, newest first (2 pages)")
        .metered();
    let first = patterns::latest_orders(&t, "customer07", 5, None).await?;
    let cursor = first.cursor.clone().expect("customer07 has 8 orders");
    let second = patterns::latest_orders(&t, "customer07", 5, Some(cursor)).await?;
    let dates: Vec<String> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|o| o.placed_at.format("%m-%d").to_string())
        .collect();
    assert_eq!(first.items.len() + second.items.len(), 8);
    assert!(second.cursor.is_none());
    note(
        "latest orders, newest first (2 pages)",
        format!(
            "{} + {} orders: {}",
            first.items.len(),
            second.items.len(),
            dates.join(" ")
        ),
        &t,
    );

    costs.print();

    // The design review, and the CloudFormation the seeds ask for, beside this file.
    let design = Design::of("ecommerce", &table)
        .patterns(&recorder)
        .principal_tag("username", "username");
    design.assert_current(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/ecommerce/design"
    ));
    println!("\nDesign review (examples/ecommerce/design/DESIGN.md is current):");
    for lint in design.lints() {
        println!("  {lint}");
    }
    Ok(())
}
