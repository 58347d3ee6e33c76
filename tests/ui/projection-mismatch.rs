use dynamo_entity::{Entity, Projection};

#[derive(Entity)]
#[pk = "USER#<id>"]
struct User {
    id: String,
    #[dynamo(rename = "full_name")]
    name: String,
    age: u32,
    #[dynamo(ttl)]
    expires_at: u64,
}

// No such field.
#[derive(Projection)]
#[dynamo(of = User)]
struct WithEmail {
    id: String,
    email: String,
}

// Stored under another name than the entity's.
#[derive(Projection)]
#[dynamo(of = User)]
struct NotRenamed {
    name: String,
}

// Another type than the entity's.
#[derive(Projection)]
#[dynamo(of = User)]
struct WrongType {
    age: String,
}

// The TTL field read as a plain number.
#[derive(Projection)]
#[dynamo(of = User)]
struct NotTtl {
    expires_at: u64,
}

// Which entity?
#[derive(Projection)]
struct Orphan {
    id: String,
}

fn main() {}
