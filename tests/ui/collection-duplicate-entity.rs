// Two variants of one entity type: items of it would always read as the first.
use dynamo_entity::{Collection, Entity, Projection};

#[derive(Entity)]
#[pk = "USER#<username>"]
#[sk = "PROFILE"]
struct User {
    username: String,
    name: String,
}

#[derive(Projection)]
#[dynamo(of = User)]
struct UserName {
    username: String,
    name: String,
}

type Account = User;

#[derive(Collection)]
enum ByAlias {
    User(User),
    Account(Account),
}

#[derive(Collection)]
enum ByProjection {
    User(User),
    #[dynamo(projection)]
    Name(UserName),
}

fn main() {}
