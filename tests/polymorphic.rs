//! Keys that hold one of several entity types, read in one request, and collections read from a
//! GSI, on designs of *The DynamoDB Book* (GitHub's accounts; the e-commerce store's orders).

use dynamo_entity::{Collection, Entity, Error, TableSchema};
use dynamo_entity_suite::{fresh_table, raw_item};

/// GitHub: a user and an organization share the account key space, so that a name is taken
/// once, by either.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "ACCOUNT#<name>"]
#[sk = "ACCOUNT#<name>"]
struct User {
    name: String,
    email: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "ACCOUNT#<name>"]
#[sk = "ACCOUNT#<name>"]
struct Organization {
    name: String,
    members: u32,
}

#[derive(Debug, PartialEq, Collection)]
enum Account {
    User(User),
    Organization(Organization),
}

#[tokio::test]
async fn an_account_is_a_user_or_an_organization_read_in_one_request() {
    // Registered as sharing keys on purpose; `entity` alone refuses the overlap.
    let refused = TableSchema::new()
        .entity::<User>()
        .unwrap()
        .entity::<Organization>()
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("can produce the same primary key"),
        "{refused}"
    );
    let schema = TableSchema::new()
        .entity::<User>()
        .unwrap()
        .entity_sharing_keys::<Organization>()
        .unwrap();
    let table = fresh_table(schema).await;
    let alice = User {
        name: "alice".into(),
        email: "alice@example.com".into(),
    };
    let rust = Organization {
        name: "rust-lang".into(),
        members: 300,
    };
    table.create(&alice).await.unwrap();
    table.create(&rust).await.unwrap();

    let metered = table.metered();
    let user = metered
        .get_collection::<Account>(User::primary_key("alice").unwrap())
        .await
        .unwrap();
    assert_eq!(user, Some(Account::User(alice.clone())));
    let org = metered
        .get_collection::<Account>(Organization::primary_key("rust-lang").unwrap())
        .consistent_read()
        .await
        .unwrap();
    assert_eq!(org, Some(Account::Organization(rust.clone())));
    let none = metered
        .get_collection::<Account>(User::primary_key("nobody").unwrap())
        .await
        .unwrap();
    assert_eq!(none, None);
    assert_eq!(metered.cost().requests, 3);

    // A name is taken once: an organization cannot be created over a user, and a write of one
    // never touches the other's item.
    let squatter = Organization {
        name: "alice".into(),
        members: 1,
    };
    let err = table.create(&squatter).await.unwrap_err();
    assert!(matches!(err, Error::WrongEntity { .. }), "{err}");
    let err = table.put(&squatter).await.unwrap_err();
    assert!(matches!(err, Error::WrongEntity { .. }), "{err}");
    let stored = raw_item(&table, &User::primary_key("alice").unwrap())
        .await
        .unwrap();
    assert_eq!(stored["Type"].as_s().unwrap(), "User");

    // An entity query of a shared partition returns that entity's items only (a type filter;
    // the other type's item is still read and paid for).
    let metered = table.metered();
    let users = metered
        .query(User::query("rust-lang").unwrap())
        .all()
        .await
        .unwrap();
    assert!(users.is_empty());
    assert_eq!(metered.cost().requests, 1);

    // Read as one entity, an item of the other is a mismatch, named.
    let err = table
        .get::<User>(Organization::primary_key("rust-lang").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EntityTypeMismatch { .. }), "{err}");
}

/// The e-commerce store: an order under its customer, its items under themselves; GSI1 holds an
/// order with its items in one partition.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "CUSTOMER#<customer>"]
#[sk = "ORDER#<order_id>"]
#[gsi1(pk = "ORDER#<order_id>", sk = "ORDER#<order_id>")]
struct Order {
    customer: String,
    order_id: String,
    total_cents: u64,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "ORDER#<order_id>#ITEM#<item_id>"]
#[sk = "ORDER#<order_id>#ITEM#<item_id>"]
#[gsi1(pk = "ORDER#<order_id>", sk = "ITEM#<item_id>")]
struct OrderItem {
    order_id: String,
    item_id: String,
    quantity: u32,
}

/// Read from GSI1: the members' shapes are checked there (on the base table they differ).
#[derive(Debug, PartialEq, Collection)]
#[dynamo(index = "gsi1")]
enum OrderWithItems {
    Order(Order),
    OrderItem(OrderItem),
}

