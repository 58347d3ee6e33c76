//! Typed field handles and the conditions built from them.

use std::fmt;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::attribute::{Encoder, Scalar, SetElement};
use crate::expression::{Expressions, Path};
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
}

/// What a condition is about: a top-level attribute, or a path inside one (a map entry, a
/// struct member), and how its values are stored. Every condition method of [`Field`] and
/// [`Entry`] is one of the functions below, so that both render through the one [`Cond`].
trait Operand<T> {
    /// The document path.
    fn path(&self) -> Path;
    /// The operand in error messages: the field name, or its path.
    fn label(&self) -> String;
    /// The stored form of `value`, `None` for a value stored as nothing.
    fn encode_value(&self, value: &T) -> Result<Option<AttributeValue>, Error>;
}

impl<E, T, K> Operand<T> for Field<E, T, K> {
    fn path(&self) -> Path {
        Path::top(self.attribute)
    }

    fn label(&self) -> String {
        self.name.to_owned()
    }

    fn encode_value(&self, value: &T) -> Result<Option<AttributeValue>, Error> {
        self.encode(value)
    }
}

/// `op` with a value; `None` (stored as nothing) cannot be compared.
fn compare<E, T>(operand: &impl Operand<T>, op: &'static str, value: &T) -> Condition<E> {
    let encoded = operand.encode_value(value).and_then(|v| {
        v.ok_or_else(|| {
            Error::InvalidRequest(format!(
                "`{}` cannot be compared with None (use exists / not_exists)",
                operand.label()
            ))
        })
    });
    Condition::new(encoded.map(|v| Cond::Compare(operand.path(), op, v)))
}

/// `=` (or `<>` when `equal` is false); a value stored as nothing means the attribute is
/// absent (or present).
fn equals<E, T>(operand: &impl Operand<T>, value: &T, equal: bool) -> Condition<E> {
    match (operand.encode_value(value), equal) {
        (Ok(None), true) => Condition::new(Ok(Cond::NotExists(operand.path()))),
        (Ok(None), false) => Condition::new(Ok(Cond::Exists(operand.path()))),
        (_, true) => compare(operand, "=", value),
        (_, false) => compare(operand, "<>", value),
    }
}

fn between<E, T>(operand: &impl Operand<T>, low: &T, high: &T) -> Condition<E> {
    let both = operand
        .encode_value(low)
        .and_then(|low| Ok((low, operand.encode_value(high)?)));
    Condition::new(both.and_then(|pair| match pair {
        (Some(low), Some(high)) => Ok(Cond::Between(operand.path(), low, high)),
        _ => Err(Error::InvalidRequest(format!(
            "`{}` cannot be between None",
            operand.label()
        ))),
    }))
}

