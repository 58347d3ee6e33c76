//! Table layouts beyond the book's four: a local secondary index, global indexes that hold
//! keys only or some attributes, and a collection read from an index by name.

use aws_sdk_dynamodb::types::ProjectionType;
use dynamo_entity::{Collection, Entity, Projection, TableLayout, TableSchema};
use dynamo_entity_suite::{fresh_table, raw_item, s};

#[derive(TableLayout)]
#[dynamo(partition_key = "pk", sort_key = "sk", type_attribute = "kind")]
#[dynamo(lsi(ByPrice: sort_key = "lsi_price", projection = "include", include = ["title"]))]
#[dynamo(gsi(BySeller: partition_key = "seller_pk", sort_key = "seller_sk", projection = "keys_only"))]
#[dynamo(gsi(ByTag: partition_key = "tag_pk", include = ["title", "price"]))]
#[dynamo(gsi(ByCode: partition_key = "code", projection = "keys_only"))]
struct Shop;

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = Shop)]
#[pk = "STORE#<store>"]
#[sk = "PRODUCT#<product>"]
#[index(ByPrice: sk = "PRICE#<price:9>#<product>")]
#[index(BySeller: pk = "SELLER#<seller>", sk = "PRODUCT#<product>")]
#[index(ByTag: pk = "TAG#<tag:lower>")]
#[index(ByCode: pk = "<code>")]
struct Product {
    /// The product's barcode, kept as the key of `ByCode` itself.
    code: String,
    store: String,
    product: String,
    title: String,
    price: u32,
    seller: String,
    tag: String,
    stock: u32,
}

/// The store's own item: in the store's partition, and in the seller's index partition too.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = Shop)]
#[pk = "STORE#<store>"]
#[sk = "STORE"]
#[index(BySeller: pk = "SELLER#<seller>", sk = "STORE#<store>")]
struct Store {
    store: String,
    seller: String,
}

#[derive(Debug, Clone, PartialEq, Projection)]
#[dynamo(of = Product)]
struct ProductCode {
    code: String,
}

#[derive(Debug, Clone, PartialEq, Projection)]
#[dynamo(of = Product)]
struct Listing {
    title: String,
    price: u32,
}

#[derive(Debug, Clone, PartialEq, Projection)]
#[dynamo(of = Product)]
struct StockLevel {
    stock: u32,
}

/// A seller's partition of `BySeller`, by name.
#[derive(Debug, PartialEq, Collection)]
#[dynamo(index = "BySeller")]
enum SellerPage {
    Store(Store),
    Product(Product),
}

fn product(n: u32, price: u32) -> Product {
    Product {
        code: format!("400000000{n}"),
        store: "corner".into(),
        product: format!("p{n}"),
        title: format!("Product {n}"),
        price,
        seller: "sam".into(),
        tag: if n.is_multiple_of(2) { "Even" } else { "Odd" }.into(),
        stock: n * 10,
    }
}

async fn shop() -> (dynamo_entity::Table, Vec<Product>) {
    let schema = TableSchema::of::<Shop>()
        .entity::<Product>()
        .and_then(|s| s.entity::<Store>())
        .unwrap();
    let table = fresh_table(schema).await;
    table
        .create(&Store {
            store: "corner".into(),
            seller: "sam".into(),
        })
        .await
        .unwrap();
    let products: Vec<Product> = [(1, 500), (2, 150), (3, 990), (4, 20)]
        .into_iter()
        .map(|(n, price)| product(n, price))
        .collect();
    for p in &products {
        table.create(p).await.unwrap();
    }
    (table, products)
}

