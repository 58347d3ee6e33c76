//! A model of the derive input: the struct, its fields and its key templates.

use proc_macro2::{Span, TokenStream};
use syn::{Ident, LitStr, Type};

use crate::template::Template;

#[derive(Clone, PartialEq, Eq)]
pub enum IndexId {
    Primary,
    Gsi(u8),
    /// An index of the table layout, by name: `#[index(UserIndex: ..)]`, or
    /// `#[index("email-index": ..)]` for a name that is no Rust identifier.
    Named(IndexName),
}

impl IndexId {
    /// How the index is spelt in attributes, for messages.
    pub fn describe(&self) -> String {
        match self {
            IndexId::Primary => "primary key".to_owned(),
            IndexId::Gsi(n) => format!("gsi{n}"),
            IndexId::Named(name) => name.text.clone(),
        }
    }

    /// The index's name in snake case, for method names: `gsi1`, `user_index`.
    pub fn snake_name(&self) -> String {
        match self {
            IndexId::Primary => String::new(),
            IndexId::Gsi(n) => format!("gsi{n}"),
            IndexId::Named(name) => snake_case(&name.text),
        }
    }
}

/// An index's name as an entity or layout writes it, and where.
#[derive(Clone)]
pub struct IndexName {
    pub text: String,
    pub span: Span,
}

impl PartialEq for IndexName {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for IndexName {}

impl syn::parse::Parse for IndexName {
    /// `UserIndex` or `"email-index"`.
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(syn::LitStr) {
            let lit: syn::LitStr = input.parse()?;
            return Ok(IndexName {
                text: lit.value(),
                span: lit.span(),
            });
        }
        let ident: Ident = input.parse()?;
        Ok(IndexName {
            text: syn::ext::IdentExt::unraw(&ident).to_string(),
            span: ident.span(),
        })
    }
}

/// `UserIndex` → `user_index`, `GSI1` → `gsi1`, `byDate` → `by_date`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let after_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let before_lower = i > 0
                && chars[i - 1].is_uppercase()
                && chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if (after_lower || before_lower) && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if !c.is_alphanumeric() {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

/// One key template as written: the literal and, if it parsed, the template.
pub struct TemplateAttr {
    pub lit: LitStr,
    pub template: Option<Template>,
}

/// The partition and sort key templates of one index.
pub struct KeyDef {
    pub index: IndexId,
    /// For a named index without a `pk` template: it has the table's partition key (a local
    /// index), and `pk` is a copy of the primary key's template.
    pub pk_copied: bool,
    /// The attribute that declared the index, for errors about the index as a whole.
    pub tokens: TokenStream,
    /// `when(method, from(fields..))`: the item is in the index only when the method says so;
    /// the fields are what the method reads.
    pub when: Option<(Ident, Vec<Ident>)>,
    /// `pk = [field, ..], sk = [field, ..]`: a multi-attribute key, the fields in order.
    pub multi: Option<(Vec<Ident>, Vec<Ident>)>,
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
    /// `#[dynamo(format = "millis")]` on a timestamp: its stored form, with the option's span.
    pub format: Option<(String, Span)>,
    /// For a computed key part (`#[dynamo(computed(name: Type, from(fields..)))]`), the fields
    /// its method reads; `None` for a field of the struct.
    pub computed: Option<Vec<Ident>>,
}

pub struct Container<'a> {
    pub ident: &'a Ident,
    /// `#[dynamo(table = Layout)]`: the table layout, if declared.
    pub layout: Option<syn::Path>,
    pub entity_type: String,
    pub constant_pk: bool,
    /// `None` when `#[pk]` is missing (already reported).
    pub primary: Option<KeyDef>,
    /// In ascending index order.
    pub gsis: Vec<KeyDef>,
    /// The keys in multi-attribute indexes (`multi` set, no templates).
    pub multi_keys: Vec<KeyDef>,
    pub fields: Vec<Field<'a>>,
    /// The computed key parts: values of methods, usable as placeholders.
    pub computed: Vec<Field<'a>>,
}

impl<'a> Container<'a> {
    /// The field with `role`, if any.
    pub fn role_field(&self, role: Role) -> Option<&Field<'a>> {
        self.fields
            .iter()
            .find(|f| f.role.is_some_and(|(r, _)| r == role))
    }

    /// The field, or computed key part, named `name`.
    pub fn field(&self, name: &str) -> Option<&Field<'a>> {
        self.fields
            .iter()
            .chain(&self.computed)
            .find(|f| f.name == name)
    }

    pub fn indexes(&self) -> impl Iterator<Item = &KeyDef> {
        self.primary.iter().chain(&self.gsis)
    }
}

/// `T` if `ty` is written `Option<T>` (also `std::option::Option<T>`).
pub fn option_inner(ty: &Type) -> Option<&Type> {
    let segment = crate::types::last_segment(ty)?;
    if segment.ident != "Option" {
        return None;
    }
    crate::types::single_type_argument(segment)
}

#[cfg(test)]
mod tests {
    #[test]
    fn snake_case_names() {
        assert_eq!(super::snake_case("UserIndex"), "user_index");
        assert_eq!(super::snake_case("GSI1"), "gsi1");
        assert_eq!(super::snake_case("byDate"), "by_date");
        assert_eq!(super::snake_case("HTTPRequests"), "http_requests");
        assert_eq!(super::snake_case("user_index"), "user_index");
    }
}
