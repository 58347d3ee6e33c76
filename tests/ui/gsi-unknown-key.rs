use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[gsi1(partition = "EMAIL#<email>")]
struct User {
    user_id: String,
    email: String,
}

fn main() {}
