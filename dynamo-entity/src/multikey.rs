//! Multi-attribute index keys: a GSI whose partition key and sort key are each up to four of
//! the item's own attributes, typed (S, N or B), with no synthetic key attribute.
//!
//! The layout declares the index with lists of attribute names; an entity names the fields in
//! the same order. Typed queries take every partition attribute, then the sort attributes left
//! to right: equality on each but the last one given, a range on that one, none skipped; the
//! generated typestate makes any other order a compile error. An item missing one of the
//! attributes is not in the index (DynamoDB indexes what it finds), and an update of one needs
//! no key derived: DynamoDB re-indexes the attribute itself.
//!
//! ```
//! use dynamo_entity::{Entity, TableLayout, TableSchema};
//!
//! #[derive(TableLayout)]
//! #[dynamo(partition_key = "PK", sort_key = "SK")]
//! #[dynamo(gsi(ByTournament: partition_key = ["TournamentId", "Region"], sort_key = ["Round", "Bracket"]))]
//! struct Esports;
//!
//! #[derive(Entity)]
//! #[dynamo(table = Esports)]
//! #[pk = "MATCH#<match_id>"]
//! #[sk = "MATCH"]
//! #[index(ByTournament: pk = [tournament, region], sk = [round, bracket])]
//! struct Match {
//!     match_id: String,
//!     #[dynamo(rename = "TournamentId")]
//!     tournament: String,
//!     #[dynamo(rename = "Region")]
//!     region: String,
//!     #[dynamo(rename = "Round")]
//!     round: u32,
//!     #[dynamo(rename = "Bracket")]
//!     bracket: String,
//! }
//!
//! // Every partition attribute, then the sort attributes in order.
//! let semis = Match::query_by_tournament("WINTER2024", "NA-EAST")?.round(3u32)?;
//! let upper = Match::query_by_tournament("WINTER2024", "NA-EAST")?.round(3u32)?.bracket("UPPER")?;
//! let late = Match::query_by_tournament("WINTER2024", "NA-EAST")?.round_ge(2u32)?;
//! // Match::query_by_tournament("WINTER2024", "NA-EAST")?.bracket("UPPER") does not compile.
//! # let _ = (semis, upper, late);
//! let schema = TableSchema::of::<Esports>().entity::<Match>()?;
//! assert_eq!(schema.indexes[0].partition_keys, ["TournamentId", "Region"]);
//! # Ok::<(), dynamo_entity::Error>(())
//! ```

use std::borrow::Cow;

use aws_sdk_dynamodb::types::{AttributeValue, ScalarAttributeType};

use crate::attribute::Scalar;
use crate::{Error, Index, Query, Result};

/// The type of a key attribute: what DynamoDB's attribute definition says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum KeyAttributeType {
    /// A string (`S`).
    S,
    /// A number (`N`).
    N,
    /// Binary (`B`).
    B,
}

impl KeyAttributeType {
    /// The SDK's type.
    pub fn scalar(self) -> ScalarAttributeType {
        match self {
            KeyAttributeType::S => ScalarAttributeType::S,
            KeyAttributeType::N => ScalarAttributeType::N,
            KeyAttributeType::B => ScalarAttributeType::B,
        }
    }

    /// `S`, `N` or `B`.
    pub fn name(self) -> &'static str {
        match self {
            KeyAttributeType::S => "S",
            KeyAttributeType::N => "N",
            KeyAttributeType::B => "B",
        }
    }
}

/// A field type that can be one attribute of a multi-attribute key: stored as a string, a
/// number or binary.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an attribute of a multi-attribute key",
    label = "a multi-attribute key's attributes are strings, numbers or binary",
    note = "use a String, an integer, Vec<u8>, uuid::Uuid or a timestamp field (Option of one \
            for a sparse index)"
)]
pub trait KeyAttribute: Scalar {
    /// How DynamoDB types the attribute.
    const TYPE: KeyAttributeType;
}

macro_rules! key_attribute {
    ($kind:ident: $($t:ty),*) => { $(impl KeyAttribute for $t { const TYPE: KeyAttributeType = KeyAttributeType::$kind; })* };
}
key_attribute!(S: String);
key_attribute!(N: u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);
key_attribute!(B: Vec<u8>);
#[cfg(feature = "uuid")]
key_attribute!(S: uuid::Uuid);
#[cfg(feature = "chrono")]
key_attribute!(S: chrono::DateTime<chrono::Utc>);
#[cfg(feature = "time")]
key_attribute!(S: time::OffsetDateTime);

