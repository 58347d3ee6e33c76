use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[gsi1(pk = "ACTIVE#<active>")]
struct User {
    user_id: String,
    active: bool,
}

fn main() {}
