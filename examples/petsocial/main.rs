//! The pet social network of seed 000, built with the framework and reviewed by it.
//!
//! Run with `cargo run --example petsocial`. It uses DynamoDB Local at `DYNAMODB_ENDPOINT` if
//! set, else starts one (`scripts/dynamodb-local`). It seeds about a thousand items of thirteen
//! entity types, runs every access pattern (one request each), prints what each returned and
//! cost, and checks the design report committed in `examples/petsocial/design/` (regenerate it
//! with `DYNAMO_ENTITY_UPDATE_DESIGN=1 cargo run --example petsocial`).
//!
//! `cargo run --example petsocial -- --broken-appointments` runs the seed's first design of
//! "upcoming appointments across a user's pets" instead, one query per pet merged on the
//! client, and prints the review's `fan-out` lint, which names GSI1 as the fix. The committed
//! report is the fixed design's. See `README.md` beside this file.

mod model;

use std::time::SystemTime;

use chrono::{DateTime, Duration, Utc};
use dynamo_entity::design::{Design, Recorder};
use dynamo_entity::{Clock, Error, Table};
use dynamo_entity_suite::CostTable;

use model::*;

/// The example's "now", the table's clock: a day ahead of the real time.
fn now() -> DateTime<Utc> {
    static NOW: std::sync::OnceLock<DateTime<Utc>> = std::sync::OnceLock::new();
    *NOW.get_or_init(|| DateTime::from(dynamo_entity_suite::clock_ahead(1)))
}

/// The pets of user `u`: one to four.
fn pets_of(u: usize) -> Vec<Pet> {
    let species = ["dog", "cat", "rabbit", "parrot"];
    (0..u % 4 + 1)
        .map(|p| Pet {
            owner_id: format!("user{u:02}"),
            pet_id: format!("pet{u:02}{p}"),
            name: format!("Pet {u}-{p}"),
            species: species[(u + p) % 4].into(),
        })
        .collect()
}

