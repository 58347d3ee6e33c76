//! Index keys an update derives stay true to the values it stores: an addition or a
//! subtraction moves the item into or out of an index whose predicate reads the number, and a
//! computed key part that reads it takes its new value (issue 20, item 2).

use dynamo_entity::{Entity, Error, InvalidRequestKind, RawKey, TableSchema};
use dynamo_entity_suite::fresh_table;

/// A post is on the hot list (GSI1) while it has at least 10 likes, and ranked by score in
/// GSI2 through a computed part that reads it.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(constant_pk)]
#[dynamo(computed(rank: RawKey, from(score)))]
#[pk = "POST#<post_id>"]
#[sk = "POST"]
#[gsi1(pk = "HOT", sk = "POST#<post_id>", when(is_hot, from(likes)))]
#[gsi2(pk = "RANKED", sk = "<rank>")]
struct Post {
    post_id: String,
    likes: u64,
    score: i64,
    tags: Vec<String>,
}

impl Post {
    fn is_hot(&self) -> bool {
        self.likes >= 10
    }

    /// Scores from -999 to 999, as text that sorts in their order.
    fn rank(&self) -> RawKey {
        RawKey(format!("{:04}", self.score + 1000))
    }
}

fn post(id: &str, likes: u64, score: i64) -> Post {
    Post {
        post_id: id.into(),
        likes,
        score,
        tags: Vec::new(),
    }
}

async fn hot(table: &dynamo_entity::Table) -> Vec<String> {
    let posts: Vec<Post> = table
        .query(Post::query_gsi1().unwrap())
        .all()
        .await
        .unwrap();
    posts.into_iter().map(|p| p.post_id).collect()
}

#[tokio::test]
async fn an_addition_moves_the_item_into_the_index_its_predicate_reads() {
    let table = fresh_table(TableSchema::new().entity::<Post>().unwrap()).await;
    table.create(&post("p1", 9, 0)).await.unwrap();
    assert!(hot(&table).await.is_empty());

    let fields = Post::fields();
    let liked = table
        .update::<Post>(Post::primary_key("p1").unwrap())
        .add(fields.likes, 1)
        .await
        .unwrap();
    assert_eq!(liked.likes, 10);
    assert_eq!(hot(&table).await, ["p1"], "10 likes: on the hot list");

    table
        .update::<Post>(Post::primary_key("p1").unwrap())
        .subtract(fields.likes, 2)
        .await
        .unwrap();
    assert!(hot(&table).await.is_empty(), "8 likes: off the hot list");
}

#[tokio::test]
async fn an_addition_rederives_a_computed_part_that_reads_it() {
    let table = fresh_table(TableSchema::new().entity::<Post>().unwrap()).await;
    table.create(&post("p1", 0, 5)).await.unwrap();
    table.create(&post("p2", 0, 7)).await.unwrap();

    let fields = Post::fields();
    table
        .update::<Post>(Post::primary_key("p1").unwrap())
        .add(fields.score, 10)
        .await
        .unwrap();
    let ranked: Vec<Post> = table
        .query(Post::query_gsi2().unwrap())
        .all()
        .await
        .unwrap();
    let order: Vec<(&str, i64)> = ranked.iter().map(|p| (&*p.post_id, p.score)).collect();
    assert_eq!(order, [("p2", 7), ("p1", 15)], "p1 ranks by its new score");
    let item = table
        .get::<Post>(Post::primary_key("p1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.rank(), RawKey("1015".into()));
}

#[tokio::test]
async fn a_change_the_library_cannot_compute_is_refused_before_anything_is_sent() {
    /// An index whose predicate reads a list: removing an element by index is not applied to
    /// the item read here, so the key cannot be derived.
    #[derive(Debug, Clone, PartialEq, Entity)]
    #[dynamo(constant_pk)]
    #[pk = "NOTE#<id>"]
    #[sk = "NOTE"]
    #[gsi1(pk = "TAGGED", sk = "NOTE#<id>", when(is_tagged, from(tags)))]
    struct Note {
        id: String,
        tags: Vec<String>,
    }
    impl Note {
        fn is_tagged(&self) -> bool {
            !self.tags.is_empty()
        }
    }
    let table = fresh_table(TableSchema::new().entity::<Note>().unwrap()).await;
    table
        .create(&Note {
            id: "n1".into(),
            tags: vec!["x".into()],
        })
        .await
        .unwrap();
    let err = table
        .update::<Note>(Note::primary_key("n1").unwrap())
        .remove_at(Note::fields().tags, [0])
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::InvalidRequest { kind: InvalidRequestKind::Argument, message }
                if message.contains("tags") && message.contains("GSI1")
        ),
        "{err}"
    );
    let stored = table
        .get::<Note>(Note::primary_key("n1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.tags, ["x"], "nothing was written");
}
