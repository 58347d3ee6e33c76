//! Key conditions: which items of one partition a query reads. Typed as the caller builds them
//! ([`SortKeyCondition`] on a templated sort key, [`KeyPart`]s of a multi-attribute key) and
//! turned into the one condition model (`Cond`) that every expression renders through.

use aws_sdk_dynamodb::types::AttributeValue;

use super::condition::{Comparator, Cond, Operand};
use super::path::Path;
use crate::error::{Error, InvalidRequestKind, Result};

/// A condition on the sort key of a query, as key strings built from the entity's template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKeyCondition {
    /// No condition: the whole partition.
    Any,
    /// Sort key equal to the value.
    Eq(String),
    /// Sort key starting with the value.
    BeginsWith(String),
    /// Sort key between the two values, both included.
    Between(String, String),
    /// Sort key below the value.
    Lt(String),
    /// Sort key at or below the value.
    Le(String),
    /// Sort key above the value.
    Gt(String),
    /// Sort key at or above the value.
    Ge(String),
}

/// The highest character: a bound made of it sorts after any real text.
const MAX_CHAR: char = '\u{10FFFF}';

/// DynamoDB's limit on a sort key (and so on a bound compared with one), in bytes.
const MAX_SORT_KEY_BYTES: usize = 1024;

fn bump_last(s: &str, up: bool) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    let last = chars.pop()?;
    let code = if up {
        u32::from(last).checked_add(1)?
    } else {
        u32::from(last).checked_sub(1)?
    };
    // Skip the surrogate gap, which holds no chars.
    let code = match code {
        0xD800..=0xDFFF if up => 0xE000,
        0xD800..=0xDFFF => 0xD7FF,
        code => code,
    };
    chars.push(char::from_u32(code)?);
    Some(chars.into_iter().collect())
}

/// The highest key starting with `text`: `text`, then the highest character up to the size
/// limit. Every key that starts with `text` sorts at or below it (short of keys made of that
/// many U+10FFFF characters), and every key that does not, and is above `text`, sorts after.
fn top_of(text: &str) -> String {
    let room = MAX_SORT_KEY_BYTES.saturating_sub(text.len()) / MAX_CHAR.len_utf8();
    let mut top = String::with_capacity(text.len() + room * MAX_CHAR.len_utf8());
    top.push_str(text);
    top.extend(std::iter::repeat_n(MAX_CHAR, room.max(1)));
    top
}

/// A range on one placeholder of a sort key template, as a condition that stays inside the
/// entity's prefix. Used by generated code.
///
/// `prefix` is the key up to the placeholder; `low` and `high` are keys up to and including the
/// placeholder's value, each with whether it is included. For a fixed-width encoding every key
/// holding a value starts with that value's text (and more key may follow); otherwise the
/// placeholder ends the template, so its text ends the key. DynamoDB allows one condition on
/// the sort key, so both ends are always bounded, by the entity's prefix where the caller gave
/// none: a neighbouring entity's key is never read.
#[doc(hidden)]
pub fn sort_key_range(
    prefix: &str,
    low: Option<(String, bool)>,
    high: Option<(String, bool)>,
    fixed_width: bool,
) -> Result<SortKeyCondition> {
    let invalid = || {
        Error::invalid(
            InvalidRequestKind::Argument,
            "cannot bound this sort key value",
        )
    };
    let low = match low {
        Some((key, true)) => Some(key),
        // Past every key holding the value: the next text of the same width, or (for a value
        // that ends the key) the smallest longer text.
        Some((key, false)) if fixed_width => Some(bump_last(&key, true).ok_or_else(invalid)?),
        Some((key, false)) => Some(format!("{key}\0")),
        // Above the bare prefix, which is not a key of this entity.
        None => (!prefix.is_empty()).then(|| format!("{prefix}\0")),
    };
    let high = match high {
        // Every key holding the value, whatever follows it.
        Some((key, true)) if fixed_width => Some(top_of(&key)),
        Some((key, true)) => Some(key),
        // Below the value: every key under the text one less in the last place.
        Some((key, false)) => Some(top_of(&bump_last(&key, false).ok_or_else(invalid)?)),
        None if prefix.is_empty() => None,
        None => Some(top_of(prefix)),
    };
    Ok(match (low, high) {
        (Some(low), Some(high)) if low > high => {
            return Err(Error::invalid(
                InvalidRequestKind::Argument,
                "the low end of the sort key range is above the high end",
            ))
        }
        (Some(low), Some(high)) => SortKeyCondition::Between(low, high),
        (Some(low), None) => SortKeyCondition::Ge(low),
        (None, Some(high)) => SortKeyCondition::Le(high),
        (None, None) => SortKeyCondition::Any,
    })
}

