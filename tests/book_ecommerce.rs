//! *The DynamoDB Book*, chapter 19: an e-commerce store. `PK`/`SK`, one index `GSI1`
//! (`GSI1PK`/`GSI1SK`), a `Type` attribute. Customers own their orders' item collection (order
//! sort keys start with `#` so that they sort before the customer); an order and its items
//! share a partition of GSI1; an e-mail address is taken once, by an item of its own written
//! in the same transaction as the customer.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_entity::{Collection, Entity, Error, TableLayout, TableSchema};
use dynamo_entity_suite::{fresh_table, item, raw_item, s};

#[derive(TableLayout)]
#[dynamo(partition_key = "PK", sort_key = "SK", type_attribute = "Type")]
#[dynamo(gsi(GSI1: partition_key = "GSI1PK", sort_key = "GSI1SK"))]
struct ECommerceTable;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Address {
    #[serde(rename = "StreetAddress")]
    street: String,
    #[serde(rename = "City")]
    city: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = ECommerceTable)]
#[pk = "CUSTOMER#<username>"]
#[sk = "CUSTOMER#<username>"]
struct Customer {
    #[dynamo(rename = "Username")]
    username: String,
    #[dynamo(rename = "EmailAddress")]
    email: String,
    #[dynamo(rename = "Name")]
    name: String,
    #[dynamo(rename = "Addresses")]
    addresses: BTreeMap<String, Address>,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = ECommerceTable)]
#[pk = "CUSTOMEREMAIL#<email>"]
#[sk = "CUSTOMEREMAIL#<email>"]
struct CustomerEmail {
    #[dynamo(rename = "EmailAddress")]
    email: String,
    #[dynamo(rename = "Username")]
    username: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = ECommerceTable)]
#[pk = "CUSTOMER#<username>"]
#[sk = "#ORDER#<order_id>"]
#[index(GSI1: pk = "ORDER#<order_id>", sk = "ORDER#<order_id>")]
struct Order {
    #[dynamo(rename = "Username")]
    username: String,
    /// A KSUID in the book: sortable by time.
    #[dynamo(rename = "OrderId")]
    order_id: String,
    #[dynamo(rename = "Status")]
    status: String,
    #[dynamo(rename = "Amount")]
    amount_cents: u64,
    #[dynamo(rename = "NumberItems")]
    items: u32,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = ECommerceTable)]
#[pk = "ORDER#<order_id>#ITEM#<item_id>"]
#[sk = "ORDER#<order_id>#ITEM#<item_id>"]
#[index(GSI1: pk = "ORDER#<order_id>", sk = "ITEM#<item_id>")]
struct OrderItem {
    #[dynamo(rename = "OrderId")]
    order_id: String,
    #[dynamo(rename = "ItemId")]
    item_id: String,
    #[dynamo(rename = "Description")]
    description: String,
    #[dynamo(rename = "Price")]
    price_cents: u64,
}

/// The customer's partition: the customer and its orders.
#[derive(Debug, PartialEq, Collection)]
enum CustomerAndOrders {
    Customer(Customer),
    Order(Order),
}

/// An order's partition in GSI1: the order and its items.
#[derive(Debug, PartialEq, Collection)]
#[dynamo(index = "gsi1")]
enum OrderAndItems {
    Order(Order),
    Item(OrderItem),
}

fn schema() -> TableSchema {
    TableSchema::of::<ECommerceTable>()
        .entity::<Customer>()
        .and_then(|s| s.entity::<CustomerEmail>())
        .and_then(|s| s.entity::<Order>())
        .and_then(|s| s.entity::<OrderItem>())
        .unwrap()
}

fn alex() -> Customer {
    Customer {
        username: "alexdebrie".into(),
        email: "alexdebrie1@gmail.com".into(),
        name: "Alex DeBrie".into(),
        addresses: BTreeMap::from([(
            "Home".to_owned(),
            Address {
                street: "123 1st Street".into(),
                city: "Omaha".into(),
            },
        )]),
    }
}

/// The book's sign-up: the customer and its e-mail item, each created only if absent, in one
/// transaction.
async fn sign_up(table: &dynamo_entity::Table, customer: &Customer) -> Result<(), Error> {
    let email = CustomerEmail {
        email: customer.email.clone(),
        username: customer.username.clone(),
    };
    table
        .transaction()
        .write(table.create(customer))
        .write(table.create(&email))
        .await
}

#[tokio::test]
async fn customers_and_emails_are_stored_as_the_book_stores_them() {
    let table = fresh_table(schema()).await;
    let alex = alex();
    sign_up(&table, &alex).await.unwrap();

    let stored = raw_item(&table, &alex.key().unwrap()).await.unwrap();
    let address = AttributeValue::M(
        [("StreetAddress", s("123 1st Street")), ("City", s("Omaha"))]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    );
    assert_eq!(
        stored,
        item(vec![
            ("PK", s("CUSTOMER#alexdebrie")),
            ("SK", s("CUSTOMER#alexdebrie")),
            ("Type", s("Customer")),
            ("Username", s("alexdebrie")),
            ("EmailAddress", s("alexdebrie1@gmail.com")),
            ("Name", s("Alex DeBrie")),
            (
                "Addresses",
                AttributeValue::M([("Home".to_owned(), address)].into_iter().collect())
            ),
        ])
    );
    let email = raw_item(
        &table,
        &CustomerEmail::primary_key("alexdebrie1@gmail.com").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        email,
        item(vec![
            ("PK", s("CUSTOMEREMAIL#alexdebrie1@gmail.com")),
            ("SK", s("CUSTOMEREMAIL#alexdebrie1@gmail.com")),
            ("Type", s("CustomerEmail")),
            ("EmailAddress", s("alexdebrie1@gmail.com")),
            ("Username", s("alexdebrie")),
        ])
    );

    // Another username with the same address is refused as a whole: no customer is left.
    let mut copycat = alex.clone();
    copycat.username = "copycat".into();
    let err = sign_up(&table, &copycat).await.unwrap_err();
    assert!(err.to_string().contains("CustomerEmail"), "{err}");
    assert_eq!(raw_item(&table, &copycat.key().unwrap()).await, None);
}

