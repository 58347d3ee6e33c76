//! Opaque pagination cursors.
//!
//! A cursor carries DynamoDB's `LastEvaluatedKey` together with the whole query it belongs to:
//! entity, index, partition key, sort key condition and direction. A cursor used with any
//! other query, or altered, is refused with [`Error::InvalidCursor`] instead of silently
//! reading from the wrong place.
//!
//! By default a cursor is opaque, not secret: it is checksummed, so mistakes are caught, but
//! anyone can decode the key values inside and make a valid one. A table with a
//! [`CursorKey`] ([`Table::with_cursor_key`](crate::Table::with_cursor_key)) seals its
//! cursors instead: the key values are encrypted and the cursor authenticated (XChaCha20-
//! Poly1305, a random nonce each), so a client can neither read nor forge one. Such a table
//! refuses unsealed cursors.

use std::fmt;
use std::str::FromStr;

use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::table::Table;
use crate::codec::limits::Number;
use crate::error::{Error, Result};
use crate::expr::key_condition::SortKeyCondition;
use crate::item::Item;
use crate::model::index::Index;

/// The version of the binding's encoding: cursors of another version are refused.
const VERSION: &str = "3";
/// The first byte of a cursor: how the rest is protected.
const PLAIN: u8 = b'p';
const SEALED: u8 = b's';
const NONCE: usize = 24;

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

/// A secret key that seals a table's cursors (see [`Table::with_cursor_key`]): 32 bytes,
/// kept like any other secret (every instance that serves one API must share it).
///
/// [`Table::with_cursor_key`]: crate::Table::with_cursor_key
#[derive(Clone)]
pub struct CursorKey(XChaCha20Poly1305);

impl CursorKey {
    /// The key made of `bytes`.
    pub fn new(bytes: [u8; 32]) -> Self {
        CursorKey(XChaCha20Poly1305::new(&bytes.into()))
    }
}

/// Never shows the key.
impl fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CursorKey(..)")
    }
}

/// The keys a table's cursors are sealed with: the current one seals and opens, the previous
/// ones (a rotation's) only open, so that cursors handed out before the rotation still work.
#[derive(Debug, Clone)]
pub(crate) struct CursorKeys {
    pub current: CursorKey,
    pub previous: Vec<CursorKey>,
}

/// The query a cursor belongs to.
pub(crate) struct Binding<'a> {
    /// The table queried: a cursor of one table is refused by another, whatever the key.
    pub table: &'a str,
    pub entity: &'a str,
    pub index: Index,
    pub pk: &'a str,
    pub sk: &'a SortKeyCondition,
    pub descending: bool,
}