/// Which side of a value a one-sided range keeps.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeOp {
    /// Above the value.
    Gt,
    /// At or above the value.
    Ge,
    /// Below the value.
    Lt,
    /// At or below the value.
    Le,
}

/// How one key attribute is compared in a key condition.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyPart {
    /// `attribute = value`.
    Eq(&'static str, AttributeValue),
    /// `attribute < value` and the like.
    Compare(&'static str, RangeOp, AttributeValue),
    /// `attribute BETWEEN low AND high`.
    Between(&'static str, AttributeValue, AttributeValue),
    /// `begins_with(attribute, value)`.
    BeginsWith(&'static str, AttributeValue),
}

impl KeyPart {
    /// The attribute it compares.
    pub fn attribute(&self) -> &'static str {
        match self {
            KeyPart::Eq(a, _)
            | KeyPart::Compare(a, ..)
            | KeyPart::Between(a, ..)
            | KeyPart::BeginsWith(a, _) => a,
        }
    }

    /// The part as a condition.
    pub(crate) fn cond(&self) -> Cond {
        let path = || Path::top(self.attribute());
        match self {
            KeyPart::Eq(_, v) => Cond::compare(path(), Comparator::Eq, v.clone()),
            KeyPart::Compare(_, op, v) => Cond::compare(path(), op.comparator(), v.clone()),
            KeyPart::Between(_, low, high) => Cond::Between(
                Operand::Path(path()),
                Operand::Value(low.clone()),
                Operand::Value(high.clone()),
            ),
            KeyPart::BeginsWith(_, v) => Cond::BeginsWith(path(), Operand::Value(v.clone())),
        }
    }
}

impl RangeOp {
    /// The comparison it makes.
    pub(crate) fn comparator(self) -> Comparator {
        match self {
            RangeOp::Gt => Comparator::Gt,
            RangeOp::Ge => Comparator::Ge,
            RangeOp::Lt => Comparator::Lt,
            RangeOp::Le => Comparator::Le,
        }
    }
}

impl SortKeyCondition {
    /// The condition on the sort key attribute `name`, `None` for the whole partition.
    pub(crate) fn cond(&self, name: &str) -> Option<Cond> {
        let path = || Path::top(name.to_owned());
        let s = |v: &String| Operand::Value(AttributeValue::S(v.clone()));
        let compare = |op, v: &String| Cond::Compare(Operand::Path(path()), op, s(v));
        Some(match self {
            SortKeyCondition::Any => return None,
            SortKeyCondition::Eq(v) => compare(Comparator::Eq, v),
            SortKeyCondition::BeginsWith(v) => Cond::BeginsWith(path(), s(v)),
            SortKeyCondition::Between(low, high) => {
                Cond::Between(Operand::Path(path()), s(low), s(high))
            }
            SortKeyCondition::Lt(v) => compare(Comparator::Lt, v),
            SortKeyCondition::Le(v) => compare(Comparator::Le, v),
            SortKeyCondition::Gt(v) => compare(Comparator::Gt, v),
            SortKeyCondition::Ge(v) => compare(Comparator::Ge, v),
        })
    }
}

/// The key condition of a multi-attribute key, part by part.
pub(crate) fn parts_condition(parts: &[KeyPart]) -> Vec<Cond> {
    parts.iter().map(KeyPart::cond).collect()
}

/// The key condition of a query of one partition (`pk_name = pk`) with `sk` on the sort key
/// attribute `sk_name`.
pub(crate) fn key_condition(
    pk_name: &str,
    pk: &str,
    sk_name: &str,
    sk: &SortKeyCondition,
) -> Vec<Cond> {
    let partition = Cond::compare(
        Path::top(pk_name.to_owned()),
        Comparator::Eq,
        AttributeValue::S(pk.to_owned()),
    );
    std::iter::once(partition).chain(sk.cond(sk_name)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(
        low: Option<(&str, bool)>,
        high: Option<(&str, bool)>,
        fixed: bool,
    ) -> SortKeyCondition {
        let own = |b: Option<(&str, bool)>| b.map(|(k, inc)| (k.to_owned(), inc));
        sort_key_range("ORDER#", own(low), own(high), fixed).unwrap()
    }

    fn between(low: &str, high: &str) -> SortKeyCondition {
        SortKeyCondition::Between(low.to_owned(), high.to_owned())
    }

    /// Fixed-width values (here 4 digits) followed by more key: `ORDER#0042#...`.
    #[test]
    fn fixed_width_bounds() {
        let top = |t: &str| top_of(t);
        assert_eq!(
            range(Some(("ORDER#0042", true)), None, true),
            between("ORDER#0042", &top("ORDER#"))
        );
        assert_eq!(
            range(Some(("ORDER#0042", false)), None, true),
            between("ORDER#0043", &top("ORDER#"))
        );
        assert_eq!(
            range(None, Some(("ORDER#0042", true)), true),
            between("ORDER#\0", &top("ORDER#0042"))
        );
        assert_eq!(
            range(None, Some(("ORDER#0040", false)), true),
            between("ORDER#\0", &top("ORDER#004/"))
        );
        assert_eq!(
            top("ORDER#").len(),
            1022,
            "within DynamoDB's 1024-byte sort key"
        );
        let empty = sort_key_range(
            "ORDER#",
            Some(("ORDER#0040".into(), false)),
            Some(("ORDER#0040".into(), false)),
            true,
        );
        assert!(
            matches!(
                empty,
                Err(Error::InvalidRequest {
                    kind: InvalidRequestKind::Argument,
                    ..
                })
            ),
            "an empty range is refused before sending"
        );
    }

    /// Checks each bound against keys, as DynamoDB compares them (bytes of UTF-8).
    #[test]
    fn bounds_select_exactly_the_keys_in_range() {
        let keys = [
            "ORDER#0039#a",
            "ORDER#0040",
            "ORDER#0040#x",
            "ORDER#0041",
            "ORDER#0041#b",
            "ORDER$",
            "ORDER#",
            "PET#1",
            "NOTE#1",
        ];
        let select = |c: &SortKeyCondition| -> Vec<&str> {
            keys.iter()
                .copied()
                .filter(|k| match c {
                    SortKeyCondition::Between(lo, hi) => lo.as_str() <= *k && *k <= hi.as_str(),
                    _ => unreachable!(),
                })
                .collect()
        };
        let gt = range(Some(("ORDER#0040", false)), None, true);
        assert_eq!(select(&gt), ["ORDER#0041", "ORDER#0041#b"]);
        let lt = range(None, Some(("ORDER#0040", false)), true);
        assert_eq!(select(&lt), ["ORDER#0039#a"]);
        let le = range(None, Some(("ORDER#0040", true)), true);
        assert_eq!(select(&le), ["ORDER#0039#a", "ORDER#0040", "ORDER#0040#x"]);
        let ge = range(Some(("ORDER#0040", true)), None, true);
        assert_eq!(
            select(&ge),
            ["ORDER#0040", "ORDER#0040#x", "ORDER#0041", "ORDER#0041#b"]
        );
    }

    /// A string placeholder that ends the template: its text ends the key.
    #[test]
    fn trailing_string_ranges() {
        let keys = ["ORDER#b", "ORDER#ba", "ORDER#c", "ORDER#a\u{0}"];
        let select = |c: SortKeyCondition| -> Vec<&str> {
            let SortKeyCondition::Between(lo, hi) = c else {
                panic!()
            };
            keys.iter()
                .copied()
                .filter(|k| lo.as_str() <= *k && *k <= hi.as_str())
                .collect()
        };
        assert_eq!(
            select(range(Some(("ORDER#b", false)), None, false)),
            ["ORDER#ba", "ORDER#c"]
        );
        assert_eq!(
            select(range(None, Some(("ORDER#b", true)), false)),
            ["ORDER#b", "ORDER#a\u{0}"]
        );
        assert_eq!(
            select(range(None, Some(("ORDER#b", false)), false)),
            ["ORDER#a\u{0}"]
        );
    }
}
