use dynamo_entity::Entity;

#[derive(Entity)]
#[sk = "PROFILE"]
struct User {
    user_id: String,
}

fn main() {}
