use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
struct User {
    user_id: String,
    #[dynamo(rename = "PK")]
    partition: String,
    #[dynamo(rename = "GSI3SK")]
    sort: String,
    #[allow(non_snake_case)]
    Type: String,
    #[dynamo(rename = "user_id")]
    copy: String,
}

fn main() {}
