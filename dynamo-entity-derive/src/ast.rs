//! A model of the derive input: the struct, its fields and its key templates.

use proc_macro2::{Span, TokenStream};
use syn::{Ident, LitStr, Type};

use crate::template::Template;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IndexId {
    Primary,
    Gsi(u8),
}

impl IndexId {
    /// How the index is spelt in attributes, for messages.
    pub fn describe(self) -> String {
        match self {
            IndexId::Primary => "primary key".to_owned(),
            IndexId::Gsi(n) => format!("gsi{n}"),
        }
    }
}

/// One key template as written: the literal and, if it parsed, the template.
pub struct TemplateAttr {
    pub lit: LitStr,
    pub template: Option<Template>,
}

/// The partition and sort key templates of one index.
pub struct KeyDef {
    pub index: IndexId,
    /// The attribute that declared the index, for errors about the index as a whole.
    pub tokens: TokenStream,
    pub pk: Option<TemplateAttr>,
    pub sk: Option<TemplateAttr>,
}

impl KeyDef {
    pub fn templates(&self) -> impl Iterator<Item = (&'static str, &TemplateAttr)> {
        let pk = self.pk.as_ref().map(|t| ("pk", t));
        let sk = self.sk.as_ref().map(|t| ("sk", t));
        pk.into_iter().chain(sk)
    }
}

/// Fields the framework treats specially.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    /// Optimistic locking: set to 1 on create, checked and incremented on every write.
    Version,
    /// Expiry time, stored as epoch seconds; expired items are never returned.
    Ttl,
    /// Set when the item is created.
    CreatedAt,
    /// Set on every write.
    UpdatedAt,
}

impl Role {
    pub const ALL: [(Role, &'static str); 4] = [
        (Role::Version, "version"),
        (Role::Ttl, "ttl"),
        (Role::CreatedAt, "created_at"),
        (Role::UpdatedAt, "updated_at"),
    ];

    pub fn name(self) -> &'static str {
        Role::ALL
            .iter()
            .find(|(r, _)| *r == self)
            .map_or("", |(_, n)| n)
    }
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    /// The field name without `r#`, as placeholders spell it.
    pub name: String,
    pub ty: &'a Type,
    /// The attribute name in the item.
    pub attribute: String,
    /// The span to blame for the attribute name (the `rename` literal, or the field).
    pub attribute_span: Span,
    pub skip: bool,
    pub force_serde: bool,
    /// A value the framework maintains or reads specially, with the option's span.
    pub role: Option<(Role, Span)>,
    /// `#[dynamo(unique)]`, with the option's span: the value is unique across the table.
    pub unique: Option<Span>,
    /// `T` when the field is written `Option<T>`.
    pub option_inner: Option<&'a Type>,
}

pub struct Container<'a> {
    pub ident: &'a Ident,
    pub entity_type: String,
    pub constant_pk: bool,
    /// `None` when `#[pk]` is missing (already reported).
    pub primary: Option<KeyDef>,
    /// In ascending index order.
    pub gsis: Vec<KeyDef>,
    pub fields: Vec<Field<'a>>,
}

impl<'a> Container<'a> {
    /// The field with `role`, if any.
    pub fn role_field(&self, role: Role) -> Option<&Field<'a>> {
        self.fields
            .iter()
            .find(|f| f.role.is_some_and(|(r, _)| r == role))
    }

    pub fn field(&self, name: &str) -> Option<&Field<'a>> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn indexes(&self) -> impl Iterator<Item = &KeyDef> {
        self.primary.iter().chain(&self.gsis)
    }
}

/// `T` if `ty` is written `Option<T>` (also `std::option::Option<T>`).
pub fn option_inner(ty: &Type) -> Option<&Type> {
    let segment = last_segment(ty)?;
    if segment.ident != "Option" {
        return None;
    }
    single_type_argument(segment)
}

/// The last path segment of a plain path type such as `std::vec::Vec<u8>`.
pub fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        Type::Group(group) => last_segment(&group.elem),
        Type::Paren(paren) => last_segment(&paren.elem),
        _ => None,
    }
}

/// The single type argument of a path type (`u8` in `Vec<u8>`).
pub fn single_type_argument(segment: &syn::PathSegment) -> Option<&Type> {
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}
