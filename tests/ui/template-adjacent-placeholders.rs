use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<first><last>"]
#[sk = "<year>-<month>"]
struct User {
    first: String,
    last: String,
    year: u16,
    month: u8,
}

fn main() {}
