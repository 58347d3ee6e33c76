use dynamo_entity::{Entity, Table};

#[derive(Entity)]
#[pk = "USER#<owner_id>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "RANK#<rank>")]
struct Pet {
    owner_id: String,
    pet_id: String,
    rank: u32,
    tags: Vec<String>,
}

async fn promote(table: &Table) {
    let f = Pet::fields();
    let key = Pet::primary_key("alice", "rex").unwrap();
    // Setting an index input re-derives the index key...
    let _ = table.update::<Pet>(key.clone()).set(f.rank, 2).await;
    // ...but arithmetic on one happens inside DynamoDB, where no key can follow it.
    let _ = table.update::<Pet>(key).add(f.rank, 1).await;
}

fn main() {
    let _ = promote;
}