#[tokio::test]
async fn a_local_index_sorts_a_partition_another_way() {
    let (table, products) = shop().await;
    let described = table
        .client()
        .describe_table()
        .table_name(table.name())
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let local = &described.local_secondary_indexes()[0];
    assert_eq!(local.index_name(), Some("ByPrice"));
    assert_eq!(local.key_schema()[0].attribute_name(), "pk");
    assert_eq!(local.key_schema()[1].attribute_name(), "lsi_price");
    let projection = local.projection().unwrap();
    assert_eq!(projection.projection_type(), Some(&ProjectionType::Include));
    assert_eq!(projection.non_key_attributes(), ["title"]);

    // The item holds the local index's sort key; its partition key is the table's.
    let stored = raw_item(&table, &products[3].key().unwrap()).await.unwrap();
    assert_eq!(stored["pk"], s("STORE#corner"));
    assert_eq!(stored["lsi_price"], s("PRICE#000000020#p4"));
    assert_eq!(stored["kind"], s("Product"));

    // Cheapest first, read whole: DynamoDB fetches from the table what the index lacks.
    let metered = table.metered();
    let by_price = metered
        .query(Product::query_by_price("corner").unwrap())
        .all()
        .await
        .unwrap();
    let prices: Vec<u32> = by_price.iter().map(|p| p.price).collect();
    assert_eq!(prices, [20, 150, 500, 990]);
    assert_eq!(by_price[0], products[3]);
    // Prices up to 500, by the typed range on the formatted part.
    let cheap = metered
        .query(
            Product::query_by_price("corner")
                .unwrap()
                .price_le(500u32)
                .unwrap(),
        )
        .all()
        .await
        .unwrap();
    assert_eq!(cheap.len(), 3);
    assert_eq!(metered.cost().requests, 2);
}

#[tokio::test]
async fn a_keys_only_index_gives_keys_told_apart_by_their_templates() {
    let (table, _) = shop().await;
    let metered = table.metered();
    // Whole products are not in the index: refused before sending.
    let refused = metered
        .query(Product::query_by_seller("sam").unwrap())
        .all()
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("BySeller projects KEYS_ONLY"),
        "{refused}"
    );
    // A projection beyond the keys is refused too.
    let refused = metered
        .query(Product::query_by_seller("sam").unwrap())
        .project::<StockLevel>()
        .all()
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("BySeller projects KEYS_ONLY attributes and does not hold stock of Product"),
        "{refused}"
    );
    assert_eq!(metered.cost().requests, 0);
    // A keys-only index whose key is an attribute of the entity: its projection is read,
    // told apart from other entities' items by its key, as the index holds no `kind`.
    let code = metered
        .query(Product::query_by_code("4000000003").unwrap())
        .project::<ProductCode>()
        .all()
        .await
        .unwrap();
    assert_eq!(
        code,
        [ProductCode {
            code: "4000000003".into()
        }]
    );
    assert_eq!(metered.cost().requests, 1);
}

#[tokio::test]
async fn an_include_index_serves_the_projections_it_holds() {
    let (table, _) = shop().await;
    let metered = table.metered();
    let mut listings = metered
        .query(Product::query_by_tag("EVEN").unwrap())
        .project::<Listing>()
        .all()
        .await
        .unwrap();
    listings.sort_by_key(|l| l.price);
    assert_eq!(
        listings,
        [
            Listing {
                title: "Product 4".into(),
                price: 20
            },
            Listing {
                title: "Product 2".into(),
                price: 150
            }
        ]
    );
    assert_eq!(metered.cost().requests, 1);
}

#[tokio::test]
async fn a_collection_is_read_from_an_index_by_name() {
    let (table, _) = shop().await;
    assert_eq!(
        <SellerPage as dynamo_entity::Collection>::INDEX,
        Some(Product::BY_SELLER)
    );
    // KEYS_ONLY: a collection of whole entities cannot come from it.
    let metered = table.metered();
    let refused = metered
        .query_collection::<SellerPage, _>(Store::query_by_seller("sam").unwrap())
        .all()
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("BySeller projects KEYS_ONLY attributes, so whole SellerPage items"),
        "{refused}"
    );
    assert_eq!(metered.cost().requests, 0);
}

