//! Which index of the table a key or a request is about.

use super::layout::Layout;

/// An index of the table: the base table's primary key, or a secondary index.
///
/// Secondary indexes are numbered from 1 in their table layout's declaration order, global and
/// local apart. In the default layout, GSI `n` is named `GSI<n>` and keyed by `GSI<n>PK` and
/// `GSI<n>SK`; a declared layout ([`TableLayout`](crate::TableLayout)) gives its own names, and
/// entities refer to its indexes by name (`#[index(UserIndex: pk = "..")]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Index {
    /// The table's own primary key.
    Primary,
    /// Global secondary index number `n`, 1 to 20.
    Gsi(u8),
    /// Local secondary index number `n`, 1 to 5: the table's partition key, another sort key.
    Lsi(u8),
}

impl Index {
    /// The attribute holding this index's partition key in the default layout: `PK` or
    /// `GSInPK`. A declared layout's names are [`Layout::key_attributes`](crate::Layout::key_attributes).
    pub fn pk_attribute(self) -> String {
        self.default_attributes().0
    }

    /// The attribute holding this index's sort key in the default layout: `SK` or `GSInSK`.
    pub fn sk_attribute(self) -> String {
        self.default_attributes().1
    }

    fn default_attributes(self) -> (String, String) {
        match Layout::DEFAULT.key_attributes(self) {
            Some((pk, sk)) => (pk.to_owned(), sk.unwrap_or_default().to_owned()),
            None => match self {
                Index::Gsi(n) => (format!("GSI{n}PK"), format!("GSI{n}SK")),
                _ => (String::new(), String::new()),
            },
        }
    }

    /// The index name used in requests in the default layout (`GSIn`), or `None` for the base
    /// table. A declared layout's names are [`Layout::index_name`](crate::Layout::index_name).
    pub fn index_name(self) -> Option<String> {
        match self {
            Index::Primary => None,
            other => Some(other.describe()),
        }
    }

    /// `table`, `GSI<n>` or `LSI<n>`, for messages where no layout is at hand.
    pub fn describe(self) -> String {
        match self {
            Index::Primary => "table".to_owned(),
            Index::Gsi(n) => format!("GSI{n}"),
            Index::Lsi(n) => format!("LSI{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_attribute_names() {
        assert_eq!(Index::Primary.pk_attribute(), "PK");
        assert_eq!(Index::Gsi(3).sk_attribute(), "GSI3SK");
        assert_eq!(Index::Gsi(3).index_name().as_deref(), Some("GSI3"));
        for n in 0..=u8::MAX {
            assert_eq!(Index::Gsi(n).pk_attribute(), format!("GSI{n}PK"));
            assert_eq!(Index::Gsi(n).sk_attribute(), format!("GSI{n}SK"));
        }
    }
}
