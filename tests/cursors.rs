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

/// A cursor belongs to its table: another table sealed with the same key refuses it; and a
/// rotated key keeps the cursors sealed before the rotation working (issue 20, item 18).
#[tokio::test]
async fn a_sealed_cursor_is_bound_to_its_table_and_survives_a_key_rotation() {
    let (first, second) = (table().await, table().await);
    let old = [3u8; 32];
    let page = first
        .with_cursor_key(CursorKey::new(old))
        .query(Pet::query("alice").unwrap())
        .page_size(3)
        .page()
        .await
        .unwrap();
    let cursor = page.cursor.expect("more pages");
    assert_refused(
        second
            .with_cursor_key(CursorKey::new(old))
            .query(Pet::query("alice").unwrap())
            .page_size(3)
            .after(cursor.clone())
            .page()
            .await,
    );
    let rotated = first.with_cursor_keys(CursorKey::new([4u8; 32]), [CursorKey::new(old)]);
    let next = rotated
        .query(Pet::query("alice").unwrap())
        .page_size(3)
        .after(cursor.clone())
        .page()
        .await
        .unwrap();
    assert_eq!(next.items.len(), 3);
    assert_refused(
        first
            .with_cursor_key(CursorKey::new([4u8; 32]))
            .query(Pet::query("alice").unwrap())
            .page_size(3)
            .after(cursor)
            .page()
            .await,
    );
}
