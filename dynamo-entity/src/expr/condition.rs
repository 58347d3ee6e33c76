//! The one model of conditions and operands, for every expression a request carries: the
//! caller's conditions and the framework's own (an item's occupancy, its entity type, its
//! version, its TTL, the values a read-modify-write read), filters, key conditions, and the
//! values of update actions.

use aws_sdk_dynamodb::types::AttributeValue;

use super::path::{Name, Path};

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparator {
    /// As DynamoDB writes it.
    pub fn text(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

/// A value in an expression: a path's value, a literal, or one computed from others.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    /// The value at a path.
    Path(Path),
    /// A literal value.
    Value(AttributeValue),
    /// `size(path)`.
    Size(Path),
    /// `if_not_exists(path, operand)`: the path's value, or the operand where it has none.
    IfNotExists(Path, Box<Operand>),
    /// `a + b`.
    Plus(Box<Operand>, Box<Operand>),
    /// `a - b`.
    Minus(Box<Operand>, Box<Operand>),
    /// `list_append(a, b)`.
    ListAppend(Box<Operand>, Box<Operand>),
}

impl Operand {
    /// A literal.
    pub fn value(value: AttributeValue) -> Self {
        Operand::Value(value)
    }

    /// `if_not_exists(path, initial)`.
    pub fn if_not_exists(path: Path, initial: Operand) -> Self {
        Operand::IfNotExists(path, Box::new(initial))
    }

    /// `self + other`.
    pub fn plus(self, other: Operand) -> Self {
        Operand::Plus(Box::new(self), Box::new(other))
    }

    /// `self - other`.
    pub fn minus(self, other: Operand) -> Self {
        Operand::Minus(Box::new(self), Box::new(other))
    }

    /// `list_append(self, other)`.
    pub fn list_append(self, other: Operand) -> Self {
        Operand::ListAppend(Box::new(self), Box::new(other))
    }
}

impl From<Path> for Operand {
    fn from(path: Path) -> Self {
        Operand::Path(path)
    }
}

/// A DynamoDB attribute type, for [`Field::has_type`](crate::condition::Field::has_type), named
/// as the SDK's `AttributeValue` variants are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttributeType {
    /// A string (`S`).
    S,
    /// A number (`N`).
    N,
    /// Binary (`B`).
    B,
    /// A boolean (`BOOL`).
    Bool,
    /// `NULL`.
    Null,
    /// A list (`L`).
    L,
    /// A map (`M`).
    M,
    /// A string set (`SS`).
    Ss,
    /// A number set (`NS`).
    Ns,
    /// A binary set (`BS`).
    Bs,
}

impl AttributeType {
    /// DynamoDB's name for it.
    pub fn code(self) -> &'static str {
        match self {
            AttributeType::S => "S",
            AttributeType::N => "N",
            AttributeType::B => "B",
            AttributeType::Bool => "BOOL",
            AttributeType::Null => "NULL",
            AttributeType::L => "L",
            AttributeType::M => "M",
            AttributeType::Ss => "SS",
            AttributeType::Ns => "NS",
            AttributeType::Bs => "BS",
        }
    }
}

/// A condition: of a write, of a filter, or of a key condition (which allows the comparisons,
/// `BETWEEN` and `begins_with` on key attributes, joined by `AND`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Compare(Operand, Comparator, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Exists(Path),
    NotExists(Path),
    BeginsWith(Path, Operand),
    Contains(Path, Operand),
    Type(Path, AttributeType),
    /// Every condition holds (never empty).
    And(Vec<Cond>),
    /// One of them holds (never empty).
    Or(Vec<Cond>),
    Not(Box<Cond>),
}

impl Cond {
    /// `path op value`.
    pub fn compare(path: Path, op: Comparator, value: AttributeValue) -> Cond {
        Cond::Compare(Operand::Path(path), op, Operand::Value(value))
    }

    /// `path = value`.
    pub fn equals(path: impl Into<Path>, value: AttributeValue) -> Cond {
        Cond::compare(path.into(), Comparator::Eq, value)
    }

    /// `attribute_exists(path)`.
    pub fn exists(path: impl Into<Path>) -> Cond {
        Cond::Exists(path.into())
    }

