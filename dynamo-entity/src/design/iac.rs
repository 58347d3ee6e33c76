//! Infrastructure as code for the table (CloudFormation, Terraform, AWS CDK), and the
//! least-privilege IAM policy of the recorded access patterns.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::Design;
use crate::{Index, IndexProjection};

/// A JSON (and YAML double-quoted) string literal.
fn quoted(text: &str) -> String {
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
fn identifier(name: &str) -> String {
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

/// The actions used on one index, and the partition templates they touched.
type Permission = (BTreeSet<&'static str>, BTreeSet<String>);

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

    /// An AWS CloudFormation template (YAML) for the table (and its KMS key, with a
    /// customer-managed key).
    pub fn cloudformation(&self) -> String {
        let infra = &self.infrastructure;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: {}\nResources:",
            quoted(&format!(
                "DynamoDB table {}, generated by dynamo-entity from its entities. Do not edit: regenerate.",
                self.table_name
            ))
        );
        if infra.encryption == Encryption::CustomerManagedKey {
            let _ = writeln!(
                out,
                "  TableKey:\n    Type: AWS::KMS::Key\n    DeletionPolicy: Retain\n    \
                 UpdateReplacePolicy: Retain\n    Properties:\n      Description: {}\n      \
                 EnableKeyRotation: true\n      KeyPolicy:\n        Version: \"2012-10-17\"\n        \
                 Statement:\n          - Sid: AccountAdministersTheKey\n            Effect: Allow\n            \
                 Principal:\n              AWS: !Sub \"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:root\"\n            \
                 Action: \"kms:*\"\n            Resource: \"*\"",
                quoted(&format!("Encrypts the DynamoDB table {}", self.table_name))
            );
        }
        let (mode, throughput) = match infra.billing {
            Billing::OnDemand => ("PAY_PER_REQUEST", None),
            Billing::Provisioned { read, write } => ("PROVISIONED", Some((read.min, write.min))),
        };
        let provisioned = |out: &mut String, indent: &str| {
            if let Some((read, write)) = throughput {
                let _ = writeln!(
                    out,
                    "{indent}ProvisionedThroughput:\n{indent}  ReadCapacityUnits: {read}\n{indent}  \
                     WriteCapacityUnits: {write}"
                );
            }
        };
        let _ = writeln!(
            out,
            "  Table:\n    Type: AWS::DynamoDB::Table\n    DeletionPolicy: Retain\n    \
             UpdateReplacePolicy: Retain\n    Properties:\n      TableName: {}\n      \
             BillingMode: {mode}",
            quoted(&self.table_name)
        );
        provisioned(&mut out, "      ");
        out.push_str("      AttributeDefinitions:\n");
        for (name, kind) in self.key_attributes() {
            let _ = writeln!(
                out,
                "        - AttributeName: {}\n          AttributeType: {kind}",
                quoted(&name)
            );
        }
        let key_schema = |out: &mut String, indent: &str, pk: &str, sk: Option<&str>| {
            let _ = writeln!(out, "{indent}KeySchema:");
            let _ = writeln!(
                out,
                "{indent}  - AttributeName: {}\n{indent}    KeyType: HASH",
                quoted(pk)
            );
            if let Some(sk) = sk {
                let _ = writeln!(
                    out,
                    "{indent}  - AttributeName: {}\n{indent}    KeyType: RANGE",
                    quoted(sk)
                );
            }
        };
        key_schema(
            &mut out,
            "      ",
            &self.schema.partition_key,
            self.schema.sort_key.as_deref(),
        );
        for (local, section) in [
            (false, "GlobalSecondaryIndexes"),
            (true, "LocalSecondaryIndexes"),
        ] {
            let indexes = self.secondary(local);
            if indexes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "      {section}:");
            for gsi in &indexes {
                let _ = writeln!(out, "        - IndexName: {}", quoted(&gsi.name));
                if gsi.pks.is_empty() {
                    key_schema(&mut out, "          ", &gsi.pk, gsi.sk.as_deref());
                } else {
                    out.push_str("          KeySchema:\n");
                    let hash = gsi.pks.iter().map(|n| (n, "HASH"));
                    for (name, kind) in hash.chain(gsi.sks.iter().map(|n| (n, "RANGE"))) {
                        let _ = writeln!(
                            out,
                            "            - AttributeName: {}\n              KeyType: {kind}",
                            quoted(name)
                        );
                    }
                }
                let _ = writeln!(
                    out,
                    "          Projection:\n            ProjectionType: {}",
                    gsi.projection.name()
                );
                if !gsi.included().is_empty() {
                    out.push_str("            NonKeyAttributes:\n");
                    for name in gsi.included() {
                        let _ = writeln!(out, "              - {}", quoted(name));
                    }
                }
                if !local {
                    provisioned(&mut out, "          ");
                }
            }
        }
        if let Some(ttl) = &self.schema.ttl_attribute {
            let _ = writeln!(
                out,
                "      TimeToLiveSpecification:\n        AttributeName: {}\n        Enabled: true",
                quoted(ttl)
            );
        }
        let _ = writeln!(
            out,
            "      PointInTimeRecoverySpecification:\n        PointInTimeRecoveryEnabled: {}\n      \
             DeletionProtectionEnabled: {}",
            infra.point_in_time_recovery, infra.deletion_protection
        );
        match infra.encryption {
            Encryption::CustomerManagedKey => out.push_str(
                "      SSESpecification:\n        SSEEnabled: true\n        SSEType: KMS\n        \
                 KMSMasterKeyId: !Ref TableKey\n",
            ),
            Encryption::AwsManagedKey => out.push_str(
                "      SSESpecification:\n        SSEEnabled: true\n        SSEType: KMS\n",
            ),
            Encryption::AwsOwnedKey => {}
        }
        for scaled in self.scaled() {
            let name = format!("{}{}Scaling", identifier(&scaled.target), scaled.kind);
            let (resource, dimension) = match &scaled.index {
                None => ("table/${Table}".to_owned(), "table"),
                Some(index) => (format!("table/${{Table}}/index/{index}"), "index"),
            };
            let _ = writeln!(
                out,
                "  {name}:\n    Type: AWS::ApplicationAutoScaling::ScalableTarget\n    Properties:\n      \
                 ServiceNamespace: dynamodb\n      ResourceId: !Sub {}\n      \
                 ScalableDimension: dynamodb:{dimension}:{}CapacityUnits\n      MinCapacity: {}\n      \
                 MaxCapacity: {}\n  {name}Policy:\n    Type: AWS::ApplicationAutoScaling::ScalingPolicy\n    \
                 Properties:\n      PolicyName: {}\n      PolicyType: TargetTrackingScaling\n      \
                 ScalingTargetId: !Ref {name}\n      TargetTrackingScalingPolicyConfiguration:\n        \
                 PredefinedMetricSpecification:\n          PredefinedMetricType: DynamoDB{}CapacityUtilization\n        \
                 TargetValue: {TARGET_UTILISATION}",
                quoted(&resource),
                scaled.kind,
                scaled.capacity.min,
                scaled.capacity.max,
                quoted(&format!("{}-{}-{}", self.table_name, scaled.target, scaled.kind.to_ascii_lowercase())),
                scaled.kind,
            );
        }
        out.push_str(
            "Outputs:\n  TableName:\n    Value: !Ref Table\n  TableArn:\n    Value: !GetAtt Table.Arn\n",
        );
        out
    }

    /// A Terraform configuration (`aws_dynamodb_table`, and its `aws_kms_key` with a
    /// customer-managed key).
    pub fn terraform(&self) -> String {
        let infra = &self.infrastructure;
        let id = identifier(&self.table_name);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# DynamoDB table {}, generated by dynamo-entity from its entities. Do not edit: regenerate.\n",
            self.table_name
        );
        if infra.encryption == Encryption::CustomerManagedKey {
            out.push_str(
                "data \"aws_caller_identity\" \"current\" {}\n\ndata \"aws_partition\" \"current\" {}\n\n",
            );
            let _ = writeln!(
                out,
                "resource \"aws_kms_key\" \"{id}\" {{\n  description         = {}\n  \
                 enable_key_rotation = true\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    \
                 Statement = [{{\n      Sid       = \"AccountAdministersTheKey\"\n      Effect    = \"Allow\"\n      \
                 Principal = {{ AWS = \"arn:${{data.aws_partition.current.partition}}:iam::${{data.aws_caller_identity.current.account_id}}:root\" }}\n      \
                 Action    = \"kms:*\"\n      Resource  = \"*\"\n    }}]\n  }})\n}}\n",
                quoted(&format!("Encrypts the DynamoDB table {}", self.table_name))
            );
        }
        let (mode, throughput) = match infra.billing {
            Billing::OnDemand => ("PAY_PER_REQUEST", None),
            Billing::Provisioned { read, write } => ("PROVISIONED", Some((read.min, write.min))),
        };
        let _ = writeln!(
            out,
            "resource \"aws_dynamodb_table\" \"{id}\" {{\n  name                        = {}\n  \
             billing_mode                = \"{mode}\"\n  deletion_protection_enabled = {}\n  \
             hash_key                    = {}",
            quoted(&self.table_name),
            infra.deletion_protection,
            quoted(&self.schema.partition_key)
        );
        if let Some(sk) = &self.schema.sort_key {
            let _ = writeln!(out, "  range_key                   = {}", quoted(sk));
        }
        if let Some((read, write)) = throughput {
            let _ = writeln!(
                out,
                "  read_capacity               = {read}\n  write_capacity              = {write}"
            );
        }
        for (name, kind) in self.key_attributes() {
            let _ = writeln!(
                out,
                "\n  attribute {{\n    name = {}\n    type = \"{kind}\"\n  }}",
                quoted(&name)
            );
        }
        let terraform_projection = |out: &mut String, gsi: &Gsi| {
            let _ = writeln!(out, "    projection_type = \"{}\"", gsi.projection.name());
            if !gsi.included().is_empty() {
                let names: Vec<String> = gsi.included().iter().map(|n| quoted(n)).collect();
                let _ = writeln!(out, "    non_key_attributes = [{}]", names.join(", "));
            }
        };
        for lsi in self.secondary(true) {
            let _ = writeln!(
                out,
                "\n  local_secondary_index {{\n    name            = {}\n    range_key       = {}",
                quoted(&lsi.name),
                quoted(lsi.sk.as_deref().unwrap_or_default())
            );
            terraform_projection(&mut out, &lsi);
            out.push_str("  }\n");
        }
        for gsi in self.gsis() {
            let _ = writeln!(
                out,
                "\n  global_secondary_index {{\n    name            = {}",
                quoted(&gsi.name)
            );
            if gsi.pks.is_empty() {
                let _ = writeln!(out, "    hash_key        = {}", quoted(&gsi.pk));
                if let Some(sk) = &gsi.sk {
                    let _ = writeln!(out, "    range_key       = {}", quoted(sk));
                }
            } else {
                // A multi-attribute key: `key_schema` blocks, as the AWS API has it (provider
                // releases from 2026 on).
                let hash = gsi.pks.iter().map(|n| (n, "HASH"));
                for (name, kind) in hash.chain(gsi.sks.iter().map(|n| (n, "RANGE"))) {
                    let _ = writeln!(
                        out,
                        "    key_schema {{\n      attribute_name = {}\n      key_type       = \"{kind}\"\n    }}",
                        quoted(name)
                    );
                }
            }
            terraform_projection(&mut out, &gsi);
            if let Some((read, write)) = throughput {
                let _ = writeln!(
                    out,
                    "    read_capacity   = {read}\n    write_capacity  = {write}"
                );
            }
            out.push_str("  }\n");
        }
        if let Some(ttl) = &self.schema.ttl_attribute {
            let _ = writeln!(
                out,
                "\n  ttl {{\n    attribute_name = {}\n    enabled        = true\n  }}",
                quoted(ttl)
            );
        }
        let _ = writeln!(
            out,
            "\n  point_in_time_recovery {{\n    enabled = {}\n  }}",
            infra.point_in_time_recovery
        );
        match infra.encryption {
            Encryption::CustomerManagedKey => {
                let _ = writeln!(
                    out,
                    "\n  server_side_encryption {{\n    enabled     = true\n    kms_key_arn = aws_kms_key.{id}.arn\n  }}"
                );
            }
            Encryption::AwsManagedKey => {
                out.push_str("\n  server_side_encryption {\n    enabled = true\n  }\n");
            }
            Encryption::AwsOwnedKey => {}
        }
        let scaled = self.scaled();
        let table_scales = scaled.iter().any(|s| s.index.is_none());
        let mut lifecycle = Vec::new();
        if infra.deletion_protection {
            lifecycle.push("    prevent_destroy = true");
        }
        if table_scales {
            // Auto scaling changes them; a plan must not set them back.
            lifecycle.push("    ignore_changes  = [read_capacity, write_capacity]");
        }
        if !lifecycle.is_empty() {
            let _ = writeln!(out, "\n  lifecycle {{\n{}\n  }}", lifecycle.join("\n"));
        }
        out.push_str("}\n");
        for scaled in scaled {
            let name = format!(
                "{id}_{}_{}",
                identifier(&scaled.target).to_ascii_lowercase(),
                scaled.kind.to_ascii_lowercase()
            );
            let (resource, dimension) = match &scaled.index {
                None => (format!("table/${{aws_dynamodb_table.{id}.name}}"), "table"),
                Some(index) => (
                    format!("table/${{aws_dynamodb_table.{id}.name}}/index/{index}"),
                    "index",
                ),
            };
            let _ = writeln!(
                out,
                "\nresource \"aws_appautoscaling_target\" \"{name}\" {{\n  service_namespace  = \"dynamodb\"\n  \
                 resource_id        = \"{resource}\"\n  scalable_dimension = \"dynamodb:{dimension}:{}CapacityUnits\"\n  \
                 min_capacity       = {}\n  max_capacity       = {}\n}}\n\n\
                 resource \"aws_appautoscaling_policy\" \"{name}\" {{\n  name               = {}\n  \
                 policy_type        = \"TargetTrackingScaling\"\n  \
                 service_namespace  = aws_appautoscaling_target.{name}.service_namespace\n  \
                 resource_id        = aws_appautoscaling_target.{name}.resource_id\n  \
                 scalable_dimension = aws_appautoscaling_target.{name}.scalable_dimension\n\n  \
                 target_tracking_scaling_policy_configuration {{\n    predefined_metric_specification {{\n      \
                 predefined_metric_type = \"DynamoDB{}CapacityUtilization\"\n    }}\n    \
                 target_value = {TARGET_UTILISATION}\n  }}\n}}",
                scaled.kind,
                scaled.capacity.min,
                scaled.capacity.max,
                quoted(&format!("{}-{}-{}", self.table_name, scaled.target, scaled.kind.to_ascii_lowercase())),
                scaled.kind,
            );
        }
        out
    }

    /// An AWS CDK construct (TypeScript, `aws-cdk-lib` v2) for the table (and its KMS key,
    /// with a customer-managed key).
    pub fn cdk(&self) -> String {
        let infra = &self.infrastructure;
        let class = format!("{}Table", pascal(&self.table_name));
        let mut out = String::new();
        let _ = writeln!(
            out,
            "// DynamoDB table {}, generated by dynamo-entity from its entities. Do not edit: regenerate.\n\
             import {{ RemovalPolicy }} from 'aws-cdk-lib';\n\
             import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';",
            self.table_name
        );
        if infra.encryption == Encryption::CustomerManagedKey {
            out.push_str("import * as kms from 'aws-cdk-lib/aws-kms';\n");
        }
        let _ = writeln!(
            out,
            "import {{ Construct }} from 'constructs';\n\n\
             export class {class} extends Construct {{\n  public readonly table: dynamodb.TableV2;\n\n  \
             constructor(scope: Construct, id: string) {{\n    super(scope, id);"
        );
        if infra.encryption == Encryption::CustomerManagedKey {
            let _ = writeln!(
                out,
                "    const key = new kms.Key(this, 'Key', {{\n      description: {},\n      \
                 enableKeyRotation: true,\n      removalPolicy: RemovalPolicy.RETAIN,\n    }});",
                quoted(&format!("Encrypts the DynamoDB table {}", self.table_name))
            );
        }
        let _ = writeln!(
            out,
            "    this.table = new dynamodb.TableV2(this, 'Table', {{\n      tableName: {},",
            quoted(&self.table_name)
        );
        let types = self.key_attributes();
        let attribute = |name: &str| {
            let kind = match types.iter().find(|(n, _)| n == name).map(|(_, k)| *k) {
                Some("N") => "NUMBER",
                Some("B") => "BINARY",
                _ => "STRING",
            };
            format!(
                "{{ name: {}, type: dynamodb.AttributeType.{kind} }}",
                quoted(name)
            )
        };
        let _ = writeln!(
            out,
            "      partitionKey: {},",
            attribute(&self.schema.partition_key)
        );
        if let Some(sk) = &self.schema.sort_key {
            let _ = writeln!(out, "      sortKey: {},", attribute(sk));
        }
        let cdk_projection = |out: &mut String, gsi: &Gsi| {
            let _ = writeln!(
                out,
                "          projectionType: dynamodb.ProjectionType.{},",
                gsi.projection.name()
            );
            if !gsi.included().is_empty() {
                let names: Vec<String> = gsi.included().iter().map(|n| quoted(n)).collect();
                let _ = writeln!(out, "          nonKeyAttributes: [{}],", names.join(", "));
            }
        };
        let lsis = self.secondary(true);
        if !lsis.is_empty() {
            out.push_str("      localSecondaryIndexes: [\n");
            for lsi in &lsis {
                let _ = writeln!(
                    out,
                    "        {{\n          indexName: {},\n          sortKey: {},",
                    quoted(&lsi.name),
                    attribute(lsi.sk.as_deref().unwrap_or_default())
                );
                cdk_projection(&mut out, lsi);
                out.push_str("        },\n");
            }
            out.push_str("      ],\n");
        }
        let gsis = self.gsis();
        if !gsis.is_empty() {
            out.push_str("      globalSecondaryIndexes: [\n");
            for gsi in &gsis {
                let _ = writeln!(
                    out,
                    "        {{\n          indexName: {},",
                    quoted(&gsi.name)
                );
                if gsi.pks.is_empty() {
                    let _ = writeln!(out, "          partitionKey: {},", attribute(&gsi.pk));
                    if let Some(sk) = &gsi.sk {
                        let _ = writeln!(out, "          sortKey: {},", attribute(sk));
                    }
                } else {
                    let list = |names: &[String]| {
                        names
                            .iter()
                            .map(|n| attribute(n))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let _ = writeln!(out, "          partitionKeys: [{}],", list(&gsi.pks));
                    if !gsi.sks.is_empty() {
                        let _ = writeln!(out, "          sortKeys: [{}],", list(&gsi.sks));
                    }
                }
                cdk_projection(&mut out, gsi);
                if let Billing::Provisioned { read, .. } = infra.billing {
                    let _ = writeln!(out, "          readCapacity: {},", cdk_capacity(read));
                }
                out.push_str("        },\n");
            }
            out.push_str("      ],\n");
        }
        if let Some(ttl) = &self.schema.ttl_attribute {
            let _ = writeln!(out, "      timeToLiveAttribute: {},", quoted(ttl));
        }
        match infra.billing {
            Billing::OnDemand => out.push_str("      billing: dynamodb.Billing.onDemand(),\n"),
            // TableV2 always scales provisioned writes: a fixed capacity is a range of one value.
            Billing::Provisioned { read, write } => {
                let _ = writeln!(
                    out,
                    "      billing: dynamodb.Billing.provisioned({{\n        \
                     readCapacity: {},\n        \
                     writeCapacity: dynamodb.Capacity.autoscaled({{ minCapacity: {}, maxCapacity: {}, targetUtilizationPercent: {TARGET_UTILISATION} }}),\n      \
                     }}),",
                    cdk_capacity(read),
                    write.min,
                    write.max
                );
            }
        }
        let encryption = match infra.encryption {
            Encryption::CustomerManagedKey => "dynamodb.TableEncryptionV2.customerManagedKey(key)",
            Encryption::AwsManagedKey => "dynamodb.TableEncryptionV2.awsManagedKey()",
            Encryption::AwsOwnedKey => "dynamodb.TableEncryptionV2.dynamoOwnedKey()",
        };
        let _ = writeln!(
            out,
            "      pointInTimeRecoverySpecification: {{ pointInTimeRecoveryEnabled: {} }},\n      \
             deletionProtection: {},\n      encryption: {encryption},\n      \
             removalPolicy: RemovalPolicy.RETAIN,\n    }});\n  }}\n}}",
            infra.point_in_time_recovery, infra.deletion_protection
        );
        out
    }

    /// A `dynamodb:LeadingKeys` value for a partition template: its placeholders as principal
    /// tags ([`principal_tag`](Self::principal_tag)) or `*`.
    fn leading_key(&self, template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('<') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('>') else {
                break;
            };
            let field = crate::KeyFormat::of_placeholder(&rest[open + 1..open + close]).0;
            match self.principal_tags.get(field) {
                Some(tag) => {
                    let _ = write!(out, "${{aws:PrincipalTag/{tag}}}");
                }
                None => out.push('*'),
            }
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
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
                    templates.insert(self.templated_partition(
                        target.index,
                        pk,
                        event.entity.as_deref(),
                    ));
                }
            }
        }
        if self.events.is_empty() {
            // Nothing recorded: what the library's operations can need, on every template.
            for (schema, _) in self.entities() {
                for key in schema.keys {
                    let (actions, templates) = permissions.entry((key.index, false)).or_default();
                    templates.insert(key.pk.to_owned());
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
                    templates.iter().map(|t| self.leading_key(t)).collect();
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
