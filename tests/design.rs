//! The design review: each lint on a design that has the flaw and on one that does not, the
//! report's tables and diagram, the infrastructure code and the IAM policy; pattern lints from
//! requests recorded against DynamoDB Local.

use chrono::{DateTime, TimeZone, Utc};
use dynamo_entity::design::{Design, Lint, Recorder, Severity};
use dynamo_entity::{Entity, KeyValue, TableSchema};
use dynamo_entity_suite::fresh_table;

fn lints(schema: &TableSchema) -> Vec<Lint> {
    Design::new("t", schema).lints()
}

fn codes(lints: &[Lint]) -> Vec<&'static str> {
    lints.iter().map(|l| l.code).collect()
}

/// The lints about recorded patterns, leaving out those about the entities.
fn pattern_lints(design: &Design) -> Vec<Lint> {
    design
        .lints()
        .into_iter()
        .filter(|l| l.subject.starts_with("pattern "))
        .collect()
}

// ---- hot-partition ----

#[derive(Entity)]
#[pk = "LEADERBOARD"]
#[sk = "SCORE#<score>#<player>"]
#[dynamo(constant_pk)]
struct Score {
    score: u32,
    player: String,
}

#[derive(Debug, Clone, Copy, PartialEq, KeyValue, serde::Serialize, serde::Deserialize)]
enum Status {
    Open,
    Done,
}

#[derive(Entity)]
#[pk = "TASKS#<status>"]
#[sk = "TASK#<task_id>"]
struct TaskByStatus {
    status: Status,
    task_id: String,
}

#[derive(Entity)]
#[pk = "PROJECT#<project_id>"]
#[sk = "TASK#<task_id>"]
#[gsi1(pk = "STATUS#<status>#<project_id>", sk = "TASK#<task_id>")]
struct Task {
    project_id: String,
    task_id: String,
    status: Status,
}

#[test]
fn hot_partitions_are_found_and_high_cardinality_keys_are_not() {
    let found = lints(&TableSchema::new().entity::<Score>().unwrap());
    assert_eq!(codes(&found), ["hot-partition"]);
    assert_eq!(found[0].subject, "Score");
    assert_eq!(found[0].severity, Severity::Warning);
    assert!(
        found[0]
            .message
            .starts_with("the partition key `LEADERBOARD` in table has no placeholder"),
        "{}",
        found[0]
    );

    let found = lints(&TableSchema::new().entity::<TaskByStatus>().unwrap());
    assert_eq!(codes(&found), ["hot-partition"]);
    assert!(
        found[0]
            .message
            .contains("is made of `status` alone, with at most 2 values"),
        "{}",
        found[0]
    );

    // The status with the project id: as many partitions as projects, times two.
    assert_eq!(lints(&TableSchema::new().entity::<Task>().unwrap()), []);
}

// ---- reused-attribute ----

#[derive(Entity)]
#[pk = "SESSION#<token>"]
#[sk = "SESSION"]
struct WebSession {
    token: String,
    #[dynamo(ttl)]
    expires_at: DateTime<Utc>,
}

/// `expires_at` here is a coupon's expiry date, an ordinary attribute, but it is the table's TTL
/// attribute too: DynamoDB would delete coupons.
#[derive(Entity)]
#[pk = "COUPON#<code>"]
#[sk = "COUPON"]
struct Coupon {
    code: String,
    #[dynamo(rename = "expires_at")]
    valid_until_epoch: u64,
}

#[derive(Entity)]
#[pk = "COUPON#<code>"]
#[sk = "COUPON"]
#[dynamo(entity_type = "Coupon")]
struct FixedCoupon {
    code: String,
    redeem_by: DateTime<Utc>,
}

#[test]
fn an_ordinary_attribute_under_the_ttl_attribute_name_is_an_error() {
    // DynamoDB would delete coupons: the table schema refuses it, so no design gets that far
    // (it was this lint's error; issue 20, item 9).
    let err = TableSchema::new()
        .entity::<WebSession>()
        .unwrap()
        .entity::<Coupon>()
        .unwrap_err();
    assert!(
        matches!(&err, dynamo_entity::Error::Schema { message, .. } if message.starts_with(
            "Coupon.valid_until_epoch is stored in `expires_at`, the table's TTL attribute \
             (WebSession's #[dynamo(ttl)] field): DynamoDB would delete Coupon items by it"
        )),
        "{err}"
    );

    let schema = TableSchema::new()
        .entity::<WebSession>()
        .unwrap()
        .entity::<FixedCoupon>()
        .unwrap();
    assert_eq!(lints(&schema), []);
}

