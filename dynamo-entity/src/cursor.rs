//! Opaque pagination cursors.
//!
//! A cursor carries DynamoDB's `LastEvaluatedKey` together with the query it belongs to (entity,
//! index, partition key) and a checksum. It is opaque, not secret: anyone can decode it, but a
//! cursor that was altered or that belongs to another query is refused with
//! [`Error::InvalidCursor`] instead of silently reading from the wrong place.

use std::fmt;
use std::str::FromStr;

use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::{Error, Index, Item, Result};

const VERSION: &str = "1";

/// Where the next page of a query starts. Print it to hand it to a client; parse it (or use
/// [`Cursor::from`]) to continue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(String);

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Cursor {
    type Err = std::convert::Infallible;

    /// Any text is accepted here; it is checked when the query uses it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Cursor(s.to_owned()))
    }
}

impl From<String> for Cursor {
    fn from(s: String) -> Self {
        Cursor(s)
    }
}

impl Cursor {
    /// The cursor's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The query a cursor belongs to.
pub(crate) struct Binding<'a> {
    pub entity: &'a str,
    pub index: Index,
    pub pk: &'a str,
}

impl Binding<'_> {
    fn fields(&self) -> [String; 4] {
        let index = match self.index {
            Index::Primary => "table".to_owned(),
            Index::Gsi(n) => format!("GSI{n}"),
        };
        [
            VERSION.to_owned(),
            self.entity.to_owned(),
            index,
            self.pk.to_owned(),
        ]
    }
}

/// FNV-1a, 64 bits: a stable checksum (std's hasher may change between Rust releases).
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn push_field(out: &mut Vec<u8>, field: &str) {
    let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(field.as_bytes());
}

pub(crate) fn encode(binding: &Binding<'_>, last_key: &Item) -> Result<Cursor> {
    let mut out = Vec::new();
    for field in binding.fields() {
        push_field(&mut out, &field);
    }
    // Sorted, so that one key always gives one cursor.
    let mut attributes: Vec<_> = last_key.iter().collect();
    attributes.sort_by(|a, b| a.0.cmp(b.0));
    for (name, value) in attributes {
        // Every key attribute of a dynamo-entity table is a string.
        let AttributeValue::S(value) = value else {
            return Err(Error::InvalidCursor(
                "the last evaluated key is not made of strings",
            ));
        };
        push_field(&mut out, name);
        push_field(&mut out, value);
    }
    let sum = checksum(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    Ok(Cursor(URL_SAFE_NO_PAD.encode(out)))
}

pub(crate) fn decode(binding: &Binding<'_>, cursor: &Cursor) -> Result<Item> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.0.as_bytes())
        .map_err(|_| Error::InvalidCursor("not a cursor (bad encoding)"))?;
    let body_len = bytes
        .len()
        .checked_sub(8)
        .ok_or(Error::InvalidCursor("not a cursor (too short)"))?;
    let (body, sum) = bytes.split_at(body_len);
    let sum: [u8; 8] = sum
        .try_into()
        .map_err(|_| Error::InvalidCursor("not a cursor"))?;
    if checksum(body) != u64::from_le_bytes(sum) {
        return Err(Error::InvalidCursor("the cursor was altered"));
    }
    let mut fields = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (len, tail) = rest
            .split_first_chunk::<4>()
            .ok_or(Error::InvalidCursor("truncated"))?;
        let len = u32::from_le_bytes(*len) as usize;
        if tail.len() < len {
            return Err(Error::InvalidCursor("truncated"));
        }
        let (field, tail) = tail.split_at(len);
        let field = std::str::from_utf8(field).map_err(|_| Error::InvalidCursor("not UTF-8"))?;
        fields.push(field);
        rest = tail;
    }
    let expected = binding.fields();
    if fields.len() < expected.len() || fields[0] != VERSION {
        return Err(Error::InvalidCursor("not a cursor of this version"));
    }
    if fields[..expected.len()] != expected[..] {
        return Err(Error::InvalidCursor("the cursor belongs to another query"));
    }
    let pairs = &fields[expected.len()..];
    if pairs.is_empty() || pairs.len() % 2 != 0 {
        return Err(Error::InvalidCursor("malformed key"));
    }
    Ok(pairs
        .chunks_exact(2)
        .map(|pair| (pair[0].to_owned(), AttributeValue::S(pair[1].to_owned())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(pk: &str) -> Binding<'_> {
        Binding {
            entity: "Pet",
            index: Index::Primary,
            pk,
        }
    }

    fn key() -> Item {
        [
            ("PK".to_owned(), AttributeValue::S("USER#alice".into())),
            ("SK".to_owned(), AttributeValue::S("PET#rex".into())),
        ]
        .into()
    }

    #[test]
    fn round_trips() {
        let cursor = encode(&binding("USER#alice"), &key()).unwrap();
        assert_eq!(decode(&binding("USER#alice"), &cursor).unwrap(), key());
    }

    #[test]
    fn refuses_another_query() {
        let cursor = encode(&binding("USER#alice"), &key()).unwrap();
        assert!(matches!(
            decode(&binding("USER#bob"), &cursor),
            Err(Error::InvalidCursor("the cursor belongs to another query"))
        ));
    }

    #[test]
    fn refuses_any_altered_byte() {
        let cursor = encode(&binding("USER#alice"), &key()).unwrap();
        let bytes = URL_SAFE_NO_PAD.decode(cursor.as_str()).unwrap();
        for at in 0..bytes.len() {
            let mut altered = bytes.clone();
            altered[at] ^= 0x01;
            let altered = Cursor(URL_SAFE_NO_PAD.encode(altered));
            assert!(
                decode(&binding("USER#alice"), &altered).is_err(),
                "byte {at}"
            );
        }
    }

    proptest::proptest! {
        /// Any text: refused or decoded, never a panic.
        #[test]
        fn any_text_is_refused_cleanly(text in ".{0,80}") {
            let _ = decode(&binding("USER#alice"), &Cursor(text));
        }

        /// A real cursor with any bytes replaced is refused: the checksum sees the change.
        #[test]
        fn any_change_to_a_real_cursor_is_refused(
            at in 0usize..64,
            byte in proptest::prelude::any::<u8>(),
        ) {
            let cursor = encode(&binding("USER#alice"), &key()).unwrap();
            let mut bytes = URL_SAFE_NO_PAD.decode(cursor.as_str()).unwrap();
            let at = at % bytes.len();
            proptest::prop_assume!(bytes[at] != byte);
            bytes[at] = byte;
            let altered = Cursor(URL_SAFE_NO_PAD.encode(bytes));
            proptest::prop_assert!(decode(&binding("USER#alice"), &altered).is_err());
        }
    }

    #[test]
    fn refuses_garbage_without_panicking() {
        for text in [
            "",
            "!!!",
            "AAAA",
            "AAAAAAAAAAAAAAAAAAAAAAAA",
            "zzzz-zzzz_zzzz",
        ] {
            assert!(decode(&binding("USER#alice"), &Cursor(text.to_owned())).is_err());
        }
    }
}
