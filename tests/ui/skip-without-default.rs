use dynamo_entity::Entity;

struct Connection;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
struct User {
    user_id: String,
    #[dynamo(skip)]
    connection: Connection,
}

fn main() {}
