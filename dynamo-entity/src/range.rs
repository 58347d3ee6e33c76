//! Sort key conditions, and the exact bounds of a range on one placeholder of a template.

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
pub fn __sort_key_range(
    prefix: &str,
    low: Option<(String, bool)>,
    high: Option<(String, bool)>,
    fixed_width: bool,
) -> crate::Result<SortKeyCondition> {
    let invalid = || crate::Error::InvalidRequest("cannot bound this sort key value".to_owned());
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
            return Err(crate::Error::InvalidRequest(
                "the low end of the sort key range is above the high end".to_owned(),
            ))
        }
        (Some(low), Some(high)) => SortKeyCondition::Between(low, high),
        (Some(low), None) => SortKeyCondition::Ge(low),
        (None, Some(high)) => SortKeyCondition::Le(high),
        (None, None) => SortKeyCondition::Any,
    })
}

/// One placeholder of a sort key template, as generated code describes it to
/// [`SortKeyStage`]: everything needed to append its value to the key and to bound a range on it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct SortKeyStep {
    /// The entity type, for errors.
    pub entity: &'static str,
    /// The placeholder (field) name, for errors.
    pub placeholder: &'static str,
    /// The whole sort key template, for errors.
    pub template: &'static str,
    /// The literal text that follows the placeholder in the template.
    pub after: &'static str,
    /// Whether the placeholder is the template's last: equality on it fixes the whole key.
    pub complete: bool,
    /// Whether the value's encoding has a fixed width (integers, timestamps, UUIDs), so that a
    /// range on it has exact bounds even when text follows it.
    pub fixed_width: bool,
    /// The placeholder's format, if the template gives one.
    pub format: Option<crate::KeyFormat>,
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

/// The state behind a generated typestate query (`PetQuery<STAGE>`): the query, the sort key
/// fixed so far, and whether it is the whole key. The generated methods are one-line calls to
/// these, so that each entity adds names and types, not code.
#[doc(hidden)]
pub struct SortKeyStage<E> {
    query: crate::Query<E>,
    prefix: String,
    complete: bool,
    /// The length of the template's leading literal: a longer prefix has values fixed.
    start: usize,
}

// By hand: derives would require `E: Clone` / `E: Debug`.
impl<E> Clone for SortKeyStage<E> {
    fn clone(&self) -> Self {
        SortKeyStage {
            query: self.query.clone(),
            prefix: self.prefix.clone(),
            complete: self.complete,
            start: self.start,
        }
    }
}

impl<E: crate::Entity> std::fmt::Debug for SortKeyStage<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SortKeyStage")
            .field("query", &self.query)
            .field("prefix", &self.prefix)
            .field("complete", &self.complete)
            .finish()
    }
}

impl<E: crate::Entity> SortKeyStage<E> {
    /// The first stage: nothing fixed but the template's leading literal.
    pub fn __start(query: crate::Query<E>, prefix: &'static str) -> Self {
        SortKeyStage {
            query,
            prefix: prefix.to_owned(),
            complete: false,
            start: prefix.len(),
        }
    }

    /// The key so far with `value` appended, as `step`'s placeholder.
    fn key_with<T, A>(&self, value: &A, step: &SortKeyStep) -> crate::Result<String>
    where
        T: ?Sized,
        A: crate::KeyArg<T> + ?Sized,
    {
        let mut key =
            String::with_capacity(self.prefix.len() + value.key_len_hint() + step.after.len());
        key.push_str(&self.prefix);
        let piece = crate::__private::KeyPiece::Arg(
            step.placeholder,
            &crate::__private::key_arg::<T, A>(value),
        );
        let pieces = match step.format {
            Some(format) => [crate::__private::KeyPiece::Formatted(format, &piece)],
            None => [piece],
        };
        key.push_str(&crate::__private::build_key(
            step.entity,
            step.template,
            &pieces,
        )?);
        Ok(key)
    }

    /// The next stage: equality on `step`'s placeholder.
    pub fn __eq<T, A>(self, value: &A, step: &SortKeyStep) -> crate::Result<Self>
    where
        T: ?Sized,
        A: crate::KeyArg<T> + ?Sized,
    {
        let mut prefix = self.key_with(value, step)?;
        prefix.push_str(step.after);
        Ok(SortKeyStage {
            query: self.query,
            prefix,
            complete: step.complete,
            start: self.start,
        })
    }

    /// A finished query: `step`'s placeholder on one side of `value`.
    pub fn __bound<T, A>(
        self,
        op: RangeOp,
        value: &A,
        step: &SortKeyStep,
    ) -> crate::Result<crate::Query<E>>
    where
        T: ?Sized,
        A: crate::KeyArg<T> + ?Sized,
    {
        let key = self.key_with(value, step)?;
        let (low, high) = match op {
            RangeOp::Gt => (Some((key, false)), None),
            RangeOp::Ge => (Some((key, true)), None),
            RangeOp::Lt => (None, Some((key, false))),
            RangeOp::Le => (None, Some((key, true))),
        };
        self.ranged(low, high, step)
    }

    /// A finished query: `step`'s placeholder between `low` and `high`, both included.
    pub fn __between<T, A, B>(
        self,
        low: &A,
        high: &B,
        step: &SortKeyStep,
    ) -> crate::Result<crate::Query<E>>
    where
        T: ?Sized,
        A: crate::KeyArg<T> + ?Sized,
        B: crate::KeyArg<T> + ?Sized,
    {
        let low = self.key_with(low, step)?;
        let high = self.key_with(high, step)?;
        self.ranged(Some((low, true)), Some((high, true)), step)
    }

    /// The query finished with a range between the bounds given (see [`__sort_key_range`]).
    fn ranged(
        self,
        low: Option<(String, bool)>,
        high: Option<(String, bool)>,
        step: &SortKeyStep,
    ) -> crate::Result<crate::Query<E>> {
        let range = __sort_key_range(&self.prefix, low, high, step.fixed_width)?;
        Ok(self.query.__with_sort_key(range))
    }

    /// The query as it stands: equality on a whole key, `begins_with` on a partial one.
    pub fn __finish(self) -> crate::Query<E> {
        // Nothing fixed beyond the template's leading literal: the entity's default selection,
        // which a collection query does not keep.
        let asked = self.complete || self.prefix.len() > self.start;
        let condition = if self.complete {
            SortKeyCondition::Eq(self.prefix)
        } else if self.prefix.is_empty() {
            SortKeyCondition::Any
        } else {
            SortKeyCondition::BeginsWith(self.prefix)
        };
        match asked {
            true => self.query.__with_sort_key(condition),
            false => self.query.with_default_sort_key(condition),
        }
    }
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
        __sort_key_range("ORDER#", own(low), own(high), fixed).unwrap()
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
        let empty = __sort_key_range(
            "ORDER#",
            Some(("ORDER#0040".into(), false)),
            Some(("ORDER#0040".into(), false)),
            true,
        );
        assert!(
            matches!(empty, Err(crate::Error::InvalidRequest(_))),
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
