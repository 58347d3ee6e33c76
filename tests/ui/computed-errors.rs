use dynamo_entity::Entity;

#[derive(Entity)]
#[dynamo(computed(owner_key: String, from(ownr)))]
#[dynamo(computed(id: String, from(id)))]
#[pk = "REPO#<owner_key>"]
#[sk = "REPO"]
#[gsi1(pk = "O#<owner>", sk = "S", when(is_visible, from(hidden, secret)))]
struct Repo {
    id: String,
    owner: String,
    hidden: bool,
    #[dynamo(skip)]
    secret: bool,
}

fn main() {}
