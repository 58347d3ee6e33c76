//! The checks that generated code runs at compile time (`const` evaluation), where another
//! derive's output (a table layout, an entity's schema) is known: a failed check stops the build
//! with its message.

use super::entity::{AttributeSchema, KeySchema};
use super::index::Index;
use super::layout::{same, same_fields, same_index, Layout};
use super::multikey::MultiKeySchema;
use super::template::Segment;

/// Checks an entity's multi-attribute key against the layout, at compile time: the index
/// is a multi-attribute one, and the entity's fields are stored under its attributes, in
/// order.
#[doc(hidden)]
pub const fn check_multi_key(layout: &Layout, key: &MultiKeySchema) {
    let found = match layout.index(key.index) {
        Some(found) => found,
        None => {
            panic!("the entity has a key in an index that its table layout does not declare")
        }
    };
    if !found.is_multi_attribute() {
        panic!(
            "the entity lists fields for an index that its layout keys by a single \
             attribute; write a template (pk = \"..\"), or declare the index with \
             partition_key = [..]"
        );
    }
    if !same_fields(found.partition_keys, key.partition) || !same_fields(found.sort_keys, key.sort)
    {
        panic!(
            "the fields of the entity's multi-attribute key are not stored under the \
             index's attributes, in the layout's order; rename them to match"
        );
    }
}

/// Resolves an index named in an entity's `#[index(Name: ..)]`, at compile time: a layout
/// without it stops the build here.
#[doc(hidden)]
pub const fn index_named(layout: &Layout, name: &str) -> Index {
    match layout.index_named(name) {
        Some(found) => found.index,
        None => panic!(
            "the entity's #[index(..)] names an index that its table layout does not declare; \
             declare it on the layout with #[dynamo(gsi(Name: partition_key = \"..\"))] \
             or #[dynamo(lsi(..))]"
        ),
    }
}

/// The partition and sort key attribute names of `index` (the sort key's empty when it has
/// none), at compile time.
#[doc(hidden)]
pub const fn key_names(layout: &Layout, index: Index) -> (&'static str, &'static str) {
    match layout.key_attributes(index) {
        Some((pk, Some(sk))) => (pk, sk),
        Some((pk, None)) => (pk, ""),
        None => panic!("the entity has a key in an index that its table layout does not declare"),
    }
}

/// Checks an entity's key in one index against its layout, at compile time: the index exists,
/// and the entity has a sort key template exactly when the index has a sort key; a local
/// index's partition key template is the table's.
#[doc(hidden)]
pub const fn check_entity_key(
    layout: &Layout,
    index: Index,
    has_pk: bool,
    has_sk: bool,
    pk_is_primary: bool,
) {
    let (found, index_sk) = match index {
        Index::Primary => (true, layout.sort_key.is_some()),
        _ => match layout.index(index) {
            Some(found) => (true, found.sort_key.is_some()),
            None => (false, false),
        },
    };
    if !found {
        panic!(
            "the entity has a key in an index that its table layout does not declare; declare \
             the index on the layout"
        );
    }
    if !layout.declared {
        return;
    }
    if has_sk && !index_sk {
        panic!(
            "the entity has a sort key template for an index (or table) that its layout \
             declares without a sort key; remove the sk template, or declare a sort_key"
        );
    }
    if !has_sk && index_sk {
        panic!(
            "the entity has no sort key template for an index (or table) that its layout \
             declares with a sort key; add an sk template"
        );
    }
    match index {
        Index::Lsi(_) if has_pk && !pk_is_primary => panic!(
            "a local secondary index shares the table's partition key: leave out its pk \
             template (or make it the table's)"
        ),
        Index::Gsi(_) if !has_pk => {
            panic!("a global secondary index needs a partition key template: add pk = \"..\"")
        }
        _ => {}
    }
}

