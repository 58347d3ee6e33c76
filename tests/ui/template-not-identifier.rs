use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user id>"]
#[sk = "<1st>"]
struct User {
    user_id: String,
}

fn main() {}
