//! Building a key from its template's pieces: literal text and placeholder values, formatted
//! where the template says so, allocated once at the key's final size.

use super::format::KeyFormat;
use super::key_value::{KeyArg, KeyValue};
use crate::error::{Error, KeyValueError};

/// One piece of a key template, as generated code hands it to [`build_key`]: literal text, or
/// a placeholder's value with its field name.
#[doc(hidden)]
pub enum KeyPiece<'a> {
    /// Literal text of the template.
    Literal(&'static str),
    /// A field's value (from the entity itself).
    Value(&'static str, &'a dyn KeyValue),
    /// A key builder's argument, standing for a field's value.
    Arg(&'static str, &'a dyn AnyKeyArg),
    /// A value or argument written in a [`KeyFormat`] (`<brand:upper>`).
    Formatted(KeyFormat, &'a KeyPiece<'a>),
}

impl KeyPiece<'_> {
    /// About how many bytes the piece writes.
    fn hint(&self) -> usize {
        match self {
            KeyPiece::Literal(text) => text.len(),
            KeyPiece::Value(_, value) => KeyValue::key_len_hint(*value),
            KeyPiece::Arg(_, arg) => arg.len_hint(),
            KeyPiece::Formatted(_, inner) => inner.hint(),
        }
    }

    /// Appends the piece; for a value, the field it is on error.
    fn write(&self, key: &mut String) -> Result<(), (&'static str, KeyValueError)> {
        match self {
            KeyPiece::Literal(text) => {
                key.push_str(text);
                Ok(())
            }
            KeyPiece::Value(field, value) => {
                KeyValue::write_key(*value, key).map_err(|reason| (*field, reason))
            }
            KeyPiece::Arg(field, arg) => arg.write(key).map_err(|reason| (*field, reason)),
            KeyPiece::Formatted(format, inner) => {
                let mut plain = String::with_capacity(inner.hint());
                inner.write(&mut plain)?;
                let field: &'static str = match inner {
                    KeyPiece::Value(field, _) | KeyPiece::Arg(field, _) => field,
                    _ => "",
                };
                let formatted = format.apply(&plain).map_err(|reason| (field, reason))?;
                key.push_str(&formatted);
                Ok(())
            }
        }
    }
}

/// A key builder's argument with the field type it stands for erased, so that the pieces of
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

/// Builds one key from its template's pieces, allocated once at its final size from the
/// values' length hints. A value that cannot be part of a key (empty, or holding the
/// delimiter) is an [`Error::InvalidKey`] naming the entity, the
/// field and the template.
#[doc(hidden)]
pub fn build_key(
    entity: &'static str,
    template: &'static str,
    pieces: &[KeyPiece<'_>],
) -> Result<String, Error> {
    let capacity = pieces.iter().map(KeyPiece::hint).sum();
    let mut key = String::with_capacity(capacity);
    for piece in pieces {
        piece
            .write(&mut key)
            .map_err(|(field, reason)| Error::InvalidKey {
                entity,
                field,
                template,
                reason,
            })?;
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_key_joins_pieces_at_their_exact_size() {
        let owner = String::from("o1");
        let day = 7u32;
        let built = build_key(
            "Pet",
            "OWNER#<owner>#DAY#<day>",
            &[
                KeyPiece::Literal("OWNER#"),
                KeyPiece::Value("owner", &owner),
                KeyPiece::Literal("#DAY#"),
                KeyPiece::Arg("day", &key_arg::<u32, _>(&day)),
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
    fn build_key_names_the_entity_field_and_template_of_a_bad_value() {
        let owner = String::from("a#b");
        let err = build_key(
            "Pet",
            "OWNER#<owner>",
            &[
                KeyPiece::Literal("OWNER#"),
                KeyPiece::Arg("owner", &key_arg::<String, _>(&owner.as_str())),
            ],
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
}
