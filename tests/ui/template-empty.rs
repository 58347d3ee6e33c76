use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[sk = ""]
struct User {
    user_id: String,
}

fn main() {}
