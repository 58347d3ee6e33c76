use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "ORDER#<order_no>"]
struct Order {
    order_no: u64,
}

fn main() {
    // The builder takes the field's own type: a string is not an order number.
    let _ = Order::partition_key("42");
}
