use dynamo_entity::Entity;

#[derive(serde::Serialize, serde::Deserialize)]
struct Address {
    city: String,
}

#[derive(Entity)]
#[pk = "CITY#<address>"]
struct Shop {
    address: Address,
}

fn main() {}