impl Binding<'_> {
    fn bytes(&self) -> Vec<u8> {
        let index = self.index.describe();
        let (condition, low, high) = match self.sk {
            SortKeyCondition::Any => ("any", "", ""),
            SortKeyCondition::Eq(v) => ("eq", v.as_str(), ""),
            SortKeyCondition::BeginsWith(v) => ("begins_with", v.as_str(), ""),
            SortKeyCondition::Between(lo, hi) => ("between", lo.as_str(), hi.as_str()),
            SortKeyCondition::Lt(v) => ("lt", v.as_str(), ""),
            SortKeyCondition::Le(v) => ("le", v.as_str(), ""),
            SortKeyCondition::Gt(v) => ("gt", v.as_str(), ""),
            SortKeyCondition::Ge(v) => ("ge", v.as_str(), ""),
        };
        let direction = if self.descending { "desc" } else { "asc" };
        let mut out = Vec::new();
        for field in [
            VERSION,
            self.table,
            self.entity,
            &index,
            self.pk,
            condition,
            low,
            high,
            direction,
        ] {
            push_field(&mut out, field);
        }
        out
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

/// The length-prefixed fields of `bytes`.
fn fields(mut rest: &[u8]) -> Result<Vec<&str>> {
    let mut fields = Vec::new();
    while !rest.is_empty() {
        let (len, tail) = rest
            .split_first_chunk::<4>()
            .ok_or(Error::InvalidCursor("truncated"))?;
        let len = u32::from_le_bytes(*len) as usize;
        if tail.len() < len {
            return Err(Error::InvalidCursor("truncated"));
        }
        let (field, tail) = tail.split_at(len);
        fields.push(std::str::from_utf8(field).map_err(|_| Error::InvalidCursor("not UTF-8"))?);
        rest = tail;
    }
    Ok(fields)
}

/// Marks the name field of a key attribute that is not a string: `\0N` + name for a number
/// (multi-attribute keys have them), `\0B` + name for binary (its value in base64). No
/// attribute name starts with NUL, so string attributes keep the plain `name, value` form.
const TYPED: char = '\0';

/// The key attributes, sorted (so that one key always gives one cursor), as fields.
fn key_bytes(last_key: &Item) -> Result<Vec<u8>> {
    let mut attributes: Vec<_> = last_key.iter().collect();
    attributes.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::new();
    for (name, value) in attributes {
        match value {
            AttributeValue::S(value) => {
                push_field(&mut out, name);
                push_field(&mut out, value);
            }
            AttributeValue::N(number) => {
                push_field(&mut out, &format!("{TYPED}N{name}"));
                push_field(&mut out, number);
            }
            AttributeValue::B(bytes) => {
                push_field(&mut out, &format!("{TYPED}B{name}"));
                push_field(&mut out, &URL_SAFE_NO_PAD.encode(bytes.as_ref()));
            }
            _ => {
                return Err(Error::InvalidCursor(
                    "the last evaluated key holds a value that is no key attribute",
                ))
            }
        }
    }
    Ok(out)
}

fn key_of(bytes: &[u8]) -> Result<Item> {
    let pairs = fields(bytes)?;
    if pairs.is_empty() || pairs.len() % 2 != 0 {
        return Err(Error::InvalidCursor("malformed key"));
    }
    pairs
        .chunks_exact(2)
        .map(|pair| {
            let (name, value) = (pair[0], pair[1]);
            let Some(typed) = name.strip_prefix(TYPED) else {
                return Ok((name.to_owned(), AttributeValue::S(value.to_owned())));
            };
            let malformed = Error::InvalidCursor("malformed key");
            let mut chars = typed.chars();
            let kind = chars.next().ok_or(Error::InvalidCursor("malformed key"))?;
            let name = chars.as_str();
            if name.is_empty() {
                return Err(malformed);
            }
            let value = match kind {
                'N' if Number::parse(value).is_some_and(|n| n.problem().is_none()) => {
                    AttributeValue::N(value.to_owned())
                }
                'B' => AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(
                    URL_SAFE_NO_PAD.decode(value).map_err(|_| malformed)?,
                )),
                _ => return Err(malformed),
            };
            Ok((name.to_owned(), value))
        })
        .collect()
}

/// The cursor that resumes `binding`'s query after `last_key`, sealed with `seal` if given.
pub(crate) fn encode(
    keys: Option<&CursorKeys>,
    binding: &Binding<'_>,
    last_key: &Item,
) -> Result<Cursor> {
    let seal = keys.map(|keys| &keys.current);
    let key = key_bytes(last_key)?;
    let mut out = Vec::with_capacity(key.len() + 64);
    match seal {
        None => {
            out.push(PLAIN);
            out.extend(binding.bytes());
            out.extend(key);
            let sum = checksum(&out);
            out.extend_from_slice(&sum.to_le_bytes());
        }
        Some(CursorKey(cipher)) => {
            let mut nonce = [0u8; NONCE];
            getrandom::getrandom(&mut nonce).map_err(|_| {
                Error::InvalidCursor("the operating system gave no random bytes to seal it")
            })?;
            let sealed = cipher
                .encrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: &key,
                        aad: &binding.bytes(),
                    },
                )
                .map_err(|_| Error::InvalidCursor("cannot seal the cursor"))?;
            out.push(SEALED);
            out.extend_from_slice(&nonce);
            out.extend(sealed);
        }
    }
    Ok(Cursor(URL_SAFE_NO_PAD.encode(out)))
}

