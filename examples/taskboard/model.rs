//! The task board of seed 002, on one table: projects and their tasks, user sessions that expire
//! after 7 days, webhook events processed once, and per-user rate-limit windows.
//!
//! The table is the seed's own: `PK`/`SK`, the entity type in `entityType`, expiry in
//! `expiresAt` (epoch seconds).

use chrono::{DateTime, Duration, Utc};
use dynamo_entity::{Entity, Error, TableLayout, TableSchema};

/// `ClaudeCodeLabDemo` of the seed: generic keys, the entity type in `entityType`.
#[derive(TableLayout)]
#[dynamo(partition_key = "PK", sort_key = "SK", type_attribute = "entityType")]
pub struct TaskBoardTable;

/// `PROJECT#<project_id>` / `META`: the project, at the head of its partition.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = TaskBoardTable)]
#[pk = "PROJECT#<project_id>"]
#[sk = "META"]
pub struct Project {
    #[dynamo(rename = "projectId")]
    pub project_id: String,
    pub name: String,
    #[dynamo(rename = "createdAt", created_at, format = "millis")]
    pub created_at: DateTime<Utc>,
}

/// A task's state; stored as the seed stores it, `OPEN` or `DONE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Open,
    Done,
}

/// `PROJECT#<project_id>` / `TASK#<task_id>`: a project's tasks, one query away.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = TaskBoardTable)]
#[pk = "PROJECT#<project_id>"]
#[sk = "TASK#<task_id>"]
pub struct Task {
    #[dynamo(rename = "projectId")]
    pub project_id: String,
    #[dynamo(rename = "taskId")]
    pub task_id: String,
    pub title: String,
    #[dynamo(rename = "ownerId")]
    pub owner_id: String,
    pub status: Status,
    #[dynamo(rename = "createdAt", created_at, format = "millis")]
    pub created_at: DateTime<Utc>,
    #[dynamo(rename = "updatedAt", updated_at, format = "millis")]
    pub updated_at: DateTime<Utc>,
}

/// `USER#<user_id>` / `SESSION#<session_id>`: a user's sessions, gone 7 days after sign-in.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = TaskBoardTable)]
#[pk = "USER#<user_id>"]
#[sk = "SESSION#<session_id>"]
pub struct Session {
    #[dynamo(rename = "userId")]
    pub user_id: String,
    #[dynamo(rename = "sessionId")]
    pub session_id: String,
    #[dynamo(rename = "createdAt", format = "millis")]
    pub created_at: DateTime<Utc>,
    /// Epoch seconds: DynamoDB deletes the item some time after; reads never return it.
    #[dynamo(rename = "expiresAt", ttl)]
    pub expires_at: DateTime<Utc>,
}

/// How long a session lives.
pub const SESSION_LIFETIME: Duration = Duration::days(7);

impl Session {
    /// A session signed in at `now`.
    pub fn signed_in(user_id: &str, session_id: &str, now: DateTime<Utc>) -> Session {
        Session {
            user_id: user_id.into(),
            session_id: session_id.into(),
            created_at: now,
            expires_at: now + SESSION_LIFETIME,
        }
    }
}

/// `WEBHOOK#<provider>` / `EVENT#<event_id>`: an event, stored by the first delivery only.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = TaskBoardTable)]
#[pk = "WEBHOOK#<provider>"]
#[sk = "EVENT#<event_id>"]
pub struct WebhookEvent {
    pub provider: String,
    #[dynamo(rename = "eventId")]
    pub event_id: String,
    #[dynamo(rename = "eventType")]
    pub event_type: String,
    #[dynamo(rename = "receivedAt", format = "millis")]
    pub received_at: DateTime<Utc>,
}

