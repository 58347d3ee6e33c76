//! Infrastructure as code for the table: the options (billing, capacity, encryption, backups)
//! and the neutral model of the table that the three renderers share (CloudFormation,
//! Terraform, AWS CDK), one file each.

mod cdk;
mod cloudformation;
mod terraform;

use std::fmt::Write;

use super::Design;
use crate::model::layout::IndexProjection;

/// A JSON (and YAML double-quoted) string literal.
pub(super) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A name usable as an identifier in Terraform and TypeScript: `pets-prod` → `pets_prod`.
pub(super) fn identifier(name: &str) -> String {
    let mut id: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert(0, '_');
    }
    id
}

/// `pets-prod` → `PetsProd`.
fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// How the generated infrastructure code sets up the table, beyond its keys.
///
/// The default is what a production table should have, and what `checkov` checks for:
/// on-demand billing, point-in-time recovery, deletion protection, and encryption with a
/// customer-managed KMS key that rotates yearly. Every generated table keeps its data when the
/// stack or configuration is deleted (a retain policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Infrastructure {
    /// How capacity is billed.
    pub billing: Billing,
    /// Continuous backups, restorable to any second of the last 35 days.
    pub point_in_time_recovery: bool,
    /// The table cannot be deleted until this is turned off.
    pub deletion_protection: bool,
    /// Which key encrypts the table at rest.
    pub encryption: Encryption,
}

impl Default for Infrastructure {
    fn default() -> Self {
        Infrastructure {
            billing: Billing::OnDemand,
            point_in_time_recovery: true,
            deletion_protection: true,
            encryption: Encryption::CustomerManagedKey,
        }
    }
}

/// How a table's capacity is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// Per request (`PAY_PER_REQUEST`).
    OnDemand,
    /// Provisioned read and write capacity units, for the table and each GSI.
    Provisioned {
        /// Read capacity units.
        read: Capacity,
        /// Write capacity units.
        write: Capacity,
    },
}

/// Provisioned capacity: fixed, or scaled by Application Auto Scaling between `min` and `max`
/// to keep utilisation near 70%.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// The units provisioned at least (and at first).
    pub min: u64,
    /// The units provisioned at most; equal to `min` for a fixed capacity.
    pub max: u64,
}

impl Capacity {
    /// Always `units`.
    pub const fn fixed(units: u64) -> Self {
        Capacity {
            min: units,
            max: units,
        }
    }

    /// Between `min` and `max`, following the load.
    pub const fn autoscaled(min: u64, max: u64) -> Self {
        Capacity { min, max }
    }

    fn scales(self) -> bool {
        self.max > self.min
    }
}

/// The utilisation that auto scaling keeps capacity near, in percent.
const TARGET_UTILISATION: u32 = 70;

/// One auto-scaled dimension: the table's or an index's reads or writes.
struct Scaled {
    /// `Table`, `GSI1`, ...
    target: String,
    index: Option<String>,
    /// `Read` or `Write`.
    kind: &'static str,
    capacity: Capacity,
}

/// Which key encrypts a table at rest (DynamoDB always encrypts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    /// A KMS key created beside the table, owned by the account, rotated yearly: the account
    /// controls and audits its use (about 1 USD a month, plus requests).
    CustomerManagedKey,
    /// The account's AWS-managed key `aws/dynamodb`: usage visible in CloudTrail, no control.
    AwsManagedKey,
    /// A key owned by DynamoDB: free, invisible.
    AwsOwnedKey,
}