// ---- unbounded-collection and ephemeral-without-ttl ----

#[derive(Entity)]
#[pk = "DEVICE#<device_id>"]
#[sk = "READING#<at>"]
struct Reading {
    device_id: String,
    at: DateTime<Utc>,
    celsius: i32,
}

#[derive(Entity)]
#[pk = "DEVICE#<device_id>#DAY#<day>"]
#[sk = "READING#<at>"]
struct BucketedReading {
    device_id: String,
    day: DateTime<Utc>,
    at: DateTime<Utc>,
    celsius: i32,
}

#[derive(Entity)]
#[pk = "DEVICE#<device_id>"]
#[sk = "READING#<at>"]
struct ExpiringReading {
    device_id: String,
    at: DateTime<Utc>,
    #[dynamo(ttl)]
    expires_at: DateTime<Utc>,
}

#[test]
fn time_ordered_items_under_a_timeless_partition_grow_without_bound() {
    let found = lints(&TableSchema::new().entity::<Reading>().unwrap());
    assert_eq!(codes(&found), ["unbounded-collection"]);
    assert!(
        found[0].message.starts_with(
            "its items are ordered by time (`at` in `READING#<at>`) within a partition \
             `DEVICE#<device_id>` that has no time in it"
        ),
        "{}",
        found[0]
    );
    assert_eq!(
        lints(&TableSchema::new().entity::<BucketedReading>().unwrap()),
        []
    );
    assert_eq!(
        lints(&TableSchema::new().entity::<ExpiringReading>().unwrap()),
        []
    );
}

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[sk = "RESET#<token>"]
struct PasswordResetToken {
    user_id: String,
    token: String,
}

#[derive(Entity)]
#[pk = "INVITE#<code>"]
#[sk = "INVITE"]
struct Invite {
    code: String,
    expires: DateTime<Utc>,
}

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[sk = "RESET#<token>"]
#[dynamo(entity_type = "PasswordResetToken")]
struct ExpiringResetToken {
    user_id: String,
    token: String,
    #[dynamo(ttl)]
    expires_at: DateTime<Utc>,
}

#[test]
fn short_lived_entities_without_ttl_are_found() {
    let found = lints(&TableSchema::new().entity::<PasswordResetToken>().unwrap());
    assert_eq!(codes(&found), ["ephemeral-without-ttl"]);
    assert!(
        found[0].message.starts_with(
            "its name says it is short-lived (\"token\") but it has no #[dynamo(ttl)] field"
        ),
        "{}",
        found[0]
    );
    let found = lints(&TableSchema::new().entity::<Invite>().unwrap());
    assert_eq!(codes(&found), ["ephemeral-without-ttl"]);
    assert!(
        found[0]
            .message
            .starts_with("it has an `expires` attribute but no #[dynamo(ttl)] field"),
        "{}",
        found[0]
    );
    assert_eq!(
        lints(&TableSchema::new().entity::<ExpiringResetToken>().unwrap()),
        []
    );
}

// ---- key-collision and shared-prefix ----

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[sk = "PROFILE"]
#[gsi1(pk = "EMAIL#<email>", sk = "<kind>")]
struct Account {
    user_id: String,
    email: String,
    kind: String,
}

#[derive(Entity)]
#[pk = "ORG#<org_id>"]
#[sk = "PROFILE"]
#[gsi1(pk = "EMAIL#<email>", sk = "ORG")]
struct Org {
    org_id: String,
    email: String,
}

#[derive(Entity)]
#[pk = "USER#<user_id>"]
#[sk = "PROFILE"]
#[gsi1(pk = "EMAIL#<email>", sk = "USER")]
#[dynamo(entity_type = "Account")]
struct UserAccount {
    user_id: String,
    email: String,
}

