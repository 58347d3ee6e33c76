use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
struct User {
    #[sk = "PROFILE"]
    user_id: String,
}

fn main() {}
