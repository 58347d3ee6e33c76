//! DynamoDB Streams records, as a Lambda function receives them (`aws_lambda_events`), decoded
//! into entities or collections (feature `lambda-events`).
//!
//! ```
//! use dynamo_entity::stream::{Change, ChangeKind};
//! use dynamo_entity::Entity;
//! use aws_lambda_events::event::dynamodb::Event;
//!
//! #[derive(Debug, PartialEq, Entity)]
//! #[pk = "USER#<owner>"]
//! #[sk = "PET#<pet_id>"]
//! struct Pet { owner: String, pet_id: String, name: String }
//!
//! # fn main() -> dynamo_entity::Result<()> {
//! # let json = r#"{"Records":[{"eventID":"1","eventName":"INSERT","eventVersion":"1.1",
//! #   "eventSource":"aws:dynamodb","awsRegion":"eu-west-1",
//! #   "dynamodb":{"Keys":{"PK":{"S":"USER#alice"},"SK":{"S":"PET#rex"}},
//! #     "NewImage":{"PK":{"S":"USER#alice"},"SK":{"S":"PET#rex"},"Type":{"S":"Pet"},
//! #       "owner":{"S":"alice"},"pet_id":{"S":"rex"},"name":{"S":"Rex"}},
//! #     "SequenceNumber":"1","SizeBytes":90,"StreamViewType":"NEW_AND_OLD_IMAGES"}}]}"#;
//! let event: Event = serde_json::from_str(json).expect("a stream event");
//! for record in &event.records {
//!     // `None`: the record is about another entity type of the table.
//!     if let Some(change) = Change::<Pet>::of(record)? {
//!         assert_eq!(change.kind, ChangeKind::Insert);
//!         assert_eq!(change.new.unwrap().name, "Rex");
//!     }
//! }
//! # Ok(()) }
//! ```

use aws_lambda_events::event::dynamodb::EventRecord;

use crate::error::{Error, InvalidRequestKind, Result};
use crate::item::Item;
use crate::model::collection::{entity_type_of, Collection};
use crate::model::entity::Entity;

/// What happened to the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// `INSERT`: the item was created.
    Insert,
    /// `MODIFY`: the item was changed.
    Modify,
    /// `REMOVE`: the item was deleted (by DynamoDB when [`Change::expired`]).
    Remove,
}

/// One stream record, decoded: the item before and after, as far as the stream's view type
/// includes them (`NEW_AND_OLD_IMAGES` has both; `KEYS_ONLY` neither).
#[derive(Debug, Clone, PartialEq)]
pub struct Change<T> {
    /// What happened.
    pub kind: ChangeKind,
    /// The item before the change, if the record holds it.
    pub old: Option<T>,
    /// The item after the change, if the record holds it.
    pub new: Option<T>,
    /// The removal was DynamoDB's own, because the item's TTL had passed.
    pub expired: bool,
}

fn kind_of(record: &EventRecord) -> Result<ChangeKind> {
    match record.event_name.as_str() {
        "INSERT" => Ok(ChangeKind::Insert),
        "MODIFY" => Ok(ChangeKind::Modify),
        "REMOVE" => Ok(ChangeKind::Remove),
        other => Err(Error::invalid(
            InvalidRequestKind::Argument,
            format!(
                "stream record {}: unknown event name `{other}` (expected INSERT, MODIFY or \
                 REMOVE)",
                record.event_id
            ),
        )),
    }
}

/// The record's images as SDK items (`None` for an image the record does not hold).
fn images(record: &EventRecord) -> (Option<Item>, Option<Item>) {
    let image = |item: &serde_dynamo::Item| -> Option<Item> {
        (!item.is_empty()).then(|| item.clone().into())
    };
    (
        image(&record.change.old_image),
        image(&record.change.new_image),
    )
}

/// DynamoDB's TTL deletions are made by the service principal `dynamodb.amazonaws.com`.
fn expired(record: &EventRecord) -> bool {
    record.user_identity.as_ref().is_some_and(|identity| {
        identity.type_ == "Service" && identity.principal_id == "dynamodb.amazonaws.com"
    })
}

impl<E: Entity> Change<E> {
    /// Decodes a record about an item of entity `E`, with the errors of
    /// [`Entity::from_item`]; `None` when the record is about another entity type (or holds no
    /// image to tell, as with `KEYS_ONLY`).
    pub fn of(record: &EventRecord) -> Result<Option<Self>> {
        let kind = kind_of(record)?;
        let (old, new) = images(record);
        let attribute = E::SCHEMA.type_attribute;
        let is_mine = |item: &Option<Item>| {
            item.as_ref().is_some_and(|item| {
                attribute.is_empty() || entity_type_of(item, attribute) == Some(E::ENTITY_TYPE)
            })
        };
        if !is_mine(&old) && !is_mine(&new) {
            return Ok(None);
        }
        Ok(Some(Change {
            kind,
            old: old.map(E::from_item).transpose()?,
            new: new.map(E::from_item).transpose()?,
            expired: kind == ChangeKind::Remove && expired(record),
        }))
    }
}

impl<C: Collection> Change<C> {
    /// Decodes a record about an item of any entity of collection `C`; `None` when it is about
    /// an entity type outside it.
    pub fn of_collection(record: &EventRecord) -> Result<Option<Self>> {
        let kind = kind_of(record)?;
        let (old, new) = images(record);
        let old = match old {
            Some(item) => C::from_item(item)?,
            None => None,
        };
        let new = match new {
            Some(item) => C::from_item(item)?,
            None => None,
        };
        if old.is_none() && new.is_none() {
            return Ok(None);
        }
        Ok(Some(Change {
            kind,
            old,
            new,
            expired: kind == ChangeKind::Remove && expired(record),
        }))
    }
}
