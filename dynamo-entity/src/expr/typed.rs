//! Typed conditions: [`Condition`]s built from field handles, checked against the entity's
//! field types at compile time, rendered through the one condition model.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use super::condition::{AttributeType, Comparator, Cond, Operand};
use super::field::{Entry, Field};
use super::path::Path;
use crate::codec::scalar::Scalar;
use crate::codec::set::SetElement;
use crate::error::{Error, InvalidRequestKind};

/// What a condition is about: a top-level attribute, or a path inside one (a map entry, a
/// struct member), and how its values are stored. Every condition method of [`Field`] and
/// [`Entry`] is one of the functions below, so that both render through the one [`Cond`].
trait Subject<T> {
    /// The document path.
    fn path(&self) -> Path;
    /// The operand in error messages: the field name, or its path.
    fn label(&self) -> String;
    /// The stored form of `value`, `None` for a value stored as nothing.
    fn encode_value(&self, value: &T) -> Result<Option<AttributeValue>, Error>;
}

impl<E, T, K> Subject<T> for Field<E, T, K> {
    fn path(&self) -> Path {
        Path::top(self.attribute())
    }

    fn label(&self) -> String {
        self.name().to_owned()
    }

    fn encode_value(&self, value: &T) -> Result<Option<AttributeValue>, Error> {
        self.encode(value)
    }
}

/// `op` with a value; `None` (stored as nothing) cannot be compared.
fn compare<E, T>(operand: &impl Subject<T>, op: Comparator, value: &T) -> Condition<E> {
    let encoded = operand.encode_value(value).and_then(|v| {
        v.ok_or_else(|| {
            Error::invalid(
                InvalidRequestKind::Argument,
                format!(
                    "`{}` cannot be compared with None (use exists / not_exists)",
                    operand.label()
                ),
            )
        })
    });
    Condition::new(encoded.map(|v| Cond::compare(operand.path(), op, v)))
}

/// `=` (or `<>` when `equal` is false); a value stored as nothing means the attribute is
/// absent (or present).
fn equals<E, T>(operand: &impl Subject<T>, value: &T, equal: bool) -> Condition<E> {
    match (operand.encode_value(value), equal) {
        (Ok(None), true) => Condition::new(Ok(Cond::NotExists(operand.path()))),
        (Ok(None), false) => Condition::new(Ok(Cond::Exists(operand.path()))),
        (_, true) => compare(operand, Comparator::Eq, value),
        (_, false) => compare(operand, Comparator::Ne, value),
    }
}

fn between<E, T>(operand: &impl Subject<T>, low: &T, high: &T) -> Condition<E> {
    let both = operand
        .encode_value(low)
        .and_then(|low| Ok((low, operand.encode_value(high)?)));
    Condition::new(both.and_then(|pair| match pair {
        (Some(low), Some(high)) => Ok(Cond::Between(
            Operand::Path(operand.path()),
            Operand::Value(low),
            Operand::Value(high),
        )),
        _ => Err(Error::invalid(
            InvalidRequestKind::Argument,
            format!("`{}` cannot be between None", operand.label()),
        )),
    }))
}

