//! Key templates as data: literal text and placeholders, as the derive parsed them. Every reader
//! of a template (the key spaces, the placeholders' values in a stored key, the keys an update
//! derives, the design review's partitions) walks these segments; none scans template text.

use std::fmt;

use crate::codec::format::KeyFormat;

/// A key template (`USER#<owner_id>#PET#<pet_id:7>`): its text, and its segments in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Template {
    /// The template as written.
    pub text: &'static str,
    /// Its literal text and placeholders, in order. Two placeholders are always separated by
    /// a literal holding the delimiter `#` (the derive refuses anything else).
    pub segments: &'static [Segment],
    /// The length of its literal text, so that a key is allocated at its size without a walk.
    literals: usize,
}

/// One piece of a [`Template`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Segment {
    /// Literal text.
    Literal(&'static str),
    /// A placeholder: a field's value, in the format the template gives, if any.
    Field(&'static str, Option<KeyFormat>),
}

/// `USER#<owner_id>`: the template as written.
impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.text)
    }
}

impl PartialEq<str> for Template {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Template {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl Template {
    /// A template of its text and segments (generated code writes both).
    pub const fn new(text: &'static str, segments: &'static [Segment]) -> Self {
        let mut literals = 0;
        let mut i = 0;
        while i < segments.len() {
            if let Segment::Literal(text) = segments[i] {
                literals += text.len();
            }
            i += 1;
        }
        Template {
            text,
            segments,
            literals,
        }
    }

    /// The length of its literal text.
    pub(crate) fn literal_len(&self) -> usize {
        self.literals
    }

    /// The fields of its placeholders, in order (a name can repeat).
    pub fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.placeholders().map(|(field, _)| field)
    }

    /// Its placeholders, with their formats, in order.
    pub fn placeholders(&self) -> impl Iterator<Item = (&'static str, Option<KeyFormat>)> + '_ {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Field(field, format) => Some((*field, *format)),
            Segment::Literal(_) => None,
        })
    }

    /// The literal text before the first placeholder (`PET#` for `PET#<pet_id>`); the whole
    /// template if it has no placeholder.
    pub fn prefix(&self) -> &'static str {
        match self.segments.first() {
            Some(Segment::Literal(text)) => text,
            _ => "",
        }
    }

    /// Whether it has no placeholder: one key only.
    pub fn is_literal(&self) -> bool {
        self.placeholders().next().is_none()
    }

    /// The template with each placeholder written by `value` (and the literal text as it is),
    /// or the first error `value` gives.
    pub(crate) fn fill<E>(
        &self,
        mut value: impl FnMut(&'static str, Option<KeyFormat>) -> Result<String, E>,
    ) -> Result<String, E> {
        let mut out = String::with_capacity(self.text.len() + 16);
        for segment in self.segments {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Field(field, format) => out.push_str(&value(field, *format)?),
            }
        }
        Ok(out)
    }

    /// The placeholder values of `key`, read against the template: `(field, format, text)` in
    /// order, or `None` when the template cannot produce the key. Unambiguous because a
    /// placeholder never holds `#` and two placeholders are always separated by a literal
    /// holding one: each `#`-separated part of the key holds one placeholder at most.
    pub fn captures<'k>(
        &self,
        key: &'k str,
    ) -> Option<Vec<(&'static str, Option<KeyFormat>, &'k str)>> {
        let mut found = Vec::new();
        let mut rest = key;
        let mut segments = self.segments.iter().peekable();
        while let Some(segment) = segments.next() {
            match segment {
                Segment::Literal(text) => rest = rest.strip_prefix(text)?,
                Segment::Field(field, format) => {
                    // A value runs to the next `#` (or the end); the literal after it must
                    // follow there.
                    let end = match segments.peek() {
                        Some(Segment::Literal(next)) => {
                            let hash = next.find('#');
                            let before = &next[..hash.unwrap_or(next.len())];
                            let stop = match hash {
                                Some(_) => rest.find('#')?,
                                None => rest.len(),
                            };
                            stop.checked_sub(before.len())
                                .filter(|at| rest.get(*at..stop) == Some(before))?
                        }
                        _ => rest.find('#').unwrap_or(rest.len()),
                    };
                    let value = &rest[..end];
                    if value.is_empty() || value.contains('#') {
                        return None;
                    }
                    found.push((*field, *format, value));
                    rest = &rest[end..];
                }
            }
        }
        rest.is_empty().then_some(found)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A template parsed the way the derive does, for tests of the runtime.
    pub(crate) fn parse(text: &'static str) -> Template {
        let mut segments = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('<') {
            if open > 0 {
                segments.push(Segment::Literal(&rest[..open]));
            }
            let close = open + rest[open..].find('>').expect("a closed placeholder");
            let placeholder = &rest[open + 1..close];
            let (field, format) = match placeholder.split_once(':') {
                Some((field, "7")) => (field, Some(KeyFormat::Width(7))),
                Some((field, "upper")) => (field, Some(KeyFormat::Upper)),
                Some(_) => panic!("format not known to the test parser"),
                None => (placeholder, None),
            };
            segments.push(Segment::Field(field, format));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Literal(rest));
        }
        Template::new(text, Vec::leak(segments))
    }

    #[test]
    fn captures_the_values_of_a_key() {
        let fields = |template: &'static str, key: &'static str| {
            parse(template).captures(key).map(|found| {
                found
                    .into_iter()
                    .map(|(f, _, v)| (f, v))
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            fields("PET#<pet_id>#VAX#<n>", "PET#rex#VAX#0000000001"),
            Some(vec![("pet_id", "rex"), ("n", "0000000001")])
        );
        assert_eq!(
            fields("V<n>X#<m>", "V12X#a"),
            Some(vec![("n", "12"), ("m", "a")])
        );
        assert_eq!(fields("PROFILE", "PROFILE"), Some(vec![]));
        assert_eq!(fields("PET#<pet_id>", "PET#"), None);
        assert_eq!(fields("PET#<pet_id>", "PET#rex#VAX#1"), None);
        assert_eq!(fields("PET#<pet_id>", "VET#rex"), None);
        assert_eq!(fields("<a>#<b>", "x#y"), Some(vec![("a", "x"), ("b", "y")]));
        assert_eq!(fields("<a>#<b>", "x#y#z"), None);
        assert_eq!(fields("A<a>B#C", "AxB#C"), Some(vec![("a", "x")]));
        assert_eq!(fields("A<a>B#C", "AxC#C"), None);
        // Text that is not at a character boundary where a literal would start is no match.
        assert_eq!(fields("A<a>B#C", "Aé#C"), None);
        assert_eq!(fields("<a>B", "é"), None);
    }

    #[test]
    fn prefix_fields_and_fill() {
        let t = parse("USER#<owner_id>#PET#<pet_id:7>");
        assert_eq!(t.prefix(), "USER#");
        assert_eq!(t.fields().collect::<Vec<_>>(), ["owner_id", "pet_id"]);
        assert!(!t.is_literal());
        assert!(parse("PROFILE").is_literal());
        assert_eq!(parse("PROFILE").prefix(), "PROFILE");
        assert_eq!(parse("<id>").prefix(), "");
        let filled = t.fill(|field, format| Ok::<_, ()>(format!("{field}{}", format.is_some())));
        assert_eq!(filled.as_deref(), Ok("USER#owner_idfalse#PET#pet_idtrue"));
        assert_eq!(t.fill(|_, _| Err("none")), Err("none"));
        assert_eq!(t.to_string(), "USER#<owner_id>#PET#<pet_id:7>");
    }
}
