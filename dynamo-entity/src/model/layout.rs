//! Table layouts: the names a table gives its key attributes, its indexes and its entity-type
//! attribute, declared once per table with `#[derive(TableLayout)]`.
//!
//! Without a layout, an entity lives in the default one: `PK` and `SK`, GSIs named `GSI<n>`
//! keyed by `GSI<n>PK` and `GSI<n>SK`, the entity type in `Type`, and the table's sort key and
//! indexes following from the entities registered. A declared layout describes a table as it
//! is (or as it already exists): every entity of the table names it with
//! `#[dynamo(table = Layout)]`, and the derive checks at compile time that the entity's keys
//! fit it.
//!
//! ```
//! use dynamo_entity::{Entity, TableLayout, TableSchema};
//!
//! /// The session store of *The DynamoDB Book*: keyed by the token alone, with an index of
//! /// each user's sessions that holds keys only.
//! #[derive(TableLayout)]
//! #[dynamo(partition_key = "SessionToken")]
//! #[dynamo(gsi(UserIndex: partition_key = "Username", projection = "keys_only"))]
//! struct SessionStore;
//!
//! #[derive(Entity)]
//! #[dynamo(table = SessionStore)]
//! #[pk = "<session_token>"]
//! #[index(UserIndex: pk = "<username>")]
//! struct Session {
//!     #[dynamo(rename = "SessionToken")]
//!     session_token: String,
//!     #[dynamo(rename = "Username")]
//!     username: String,
//! }
//!
//! let schema = TableSchema::new().entity::<Session>()?;
//! assert_eq!(schema.partition_key, "SessionToken");
//! assert_eq!(schema.sort_key, None);
//! assert_eq!(schema.indexes[0].name, "UserIndex");
//! assert_eq!(Session::user_index_partition_key("alex")?, "alex");
//! # Ok::<(), dynamo_entity::Error>(())
//! ```

use std::borrow::Cow;

use super::index::Index;
use super::multikey::KeyField;

/// A table's layout, declared with `#[derive(TableLayout)]` on a unit struct.
pub trait TableLayout {
    /// The layout.
    const LAYOUT: Layout;
}

/// The default layout: `PK`/`SK`, `GSI<n>` keyed by `GSI<n>PK`/`GSI<n>SK`, and `Type`. The
/// table's sort key and indexes follow from the entities registered.
#[derive(Debug, Clone, Copy)]
pub struct DefaultLayout;

impl TableLayout for DefaultLayout {
    const LAYOUT: Layout = Layout::DEFAULT;
}

/// The key attribute names, indexes and entity-type attribute of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The layout's name (the struct's), for messages.
    pub name: &'static str,
    /// The table's partition key attribute.
    pub partition_key: &'static str,
    /// The table's sort key attribute; `None` for a table keyed by its partition key alone.
    pub sort_key: Option<&'static str>,
    /// The attribute holding each item's entity type; empty for a layout without one
    /// (`#[dynamo(no_type_attribute)]`), whose table holds one entity.
    pub type_attribute: &'static str,
    /// The secondary indexes, global and local, in declaration order.
    pub indexes: &'static [IndexLayout],
    /// Whether the sort key and indexes are as declared here (`true`), or follow from the
    /// entities registered (the default layout).
    pub declared: bool,
}

/// One secondary index of a [`Layout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexLayout {
    /// How entities and requests refer to it: [`Index::Gsi`] or [`Index::Lsi`], numbered in
    /// declaration order from 1 within its kind.
    pub index: Index,
    /// The index name, as DynamoDB knows it.
    pub name: &'static str,
    /// Its partition key attribute (the table's, for a local index).
    pub partition_key: &'static str,
    /// Its sort key attribute, if any.
    pub sort_key: Option<&'static str>,
    /// Which attributes it holds.
    pub projection: IndexProjection,
    /// For a multi-attribute key: the partition key's attributes, in order (then
    /// `partition_key` is empty and `sort_key` `None`); empty otherwise.
    pub partition_keys: &'static [&'static str],
    /// For a multi-attribute key: the sort key's attributes, in order.
    pub sort_keys: &'static [&'static str],
}

impl IndexLayout {
    /// Whether the index is keyed by several of the items' own attributes.
    pub const fn is_multi_attribute(&self) -> bool {
        !self.partition_keys.is_empty()
    }
}

/// Which attributes an index holds besides the keys (the table's and its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum IndexProjection {
    /// Every attribute: whole entities can be read from it.
    All,
    /// The keys only.
    KeysOnly,
    /// The keys and these attributes.
    Include(&'static [&'static str]),
}

