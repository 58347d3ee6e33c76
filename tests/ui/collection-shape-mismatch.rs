use dynamo_entity::{Collection, Entity};

#[derive(Entity)]
#[pk = "USER#<username>"]
#[sk = "PROFILE"]
struct User {
    username: String,
}

#[derive(Entity)]
#[pk = "OWNER#<owner>"]
#[sk = "PET#<pet_id>"]
struct Pet {
    owner: String,
    pet_id: String,
}

// USER#<..> and OWNER#<..> are different partitions: no single query reads both.
#[derive(Collection)]
enum UserPage {
    User(User),
    Pet(Pet),
}

#[derive(Collection)]
enum Broken {
    Unit,
    Two(User, Pet),
}

fn main() {}
