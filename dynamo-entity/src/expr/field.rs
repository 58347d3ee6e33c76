//! Typed field handles: a field of an entity (`Pet::fields().name`), a map entry or struct
//! member inside one (`Customer::fields().addresses.entry("home")`), what each may be used for
//! (its [`kind`]), and how its values are stored.

use std::fmt;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use super::path::Path;
use crate::codec::field::Encoder;
use crate::error::{Error, KeyValueError};

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
    key: Option<KeyText<T>>,
    marker: PhantomData<fn() -> (E, K)>,
}

/// A value's text in a key, `None` when the value is `None` (a sparse index's input).
pub(crate) type KeyText<T> = fn(&T) -> Option<Result<String, KeyValueError>>;

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
    /// A handle on the field `name` of `entity`, stored as `attribute` by `encode`.
    pub(crate) const fn new(
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

    /// A handle on an input of GSI keys, whose values' text in a key is `key`'s.
    pub(crate) const fn keyed(
        entity: &'static str,
        name: &'static str,
        attribute: &'static str,
        encode: Encoder<T>,
        key: KeyText<T>,
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
    pub(crate) fn key_part(&self, value: &T) -> Option<Option<Result<String, KeyValueError>>> {
        self.key.map(|key| key(value))
    }

    /// Whether the field is an input of GSI keys.
    pub(crate) fn is_key_part(&self) -> bool {
        self.key.is_some()
    }

    /// The entity the field is of, for errors.
    pub(crate) fn entity(&self) -> &'static str {
        self.entity
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
            path: Path::top(self.attribute).key(key),
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
            path: Path::top(self.attribute).key(name),
            marker: PhantomData,
        }
    }
}

impl<E, V, K> Entry<E, V, K> {
    /// The member `name` of a struct inside this entry, typed by `access`, as
    /// [`Field::member`] is: paths of any depth (`addresses.<label>.city`).
    pub fn member<W>(self, name: &str, access: fn(&V) -> &W) -> Entry<E, W, K> {
        let _ = access;
        Entry {
            entity: self.entity,
            field: self.field,
            path: self.path.key(name),
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
        match crate::codec::serde::to_attribute_value(value) {
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
