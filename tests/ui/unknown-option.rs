use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[dynamo(entity_typ = "Person")]
struct User {
    user_id: String,
    #[dynamo(renam = "mail")]
    email: String,
}

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[dynamo(skip)]
struct Account {
    #[dynamo(constant_pk)]
    user_id: String,
}

fn main() {}
