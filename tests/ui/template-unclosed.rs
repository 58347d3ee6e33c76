use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id"]
struct User {
    user_id: String,
}

fn main() {}
