use dynamo_entity::{Entity, TableLayout};

#[derive(TableLayout)]
#[dynamo(partition_key = "SessionToken")]
#[dynamo(gsi(UserIndex: partition_key = "Username"))]
struct SessionStore;

// The layout has no index of this name.
#[derive(Entity)]
#[dynamo(table = SessionStore)]
#[pk = "<token>"]
#[index(ByEmail: pk = "<email>")]
struct UnknownIndex {
    token: String,
    email: String,
}

// The table has no sort key.
#[derive(Entity)]
#[dynamo(table = SessionStore)]
#[pk = "SESSION#<token>"]
#[sk = "SESSION"]
struct SortKeyOnHashOnlyTable {
    token: String,
}

// An application attribute under the key attribute's name, which the key fills otherwise.
#[derive(Entity)]
#[dynamo(table = SessionStore)]
#[pk = "SESSION#<token>"]
struct KeyAttributeTaken {
    #[dynamo(rename = "SessionToken")]
    token: String,
}

// An application attribute under the entity-type attribute's name.
#[derive(Entity)]
#[dynamo(table = SessionStore)]
#[pk = "<token>"]
struct TypeAttributeTaken {
    token: String,
    #[dynamo(rename = "Type")]
    kind: String,
}

fn main() {}
