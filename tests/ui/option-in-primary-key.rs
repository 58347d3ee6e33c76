use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[sk = "PET#<pet_id>"]
// Allowed: an Option in a GSI key makes a sparse index.
#[gsi1(pk = "CHIP#<chip>")]
struct Pet {
    user_id: String,
    pet_id: Option<String>,
    chip: Option<u64>,
}

fn main() {}
