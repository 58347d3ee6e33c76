use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[pk = "ACCOUNT#<user_id>"]
#[sk = "PROFILE"]
#[sk = "PROFILE#V2"]
#[gsi1(pk = "EMAIL#<email>")]
#[gsi1(pk = "MAIL#<email>")]
#[gsi2(pk = "A#<email>", pk = "B#<email>")]
struct User {
    user_id: String,
    email: String,
}

fn main() {}
