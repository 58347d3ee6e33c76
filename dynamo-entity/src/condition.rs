//! Typed field handles and the conditions built from them.

use std::fmt;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::attribute::Encoder;
use crate::expression::Expressions;
use crate::Error;

/// What may be done with a field through the typed API.
pub mod kind {
    /// An application attribute: conditions, and changes through `Update`.
    #[derive(Debug, Clone, Copy)]
    pub struct Settable;
    /// A placeholder of the primary key template: conditions only. Changing it would move the
    /// item to another key, which an update cannot do (delete and create instead).
    #[derive(Debug, Clone, Copy)]
    pub struct KeyInput;
    /// Maintained by the framework (`version`, `created_at`, `updated_at`): conditions only.
    #[derive(Debug, Clone, Copy)]
    pub struct Managed;
    /// An input of a GSI key (and of no primary key): conditions, and `set`/`remove` through an
    /// `Update`, which derives the index's key again in the same request.
    #[derive(Debug, Clone, Copy)]
    pub struct IndexInput;

    /// The kinds an `Update` may assign: [`Settable`] and [`IndexInput`].
    #[diagnostic::on_unimplemented(
        message = "an update cannot change a `{Self}` field",
        label = "this field cannot be set",
        note = "a `KeyInput` field is part of the primary key: changing it would move the item \
                (delete it and create it under the new key); a `Managed` field (version, \
                created_at, updated_at) is maintained by the framework"
    )]
    pub trait Assignable: sealed::Sealed {}
    impl Assignable for Settable {}
    impl Assignable for IndexInput {}

    mod sealed {
        pub trait Sealed {}
        impl Sealed for super::Settable {}
        impl Sealed for super::IndexInput {}
    }
}

/// A field of entity `E` with Rust type `T`: its attribute name and how its values are stored.
/// Get them from the generated `Pet::fields()`.
pub struct Field<E, T, K = kind::Settable> {
    entity: &'static str,
    name: &'static str,
    attribute: &'static str,
    encode: Encoder<T>,
    /// For an input of GSI keys: the value's text in a key (`None` for a `None` value).
    key: Option<KeyPart<T>>,
    marker: PhantomData<fn() -> (E, K)>,
}

/// A value's text in a key, `None` when the value is `None` (a sparse index's input).
pub(crate) type KeyPart<T> = fn(&T) -> Option<Result<String, crate::KeyValueError>>;

impl<E, T, K> Clone for Field<E, T, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E, T, K> Copy for Field<E, T, K> {}

impl<E, T, K> fmt::Debug for Field<E, T, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Field({} as `{}`)", self.name, self.attribute)
    }
}

impl<E, T, K> Field<E, T, K> {
    /// Used by generated code.
    #[doc(hidden)]
    pub const fn __new(
        entity: &'static str,
        name: &'static str,
        attribute: &'static str,
        encode: Encoder<T>,
    ) -> Self {
        Field {
            entity,
            name,
            attribute,
            encode,
            key: None,
            marker: PhantomData,
        }
    }

    /// Used by generated code, for inputs of GSI keys.
    #[doc(hidden)]
    pub const fn __new_keyed(
        entity: &'static str,
        name: &'static str,
        attribute: &'static str,
        encode: Encoder<T>,
        key: KeyPart<T>,
    ) -> Self {
        Field {
            entity,
            name,
            attribute,
            encode,
            key: Some(key),
            marker: PhantomData,
        }
    }

    /// The value's text in a key, if the field is an input of GSI keys.
    pub(crate) fn key_part(
        &self,
        value: &T,
    ) -> Option<Option<Result<String, crate::KeyValueError>>> {
        self.key.map(|key| key(value))
    }

    /// Whether the field is an input of GSI keys.
    pub(crate) fn is_key_part(&self) -> bool {
        self.key.is_some()
    }

    /// The Rust field name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The attribute name in the item.
    pub fn attribute(&self) -> &'static str {
        self.attribute
    }

    /// The stored form of `value`, `None` for a `None` value (left out of items).
    pub(crate) fn encode(&self, value: &T) -> Result<Option<AttributeValue>, Error> {
        (self.encode)(value, self.entity, self.name)
    }

    fn compare(self, op: &'static str, value: &T) -> Condition<E> {
        let attribute = self.attribute;
        Condition::new(self.encode(value).and_then(|v| match v {
            Some(v) => Ok(Cond::Compare(attribute, op, v)),
            None => Err(Error::InvalidRequest(format!(
                "`{}` cannot be compared with None (use exists / not_exists)",
                self.name
            ))),
        }))
    }

    /// The attribute equals `value`; `None` means the attribute is absent.
    pub fn eq(self, value: T) -> Condition<E> {
        match self.encode(&value) {
            Ok(None) => self.not_exists(),
            _ => self.compare("=", &value),
        }
    }

    /// The attribute differs from `value`; for `None`: the attribute is present.
    pub fn ne(self, value: T) -> Condition<E> {
        match self.encode(&value) {
            Ok(None) => self.exists(),
            _ => self.compare("<>", &value),
        }
    }

    /// The attribute is below `value` (numbers by value, strings byte-wise).
    pub fn lt(self, value: T) -> Condition<E> {
        self.compare("<", &value)
    }

    /// The attribute is at or below `value`.
    pub fn le(self, value: T) -> Condition<E> {
        self.compare("<=", &value)
    }

    /// The attribute is above `value`.
    pub fn gt(self, value: T) -> Condition<E> {
        self.compare(">", &value)
    }

    /// The attribute is at or above `value`.
    pub fn ge(self, value: T) -> Condition<E> {
        self.compare(">=", &value)
    }

    /// The attribute lies between `low` and `high`, both included.
    pub fn between(self, low: T, high: T) -> Condition<E> {
        let attribute = self.attribute;
        let both = self
            .encode(&low)
            .and_then(|low| Ok((low, self.encode(&high)?)));
        Condition::new(both.and_then(|pair| match pair {
            (Some(low), Some(high)) => Ok(Cond::Between(attribute, low, high)),
            _ => Err(Error::InvalidRequest(format!(
                "`{}` cannot be between None",
                self.name
            ))),
        }))
    }

    /// The item has this attribute.
    pub fn exists(self) -> Condition<E> {
        Condition::new(Ok(Cond::Exists(self.attribute)))
    }

    /// The item does not have this attribute.
    pub fn not_exists(self) -> Condition<E> {
        Condition::new(Ok(Cond::NotExists(self.attribute)))
    }
}

