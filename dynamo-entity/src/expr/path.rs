//! Document paths: an attribute, then map keys and list indexes into it.

use std::borrow::Cow;
use std::fmt;

/// An attribute name in a path: the schema's own names are borrowed, names given at run time
/// (map keys) owned.
pub(crate) type Name = Cow<'static, str>;

/// A document path: an attribute, then map keys and list indexes into it
/// (`addresses.home.zip`, `scores[2]`). Every name goes through an expression attribute name
/// when rendered, so any key text is safe.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Path {
    pub attribute: Name,
    pub elements: Vec<Element>,
}

/// A step into a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Element {
    /// A map key (or a struct member stored as a map).
    Key(String),
    /// A list index.
    Index(usize),
}

impl Path {
    /// A top-level attribute.
    pub fn top(attribute: impl Into<Name>) -> Self {
        Path {
            attribute: attribute.into(),
            elements: Vec::new(),
        }
    }

    /// The path one map key deeper.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.elements.push(Element::Key(key.into()));
        self
    }

    /// The path into one list element.
    pub fn index(mut self, index: usize) -> Self {
        self.elements.push(Element::Index(index));
        self
    }

    /// Whether one path is the other or inside it: DynamoDB refuses an update that changes
    /// both.
    pub fn overlaps(&self, other: &Path) -> bool {
        self.attribute == other.attribute
            && self
                .elements
                .iter()
                .zip(&other.elements)
                .all(|(a, b)| a == b)
    }

    /// Whether it is a top-level attribute.
    pub fn is_top(&self) -> bool {
        self.elements.is_empty()
    }
}

impl From<&'static str> for Path {
    fn from(attribute: &'static str) -> Self {
        Path::top(attribute)
    }
}

/// `addresses."home"."zip"`, `scores[2]`: map keys quoted, as they may hold any text.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.attribute)?;
        for element in &self.elements {
            match element {
                Element::Key(key) => write!(f, ".{key:?}")?,
                Element::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_overlap_when_one_is_inside_the_other() {
        let home = Path::top("addresses").key("home");
        assert!(home.overlaps(&Path::top("addresses")));
        assert!(Path::top("addresses").overlaps(&home));
        assert!(home.overlaps(&home.clone().key("zip")));
        assert!(!home.overlaps(&Path::top("addresses").key("work")));
        assert!(!home.overlaps(&Path::top("address")));
        assert!(Path::top("scores").index(2).overlaps(&Path::top("scores")));
        assert!(!Path::top("scores")
            .index(2)
            .overlaps(&Path::top("scores").index(3)));
    }

    #[test]
    fn shows_keys_quoted_and_indexes_in_brackets() {
        let path = Path::top("addresses").key("home.work").key("zip");
        assert_eq!(path.to_string(), r#"addresses."home.work"."zip""#);
        assert_eq!(Path::top("scores").index(2).to_string(), "scores[2]");
    }
}