#[test]
fn keys_that_can_collide_in_an_index_are_found() {
    let schema = TableSchema::new()
        .entity::<Account>()
        .unwrap()
        .entity::<Org>()
        .unwrap();
    let found = lints(&schema);
    assert_eq!(codes(&found), ["key-collision"]);
    assert_eq!(found[0].subject, "Account and Org");
    assert!(
        found[0].message.starts_with(
            "in GSI1, Account (`EMAIL#<email>` / `<kind>`) and Org (`EMAIL#<email>` / `ORG`) \
             can have the same key"
        ),
        "{}",
        found[0]
    );
    let schema = TableSchema::new()
        .entity::<UserAccount>()
        .unwrap()
        .entity::<Org>()
        .unwrap();
    assert_eq!(lints(&schema), []);
}

#[derive(Entity)]
#[pk = "ORDER#<order_id>"]
#[sk = "ORDER#<order_id>"]
struct Order {
    order_id: String,
}

#[derive(Entity)]
#[pk = "ORDER#<order_id>"]
#[sk = "ORDER#<order_id>#ITEM#<item_id>"]
struct OrderLine {
    order_id: String,
    item_id: String,
}

#[derive(Entity)]
#[pk = "ORDER#<order_id>"]
#[sk = "ITEM#<item_id>"]
struct OrderItem {
    order_id: String,
    item_id: String,
}

#[test]
fn sort_key_prefixes_that_overlap_in_a_partition_are_found() {
    let schema = TableSchema::new()
        .entity::<Order>()
        .unwrap()
        .entity::<OrderLine>()
        .unwrap();
    let found = lints(&schema);
    // Both ways: the lines' default query (`begins_with` `ORDER#`) reads the order too.
    assert_eq!(codes(&found), ["shared-prefix", "shared-prefix"]);
    assert_eq!(found[0].subject, "Order and OrderLine");
    assert_eq!(found[1].subject, "OrderLine and Order");
    assert!(
        found[0].message.starts_with(
            "in table, a query for Order's items (`begins_with` `ORDER#`) in a partition \
             `ORDER#<order_id>` also reads OrderLine's items (`ORDER#<order_id>#ITEM#<item_id>`)"
        ),
        "{}",
        found[0]
    );
    let schema = TableSchema::new()
        .entity::<Order>()
        .unwrap()
        .entity::<OrderItem>()
        .unwrap();
    assert_eq!(lints(&schema), []);
}

// ---- pattern lints, from requests recorded against DynamoDB Local ----

/// Seed 000's story: appointments were keyed by pet, so "upcoming appointments across all of a
/// user's pets" became one query per pet. GSI1 is the fix: the owner's appointments in one
/// partition, in time order.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "PET#<pet_id>"]
#[sk = "APPT#<at>"]
#[gsi1(pk = "OWNER#<owner_id>", sk = "APPT#<at>")]
struct Appointment {
    pet_id: String,
    owner_id: String,
    at: DateTime<Utc>,
    vet: String,
}

/// The same, without the index: nothing holds one owner's appointments together.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "PET#<pet_id>"]
#[sk = "APPT#<at>"]
#[dynamo(entity_type = "Appointment")]
struct PetAppointment {
    pet_id: String,
    owner_id: String,
    at: DateTime<Utc>,
    vet: String,
}

fn appointment(pet_id: &str, day: u32) -> Appointment {
    Appointment {
        pet_id: pet_id.into(),
        owner_id: "alice".into(),
        at: Utc.with_ymd_and_hms(2026, 12, day, 9, 0, 0).unwrap(),
        vet: "Dr. Who".into(),
    }
}

const UPCOMING: &str = "upcoming appointments of a user";