/// One attribute of an entity's multi-attribute key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyField {
    /// The Rust field.
    pub field: &'static str,
    /// Its attribute name, the index's key attribute.
    pub attribute: &'static str,
    /// Its type.
    pub kind: KeyAttributeType,
}

/// An entity's key in a multi-attribute index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultiKeySchema {
    /// Which index.
    pub index: Index,
    /// The partition key's attributes, in order.
    pub partition: &'static [KeyField],
    /// The sort key's attributes, in order.
    pub sort: &'static [KeyField],
}

/// An argument standing for a field of type `T` in a multi-attribute key query: the value or
/// a reference to it (and `&str` for a `String` field).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot stand for a `{T}` key attribute",
    label = "expected a `{T}` or a reference to one"
)]
pub trait AttributeArg<T> {
    /// The attribute value, as the field is stored.
    fn to_key_attribute(&self) -> std::result::Result<AttributeValue, Cow<'static, str>>;
}

impl<T: KeyAttribute> AttributeArg<T> for T {
    fn to_key_attribute(&self) -> std::result::Result<AttributeValue, Cow<'static, str>> {
        self.to_attribute()
    }
}

impl<T: KeyAttribute> AttributeArg<T> for &T {
    fn to_key_attribute(&self) -> std::result::Result<AttributeValue, Cow<'static, str>> {
        (*self).to_attribute()
    }
}

impl AttributeArg<String> for &str {
    fn to_key_attribute(&self) -> std::result::Result<AttributeValue, Cow<'static, str>> {
        Ok(AttributeValue::S((*self).to_owned()))
    }
}

/// How one key attribute is compared in a key condition.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyPart {
    /// `attribute = value`.
    Eq(&'static str, AttributeValue),
    /// `attribute < value` and the like.
    Compare(&'static str, crate::__private::RangeOp, AttributeValue),
    /// `attribute BETWEEN low AND high`.
    Between(&'static str, AttributeValue, AttributeValue),
    /// `begins_with(attribute, value)`.
    BeginsWith(&'static str, AttributeValue),
}

impl KeyPart {
    /// The part as key condition text, its names and values added to `names` and `values`.
    pub(crate) fn render(
        &self,
        n: usize,
        names: &mut Vec<(String, String)>,
        values: &mut Vec<(String, AttributeValue)>,
    ) -> String {
        let name = format!("#k{n}");
        let value = format!(":k{n}");
        let mut bind = |attribute: &str, v: &AttributeValue| {
            names.push((name.clone(), attribute.to_owned()));
            values.push((value.clone(), v.clone()));
        };
        match self {
            KeyPart::Eq(a, v) => {
                bind(a, v);
                format!("{name} = {value}")
            }
            KeyPart::Compare(a, op, v) => {
                bind(a, v);
                format!("{name} {} {value}", op_text(*op))
            }
            KeyPart::Between(a, low, high) => {
                bind(a, low);
                let high_name = format!(":k{n}hi");
                values.push((high_name.clone(), high.clone()));
                format!("{name} BETWEEN {value} AND {high_name}")
            }
            KeyPart::BeginsWith(a, v) => {
                bind(a, v);
                format!("begins_with({name}, {value})")
            }
        }
    }

    /// The part with its value left out, for the design report (`Round >= <Round>`).
    pub(crate) fn template(&self) -> String {
        match self {
            KeyPart::Eq(a, _) => format!("{a} = <{a}>"),
            KeyPart::Compare(a, op, _) => format!("{a} {} <{a}>", op_text(*op)),
            KeyPart::Between(a, ..) => format!("{a} BETWEEN <{a}> AND <{a}>"),
            KeyPart::BeginsWith(a, _) => format!("begins_with({a}, <{a}>)"),
        }
    }

    /// The part as text, for cursors, spans and the design report (`Region = NA-EAST`).
    pub(crate) fn describe(&self) -> String {
        let text = |v: &AttributeValue| match v {
            AttributeValue::S(s) => s.clone(),
            AttributeValue::N(n) => n.clone(),
            AttributeValue::B(b) => format!("{} bytes", b.as_ref().len()),
            other => format!("{other:?}"),
        };
        match self {
            KeyPart::Eq(a, v) => format!("{a} = {}", text(v)),
            KeyPart::Compare(a, op, v) => format!("{a} {} {}", op_text(*op), text(v)),
            KeyPart::Between(a, l, h) => format!("{a} BETWEEN {} AND {}", text(l), text(h)),
            KeyPart::BeginsWith(a, v) => format!("begins_with({a}, {})", text(v)),
        }
    }
}

/// A comparison's operator as DynamoDB writes it.
fn op_text(op: crate::__private::RangeOp) -> &'static str {
    use crate::__private::RangeOp;
    match op {
        RangeOp::Gt => ">",
        RangeOp::Ge => ">=",
        RangeOp::Lt => "<",
        RangeOp::Le => "<=",
    }
}

/// The value of a query argument for field `field` of `entity`, or an error naming them.
fn value<T, A: AttributeArg<T> + ?Sized>(
    entity: &'static str,
    field: &'static str,
    arg: &A,
) -> Result<AttributeValue> {
    arg.to_key_attribute().map_err(|reason| {
        Error::InvalidRequest(format!(
            "{entity}.{field} cannot be a key attribute value: {reason}"
        ))
    })
}

/// The state behind a generated multi-attribute query (`MatchByTournamentQuery<STAGE>`): the
/// query with the key attributes fixed so far. The generated methods are one-line calls.
#[doc(hidden)]
pub struct MultiKeyStage<E> {
    query: Query<E>,
}

impl<E> Clone for MultiKeyStage<E> {
    fn clone(&self) -> Self {
        MultiKeyStage {
            query: self.query.clone(),
        }
    }
}

impl<E: crate::Entity> std::fmt::Debug for MultiKeyStage<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiKeyStage")
            .field("query", &self.query)
            .finish()
    }
}

