use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "BRAND#<brand:uper>"]
#[sk = "N#<number:7:upper>"]
#[gsi1(pk = "X#<brand:0>", sk = "Y#<created:millis:date>")]
struct UnknownFormats {
    brand: String,
    number: u32,
    created: u64,
}

#[derive(Entity)]
#[pk = "N#<number:upper>"]
#[sk = "B#<brand:7>"]
#[gsi1(pk = "D#<brand:date>", sk = "I#<number:inverted>")]
struct FormatsOnTheWrongTypes {
    brand: String,
    number: u32,
}

#[derive(Entity)]
#[pk = "I#<id>"]
#[sk = "N#<number:unpadded>"]
struct NoRangeOnUnpadded {
    id: String,
    number: u32,
}

fn main() {
    let _ = NoRangeOnUnpadded::query("a").unwrap().number_between(1u32, 2u32);
}