#[tokio::test]
async fn one_query_per_pet_is_a_fan_out_and_the_report_names_the_index_that_fixes_it() {
    let table = fresh_table(TableSchema::new().entity::<Appointment>().unwrap()).await;
    for (pet, day) in [("rex", 3), ("rex", 10), ("tom", 5), ("kit", 7)] {
        table.create(&appointment(pet, day)).await.unwrap();
    }
    let recorder = Recorder::new();
    let recorded = table.recorded_by(&recorder);

    // The first design: one query per pet, merged on the client.
    let broken = recorded.pattern(UPCOMING);
    let mut merged = Vec::new();
    for pet in ["rex", "tom", "kit"] {
        merged.extend(
            broken
                .query(Appointment::query(pet).unwrap())
                .all()
                .await
                .unwrap(),
        );
    }
    assert_eq!(merged.len(), 4);
    let design = Design::of("pets", &recorded).patterns(&recorder);
    let found = pattern_lints(&design);
    assert_eq!(codes(&found), ["fan-out"], "{found:?}");
    assert_eq!(found[0].subject, format!("pattern \"{UPCOMING}\""));
    assert_eq!(
        found[0].message,
        "3 queries of table to 3 different partitions `PET#<pet_id>` for Appointment returned \
         4 items; GSI1 holds all of them in one partition (`OWNER#<owner_id>`): one query there \
         would serve this pattern"
    );
    let report = design.markdown();
    assert!(
        report.contains(
            "| upcoming appointments of a user | 3 × Query | table | `PK = PET#<pet_id> AND \
             begins_with(SK, APPT#)` | Appointment | 3 | 4 / 4 | 1.5 | 0 |"
        ),
        "{report}"
    );
    assert!(report.contains("Patterns recorded against a loopback address (DynamoDB Local)."));

    // The fix: one query of GSI1, newest first. No fan-out left.
    recorder.clear();
    let fixed = recorded.pattern(UPCOMING);
    let upcoming = fixed
        .query(Appointment::query_gsi1("alice").unwrap())
        .all()
        .await
        .unwrap();
    assert_eq!(upcoming.len(), 4);
    let design = Design::of("pets", &recorded).patterns(&recorder);
    assert_eq!(pattern_lints(&design), []);
    assert!(design.markdown().contains(
        "| upcoming appointments of a user | Query | GSI1 | `GSI1PK = OWNER#<owner_id> AND \
         begins_with(GSI1SK, APPT#)` | Appointment | 1 | 4 / 4 | 0.5 | 0 |"
    ));
}

#[tokio::test]
async fn a_fan_out_with_no_index_to_serve_it_names_what_the_items_share() {
    let table = fresh_table(TableSchema::new().entity::<PetAppointment>().unwrap()).await;
    for (pet, day) in [("rex", 3), ("tom", 5)] {
        let a = appointment(pet, day);
        let a = PetAppointment {
            pet_id: a.pet_id,
            owner_id: a.owner_id,
            at: a.at,
            vet: format!("vet of {pet}"),
        };
        table.create(&a).await.unwrap();
    }
    let recorder = Recorder::new();
    let broken = table.recorded_by(&recorder).pattern(UPCOMING);
    for pet in ["rex", "tom"] {
        broken
            .query(PetAppointment::query(pet).unwrap())
            .all()
            .await
            .unwrap();
    }
    let found = pattern_lints(&Design::new("pets", table.schema()).patterns(&recorder));
    assert_eq!(codes(&found), ["fan-out"]);
    assert!(
        found[0].message.ends_with(
            "no index holds them in one partition; they all have the same `owner_id`: a GSI \
             whose partition key is built from it would serve this pattern in one query"
        ),
        "{}",
        found[0]
    );
}

#[tokio::test]
async fn scans_and_filters_that_throw_items_away_are_found_with_their_share() {
    let table = fresh_table(TableSchema::new().entity::<Appointment>().unwrap()).await;
    for (pet, day) in [("rex", 3), ("rex", 10), ("rex", 17), ("rex", 24)] {
        let mut a = appointment(pet, day);
        if day > 10 {
            a.vet = "Dr. No".into();
        }
        table.create(&a).await.unwrap();
    }
    let recorder = Recorder::new();
    let recorded = table.recorded_by(&recorder);
    let f = Appointment::fields();
    let by_vet = recorded
        .pattern("a pet's appointments with one vet")
        .query(Appointment::query("rex").unwrap())
        .filter_after_read(f.vet.eq("Dr. No".into()))
        .all()
        .await
        .unwrap();
    assert_eq!(by_vet.len(), 2);
    let all = recorded
        .pattern("every appointment")
        .scan_for_migration::<Appointment>()
        .segments(1)
        .all()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    // A pattern that reads exactly what it needs is not flagged.
    recorded
        .pattern("a pet's appointments")
        .query(Appointment::query("rex").unwrap())
        .all()
        .await
        .unwrap();

    let found = pattern_lints(&Design::new("t", table.schema()).patterns(&recorder));
    assert_eq!(codes(&found), ["filter", "scan"], "{found:?}");
    assert_eq!(
        found[0].subject,
        "pattern \"a pet's appointments with one vet\""
    );
    assert!(
        found[0].message.starts_with(
            "its queries read 4 items and returned 2: 50% were read, paid for and thrown away \
             (a filter expression)"
        ),
        "{}",
        found[0]
    );
    assert_eq!(found[1].subject, "pattern \"every appointment\"");
    assert!(
        found[1].message.starts_with(
            "served by 1 Scan request(s) that read 4 items to return 4 (0% thrown away)"
        ),
        "{}",
        found[1]
    );
}

