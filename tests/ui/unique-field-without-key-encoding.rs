use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "PLAYER#<id>"]
#[sk = "PROFILE"]
struct Player {
    id: String,
    // A unique value is kept as key text: it needs a key encoding, and floats have none.
    #[dynamo(unique)]
    score: f64,
}

fn main() {}
