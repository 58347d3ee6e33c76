// A mistake in a Collection, Projection or KeyValue derive is reported once, where it is: the
// code that uses the type reports nothing more.
use dynamo_entity::{Collection, Entity, KeyValue, Projection};

#[derive(Clone, Copy, KeyValue, serde::Serialize, serde::Deserialize)]
enum Status {
    Open,
    Held(u8),
}

#[derive(Entity)]
#[pk = "ORDER#<id>"]
#[sk = "STATUS#<status>"]
struct Order {
    id: String,
    status: Status,
}

#[derive(Projection)]
#[dynamo(of = Order, unknown)]
struct OrderHeader {
    id: String,
}

#[derive(Collection)]
enum OrderPage {
    Order(Order),
    Nothing,
}

fn uses(page: Vec<OrderPage>) {
    let _ = OrderPage::split(page);
    let _ = Order::primary_key("o1", Status::Open);
    let _ = <OrderHeader as dynamo_entity::Projection>::ATTRIBUTES;
}

fn main() {}
