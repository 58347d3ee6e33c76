use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "DOC#<id>"]
#[sk = "REV#<version>"]
#[gsi1(pk = "EXPIRY#<expires>")]
struct Doc {
    id: String,
    #[dynamo(version)]
    version: u64,
    #[dynamo(version)]
    revision: u32,
    #[dynamo(ttl)]
    expires: Option<u64>,
    #[dynamo(created_at)]
    created: String,
    #[dynamo(updated_at, ttl)]
    updated: chrono::DateTime<chrono::Utc>,
    #[dynamo(skip, created_at)]
    cache: chrono::DateTime<chrono::Utc>,
}

fn main() {}
