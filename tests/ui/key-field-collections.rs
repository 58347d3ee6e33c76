use std::collections::HashMap;

use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<tags>"]
#[sk = "PREFS#<prefs>"]
#[gsi1(pk = "PAIR#<pair>")]
struct User {
    tags: Vec<String>,
    prefs: HashMap<String, String>,
    pair: (u8, u8),
}

fn main() {}
