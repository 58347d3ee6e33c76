use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[gsi21(pk = "EMAIL#<email>")]
struct User {
    user_id: String,
    email: String,
}

fn main() {}