impl<E: crate::Entity> MultiKeyStage<E> {
    /// A query of `index` with its partition attributes, each `(field, attribute, value)`.
    pub fn __start(index: Index, partition: Vec<KeyPart>) -> Self {
        MultiKeyStage {
            query: Query::__multi(index, partition),
        }
    }

    /// The partition attribute `field` (its `attribute`) equal to `arg`.
    pub fn __part<T, A: AttributeArg<T> + ?Sized>(
        field: &'static str,
        attribute: &'static str,
        arg: &A,
    ) -> Result<KeyPart> {
        Ok(KeyPart::Eq(
            attribute,
            value::<T, A>(E::ENTITY_TYPE, field, arg)?,
        ))
    }

    /// The next stage: the sort attribute equal to `arg`.
    pub fn __eq<T, A: AttributeArg<T> + ?Sized>(
        mut self,
        field: &'static str,
        attribute: &'static str,
        arg: &A,
    ) -> Result<Self> {
        let v = value::<T, A>(E::ENTITY_TYPE, field, arg)?;
        self.query.__push_part(KeyPart::Eq(attribute, v));
        Ok(self)
    }

    /// A finished query: the sort attribute compared with `arg`.
    pub fn __bound<T, A: AttributeArg<T> + ?Sized>(
        mut self,
        field: &'static str,
        attribute: &'static str,
        op: crate::__private::RangeOp,
        arg: &A,
    ) -> Result<Query<E>> {
        let v = value::<T, A>(E::ENTITY_TYPE, field, arg)?;
        self.query.__push_part(KeyPart::Compare(attribute, op, v));
        Ok(self.query)
    }

    /// A finished query: the sort attribute between `low` and `high`, both included.
    pub fn __between<T, A: AttributeArg<T> + ?Sized, B: AttributeArg<T> + ?Sized>(
        mut self,
        field: &'static str,
        attribute: &'static str,
        low: &A,
        high: &B,
    ) -> Result<Query<E>> {
        let low = value::<T, A>(E::ENTITY_TYPE, field, low)?;
        let high = value::<T, B>(E::ENTITY_TYPE, field, high)?;
        self.query
            .__push_part(KeyPart::Between(attribute, low, high));
        Ok(self.query)
    }

    /// A finished query: the string sort attribute starting with `prefix`.
    pub fn __begins_with(mut self, attribute: &'static str, prefix: &str) -> Query<E> {
        self.query.__push_part(KeyPart::BeginsWith(
            attribute,
            AttributeValue::S(prefix.to_owned()),
        ));
        self.query
    }

    /// The query as it stands.
    pub fn __query(self) -> Query<E> {
        self.query
    }
}