/// The `LastEvaluatedKey` in `cursor`, if it belongs to `binding`'s query (and is sealed with
/// `seal`, when the table seals its cursors).
pub(crate) fn decode(
    keys: Option<&CursorKeys>,
    binding: &Binding<'_>,
    cursor: &Cursor,
) -> Result<Item> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.0.as_bytes())
        .map_err(|_| Error::InvalidCursor("not a cursor (bad encoding)"))?;
    let (&mode, body) = bytes
        .split_first()
        .ok_or(Error::InvalidCursor("not a cursor (too short)"))?;
    match (mode, keys) {
        (PLAIN, None) => decode_plain(binding, &bytes),
        (SEALED, Some(keys)) => {
            if body.len() < NONCE {
                return Err(Error::InvalidCursor("not a cursor (too short)"));
            }
            let (nonce, sealed) = body.split_at(NONCE);
            let aad = binding.bytes();
            let opened = std::iter::once(&keys.current)
                .chain(&keys.previous)
                .find_map(|CursorKey(cipher)| {
                    cipher
                        .decrypt(
                            XNonce::from_slice(nonce),
                            Payload {
                                msg: sealed,
                                aad: &aad,
                            },
                        )
                        .ok()
                });
            let key = opened.ok_or(Error::InvalidCursor(
                "the cursor was altered, belongs to another query or table, or was sealed \
                 with another key",
            ))?;
            key_of(&key)
        }
        (PLAIN, Some(_)) => Err(Error::InvalidCursor(
            "the table seals its cursors, and this one is not sealed",
        )),
        (SEALED, None) => Err(Error::InvalidCursor(
            "the cursor is sealed, and this table has no cursor key",
        )),
        _ => Err(Error::InvalidCursor("not a cursor of this version")),
    }
}

fn decode_plain(binding: &Binding<'_>, bytes: &[u8]) -> Result<Item> {
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
    let expected = binding.bytes();
    let body = &body[1..];
    match fields(body)?.first() {
        Some(&version) if version == VERSION => {}
        _ => return Err(Error::InvalidCursor("not a cursor of this version")),
    }
    match body.strip_prefix(expected.as_slice()) {
        Some(key) => key_of(key),
        None => Err(Error::InvalidCursor("the cursor belongs to another query")),
    }
}

impl Table {
    /// Where the query bound to `binding` starts: the key in `after`, if given, once it is
    /// checked to be this query's (and opened with this table's cursor keys).
    pub(crate) fn resume(
        &self,
        binding: &Binding<'_>,
        after: Option<&Cursor>,
    ) -> Result<Option<Item>> {
        after
            .map(|cursor| decode(self.cursor_keys.as_deref(), binding, cursor))
            .transpose()
    }

    /// The cursor that resumes the query bound to `binding` after `last_key`; `None` on the
    /// last page.
    pub(crate) fn cursor_after(
        &self,
        binding: &Binding<'_>,
        last_key: Option<&Item>,
    ) -> Result<Option<Cursor>> {
        last_key
            .map(|key| encode(self.cursor_keys.as_deref(), binding, key))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALL: SortKeyCondition = SortKeyCondition::Any;

    fn binding<'a>(pk: &'a str, sk: &'a SortKeyCondition) -> Binding<'a> {
        Binding {
            table: "pets",
            entity: "Pet",
            index: Index::Primary,
            pk,
            sk,
            descending: false,
        }
    }

    fn key() -> Item {
        [
            ("PK".to_owned(), AttributeValue::S("USER#alice".into())),
            ("SK".to_owned(), AttributeValue::S("PET#rex".into())),
        ]
        .into()
    }

    /// The keys of a table sealing with `byte`s, opening nothing older.
    fn sealer(byte: u8) -> CursorKeys {
        CursorKeys {
            current: CursorKey::new([byte; 32]),
            previous: Vec::new(),
        }
    }

    /// Both modes: plain, and sealed with one key.
    fn modes() -> [Option<CursorKeys>; 2] {
        [None, Some(sealer(7))]
    }

    #[test]
    fn number_and_binary_key_attributes_round_trip() {
        let mut last = key();
        last.insert("Round".into(), AttributeValue::N("12.5".into()));
        last.insert(
            "Tag".into(),
            AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(vec![0, 255, 7])),
        );
        for seal in modes() {
            let cursor = encode(seal.as_ref(), &binding("USER#alice", &ALL), &last).unwrap();
            let back = decode(seal.as_ref(), &binding("USER#alice", &ALL), &cursor).unwrap();
            assert_eq!(back, last);
        }
        // A typed name with no name, a kind not known, or a number that is none: refused.
        for (name, value) in [("\0N", "1"), ("\0X", "1"), ("\0NRound", "one")] {
            let mut bytes = Vec::new();
            push_field(&mut bytes, name);
            push_field(&mut bytes, value);
            assert!(key_of(&bytes).is_err(), "{name:?}");
        }
    }

