//! The least-privilege IAM policy of the recorded access patterns.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::iac::{identifier, quoted};
use super::{Design, Partition};
use crate::model::index::Index;

/// The actions used on one index, and the partitions they touched (by their template's text).
type Permission = (BTreeSet<&'static str>, BTreeMap<String, Partition>);

impl Design {
    /// A `dynamodb:LeadingKeys` value for a partition: its template's placeholders as
    /// principal tags ([`principal_tag`](Self::principal_tag)) or `*`; a partition no template
    /// produces as it is.
    fn leading_key(&self, partition: &Partition) -> String {
        let Some(template) = &partition.template else {
            return partition.text.clone();
        };
        let filled = template.fill(|field, _| {
            Ok::<_, std::convert::Infallible>(match self.principal_tags.get(field) {
                Some(tag) => format!("${{aws:PrincipalTag/{tag}}}"),
                None => "*".to_owned(),
            })
        });
        match filled {
            Ok(key) => key,
            Err(never) => match never {},
        }
    }

    /// For each index, and apart for scans there (which name no partition), the actions used
    /// and the partition templates they touched.
    fn permissions(&self) -> BTreeMap<(Index, bool), Permission> {
        let mut permissions: BTreeMap<(Index, bool), Permission> = BTreeMap::new();
        for event in &self.events {
            for target in &event.targets {
                let slot = (target.index, target.partition.is_none());
                let (actions, templates) = permissions.entry(slot).or_default();
                actions.insert(target.action);
                if let Some(pk) = &target.partition {
                    let partition =
                        self.partition_template(target.index, pk, event.entity.as_deref());
                    templates.insert(partition.text.clone(), partition);
                }
            }
        }
        if self.events.is_empty() {
            // Nothing recorded: what the library's operations can need, on every template.
            for (schema, _) in self.entities() {
                for key in schema.keys {
                    let (actions, templates) = permissions.entry((key.index, false)).or_default();
                    let partition = Partition {
                        text: key.pk.text.to_owned(),
                        template: Some(key.pk),
                    };
                    templates.insert(partition.text.clone(), partition);
                    actions.insert("Query");
                    if key.index == Index::Primary {
                        actions.extend([
                            "GetItem",
                            "PutItem",
                            "UpdateItem",
                            "DeleteItem",
                            "ConditionCheckItem",
                            "BatchGetItem",
                            "BatchWriteItem",
                        ]);
                    }
                }
            }
        }
        permissions
    }

    /// A least-privilege IAM policy (JSON) for the recorded access patterns: the actions they
    /// used, on the table and on the indexes they queried, each statement limited by
    /// `dynamodb:LeadingKeys` to the partition templates it touched (with
    /// [`principal_tag`](Self::principal_tag) mappings, to the caller's own partitions). Scans
    /// name no partition, so they get a statement of their own, without that condition. With
    /// nothing recorded, it allows every item operation on every entity's partitions.
    pub fn iam_policy(&self) -> String {
        let table_arn = format!(
            "arn:aws:dynamodb:{}:{}:table/{}",
            self.region, self.account, self.table_name
        );
        let mut statements = Vec::new();
        for ((index, scan), (actions, templates)) in self.permissions() {
            let (mut sid, resource) = match index {
                Index::Primary => ("Table".to_owned(), table_arn.clone()),
                index => {
                    let name = self.index_label(index);
                    (
                        format!("Index{}", identifier(&name).replace('_', "")),
                        format!("{table_arn}/index/{name}"),
                    )
                }
            };
            if scan {
                sid = format!("ScanOf{sid}");
            }
            let actions: Vec<String> = actions
                .iter()
                .map(|a| quoted(&format!("dynamodb:{a}")))
                .collect();
            let mut statement = format!(
                "    {{\n      \"Sid\": {},\n      \"Effect\": \"Allow\",\n      \"Action\": [\n        {}\n      ],\n      \"Resource\": {}",
                quoted(&sid),
                actions.join(",\n        "),
                quoted(&resource)
            );
            if !scan {
                let keys: BTreeSet<String> =
                    templates.values().map(|t| self.leading_key(t)).collect();
                let keys: Vec<String> = keys.iter().map(|k| quoted(k)).collect();
                let _ = write!(
                    statement,
                    ",\n      \"Condition\": {{\n        \"ForAllValues:StringLike\": {{\n          \"dynamodb:LeadingKeys\": [\n            {}\n          ]\n        }}\n      }}",
                    keys.join(",\n            ")
                );
            }
            statement.push_str("\n    }");
            statements.push(statement);
        }
        format!(
            "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n{}\n  ]\n}}\n",
            statements.join(",\n")
        )
    }
}
