//! The key-template grammar: literal text and `<field>` placeholders, `#` as the delimiter.
//!
//! Pure functions over strings; spans are the caller's business. Positions are byte ranges in
//! the template's value, so the caller can point inside the string literal where it can.

use std::fmt;
use std::ops::Range;

/// The delimiter between key segments.
pub const DELIMITER: char = '#';

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Placeholder {
        name: String,
        range: Range<usize>,
        /// `<field:format>`: how the value is written.
        format: Option<Format>,
    },
}

/// A placeholder's format (`upper`, `7`, `unpadded`, `7:inverted`, `date`, `date:millis`...),
/// as the runtime's `KeyFormat` has it; checked here so that a bad one is a compile error at
/// the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Upper,
    Lower,
    Width(u8),
    Unpadded,
    Inverted(Option<u8>),
    /// A bucket (`month`, `date`, `hour`) or none, and a form (the bucket's own, `seconds`,
    /// `millis`, `epoch`).
    Time(Option<&'static str>, &'static str),
}

/// What kind of value a format fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fits {
    Text,
    Integer,
    Time,
}

const BUCKETS: [&str; 4] = ["month", "date", "hour", "minute"];
const FORMS: [&str; 3] = ["seconds", "millis", "epoch"];
const WORDS: [&str; 11] = [
    "upper", "lower", "unpadded", "inverted", "month", "date", "hour", "minute", "seconds",
    "millis", "epoch",
];

impl Format {
    fn parse(text: &str) -> Result<Format, String> {
        let words: Vec<&str> = text.split(':').collect();
        for word in &words {
            if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
                if !matches!(word.parse::<u8>(), Ok(1..=39)) {
                    return Err(format!(
                        "key width `{word}` is out of range: 1 to 39 digits"
                    ));
                }
            } else if !WORDS.contains(word) {
                return Err(format!(
                    "unknown key format `{word}` (expected a width such as `7`, or one of {}){}",
                    WORDS.map(|n| format!("`{n}`")).join(", "),
                    crate::ctxt::did_you_mean(word, WORDS.iter().copied()),
                ));
            }
        }
        let width = |word: &str| word.parse::<u8>().ok();
        let known = |list: &[&'static str], word: &str| list.iter().copied().find(|w| *w == word);
        Ok(match words.as_slice() {
            ["upper"] => Format::Upper,
            ["lower"] => Format::Lower,
            ["unpadded"] => Format::Unpadded,
            ["inverted"] => Format::Inverted(None),
            [w, "inverted"] | ["inverted", w] if width(w).is_some() => Format::Inverted(width(w)),
            [w] if width(w).is_some() => Format::Width(width(w).unwrap_or_default()),
            [one] if known(&BUCKETS, one).is_some() => Format::Time(known(&BUCKETS, one), "bucket"),
            [one] => Format::Time(None, known(&FORMS, one).unwrap_or_default()),
            [bucket, form]
                if known(&BUCKETS, bucket).is_some() && known(&FORMS, form).is_some() =>
            {
                Format::Time(
                    known(&BUCKETS, bucket),
                    known(&FORMS, form).unwrap_or_default(),
                )
            }
            _ => {
                return Err(format!(
                    "key formats `{text}` do not combine; a placeholder takes one format, a \
                     width with `inverted` (`7:inverted`), or a bucket with a time form \
                     (`date:millis`)"
                ))
            }
        })
    }

    pub fn fits(self) -> Fits {
        match self {
            Format::Upper | Format::Lower => Fits::Text,
            Format::Width(_) | Format::Unpadded | Format::Inverted(_) => Fits::Integer,
            Format::Time(..) => Fits::Time,
        }
    }

    /// Whether keys keep the values' order (ranges are offered on the placeholder).
    pub fn keeps_order(self) -> bool {
        !matches!(self, Format::Unpadded | Format::Inverted(_))
    }

    /// Whether every value is written at one width.
    pub fn fixed_width(self) -> bool {
        !matches!(self, Format::Upper | Format::Lower | Format::Unpadded)
    }