impl IndexProjection {
    /// Whether the index holds `attribute`, besides key attributes.
    pub fn holds(&self, attribute: &str) -> bool {
        match self {
            IndexProjection::All => true,
            IndexProjection::KeysOnly => false,
            IndexProjection::Include(names) => names.contains(&attribute),
        }
    }

    /// `ALL`, `KEYS_ONLY` or `INCLUDE`, as DynamoDB spells it.
    pub fn name(&self) -> &'static str {
        match self {
            IndexProjection::All => "ALL",
            IndexProjection::KeysOnly => "KEYS_ONLY",
            IndexProjection::Include(_) => "INCLUDE",
        }
    }
}

/// The key attribute names of GSIs 1 to 20 in the default layout, so that naming them
/// allocates nothing.
const GSI_KEY_ATTRIBUTES: [(&str, &str, &str); 20] = [
    ("GSI1", "GSI1PK", "GSI1SK"),
    ("GSI2", "GSI2PK", "GSI2SK"),
    ("GSI3", "GSI3PK", "GSI3SK"),
    ("GSI4", "GSI4PK", "GSI4SK"),
    ("GSI5", "GSI5PK", "GSI5SK"),
    ("GSI6", "GSI6PK", "GSI6SK"),
    ("GSI7", "GSI7PK", "GSI7SK"),
    ("GSI8", "GSI8PK", "GSI8SK"),
    ("GSI9", "GSI9PK", "GSI9SK"),
    ("GSI10", "GSI10PK", "GSI10SK"),
    ("GSI11", "GSI11PK", "GSI11SK"),
    ("GSI12", "GSI12PK", "GSI12SK"),
    ("GSI13", "GSI13PK", "GSI13SK"),
    ("GSI14", "GSI14PK", "GSI14SK"),
    ("GSI15", "GSI15PK", "GSI15SK"),
    ("GSI16", "GSI16PK", "GSI16SK"),
    ("GSI17", "GSI17PK", "GSI17SK"),
    ("GSI18", "GSI18PK", "GSI18SK"),
    ("GSI19", "GSI19PK", "GSI19SK"),
    ("GSI20", "GSI20PK", "GSI20SK"),
];

/// The largest number of GSIs a table can have.
pub const MAX_GSIS: u8 = 20;
/// The largest number of LSIs a table can have.
pub const MAX_LSIS: u8 = 5;

impl Layout {
    /// The default layout ([`DefaultLayout`]).
    pub const DEFAULT: Layout = Layout {
        name: "DefaultLayout",
        partition_key: "PK",
        sort_key: Some("SK"),
        type_attribute: "Type",
        indexes: &[],
        declared: false,
    };

    /// The index of `index`, as declared (or, in the default layout, GSI `n` of 1 to 20).
    pub const fn index(&self, index: Index) -> Option<IndexLayout> {
        match index {
            Index::Primary => None,
            Index::Gsi(n) if !self.declared => {
                if n == 0 || n > MAX_GSIS {
                    return None;
                }
                let (name, pk, sk) = GSI_KEY_ATTRIBUTES[n as usize - 1];
                Some(IndexLayout {
                    index,
                    name,
                    partition_key: pk,
                    sort_key: Some(sk),
                    projection: IndexProjection::All,
                    partition_keys: &[],
                    sort_keys: &[],
                })
            }
            _ => {
                let mut i = 0;
                while i < self.indexes.len() {
                    if same_index(self.indexes[i].index, index) {
                        return Some(self.indexes[i]);
                    }
                    i += 1;
                }
                None
            }
        }
    }

    /// The index named `name`, if the layout has it (in the default layout, `GSI1` to `GSI20`).
    pub const fn index_named(&self, name: &str) -> Option<IndexLayout> {
        if !self.declared {
            let mut n = 0;
            while n < GSI_KEY_ATTRIBUTES.len() {
                if same(GSI_KEY_ATTRIBUTES[n].0, name) {
                    return self.index(Index::Gsi(n as u8 + 1));
                }
                n += 1;
            }
            return None;
        }
        let mut i = 0;
        while i < self.indexes.len() {
            if same(self.indexes[i].name, name) {
                return Some(self.indexes[i]);
            }
            i += 1;
        }
        None
    }

    /// The partition and sort key attribute names of `index` (the sort key's when the index
    /// has one), or `None` for an index the layout does not have.
    pub const fn key_attributes(
        &self,
        index: Index,
    ) -> Option<(&'static str, Option<&'static str>)> {
        match index {
            Index::Primary => Some((self.partition_key, self.sort_key)),
            _ => match self.index(index) {
                Some(found) => Some((found.partition_key, found.sort_key)),
                None => None,
            },
        }
    }