    #[test]
    fn round_trips() {
        for seal in modes() {
            let b = binding("USER#alice", &ALL);
            let cursor = encode(seal.as_ref(), &b, &key()).unwrap();
            assert_eq!(decode(seal.as_ref(), &b, &cursor).unwrap(), key());
        }
    }

    #[test]
    fn refuses_another_query() {
        let prefix = SortKeyCondition::BeginsWith("PET#".into());
        let other_prefix = SortKeyCondition::BeginsWith("PET#r".into());
        let range = SortKeyCondition::Between("PET#a".into(), "PET#z".into());
        let other_range = SortKeyCondition::Between("PET#a".into(), "PET#y".into());
        let queries = [
            binding("USER#alice", &prefix),
            binding("USER#bob", &prefix),
            binding("USER#alice", &other_prefix),
            binding("USER#alice", &range),
            binding("USER#alice", &other_range),
            Binding {
                descending: true,
                ..binding("USER#alice", &prefix)
            },
            Binding {
                index: Index::Gsi(1),
                ..binding("USER#alice", &prefix)
            },
            Binding {
                entity: "Vaccination",
                ..binding("USER#alice", &prefix)
            },
            Binding {
                table: "pets-staging",
                ..binding("USER#alice", &prefix)
            },
        ];
        for seal in modes() {
            for (i, made) in queries.iter().enumerate() {
                let cursor = encode(seal.as_ref(), made, &key()).unwrap();
                for (j, used) in queries.iter().enumerate() {
                    let result = decode(seal.as_ref(), used, &cursor);
                    assert_eq!(result.is_ok(), i == j, "made by {i}, used by {j}");
                    if i != j && seal.is_none() {
                        assert!(matches!(
                            result,
                            Err(Error::InvalidCursor("the cursor belongs to another query"))
                        ));
                    }
                }
            }
        }
    }

    #[test]
    fn refuses_any_altered_byte() {
        for seal in modes() {
            let b = binding("USER#alice", &ALL);
            let cursor = encode(seal.as_ref(), &b, &key()).unwrap();
            let bytes = URL_SAFE_NO_PAD.decode(cursor.as_str()).unwrap();
            for at in 0..bytes.len() {
                let mut altered = bytes.clone();
                altered[at] ^= 0x01;
                let altered = Cursor(URL_SAFE_NO_PAD.encode(altered));
                assert!(decode(seal.as_ref(), &b, &altered).is_err(), "byte {at}");
            }
        }
    }

    #[test]
    fn modes_and_keys_do_not_mix() {
        let b = binding("USER#alice", &ALL);
        let plain = encode(None, &b, &key()).unwrap();
        let sealed = encode(Some(&sealer(7)), &b, &key()).unwrap();
        // Anyone can make a plain cursor: a sealing table refuses them.
        assert!(matches!(
            decode(Some(&sealer(7)), &b, &plain),
            Err(Error::InvalidCursor(
                "the table seals its cursors, and this one is not sealed"
            ))
        ));
        assert!(matches!(
            decode(None, &b, &sealed),
            Err(Error::InvalidCursor(
                "the cursor is sealed, and this table has no cursor key"
            ))
        ));
        assert!(decode(Some(&sealer(8)), &b, &sealed).is_err());
        // A fresh nonce each time: one key gives different cursors, all valid.
        let again = encode(Some(&sealer(7)), &b, &key()).unwrap();
        assert_ne!(again, sealed);
        assert_eq!(decode(Some(&sealer(7)), &b, &again).unwrap(), key());
    }

