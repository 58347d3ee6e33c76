use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "CONFIG"]
#[sk = "FLAG#<name>"]
#[gsi1(pk = "ALL_FLAGS", sk = "<name>")]
struct Flag {
    name: String,
}

// Stating the intent compiles.
#[derive(Entity)]
#[pk = "CONFIG"]
#[sk = "LIMIT#<name>"]
#[dynamo(constant_pk)]
struct Limit {
    name: String,
}

// A stale opt-in does not.
#[derive(Entity)]
#[pk = "USER#<id>"]
#[dynamo(constant_pk)]
struct User {
    id: String,
}

fn main() {}
