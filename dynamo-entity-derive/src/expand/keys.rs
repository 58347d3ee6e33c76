//! Key builders, template constants and each index's key from the entity itself.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::Type;

use crate::ast::{Container, Field, IndexId, KeyDef};
use crate::template::{Segment, Template};

use super::sort_key::sort_key_query_name;

/// A checked index: every template parsed and every placeholder names a field.
pub(super) struct Index<'c, 'a> {
    pub(super) id: IndexId,
    pub(super) pk: (&'c syn::LitStr, &'c Template),
    pub(super) sk: Option<(&'c syn::LitStr, &'c Template)>,
    /// The placeholder fields in order of first appearance (pk, then sk): the builder's
    /// parameters.
    pub(super) params: Vec<&'c Field<'a>>,
    /// Whether the partition key template is a copy of the table's (a local index).
    pub(super) pk_copied: bool,
    /// The index's predicate, if it has one.
    pub(super) when: Option<&'c (syn::Ident, Vec<syn::Ident>)>,
    /// The table layout: `<Layout as TableLayout>::LAYOUT`.
    pub(super) layout: TokenStream,
    /// The entity's type, for paths to its constants.
    pub(super) entity: &'a syn::Ident,
    /// Whether the entity names a declared layout (`#[dynamo(table = ..)]`).
    pub(super) declared: bool,
    /// Where the partition key's template is in the entity's templates (see [`templates`]).
    pub(super) pk_slot: usize,
    /// Where the sort key's template is, if the index has a sort key.
    pub(super) sk_slot: Option<usize>,
}

impl<'c, 'a> Index<'c, 'a> {
    /// The index `def`, its templates at `slot` (and `slot + 1` for a sort key) of the entity's
    /// templates.
    pub(super) fn new(cont: &'c Container<'a>, def: &'c KeyDef, slot: usize) -> Self {
        // `check` has rejected every input for which these would fail.
        let parsed = |t: &'c crate::ast::TemplateAttr| (&t.lit, t.template.as_ref().unwrap());
        let pk = parsed(def.pk.as_ref().unwrap());
        let sk = def.sk.as_ref().map(parsed);
        let mut params: Vec<&Field<'_>> = Vec::new();
        for (_, template) in std::iter::once(pk).chain(sk) {
            for (name, _) in template.placeholders() {
                let field = cont.field(name).unwrap();
                if !params.iter().any(|p| p.name == field.name) {
                    params.push(field);
                }
            }
        }
        Index {
            id: def.index.clone(),
            pk,
            sk,
            params,
            pk_copied: def.pk_copied,
            when: def.when.as_ref(),
            layout: layout_expr(cont),
            entity: cont.ident,
            declared: cont.layout.is_some(),
            pk_slot: slot,
            sk_slot: sk.map(|_| slot + 1),
        }
    }

    /// How many templates the index has (one or two).
    pub(super) fn template_count(&self) -> usize {
        1 + usize::from(self.sk.is_some())
    }

    /// The partition key's template, as a `&'static Template` expression.
    pub(super) fn pk_template(&self) -> TokenStream {
        template_ref(self.entity, self.pk_slot)
    }

    /// The sort key's template, as a `&'static Template` expression.
    pub(super) fn sk_template(&self) -> Option<TokenStream> {
        self.sk_slot.map(|slot| template_ref(self.entity, slot))
    }

    /// True when an `Option` placeholder can leave the item out of this index.
    pub(super) fn sparse(&self) -> bool {
        self.params.iter().any(|f| f.option_inner.is_some())
    }

    /// `primary_key` / `gsi3_key`, `partition_key` / `gsi3_partition_key`, and `query` /
    /// `query_gsi3`.
    pub(super) fn builder_names(&self) -> (Ident, Ident, Ident) {
        match self.id {
            IndexId::Primary => (
                format_ident!("primary_key"),
                format_ident!("partition_key"),
                format_ident!("query"),
            ),
            _ => {
                let name = self.id.snake_name();
                (
                    format_ident!("{}_key", name),
                    format_ident!("{}_partition_key", name),
                    format_ident!("query_{}", name),
                )
            }
        }
    }

