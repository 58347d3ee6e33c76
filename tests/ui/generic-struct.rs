use dynamo_entity::Entity;

#[derive(Entity)]
#[pk = "USER#<id>"]
struct User<T> {
    id: String,
    extra: T,
}

fn main() {}
