//! Design review from code: the table's design as the entities and the recorded access patterns
//! show it, never as someone remembered to write it down.
//!
//! A [`Design`] is built from a [`TableSchema`] and, optionally, a [`Recorder`] that a run of the
//! application's access patterns filled (tests against DynamoDB Local, an example). From them:
//!
//! * [`markdown`](Design::markdown): the report. The entity-key table (every entity with its key
//!   templates in each index, its entity-type value, TTL and unique attributes), the
//!   access-pattern table (for each labelled pattern: operations, index, key condition as
//!   templates, entity types returned, requests, items returned and read, RCU and WCU), a Mermaid
//!   diagram of the item collections and indexes, and the lints;
//! * [`lints`](Design::lints): the anti-patterns found, each naming what it concerns;
//! * [`cloudformation`](Design::cloudformation), [`terraform`](Design::terraform),
//!   [`cdk`](Design::cdk): the table as infrastructure as code, by default with point-in-time
//!   recovery, deletion protection and a customer-managed KMS key ([`Infrastructure`]);
//! * [`iam_policy`](Design::iam_policy): a least-privilege policy, with the actions the recorded
//!   patterns used and `dynamodb:LeadingKeys` conditions from the partition templates;
//! * [`assert_current`](Design::assert_current): all of these compared with committed files,
//!   failing with the difference when they are stale.
//!
//! ```
//! use dynamo_entity::{design::{Design, Severity}, Entity, TableSchema};
//!
//! #[derive(Entity)]
//! #[pk = "USER#<user_id>"]
//! #[sk = "SESSION#<session_id>"]
//! struct LoginSession { user_id: String, session_id: String }
//!
//! let schema = TableSchema::new().entity::<LoginSession>()?;
//! let design = Design::new("app", &schema);
//! let lints = design.lints();
//! assert_eq!(lints[0].code, "ephemeral-without-ttl");
//! assert_eq!(lints[0].severity, Severity::Warning);
//! assert!(design.markdown().contains("| LoginSession | `USER#<user_id>` | `SESSION#<session_id>` |"));
//! # Ok::<(), dynamo_entity::Error>(())
//! ```

mod iac;
mod iam;
mod lint;
mod record;
mod report;
mod snapshot;

use std::collections::BTreeMap;

pub use iac::{Billing, Capacity, Encryption, Infrastructure};
pub use lint::{Lint, Severity};
pub use record::Recorder;
pub use snapshot::UPDATE_VARIABLE;

use crate::codec::key_value::KeyDomain;
use crate::expr::render::show;
use crate::model::entity::{EntitySchema, KeySchema};
use crate::model::index::Index;
use crate::model::keyspace::KeySpace;
use crate::model::reserved::GUARD_PK;
use crate::model::schema::TableSchema;
use crate::model::template::Template;
use crate::runtime::table::Table;
use record::Event;

/// A partition as the report and the policy show it: its template, where one produces it.
#[derive(Debug, Clone)]
struct Partition {
    text: String,
    template: Option<Template>,
}

/// A table's design, from its schema and the access patterns recorded against it.
#[derive(Debug, Clone)]
pub struct Design {
    table_name: String,
    schema: TableSchema,
    events: Vec<Event>,
    endpoint: Option<String>,
    principal_tags: BTreeMap<String, String>,
    region: String,
    account: String,
    infrastructure: Infrastructure,
}

impl Design {
    /// The design of the table `table_name` (the name infrastructure code gives it) with
    /// `schema`, and no recorded patterns yet.
    pub fn new(table_name: &str, schema: &TableSchema) -> Self {
        Design {
            table_name: table_name.to_owned(),
            schema: schema.clone(),
            events: Vec::new(),
            endpoint: None,
            principal_tags: BTreeMap::new(),
            region: "*".to_owned(),
            account: "*".to_owned(),
            infrastructure: Infrastructure::default(),
        }
    }

    /// The design of `table` (its schema, and the endpoint its requests went to), named
    /// `table_name` in the generated files (a test's table usually has a generated name).
    pub fn of(table_name: &str, table: &Table) -> Self {
        let mut design = Design::new(table_name, table.schema());
        design.endpoint = table.endpoint().map(str::to_owned);
        design
    }