fn is_in<E, T>(operand: &impl Subject<T>, values: impl IntoIterator<Item = T>) -> Condition<E> {
    let label = operand.label();
    let encoded = values
        .into_iter()
        .map(|value| {
            operand.encode_value(&value)?.ok_or_else(|| {
                Error::invalid(
                    InvalidRequestKind::Argument,
                    format!(
                        "`{label}` cannot be compared with None in `is_in` (use exists / \
                         not_exists)"
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>, Error>>();
    Condition::new(encoded.and_then(|values| match values.len() {
        1..=100 => Ok(Cond::In(
            Operand::Path(operand.path()),
            values.into_iter().map(Operand::Value).collect(),
        )),
        n => Err(Error::invalid(
            InvalidRequestKind::Argument,
            format!("`{label}` is_in needs 1 to 100 values, not {n}"),
        )),
    }))
}

/// The condition methods every operand has, over its value type `$value`.
macro_rules! condition_methods {
    ($value:ident) => {
        /// Equals `value`; a value stored as nothing (`None`) means the attribute is absent.
        pub fn eq(&self, value: $value) -> Condition<E> {
            equals(self, &value, true)
        }

        /// Differs from `value`; for a value stored as nothing: the attribute is present.
        pub fn ne(&self, value: $value) -> Condition<E> {
            equals(self, &value, false)
        }

        /// Below `value` (numbers by value, strings and binaries byte-wise).
        pub fn lt(&self, value: $value) -> Condition<E> {
            compare(self, Comparator::Lt, &value)
        }

        /// At or below `value`.
        pub fn le(&self, value: $value) -> Condition<E> {
            compare(self, Comparator::Le, &value)
        }

        /// Above `value`.
        pub fn gt(&self, value: $value) -> Condition<E> {
            compare(self, Comparator::Gt, &value)
        }

        /// At or above `value`.
        pub fn ge(&self, value: $value) -> Condition<E> {
            compare(self, Comparator::Ge, &value)
        }

        /// Between `low` and `high`, both included.
        pub fn between(&self, low: $value, high: $value) -> Condition<E> {
            between(self, &low, &high)
        }

        /// Equals one of `values` (1 to 100, DynamoDB's limit for `IN`).
        pub fn is_in(&self, values: impl IntoIterator<Item = $value>) -> Condition<E> {
            is_in(self, values)
        }

        /// The size, to compare: a string's length in bytes (UTF-8), a binary's length, the
        /// number of elements of a set or list, or of entries of a map.
        pub fn size(&self) -> Size<E> {
            Size {
                path: Subject::<$value>::path(self),
                marker: PhantomData,
            }
        }

        /// Stored as `kind` (`attribute_type`): how to tell items written in an older format
        /// from new ones, say.
        pub fn has_type(&self, kind: AttributeType) -> Condition<E> {
            Condition::new(Ok(Cond::Type(Subject::<$value>::path(self), kind)))
        }

        /// The item has it.
        pub fn exists(&self) -> Condition<E> {
            Condition::new(Ok(Cond::Exists(Subject::<$value>::path(self))))
        }

        /// The item does not have it.
        pub fn not_exists(&self) -> Condition<E> {
            Condition::new(Ok(Cond::NotExists(Subject::<$value>::path(self))))
        }
    };
}

impl<E, T, K> Field<E, T, K> {
    condition_methods!(T);
}

impl<E, T: Containable, K> Field<E, T, K> {
    /// The attribute contains `element`: a substring of a string, an element of a set, or an
    /// element of a list.
    ///
    /// ```
    /// # use std::collections::BTreeSet;
    /// # use dynamo_entity::Entity;
    /// # #[derive(Entity)] #[pk = "BRAND#<id>"]
    /// # struct Brand { id: String, name: String, tags: BTreeSet<String>, sizes: Vec<u32> }
    /// let f = Brand::fields();
    /// let kids = f.tags.contains("kids") & f.name.contains("Co") & f.sizes.contains(42u32);
    /// ```
    pub fn contains(&self, element: impl Into<T::Element>) -> Condition<E> {
        contains(self, self.entity(), self.name(), element.into())
    }
}

/// `contains(path, element)`.
fn contains<E, T: Containable>(
    operand: &impl Subject<T>,
    entity: &'static str,
    field: &'static str,
    element: T::Element,
) -> Condition<E> {
    let value = T::element_attribute(&element).map_err(|message| Error::Encode {
        entity,
        field,
        message: message.into_owned(),
    });
    Condition::new(value.map(|value| Cond::Contains(operand.path(), Operand::Value(value))))
}

impl<E, V: serde::Serialize, K> Subject<V> for Entry<E, V, K> {
    fn path(&self) -> Path {
        self.path().clone()
    }

    fn label(&self) -> String {
        self.path().to_string()
    }

    fn encode_value(&self, value: &V) -> Result<Option<AttributeValue>, Error> {
        self.encode(value)
    }
}

impl<E, V: serde::Serialize, K> Entry<E, V, K> {
    condition_methods!(V);
}

impl<E, V: Containable + serde::Serialize, K> Entry<E, V, K> {
    /// The entry contains `element`: a substring, or an element of a set or list.
    pub fn contains(&self, element: impl Into<V::Element>) -> Condition<E> {
        let (entity, field) = self.names();
        contains(self, entity, field, element.into())
    }
}

impl<E, K> Entry<E, String, K> {
    /// The entry is a string starting with `prefix`.
    pub fn begins_with(&self, prefix: &str) -> Condition<E> {
        let prefix = Operand::Value(AttributeValue::S(prefix.to_owned()));
        Condition::new(Ok(Cond::BeginsWith(self.path().clone(), prefix)))
    }
}

/// Field types that `contains` accepts: strings (a substring), sets and lists of scalars (an
/// element), and `Option`s of them.
pub trait Containable {
    /// What can be contained.
    type Element;
    /// The element's stored form.
    fn element_attribute(
        element: &Self::Element,
    ) -> Result<AttributeValue, std::borrow::Cow<'static, str>>;
}

impl Containable for String {
    type Element = String;
    fn element_attribute(
        element: &String,
    ) -> Result<AttributeValue, std::borrow::Cow<'static, str>> {
        Ok(AttributeValue::S(element.clone()))
    }
}

impl<T: Scalar> Containable for Vec<T> {
    type Element = T;
    fn element_attribute(element: &T) -> Result<AttributeValue, std::borrow::Cow<'static, str>> {
        element.to_attribute()
    }
}

impl<T: SetElement, S> Containable for std::collections::HashSet<T, S> {
    type Element = T;
    fn element_attribute(element: &T) -> Result<AttributeValue, std::borrow::Cow<'static, str>> {
        element.to_attribute()
    }
}

impl<T: SetElement> Containable for std::collections::BTreeSet<T> {
    type Element = T;
    fn element_attribute(element: &T) -> Result<AttributeValue, std::borrow::Cow<'static, str>> {
        element.to_attribute()
    }
}

impl<C: Containable> Containable for Option<C> {
    type Element = C::Element;
    fn element_attribute(
        element: &C::Element,
    ) -> Result<AttributeValue, std::borrow::Cow<'static, str>> {
        C::element_attribute(element)
    }
}

/// The size of an attribute, to compare with a number ([`Field::size`]).
#[must_use]
pub struct Size<E> {
    path: Path,
    marker: PhantomData<fn() -> E>,
}

impl<E> Size<E> {
    fn compare(self, op: Comparator, size: usize) -> Condition<E> {
        let value = Operand::Value(AttributeValue::N(size.to_string()));
        Condition::new(Ok(Cond::Compare(Operand::Size(self.path), op, value)))
    }

    /// The size is `size`.
    pub fn eq(self, size: usize) -> Condition<E> {
        self.compare(Comparator::Eq, size)
    }

    /// The size is not `size`.
    pub fn ne(self, size: usize) -> Condition<E> {
        self.compare(Comparator::Ne, size)
    }

    /// The size is below `size`.
    pub fn lt(self, size: usize) -> Condition<E> {
        self.compare(Comparator::Lt, size)
    }

    /// The size is at most `size`.
    pub fn le(self, size: usize) -> Condition<E> {
        self.compare(Comparator::Le, size)
    }

    /// The size is above `size`.
    pub fn gt(self, size: usize) -> Condition<E> {
        self.compare(Comparator::Gt, size)
    }

    /// The size is at least `size`.
    pub fn ge(self, size: usize) -> Condition<E> {
        self.compare(Comparator::Ge, size)
    }
}

/// String fields: prefix conditions.
macro_rules! begins_with {
    ($($ty:ty),*) => {$(
        impl<E, K> Field<E, $ty, K> {
            /// The attribute is a string starting with `prefix`.
            pub fn begins_with(self, prefix: &str) -> Condition<E> {
                Condition::new(Ok(Cond::BeginsWith(
                    Path::top(self.attribute()),
                    Operand::Value(AttributeValue::S(prefix.to_owned())),
                )))
            }
        }
    )*};
}
begins_with!(String, Option<String>);

/// A condition on the attributes of an item of entity `E`, built from its typed fields:
/// `Pet::fields().age.ge(3) & Pet::fields().name.begins_with("R")`.
///
/// A value that cannot be stored (a NaN, say) makes the condition carry that error; the request
/// fails with it before anything is sent.
#[must_use]
#[derive(Debug)]
pub struct Condition<E> {
    cond: Result<Cond, Refused>,
    marker: PhantomData<fn() -> E>,
}

/// Why a condition cannot be sent: the error it reports, kept in a form that can be reported
/// again (a filter is rendered for every page).
#[derive(Debug, Clone)]
enum Refused {
    Invalid(InvalidRequestKind, String),
    Encode {
        entity: &'static str,
        field: &'static str,
        message: String,
    },
}

impl From<Error> for Refused {
    fn from(error: Error) -> Self {
        match error {
            Error::InvalidRequest { kind, message } => Refused::Invalid(kind, message),
            Error::Encode {
                entity,
                field,
                message,
            } => Refused::Encode {
                entity,
                field,
                message,
            },
            other => Refused::Invalid(InvalidRequestKind::Argument, other.to_string()),
        }
    }
}

impl From<Refused> for Error {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Invalid(kind, message) => Error::invalid(kind, message),
            Refused::Encode {
                entity,
                field,
                message,
            } => Error::Encode {
                entity,
                field,
                message,
            },
        }
    }
}