/// A rate-limit window: one item per caller and minute, counted up by every request.
#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "RATE#<user_id>"]
#[sk = "WINDOW#<window:minute>"]
struct RateWindow {
    user_id: String,
    window: DateTime<Utc>,
    requests: u32,
}

#[tokio::test]
async fn writes_that_all_go_to_one_partition_are_a_hot_key() {
    let table = fresh_table(TableSchema::new().entity::<RateWindow>().unwrap()).await;
    let recorder = Recorder::new();
    let recorded = table.recorded_by(&recorder);
    let minute = Utc.with_ymd_and_hms(2026, 6, 3, 10, 0, 0).unwrap();
    let f = RateWindow::fields();
    // One busy caller: twelve requests, one window.
    let busy = recorded.pattern("count a request");
    for _ in 0..12 {
        let window = RateWindow {
            user_id: "busy".into(),
            window: minute,
            requests: 0,
        };
        busy.upsert(&window)
            .add(f.requests, 1)
            .send()
            .await
            .unwrap();
    }
    // Twelve callers, one request each: spread over twelve partitions.
    let spread = recorded.pattern("count a request of many callers");
    for n in 0..12 {
        let window = RateWindow {
            user_id: format!("user-{n}"),
            window: minute,
            requests: 0,
        };
        spread
            .upsert(&window)
            .add(f.requests, 1)
            .send()
            .await
            .unwrap();
    }
    let design = Design::new("rates", table.schema()).patterns(&recorder);
    let found = pattern_lints(&design);
    assert_eq!(codes(&found), ["hot-key"], "{found:#?}");
    assert_eq!(found[0].subject, "pattern \"count a request\"");
    assert!(
        found[0].message.contains(
            "12 of the pattern's 12 writes went to one partition, `RATE#<user_id>` of table"
        ),
        "{}",
        found[0].message
    );
}

// ---- the report, the infrastructure code and the policy ----

#[derive(Debug, Clone, PartialEq, Entity)]
#[pk = "USER#<user_id>"]
#[sk = "PROFILE"]
struct Member {
    user_id: String,
    #[dynamo(unique)]
    email: String,
}

