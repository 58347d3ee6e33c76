//! Named scans of an index, and single segments of a scan spread over processes, against
//! DynamoDB Local.

use std::collections::BTreeSet;

use dynamo_entity::design::{Design, Recorder};
use dynamo_entity::{Entity, Index, TableSchema};
use dynamo_entity_suite::fresh_table;

/// Only pets with a chip are in GSI1: it is the list of all chipped pets.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PET#<pet_id>"]
#[gsi1(pk = "CHIP#<chip>", sk = "PET")]
struct Pet {
    owner: String,
    pet_id: String,
    chip: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<owner>"]
#[sk = "PROFILE"]
struct Owner {
    owner: String,
}

#[tokio::test]
async fn a_sparse_index_scanned_whole_or_by_segments_lists_its_items_once() {
    let schema = TableSchema::new()
        .entity::<Pet>()
        .unwrap()
        .entity::<Owner>()
        .unwrap();
    let table = fresh_table(schema).await;
    for n in 0..40u64 {
        let pet = Pet {
            owner: format!("owner{}", n % 7),
            pet_id: format!("pet{n}"),
            chip: (n % 4 == 0).then_some(900_000 + n),
        };
        table.create(&pet).await.unwrap();
    }
    table
        .create(&Owner {
            owner: "owner0".into(),
        })
        .await
        .unwrap();

    let recorder = Recorder::new();
    let recorded = table.recorded_by(&recorder).pattern("every chipped pet");
    let chipped = recorded
        .scan_index::<Pet>(Index::Gsi(1))
        .segments(2)
        .all()
        .await
        .unwrap();
    assert_eq!(chipped.len(), 10);
    assert!(chipped.iter().all(|p| p.chip.is_some()));
    // The index holds only them: nothing read was thrown away.
    let policy = Design::new("pets", table.schema())
        .patterns(&recorder)
        .iam_policy();
    assert!(policy.contains("\"Sid\": \"ScanOfIndexGSI1\""), "{policy}");
    assert!(policy.contains("table/pets/index/GSI1\""), "{policy}");

    // Three processes, each reading its own segment of three: every pet once.
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for i in 0..3 {
        let part = table
            .scan_for_migration::<Pet>()
            .segment(i, 3)
            .all()
            .await
            .unwrap();
        total += part.len();
        seen.extend(part.into_iter().map(|p| p.pet_id));
    }
    assert_eq!((total, seen.len()), (40, 40));
    let mut chipped_parts = 0;
    for i in 0..2 {
        chipped_parts += table
            .scan_index::<Pet>(Index::Gsi(1))
            .segment(i, 2)
            .all()
            .await
            .unwrap()
            .len();
    }
    assert_eq!(chipped_parts, 10);
}

#[tokio::test]
async fn scans_that_cannot_be_sent_are_refused_before_sending() {
    let table = fresh_table(
        TableSchema::new()
            .entity::<Pet>()
            .unwrap()
            .entity::<Owner>()
            .unwrap(),
    )
    .await;
    let metered = table.metered();
    let err = metered
        .scan_for_migration::<Pet>()
        .segment(3, 3)
        .all()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: segment 3 of 3 does not exist: segments count from 0"
    );
    let err = metered
        .scan_index::<Pet>(Index::Gsi(1))
        .consistent_read()
        .all()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("GSI1 cannot be read consistently"),
        "{err}"
    );
    let err = metered
        .scan_index::<Owner>(Index::Gsi(1))
        .all()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: Owner has no key in GSI1, so none of its items is there"
    );
    assert_eq!(metered.cost().requests, 0);
}
