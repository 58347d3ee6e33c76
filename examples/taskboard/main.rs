//! The task board of seed 002, built with the framework and reviewed by it.
//!
//! Run with `cargo run --example taskboard`. It uses DynamoDB Local at `DYNAMODB_ENDPOINT` if
//! set, else starts one (`scripts/dynamodb-local`) and stops it when done. It seeds a few hundred
//! items, runs every access pattern of the seed, prints what each returned and cost, and checks
//! the design report committed in `examples/taskboard/design/` (regenerate it with
//! `DYNAMO_ENTITY_UPDATE_DESIGN=1 cargo run --example taskboard`). See `README.md` beside this
//! file.

mod model;

use std::time::SystemTime;

use chrono::{DateTime, Duration, Utc};
use dynamo_entity::design::{Design, Recorder};
use dynamo_entity::{Clock, Error, Table};
use dynamo_entity_suite::CostTable;

use model::patterns;
use model::{Project, Status, Task, WebhookEvent};

/// The example's "now", the table's clock: a week and a day ahead of the real time (see
/// `dynamo_entity_suite::clock_ahead`), so that the sessions the application sees as expired
/// are still stored, as in DynamoDB before its background deletion.
fn now() -> DateTime<Utc> {
    static NOW: std::sync::OnceLock<DateTime<Utc>> = std::sync::OnceLock::new();
    *NOW.get_or_init(|| DateTime::from(dynamo_entity_suite::clock_ahead(8)))
}

/// Runs `f` on `table` under `pattern`, metered, and notes the line.
async fn run<T, F, Fut>(
    costs: &mut CostTable,
    table: &Table,
    pattern: &'static str,
    f: F,
    describe: impl Fn(&T) -> String,
) -> T
where
    F: FnOnce(Table) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let metered = table.pattern(pattern).metered();
    let out = f(metered.clone()).await;
    costs.note(pattern, describe(&out), &metered);
    out
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let table = Table::new(
        dynamo_entity_suite::client(),
        dynamo_entity_suite::unique_table_name("taskboard-example"),
        model::schema()?,
    )?
    .with_clock(Clock::fixed(SystemTime::from(now())));
    table.create_table().await?;
    println!(
        "Created table {} on {}",
        table.name(),
        dynamo_entity_suite::endpoint()
    );

    // Seed data, unrecorded: 6 projects of 40 tasks, 40 users with 3 sessions each (one of
    // them signed in 8 days ago: expired), 150 webhook events.
    let seeded = seed(&table).await?;
    println!("Seeded {seeded} items");

    // Every access pattern, recorded for the design review, each metered.
    let recorder = Recorder::new();
    let table = table.recorded_by(&recorder);
    let mut costs = CostTable::default();

    let task = Task {
        project_id: "alpha".into(),
        task_id: "task-041".into(),
        title: "Review DynamoDB key design".into(),
        owner_id: "masa".into(),
        status: Status::Open,
        created_at: DateTime::UNIX_EPOCH,
        updated_at: DateTime::UNIX_EPOCH,
    };
    run(
        &mut costs,
        &table,
        "add a task",
        |t| async move { patterns::add_task(&t, &task).await },
        |r| match r {
            Ok(t) => format!("{} created, {:?}", t.task_id, t.status),
            Err(e) => format!("error: {e}"),
        },
    )
    .await?;
    let tasks = run(
        &mut costs,
        &table,
        "a project's tasks",
        |t| async move { patterns::project_tasks(&t, "alpha").await },
        |r| match r {
            Ok(tasks) => format!("{} tasks", tasks.len()),
            Err(e) => format!("error: {e}"),
        },
    )
    .await?;
    let open = tasks.iter().filter(|t| t.status == Status::Open).count();
    println!("project alpha: {} tasks, {open} open", tasks.len());

    run(
        &mut costs,
        &table,
        "complete a task (its owner)",
        |t| async move { patterns::complete_task(&t, "alpha", "task-041", "masa").await },
        |r| match r {
            Ok(t) => format!("{} is {:?}", t.task_id, t.status),
            Err(e) => format!("error: {e}"),
        },
    )
    .await?;
    let refused = run(
        &mut costs,
        &table,
        "complete a task (someone else)",
        |t| async move { patterns::complete_task(&t, "alpha", "task-001", "mallory").await },
        |r| match r {
            Ok(_) => "completed (wrong!)".to_owned(),
            Err(Error::ConditionFailed { .. }) => "refused: not the owner".to_owned(),
            Err(e) => format!("error: {e}"),
        },
    )
    .await;
    assert!(matches!(refused, Err(Error::ConditionFailed { .. })));

    run(
        &mut costs,
        &table,
        "sign in (session for 7 days)",
        |t| async move { patterns::sign_in(&t, "masa", "s-new", now()).await },
        |r| match r {
            Ok(s) => format!(
                "expires in {} days",
                (s.expires_at - s.created_at).num_days()
            ),
            Err(e) => format!("error: {e}"),
        },
    )
    .await?;
    run(
        &mut costs,
        &table,
        "a session (live)",
        |t| async move { patterns::session(&t, "user-07", "s-2").await },
        |r| match r {
            Ok(Some(_)) => "live".to_owned(),
            Ok(None) => "none".to_owned(),
            Err(e) => format!("error: {e}"),
        },
    )
    .await?;
    run(
        &mut costs,
        &table,
        "a session (expired, not yet deleted)",
        |t| async move { patterns::session(&t, "user-07", "s-0").await },
        |r| match r {
            Ok(Some(_)) => "live (wrong!)".to_owned(),
            Ok(None) => "none: expired".to_owned(),
            Err(e) => format!("error: {e}"),
        },
    )
    .await?;
    run(
        &mut costs,
        &table,
        "a user's sessions",
        |t| async move { patterns::user_sessions(&t, "user-07").await },
        |r| match r {
            Ok(s) => format!("{} live", s.len()),
            Err(e) => format!("error: {e}"),
        },
    )
    .await?;

    let event = WebhookEvent {
        provider: "stripe".into(),
        event_id: "evt_150".into(),
        event_type: "invoice.paid".into(),
        received_at: now(),
    };
    for (pattern, first) in [
        ("a webhook event (first delivery)", true),
        ("a webhook event (delivered again)", false),
    ] {
        let event = event.clone();
        let processed = run(
            &mut costs,
            &table,
            pattern,
            |t| async move { patterns::receive_webhook(&t, &event).await },
            |r| match r {
                Ok(true) => "processed".to_owned(),
                Ok(false) => "duplicate: skipped".to_owned(),
                Err(e) => format!("error: {e}"),
            },
        )
        .await?;
        assert_eq!(processed, first);
    }

    // A busy user: 40 requests in one minute, the limit is 30. Every request writes the same
    // window item: the design review warns of the hot key.
    let limited = table.pattern("count a request (rate limit)").metered();
    let (mut counted, mut refused) = (0, 0);
    for _ in 0..40 {
        match patterns::count_request(&limited, "busy-user", now()).await {
            Ok(_) => counted += 1,
            Err(Error::ConditionFailed { .. }) => refused += 1,
            Err(e) => return Err(e),
        }
    }
    costs.note(
        "count a request (rate limit)",
        format!("40 requests: {counted} counted, {refused} refused"),
        &limited,
    );
    assert_eq!((counted, refused), (model::REQUESTS_PER_MINUTE, 10));

    costs.print();

    // The design review: each role is scoped to its project's partition by the `projectId`
    // principal tag, and to its own user's sessions and rate windows by `userId`.
    let design = Design::of("taskboard", &table)
        .patterns(&recorder)
        .principal_tag("project_id", "projectId")
        .principal_tag("user_id", "userId");
    design.assert_current(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/taskboard/design"
    ));
    println!("\nDesign review (examples/taskboard/design/DESIGN.md is current):");
    for lint in design.lints() {
        println!("  {lint}");
    }
    Ok(())
}

