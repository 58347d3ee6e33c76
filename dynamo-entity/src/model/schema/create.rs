//! The `CreateTable` request for a schema, for tests and for infrastructure-as-code.

use aws_sdk_dynamodb::operation::create_table::CreateTableInput;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ScalarAttributeType,
};

use super::TableSchema;
use crate::error::{Error, Result, SchemaErrorKind};
use crate::model::layout::IndexProjection;

impl TableSchema {
    /// The `CreateTable` request for this schema: on-demand billing, every index with the
    /// projection its layout declares (all attributes in the default layout).
    pub fn create_table_input(&self, table_name: &str) -> Result<CreateTableInput> {
        // Templated keys are strings; a multi-attribute key's attributes have their fields'
        // types.
        let multi_attributes: Vec<&str> = self
            .indexes
            .iter()
            .flat_map(|i| i.partition_keys.iter().chain(&i.sort_keys))
            .map(String::as_str)
            .collect();
        let string_attribute = |name: &str| {
            let kind = match self.key_types.iter().find(|(n, _)| n == name) {
                Some((_, kind)) => kind.scalar(),
                None if multi_attributes.contains(&name) => {
                    return Err(Error::schema(
                        SchemaErrorKind::Layout,
                        format!(
                            "the type of key attribute `{name}` is unknown: register an entity \
                         with a key in its index"
                        ),
                    ))
                }
                None => ScalarAttributeType::S,
            };
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(kind)
                .build()
                .map_err(build_error)
        };
        let key_schema = |pk: &str, sk: Option<&str>| -> Result<Vec<KeySchemaElement>> {
            let mut elements = vec![KeySchemaElement::builder()
                .attribute_name(pk)
                .key_type(KeyType::Hash)
                .build()
                .map_err(build_error)?];
            if let Some(sk) = sk {
                elements.push(
                    KeySchemaElement::builder()
                        .attribute_name(sk)
                        .key_type(KeyType::Range)
                        .build()
                        .map_err(build_error)?,
                );
            }
            Ok(elements)
        };
        // One definition per attribute, though several indexes may key on it (an inverted
        // index keys on the table's sort key; a local index on its partition key).
        let mut names: Vec<&str> = Vec::new();
        for name in self.key_attribute_names() {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let attributes = names
            .into_iter()
            .map(string_attribute)
            .collect::<Result<Vec<_>>>()?;
        let projection = |projection: &IndexProjection| {
            let kind = match projection {
                IndexProjection::All => ProjectionType::All,
                IndexProjection::KeysOnly => ProjectionType::KeysOnly,
                IndexProjection::Include(_) => ProjectionType::Include,
            };
            let included = match projection {
                IndexProjection::Include(names) => {
                    Some(names.iter().map(|n| (*n).to_owned()).collect())
                }
                _ => None,
            };
            Projection::builder()
                .projection_type(kind)
                .set_non_key_attributes(included)
                .build()
        };
        let (mut global, mut local) = (Vec::new(), Vec::new());
        for index in &self.indexes {
            let keys = if index.partition_keys.is_empty() {
                key_schema(&index.partition_key, index.sort_key.as_deref())?
            } else {
                let element = |name: &String, kind: KeyType| {
                    KeySchemaElement::builder()
                        .attribute_name(name)
                        .key_type(kind)
                        .build()
                        .map_err(build_error)
                };
                let hash = index
                    .partition_keys
                    .iter()
                    .map(|n| element(n, KeyType::Hash));
                let range = index.sort_keys.iter().map(|n| element(n, KeyType::Range));
                hash.chain(range).collect::<Result<Vec<_>>>()?
            };
            if index.local {
                local.push(
                    LocalSecondaryIndex::builder()
                        .index_name(&index.name)
                        .set_key_schema(Some(keys))
                        .projection(projection(&index.projection))
                        .build()
                        .map_err(build_error)?,
                );
            } else {
                global.push(
                    GlobalSecondaryIndex::builder()
                        .index_name(&index.name)
                        .set_key_schema(Some(keys))
                        .projection(projection(&index.projection))
                        .build()
                        .map_err(build_error)?,
                );
            }
        }
        CreateTableInput::builder()
            .table_name(table_name)
            .set_attribute_definitions(Some(attributes))
            .set_key_schema(Some(key_schema(
                &self.partition_key,
                self.sort_key.as_deref(),
            )?))
            .set_global_secondary_indexes((!global.is_empty()).then_some(global))
            .set_local_secondary_indexes((!local.is_empty()).then_some(local))
            .billing_mode(BillingMode::PayPerRequest)
            .build()
            .map_err(build_error)
    }
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> Error {
    Error::schema(SchemaErrorKind::Definition, e.to_string())
}
