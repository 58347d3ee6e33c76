//! The table: a client, a name chosen at run time, and the key schema the entities need.

use aws_sdk_dynamodb::operation::create_table::CreateTableInput;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;

use crate::{Entity, Error, Index, Item, Key, Result};

/// The key attributes of a table and its GSIs, as the registered entities need them.
///
/// Built from the entities that share the table; it is plain data, so the same definition can
/// create the table in tests and be exported for infrastructure-as-code
/// ([`create_table_input`](Self::create_table_input)).
///
/// ```
/// use dynamo_entity::{Entity, TableSchema};
///
/// #[derive(Entity)]
/// #[pk = "USER#<user_id>"]
/// #[sk = "PROFILE"]
/// #[gsi1(pk = "EMAIL#<email>", sk = "USER")]
/// struct User { user_id: String, email: String }
///
/// #[derive(Entity)]
/// #[pk = "USER#<owner_id>"]
/// #[sk = "PET#<pet_id>"]
/// struct Pet { owner_id: String, pet_id: String }
///
/// let schema = TableSchema::new().entity::<User>()?.entity::<Pet>()?;
/// assert_eq!(schema.sort_key.as_deref(), Some("SK"));
/// assert_eq!(schema.indexes.len(), 1);
/// assert_eq!(schema.indexes[0].name, "GSI1");
/// # Ok::<(), dynamo_entity::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableSchema {
    /// The partition key attribute (`PK`).
    pub partition_key: String,
    /// The sort key attribute (`SK`), if the entities have sort keys.
    pub sort_key: Option<String>,
    /// The GSIs, in ascending number.
    pub indexes: Vec<GsiSchema>,
    /// The entity-type attribute (`Type`).
    pub type_attribute: String,
    /// The TTL attribute, if an entity has a `#[dynamo(ttl)]` field.
    pub ttl_attribute: Option<String>,
    /// The entity types registered, in registration order.
    pub entities: Vec<String>,
}

/// One global secondary index.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GsiSchema {
    /// The GSI's number, 1 to 20.
    pub number: u8,
    /// The index name (`GSI1`).
    pub name: String,
    /// Its partition key attribute (`GSI1PK`).
    pub partition_key: String,
    /// Its sort key attribute (`GSI1SK`), if any.
    pub sort_key: Option<String>,
}

impl Default for TableSchema {
    fn default() -> Self {
        Self::new()
    }
}

impl TableSchema {
    /// A schema with no entity yet: `PK` only.
    pub fn new() -> Self {
        TableSchema {
            partition_key: crate::PK_ATTRIBUTE.to_owned(),
            sort_key: None,
            indexes: Vec::new(),
            type_attribute: crate::TYPE_ATTRIBUTE.to_owned(),
            ttl_attribute: None,
            entities: Vec::new(),
        }
    }

    /// Adds an entity's keys. Every entity of a table must agree on whether the table and each
    /// GSI have a sort key, since DynamoDB fixes the key schema when the table is created.
    pub fn entity<E: Entity>(mut self) -> Result<Self> {
        let schema = E::SCHEMA;
        let first = self.entities.is_empty();
        for key in schema.keys {
            match key.index {
                Index::Primary => {
                    let sk = key.sk.map(|_| crate::SK_ATTRIBUTE.to_owned());
                    if !first && sk != self.sort_key {
                        return Err(conflict(
                            schema.entity_type,
                            "the table's",
                            &self.sort_key,
                            &sk,
                        ));
                    }
                    self.sort_key = sk;
                }
                Index::Gsi(n) => {
                    let index = Index::Gsi(n);
                    let sk = key.sk.map(|_| index.sk_attribute());
                    match self.indexes.iter().find(|g| g.number == n) {
                        Some(existing) if existing.sort_key != sk => {
                            let what = format!("GSI{n}'s");
                            return Err(conflict(
                                schema.entity_type,
                                &what,
                                &existing.sort_key,
                                &sk,
                            ));
                        }
                        Some(_) => {}
                        None => {
                            self.indexes.push(GsiSchema {
                                number: n,
                                name: format!("GSI{n}"),
                                partition_key: index.pk_attribute(),
                                sort_key: sk,
                            });
                            self.indexes.sort_by_key(|g| g.number);
                        }
                    }
                }
            }
        }
        if let Some(ttl) = schema.ttl {
            match &self.ttl_attribute {
                Some(existing) if existing != ttl => {
                    return Err(Error::Schema(format!(
                        "{} keeps its TTL in `{ttl}`, but the entities before it use \
                         `{existing}`; a table has one TTL attribute",
                        schema.entity_type
                    )))
                }
                _ => self.ttl_attribute = Some(ttl.to_owned()),
            }
        }
        if !self.entities.iter().any(|e| e == schema.entity_type) {
            self.entities.push(schema.entity_type.to_owned());
        }
        Ok(self)
    }

