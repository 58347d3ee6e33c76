use dynamo_entity::KeyValue;

#[derive(KeyValue)]
enum Status {
    Active,
    #[dynamo(rename = "Active")]
    Enabled,
    #[dynamo(rename = "A#B")]
    Odd,
    Pending(u8),
}

#[derive(KeyValue)]
struct NotAnEnum {
    value: String,
}

fn main() {}
