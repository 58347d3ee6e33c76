//! Writes: create, put, replace and delete, each conditioned as its name promises.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use aws_sdk_dynamodb::types::ReturnValue;

use crate::{Entity, Error, Key, Result, Table};

/// How a put is conditioned.
#[derive(Clone, Copy)]
enum PutMode {
    /// No condition: insert or overwrite.
    Upsert,
    /// The key must be free.
    Create,
    /// The key must hold an item.
    Replace,
}

impl Table {
    /// Writes `entity` only if no item has its key; otherwise fails with
    /// [`Error::AlreadyExists`] and writes nothing. Returns the entity as stored.
    pub async fn create<E: Entity>(&self, entity: &E) -> Result<E> {
        self.put_entity(entity, PutMode::Create).await
    }

    /// Writes `entity`, replacing any item with its key. Returns the entity as stored.
    pub async fn put<E: Entity>(&self, entity: &E) -> Result<E> {
        self.put_entity(entity, PutMode::Upsert).await
    }

    /// Writes `entity` only if an item with its key exists; otherwise fails with
    /// [`Error::NotFound`] and writes nothing. Returns the entity as stored.
    pub async fn replace<E: Entity>(&self, entity: &E) -> Result<E> {
        self.put_entity(entity, PutMode::Replace).await
    }

    /// Deletes the item with `key`. By default deleting a missing item succeeds; see
    /// [`Delete::must_exist`] and [`Delete::return_old`].
    pub fn delete<E: Entity>(&self, key: Key) -> Delete<'_, E> {
        Delete {
            table: self,
            key,
            must_exist: false,
            return_old: false,
            entity: PhantomData,
        }
    }

    async fn put_entity<E: Entity>(&self, entity: &E, mode: PutMode) -> Result<E> {
        let key = entity.key()?;
        let item = entity.to_item()?;
        // Decoding what is about to be written both returns the stored entity and proves the
        // item reads back, before anything is sent.
        let stored = E::from_item(item.clone())?;
        let request = self
            .client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(item));
        let request = match mode {
            PutMode::Upsert => request,
            PutMode::Create => request
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", &self.schema.partition_key),
            PutMode::Replace => request
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", &self.schema.partition_key),
        };
        match request.send().await {
            Ok(_) => Ok(stored),
            Err(e) if is_condition_failure(&e) => {
                let entity = E::ENTITY_TYPE;
                Err(match mode {
                    PutMode::Create => Error::AlreadyExists { entity, key },
                    PutMode::Replace => Error::NotFound { entity, key },
                    PutMode::Upsert => Error::ConditionFailed { entity, key },
                })
            }
            Err(e) => Err(crate::request_error("PutItem", e)),
        }
    }
}

/// True when DynamoDB refused a write because its condition did not hold.
fn is_condition_failure<E, R>(error: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    error
        .as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

/// A delete request; await it (or call [`send`](Self::send)).
#[must_use = "a delete does nothing until awaited"]
pub struct Delete<'t, E> {
    table: &'t Table,
    key: Key,
    must_exist: bool,
    return_old: bool,
    entity: PhantomData<fn() -> E>,
}

impl<E: Entity> Delete<'_, E> {
    /// Fail with [`Error::NotFound`] if there is no item to delete.
    pub fn must_exist(mut self) -> Self {
        self.must_exist = true;
        self
    }

    /// Return the deleted entity (`None` if there was none).
    pub fn return_old(mut self) -> Self {
        self.return_old = true;
        self
    }

    /// Sends the request. The result holds the deleted entity when
    /// [`return_old`](Self::return_old) was asked for and an item was deleted.
    pub async fn send(self) -> Result<Option<E>> {
        let table = self.table;
        let mut request = table
            .client
            .delete_item()
            .table_name(&table.name)
            .set_key(Some(table.schema.key_item(&self.key)));
        if self.must_exist {
            request = request
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", &table.schema.partition_key);
        }
        if self.return_old {
            request = request.return_values(ReturnValue::AllOld);
        }
        match request.send().await {
            Ok(output) => match output.attributes {
                Some(old) if self.return_old && !old.is_empty() => E::from_item(old).map(Some),
                _ => Ok(None),
            },
            Err(e) if is_condition_failure(&e) => Err(Error::NotFound {
                entity: E::ENTITY_TYPE,
                key: self.key,
            }),
            Err(e) => Err(crate::request_error("DeleteItem", e)),
        }
    }
}

impl<'t, E: Entity + Send + 't> IntoFuture for Delete<'t, E> {
    type Output = Result<Option<E>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 't>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
