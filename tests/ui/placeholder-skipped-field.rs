use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[sk = "SESSION#<session>"]
struct User {
    user_id: String,
    #[dynamo(skip)]
    session: String,
}

fn main() {}