#[tokio::test]
async fn an_order_and_its_items_read_from_gsi1_in_one_query() {
    let schema = TableSchema::new()
        .entity::<Order>()
        .unwrap()
        .entity::<OrderItem>()
        .unwrap();
    let table = fresh_table(schema).await;
    let order = Order {
        customer: "alexdebrie".into(),
        order_id: "1VrgXBQ".into(),
        total_cents: 4_200,
    };
    table.create(&order).await.unwrap();
    for (item_id, quantity) in [("a1", 1), ("b2", 3)] {
        let item = OrderItem {
            order_id: "1VrgXBQ".into(),
            item_id: item_id.into(),
            quantity,
        };
        table.create(&item).await.unwrap();
    }
    // Another order's item is in another partition.
    let other = OrderItem {
        order_id: "other".into(),
        item_id: "z9".into(),
        quantity: 1,
    };
    table.create(&other).await.unwrap();

    let metered = table.metered();
    let page = metered
        .query_collection::<OrderWithItems, _>(Order::query_gsi1("1VrgXBQ").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(metered.cost().requests, 1);
    let parts = OrderWithItems::split(page.items);
    assert_eq!(parts.order, [order]);
    let quantities: Vec<u32> = parts.order_item.iter().map(|i| i.quantity).collect();
    assert_eq!(quantities, [1, 3]);

    // A query of another index is refused before sending.
    let err = table
        .query_collection::<OrderWithItems, _>(Order::query("alexdebrie").unwrap())
        .all()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: collection OrderWithItems is read from GSI1, but the query given is \
         of the table"
    );
}

/// GitHub: a repository, its issues and its stars in one partition. Issues sort before the
/// repository item, stars after it.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "REPO#<repo>"]
#[sk = "REPO#<repo>"]
struct Repo {
    repo: String,
    description: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "REPO#<repo>"]
#[sk = "ISSUE#<number>"]
struct Issue {
    repo: String,
    number: u32,
    title: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "REPO#<repo>"]
#[sk = "STAR#<user>"]
struct Star {
    repo: String,
    user: String,
}

#[derive(Debug, PartialEq, Collection)]
enum RepoPage {
    Repo(Repo),
    Issue(Issue),
    Star(Star),
}

#[tokio::test]
async fn a_repository_and_its_newest_issues_without_its_stars() {
    use dynamo_entity::SortKeyCondition;
    let schema = TableSchema::new()
        .entity::<Repo>()
        .unwrap()
        .entity::<Issue>()
        .unwrap()
        .entity::<Star>()
        .unwrap();
    let table = fresh_table(schema).await;
    table
        .create(&Repo {
            repo: "serde".into(),
            description: "Serialization".into(),
        })
        .await
        .unwrap();
    for number in 1..=5u32 {
        let issue = Issue {
            repo: "serde".into(),
            number,
            title: format!("issue {number}"),
        };
        table.create(&issue).await.unwrap();
    }
    for user in ["ann", "bob", "cy"] {
        let star = Star {
            repo: "serde".into(),
            user: user.into(),
        };
        table.create(&star).await.unwrap();
    }

    // Up to the repository's own sort key, newest first: the repository, then its issues.
    let repo_sk = Repo::primary_key("serde").unwrap().sk.unwrap();
    let metered = table.metered();
    let page = metered
        .query_collection::<RepoPage, _>(Repo::query("serde").unwrap())
        .sort_key(SortKeyCondition::Le(repo_sk))
        .descending()
        .limit(3)
        .all()
        .await
        .unwrap();
    assert_eq!(metered.cost().requests, 1);
    let parts = RepoPage::split(page.items);
    assert_eq!(parts.repo.len(), 1);
    let numbers: Vec<u32> = parts.issue.iter().map(|i| i.number).collect();
    assert_eq!(numbers, [5, 4]);
    assert!(parts.star.is_empty());

    // A member query's range is kept: issues from number 4 on, nothing else.
    let page = table
        .query_collection::<RepoPage, _>(Issue::query("serde").unwrap().number_ge(4u32).unwrap())
        .all()
        .await
        .unwrap();
    let parts = RepoPage::split(page.items);
    let numbers: Vec<u32> = parts.issue.iter().map(|i| i.number).collect();
    assert_eq!(numbers, [4, 5]);
    assert!(parts.repo.is_empty() && parts.star.is_empty());

    // Without a range, the whole partition, as before.
    let all = table
        .query_collection::<RepoPage, _>(Repo::query("serde").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(all.items.len(), 9);
}
