//! A table's clock is injectable: expiry and managed timestamps follow it, and reads can ask for
//! expired items that DynamoDB has not deleted yet. Against DynamoDB Local.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use dynamo_entity::{Clock, Entity, TableSchema};
use dynamo_entity_suite::fresh_table;

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<user>"]
#[sk = "SESSION#<id>"]
struct Session {
    user: String,
    id: String,
    #[dynamo(ttl)]
    expires_at: DateTime<Utc>,
    #[dynamo(created_at)]
    created_at: DateTime<Utc>,
}

fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

#[tokio::test]
async fn expiry_and_timestamps_follow_the_tables_clock() {
    let table = fresh_table(TableSchema::new().entity::<Session>().unwrap()).await;
    // 2030-01-01T00:00:00Z, and a session for a week from then.
    let start = 1_893_456_000;
    let week = 7 * 86_400;
    let then = table.with_clock(Clock::fixed(at(start)));
    let session = Session {
        user: "alice".into(),
        id: "s1".into(),
        expires_at: DateTime::from(at(start + week)),
        created_at: DateTime::UNIX_EPOCH,
    };
    let stored = then.create(&session).await.unwrap();
    assert_eq!(stored.created_at, DateTime::<Utc>::from(at(start)));
    let key = Session::primary_key("alice", "s1").unwrap();

    // A day later it is live; eight days later it has expired, for every read.
    let day_later = table.with_clock(Clock::fixed(at(start + 86_400)));
    assert!(day_later
        .get::<Session>(key.clone())
        .await
        .unwrap()
        .is_some());
    let later = table.with_clock(Clock::fixed(at(start + 8 * 86_400)));
    assert_eq!(later.get::<Session>(key.clone()).await.unwrap(), None);
    assert!(later
        .query(Session::query("alice").unwrap())
        .all()
        .await
        .unwrap()
        .is_empty());
    // Unless a read asks for expired items explicitly: DynamoDB has not deleted it.
    let audit = later.including_expired();
    let expired = audit.get::<Session>(key.clone()).await.unwrap().unwrap();
    assert_eq!(expired.expires_at, session.expires_at);
    assert_eq!(
        audit
            .query(Session::query("alice").unwrap())
            .all()
            .await
            .unwrap()
            .len(),
        1
    );
    // For writes an expired item is absent, by the same clock: a create takes its key.
    let renewed = Session {
        expires_at: DateTime::from(at(start + 15 * 86_400)),
        ..session.clone()
    };
    let stored = later.create(&renewed).await.unwrap();
    assert_eq!(
        stored.created_at,
        DateTime::<Utc>::from(at(start + 8 * 86_400))
    );
    // The system clock (it is before 2030 here) sees the new session live.
    assert!(table.get::<Session>(key).await.unwrap().is_some());
}

#[test]
fn a_clock_can_step() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let seconds = std::sync::Arc::new(AtomicU64::new(10));
    let clock = Clock::new({
        let seconds = seconds.clone();
        move || at(seconds.load(Ordering::Relaxed))
    });
    assert_eq!(clock.now(), at(10));
    seconds.store(20, Ordering::Relaxed);
    assert_eq!(clock.now(), at(20));
    assert_eq!(format!("{clock:?}"), "Clock");
}
