use dynamo_entity::Entity;

// Four independent mistakes: all are reported in one compile.
#[derive(Entity)]
#[pk = "USER#<usr_id>"]
#[sk = "ORDER#<placed_at"]
#[gsi1(pk = "TOTAL#<total>")]
#[dynamo(tabel = "x")]
struct Order {
    user_id: String,
    placed_at: u64,
    total: f32,
}

fn main() {}
