use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<>"]
struct User {
    user_id: String,
}

fn main() {}