#[tokio::test]
async fn the_report_tables_diagram_infrastructure_and_policy_follow_the_entities() {
    let schema = TableSchema::new()
        .entity::<Member>()
        .unwrap()
        .entity::<Appointment>()
        .unwrap()
        .entity::<WebSession>()
        .unwrap();
    let table = fresh_table(schema).await;
    let recorder = Recorder::new();
    let recorded = table.recorded_by(&recorder);
    let member = Member {
        user_id: "alice".into(),
        email: "alice@example.com".into(),
    };
    recorded.pattern("sign up").create(&member).await.unwrap();
    recorded
        .pattern("a member")
        .get::<Member>(Member::primary_key("alice").unwrap())
        .await
        .unwrap()
        .unwrap();
    recorded
        .pattern("book")
        .create(&appointment("rex", 3))
        .await
        .unwrap();
    recorded
        .pattern("upcoming appointments of a user")
        .query(Appointment::query_gsi1("alice").unwrap())
        .all()
        .await
        .unwrap();

    let design = Design::new("clinic", table.schema())
        .patterns(&recorder)
        .principal_tag("user_id", "user_id")
        .principal_tag("owner_id", "user_id")
        .account("eu-west-1", "123456789012");
    let report = design.markdown();
    for expected in [
        "# Design of table `clinic`",
        "| table | `PK` | `SK` |  |",
        "| GSI1 | `GSI1PK` | `GSI1SK` | ALL |",
        "Entity-type attribute: `Type`. TTL attribute: `expires_at`.",
        "| entity | PK | SK | GSI1PK | GSI1SK | Type | TTL | unique |",
        "| Member | `USER#<user_id>` | `PROFILE` |  |  | `Member` |  | `email` |",
        "| Appointment | `PET#<pet_id>` | `APPT#<at>` | `OWNER#<owner_id>` | `APPT#<at>` | `Appointment` |  |  |",
        "| WebSession | `SESSION#<token>` | `SESSION` |  |  | `WebSession` | `expires_at` |  |",
        "Unique values are kept by guard items: `UNIQUE#<entity>#<field>#<value>` / `UNIQUE`",
        // Creating a member with a unique e-mail is one transaction of two puts: the member
        // and its e-mail's guard item.
        "| sign up | TransactWriteItems | table | `PK = USER#<user_id>`<br>`PK = UNIQUE#<entity>#<field>#<value>` | Member, UniqueValue | 1 | 0 / 0 | 0 | 2 |",
        "| a member | GetItem | table | `PK = USER#<user_id>` | Member | 1 | 1 / 1 | 0.5 | 0 |",
        // One write unit for the item, one for its copy in GSI1.
        "| book | PutItem | table | `PK = PET#<pet_id>` | Appointment | 1 | 0 / 0 | 0 | 2 |",
        "| upcoming appointments of a user | Query | GSI1 | `GSI1PK = OWNER#<owner_id> AND begins_with(GSI1SK, APPT#)` | Appointment | 1 | 1 / 1 | 0.5 | 0 |",
        "```mermaid\nflowchart LR\n  subgraph i0[\"table: PK / SK\"]\n    i0p0[\"USER#35;#60;user_id#62;\"]\n    i0p0 --> i0e0[\"Member: PROFILE\"]",
        "  subgraph i1[\"GSI1: GSI1PK / GSI1SK\"]\n    i1p0[\"OWNER#35;#60;owner_id#62;\"]\n    i1p0 --> i1e1[\"Appointment: APPT#35;#60;at#62;\"]\n  end",
        "| warning | unbounded-collection | Appointment | its items are ordered by time (`at` in `APPT#<at>`) within a partition `PET#<pet_id>`",
    ] {
        assert!(report.contains(expected), "missing {expected:?} in:\n{report}");
    }

    let cfn = design.cloudformation();
    for expected in [
        "TableName: \"clinic\"",
        "BillingMode: PAY_PER_REQUEST",
        "        - AttributeName: \"GSI1PK\"\n          AttributeType: S",
        "      KeySchema:\n        - AttributeName: \"PK\"\n          KeyType: HASH\n        - AttributeName: \"SK\"\n          KeyType: RANGE",
        "        - IndexName: \"GSI1\"",
        "      TimeToLiveSpecification:\n        AttributeName: \"expires_at\"\n        Enabled: true",
        "PointInTimeRecoveryEnabled: true",
        "DeletionProtectionEnabled: true",
        "KMSMasterKeyId: !Ref TableKey",
    ] {
        assert!(cfn.contains(expected), "missing {expected:?} in:\n{cfn}");
    }
    let tf = design.terraform();
    for expected in [
        "resource \"aws_dynamodb_table\" \"clinic\" {",
        "hash_key                    = \"PK\"",
        "range_key                   = \"SK\"",
        "  global_secondary_index {\n    name            = \"GSI1\"\n    hash_key        = \"GSI1PK\"\n    range_key       = \"GSI1SK\"",
        "  ttl {\n    attribute_name = \"expires_at\"",
        "kms_key_arn = aws_kms_key.clinic.arn",
    ] {
        assert!(tf.contains(expected), "missing {expected:?} in:\n{tf}");
    }
    let cdk = design.cdk();
    assert!(
        cdk.contains("export class ClinicTable extends Construct"),
        "{cdk}"
    );
    assert!(cdk.contains("timeToLiveAttribute: \"expires_at\""), "{cdk}");

    let policy = design.iam_policy();
    for expected in [
        "\"Resource\": \"arn:aws:dynamodb:eu-west-1:123456789012:table/clinic\"",
        // Sign-up's transaction: PutItem on the member's partition and its guard item's.
        "\"dynamodb:GetItem\",\n        \"dynamodb:PutItem\"",
        "\"USER#${aws:PrincipalTag/user_id}\"",
        "\"UNIQUE#*#*#*\"",
        "\"PET#*\"",
        "\"Resource\": \"arn:aws:dynamodb:eu-west-1:123456789012:table/clinic/index/GSI1\"",
        "\"OWNER#${aws:PrincipalTag/user_id}\"",
    ] {
        assert!(
            policy.contains(expected),
            "missing {expected:?} in:\n{policy}"
        );
    }
    // Only what was used: nothing deletes, scans or updates.
    for unused in ["DeleteItem", "Scan", "UpdateItem", "BatchWriteItem"] {
        assert!(!policy.contains(unused), "{unused} in:\n{policy}");
    }
}