    /// `attribute_not_exists(path)`.
    pub fn not_exists(path: impl Into<Path>) -> Cond {
        Cond::NotExists(path.into())
    }

    /// The attribute still holds what a read found there: that value, or nothing. The guard of
    /// every read-modify-write, so that a change in between fails the write.
    pub fn as_read(attribute: impl Into<Name>, read: Option<&AttributeValue>) -> Cond {
        let path = Path::top(attribute);
        match read {
            Some(value) => Cond::compare(path, Comparator::Eq, value.clone()),
            None => Cond::NotExists(path),
        }
    }

    /// Both hold.
    pub fn and(self, other: Cond) -> Cond {
        Cond::join(self, other, true)
    }

    /// Either holds.
    pub fn or(self, other: Cond) -> Cond {
        Cond::join(self, other, false)
    }

    /// Does not hold.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Cond {
        Cond::Not(Box::new(self))
    }

    /// `a AND b` or `a OR b`, flattened: `(a AND b) AND c` is `a AND b AND c`.
    fn join(a: Cond, b: Cond, and: bool) -> Cond {
        let mut parts = Vec::new();
        for cond in [a, b] {
            match (cond, and) {
                (Cond::And(inner), true) | (Cond::Or(inner), false) => parts.extend(inner),
                (other, _) => parts.push(other),
            }
        }
        if and {
            Cond::And(parts)
        } else {
            Cond::Or(parts)
        }
    }

    /// Whether it needs no parentheses inside `AND` or `OR`: anything but those two (`NOT`
    /// binds tighter than both, and writes its own).
    pub(crate) fn is_simple(&self) -> bool {
        !matches!(self, Cond::And(_) | Cond::Or(_))
    }
}

/// What a write of an entity may find under its key, as its conditions see it: whether there is
/// an item, whether it is this entity's, whether its TTL has passed.
///
/// An item whose TTL has passed is absent for every write, as it is for reads, whatever its
/// type: DynamoDB deletes it eventually, and a create must not fail on it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Occupant<'a> {
    /// The table's partition key attribute.
    pub pk: &'a str,
    /// The entity-type attribute (empty in a layout without one) and this entity's value.
    pub type_attribute: &'static str,
    pub entity: &'static str,
    /// The entity's TTL attribute, if it has one.
    pub ttl: Option<&'static str>,
    /// Now, in epoch seconds.
    pub now: i64,
}

impl Occupant<'_> {
    /// `ttl <= now`: the stored item's TTL has passed (`None` without a TTL attribute).
    fn expired(&self) -> Option<Cond> {
        let ttl = self.ttl?;
        let now = AttributeValue::N(self.now.to_string());
        Some(Cond::compare(Path::top(ttl), Comparator::Le, now))
    }

    /// The stored item is this entity's.
    fn own(&self) -> Cond {
        if self.type_attribute.is_empty() {
            // A table without an entity-type attribute holds one entity: an item is its.
            return Cond::exists(Path::top(self.pk.to_owned()));
        }
        Cond::equals(
            self.type_attribute,
            AttributeValue::S(self.entity.to_owned()),
        )
    }

    /// There is no item under the key, or only an expired one.
    pub fn absent(&self) -> Cond {
        let absent = Cond::not_exists(Path::top(self.pk.to_owned()));
        match self.expired() {
            Some(expired) => absent.or(expired),
            None => absent,
        }
    }

    /// The item under the key is a live item of this entity.
    pub fn live_own(&self) -> Cond {
        match self.expired() {
            Some(expired) => self.own().and(expired.not()),
            None => self.own(),
        }
    }

    /// The item under the key, if there is a live one, is this entity's.
    pub fn absent_or_own(&self) -> Cond {
        let either = Cond::not_exists(Path::top(self.pk.to_owned())).or(self.own());
        match self.expired() {
            Some(expired) => either.or(expired),
            None => either,
        }
    }

    /// There is no live item under the key, or only a live one of this entity (an expired one
    /// fails: its stale attributes must not be kept).
    pub fn absent_or_live_own(&self) -> Cond {
        Cond::not_exists(Path::top(self.pk.to_owned())).or(self.live_own())
    }
}