/// The design review of a declared layout: its names, its local index and its projections in
/// the report, the CloudFormation, Terraform and CDK definitions and the IAM policy. Committed
/// under `tests/designs/layouts/` and validated by CI (`scripts/validate-design`).
#[tokio::test]
async fn the_design_of_a_declared_layout_is_current() {
    use dynamo_entity::design::{Design, Recorder};
    let (table, _) = shop().await;
    let recorder = Recorder::new();
    let table = table.recorded_by(&recorder);
    table
        .pattern("a store's products, cheapest first")
        .query(Product::query_by_price("corner").unwrap())
        .all()
        .await
        .unwrap();
    table
        .pattern("a product by its code")
        .query(Product::query_by_code("4000000003").unwrap())
        .project::<ProductCode>()
        .all()
        .await
        .unwrap();
    table
        .pattern("listings of a tag")
        .query(Product::query_by_tag("even").unwrap())
        .project::<Listing>()
        .all()
        .await
        .unwrap();
    let design = Design::of("shop", &table).patterns(&recorder);
    design.assert_current(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/designs/layouts"
    ));
    let report = design.markdown();
    assert!(
        report.contains("| ByPrice | `pk` | `lsi_price` | INCLUDE (title), local |"),
        "{report}"
    );
    assert!(
        report.contains("| BySeller | `seller_pk` | `seller_sk` | KEYS_ONLY |"),
        "{report}"
    );
    let cfn = design.cloudformation();
    assert!(
        cfn.contains("      LocalSecondaryIndexes:\n        - IndexName: \"ByPrice\""),
        "{cfn}"
    );
    assert!(cfn.contains("            ProjectionType: INCLUDE\n            NonKeyAttributes:\n              - \"title\""), "{cfn}");
    let tf = design.terraform();
    assert!(
        tf.contains("local_secondary_index {\n    name            = \"ByPrice\""),
        "{tf}"
    );
    assert!(design.cdk().contains("localSecondaryIndexes: ["));
    // The key attribute that is also an attribute of the entity is not a reused attribute.
    assert!(
        design.lints().iter().all(|l| l.code != "reused-attribute"),
        "{:?}",
        design.lints()
    );
}

/// An update of a formatted placeholder re-derives the local index's key from the value set and
/// the primary key's parts, without reading the item.
#[tokio::test]
async fn an_update_re_derives_a_formatted_local_index_key() {
    let (table, _) = shop().await;
    let metered = table.metered();
    metered
        .update::<Product>(Product::primary_key("corner", "p3").unwrap())
        .set(Product::fields().price, 7)
        .send()
        .await
        .unwrap();
    assert_eq!(metered.cost().requests, 1);
    let stored = raw_item(&table, &Product::primary_key("corner", "p3").unwrap())
        .await
        .unwrap();
    assert_eq!(stored["lsi_price"], s("PRICE#000000007#p3"));
    let cheapest = table
        .query(Product::query_by_price("corner").unwrap())
        .page_size(1)
        .page()
        .await
        .unwrap();
    assert_eq!(cheapest.items[0].product, "p3");
    // A value too wide for the width is refused before sending, naming the field.
    let err = table
        .update::<Product>(Product::primary_key("corner", "p3").unwrap())
        .set(Product::fields().price, 1_000_000_000)
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Product.price"), "{err}");
    assert!(
        err.to_string().contains("more than the key's 9 digits"),
        "{err}"
    );
}

/// A layout that declares GSI4 only: a collection's `index = "gsi4"` is the index named GSI4,
/// not the fourth one declared (issue 20, item 11).
#[derive(TableLayout)]
#[dynamo(partition_key = "PK", sort_key = "SK")]
#[dynamo(gsi(GSI4: partition_key = "GSI4PK", sort_key = "GSI4SK"))]
struct OnlyGsi4;

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = OnlyGsi4)]
#[pk = "TEAM#<team>"]
#[sk = "TEAM"]
#[index(GSI4: pk = "LEAGUE#<league>", sk = "TEAM#<team>")]
struct Team {
    team: String,
    league: String,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = OnlyGsi4)]
#[pk = "GAME#<game>"]
#[sk = "GAME"]
#[index(GSI4: pk = "LEAGUE#<league>", sk = "GAME#<game>")]
struct Game {
    game: String,
    league: String,
}