/// Seeds the table without recording: a few hundred items.
async fn seed(table: &Table) -> Result<usize, Error> {
    let mut count = 0;
    for (p, project) in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
        .into_iter()
        .enumerate()
    {
        table
            .create(&Project {
                project_id: project.into(),
                name: format!("Project {project}"),
                created_at: DateTime::UNIX_EPOCH,
            })
            .await?;
        count += 1;
        let mut batch = table.batch_write();
        for n in 1..=40 {
            batch = batch.put(&Task {
                project_id: project.into(),
                task_id: format!("task-{n:03}"),
                title: format!("Task {n} of {project}"),
                owner_id: format!("user-{:02}", (n + p) % 40),
                status: if n % 3 == 0 {
                    Status::Done
                } else {
                    Status::Open
                },
                created_at: now() - Duration::days(30 - n as i64 % 30),
                updated_at: now() - Duration::days(30 - n as i64 % 30),
            });
        }
        let written = batch.send().await?;
        assert!(written.unprocessed.is_empty());
        count += written.written;
    }
    let mut batch = table.batch_write();
    for u in 0..40 {
        for s in 0..3 {
            // s-0 signed in 8 days ago: expired, not yet deleted by DynamoDB.
            let signed_in = now() - Duration::days(if s == 0 { 8 } else { s });
            batch = batch.put(&model::Session::signed_in(
                &format!("user-{u:02}"),
                &format!("s-{s}"),
                signed_in,
            ));
        }
    }
    for e in 0..150 {
        batch = batch.put(&WebhookEvent {
            provider: if e % 2 == 0 { "stripe" } else { "github" }.into(),
            event_id: format!("evt_{e:03}"),
            event_type: "invoice.paid".into(),
            received_at: now() - Duration::minutes(e),
        });
    }
    let written = batch.send().await?;
    assert!(written.unprocessed.is_empty());
    count += written.written;
    Ok(count)
}