    /// The `(partition, sort)` key attribute names of the index in the layout, as a const
    /// expression.
    pub(super) fn attribute_names(&self) -> TokenStream {
        // The default layout's names are known here: literals, which cost the compiler less
        // than a const evaluation per index of every entity.
        match (self.declared, &self.id) {
            (false, IndexId::Primary) => return quote!(("PK", "SK")),
            (false, IndexId::Gsi(n)) => {
                let (pk, sk) = (format!("GSI{n}PK"), format!("GSI{n}SK"));
                return quote!((#pk, #sk));
            }
            _ => {}
        }
        let layout = &self.layout;
        let path = self.index_path();
        quote!({
            const __DYNAMO_NAMES: (&str, &str) = __dynamo::key_names(&#layout, #path);
            __DYNAMO_NAMES
        })
    }

    /// The `Index` value, as a const expression: for a named index, the entity's constant
    /// (`User::USER_INDEX`), resolved once.
    pub(super) fn index_path(&self) -> TokenStream {
        match &self.id {
            IndexId::Primary => quote!(__dynamo::Index::Primary),
            IndexId::Gsi(n) => quote!(__dynamo::Index::Gsi(#n)),
            IndexId::Named(_) => {
                let entity = self.entity;
                let name = self.const_name();
                quote!(<#entity>::#name)
            }
        }
    }

    /// The name of the entity's constant for the index: `GSI1`, `USER_INDEX`.
    pub(super) fn const_name(&self) -> Ident {
        format_ident!("{}", self.id.snake_name().to_uppercase())
    }

    /// The definition of the index's constant. A named index is resolved in the layout at
    /// compile time, here: a layout without it stops the build at the name, once.
    pub(super) fn resolved(&self) -> TokenStream {
        match &self.id {
            IndexId::Named(name) => {
                let layout = &self.layout;
                let text = &name.text;
                quote_spanned!(name.span=> __dynamo::index_named(&#layout, #text))
            }
            _ => self.index_path(),
        }
    }
}

/// The table layout of an entity, as a const expression.
pub(super) fn layout_expr(cont: &Container<'_>) -> TokenStream {
    match &cont.layout {
        Some(path) => quote_spanned!(path.span()=> <#path as __dynamo::TableLayout>::LAYOUT),
        None => quote!(__dynamo::Layout::DEFAULT),
    }
}

/// The type a key placeholder encodes: the field's type, or `T` of an `Option<T>` field.
pub(super) fn key_type<'a>(field: &Field<'a>) -> &'a Type {
    field.option_inner.unwrap_or(field.ty)
}

/// Where a key's placeholder values come from.
#[derive(Clone, Copy)]
pub(super) enum Source {
    /// A key builder's parameters, named after the fields (`impl KeyArg<T>`).
    Args,
    /// The entity itself: `&self.field`, or for an `Option` field the binding
    /// `__dynamo_<field>` of its `Some` value.
    Fields,
}

pub(super) fn option_binding(field: &Field<'_>) -> Ident {
    format_ident!("__dynamo_{}", field.name)
}

/// The entity's key templates, once, as the runtime's `Template` values (text and parsed
/// segments): a private constant of the entity that its schema, its key builders and its
/// typestate queries all point into, so that each template is written out once.
pub(super) fn templates(indexes: &[Index<'_, '_>]) -> TokenStream {
    let values = indexes.iter().flat_map(|index| {
        std::iter::once(index.pk)
            .chain(index.sk)
            .map(|(lit, template)| template_value(&lit.value(), template))
    });
    quote! {
        const __DYNAMO_TEMPLATES: &'static [__dynamo::Template] = &[#(#values),*];
    }
}

/// The template at `slot` of the entity's templates, as a `Template` (const) expression.
pub(super) fn template_at(entity: &Ident, slot: usize) -> TokenStream {
    quote!(<#entity>::__DYNAMO_TEMPLATES[#slot])
}

/// The template at `slot` of the entity's templates, as a `&'static Template` expression.
fn template_ref(entity: &Ident, slot: usize) -> TokenStream {
    let at = template_at(entity, slot);
    quote!(&#at)
}

/// An expression building one key string (a `Result`): a call to the runtime's `build_key`
/// with the template and the placeholders' values, so that each key adds values, not code.
pub(super) fn build_key_string(
    entity: &str,
    template_ref: TokenStream,
    template: &Template,
    cont: &Container<'_>,
    source: Source,
) -> TokenStream {
    let values = template
        .placeholders()
        .map(|(name, _)| value_piece(name, cont, source));
    quote! {
        __dynamo::build_key(#entity, #template_ref, &[#(#values),*])
    }
}

/// The value of one placeholder, from the builder's arguments or the entity.
fn value_piece(name: &str, cont: &Container<'_>, source: Source) -> TokenStream {
    let field = cont.field(name).unwrap();
    let ty = key_type(field);
    let field_ident = field.ident;
    match source {
        Source::Args => quote! {
            __dynamo::KeyPiece::Arg(&__dynamo::key_arg::<#ty, _>(&#field_ident))
        },
        Source::Fields => {
            let value = match (field.option_inner, &field.computed) {
                (_, Some(_)) => quote!(&self.#field_ident()),
                (Some(_), None) => option_binding(field).into_token_stream(),
                (None, None) => quote!(&self.#field_ident),
            };
            // Spanned at the field's type, so that "cannot be part of a DynamoDB key" points
            // there.
            let value = quote_spanned! {ty.span()=>
                __dynamo::key_value::<#ty>(#value)
            };
            quote!(__dynamo::KeyPiece::Value(#value))
        }
    }
}

/// Compile-time checks that each placeholder's format fits its field's type, spanned at the
/// template.
pub(super) fn format_checks(cont: &Container<'_>) -> TokenStream {
    let mut checks = Vec::new();
    for def in cont.indexes() {
        for (_, attr) in def.templates() {
            let Some(template) = &attr.template else {
                continue;
            };
            for (name, _, format) in template.formatted() {
                let (Some(format), Some(field)) = (format, cont.field(name)) else {
                    continue;
                };
                let ty = key_type(field);
                let check = match format.fits() {
                    crate::template::Fits::Text => quote!(fits_text),
                    crate::template::Fits::Integer => quote!(fits_integer),
                    crate::template::Fits::Time => quote!(fits_time),
                };
                let span = attr.lit.span();
                checks.push(quote_spanned!(span=> __dynamo::#check::<#ty>();));
            }
        }
    }
    if checks.is_empty() {
        return TokenStream::new();
    }
    quote! {
        const _: () = {
            #[allow(dead_code)]
            fn __dynamo_formats_fit() {
                #(#checks)*
            }
        };
    }
}

/// A `Key { pk, sk }` expression for one index.
pub(super) fn build_key(
    entity: &str,
    cont: &Container<'_>,
    index: &Index<'_, '_>,
    source: Source,
) -> TokenStream {
    let pk = build_key_string(entity, index.pk_template(), index.pk.1, cont, source);
    let sk = match (index.sk, index.sk_template()) {
        (Some((_, template)), Some(template_ref)) => {
            let sk = build_key_string(entity, template_ref, template, cont, source);
            quote!(__dynamo::Option::Some(#sk?))
        }
        _ => quote!(__dynamo::Option::None),
    };
    quote!(__dynamo::Key { pk: #pk?, sk: #sk })
}

pub(super) fn builders(entity: &str, cont: &Container<'_>, index: &Index<'_, '_>) -> TokenStream {
    let (key_fn, partition_fn, query_fn) = index.builder_names();
    let describe = index.id.describe();
    let param = |field: &Field<'_>| {
        let ident = field.ident;
        let ty = key_type(field);
        quote!(#ident: impl __dynamo::KeyArg<#ty>)
    };
    let key_params = index.params.iter().map(|f| param(f));
    let (pk_lit, pk_template) = index.pk;
    let pk_fields: Vec<&Field<'_>> = index
        .params
        .iter()
        .copied()
        .filter(|f| pk_template.placeholders().any(|(name, _)| name == f.name))
        .collect();
    let pk_params: Vec<TokenStream> = pk_fields.iter().map(|f| param(f)).collect();
    let pk_args = pk_fields.iter().map(|f| f.ident);
    let index_path = index.index_path();
    let key = build_key(entity, cont, index, Source::Args);
    let pk = build_key_string(entity, index.pk_template(), pk_template, cont, Source::Args);
    let templates = match index.sk {
        Some((sk_lit, _)) => format!("`{}` / `{}`", pk_lit.value(), sk_lit.value()),
        None => format!("`{}`", pk_lit.value()),
    };
    let key_doc =
        format!("The {describe} of a `{entity}` ({templates}), built from its key fields.");
    let partition_doc = format!(
        "The {describe} partition key of a `{entity}` (`{}`), for queries.",
        pk_lit.value()
    );
    let (query_type, query_value) = match (sort_key_query_name(cont, index), index.sk_template()) {
        (Some(name), Some(sk)) => (
            quote!(#name<0>),
            quote!(#name(__dynamo::SortKeyStage::start(__dynamo_query, #sk))),
        ),
        _ => (quote!(__dynamo::Query<Self>), quote!(__dynamo_query)),
    };
    let query_doc = format!(
        "A query on the {describe} partition `{}`, selecting `{entity}` items; run it with \
         `Table::query`.",
        pk_lit.value()
    );
    quote! {
        #[doc = #key_doc]
        pub fn #key_fn(#(#key_params),*) -> __dynamo::Result<
            __dynamo::Key, __dynamo::Error> {
            __dynamo::Result::Ok(#key)
        }

        #[doc = #partition_doc]
        pub fn #partition_fn(#(#pk_params),*) -> __dynamo::Result<
            __dynamo::String, __dynamo::Error> {
            #pk
        }

        #[doc = #query_doc]
        pub fn #query_fn(#(#pk_params),*) -> __dynamo::Result<
            #query_type, __dynamo::Error> {
            let __dynamo_query = __dynamo::query(
                #index_path,
                Self::#partition_fn(#(#pk_args),*)?,
            );
            __dynamo::Result::Ok(#query_value)
        }
    }
}

/// Template constants for tooling: `PK_TEMPLATE`, `SK_TEMPLATE`, `GSI1_PK_TEMPLATE`, ...
pub(super) fn template_constants(entity: &str, index: &Index<'_, '_>) -> TokenStream {
    let prefix = match index.id {
        IndexId::Primary => String::new(),
        _ => format!("{}_", index.id.snake_name().to_uppercase()),
    };
    let pk_name = format_ident!("{}PK_TEMPLATE", prefix);
    let sk_name = format_ident!("{}SK_TEMPLATE", prefix);
    let pk = index.pk.0.value();
    let sk = option_str(index.sk.map(|(lit, _)| lit.value()));
    let describe = index.id.describe();
    let pk_doc = format!("The {describe} partition key template of `{entity}`.");
    let sk_doc = format!("The {describe} sort key template of `{entity}`, if any.");
    let index_const = match index.id {
        IndexId::Primary => TokenStream::new(),
        _ => {
            let name = index.const_name();
            let path = index.resolved();
            let doc = format!("The index {describe}, for scans and collections.");
            quote! {
                #[doc = #doc]
                pub const #name: __dynamo::Index = #path;
            }
        }
    };
    quote! {
        #[doc = #pk_doc]
        pub const #pk_name: &'static str = #pk;
        #[doc = #sk_doc]
        pub const #sk_name: __dynamo::Option<&'static str> = #sk;
        #index_const
    }
}

/// A template as the runtime's `Template`: its text, and its segments as data, so that the
/// runtime never parses template text.
fn template_value(text: &str, template: &Template) -> TokenStream {
    let segments = template.segments.iter().map(|segment| match segment {
        Segment::Literal(text) => quote!(__dynamo::Segment::Literal(#text)),
        Segment::Placeholder { name, format, .. } => {
            let format = match format {
                Some(format) => {
                    let format = format.tokens();
                    quote!(__dynamo::Option::Some(#format))
                }
                None => quote!(__dynamo::Option::None),
            };
            quote!(__dynamo::Segment::Field(#name, #format))
        }
    });
    quote!(__dynamo::Template::new(#text, &[#(#segments),*]))
}

pub(super) fn option_str(value: Option<String>) -> TokenStream {
    match value {
        Some(s) => quote!(__dynamo::Option::Some(#s)),
        None => quote!(__dynamo::Option::None),
    }
}

/// The `index_key` arm of one index: its key from `self`, or `None` when a sparse placeholder
/// is `None`.
pub(super) fn index_key_arm(
    entity: &str,
    cont: &Container<'_>,
    index: &Index<'_, '_>,
) -> TokenStream {
    let path = index.index_path();
    let key = build_key(entity, cont, index, Source::Fields);
    let found = match index.when {
        Some((method, _)) => quote! {
            if self.#method() {
                __dynamo::Result::Ok(__dynamo::Option::Some(#key))
            } else {
                __dynamo::Result::Ok(__dynamo::Option::None)
            }
        },
        None => quote! {
            __dynamo::Result::Ok(__dynamo::Option::Some(#key))
        },
    };
    let optional: Vec<&Field<'_>> = index
        .params
        .iter()
        .copied()
        .filter(|f| f.option_inner.is_some())
        .collect();
    if optional.is_empty() {
        return quote!(__dynamo_index if __dynamo_index == #path => #found,);
    }
    let scrutinee = optional.iter().map(|f| {
        let ident = f.ident;
        quote!(&self.#ident)
    });
    let patterns = optional.iter().map(|f| {
        let binding = option_binding(f);
        quote!(__dynamo::Option::Some(#binding))
    });
    quote! {
        __dynamo_index if __dynamo_index == #path => match (#(#scrutinee,)*) {
            (#(#patterns,)*) => #found,
            _ => __dynamo::Result::Ok(__dynamo::Option::None),
        },
    }
}