    /// The `CreateTable` request for this schema: on-demand billing, every GSI projecting all
    /// attributes.
    pub fn create_table_input(&self, table_name: &str) -> Result<CreateTableInput> {
        let string_attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
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
        let mut attributes = vec![string_attribute(&self.partition_key)?];
        if let Some(sk) = &self.sort_key {
            attributes.push(string_attribute(sk)?);
        }
        let mut indexes = Vec::new();
        for gsi in &self.indexes {
            attributes.push(string_attribute(&gsi.partition_key)?);
            if let Some(sk) = &gsi.sort_key {
                attributes.push(string_attribute(sk)?);
            }
            indexes.push(
                GlobalSecondaryIndex::builder()
                    .index_name(&gsi.name)
                    .set_key_schema(Some(key_schema(
                        &gsi.partition_key,
                        gsi.sort_key.as_deref(),
                    )?))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()
                    .map_err(build_error)?,
            );
        }
        CreateTableInput::builder()
            .table_name(table_name)
            .set_attribute_definitions(Some(attributes))
            .set_key_schema(Some(key_schema(
                &self.partition_key,
                self.sort_key.as_deref(),
            )?))
            .set_global_secondary_indexes((!indexes.is_empty()).then_some(indexes))
            .billing_mode(BillingMode::PayPerRequest)
            .build()
            .map_err(build_error)
    }

    /// The key attributes of `key` in the base table.
    pub(crate) fn key_item(&self, key: &Key) -> Item {
        use aws_sdk_dynamodb::types::AttributeValue;
        let mut item = Item::with_capacity(2);
        item.insert(
            self.partition_key.clone(),
            AttributeValue::S(key.pk.clone()),
        );
        if let (Some(name), Some(sk)) = (&self.sort_key, &key.sk) {
            item.insert(name.clone(), AttributeValue::S(sk.clone()));
        }
        item
    }
}

fn conflict(entity: &str, what: &str, table: &Option<String>, entity_sk: &Option<String>) -> Error {
    let describe = |sk: &Option<String>| match sk {
        Some(name) => format!("a sort key ({name})"),
        None => "no sort key".to_owned(),
    };
    Error::Schema(format!(
        "{entity} needs {} for {what} key, but the entities before it need {}",
        describe(entity_sk),
        describe(table)
    ))
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> Error {
    Error::Schema(e.to_string())
}

/// A DynamoDB table used by entities: the client, the table's name and its [`TableSchema`].
///
/// Cheap to clone (the SDK client is reference-counted).
#[derive(Debug, Clone)]
pub struct Table {
    pub(crate) client: Client,
    pub(crate) name: String,
    pub(crate) schema: TableSchema,
    pub(crate) meter: std::sync::Arc<crate::cost::Meter>,
}

impl Table {
    /// A handle on the table `name` (which may differ between environments) with `schema`.
    pub fn new(client: Client, name: impl Into<String>, schema: TableSchema) -> Self {
        Table {
            client,
            name: name.into(),
            schema,
            meter: crate::cost::Meter::new(),
        }
    }

    /// A handle on the same table with its own cost meter starting at zero: run one access
    /// pattern through it, then read [`cost`](Self::cost).
    ///
    /// ```no_run
    /// # use dynamo_entity::{Entity, Table};
    /// # #[derive(Entity)] #[pk = "USER#<owner_id>"] #[sk = "PET#<pet_id>"]
    /// # struct Pet { owner_id: String, pet_id: String }
    /// # async fn demo(table: &Table) -> dynamo_entity::Result<()> {
    /// let measured = table.metered();
    /// let pets = measured.query(Pet::query("alice")?).all().await?;
    /// println!("alice's pets took {}", measured.cost()); // 1 request, 0.5 RCU, 0 WCU
    /// # Ok(()) }
    /// ```
    pub fn metered(&self) -> Table {
        Table {
            meter: crate::cost::Meter::new(),
            ..self.clone()
        }
    }

    /// Requests made and capacity consumed through this handle (and its clones) so far,
    /// failed requests, every page and every retry included.
    pub fn cost(&self) -> crate::Cost {
        self.meter.total()
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The table's schema.
    pub fn schema(&self) -> &TableSchema {
        &self.schema
    }

    /// The SDK client, for anything this crate does not do.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates the table, its GSIs and its TTL setting, for development and tests. Production tables are
    /// better created by infrastructure-as-code from
    /// [`TableSchema::create_table_input`].
    pub async fn create_table(&self) -> Result<()> {
        let input = self.schema.create_table_input(&self.name)?;
        self.client
            .create_table()
            .table_name(&self.name)
            .set_attribute_definitions(input.attribute_definitions)
            .set_key_schema(input.key_schema)
            .set_global_secondary_indexes(input.global_secondary_indexes)
            .set_billing_mode(input.billing_mode)
            .send()
            .await
            .map_err(|e| crate::request_error("CreateTable", e))?;
        if let Some(attribute) = &self.schema.ttl_attribute {
            let specification = aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(attribute)
                .build()
                .map_err(build_error)?;
            self.client
                .update_time_to_live()
                .table_name(&self.name)
                .time_to_live_specification(specification)
                .send()
                .await
                .map_err(|e| crate::request_error("UpdateTimeToLive", e))?;
        }
        Ok(())
    }
}
