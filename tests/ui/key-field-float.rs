use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "READING#<sensor>"]
#[sk = "VALUE#<value>"]
struct Reading {
    sensor: String,
    value: f64,
}

fn main() {}
