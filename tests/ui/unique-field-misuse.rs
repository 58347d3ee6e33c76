use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "CUSTOMER#<id>"]
#[sk = "PROFILE"]
struct Customer {
    id: String,
    #[dynamo(unique, skip)]
    email: String,
    #[dynamo(unique, version)]
    version: u64,
}

fn main() {}