/// Seeds about a thousand items without recording.
async fn seed(table: &Table) -> Result<usize, Error> {
    let mut batch = table.batch_write();
    let day = |d: i64| now() + Duration::days(d);
    for v in 0..5 {
        batch = batch.put(&Vet {
            vet_id: format!("vet{v}"),
            name: format!("Dr. {v}"),
            clinic: "Downtown".into(),
        });
    }
    for u in 0..30 {
        let user_id = format!("user{u:02}");
        batch = batch.put(&User {
            user_id: user_id.clone(),
            name: format!("User {u}"),
            email: format!("user{u:02}@example.com"),
        });
        for pet in pets_of(u) {
            for e in 0..4 {
                batch = batch.put(&HealthEvent {
                    pet_id: pet.pet_id.clone(),
                    at: day(-30 * (e + 1)),
                    event_id: format!("e{e}"),
                    kind: ["vaccine", "checkup", "injury", "weight"][e as usize].into(),
                    note: "ok".into(),
                });
            }
            if u % 2 == 0 {
                batch = batch.put(&Medication {
                    pet_id: pet.pet_id.clone(),
                    med_id: "m1".into(),
                    drug: "Carprofen".into(),
                    dose: "25 mg".into(),
                });
            }
            // One past appointment, two upcoming.
            for (a, d) in [(0, -10i64), (1, 3), (2, 12)] {
                batch = batch.put(&Appointment {
                    pet_id: pet.pet_id.clone(),
                    owner_id: user_id.clone(),
                    vet_id: format!("vet{}", (u + a) % 5),
                    at: day(d) + Duration::hours(9 + a as i64),
                    appt_id: format!("{}-a{a}", pet.pet_id),
                    reason: "checkup".into(),
                });
            }
            batch = batch.put(&pet);
        }
        for f in 1..=2 {
            batch = batch.put(&Follow {
                follower_id: user_id.clone(),
                followee_id: format!("user{:02}", (u + f * 7) % 30),
            });
        }
    }
    for c in 0..6 {
        let club_id = format!("club{c}");
        batch = batch.put(&Club {
            club_id: club_id.clone(),
            name: format!("Club {c}"),
        });
        for m in 0..12 {
            batch = batch.put(&Membership {
                club_id: club_id.clone(),
                user_id: format!("user{:02}", (c * 5 + m) % 30),
                joined_at: day(-100 + m),
            });
        }
        for p in 0..10 {
            let post_id = format!("{club_id}-p{p}");
            batch = batch.put(&ClubPost {
                club_id: club_id.clone(),
                at: day(-20 + p),
                post_id: post_id.clone(),
                author_id: format!("user{:02}", (c + p) % 30),
                text: format!("Post {p}"),
            });
            for k in 0..2 {
                batch = batch.put(&Comment {
                    post_id: post_id.clone(),
                    at: day(-19 + p) + Duration::minutes(k),
                    comment_id: format!("c{k}"),
                    author_id: format!("user{:02}", (c + k) % 30),
                    text: "Cute!".into(),
                });
            }
            for r in 0..3 {
                batch = batch.put(&Reaction {
                    post_id: post_id.clone(),
                    user_id: format!("user{:02}", (c + r) % 30),
                    kind: "like".into(),
                });
            }
        }
    }
    let written = batch.send().await?;
    assert!(written.unprocessed.is_empty());
    Ok(written.written)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let broken = std::env::args().any(|a| a == "--broken-appointments");
    let table = Table::new(
        dynamo_entity_suite::client(),
        dynamo_entity_suite::unique_table_name("petsocial-example"),
        schema()?,
    )?
    .with_clock(Clock::fixed(SystemTime::from(now())));
    table.create_table().await?;
    println!(
        "Created table {} on {}",
        table.name(),
        dynamo_entity_suite::endpoint()
    );
    println!("Seeded {} items", seed(&table).await?);

    let recorder = Recorder::new();
    let table = table.recorded_by(&recorder);
    let mut costs = CostTable::default();

    let t = table.pattern("a user's profile and pets").metered();
    let page = patterns::user_page(&t, "user03").await?;
    costs.note(
        "a user's profile and pets",
        format!("{} profile, {} pets", page.user.len(), page.pet.len()),
        &t,
    );
    let pet_ids: Vec<String> = page.pet.iter().map(|p| p.pet_id.clone()).collect();

    let t = table.pattern("a pet by id").metered();
    let pet = patterns::pet(&t, "pet031").await?;
    costs.note("a pet by id", format!("{:?}", pet.map(|p| p.name)), &t);

    let t = table
        .pattern("a pet's health timeline, newest first")
        .metered();
    let events = patterns::timeline(&t, "pet031").await?;
    costs.note(
        "a pet's health timeline, newest first",
        format!("{} events", events.len()),
        &t,
    );

    let t = table.pattern("a pet's medications").metered();
    let meds = patterns::medications(&t, "pet020").await?;
    costs.note(
        "a pet's medications",
        format!("{} medications", meds.len()),
        &t,
    );

    // Seed 000's pattern: the reminder e-mails need every upcoming appointment of a user.
    const UPCOMING: &str = "upcoming appointments across a user's pets";
    let t = table.pattern(UPCOMING).metered();
    let upcoming = if broken {
        patterns::upcoming_appointments_per_pet(&t, &pet_ids, now()).await?
    } else {
        patterns::upcoming_appointments(&t, "user03", now()).await?
    };
    costs.note(
        UPCOMING,
        format!("{} appointments of {} pets", upcoming.len(), pet_ids.len()),
        &t,
    );

    let t = table.pattern("send a reminder once").metered();
    let reminder = ReminderSent {
        appt_id: upcoming[0].appt_id.clone(),
        to: "user03@example.com".into(),
        expires_at: now() + Duration::days(30),
    };
    let first = patterns::remind(&t, &reminder).await?;
    let again = patterns::remind(&t, &reminder).await?;
    assert!(first && !again);
    costs.note(
        "send a reminder once",
        "sent once; the second send skipped",
        &t,
    );

    let t = table.pattern("a vet's appointments of a day").metered();
    let day = upcoming[0].at;
    let vet_day = patterns::vet_day(&t, &upcoming[0].vet_id, day).await?;
    costs.note(
        "a vet's appointments of a day",
        format!("{} appointments", vet_day.len()),
        &t,
    );

    let t = table.pattern("a club's latest posts").metered();
    let posts = patterns::club_posts(&t, "club2", 5).await?;
    costs.note(
        "a club's latest posts",
        format!("{} posts", posts.len()),
        &t,
    );

    let t = table.pattern("a club's members").metered();
    let members = patterns::members(&t, "club2").await?;
    costs.note("a club's members", format!("{} members", members.len()), &t);

    let t = table.pattern("a user's clubs").metered();
    let clubs = patterns::clubs_of(&t, "user12").await?;
    costs.note("a user's clubs", format!("{} clubs", clubs.len()), &t);

    let t = table.pattern("join a club").metered();
    let joined = patterns::join(
        &t,
        &Membership {
            club_id: "club0".into(),
            user_id: "user29".into(),
            joined_at: now(),
        },
    )
    .await;
    costs.note(
        "join a club",
        if joined.is_ok() { "joined" } else { "refused" },
        &t,
    );

    let t = table.pattern("a post's comments").metered();
    let comments = patterns::comments(&t, &posts[0].post_id).await?;
    costs.note(
        "a post's comments",
        format!("{} comments", comments.len()),
        &t,
    );

    let t = table.pattern("react to a post once").metered();
    let reaction = Reaction {
        post_id: posts[0].post_id.clone(),
        user_id: "user20".into(),
        kind: "love".into(),
    };
    let first = patterns::react(&t, &reaction).await?;
    let again = patterns::react(&t, &reaction).await?;
    assert!(first && !again);
    costs.note("react to a post once", "counted once", &t);

    let t = table.pattern("follow a user").metered();
    patterns::follow(
        &t,
        &Follow {
            follower_id: "user05".into(),
            followee_id: "user03".into(),
        },
    )
    .await?;
    costs.note("follow a user", "following", &t);

    let t = table.pattern("a user's followers").metered();
    let followers = patterns::followers(&t, "user03").await?;
    costs.note(
        "a user's followers",
        format!("{} followers", followers.len()),
        &t,
    );

    let t = table.pattern("whom a user follows").metered();
    let following = patterns::following(&t, "user03").await?;
    costs.note(
        "whom a user follows",
        format!("{} users", following.len()),
        &t,
    );

    costs.print();

    let design = Design::of("petsocial", &table)
        .patterns(&recorder)
        .principal_tag("owner_id", "userId")
        .principal_tag("user_id", "userId")
        .principal_tag("follower_id", "userId");
    if broken {
        println!("\nDesign review of the first design (the committed report is the fixed one's):");
    } else {
        design.assert_current(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/petsocial/design"
        ));
        println!("\nDesign review (examples/petsocial/design/DESIGN.md is current):");
    }
    for lint in design.lints() {
        println!("  {lint}");
    }
    Ok(())
}