/// Checks that no attribute of an entity takes the name of its layout's entity-type attribute,
/// or of a key attribute that its key templates do not fill with exactly that field's value.
/// `bare` lists, per key attribute the entity fills with a template that is one placeholder,
/// the attribute and that placeholder's field.
#[doc(hidden)]
pub const fn check_entity_attributes(
    layout: &Layout,
    attributes: &[AttributeSchema],
    bare: &[(&str, &str)],
) {
    let mut i = 0;
    while i < attributes.len() {
        let attribute = attributes[i].attribute;
        if !layout.type_attribute.is_empty() && same(attribute, layout.type_attribute) {
            panic!(
                "an attribute of the entity has the name of its table layout's entity-type \
                 attribute; rename the field with #[dynamo(rename = \"..\")]"
            );
        }
        if is_layout_key(layout, attribute) {
            let mut filled = false;
            let mut j = 0;
            while j < bare.len() {
                if same(bare[j].0, attribute) && same(bare[j].1, attributes[i].field) {
                    filled = true;
                }
                j += 1;
            }
            if !filled {
                panic!(
                    "an attribute of the entity has the name of a key attribute of its table \
                     layout, but the key template there is not exactly that field's \
                     placeholder; write the template as \"<field>\", or rename the field"
                );
            }
        }
        i += 1;
    }
}

const fn is_layout_key(layout: &Layout, attribute: &str) -> bool {
    if !layout.declared {
        return false;
    }
    if same(layout.partition_key, attribute) {
        return true;
    }
    if let Some(sk) = layout.sort_key {
        if same(sk, attribute) {
            return true;
        }
    }
    let mut i = 0;
    while i < layout.indexes.len() {
        let index = &layout.indexes[i];
        if same(index.partition_key, attribute) {
            return true;
        }
        if let Some(sk) = index.sort_key {
            if same(sk, attribute) {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// Whether two texts are equal, in const code: for the derive's checks of entity types.
#[doc(hidden)]
pub const fn same_text(a: &str, b: &str) -> bool {
    same(a, b)
}

/// Whether `attribute` is the entity's TTL attribute `ttl`, in const code.
#[doc(hidden)]
pub const fn is_ttl(ttl: Option<&str>, attribute: &str) -> bool {
    match ttl {
        Some(ttl) => same(ttl, attribute),
        None => false,
    }
}

/// Whether `attributes` has the field `field` stored as `attribute`. Const, so that
/// `#[derive(Projection)]` checks its fields at compile time.
#[doc(hidden)]
pub const fn has_attribute(attributes: &[AttributeSchema], field: &str, attribute: &str) -> bool {
    let mut i = 0;
    while i < attributes.len() {
        if same(attributes[i].field, field) && same(attributes[i].attribute, attribute) {
            return true;
        }
        i += 1;
    }
    false
}

/// The partition key template of `keys` in `index`, as segments; empty when the entity has no
/// key there. Const, for the derive's compile-time checks.
#[doc(hidden)]
pub const fn partition_template(keys: &'static [KeySchema], index: Index) -> &'static [Segment] {
    let mut i = 0;
    while i < keys.len() {
        if same_index(keys[i].index, index) {
            return keys[i].pk.segments;
        }
        i += 1;
    }
    &[]
}

/// Whether two key templates have the same shape: equal literal text, placeholders in the same
/// places (their names may differ: `USER#<username>` and `USER#<owner>` do). Const, so the
/// derive can check a collection at compile time.
#[doc(hidden)]
pub const fn same_key_shape(a: &[Segment], b: &[Segment]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        match (&a[i], &b[i]) {
            (Segment::Literal(x), Segment::Literal(y)) if same(x, y) => {}
            (Segment::Field(..), Segment::Field(..)) => {}
            _ => return false,
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::same_key_shape;
    use crate::model::template::tests::parse;

    fn shape(a: &'static str, b: &'static str) -> bool {
        same_key_shape(parse(a).segments, parse(b).segments)
    }

    #[test]
    fn shapes_compare_literals_and_placeholder_positions() {
        assert!(shape("USER#<username>", "USER#<owner_id>"));
        assert!(shape("A#<x>#B#<y>", "A#<p>#B#<q>"));
        assert!(!shape("USER#<id>", "ACCOUNT#<id>"));
        assert!(!shape("USER#<id>", "USER#<id>#X"));
        assert!(!shape("USER#<id>", "USER#X"));
        assert!(!shape("A#<x>#<y>", "A#<x>"));
        assert!(shape("CONFIG", "CONFIG"));
    }
}
