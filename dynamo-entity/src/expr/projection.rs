//! Projections: the attributes a partial read asks for.

use super::path::Path;
use crate::model::index::Index;
use crate::model::schema::TableSchema;

/// The attributes a read of `attributes` from `index` asks for: those, the table's and the
/// index's key attributes (an index without the entity-type attribute tells entities apart by
/// their keys there), and the ones the read's own checks need where the index holds them (the
/// entity-type attribute, `ttl`). Each once, in that order.
pub(crate) fn projection(
    schema: &TableSchema,
    index: Index,
    attributes: &[&str],
    ttl: Option<&str>,
) -> Vec<Path> {
    let mut wanted: Vec<&str> = Vec::with_capacity(attributes.len() + 6);
    let checked = [Some(schema.type_attribute.as_str()), ttl]
        .into_iter()
        .flatten()
        .filter(|name| !name.is_empty() && schema.holds(index, name));
    let (index_pk, index_sk) = schema.key_attributes(index).unwrap_or_default();
    let keys = [
        Some(schema.partition_key.as_str()),
        schema.sort_key.as_deref(),
        Some(index_pk).filter(|_| index != Index::Primary),
        index_sk.filter(|_| index != Index::Primary),
    ];
    for name in attributes
        .iter()
        .copied()
        .chain(keys.into_iter().flatten())
        .chain(checked)
    {
        if !wanted.contains(&name) {
            wanted.push(name);
        }
    }
    wanted
        .into_iter()
        .map(|name| Path::top(name.to_owned()))
        .collect()
}