fn is_in<E, T>(operand: &impl Operand<T>, values: impl IntoIterator<Item = T>) -> Condition<E> {
    let label = operand.label();
    let encoded = values
        .into_iter()
        .map(|value| {
            operand.encode_value(&value)?.ok_or_else(|| {
                Error::InvalidRequest(format!(
                    "`{label}` cannot be compared with None in `is_in` (use exists / not_exists)"
                ))
            })
        })
        .collect::<Result<Vec<_>, Error>>();
    Condition::new(encoded.and_then(|values| match values.len() {
        1..=100 => Ok(Cond::In(operand.path(), values)),
        n => Err(Error::InvalidRequest(format!(
            "`{label}` is_in needs 1 to 100 values, not {n}"
        ))),
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
            compare(self, "<", &value)
        }

        /// At or below `value`.
        pub fn le(&self, value: $value) -> Condition<E> {
            compare(self, "<=", &value)
        }

        /// Above `value`.
        pub fn gt(&self, value: $value) -> Condition<E> {
            compare(self, ">", &value)
        }

        /// At or above `value`.
        pub fn ge(&self, value: $value) -> Condition<E> {
            compare(self, ">=", &value)
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
                path: Operand::<$value>::path(self),
                marker: PhantomData,
            }
        }

        /// Stored as `kind` (`attribute_type`): how to tell items written in an older format
        /// from new ones, say.
        pub fn has_type(&self, kind: AttributeType) -> Condition<E> {
            Condition::new(Ok(Cond::Type(Operand::<$value>::path(self), kind)))
        }

        /// The item has it.
        pub fn exists(&self) -> Condition<E> {
            Condition::new(Ok(Cond::Exists(Operand::<$value>::path(self))))
        }

        /// The item does not have it.
        pub fn not_exists(&self) -> Condition<E> {
            Condition::new(Ok(Cond::NotExists(Operand::<$value>::path(self))))
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
        contains(self, self.entity, self.name, element.into())
    }
}

/// `contains(path, element)`.
fn contains<E, T: Containable>(
    operand: &impl Operand<T>,
    entity: &'static str,
    field: &'static str,
    element: T::Element,
) -> Condition<E> {
    let value = T::element_attribute(&element).map_err(|message| Error::Encode {
        entity,
        field,
        message: message.into_owned(),
    });
    Condition::new(value.map(|value| Cond::Contains(operand.path(), value)))
}

impl<E, M: MapField, K> Field<E, M, K> {
    /// The entry under `key` of a map field (`HashMap<String, V>` or `BTreeMap<String, V>`,
    /// stored as a map `M`): set, remove or add to it in an update, or test it in a condition,
    /// without reading or writing the rest of the map. The key is chosen at run time and may be
    /// any text: it goes into the request as an expression attribute name, never into the
    /// expression.
    ///
    /// ```
    /// # use std::collections::HashMap;
    /// # use dynamo_entity::Entity;
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Address { street: String }
    /// # #[derive(Entity)] #[pk = "CUSTOMER#<id>"]
    /// # struct Customer { id: String, addresses: HashMap<String, Address> }
    /// let home = Customer::fields().addresses.entry("home");
    /// let has_home = home.exists();
    /// ```
    pub fn entry(self, key: impl Into<String>) -> Entry<E, M::Value, K> {
        Entry {
            entity: self.entity,
            field: self.name,
            path: Path {
                attribute: self.attribute,
                keys: vec![key.into()],
            },
            marker: PhantomData,
        }
    }
}

impl<E, T, K> Field<E, T, K> {
    /// The member `name` of a struct field stored as a map (through serde), typed by `access`,
    /// which the compiler checks: `f.address.member("city", |a| &a.city)` is an [`Entry`] of type
    /// `String`, set, removed or tested like a map entry, without touching the rest of the
    /// struct. `name` is the member's name in the stored map (its serde name).
    ///
    /// ```
    /// # use dynamo_entity::Entity;
    /// # #[derive(serde::Serialize, serde::Deserialize)] struct Address { street: String, city: String }
    /// # #[derive(Entity)] #[pk = "CUSTOMER#<id>"] struct Customer { id: String, address: Address }
    /// let city = Customer::fields().address.member("city", |a| &a.city);
    /// let in_paris = city.eq("Paris".to_owned());
    /// ```
    pub fn member<V>(self, name: &str, access: fn(&T) -> &V) -> Entry<E, V, K> {
        let _ = access;
        Entry {
            entity: self.entity,
            field: self.name,
            path: Path {
                attribute: self.attribute,
                keys: vec![name.to_owned()],
            },
            marker: PhantomData,
        }
    }
}

impl<E, V, K> Entry<E, V, K> {
    /// The member `name` of a struct inside this entry, typed by `access`, as
    /// [`Field::member`] is: paths of any depth (`addresses.<label>.city`).
    pub fn member<W>(self, name: &str, access: fn(&V) -> &W) -> Entry<E, W, K> {
        let _ = access;
        let mut path = self.path;
        path.keys.push(name.to_owned());
        Entry {
            entity: self.entity,
            field: self.field,
            path,
            marker: PhantomData,
        }
    }
}

/// Map fields: `HashMap<String, V>` and `BTreeMap<String, V>` (stored through serde as a map),
/// and `Option`s of them.
pub trait MapField {
    /// The value type.
    type Value;
}

impl<V, S> MapField for std::collections::HashMap<String, V, S> {
    type Value = V;
}

impl<V> MapField for std::collections::BTreeMap<String, V> {
    type Value = V;
}

impl<M: MapField> MapField for Option<M> {
    type Value = M::Value;
}

/// One entry of a map field, by key ([`Field::entry`]).
pub struct Entry<E, V, K = kind::Settable> {
    entity: &'static str,
    field: &'static str,
    path: Path,
    marker: EntryMarker<E, V, K>,
}

/// An entry's types, owned by nothing.
type EntryMarker<E, V, K> = PhantomData<fn() -> (E, V, K)>;

impl<E, V, K> Clone for Entry<E, V, K> {
    fn clone(&self) -> Self {
        Entry {
            entity: self.entity,
            field: self.field,
            path: self.path.clone(),
            marker: PhantomData,
        }
    }
}

impl<E, V, K> fmt::Debug for Entry<E, V, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Entry({} at {})", self.field, self.path)
    }
}

impl<E, V: serde::Serialize, K> Entry<E, V, K> {
    /// The document path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The entity and field, for errors.
    pub(crate) fn names(&self) -> (&'static str, &'static str) {
        (self.entity, self.field)
    }

    /// The stored form of a value of the entry (through serde, as the map is stored); `None`
    /// for a value stored as nothing (`NULL`).
    pub(crate) fn encode(&self, value: &V) -> Result<Option<AttributeValue>, Error> {
        match crate::ser::to_attribute_value(value) {
            Ok(AttributeValue::Null(_)) => Ok(None),
            Ok(value) => Ok(Some(value)),
            Err(e) => Err(Error::Encode {
                entity: self.entity,
                field: self.field,
                message: format!("the entry {}: {e}", self.path),
            }),
        }
    }
}

