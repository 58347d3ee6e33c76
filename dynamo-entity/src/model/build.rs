//! Building a key from its template and its placeholders' values: the template's literal text
//! and formats are data the derive wrote once (a [`Template`]); generated code hands over the
//! values only. The key is allocated once at its final size.

use super::template::{Segment, Template};
use crate::codec::format::KeyFormat;
use crate::codec::key_value::{KeyArg, KeyValue};
use crate::error::{Error, KeyValueError, SchemaErrorKind};

/// The value of one placeholder, as generated code hands it to [`build_key`]: a field's value
/// (from the entity itself) or a key builder's argument standing for one.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum KeyPiece<'a> {
    /// A field's value.
    Value(&'a dyn KeyValue),
    /// A key builder's argument, made by [`key_arg`].
    Arg(&'a dyn AnyKeyArg),
}

impl KeyPiece<'_> {
    /// About how many bytes the value writes.
    fn hint(&self) -> usize {
        match self {
            KeyPiece::Value(value) => KeyValue::key_len_hint(*value),
            KeyPiece::Arg(arg) => arg.len_hint(),
        }
    }

    /// Appends the value, unformatted.
    fn write_plain(&self, key: &mut String) -> Result<(), KeyValueError> {
        match self {
            KeyPiece::Value(value) => KeyValue::write_key(*value, key),
            KeyPiece::Arg(arg) => arg.write(key),
        }
    }

    /// Appends the value in `format`, if the template gives one.
    fn write(&self, format: Option<KeyFormat>, key: &mut String) -> Result<(), KeyValueError> {
        match format {
            None => self.write_plain(key),
            Some(format) => {
                let mut plain = String::with_capacity(self.hint());
                self.write_plain(&mut plain)?;
                key.push_str(&format.apply(&plain)?);
                Ok(())
            }
        }
    }
}

/// A key builder's argument with the field type it stands for erased, so that the values of
/// one key fit in one slice. Made by [`key_arg`].
#[doc(hidden)]
pub trait AnyKeyArg {
    /// As [`KeyArg::write_key_arg`].
    fn write(&self, out: &mut String) -> Result<(), KeyValueError>;
    /// As [`KeyArg::key_len_hint`].
    fn len_hint(&self) -> usize;
}

/// A key builder's argument for a field of type `T`; see [`key_arg`].
#[doc(hidden)]
pub struct TypedKeyArg<'a, T: ?Sized, A: ?Sized>(&'a A, std::marker::PhantomData<fn(&T)>);

impl<T: ?Sized, A: KeyArg<T> + ?Sized> AnyKeyArg for TypedKeyArg<'_, T, A> {
    #[inline]
    fn write(&self, out: &mut String) -> Result<(), KeyValueError> {
        self.0.write_key_arg(out)
    }

    #[inline]
    fn len_hint(&self) -> usize {
        self.0.key_len_hint()
    }
}

/// Erases the field type of a key builder's argument. It has no `KeyValue` bound of its own,
/// so that a field type that cannot be a key is reported once, where the entity's own key is
/// built.
#[doc(hidden)]
#[inline]
pub fn key_arg<T: ?Sized, A: KeyArg<T> + ?Sized>(arg: &A) -> TypedKeyArg<'_, T, A> {
    TypedKeyArg(arg, std::marker::PhantomData)
}

/// Appends one placeholder's value to `key`, in the placeholder's format; a value that cannot
/// be part of a key (empty, or holding the delimiter) is an [`Error::InvalidKey`] naming the
/// entity, the field and the template.
pub(crate) fn write_placeholder(
    key: &mut String,
    entity: &'static str,
    template: &Template,
    (field, format): (&'static str, Option<KeyFormat>),
    value: KeyPiece<'_>,
) -> Result<(), Error> {
    value
        .write(format, key)
        .map_err(|reason| Error::InvalidKey {
            entity,
            field,
            template: template.text,
            reason,
        })
}

/// Builds one key of `entity` from its template and its placeholders' values, in order,
/// allocated once at its final size from the values' length hints. A value that cannot be part
/// of a key is an [`Error::InvalidKey`] naming the entity, the field and the template.
#[doc(hidden)]
pub fn build_key(
    entity: &'static str,
    template: &Template,
    values: &[KeyPiece<'_>],
) -> Result<String, Error> {
    let capacity = template.literal_len() + values.iter().map(KeyPiece::hint).sum::<usize>();
    let mut key = String::with_capacity(capacity);
    let mut values = values.iter();
    for segment in template.segments {
        match *segment {
            Segment::Literal(text) => key.push_str(text),
            Segment::Field(field, format) => {
                let Some(value) = values.next() else {
                    return Err(Error::schema(
                        SchemaErrorKind::Definition,
                        format!(
                            "{entity}: no value for `{field}` in the key template `{}`",
                            template.text
                        ),
                    ));
                };
                write_placeholder(&mut key, entity, template, (field, format), *value)?;
            }
        }
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::template::tests::parse;

    #[test]
    fn build_key_joins_literals_and_values_at_their_exact_size() {
        let owner = String::from("o1");
        let day = 7u32;
        let template = parse("OWNER#<owner>#DAY#<day>");
        let built = build_key(
            "Pet",
            &template,
            &[
                KeyPiece::Value(&owner),
                KeyPiece::Arg(&key_arg::<u32, _>(&day)),
            ],
        )
        .unwrap();
        assert_eq!(built, "OWNER#o1#DAY#0000000007");
        assert_eq!(
            built.capacity(),
            built.len(),
            "allocated once, at its final size"
        );
    }

    #[test]
    fn build_key_writes_a_placeholder_in_its_format() {
        let brand = String::from("acme");
        let built = build_key(
            "Item",
            &parse("BRAND#<brand:upper>"),
            &[KeyPiece::Arg(&key_arg::<String, _>(&brand))],
        )
        .unwrap();
        assert_eq!(built, "BRAND#ACME");
    }

    #[test]
    fn build_key_names_the_entity_field_and_template_of_a_bad_value() {
        let owner = String::from("a#b");
        let err = build_key(
            "Pet",
            &parse("OWNER#<owner>"),
            &[KeyPiece::Arg(&key_arg::<String, _>(&owner.as_str()))],
        )
        .unwrap_err();
        match err {
            Error::InvalidKey {
                entity,
                field,
                template,
                ..
            } => assert_eq!((entity, field, template), ("Pet", "owner", "OWNER#<owner>")),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn build_key_refuses_too_few_values_without_panicking() {
        let err = build_key(
            "Pet",
            &parse("OWNER#<owner>#<pet>"),
            &[KeyPiece::Value(&"o1".to_string())],
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Schema { kind: SchemaErrorKind::Definition, message } if message.contains("`pet`")),
            "{err:?}"
        );
    }
}