// By hand: a derive would require `E: Clone`.
impl<E> Clone for Condition<E> {
    fn clone(&self) -> Self {
        Condition {
            cond: self.cond.clone(),
            marker: PhantomData,
        }
    }
}

impl<E> Condition<E> {
    fn new(cond: Result<Cond, Error>) -> Self {
        Condition {
            cond: cond.map_err(Refused::from),
            marker: PhantomData,
        }
    }

    /// Both conditions hold.
    pub fn and(self, other: Condition<E>) -> Condition<E> {
        self.join(other, Cond::and)
    }

    /// Either condition holds.
    pub fn or(self, other: Condition<E>) -> Condition<E> {
        self.join(other, Cond::or)
    }

    fn join(self, other: Condition<E>, join: fn(Cond, Cond) -> Cond) -> Condition<E> {
        Condition {
            cond: self.cond.and_then(|a| Ok(join(a, other.cond?))),
            marker: PhantomData,
        }
    }

    /// Adds `condition` to those in `slot`: all must hold.
    pub(crate) fn add_to(slot: &mut Option<Condition<E>>, condition: Condition<E>) {
        *slot = Some(match slot.take() {
            Some(existing) => existing & condition,
            None => condition,
        });
    }

    /// The condition, or the error it carries.
    pub(crate) fn cond(&self) -> Result<Cond, Error> {
        self.cond.clone().map_err(Error::from)
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
        Condition {
            cond: self.cond.map(Cond::not),
            marker: PhantomData,
        }
    }
}