    /// The name of `index` in requests: `None` for the table itself.
    pub fn index_name(&self, index: Index) -> Option<Cow<'static, str>> {
        match index {
            Index::Primary => None,
            _ => Some(match self.index(index) {
                Some(found) => Cow::Borrowed(found.name),
                None => Cow::Owned(index.describe()),
            }),
        }
    }

    /// Whether `attribute` is a key attribute of the table or one of its indexes.
    pub fn is_key_attribute(&self, attribute: &str) -> bool {
        self.partition_key == attribute
            || self.sort_key == Some(attribute)
            || self.indexes.iter().any(|i| {
                i.partition_key == attribute
                    || i.sort_key == Some(attribute)
                    || i.partition_keys.contains(&attribute)
                    || i.sort_keys.contains(&attribute)
            })
    }
}

/// Whether two indexes are the same, in const code.
pub(crate) const fn same_index(a: Index, b: Index) -> bool {
    match (a, b) {
        (Index::Primary, Index::Primary) => true,
        (Index::Gsi(a), Index::Gsi(b)) | (Index::Lsi(a), Index::Lsi(b)) => a == b,
        _ => false,
    }
}

/// Whether `fields` are stored under `attributes`, in order, in const code.
pub(crate) const fn same_fields(attributes: &[&str], fields: &[KeyField]) -> bool {
    if attributes.len() != fields.len() {
        return false;
    }
    let mut i = 0;
    while i < attributes.len() {
        if !same(attributes[i], fields[i].attribute) {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether two strings are equal, in const code.
pub(crate) const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::check::index_named;

    const BOOK: Layout = Layout {
        name: "Book",
        partition_key: "PK",
        sort_key: Some("SK"),
        type_attribute: "Type",
        indexes: &[
            IndexLayout {
                index: Index::Gsi(1),
                name: "GSI1",
                partition_key: "GSI1PK",
                sort_key: Some("GSI1SK"),
                projection: IndexProjection::All,
                partition_keys: &[],
                sort_keys: &[],
            },
            IndexLayout {
                index: Index::Gsi(2),
                name: "UserIndex",
                partition_key: "UserIndex",
                sort_key: None,
                projection: IndexProjection::KeysOnly,
                partition_keys: &[],
                sort_keys: &[],
            },
            IndexLayout {
                index: Index::Lsi(1),
                name: "ByDate",
                partition_key: "PK",
                sort_key: Some("LSI1SK"),
                projection: IndexProjection::Include(&["Title"]),
                partition_keys: &[],
                sort_keys: &[],
            },
        ],
        declared: true,
    };

    #[test]
    fn finds_indexes_by_name_and_number() {
        assert_eq!(index_named(&BOOK, "UserIndex"), Index::Gsi(2));
        assert_eq!(index_named(&BOOK, "ByDate"), Index::Lsi(1));
        assert_eq!(BOOK.index_named("GSI3"), None);
        assert_eq!(
            BOOK.key_attributes(Index::Gsi(2)),
            Some(("UserIndex", None))
        );
        assert_eq!(BOOK.key_attributes(Index::Gsi(3)), None);
        assert_eq!(BOOK.index_name(Index::Lsi(1)).as_deref(), Some("ByDate"));
        assert!(BOOK.is_key_attribute("LSI1SK"));
        assert!(!BOOK.is_key_attribute("Title"));
    }

    #[test]
    fn the_default_layout_has_twenty_numbered_gsis() {
        let default = Layout::DEFAULT;
        assert_eq!(
            default.index_named("GSI7").map(|i| i.index),
            Some(Index::Gsi(7))
        );
        assert_eq!(default.index_named("GSI21"), None);
        assert_eq!(default.index_named("UserIndex"), None);
        for n in 1..=MAX_GSIS {
            let (pk, sk) = default.key_attributes(Index::Gsi(n)).unwrap();
            assert_eq!(
                (pk, sk),
                (&*format!("GSI{n}PK"), Some(&*format!("GSI{n}SK")))
            );
        }
        assert_eq!(default.key_attributes(Index::Gsi(21)), None);
        assert_eq!(default.key_attributes(Index::Lsi(1)), None);
    }

    #[test]
    fn holds_what_the_projection_says() {
        assert!(IndexProjection::All.holds("x"));
        assert!(!IndexProjection::KeysOnly.holds("x"));
        assert!(IndexProjection::Include(&["x"]).holds("x"));
        assert!(!IndexProjection::Include(&["x"]).holds("y"));
    }
}