#[derive(Debug, PartialEq, Collection)]
#[dynamo(index = "gsi4")]
enum League {
    Team(Team),
    Game(Game),
}

#[tokio::test]
async fn a_collection_names_gsi4_of_a_layout_that_declares_only_it() {
    let table = fresh_table(
        TableSchema::of::<OnlyGsi4>()
            .entity::<Team>()
            .and_then(|s| s.entity::<Game>())
            .unwrap(),
    )
    .await;
    let team = Team {
        team: "owls".into(),
        league: "north".into(),
    };
    let game = Game {
        game: "g1".into(),
        league: "north".into(),
    };
    table.create(&team).await.unwrap();
    table.create(&game).await.unwrap();
    let page = table
        .query_collection::<League, _>(Team::query_gsi4("north").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(page.items, [League::Game(game), League::Team(team)]);
}

/// A keys-only index does not hold an entity's TTL attribute: reading the entity (or its
/// keys) there could not tell expired items from live ones, so it is refused, by a query and a
/// scan alike, before anything is sent (issue 20, items 5 and 21).
#[derive(TableLayout)]
#[dynamo(partition_key = "PK", sort_key = "SK")]
#[dynamo(gsi(ByUser: partition_key = "user", projection = "keys_only"))]
#[dynamo(gsi(ByUserWithTtl: partition_key = "user_ttl_pk", include = ["expires", "id"]))]
struct Sessions;

#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = Sessions)]
#[pk = "SESSION#<id>"]
#[sk = "SESSION"]
#[index(ByUser: pk = "<user>")]
#[index(ByUserWithTtl: pk = "USER#<user>")]
struct Session {
    id: String,
    user: String,
    #[dynamo(ttl)]
    expires: u64,
}

#[derive(Debug, Clone, PartialEq, Projection)]
#[dynamo(of = Session)]
struct SessionKey {
    id: String,
}

/// What the keys-only index holds of a session: its user (the index's key).
#[derive(Debug, Clone, PartialEq, Projection)]
#[dynamo(of = Session)]
struct SessionUser {
    user: String,
}

/// Alice's live session `s1` and expired `s2`, written as another client would (the library
/// would not write an expired item).
async fn sessions_of_alice(table: &dynamo_entity::Table) {
    for (id, expires) in [("s1", 4_000_000_000), ("s2", 1)] {
        let session = Session {
            id: id.into(),
            user: "alice".into(),
            expires,
        };
        table
            .client()
            .put_item()
            .table_name(table.name())
            .set_item(Some(session.to_item().unwrap()))
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn an_index_without_the_ttl_attribute_is_not_read_for_the_entity() {
    let table = fresh_table(TableSchema::of::<Sessions>().entity::<Session>().unwrap()).await;
    let metered = table.metered();
    let refused = metered
        .query(Session::query_by_user("alice").unwrap())
        .project::<SessionUser>()
        .all()
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("does not hold Session's TTL attribute `expires`"),
        "{refused}"
    );
    let scanned = metered
        .scan_index::<Session>(Session::BY_USER)
        .all()
        .await
        .unwrap_err();
    assert!(
        scanned.to_string().contains("ByUser projects KEYS_ONLY"),
        "{scanned}"
    );
    assert_eq!(metered.cost().requests, 0);
    // An index that holds it serves the projection, expired items left out.
    sessions_of_alice(&table).await;
    let keys = table
        .query(Session::query_by_user_with_ttl("alice").unwrap())
        .project::<SessionKey>()
        .all()
        .await
        .unwrap();
    assert_eq!(keys, [SessionKey { id: "s1".into() }]);
}

#[tokio::test]
async fn expired_items_can_be_asked_for_where_they_cannot_be_told_apart() {
    let table = fresh_table(TableSchema::of::<Sessions>().entity::<Session>().unwrap()).await;
    sessions_of_alice(&table).await;
    let users = table
        .including_expired()
        .query(Session::query_by_user("alice").unwrap())
        .project::<SessionUser>()
        .all()
        .await
        .unwrap();
    assert_eq!(users.len(), 2, "the live session and the expired one");
}