impl Infrastructure {
    /// The report's sentence about it.
    pub(crate) fn describe(&self) -> String {
        let units = |c: Capacity, what: &str| {
            if c.scales() {
                format!("{} to {} {what}", c.min, c.max)
            } else {
                format!("{} {what}", c.min)
            }
        };
        let billing = match self.billing {
            Billing::OnDemand => "bills on demand".to_owned(),
            Billing::Provisioned { read, write } => format!(
                "provisions {} and {} for the table and each index",
                units(read, "RCU"),
                units(write, "WCU")
            ),
        };
        let on_off = |on: bool, what: &str| format!("{what} {}", if on { "on" } else { "off" });
        let key = match self.encryption {
            Encryption::CustomerManagedKey => "a customer-managed KMS key",
            Encryption::AwsManagedKey => "the AWS-managed KMS key",
            Encryption::AwsOwnedKey => "a DynamoDB-owned key",
        };
        format!(
            "The generated infrastructure code {billing}, with {}, {} and encryption by {key}.",
            on_off(self.point_in_time_recovery, "point-in-time recovery"),
            on_off(self.deletion_protection, "deletion protection"),
        )
    }
}

/// A read capacity in the CDK.
fn cdk_capacity(capacity: Capacity) -> String {
    if capacity.scales() {
        format!(
            "dynamodb.Capacity.autoscaled({{ minCapacity: {}, maxCapacity: {}, targetUtilizationPercent: {TARGET_UTILISATION} }})",
            capacity.min, capacity.max
        )
    } else {
        format!("dynamodb.Capacity.fixed({})", capacity.min)
    }
}

/// One GSI as the generators need it.
struct Gsi {
    name: String,
    pk: String,
    sk: Option<String>,
    projection: IndexProjection,
    /// A multi-attribute key: the partition and sort attributes (then `pk` is empty).
    pks: Vec<String>,
    sks: Vec<String>,
}

impl Gsi {
    /// The attributes of an INCLUDE projection.
    fn included(&self) -> &'static [&'static str] {
        match self.projection {
            IndexProjection::Include(names) => names,
            _ => &[],
        }
    }
}

impl Design {
    /// The global secondary indexes (`local` false) or the local ones.
    fn secondary(&self, local: bool) -> Vec<Gsi> {
        self.schema
            .indexes
            .iter()
            .filter(|g| g.local == local)
            .map(|g| Gsi {
                name: g.name.clone(),
                pk: g.partition_key.clone(),
                sk: g.sort_key.clone(),
                projection: g.projection,
                pks: g.partition_keys.clone(),
                sks: g.sort_keys.clone(),
            })
            .collect()
    }

    fn gsis(&self) -> Vec<Gsi> {
        self.secondary(false)
    }

    /// The dimensions that auto scaling manages: reads and writes of the table and each GSI
    /// whose capacity is a range.
    fn scaled(&self) -> Vec<Scaled> {
        let Billing::Provisioned { read, write } = self.infrastructure.billing else {
            return Vec::new();
        };
        let mut targets = vec![("Table".to_owned(), None)];
        targets.extend(
            self.gsis()
                .into_iter()
                .map(|g| (g.name.clone(), Some(g.name))),
        );
        let mut scaled = Vec::new();
        for (target, index) in targets {
            for (kind, capacity) in [("Read", read), ("Write", write)] {
                if capacity.scales() {
                    scaled.push(Scaled {
                        target: target.clone(),
                        index: index.clone(),
                        kind,
                        capacity,
                    });
                }
            }
        }
        scaled
    }

    /// Every key attribute, each once, in order: all are strings.
    /// Every key attribute, once, with its type (`S`, `N`, `B`).
    fn key_attributes(&self) -> Vec<(String, &'static str)> {
        let mut names: Vec<(String, &'static str)> = Vec::new();
        for name in self.schema.key_attribute_names() {
            if !names.iter().any(|(n, _)| n == name) {
                let kind = self
                    .schema
                    .key_types
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or("S", |(_, kind)| kind.name());
                names.push((name.to_owned(), kind));
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_identifiers() {
        assert_eq!(identifier("pets-prod.v2"), "pets_prod_v2");
        assert_eq!(identifier("1table"), "_1table");
        assert_eq!(pascal("pets-prod"), "PetsProd");
        assert_eq!(quoted("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
