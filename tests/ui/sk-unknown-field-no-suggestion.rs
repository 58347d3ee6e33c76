use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[sk = "ORDER#<order_number>"]
struct Order {
    user_id: String,
    total: u64,
}

fn main() {}