/// `RATE#<user_id>` / `WINDOW#<window:minute>`: a user's requests in one minute
/// (`WINDOW#2026-06-03T10:00`, as the seed writes it). One busy user writes one item again and
/// again: the design review warns of the hot key.
#[derive(Debug, Clone, PartialEq, Entity)]
#[dynamo(table = TaskBoardTable)]
#[pk = "RATE#<user_id>"]
#[sk = "WINDOW#<window:minute>"]
pub struct RateWindow {
    #[dynamo(rename = "userId")]
    pub user_id: String,
    pub window: DateTime<Utc>,
    pub requests: u32,
    /// Windows clean themselves up an hour after they close.
    #[dynamo(rename = "expiresAt", ttl)]
    pub expires_at: DateTime<Utc>,
}

/// Requests a user may make in one minute.
pub const REQUESTS_PER_MINUTE: u32 = 30;

/// The table's entities.
pub fn schema() -> Result<TableSchema, Error> {
    TableSchema::of::<TaskBoardTable>()
        .entity::<Project>()?
        .entity::<Task>()?
        .entity::<Session>()?
        .entity::<WebhookEvent>()?
        .entity::<RateWindow>()
}

/// The access patterns, each one request.
pub mod patterns {
    use super::*;
    use dynamo_entity::{Created, Table};

    /// Adds a task; refused (`Error::AlreadyExists`) if the project has one with that id.
    pub async fn add_task(table: &Table, task: &Task) -> Result<Task, Error> {
        table.create(task).await
    }

    /// A project's tasks: one query of its partition (the project's own item left out).
    pub async fn project_tasks(table: &Table, project_id: &str) -> Result<Vec<Task>, Error> {
        table.query(Task::query(project_id)?).all().await
    }

    /// Completes a task, only for its owner and only once: one conditional update. Anyone else,
    /// or a second completion, gets `Error::ConditionFailed` and changes nothing.
    pub async fn complete_task(
        table: &Table,
        project_id: &str,
        task_id: &str,
        owner_id: &str,
    ) -> Result<Task, Error> {
        let f = Task::fields();
        table
            .update::<Task>(Task::primary_key(project_id, task_id)?)
            .set(f.status, Status::Done)
            .condition(
                f.owner_id
                    .eq(owner_id.to_owned())
                    .and(f.status.ne(Status::Done)),
            )
            .send()
            .await
    }

    /// Signs a user in: a session that expires after 7 days.
    pub async fn sign_in(
        table: &Table,
        user_id: &str,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Session, Error> {
        table
            .create(&Session::signed_in(user_id, session_id, now))
            .await
    }

    /// A session, if it is still live (an expired one is never returned, deleted or not).
    pub async fn session(
        table: &Table,
        user_id: &str,
        session_id: &str,
    ) -> Result<Option<Session>, Error> {
        table
            .get::<Session>(Session::primary_key(user_id, session_id)?)
            .await
    }

    /// A user's live sessions: one query.
    pub async fn user_sessions(table: &Table, user_id: &str) -> Result<Vec<Session>, Error> {
        table.query(Session::query(user_id)?).all().await
    }

    /// Processes a webhook delivery once: `true` for the first delivery of the event, `false`
    /// for a repeat (nothing written either way but the first time).
    pub async fn receive_webhook(table: &Table, event: &WebhookEvent) -> Result<bool, Error> {
        Ok(matches!(
            table.create_if_absent(event).await?,
            Created::Created(_)
        ))
    }

    /// Counts a request in the user's current minute: `Ok(count)`, or
    /// `Error::ConditionFailed` once the minute's limit is reached. One conditional upsert.
    pub async fn count_request(
        table: &Table,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<u32, Error> {
        let f = RateWindow::fields();
        let window = RateWindow {
            user_id: user_id.into(),
            window: now,
            requests: 0,
            expires_at: now + Duration::hours(1),
        };
        let counted = table
            .upsert(&window)
            .add(f.requests, 1)
            .condition(
                f.requests
                    .not_exists()
                    .or(f.requests.lt(REQUESTS_PER_MINUTE)),
            )
            .send()
            .await?;
        Ok(counted.requests)
    }
}