#[test]
fn stale_design_files_are_reported_with_their_difference() {
    let schema = TableSchema::new().entity::<Member>().unwrap();
    let dir = std::env::temp_dir().join(dynamo_entity_suite::unique_table_name("design"));
    let design = Design::new("clinic", &schema);
    design.write_files(&dir).unwrap();
    assert_eq!(design.stale_files(&dir), []);
    design.assert_current(&dir);

    // Another entity changes the report, and the committed files no longer match.
    let changed = Design::new("clinic", &schema.clone().entity::<WebSession>().unwrap());
    let stale = changed.stale_files(&dir);
    let names: Vec<&str> = stale
        .iter()
        .map(|(path, _)| path.rsplit('/').next().unwrap())
        .collect();
    // The policy with nothing recorded covers every entity's partitions, so it changes too.
    assert_eq!(
        names,
        [
            "DESIGN.md",
            "cloudformation.yaml",
            "main.tf",
            "table.ts",
            "iam-policy.json"
        ]
    );
    assert!(
        stale[0].1.contains(
            "+| WebSession | `SESSION#<token>` | `SESSION` | `WebSession` | `expires_at` |  |"
        ),
        "{}",
        stale[0].1
    );
    let panic = std::panic::catch_unwind(|| changed.assert_current(&dir)).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(message.contains("are stale"), "{message}");
    assert!(
        message.contains("DYNAMO_ENTITY_UPDATE_DESIGN=1"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_readme_excerpt_matches_the_committed_pets_design() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let report = std::fs::read_to_string(format!("{root}/examples/pets-design/DESIGN.md")).unwrap();
    let (_, rest) = readme.split_once("<!-- pets-design:begin -->").unwrap();
    let (excerpt, _) = rest.split_once("<!-- pets-design:end -->").unwrap();
    let lines: Vec<&str> = excerpt.lines().filter(|l| !l.is_empty()).collect();
    assert!(lines.len() > 20, "{excerpt}");
    for line in lines {
        assert!(
            report.lines().any(|r| r == line),
            "README line not in examples/pets-design/DESIGN.md: {line}"
        );
    }
}

#[test]
fn infrastructure_options_reach_every_generator() {
    use dynamo_entity::design::{Billing, Capacity, Encryption, Infrastructure};
    let schema = TableSchema::new()
        .entity::<Appointment>()
        .unwrap()
        .entity::<WebSession>()
        .unwrap();
    // Provisioned and auto-scaled, with the production defaults otherwise: committed, and
    // validated by CI (scripts/validate-design) like the pets example's design.
    let provisioned = Design::new("clinic", &schema).infrastructure(Infrastructure {
        billing: Billing::Provisioned {
            read: Capacity::autoscaled(5, 50),
            write: Capacity::autoscaled(2, 20),
        },
        ..Infrastructure::default()
    });
    provisioned.assert_current(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/designs/provisioned"
    ));
    let cfn = provisioned.cloudformation();
    assert!(cfn.contains(
        "      BillingMode: PROVISIONED\n      ProvisionedThroughput:\n        ReadCapacityUnits: 5\n        WriteCapacityUnits: 2\n"
    ), "{cfn}");
    // Each GSI has its own throughput.
    assert_eq!(cfn.matches("ReadCapacityUnits: 5").count(), 2, "{cfn}");
    // Reads and writes of the table and of GSI1, each scaled around 70% utilisation.
    assert_eq!(
        cfn.matches("Type: AWS::ApplicationAutoScaling::ScalableTarget")
            .count(),
        4,
        "{cfn}"
    );
    assert!(cfn.contains(
        "  GSI1ReadScaling:\n    Type: AWS::ApplicationAutoScaling::ScalableTarget\n    Properties:\n      ServiceNamespace: dynamodb\n      ResourceId: !Sub \"table/${Table}/index/GSI1\"\n      ScalableDimension: dynamodb:index:ReadCapacityUnits\n      MinCapacity: 5\n      MaxCapacity: 50\n"
    ), "{cfn}");
    let tf = provisioned.terraform();
    assert!(
        tf.contains("billing_mode                = \"PROVISIONED\""),
        "{tf}"
    );
    assert!(
        tf.contains("ignore_changes  = [read_capacity, write_capacity]"),
        "{tf}"
    );
    assert_eq!(
        tf.matches("resource \"aws_appautoscaling_policy\"").count(),
        4,
        "{tf}"
    );
    assert!(tf.contains("scalable_dimension = \"dynamodb:table:WriteCapacityUnits\"\n  min_capacity       = 2\n  max_capacity       = 20"), "{tf}");
    assert!(provisioned.cdk().contains(
        "billing: dynamodb.Billing.provisioned({\n        readCapacity: dynamodb.Capacity.autoscaled({ minCapacity: 5, maxCapacity: 50, targetUtilizationPercent: 70 }),"
    ));
    assert!(provisioned.markdown().contains(
        "The generated infrastructure code provisions 5 to 50 RCU and 2 to 20 WCU for the table and each index, with point-in-time recovery on, deletion protection on and encryption by a customer-managed KMS key."
    ));
    // A fixed capacity has no scaling.
    let fixed = Design::new("clinic", &schema).infrastructure(Infrastructure {
        billing: Billing::Provisioned {
            read: Capacity::fixed(5),
            write: Capacity::fixed(2),
        },
        ..Infrastructure::default()
    });
    assert!(!fixed.cloudformation().contains("AutoScaling"));
    assert!(!fixed.terraform().contains("appautoscaling"));
    assert!(fixed
        .cdk()
        .contains("readCapacity: dynamodb.Capacity.fixed(5),"));

    // A development table: no backups, no protection, DynamoDB's own key, nothing of KMS.
    let development = Design::new("clinic-dev", &schema).infrastructure(Infrastructure {
        point_in_time_recovery: false,
        deletion_protection: false,
        encryption: Encryption::AwsOwnedKey,
        ..Infrastructure::default()
    });
    let cfn = development.cloudformation();
    assert!(cfn.contains("PointInTimeRecoveryEnabled: false"), "{cfn}");
    assert!(cfn.contains("DeletionProtectionEnabled: false"), "{cfn}");
    assert!(
        !cfn.contains("SSESpecification") && !cfn.contains("KMS"),
        "{cfn}"
    );
    let tf = development.terraform();
    assert!(
        !tf.contains("aws_kms_key") && !tf.contains("server_side_encryption"),
        "{tf}"
    );
    assert!(!tf.contains("prevent_destroy"), "{tf}");
    let cdk = development.cdk();
    assert!(
        cdk.contains("encryption: dynamodb.TableEncryptionV2.dynamoOwnedKey()"),
        "{cdk}"
    );
    assert!(!cdk.contains("kms"), "{cdk}");

    let managed = Design::new("clinic", &schema).infrastructure(Infrastructure {
        encryption: Encryption::AwsManagedKey,
        ..Infrastructure::default()
    });
    let cfn = managed.cloudformation();
    assert!(
        cfn.contains(
            "      SSESpecification:\n        SSEEnabled: true\n        SSEType: KMS\nOutputs:"
        ),
        "{cfn}"
    );
    assert!(managed
        .terraform()
        .contains("  server_side_encryption {\n    enabled = true\n  }"));
}
