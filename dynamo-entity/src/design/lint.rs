//! The lints: the anti-patterns of the seed documents, found in the entities and in what the
//! recorded access patterns did.
//!
//! Not detected, on purpose: hot keys by traffic (that needs production metrics, not a test
//! run), items that grow toward the 400 KB limit (the writes refuse them already), and GSI write
//! amplification (every index costs writes; whether one is worth it is a judgement the report's
//! tables inform, not a rule).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::record::Event;
use super::Design;
use crate::codec::key_value::KeyDomain;
use crate::model::entity::{AttributeSchema, EntitySchema, KeySchema};
use crate::model::index::Index;
use crate::model::keyspace::KeySpace;
use crate::model::template::{Segment, Template};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Data can be lost or exposed: fix before shipping.
    Error,
    /// A cost or scaling problem that the design may accept knowingly.
    Warning,
}

/// One finding of the design review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    /// How bad it is.
    pub severity: Severity,
    /// Which lint: `fan-out`, `scan`, `filter`, `key-collision`, `shared-prefix`,
    /// `hot-partition`, `reused-attribute`, `unbounded-collection`, `ephemeral-without-ttl`.
    pub code: &'static str,
    /// What it is about: an entity, two entities, or a pattern (`pattern "..."`).
    pub subject: String,
    /// What was found, and what would fix it.
    pub message: String,
}

/// `warning[fan-out] pattern "upcoming appointments": ...`
impl fmt::Display for Lint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{severity}[{}] {}: {}",
            self.code, self.subject, self.message
        )
    }
}

/// A partition made only of placeholders with at most this many values in all is a hot
/// partition in waiting: one partition serves at most 3,000 RCU and 1,000 WCU.
const LOW_CARDINALITY: u64 = 100;

/// Words in an entity's name that say its items stop mattering after a while.
const EPHEMERAL_NAMES: &[&str] = &[
    "session",
    "token",
    "otp",
    "nonce",
    "lock",
    "lease",
    "cache",
    "idempotency",
    "ratelimit",
    "verification",
    "challenge",
    "invitation",
    "reset",
];

/// Words in an attribute's name that say the item has an end of life.
const EXPIRY_NAMES: &[&str] = &["expire", "expiry", "expiration", "valid_until"];

fn lint(severity: Severity, code: &'static str, subject: String, message: String) -> Lint {
    Lint {
        severity,
        code,
        subject,
        message,
    }
}

fn pattern_subject(label: &str) -> String {
    format!("pattern \"{label}\"")
}

fn percent(part: u64, whole: u64) -> u64 {
    (part * 100).checked_div(whole).unwrap_or(0)
}

impl Design {
    /// Every finding, entity lints first (in registration order), then pattern lints (in the
    /// order patterns were recorded).
    pub fn lints(&self) -> Vec<Lint> {
        let mut lints = Vec::new();
        for (schema, domains) in self.entities() {
            self.hot_partition(schema, domains, &mut lints);
            self.reused_attributes(schema, &mut lints);
            unbounded_collection(schema, domains, &mut lints);
            ephemeral_without_ttl(schema, &mut lints);
        }
        self.key_spaces(&mut lints);
        for (label, events) in self.by_pattern() {
            self.fan_out(&label, &events, &mut lints);
            self.hot_key(&label, &events, &mut lints);
            scans_and_filters(&label, &events, &mut lints);
        }
        lints
    }

