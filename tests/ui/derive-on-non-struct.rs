use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<id>"]
enum Page {
    User,
}

#[derive(Entity)]
#[pk = "USER#<0>"]
struct Tuple(String);

#[derive(Entity)]
#[pk = "USER#<id>"]
union Bits {
    id: u64,
}

#[derive(Entity)]
#[pk = "USER#<id>"]
struct Unit;

fn main() {}
