//! A `RawKey` part may hold the key delimiter, so its key space is any text: the table schema
//! counts that when it looks for items that share a partition (issue 20, item 10).

use dynamo_entity::{Entity, RawKey, TableSchema};
use dynamo_entity_suite::fresh_table;

/// A pin ranks in a board's GSI2 partition by a key it assembles itself, which can start with
/// `POST#` like the posts' keys there.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(computed(rank: RawKey, from(id)))]
#[pk = "PIN#<id>"]
#[sk = "PIN"]
#[gsi2(pk = "BOARD#<board>", sk = "<rank>")]
struct Pin {
    id: String,
    board: String,
}

impl Pin {
    fn rank(&self) -> RawKey {
        RawKey(format!("POST#{}#PIN", self.id))
    }
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "POST#<id>"]
#[sk = "POST"]
#[gsi2(pk = "BOARD#<board>", sk = "POST#<id>")]
struct Post {
    id: String,
    board: String,
}

#[tokio::test]
async fn a_query_selects_its_own_items_where_a_raw_key_can_look_like_its_own() {
    let table = fresh_table(
        TableSchema::new()
            .entity::<Pin>()
            .and_then(|s| s.entity::<Post>())
            .unwrap(),
    )
    .await;
    let post = Post {
        id: "p1".into(),
        board: "b".into(),
    };
    let pin = Pin {
        id: "p1".into(),
        board: "b".into(),
    };
    table.create(&post).await.unwrap();
    table.create(&pin).await.unwrap();
    let posts = table
        .query(Post::query_gsi2("b").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(posts, [post]);
}
