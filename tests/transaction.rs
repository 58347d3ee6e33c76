//! Transactions against DynamoDB Local: all or nothing, and every failure mapped back.

use dynamo_entity::{Entity, Error, Table, TableSchema};
use dynamo_entity_suite::fresh_table;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "ACCOUNT#<id>"]
#[sk = "ACCOUNT"]
pub struct Account {
    pub id: String,
    pub balance: i64,
    #[dynamo(version)]
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "ACCOUNT#<account>"]
#[sk = "ORDER#<n>"]
pub struct Order {
    pub account: String,
    pub n: u32,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "ACCOUNT#<account>"]
#[sk = "CART"]
pub struct Cart {
    pub account: String,
    pub items: u32,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "HANDLE#<id>"]
#[sk = "HANDLE"]
pub struct Handle {
    pub id: String,
    #[dynamo(unique)]
    pub name: String,
}

async fn shop() -> (Table, Account) {
    let schema = TableSchema::new()
        .entity::<Account>()
        .and_then(TableSchema::entity::<Order>)
        .and_then(TableSchema::entity::<Cart>)
        .and_then(TableSchema::entity::<Handle>)
        .unwrap();
    let table = fresh_table(schema).await;
    let account = table
        .create(&Account {
            id: "a1".into(),
            balance: 100,
            version: 0,
        })
        .await
        .unwrap();
    table
        .create(&Cart {
            account: "a1".into(),
            items: 2,
        })
        .await
        .unwrap();
    (table, account)
}

fn order(n: u32, total: i64) -> Order {
    Order {
        account: "a1".into(),
        n,
        total,
    }
}

/// Checkout: create the order, charge the account if it can pay, empty the cart.
async fn checkout(table: &Table, order: &Order) -> dynamo_entity::Result<()> {
    let f = Account::fields();
    table
        .transaction()
        .write(table.create(order))
        .update(
            table
                .update::<Account>(Account::primary_key("a1")?)
                .subtract(f.balance, order.total)
                .condition(f.balance.ge(order.total)),
        )
        .delete(table.delete::<Cart>(Cart::primary_key("a1")?).must_exist())
        .await
}

async fn state(table: &Table) -> (Account, Option<Cart>, Vec<Order>) {
    let account = table
        .get::<Account>(Account::primary_key("a1").unwrap())
        .await
        .unwrap()
        .unwrap();
    let cart = table
        .get::<Cart>(Cart::primary_key("a1").unwrap())
        .await
        .unwrap();
    let orders = table
        .query(Order::query("a1").unwrap())
        .all()
        .await
        .unwrap();
    (account, cart, orders)
}

#[tokio::test]
async fn a_transaction_applies_every_operation() {
    let (table, _) = shop().await;
    checkout(&table, &order(1, 30)).await.unwrap();
    let (account, cart, orders) = state(&table).await;
    assert_eq!((account.balance, account.version), (70, 2));
    assert_eq!(cart, None);
    assert_eq!(orders, vec![order(1, 30)]);
}

#[tokio::test]
async fn one_failed_condition_leaves_every_item_as_it_was() {
    let (table, _) = shop().await;
    let before = state(&table).await;
    let err = checkout(&table, &order(1, 500)).await.unwrap_err();
    assert_eq!(state(&table).await, before, "nothing was written");

    let Error::TransactionCancelled { operations } = &err else {
        panic!("expected a cancelled transaction, got {err:?}");
    };
    assert_eq!(
        operations.len(),
        1,
        "only the failed operation is listed: {operations:?}"
    );
    let failed = &operations[0];
    assert_eq!((failed.position, failed.entity), (1, "Account"));
    assert_eq!(failed.key, Account::primary_key("a1").unwrap());
    assert_eq!(failed.code, "ConditionalCheckFailed");
    assert!(
        matches!(
            failed.error.as_deref(),
            Some(Error::ConditionFailed {
                entity: "Account",
                ..
            })
        ),
        "{failed:?}"
    );
    assert!(
        err.to_string()
            .contains("operation 1 (Account (ACCOUNT#a1, ACCOUNT))"),
        "{err}"
    );
}

