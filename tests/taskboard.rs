//! The task board example's access patterns (seed 002), against DynamoDB Local: each the one
//! request the seed asks for, with the failures it must refuse.

#[path = "../examples/taskboard/model.rs"]
#[allow(dead_code)]
mod model;

use std::time::SystemTime;

use chrono::{DateTime, Duration, Utc};
use dynamo_entity::{Clock, Error, Table};
use dynamo_entity_suite::{fresh_table, raw_item, s};
use model::{patterns, Status, Task, WebhookEvent, REQUESTS_PER_MINUTE};

/// The table's clock: a month ahead of the real time (30 s into a minute), so that DynamoDB
/// Local, which deletes items by the real clock, keeps the ones the tests see expire.
fn now() -> DateTime<Utc> {
    static NOW: std::sync::OnceLock<DateTime<Utc>> = std::sync::OnceLock::new();
    *NOW.get_or_init(|| {
        DateTime::<Utc>::from(dynamo_entity_suite::clock_ahead(30)) + Duration::seconds(30)
    })
}

/// `now()` as the tests expect it stored: JavaScript's form.
fn now_text() -> String {
    now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

async fn table() -> Table {
    fresh_table(model::schema().unwrap())
        .await
        .with_clock(Clock::fixed(SystemTime::from(now())))
}

fn task(n: u32, owner: &str) -> Task {
    Task {
        project_id: "alpha".into(),
        task_id: format!("task-{n:03}"),
        title: format!("Task {n}"),
        owner_id: owner.into(),
        status: Status::Open,
        created_at: DateTime::UNIX_EPOCH,
        updated_at: DateTime::UNIX_EPOCH,
    }
}

#[tokio::test]
async fn tasks_are_stored_as_the_seed_stores_them_and_listed_in_one_query() {
    let table = table().await;
    for n in 1..=25 {
        patterns::add_task(&table, &task(n, "masa")).await.unwrap();
    }
    let stored = raw_item(
        &table,
        &model::Task::primary_key("alpha", "task-001").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(stored["PK"], s("PROJECT#alpha"));
    assert_eq!(stored["SK"], s("TASK#task-001"));
    assert_eq!(stored["entityType"], s("Task"));
    assert_eq!(stored["status"], s("OPEN"));
    assert_eq!(stored["ownerId"], s("masa"));
    assert_eq!(stored["createdAt"], s(&now_text()));
    // A second task under the same id is refused, and the first kept.
    let err = patterns::add_task(&table, &task(1, "someone"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");

    let metered = table.metered();
    let tasks = patterns::project_tasks(&metered, "alpha").await.unwrap();
    assert_eq!(tasks.len(), 25);
    assert_eq!(metered.cost().requests, 1);
}

#[tokio::test]
async fn only_the_owner_completes_a_task_and_only_once() {
    let table = table().await;
    patterns::add_task(&table, &task(1, "masa")).await.unwrap();
    let metered = table.metered();
    let err = patterns::complete_task(&metered, "alpha", "task-001", "mallory")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
    let done = patterns::complete_task(&metered, "alpha", "task-001", "masa")
        .await
        .unwrap();
    assert_eq!(done.status, Status::Done);
    let again = patterns::complete_task(&metered, "alpha", "task-001", "masa")
        .await
        .unwrap_err();
    assert!(matches!(again, Error::ConditionFailed { .. }), "{again}");
    assert_eq!(metered.cost().requests, 3, "one conditional update each");
    let stored = raw_item(
        &table,
        &model::Task::primary_key("alpha", "task-001").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(stored["status"], s("DONE"));
}

#[tokio::test]
async fn sessions_expire_after_seven_days() {
    let table = table().await;
    let week_ago = now() - Duration::days(7) - Duration::seconds(1);
    patterns::sign_in(&table, "masa", "old", week_ago)
        .await
        .unwrap();
    patterns::sign_in(&table, "masa", "new", now())
        .await
        .unwrap();
    let stored = raw_item(&table, &model::Session::primary_key("masa", "new").unwrap())
        .await
        .unwrap();
    let expiry = (now() + Duration::days(7)).timestamp().to_string();
    assert_eq!(
        stored["expiresAt"],
        aws_sdk_dynamodb::types::AttributeValue::N(expiry)
    );
    // The old one is past its expiry: not returned, though DynamoDB has not deleted it.
    assert!(patterns::session(&table, "masa", "old")
        .await
        .unwrap()
        .is_none());
    assert!(patterns::session(&table, "masa", "new")
        .await
        .unwrap()
        .is_some());
    let live = patterns::user_sessions(&table, "masa").await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].session_id, "new");
}

#[tokio::test]
async fn a_webhook_event_is_processed_once() {
    let table = table().await;
    let event = WebhookEvent {
        provider: "stripe".into(),
        event_id: "evt_001".into(),
        event_type: "invoice.paid".into(),
        received_at: now(),
    };
    let metered = table.metered();
    assert!(patterns::receive_webhook(&metered, &event).await.unwrap());
    let mut redelivered = event.clone();
    redelivered.received_at = now() + Duration::minutes(5);
    assert!(!patterns::receive_webhook(&metered, &redelivered)
        .await
        .unwrap());
    assert_eq!(metered.cost().requests, 2);
    let stored = raw_item(
        &table,
        &WebhookEvent::primary_key("stripe", "evt_001").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(stored["receivedAt"], s(&now_text()), "the first delivery's");
}

#[tokio::test]
async fn a_user_is_limited_per_minute() {
    let table = table().await;
    for n in 1..=REQUESTS_PER_MINUTE {
        assert_eq!(
            patterns::count_request(&table, "busy", now())
                .await
                .unwrap(),
            n
        );
    }
    let err = patterns::count_request(&table, "busy", now())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
    // Another user, and the next minute, have their own windows.
    assert_eq!(
        patterns::count_request(&table, "calm", now())
            .await
            .unwrap(),
        1
    );
    let next = now() + Duration::minutes(1);
    assert_eq!(
        patterns::count_request(&table, "busy", next).await.unwrap(),
        1
    );
    let window = raw_item(
        &table,
        &model::RateWindow::primary_key("busy", now()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        window["SK"],
        s(&format!("WINDOW#{}", now().format("%Y-%m-%dT%H:%M")))
    );
    assert_eq!(
        window["requests"],
        aws_sdk_dynamodb::types::AttributeValue::N(REQUESTS_PER_MINUTE.to_string())
    );
}