    /// `hot-partition`: a partition template with no placeholder, or only placeholders of a
    /// few values (a bool-like enum).
    fn hot_partition(
        &self,
        schema: &EntitySchema,
        domains: &[(&'static str, KeyDomain)],
        lints: &mut Vec<Lint>,
    ) {
        for key in schema.keys {
            let fields: Vec<&str> = key.pk.fields().collect();
            let where_ = format!("`{}` in {}", key.pk, self.index_label(key.index));
            let message = if fields.is_empty() {
                format!(
                    "the partition key {where_} has no placeholder: every {} item is in one \
                     partition, which serves at most 3,000 RCU and 1,000 WCU a second; add a \
                     placeholder (a write-sharding suffix, if nothing else fits)",
                    schema.entity_type
                )
            } else {
                let values = fields.iter().try_fold(1u64, |product, field| {
                    match domains.iter().find(|(name, _)| name == field) {
                        Some((_, KeyDomain::Finite(n))) => Some(product.saturating_mul(*n)),
                        _ => None,
                    }
                });
                let Some(values) = values.filter(|v| *v <= LOW_CARDINALITY) else {
                    continue;
                };
                format!(
                    "the partition key {where_} is made of {} alone, with at most {values} \
                     values: all {} items share at most {values} partitions; add a \
                     high-cardinality placeholder",
                    fields
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    schema.entity_type
                )
            };
            lints.push(lint(
                Severity::Warning,
                "hot-partition",
                schema.entity_type.to_owned(),
                message,
            ));
        }
    }

    /// `reused-attribute`: an application attribute stored under a key attribute's or the
    /// entity-type attribute's name. (Under the TTL attribute's, the table schema refuses it.)
    fn reused_attributes(&self, schema: &EntitySchema, lints: &mut Vec<Lint>) {
        let keys = self.schema.key_attribute_names();
        // A key attribute that holds exactly one field's value (`#[pk = "<session_token>"]` on
        // a table keyed by `SessionToken`) is that field, stored once.
        let bare = |attribute: &AttributeSchema| {
            let only = |template: &Template| matches!(template.segments, [Segment::Field(f, None)] if *f == attribute.field);
            schema.keys.iter().any(|key| {
                let (pk, sk) = schema.key_attributes(key.index);
                (pk == attribute.attribute && only(&key.pk))
                    || (sk == Some(attribute.attribute) && key.sk.as_ref().is_some_and(only))
            })
        };
        for attribute in schema.attributes {
            let name = attribute.attribute;
            let problem = if keys.contains(&name) && !bare(attribute) {
                Some(format!(
                    "is a key attribute of the table or an index; storing `{}` there changes \
                     where items are indexed",
                    attribute.field
                ))
            } else if name == self.schema.type_attribute && !name.is_empty() {
                Some("is the entity-type attribute, which tells entity types apart".to_owned())
            } else {
                None
            };
            if let Some(problem) = problem {
                lints.push(lint(
                    Severity::Error,
                    "reused-attribute",
                    format!("{}.{}", schema.entity_type, attribute.field),
                    format!("the attribute `{name}` {problem}"),
                ));
            }
        }
    }

    /// `key-collision` (two entity types' keys in one index can be equal, so its queries cannot
    /// tell them apart by key) and `shared-prefix` (an entity query's `begins_with` also reads
    /// another entity type's items in the same partition).
    fn key_spaces(&self, lints: &mut Vec<Lint>) {
        let schemas = &self.schema.schemas;
        for index in self.indexes() {
            for (i, a) in schemas.iter().enumerate() {
                let Some(ka) = a.key_schema(index) else {
                    continue;
                };
                for (j, b) in schemas.iter().enumerate() {
                    let Some(kb) = b.key_schema(index) else {
                        continue;
                    };
                    if i == j || !KeySpace::of(&ka.pk).intersects(&KeySpace::of(&kb.pk)) {
                        continue;
                    }
                    let label = self.index_label(index);
                    let both = |k: &KeySchema| match k.sk {
                        Some(sk) => format!("`{}` / `{sk}`", k.pk),
                        None => format!("`{}`", k.pk),
                    };
                    let colliding = match (ka.sk, kb.sk) {
                        (Some(x), Some(y)) => KeySpace::of(&x).intersects(&KeySpace::of(&y)),
                        _ => true,
                    };
                    // The base table refuses colliding primary keys outright (TableSchema).
                    if colliding && index != Index::Primary && i < j {
                        lints.push(lint(
                            Severity::Warning,
                            "key-collision",
                            format!("{} and {}", a.entity_type, b.entity_type),
                            format!(
                                "in {label}, {} ({}) and {} ({}) can have the same key: a \
                                 query there reads both, and only the entity-type attribute \
                                 tells them apart; make a literal part of their templates differ",
                                a.entity_type,
                                both(ka),
                                b.entity_type,
                                both(kb)
                            ),
                        ));
                        continue;
                    }
                    let (Some(prefix), Some(sk_b)) = (ka.sk_prefix(), kb.sk) else {
                        continue;
                    };
                    if !colliding
                        && ka.sk.map(|sk| sk.text) != Some(prefix)
                        && KeySpace::of(&sk_b).can_start_with(prefix)
                    {
                        lints.push(lint(
                            Severity::Warning,
                            "shared-prefix",
                            format!("{} and {}", a.entity_type, b.entity_type),
                            format!(
                                "in {label}, a query for {}'s items (`begins_with` `{prefix}`) \
                                 in a partition `{}` also reads {}'s items (`{sk_b}`), pays \
                                 for them and drops them; give one of them a sort key prefix \
                                 that the other's cannot start with",
                                a.entity_type, ka.pk, b.entity_type
                            ),
                        ));
                    }
                }
            }
        }
    }

    /// `hot-key`: a pattern whose writes go to one partition, again and again (a counter, a
    /// rate-limit window): one busy caller makes that partition hot.
    fn hot_key(&self, label: &str, events: &[&Event], lints: &mut Vec<Lint>) {
        /// Writes to one partition that make a pattern's traffic worth a warning.
        const REPEATED: usize = 10;
        let mut writes: BTreeMap<(Index, &str, Option<&str>), usize> = BTreeMap::new();
        let mut total = 0;
        for event in events {
            for target in &event.targets {
                let write = matches!(target.action, "PutItem" | "UpdateItem" | "DeleteItem");
                let Some(pk) = target.partition.as_deref().filter(|_| write) else {
                    continue;
                };
                total += 1;
                *writes
                    .entry((target.index, pk, event.entity.as_deref()))
                    .or_default() += 1;
            }
        }
        let Some(((index, pk, entity), count)) = writes.into_iter().max_by_key(|(_, n)| *n) else {
            return;
        };
        if count < REPEATED || count * 2 < total {
            return;
        }
        let template = self.templated_partition(index, pk, entity);
        lints.push(lint(
            Severity::Warning,
            "hot-key",
            pattern_subject(label),
            format!(
                "{count} of the pattern's {total} writes went to one partition, `{template}` of \
                 {}: every request of one caller lands there, and a partition takes at most \
                 1,000 WCU a second, so a busy caller makes it hot; spread the writes (a shard \
                 suffix in the key) or limit the caller before DynamoDB",
                self.index_label(index)
            ),
        ));
    }

    /// `fan-out`: a pattern that queried several partitions of one index for one entity type,
    /// with the index that holds all the items it returned in one partition, if there is one.
    fn fan_out(&self, label: &str, events: &[&Event], lints: &mut Vec<Lint>) {
        let mut groups: BTreeMap<(Index, Option<&str>), Vec<&Event>> = BTreeMap::new();
        for event in events.iter().filter(|e| e.operation == "Query") {
            groups
                .entry((event.index, event.entity.as_deref()))
                .or_default()
                .push(event);
        }
        for ((index, entity), queries) in groups {
            let partitions: BTreeSet<&str> = queries
                .iter()
                .flat_map(|q| q.targets.iter())
                .filter_map(|t| t.partition.as_deref())
                .collect();
            if partitions.len() < 2 {
                continue;
            }
            let returned: u64 = queries.iter().map(|q| q.returned).sum();
            let template = self.templated_partition(index, partitions.first().unwrap(), entity);
            let mut message = format!(
                "{} queries of {} to {} different partitions `{template}`{} returned {returned} \
                 items; ",
                queries.len(),
                self.index_label(index),
                partitions.len(),
                entity.map(|e| format!(" for {e}")).unwrap_or_default(),
            );
            message.push_str(&self.fan_out_fix(index, entity, &queries, returned));
            lints.push(lint(
                Severity::Warning,
                "fan-out",
                pattern_subject(label),
                message,
            ));
        }
    }

    /// What would serve a fanned-out pattern in one query: an index where every item returned
    /// has one same partition, else the attributes that the items share.
    fn fan_out_fix(
        &self,
        queried: Index,
        entity: Option<&str>,
        queries: &[&Event],
        returned: u64,
    ) -> String {
        if returned == 0 {
            return "they returned nothing, so nothing shows which index would serve them in \
                    one query"
                .to_owned();
        }
        for index in self.indexes() {
            if index == queried {
                continue;
            }
            let mut count = 0;
            let mut partitions = BTreeSet::new();
            for query in queries {
                if let Some((n, p)) = query.other_partitions.get(&index) {
                    count += n;
                    partitions.extend(p.iter().map(String::as_str));
                }
            }
            if count == returned && partitions.len() == 1 {
                let pk = partitions.first().unwrap();
                return format!(
                    "{} holds all of them in one partition (`{}`): one query there would \
                     serve this pattern",
                    self.index_label(index),
                    self.templated_partition(index, pk, entity)
                );
            }
        }
        let mut shared: Option<BTreeMap<&String, &aws_sdk_dynamodb::types::AttributeValue>> = None;
        for query in queries {
            let Some(attributes) = &query.shared else {
                continue;
            };
            shared = Some(match shared {
                None => attributes.iter().collect(),
                Some(mut known) => {
                    known.retain(|name, value| attributes.get(*name) == Some(*value));
                    known
                }
            });
        }
        let names: Vec<String> = shared
            .unwrap_or_default()
            .keys()
            .map(|name| format!("`{name}`"))
            .collect();
        if names.is_empty() {
            return "no index holds them in one partition, and they share no attribute".to_owned();
        }
        format!(
            "no index holds them in one partition; they all have the same {}: a GSI whose \
             partition key is built from it would serve this pattern in one query",
            names.join(", ")
        )
    }
}

/// `scan` and `filter`: a pattern served by a scan, or whose reads returned fewer items than
/// they read (a filter, or another entity type's items under a shared sort-key prefix).
fn scans_and_filters(label: &str, events: &[&Event], lints: &mut Vec<Lint>) {
    let scans: Vec<&&Event> = events.iter().filter(|e| e.operation == "Scan").collect();
    if !scans.is_empty() {
        let read: u64 = scans.iter().map(|e| e.scanned).sum();
        let returned: u64 = scans.iter().map(|e| e.returned).sum();
        lints.push(lint(
            Severity::Warning,
            "scan",
            pattern_subject(label),
            format!(
                "served by {} Scan request(s) that read {read} items to return {returned} \
                 ({}% thrown away); a scan reads the whole table, and costs grow with it, not \
                 with the answer; fine for a one-off backfill, not for a request path",
                scans.len(),
                percent(read - returned.min(read), read)
            ),
        ));
    }
    let queries: Vec<&&Event> = events.iter().filter(|e| e.operation == "Query").collect();
    let read: u64 = queries.iter().map(|e| e.scanned).sum();
    let returned: u64 = queries.iter().map(|e| e.returned).sum();
    if read > returned {
        let filtered = queries.iter().any(|e| e.filtered);
        let cause = if filtered {
            "a filter expression"
        } else {
            "items of other entity types under the same sort-key prefix"
        };
        lints.push(lint(
            Severity::Warning,
            "filter",
            pattern_subject(label),
            format!(
                "its queries read {read} items and returned {returned}: {}% were read, paid \
                 for and thrown away ({cause}); a key condition that selects only what the \
                 pattern needs would not read them",
                percent(read - returned, read)
            ),
        ));
    }
}

/// `unbounded-collection`: items keyed by time under a partition with no time in it, and no
/// TTL: the partition's item collection only grows.
fn unbounded_collection(
    schema: &EntitySchema,
    domains: &[(&'static str, KeyDomain)],
    lints: &mut Vec<Lint>,
) {
    if schema.ttl.is_some() {
        return;
    }
    let is_time = |field: &str| {
        domains
            .iter()
            .any(|(name, domain)| *name == field && *domain == KeyDomain::Time)
    };
    // An index holds the same items again: the base table's collection is the one to fix.
    for key in schema.keys.iter().filter(|k| k.index == Index::Primary) {
        let Some(sk) = key.sk else { continue };
        let timed: Vec<&str> = sk.fields().filter(|f| is_time(f)).collect();
        if timed.is_empty() || key.pk.fields().any(is_time) {
            continue;
        }
        lints.push(lint(
            Severity::Warning,
            "unbounded-collection",
            schema.entity_type.to_owned(),
            format!(
                "its items are ordered by time (`{}` in `{sk}`) within a partition `{}` that has \
                 no time in it, and they never expire: that item collection grows without \
                 bound; add a time bucket to the partition key, or a TTL",
                timed.join("`, `"),
                key.pk
            ),
        ));
    }
}

/// `ephemeral-without-ttl`: an entity whose name or attributes say it expires, with no TTL.
fn ephemeral_without_ttl(schema: &EntitySchema, lints: &mut Vec<Lint>) {
    if schema.ttl.is_some() {
        return;
    }
    let name = schema.entity_type.to_ascii_lowercase().replace('_', "");
    let by_name = EPHEMERAL_NAMES.iter().find(|word| name.contains(*word));
    let by_attribute = schema.attributes.iter().find(|a| {
        let attribute = a.attribute.to_ascii_lowercase();
        EXPIRY_NAMES.iter().any(|word| attribute.contains(word))
    });
    let reason = match (by_name, by_attribute) {
        (_, Some(attribute)) => format!(
            "it has an `{}` attribute but no #[dynamo(ttl)] field",
            attribute.attribute
        ),
        (Some(word), None) => {
            format!(
                "its name says it is short-lived (\"{word}\") but it has no #[dynamo(ttl)] field"
            )
        }
        (None, None) => return,
    };
    lints.push(lint(
        Severity::Warning,
        "ephemeral-without-ttl",
        schema.entity_type.to_owned(),
        format!(
            "{reason}: its items stay, and are paid for, until something deletes them; a TTL \
             attribute lets DynamoDB delete them for free"
        ),
    ));
}
