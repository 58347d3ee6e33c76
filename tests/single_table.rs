//! Single-table patterns against DynamoDB Local: idempotent writes, index keys that follow
//! updates, sparse indexes.

use dynamo_entity::{Created, Entity, TableSchema};
use dynamo_entity_suite::fresh_table;

/// Seed 002's webhook deduplication: one item per delivered event id.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "WEBHOOK#<event_id>"]
#[sk = "EVENT"]
pub struct WebhookEvent {
    pub event_id: String,
    pub worker: u32,
}

#[tokio::test]
async fn exactly_one_of_concurrent_creates_is_first() {
    let table = fresh_table(TableSchema::new().entity::<WebhookEvent>().unwrap()).await;
    let attempts = (0..8).map(|worker| {
        let table = table.clone();
        tokio::spawn(async move {
            let event = WebhookEvent {
                event_id: "evt_123".into(),
                worker,
            };
            table.create_if_absent(&event).await.unwrap()
        })
    });
    let mut outcomes = Vec::new();
    for attempt in attempts {
        outcomes.push(attempt.await.unwrap());
    }
    let winners: Vec<_> = outcomes.iter().filter(|o| o.was_created()).collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    let Created::Created(winner) = winners[0] else {
        unreachable!()
    };
    for outcome in &outcomes {
        // Everyone sees the winner's item.
        assert_eq!(outcome.clone().into_inner(), winner.clone());
    }
}
