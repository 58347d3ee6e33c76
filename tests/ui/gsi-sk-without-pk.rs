use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[gsi1(sk = "EMAIL#<email>")]
#[gsi2()]
struct User {
    user_id: String,
    email: String,
}

fn main() {}
