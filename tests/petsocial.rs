//! The pet social network example (seed 000), against DynamoDB Local: its patterns, and the
//! seed's story told by the design review: one query per pet is a fan-out, GSI1 its fix.

#[path = "../examples/petsocial/model.rs"]
#[allow(dead_code)]
mod model;

use std::time::SystemTime;

use chrono::{DateTime, Duration, Utc};
use dynamo_entity::design::{Design, Recorder};
use dynamo_entity::{Clock, Table};
use dynamo_entity_suite::fresh_table;
use model::*;

fn now() -> DateTime<Utc> {
    static NOW: std::sync::OnceLock<DateTime<Utc>> = std::sync::OnceLock::new();
    *NOW.get_or_init(|| DateTime::from(dynamo_entity_suite::clock_ahead(1)))
}

async fn table() -> Table {
    fresh_table(schema().unwrap())
        .await
        .with_clock(Clock::fixed(SystemTime::from(now())))
}

/// Alice with three pets, each with a past and two upcoming appointments; Bob follows her.
async fn alice(table: &Table) -> Vec<String> {
    table
        .create(&User {
            user_id: "alice".into(),
            name: "Alice".into(),
            email: "alice@example.com".into(),
        })
        .await
        .unwrap();
    let mut pets = Vec::new();
    for p in ["rex", "tom", "kit"] {
        table
            .create(&Pet {
                owner_id: "alice".into(),
                pet_id: p.into(),
                name: p.into(),
                species: "dog".into(),
            })
            .await
            .unwrap();
        for (a, days) in [(0, -5i64), (1, 2), (2, 9)] {
            table
                .create(&Appointment {
                    pet_id: p.into(),
                    owner_id: "alice".into(),
                    vet_id: "vet1".into(),
                    at: now() + Duration::days(days),
                    appt_id: format!("{p}-{a}"),
                    reason: "checkup".into(),
                })
                .await
                .unwrap();
        }
        pets.push(p.to_owned());
    }
    table
        .create(&Follow {
            follower_id: "alice".into(),
            followee_id: "bob".into(),
        })
        .await
        .unwrap();
    pets
}

#[tokio::test]
async fn the_users_page_is_one_query_and_leaves_out_the_follows() {
    let table = table().await;
    alice(&table).await;
    let metered = table.metered();
    let page = patterns::user_page(&metered, "alice").await.unwrap();
    assert_eq!(page.user.len(), 1);
    assert_eq!(page.pet.len(), 3);
    assert_eq!(metered.cost().requests, 1);
}

#[tokio::test]
async fn upcoming_appointments_are_one_query_and_the_first_design_a_fan_out() {
    let table = table().await;
    let pets = alice(&table).await;
    let recorder = Recorder::new();
    let recorded = table.recorded_by(&recorder);

    let first = recorded.pattern("upcoming, first design").metered();
    let merged = patterns::upcoming_appointments_per_pet(&first, &pets, now())
        .await
        .unwrap();
    assert_eq!(first.cost().requests, 3, "one query per pet");

    let fixed = recorded.pattern("upcoming").metered();
    let upcoming = patterns::upcoming_appointments(&fixed, "alice", now())
        .await
        .unwrap();
    assert_eq!(fixed.cost().requests, 1);
    assert_eq!(upcoming.len(), 6);
    assert_eq!(upcoming, merged, "the same appointments, in time order");
    assert!(upcoming.windows(2).all(|w| w[0].at <= w[1].at));

    let lints = Design::new("petsocial", table.schema())
        .patterns(&recorder)
        .lints();
    let fan_outs: Vec<_> = lints.iter().filter(|l| l.code == "fan-out").collect();
    assert_eq!(fan_outs.len(), 1, "{lints:#?}");
    assert_eq!(fan_outs[0].subject, "pattern \"upcoming, first design\"");
    assert!(
        fan_outs[0]
            .message
            .contains("GSI1 holds all of them in one partition (`USER#<owner_id>`)"),
        "{}",
        fan_outs[0].message
    );
}

#[tokio::test]
async fn reminders_and_reactions_happen_once() {
    let table = table().await;
    alice(&table).await;
    let reminder = ReminderSent {
        appt_id: "rex-1".into(),
        to: "alice@example.com".into(),
        expires_at: now() + Duration::days(30),
    };
    assert!(patterns::remind(&table, &reminder).await.unwrap());
    assert!(!patterns::remind(&table, &reminder).await.unwrap());
    let reaction = Reaction {
        post_id: "p1".into(),
        user_id: "alice".into(),
        kind: "like".into(),
    };
    assert!(patterns::react(&table, &reaction).await.unwrap());
    assert!(!patterns::react(&table, &reaction).await.unwrap());
}

#[tokio::test]
async fn follows_are_read_both_ways() {
    let table = table().await;
    alice(&table).await;
    patterns::follow(
        &table,
        &Follow {
            follower_id: "carol".into(),
            followee_id: "bob".into(),
        },
    )
    .await
    .unwrap();
    let followers = patterns::followers(&table, "bob").await.unwrap();
    let names: Vec<&str> = followers.iter().map(|f| f.follower_id.as_str()).collect();
    assert_eq!(names, ["alice", "carol"]);
    let following = patterns::following(&table, "alice").await.unwrap();
    assert_eq!(following.len(), 1);
    assert_eq!(following[0].followee_id, "bob");
}
