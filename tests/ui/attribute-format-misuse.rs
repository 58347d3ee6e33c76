use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "E#<id>"]
struct Misuse {
    id: String,
    #[dynamo(format = "nanos")]
    unknown: chrono::DateTime<chrono::Utc>,
    #[dynamo(format = "millis", ttl)]
    expires: chrono::DateTime<chrono::Utc>,
    #[dynamo(format = "millis", serde)]
    both: chrono::DateTime<chrono::Utc>,
}

#[derive(Entity)]
#[pk = "E#<id>"]
struct NotATimestamp {
    id: String,
    #[dynamo(format = "millis")]
    name: String,
}

fn main() {}