    /// Adds what `recorder` recorded: the access patterns, their requests and costs.
    pub fn patterns(mut self, recorder: &Recorder) -> Self {
        self.events.extend(recorder.events().iter().cloned());
        self
    }

    /// In the IAM policy, the placeholder `field` of partition templates is the principal's tag
    /// `tag`: `USER#<owner_id>` with `principal_tag("owner_id", "user_id")` becomes the
    /// `dynamodb:LeadingKeys` value `USER#${aws:PrincipalTag/user_id}`, so that a caller reaches
    /// only its own partitions. Placeholders without a tag become `*`.
    pub fn principal_tag(mut self, field: &str, tag: &str) -> Self {
        self.principal_tags.insert(field.to_owned(), tag.to_owned());
        self
    }

    /// The region and account of the table in the IAM policy's ARNs (default `*`).
    pub fn account(mut self, region: &str, account: &str) -> Self {
        region.clone_into(&mut self.region);
        account.clone_into(&mut self.account);
        self
    }

    /// How the infrastructure code sets the table up (default: [`Infrastructure::default`]).
    pub fn infrastructure(mut self, infrastructure: Infrastructure) -> Self {
        self.infrastructure = infrastructure;
        self
    }

    /// Every generated file, by name: `DESIGN.md`, `cloudformation.yaml`, `main.tf`,
    /// `table.ts` (AWS CDK) and `iam-policy.json`.
    pub fn files(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DESIGN.md", self.markdown()),
            ("cloudformation.yaml", self.cloudformation()),
            ("main.tf", self.terraform()),
            ("table.ts", self.cdk()),
            ("iam-policy.json", self.iam_policy()),
        ]
    }

    /// The entities, with their per-field key domains.
    fn entities(&self) -> impl Iterator<Item = (&EntitySchema, &[(&'static str, KeyDomain)])> {
        self.schema
            .schemas
            .iter()
            .zip(self.schema.domains.iter().map(Vec::as_slice))
    }

    /// The indexes of the table: the base table first, then the secondary indexes.
    fn indexes(&self) -> Vec<Index> {
        std::iter::once(Index::Primary)
            .chain(self.schema.indexes.iter().map(|g| g.index))
            .collect()
    }

    /// The name of `index` in a report: `table` or its index's name.
    fn index_label(&self, index: Index) -> String {
        self.schema
            .index_name(index)
            .unwrap_or_else(|| "table".to_owned())
    }

    /// The key attribute names of `index`.
    fn key_names(&self, index: Index) -> (String, Option<String>) {
        if let Some(found) = self
            .schema
            .index(index)
            .filter(|i| !i.partition_keys.is_empty())
        {
            let list = |names: &[String]| format!("[{}]", names.join(", "));
            let sk = (!found.sort_keys.is_empty()).then(|| list(&found.sort_keys));
            return (list(&found.partition_keys), sk);
        }
        match self.schema.key_attributes(index) {
            Some((pk, sk)) => (pk.to_owned(), sk.map(str::to_owned)),
            None => (index.pk_attribute(), None),
        }
    }

    /// The key templates in `index` that can produce the partition `value`, the entity's own
    /// (`entity`) first.
    fn partition_templates(
        &self,
        index: Index,
        value: &str,
        entity: Option<&str>,
    ) -> Vec<(&EntitySchema, &'static KeySchema)> {
        let mut found: Vec<(&EntitySchema, &'static KeySchema)> = self
            .schema
            .schemas
            .iter()
            .filter_map(|s| s.key_schema(index).map(|k| (s, k)))
            .filter(|(_, k)| KeySpace::of(&k.pk).matches(value))
            .collect();
        found.sort_by_key(|(s, _)| Some(s.entity_type) != entity);
        found
    }

    /// A partition key value as its template (`USER#<owner_id>`), or as it is when no entity's
    /// template produces it (a unique value's guard item: `UNIQUE#...`).
    fn templated_partition(&self, index: Index, value: &str, entity: Option<&str>) -> String {
        self.partition_template(index, value, entity).text
    }

    /// A partition key value's template, and its text (the value itself where no template
    /// produces it).
    fn partition_template(&self, index: Index, value: &str, entity: Option<&str>) -> Partition {
        let template = match self.partition_templates(index, value, entity).first() {
            Some((_, key)) => Some(key.pk),
            None if index == Index::Primary && KeySpace::of(&GUARD_PK).matches(value) => {
                Some(GUARD_PK)
            }
            None => None,
        };
        Partition {
            text: template.map_or_else(|| value.to_owned(), |t| t.text.to_owned()),
            template,
        }
    }

    /// A sort key condition's value with its placeholders' values replaced by their names,
    /// segment by segment, from the sort key template of the entity read.
    fn templated_sort(&self, index: Index, pk: &str, entity: Option<&str>, value: &str) -> String {
        let template = self
            .partition_templates(index, pk, entity)
            .into_iter()
            .filter_map(|(_, k)| k.sk.as_ref())
            .find(|sk| KeySpace::of(sk).can_start_with(value) || value.is_empty());
        let Some(template) = template else {
            return value.to_owned();
        };
        let segments: Vec<&str> = template.text.split('#').collect();
        value
            .split('#')
            .enumerate()
            .map(|(i, part)| match segments.get(i) {
                Some(segment) if segment.contains('<') && !part.is_empty() => *segment,
                _ => part,
            })
            .collect::<Vec<_>>()
            .join("#")
    }

    /// The recorded events, grouped by pattern, in the order patterns were first seen.
    fn by_pattern(&self) -> Vec<(String, Vec<&Event>)> {
        let mut groups: Vec<(String, Vec<&Event>)> = Vec::new();
        for event in &self.events {
            let label = event.pattern_label();
            match groups.iter_mut().find(|(l, _)| *l == label) {
                Some((_, events)) => events.push(event),
                None => groups.push((label, vec![event])),
            }
        }
        groups
    }

    /// A query's key condition as templates (`PK = USER#<owner_id> AND begins_with(SK, PET#)`),
    /// or the partitions that another request's items are in (`PK = USER#<owner_id>`).
    fn key_conditions(&self, event: &Event) -> Vec<String> {
        if event.operation != "Query" {
            let mut conditions: Vec<String> = Vec::new();
            for target in &event.targets {
                let Some(pk) = &target.partition else {
                    continue;
                };
                let template = self.templated_partition(target.index, pk, event.entity.as_deref());
                let condition = format!("{} = {template}", self.key_names(target.index).0);
                if !conditions.contains(&condition) {
                    conditions.push(condition);
                }
            }
            return conditions;
        }
        self.key_condition(event).into_iter().collect()
    }

    /// A query's key condition with its values shown as templates: the partition key's as its
    /// template, the sort key's as the sort key template's segments, a multi-attribute key's
    /// attributes as `<Attribute>`.
    fn key_condition(&self, event: &Event) -> Option<String> {
        let pk_value = event.targets.first()?.partition.as_deref();
        let (pk_name, sk_name) = self.key_names(event.index);
        let entity = event.entity.as_deref();
        let text = show(&event.key, |subject, value| {
            let attribute = subject.map_or("", |p| &*p.attribute);
            let value = crate::expr::render::value_text(value);
            match pk_value {
                Some(pk) if attribute == pk_name => {
                    self.templated_partition(event.index, pk, entity)
                }
                Some(pk) if Some(attribute) == sk_name.as_deref() => {
                    self.templated_sort(event.index, pk, entity, &value)
                }
                _ => format!("<{attribute}>"),
            }
        });
        (!text.is_empty()).then_some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_values_are_templated_segment_by_segment() {
        #[derive(crate::Entity)]
        #[pk = "PET#<pet_id>"]
        #[sk = "VISIT#<at>#<visit_no>"]
        struct Visit {
            pet_id: String,
            at: u64,
            visit_no: u32,
        }
        let schema = TableSchema::new().entity::<Visit>().unwrap();
        let design = Design::new("t", &schema);
        let sort = |v: &str| design.templated_sort(Index::Primary, "PET#rex", Some("Visit"), v);
        assert_eq!(sort("VISIT#"), "VISIT#");
        assert_eq!(sort("VISIT#00000000000000000005"), "VISIT#<at>");
        assert_eq!(
            sort("VISIT#00000000000000000005#0000000001"),
            "VISIT#<at>#<visit_no>"
        );
        assert_eq!(
            design.templated_partition(Index::Primary, "PET#rex", None),
            "PET#<pet_id>"
        );
        // A value no template produces is shown as it is.
        assert_eq!(
            design.templated_partition(Index::Primary, "OTHER", None),
            "OTHER"
        );
    }
}