    /// The runtime's `KeyFormat` value.
    pub fn tokens(self) -> proc_macro2::TokenStream {
        use quote::quote;
        let q = quote!(__dynamo::KeyFormat);
        match self {
            Format::Upper => quote!(#q::Upper),
            Format::Lower => quote!(#q::Lower),
            Format::Width(w) => quote!(#q::Width(#w)),
            Format::Unpadded => quote!(#q::Unpadded),
            Format::Inverted(None) => quote!(#q::Inverted(__dynamo::Option::None)),
            Format::Inverted(Some(w)) => quote!(#q::Inverted(__dynamo::Option::Some(#w))),
            Format::Time(bucket, form) => {
                let bucket = match bucket {
                    Some(name) => {
                        let variant = match name {
                            "month" => quote!(Month),
                            "date" => quote!(Day),
                            "minute" => quote!(Minute),
                            _ => quote!(Hour),
                        };
                        quote!(__dynamo::Option::Some(__dynamo::TimeBucket::#variant))
                    }
                    None => quote!(__dynamo::Option::None),
                };
                let form = match form {
                    "seconds" => quote!(Seconds),
                    "millis" => quote!(Millis),
                    "epoch" => quote!(Epoch),
                    _ => quote!(Bucket),
                };
                quote!(#q::Time(#bucket, __dynamo::TimeForm::#form))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateErrorKind {
    Empty,
    Unclosed { partial: String },
    StrayClose { before: String },
    EmptyPlaceholder,
    NotIdentifier { inner: String },
    Adjacent { first: String, second: String },
    Repeated { name: String },
    BadFormat { message: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub kind: TemplateErrorKind,
    /// Where in the template the problem is.
    pub range: Range<usize>,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use TemplateErrorKind::*;
        match &self.kind {
            Empty => write!(
                f,
                "key template is empty; write literal text and `<field>` placeholders, \
                 as in \"USER#<user_id>\""
            ),
            Unclosed { partial } => {
                write!(
                    f,
                    "unclosed `<` in key template: `{partial}` has no closing `>`"
                )
            }
            StrayClose { before } => write!(
                f,
                "stray `>` in key template after `{before}`; placeholders are written `<field>`"
            ),
            EmptyPlaceholder => write!(
                f,
                "empty placeholder `<>` in key template; name a field, as in `<user_id>`"
            ),
            NotIdentifier { inner } => write!(
                f,
                "placeholder `<{inner}>` is not a field name; a placeholder holds one field \
                 name, as in `<user_id>`"
            ),
            Adjacent { first, second } => write!(
                f,
                "placeholders `<{first}>` and `<{second}>` must be separated by a literal \
                 containing `#`, as in `<{first}>#<{second}>`; otherwise two different values \
                 could give the same key"
            ),
            BadFormat { message } => write!(f, "{message}"),
            Repeated { name } => {
                write!(
                    f,
                    "placeholder `<{name}>` appears more than once in this template"
                )
            }
        }
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && s != "_"
}

/// Parses a template, or reports the first problem in it.
pub fn parse(source: &str) -> Result<Template, TemplateError> {
    let error = |kind, range| Err(TemplateError { kind, range });
    if source.is_empty() {
        return error(TemplateErrorKind::Empty, 0..0);
    }
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut rest = source.char_indices();
    while let Some((at, c)) = rest.next() {
        match c {
            '<' => {
                let inner_start = at + 1;
                let close = source[inner_start..]
                    .find(['<', '>'])
                    .map(|i| inner_start + i);
                let end = match close {
                    Some(end) if source.as_bytes()[end] == b'>' => end,
                    _ => {
                        let stop = close.unwrap_or(source.len());
                        let partial = source[at..stop].to_owned();
                        return error(TemplateErrorKind::Unclosed { partial }, at..stop);
                    }
                };
                let inner = &source[inner_start..end];
                let range = at..end + 1;
                let (name, format) = match inner.split_once(':') {
                    Some((name, format)) => match Format::parse(format) {
                        Ok(format) => (name, Some(format)),
                        Err(message) => {
                            return error(TemplateErrorKind::BadFormat { message }, range)
                        }
                    },
                    None => (inner, None),
                };
                if name.is_empty() {
                    return error(TemplateErrorKind::EmptyPlaceholder, range);
                }
                if !is_identifier(name) {
                    let inner = name.to_owned();
                    return error(TemplateErrorKind::NotIdentifier { inner }, range);
                }
                if let Some(Segment::Placeholder { name: previous, .. }) = segments.last() {
                    if !literal.contains(DELIMITER) {
                        let kind = TemplateErrorKind::Adjacent {
                            first: previous.clone(),
                            second: name.to_owned(),
                        };
                        return error(kind, range);
                    }
                }
                let repeated = segments
                    .iter()
                    .any(|s| matches!(s, Segment::Placeholder { name: n, .. } if n == name));
                if repeated {
                    return error(
                        TemplateErrorKind::Repeated {
                            name: name.to_owned(),
                        },
                        range,
                    );
                }
                if !literal.is_empty() {
                    segments.push(Segment::Literal(std::mem::take(&mut literal)));
                }
                segments.push(Segment::Placeholder {
                    name: name.to_owned(),
                    range,
                    format,
                });
                // Skip the placeholder's characters.
                for _ in rest.by_ref().take_while(|&(i, _)| i < end) {}
            }
            '>' => {
                let before = source[..at].to_owned();
                return error(TemplateErrorKind::StrayClose { before }, at..at + 1);
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    Ok(Template { segments })
}

impl Template {
    /// The placeholders in order, with their ranges.
    pub fn placeholders(&self) -> impl Iterator<Item = (&str, &Range<usize>)> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Placeholder { name, range, .. } => Some((name.as_str(), range)),
            Segment::Literal(_) => None,
        })
    }

    /// The placeholders with their formats.
    pub fn formatted(&self) -> impl Iterator<Item = (&str, &Range<usize>, Option<Format>)> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Placeholder {
                name,
                range,
                format,
            } => Some((name.as_str(), range, *format)),
            Segment::Literal(_) => None,
        })
    }

    /// The field of a template that is one placeholder and nothing else (`<session_token>`):
    /// its key holds the field's value as is.
    pub fn bare_placeholder(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [Segment::Placeholder {
                name, format: None, ..
            }] => Some(name),
            _ => None,
        }
    }

    /// True when the template has no placeholder: every item gets the same value.
    pub fn is_constant(&self) -> bool {
        self.placeholders().next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Segment {
        Segment::Literal(s.to_owned())
    }

    fn ph(name: &str, range: Range<usize>) -> Segment {
        Segment::Placeholder {
            name: name.to_owned(),
            range,
            format: None,
        }
    }

    #[test]
    fn parses_formats() {
        let t = parse("BRAND#<brand:upper>#<n:7:inverted>").unwrap();
        let formats: Vec<_> = t.formatted().map(|(n, _, f)| (n, f)).collect();
        assert_eq!(
            formats,
            [
                ("brand", Some(Format::Upper)),
                ("n", Some(Format::Inverted(Some(7))))
            ]
        );
        assert!(matches!(
            kind("A#<x:uper>"),
            TemplateErrorKind::BadFormat { .. }
        ));
        assert!(matches!(
            kind("A#<x:0>"),
            TemplateErrorKind::BadFormat { .. }
        ));
        assert!(matches!(
            kind("A#<x:upper:lower>"),
            TemplateErrorKind::BadFormat { .. }
        ));
        assert_eq!(parse("<x:upper>").unwrap().bare_placeholder(), None);
    }

    /// The format grammar: one format, a width with `inverted` either way round, or a bucket
    /// then a time form; nothing else.
    #[test]
    fn reads_each_format() {
        assert_eq!(Format::parse("upper"), Ok(Format::Upper));
        assert_eq!(Format::parse("7"), Ok(Format::Width(7)));
        assert_eq!(Format::parse("7:inverted"), Ok(Format::Inverted(Some(7))));
        assert_eq!(Format::parse("inverted:7"), Ok(Format::Inverted(Some(7))));
        assert_eq!(
            Format::parse("date"),
            Ok(Format::Time(Some("date"), "bucket"))
        );
        assert_eq!(
            Format::parse("date:millis"),
            Ok(Format::Time(Some("date"), "millis"))
        );
        assert_eq!(Format::parse("epoch"), Ok(Format::Time(None, "epoch")));
        for bad in [
            "millis:date",
            "upper:7",
            "0",
            "40",
            "upper:lower",
            "7:inverted:x",
        ] {
            assert!(Format::parse(bad).is_err(), "{bad}");
        }
        assert!(Format::parse("uper")
            .unwrap_err()
            .contains("unknown key format `uper`"));
    }

    fn kind(source: &str) -> TemplateErrorKind {
        parse(source).unwrap_err().kind
    }

    #[test]
    fn parses_literals_and_placeholders() {
        let t = parse("USER#<owner_id>#PET#<pet_id>").unwrap();
        assert_eq!(
            t.segments,
            vec![
                lit("USER#"),
                ph("owner_id", 5..15),
                lit("#PET#"),
                ph("pet_id", 20..28)
            ]
        );
        assert!(!t.is_constant());
    }

    #[test]
    fn all_literal_templates_are_constant() {
        let t = parse("PROFILE").unwrap();
        assert_eq!(t.segments, vec![lit("PROFILE")]);
        assert!(t.is_constant());
    }

    #[test]
    fn a_lone_placeholder_is_a_template() {
        let t = parse("<id>").unwrap();
        assert_eq!(t.segments, vec![ph("id", 0..4)]);
    }

    #[test]
    fn non_ascii_literals_keep_byte_ranges() {
        let t = parse("É#<id>").unwrap();
        assert_eq!(t.segments, vec![lit("É#"), ph("id", 3..7)]);
    }

    #[test]
    fn reports_each_malformation() {
        assert_eq!(kind(""), TemplateErrorKind::Empty);
        assert_eq!(
            kind("USER#<id"),
            TemplateErrorKind::Unclosed {
                partial: "<id".into()
            }
        );
        assert_eq!(
            kind("USER#<a<b>"),
            TemplateErrorKind::Unclosed {
                partial: "<a".into()
            }
        );
        assert_eq!(
            kind("USER#id>"),
            TemplateErrorKind::StrayClose {
                before: "USER#id".into()
            }
        );
        assert_eq!(kind("USER#<>"), TemplateErrorKind::EmptyPlaceholder);
        assert_eq!(
            kind("USER#<user id>"),
            TemplateErrorKind::NotIdentifier {
                inner: "user id".into()
            }
        );
        assert_eq!(
            kind("<1st>"),
            TemplateErrorKind::NotIdentifier {
                inner: "1st".into()
            }
        );
        assert_eq!(
            kind("<a><b>"),
            TemplateErrorKind::Adjacent {
                first: "a".into(),
                second: "b".into()
            }
        );
        assert_eq!(
            kind("<a>-<b>"),
            TemplateErrorKind::Adjacent {
                first: "a".into(),
                second: "b".into()
            }
        );
        assert_eq!(
            kind("<a>#<a>"),
            TemplateErrorKind::Repeated { name: "a".into() }
        );
    }

    #[test]
    fn error_ranges_point_at_the_problem() {
        assert_eq!(parse("USER#<1x>").unwrap_err().range, 5..9);
        assert_eq!(parse("AB>").unwrap_err().range, 2..3);
        assert_eq!(parse("A#<x").unwrap_err().range, 2..4);
    }

    #[test]
    fn a_literal_with_the_delimiter_separates_placeholders() {
        assert!(parse("<a>#<b>").is_ok());
        assert!(parse("<a>-#-<b>").is_ok());
    }

    #[test]
    fn messages_name_the_placeholder() {
        let err = parse("<a><b>").unwrap_err();
        assert!(err.to_string().contains("`<a>` and `<b>`"), "{err}");
        let err = parse("USER#<user id>").unwrap_err();
        assert!(err.to_string().contains("`<user id>`"), "{err}");
    }
}