/// String fields: prefix conditions.
macro_rules! begins_with {
    ($($ty:ty),*) => {$(
        impl<E, K> Field<E, $ty, K> {
            /// The attribute is a string starting with `prefix`.
            pub fn begins_with(self, prefix: &str) -> Condition<E> {
                Condition::new(Ok(Cond::BeginsWith(
                    self.attribute,
                    AttributeValue::S(prefix.to_owned()),
                )))
            }
        }
    )*};
}
begins_with!(String, Option<String>);

#[derive(Debug)]
enum Cond {
    Compare(&'static str, &'static str, AttributeValue),
    Between(&'static str, AttributeValue, AttributeValue),
    Exists(&'static str),
    NotExists(&'static str),
    BeginsWith(&'static str, AttributeValue),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

impl Cond {
    fn render(&self, out: &mut Expressions) -> String {
        match self {
            Cond::Compare(attribute, op, value) => {
                format!("{} {op} {}", out.name(attribute), out.value(value.clone()))
            }
            Cond::Between(attribute, low, high) => format!(
                "{} BETWEEN {} AND {}",
                out.name(attribute),
                out.value(low.clone()),
                out.value(high.clone())
            ),
            Cond::Exists(attribute) => format!("attribute_exists({})", out.name(attribute)),
            Cond::NotExists(attribute) => format!("attribute_not_exists({})", out.name(attribute)),
            Cond::BeginsWith(attribute, prefix) => {
                format!(
                    "begins_with({}, {})",
                    out.name(attribute),
                    out.value(prefix.clone())
                )
            }
            Cond::And(a, b) => format!("({}) AND ({})", a.render(out), b.render(out)),
            Cond::Or(a, b) => format!("({}) OR ({})", a.render(out), b.render(out)),
            Cond::Not(a) => format!("NOT ({})", a.render(out)),
        }
    }
}

/// A condition on the attributes of an item of entity `E`, built from its typed fields:
/// `Pet::fields().age.ge(3) & Pet::fields().name.begins_with("R")`.
///
/// A value that cannot be stored (a NaN, say) makes the condition carry that error; the request
/// fails with it before anything is sent.
#[must_use]
#[derive(Debug)]
pub struct Condition<E> {
    cond: Result<Cond, Error>,
    marker: PhantomData<fn() -> E>,
}

impl<E> Condition<E> {
    fn new(cond: Result<Cond, Error>) -> Self {
        Condition {
            cond,
            marker: PhantomData,
        }
    }

    /// Both conditions hold.
    pub fn and(self, other: Condition<E>) -> Condition<E> {
        Condition::new(
            self.cond
                .and_then(|a| Ok(Cond::And(Box::new(a), Box::new(other.cond?)))),
        )
    }

    /// Either condition holds.
    pub fn or(self, other: Condition<E>) -> Condition<E> {
        Condition::new(
            self.cond
                .and_then(|a| Ok(Cond::Or(Box::new(a), Box::new(other.cond?)))),
        )
    }

    /// Adds `condition` to those in `slot`: all must hold.
    pub(crate) fn add_to(slot: &mut Option<Condition<E>>, condition: Condition<E>) {
        *slot = Some(match slot.take() {
            Some(existing) => existing & condition,
            None => condition,
        });
    }

    /// Adds the condition to `out`, or returns the error it carries.
    pub(crate) fn render_into(self, out: &mut Expressions) -> Result<String, Error> {
        Ok(self.cond?.render(out))
    }

    /// As `render_into`, for a condition used again (a filter on every page); the error it
    /// carries is reported by its message.
    pub(crate) fn render_clone_into(&self, out: &mut Expressions) -> Result<String, Error> {
        match &self.cond {
            Ok(cond) => Ok(cond.render(out)),
            Err(e) => Err(Error::InvalidRequest(e.to_string())),
        }
    }
}

impl<E> std::ops::BitAnd for Condition<E> {
    type Output = Condition<E>;

    fn bitand(self, other: Self) -> Self {
        self.and(other)
    }
}

impl<E> std::ops::BitOr for Condition<E> {
    type Output = Condition<E>;

    fn bitor(self, other: Self) -> Self {
        self.or(other)
    }
}

impl<E> std::ops::Not for Condition<E> {
    type Output = Condition<E>;

    fn not(self) -> Self {
        Condition::new(self.cond.map(|c| Cond::Not(Box::new(c))))
    }
}