#[tokio::test]
async fn orders_and_their_items_are_read_as_the_book_reads_them() {
    let table = fresh_table(schema()).await;
    let alex = alex();
    sign_up(&table, &alex).await.unwrap();
    // KSUIDs sort by time: later orders have greater ids.
    let order_ids = [
        "1VrgXBQ0VCshuQUnh1HrDIHQNwY",
        "1VrgXBsz1Xc7xRUmcgTBKSRaDvJ",
        "1VwVAvJk1GvBFfpVAjx3c4Hz8bQ",
    ];
    let mut orders = Vec::new();
    for (n, id) in order_ids.iter().enumerate() {
        let order = Order {
            username: "alexdebrie".into(),
            order_id: (*id).into(),
            status: "PLACED".into(),
            amount_cents: 6_750 + n as u64,
            items: 2,
        };
        table.create(&order).await.unwrap();
        for item_id in [
            "1VrgXBQ0VCshuQUnh1HrDIHQNwY-a",
            "1VrgXBQ0VCshuQUnh1HrDIHQNwY-b",
        ] {
            let line = OrderItem {
                order_id: (*id).into(),
                item_id: format!("{item_id}{n}"),
                description: "Amazon Echo".into(),
                price_cents: 3_375,
            };
            table.create(&line).await.unwrap();
        }
        orders.push(order);
    }

    let order = &orders[0];
    assert_eq!(
        raw_item(&table, &order.key().unwrap()).await.unwrap(),
        item(vec![
            ("PK", s("CUSTOMER#alexdebrie")),
            ("SK", s("#ORDER#1VrgXBQ0VCshuQUnh1HrDIHQNwY")),
            ("GSI1PK", s("ORDER#1VrgXBQ0VCshuQUnh1HrDIHQNwY")),
            ("GSI1SK", s("ORDER#1VrgXBQ0VCshuQUnh1HrDIHQNwY")),
            ("Type", s("Order")),
            ("Username", s("alexdebrie")),
            ("OrderId", s("1VrgXBQ0VCshuQUnh1HrDIHQNwY")),
            ("Status", s("PLACED")),
            ("Amount", AttributeValue::N("6750".into())),
            ("NumberItems", AttributeValue::N("2".into())),
        ])
    );
    let line = OrderItem::primary_key(&order.order_id, "1VrgXBQ0VCshuQUnh1HrDIHQNwY-a0").unwrap();
    assert_eq!(
        raw_item(&table, &line).await.unwrap(),
        item(vec![
            (
                "PK",
                s("ORDER#1VrgXBQ0VCshuQUnh1HrDIHQNwY#ITEM#1VrgXBQ0VCshuQUnh1HrDIHQNwY-a0")
            ),
            (
                "SK",
                s("ORDER#1VrgXBQ0VCshuQUnh1HrDIHQNwY#ITEM#1VrgXBQ0VCshuQUnh1HrDIHQNwY-a0")
            ),
            ("GSI1PK", s("ORDER#1VrgXBQ0VCshuQUnh1HrDIHQNwY")),
            ("GSI1SK", s("ITEM#1VrgXBQ0VCshuQUnh1HrDIHQNwY-a0")),
            ("Type", s("OrderItem")),
            ("OrderId", s("1VrgXBQ0VCshuQUnh1HrDIHQNwY")),
            ("ItemId", s("1VrgXBQ0VCshuQUnh1HrDIHQNwY-a0")),
            ("Description", s("Amazon Echo")),
            ("Price", AttributeValue::N("3375".into())),
        ])
    );

    // The customer and its two latest orders: one query, newest first (the customer's sort
    // key `CUSTOMER#` sorts after every `#ORDER#`).
    let metered = table.metered();
    let page = metered
        .query_collection::<CustomerAndOrders, _>(Customer::query("alexdebrie").unwrap())
        .descending()
        .page_size(3)
        .page()
        .await
        .unwrap();
    let parts = CustomerAndOrders::split(page.items);
    assert_eq!(parts.customer, std::slice::from_ref(&alex));
    assert_eq!(parts.order, [orders[2].clone(), orders[1].clone()]);
    assert_eq!(metered.cost().requests, 1);

    // An order and its items: one query of GSI1.
    let metered = table.metered();
    let page = metered
        .query_collection::<OrderAndItems, _>(Order::query_gsi1(&order.order_id).unwrap())
        .page()
        .await
        .unwrap();
    let parts = OrderAndItems::split(page.items);
    assert_eq!(parts.order, std::slice::from_ref(order));
    assert_eq!(parts.item.len(), 2);
    assert_eq!(metered.cost().requests, 1);
}