    #[test]
    fn a_rotated_key_still_opens_the_cursors_it_sealed() {
        let b = binding("USER#alice", &ALL);
        let before = encode(Some(&sealer(7)), &b, &key()).unwrap();
        let rotated = CursorKeys {
            current: CursorKey::new([9; 32]),
            previous: vec![CursorKey::new([7; 32])],
        };
        assert_eq!(decode(Some(&rotated), &b, &before).unwrap(), key());
        // New cursors are sealed with the new key: the old one alone does not open them.
        let after = encode(Some(&rotated), &b, &key()).unwrap();
        assert!(decode(Some(&sealer(7)), &b, &after).is_err());
        assert_eq!(decode(Some(&sealer(9)), &b, &after).unwrap(), key());
        // Once the old key is dropped, its cursors are refused.
        assert!(decode(Some(&sealer(9)), &b, &before).is_err());
    }

    #[test]
    fn a_key_never_shows_in_debug_output() {
        assert_eq!(format!("{:?}", sealer(7).current), "CursorKey(..)");
    }

    fn any_key() -> impl Strategy<Value = (String, String)> {
        ("USER#[a-z0-9]{4,12}", "PET#[a-zA-Z0-9 ]{4,40}")
    }

    fn item((pk, sk): &(String, String)) -> Item {
        [
            ("PK".to_owned(), AttributeValue::S(pk.clone())),
            ("SK".to_owned(), AttributeValue::S(sk.clone())),
        ]
        .into()
    }

    proptest! {
        /// Any text: refused or decoded, never a panic, in either mode.
        #[test]
        fn any_text_is_refused_cleanly(text in ".{0,80}") {
            for seal in modes() {
                let _ = decode(seal.as_ref(), &binding("USER#alice", &ALL), &Cursor(text.clone()));
            }
        }

        /// Any key round-trips in both modes.
        #[test]
        fn any_key_round_trips(key in any_key()) {
            for seal in modes() {
                let b = binding(&key.0, &ALL);
                let cursor = encode(seal.as_ref(), &b, &item(&key)).unwrap();
                prop_assert_eq!(decode(seal.as_ref(), &b, &cursor).unwrap(), item(&key));
            }
        }

        /// A real cursor with any byte replaced is refused: the checksum, or the
        /// authentication tag, sees the change.
        #[test]
        fn any_change_to_a_real_cursor_is_refused(
            key in any_key(),
            at in 0usize..256,
            byte in any::<u8>(),
        ) {
            for seal in modes() {
                let b = binding(&key.0, &ALL);
                let cursor = encode(seal.as_ref(), &b, &item(&key)).unwrap();
                let mut bytes = URL_SAFE_NO_PAD.decode(cursor.as_str()).unwrap();
                let at = at % bytes.len();
                prop_assume!(bytes[at] != byte);
                bytes[at] = byte;
                let altered = Cursor(URL_SAFE_NO_PAD.encode(bytes));
                prop_assert!(decode(seal.as_ref(), &b, &altered).is_err());
            }
        }

        /// A sealed cursor reveals nothing of its key values: no run of four bytes of them is
        /// in the cursor's bytes; a plain one shows them (it is opaque only).
        #[test]
        fn a_sealed_cursor_reveals_no_key_value(key in any_key()) {
            let b = binding(&key.0, &ALL);
            let sealed = encode(Some(&sealer(7)), &b, &item(&key)).unwrap();
            let plain = encode(None, &b, &item(&key)).unwrap();
            let shows = |cursor: &Cursor, value: &str| {
                let bytes = URL_SAFE_NO_PAD.decode(cursor.as_str()).unwrap();
                value.as_bytes().windows(4).any(|w| bytes.windows(4).any(|c| c == w))
            };
            prop_assert!(shows(&plain, &key.1));
            prop_assert!(!shows(&sealed, &key.0));
            prop_assert!(!shows(&sealed, &key.1));
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
            "cw",
            "cAAAAAAA",
        ] {
            for seal in modes() {
                let cursor = Cursor(text.to_owned());
                assert!(decode(seal.as_ref(), &binding("USER#alice", &ALL), &cursor).is_err());
            }
        }
    }
}
