use dynamo_entity::{Entity, Table};

#[derive(Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PET#<pet_id>"]
struct Pet {
    owner_id: String,
    pet_id: String,
    name: String,
    #[dynamo(version)]
    version: u64,
}

async fn rename(table: &Table) {
    let f = Pet::fields();
    let key = Pet::primary_key("alice", "rex").unwrap();
    // A key field would move the item to another key: it cannot be set.
    let _ = table.update::<Pet>(key.clone()).set(f.owner_id, "bob".to_owned()).await;
    // The version is the framework's.
    let _ = table.update::<Pet>(key).set(f.version, 7).await;
}

fn main() {
    let _ = rename;
}
