use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_i>"]
struct User {
    user_id: String,
    email: String,
}

fn main() {}
