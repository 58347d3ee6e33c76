//! The key space the framework keeps for itself: the guard items of unique values
//! (`#[dynamo(unique)]`), one per value, under `UNIQUE#<entity>#<field>#<value>`. The table
//! schema refuses entities whose keys can fall in it, and the design review shows it.

use super::template::{Segment, Template};
use crate::item::Key;

/// The entity-type attribute's value on guard items.
pub(crate) const GUARD_TYPE: &str = "UniqueValue";
/// The attributes of a guard item naming its owner's key.
pub(crate) const OWNER_PK: &str = "owner_pk";
pub(crate) const OWNER_SK: &str = "owner_sk";

/// The partition key template of guard items.
pub(crate) const GUARD_PK: Template = Template::new(
    "UNIQUE#<entity>#<field>#<value>",
    &[
        Segment::Literal("UNIQUE#"),
        Segment::Field("entity", None),
        Segment::Literal("#"),
        Segment::Field("field", None),
        Segment::Literal("#"),
        Segment::Field("value", None),
    ],
);
/// The sort key of guard items, in a table with a sort key.
pub(crate) const GUARD_SK: Template = Template::new("UNIQUE", &[Segment::Literal("UNIQUE")]);

/// The key of the guard for `value` of `entity.field`, in a table with a sort key or not.
/// `value` is key text (never holds `#`), so guards of different fields or entities never
/// collide.
pub(crate) fn guard_key(entity: &str, field: &str, value: &str, sorted: bool) -> Key {
    Key {
        pk: format!("UNIQUE#{entity}#{field}#{value}"),
        sk: sorted.then(|| GUARD_SK.text.to_owned()),
    }
}
