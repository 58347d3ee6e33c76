//! Unique values (`#[dynamo(unique)]`): each value owns a guard item (seed 003's
//! CustomerEmail pattern), written, moved and deleted in the same transaction as its entity.
//! This module plans those guard operations; the transaction engine sends them.

use aws_sdk_dynamodb::types::AttributeValue;

use super::tx::{self, OnFailure, TxOp};
use super::write::outcome::occupant;
use crate::error::Result;
use crate::expr::condition::Cond;
use crate::expr::path::Path;
use crate::expr::render::Expressions;
use crate::expr::update::UpdateAction;
use crate::item::{Item, Key};
use crate::model::entity::Entity;
use crate::model::reserved::{self, GUARD_TYPE, OWNER_PK, OWNER_SK};
use crate::runtime::table::Table;

/// The key attributes of the guard for `value` of `entity.field`.
fn guard_key(table: &Table, entity: &str, field: &str, value: &str) -> Item {
    table
        .schema
        .key_item(&guard_key_of(table, entity, field, value))
}

/// The key of that guard.
pub(crate) fn guard_key_of(table: &Table, entity: &str, field: &str, value: &str) -> Key {
    reserved::guard_key(entity, field, value, table.schema.sort_key.is_some())
}

/// The TTL attribute's value of an entity that has one: its guards expire with it.
fn expiry_of<E: Entity>(entity: Option<&E>) -> Result<Option<(&'static str, AttributeValue)>> {
    let (Some(attribute), Some(entity)) = (E::SCHEMA.ttl, entity) else {
        return Ok(None);
    };
    Ok(entity.to_item()?.remove(attribute).map(|v| (attribute, v)))
}

/// The guard operations that take a stored entity's unique values (`old`) to a new entity's
/// (`new`): release the values that go, claim the values that come, and give the values that
/// stay the new entity's expiry if it changed. A guard carries its owner's TTL, so that it
/// expires with its owner; a guard whose TTL has passed is free to claim.
pub(crate) fn guard_moves<E: Entity>(
    table: &Table,
    owner: &Key,
    old: Option<&E>,
    new: Option<&E>,
) -> Result<Vec<TxOp>> {
    let old_values = old.map(E::unique_values).transpose()?.unwrap_or_default();
    let new_values = new.map(E::unique_values).transpose()?.unwrap_or_default();
    let new_expiry = expiry_of(new)?;
    let expiry_changed = new.is_some() && expiry_of(old)? != new_expiry;
    let entity = E::ENTITY_TYPE;
    let occupant = occupant::<E>(table);
    let owned_by_us = || Cond::equals(OWNER_PK, AttributeValue::S(owner.pk.clone()));
    let mut ops = Vec::new();
    for (field, value) in &old_values {
        let kept = new_values.contains(&(field, value.clone()));
        if kept && !expiry_changed {
            continue;
        }
        let mut exprs = Expressions::default();
        exprs.require(owned_by_us());
        let key = guard_key(table, entity, field, value);
        let item = if !kept {
            tx::delete(table, key, &exprs)?
        } else {
            exprs.update.push(match &new_expiry {
                Some((attribute, value)) => UpdateAction::set(*attribute, value.clone()),
                None => UpdateAction::Remove(Path::top(E::SCHEMA.ttl.unwrap_or_default())),
            });
            tx::update(table, key, &exprs)?
        };
        ops.push(TxOp {
            item,
            on_condition_failure: OnFailure::Moved,
        });
    }
    for (field, value) in new_values {
        if old_values.contains(&(field, value.clone())) {
            continue;
        }
        let mut item = guard_key(table, entity, field, &value);
        if !table.schema.type_attribute.is_empty() {
            item.insert(
                table.schema.type_attribute.clone(),
                AttributeValue::S(GUARD_TYPE.to_owned()),
            );
        }
        item.insert(OWNER_PK.to_owned(), AttributeValue::S(owner.pk.clone()));
        if let Some(sk) = &owner.sk {
            item.insert(OWNER_SK.to_owned(), AttributeValue::S(sk.clone()));
        }
        if let Some((attribute, value)) = &new_expiry {
            item.insert((*attribute).to_owned(), value.clone());
        }
        let mut exprs = Expressions::default();
        exprs.require(occupant.absent());
        ops.push(TxOp {
            item: tx::put(table, item, &exprs)?,
            on_condition_failure: OnFailure::Taken { field, value },
        });
    }
    Ok(ops)
}

/// Conditions that the stored unique attributes still hold the values read (`old`), so that a
/// concurrent change cannot slip between the read and the transaction.
pub(crate) fn require_unchanged<E: Entity>(exprs: &mut Expressions, old: Option<&Item>) {
    for attribute in E::SCHEMA.attributes.iter().filter(|a| a.unique) {
        let read = old.and_then(|item| item.get(attribute.attribute));
        exprs.require(Cond::as_read(attribute.attribute, read));
    }
}

/// Whether the entity type has unique fields.
pub(crate) fn has_unique<E: Entity>() -> bool {
    E::SCHEMA.attributes.iter().any(|a| a.unique)
}

#[cfg(test)]
mod tests {
    use super::guard_moves;
    use crate::ops::testing::*;

    #[test]
    fn a_changed_value_releases_its_guard_and_claims_the_new_one() {
        let table = table();
        let old = session();
        let new = Session {
            email: "alice@example.org".into(),
            expires: 1_700_172_800,
            ..session()
        };
        let owner = Session::primary_key("s1").unwrap();
        let moves = guard_moves(&table, &owner, Some(&old), Some(&new)).unwrap();
        let texts: Vec<Text> = moves.iter().map(|op| operation_text(&op.item)).collect();
        assert_eq!(
            texts,
            [
                Text {
                    condition: Some("#n0 = :v0".into()),
                    names: names(&[("#n0", "owner_pk")]),
                    values: values(&[(":v0", s("SESSION#s1"))]),
                    ..Text::default()
                },
                Text {
                    condition: Some("attribute_not_exists(#n0) OR #n1 <= :v0".into()),
                    names: names(&[("#n0", "PK"), ("#n1", "expires")]),
                    values: values(&[(":v0", n("1700000000"))]),
                    ..Text::default()
                }
            ]
        );
        let released = moves[0].item.delete.as_ref().unwrap();
        assert_eq!(
            released.key,
            key_item("UNIQUE#Session#email#alice@example.com", "UNIQUE")
        );
        // A value kept under a new expiry: its guard takes the new expiry.
        let renewed = Session {
            expires: 1_700_172_800,
            ..session()
        };
        let moves = guard_moves(&table, &owner, Some(&old), Some(&renewed)).unwrap();
        let texts: Vec<Text> = moves.iter().map(|op| operation_text(&op.item)).collect();
        assert_eq!(
            texts,
            [Text {
                condition: Some("#n0 = :v0".into()),
                update: Some("SET #n1 = :v1".into()),
                names: names(&[("#n0", "owner_pk"), ("#n1", "expires")]),
                values: values(&[(":v0", s("SESSION#s1")), (":v1", n("1700172800"))]),
                ..Text::default()
            }]
        );
        // Nothing changed: nothing to move.
        assert!(guard_moves(&table, &owner, Some(&old), Some(&old))
            .unwrap()
            .is_empty());
    }
}
