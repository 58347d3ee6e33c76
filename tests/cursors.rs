//! Cursors bound to the whole query, and sealed cursors, against DynamoDB Local.

use dynamo_entity::{Cursor, CursorKey, Entity, Error, Table, TableSchema};
use dynamo_entity_suite::fresh_table;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<born>#<pet_id>"]
pub struct Pet {
    pub owner: String,
    pub born: u32,
    pub pet_id: String,
}

async fn table() -> Table {
    let table = fresh_table(TableSchema::new().entity::<Pet>().unwrap()).await;
    let mut batch = table.batch_write();
    for born in 2010..2020u32 {
        batch = batch.put(&Pet {
            owner: "alice".into(),
            born,
            pet_id: format!("pet{born}"),
        });
    }
    assert!(batch.send().await.unwrap().unprocessed.is_empty());
    table
}

fn assert_refused(result: dynamo_entity::Result<dynamo_entity::Page<Pet>>) {
    match result {
        Err(Error::InvalidCursor(_)) => {}
        other => panic!("expected InvalidCursor, got {other:?}"),
    }
}

#[tokio::test]
async fn a_cursor_is_bound_to_its_sort_key_condition_and_direction() {
    let table = table().await;
    let q = || Pet::query("alice").unwrap();
    let page = table
        .query(q().born_between(2012, 2017).unwrap())
        .page_size(2)
        .page()
        .await
        .unwrap();
    let cursor = page.cursor.unwrap();

    // The same query resumes.
    let next = table
        .query(q().born_between(2012, 2017).unwrap())
        .page_size(2)
        .after(cursor.clone())
        .page()
        .await
        .unwrap();
    let born: Vec<u32> = next.items.iter().map(|p| p.born).collect();
    assert_eq!(born, [2014, 2015]);

    // Another range, no range, or the other direction: refused, never a different page.
    assert_refused(
        table
            .query(q().born_between(2010, 2019).unwrap())
            .after(cursor.clone())
            .page()
            .await,
    );
    assert_refused(table.query(q()).after(cursor.clone()).page().await);
    assert_refused(
        table
            .query(q().born_between(2012, 2017).unwrap())
            .descending()
            .after(cursor)
            .page()
            .await,
    );
}

#[tokio::test]
async fn a_sealed_cursor_pages_through_and_cannot_be_read_or_forged() {
    let plain = table().await;
    let sealed = plain.with_cursor_key(CursorKey::new(*b"an example key of 32 bytes long!"));
    let q = || Pet::query("alice").unwrap();

    // Paging through with sealed cursors reads every item once.
    let mut seen = Vec::new();
    let mut after: Option<Cursor> = None;
    loop {
        let mut request = sealed.query(q()).page_size(3);
        if let Some(cursor) = after.take() {
            // Through text, as a client would hand it back.
            request = request.after(cursor.to_string().parse().unwrap());
        }
        let page = request.page().await.unwrap();
        seen.extend(page.items.iter().map(|p| p.born));
        match page.cursor {
            Some(cursor) => {
                assert!(!cursor.as_str().contains("alice"));
                after = Some(cursor);
            }
            None => break,
        }
    }
    assert_eq!(seen, (2010..2020).collect::<Vec<_>>());

    // A cursor anyone can make (a plain one) is refused by the sealing table, and a sealed one
    // means nothing to a table without the key, or with another key.
    let page = plain.query(q()).page_size(3).page().await.unwrap();
    assert_refused(sealed.query(q()).after(page.cursor.unwrap()).page().await);
    let page = sealed.query(q()).page_size(3).page().await.unwrap();
    let cursor = page.cursor.unwrap();
    assert_refused(plain.query(q()).after(cursor.clone()).page().await);
    let other = plain.with_cursor_key(CursorKey::new([9; 32]));
    assert_refused(other.query(q()).after(cursor).page().await);
}
