use dynamo_entity::{Collection, Entity};

#[derive(Entity)]
#[pk = "CUSTOMER#<customer>"]
#[sk = "ORDER#<order_id>"]
#[gsi1(pk = "ORDER#<order_id>", sk = "ORDER#<order_id>")]
struct Order {
    customer: String,
    order_id: String,
}

// No key in GSI1.
#[derive(Entity)]
#[pk = "ORDER#<order_id>#ITEM#<item_id>"]
#[sk = "ITEM"]
struct OrderItem {
    order_id: String,
    item_id: String,
}

// In GSI1, but partitioned otherwise.
#[derive(Entity)]
#[pk = "SHIPMENT#<id>"]
#[sk = "SHIPMENT"]
#[gsi1(pk = "SHIP#<order_id>#<id>", sk = "SHIPMENT")]
struct Shipment {
    id: String,
    order_id: String,
}

#[derive(Collection)]
#[dynamo(index = "gsi1")]
enum WithItems {
    Order(Order),
    OrderItem(OrderItem),
}

#[derive(Collection)]
#[dynamo(index = "gsi1")]
enum WithShipments {
    Order(Order),
    Shipment(Shipment),
}

#[derive(Collection)]
#[dynamo(index = "gsi21")]
enum NoSuchIndex {
    Order(Order),
}

#[derive(Collection)]
#[dynamo(sparse)]
enum UnknownOption {
    Order(Order),
}

#[derive(Collection)]
enum UnknownVariantOption {
    #[dynamo(partial)]
    Order(Order),
}

fn main() {}