impl<E, V: serde::Serialize, K> Operand<V> for Entry<E, V, K> {
    fn path(&self) -> Path {
        self.path.clone()
    }

    fn label(&self) -> String {
        self.path.to_string()
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
        contains(self, self.entity, self.field, element.into())
    }
}

impl<E, K> Entry<E, String, K> {
    /// The entry is a string starting with `prefix`.
    pub fn begins_with(&self, prefix: &str) -> Condition<E> {
        let prefix = AttributeValue::S(prefix.to_owned());
        Condition::new(Ok(Cond::BeginsWith(self.path.clone(), prefix)))
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
    fn compare(self, op: &'static str, size: usize) -> Condition<E> {
        let value = AttributeValue::N(size.to_string());
        Condition::new(Ok(Cond::Size(self.path, op, value)))
    }

    /// The size is `size`.
    pub fn eq(self, size: usize) -> Condition<E> {
        self.compare("=", size)
    }

    /// The size is not `size`.
    pub fn ne(self, size: usize) -> Condition<E> {
        self.compare("<>", size)
    }

    /// The size is below `size`.
    pub fn lt(self, size: usize) -> Condition<E> {
        self.compare("<", size)
    }

    /// The size is at most `size`.
    pub fn le(self, size: usize) -> Condition<E> {
        self.compare("<=", size)
    }

    /// The size is above `size`.
    pub fn gt(self, size: usize) -> Condition<E> {
        self.compare(">", size)
    }

    /// The size is at least `size`.
    pub fn ge(self, size: usize) -> Condition<E> {
        self.compare(">=", size)
    }
}

/// A DynamoDB attribute type, for [`Field::has_type`], named as the SDK's `AttributeValue`
/// variants are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// String fields: prefix conditions.
macro_rules! begins_with {
    ($($ty:ty),*) => {$(
        impl<E, K> Field<E, $ty, K> {
            /// The attribute is a string starting with `prefix`.
            pub fn begins_with(self, prefix: &str) -> Condition<E> {
                Condition::new(Ok(Cond::BeginsWith(
                    Path::top(self.attribute),
                    AttributeValue::S(prefix.to_owned()),
                )))
            }
        }
    )*};
}
begins_with!(String, Option<String>);

#[derive(Debug)]
enum Cond {
    Compare(Path, &'static str, AttributeValue),
    Between(Path, AttributeValue, AttributeValue),
    Exists(Path),
    NotExists(Path),
    BeginsWith(Path, AttributeValue),
    Contains(Path, AttributeValue),
    Size(Path, &'static str, AttributeValue),
    Type(Path, AttributeType),
    In(Path, Vec<AttributeValue>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

impl Cond {
    fn render(&self, out: &mut Expressions) -> String {
        match self {
            Cond::Compare(path, op, value) => {
                format!("{} {op} {}", out.path(path), out.value(value.clone()))
            }
            Cond::Between(path, low, high) => format!(
                "{} BETWEEN {} AND {}",
                out.path(path),
                out.value(low.clone()),
                out.value(high.clone())
            ),
            Cond::Exists(path) => format!("attribute_exists({})", out.path(path)),
            Cond::NotExists(path) => format!("attribute_not_exists({})", out.path(path)),
            Cond::BeginsWith(path, prefix) => format!(
                "begins_with({}, {})",
                out.path(path),
                out.value(prefix.clone())
            ),
            Cond::Contains(path, element) => format!(
                "contains({}, {})",
                out.path(path),
                out.value(element.clone())
            ),
            Cond::Size(path, op, size) => {
                format!("size({}) {op} {}", out.path(path), out.value(size.clone()))
            }
            Cond::Type(path, kind) => format!(
                "attribute_type({}, {})",
                out.path(path),
                out.value(AttributeValue::S(kind.code().to_owned()))
            ),
            Cond::In(path, values) => {
                let name = out.path(path);
                let values: Vec<String> = values.iter().map(|v| out.value(v.clone())).collect();
                format!("{name} IN ({})", values.join(", "))
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
    /// carries is reported again as it is (those a condition can carry), else by its message.
    pub(crate) fn render_clone_into(&self, out: &mut Expressions) -> Result<String, Error> {
        match &self.cond {
            Ok(cond) => Ok(cond.render(out)),
            Err(Error::InvalidRequest(message)) => Err(Error::InvalidRequest(message.clone())),
            Err(Error::Encode {
                entity,
                field,
                message,
            }) => Err(Error::Encode {
                entity,
                field,
                message: message.clone(),
            }),
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