#[tokio::test]
async fn each_kind_of_failure_is_mapped_to_its_operation() {
    let (table, account) = shop().await;
    table.create(&order(1, 10)).await.unwrap();
    table
        .create(&Handle {
            id: "h1".into(),
            name: "alice".into(),
        })
        .await
        .unwrap();
    let stale = Account {
        balance: 0,
        version: 7,
        ..account
    };
    let err = table
        .transaction()
        .write(table.create(&order(2, 10))) // fine
        .write(table.create(&order(1, 10))) // exists
        .write(table.replace(&stale)) // stale version
        .write(table.create(&Handle {
            id: "h2".into(),
            name: "alice".into(), // taken
        }))
        .await
        .unwrap_err();
    let Error::TransactionCancelled { operations } = err else {
        panic!("{err:?}")
    };
    let positions: Vec<_> = operations.iter().map(|o| o.position).collect();
    // 0: order 2, 1: order 1, 2: account, 3: handle h2, 4: the guard of "alice".
    assert_eq!(positions, [1, 2, 4], "{operations:?}");
    assert!(matches!(
        operations[0].error.as_deref(),
        Some(Error::AlreadyExists {
            entity: "Order",
            ..
        })
    ));
    assert!(matches!(
        operations[1].error.as_deref(),
        Some(Error::VersionConflict {
            entity: "Account",
            expected: 7,
            found: Some(1),
            ..
        })
    ));
    assert!(matches!(
        operations[2].error.as_deref(),
        Some(Error::UniqueViolation { field: "name", value, .. }) if value == "alice"
    ));
    assert!(table
        .get::<Order>(Order::primary_key("a1", 2).unwrap())
        .await
        .unwrap()
        .is_none());
    assert!(table
        .get::<Handle>(Handle::primary_key("h2").unwrap())
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn impossible_transactions_are_refused_before_sending() {
    let (table, _) = shop().await;
    let mut too_many = table.transaction();
    for n in 0..101 {
        too_many = too_many.write(table.put(&order(n, 1)));
    }
    let err = too_many.await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: the transaction has 101 operations; DynamoDB allows 100"
    );

    let err = table
        .transaction()
        .write(table.put(&order(1, 1)))
        .delete(table.delete::<Order>(Order::primary_key("a1", 1).unwrap()))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("appears twice in one transaction"),
        "{err}"
    );

    // An update's own mistakes are caught as they would be on their own.
    let f = Account::fields();
    let err = table
        .transaction()
        .update(
            table
                .update::<Account>(Account::primary_key("a1").unwrap())
                .add(f.balance, 1)
                .set(f.balance, 5),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("changed twice"), "{err}");
    assert!(table
        .query(Order::query("a1").unwrap())
        .all()
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_client_request_token_makes_a_retry_apply_once() {
    let (table, _) = shop().await;
    let f = Account::fields();
    // Tokens are DynamoDB-wide: one of this table's own (at most 36 characters), so that a
    // DynamoDB Local that outlives a run does not take this run's first send for a retry.
    let name = table.name();
    let token = format!("deposit-{}", &name[name.len().saturating_sub(28)..]);
    let deposit = || {
        table
            .transaction()
            .update(
                table
                    .update::<Account>(Account::primary_key("a1").unwrap())
                    .add(f.balance, 25),
            )
            .check::<Cart>(Cart::primary_key("a1").unwrap(), Cart::fields().items.ge(1))
            .client_request_token(&token)
    };
    deposit().await.unwrap();
    deposit().await.unwrap(); // the same request again: a retry
    let (account, ..) = state(&table).await;
    assert_eq!(account.balance, 125, "applied once");
}

#[tokio::test]
async fn a_read_transaction_returns_typed_items() {
    let (table, account) = shop().await;
    table.create(&order(1, 10)).await.unwrap();
    let mut read = table.read_transaction();
    let a = read.get::<Account>(account.key().unwrap());
    let o = read.get::<Order>(Order::primary_key("a1", 1).unwrap());
    let none = read.get::<Order>(Order::primary_key("a1", 99).unwrap());
    let mut results = read.send().await.unwrap();
    assert_eq!(results.take(a).unwrap(), Some(account));
    assert_eq!(results.take(o).unwrap(), Some(order(1, 10)));
    assert_eq!(results.take(none).unwrap(), None);

    // A slot read as another entity type is a decode error, not a wrong value.
    let mut read = table.read_transaction();
    let wrong = read.get::<Order>(Account::primary_key("a1").unwrap());
    let err = read.send().await.unwrap().take(wrong).unwrap_err();
    assert!(matches!(err, Error::EntityTypeMismatch { .. }), "{err:?}");
}

#[tokio::test]
async fn a_raw_operation_joins_a_typed_transaction_and_reports_at_its_position() {
    use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
    let table = fresh_table(
        TableSchema::new()
            .entity::<Account>()
            .unwrap()
            .entity::<Cart>()
            .unwrap(),
    )
    .await;
    let account = Account {
        id: "a1".into(),
        balance: 100,
        version: 0,
    };
    table.create(&account).await.unwrap();
    // A counter item the entities do not model, bumped by a hand-written update.
    let bump = |condition: Option<&str>| {
        let mut update = Update::builder()
            .table_name(table.name())
            .key("PK", AttributeValue::S("STATS".into()))
            .key("SK", AttributeValue::S("STATS".into()))
            .update_expression("ADD #carts :one")
            .expression_attribute_names("#carts", "carts")
            .expression_attribute_values(":one", AttributeValue::N("1".into()));
        if let Some(condition) = condition {
            update = update.condition_expression(condition);
        }
        TransactWriteItem::builder()
            .update(update.build().unwrap())
            .build()
    };
    let cart = Cart {
        account: "a1".into(),
        items: 0,
    };
    let metered = table.metered();
    metered
        .transaction()
        .write(metered.create(&cart))
        .raw("stats counter", bump(None))
        .send()
        .await
        .unwrap();
    assert_eq!(metered.cost().requests, 1);
    let stats = dynamo_entity_suite::raw_item(
        &table,
        &dynamo_entity::Key {
            pk: "STATS".into(),
            sk: Some("STATS".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(stats["carts"].as_n().unwrap(), "1");

    // Its failure is reported at its position, under its label, with its key.
    let other = Cart {
        account: "a2".into(),
        items: 0,
    };
    let err = table
        .transaction()
        .write(table.create(&other))
        .raw("stats counter", bump(Some("attribute_not_exists(carts)")))
        .send()
        .await
        .unwrap_err();
    let Error::TransactionCancelled { operations } = err else {
        panic!("{err}");
    };
    assert_eq!(operations.len(), 1, "{operations:?}");
    assert_eq!(operations[0].position, 1);
    assert_eq!(operations[0].entity, "stats counter");
    assert_eq!(operations[0].key.pk, "STATS");
    assert_eq!(operations[0].code, "ConditionalCheckFailed");
    assert!(operations[0].error.is_none());
    // All or nothing: the typed create did not happen either.
    assert_eq!(
        table
            .get::<Cart>(Cart::primary_key("a2").unwrap())
            .await
            .unwrap(),
        None
    );
}
