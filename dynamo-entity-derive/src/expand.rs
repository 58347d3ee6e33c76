//! Code generation for `#[derive(Entity)]`.
//!
//! Generated code names everything by absolute path through `::dynamo_entity::__private`, and
//! its locals start with `__dynamo`, so that it neither leans on the user's prelude nor clashes
//! with the user's names.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{DeriveInput, Type};

use crate::ast::{last_segment, single_type_argument, Container, Field, IndexId, KeyDef, Role};
use crate::template::{Segment, Template};
use crate::{attr, check, ctxt::Errors};

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let cont = attr::container(input, &mut errors);
    if let Some(cont) = &cont {
        check::check(cont, &mut errors);
    }
    match (cont, errors.finish()) {
        (Some(cont), Ok(())) => expand(&cont, &input.vis),
        (_, result) => {
            let mut tokens = result
                .err()
                .map(|e| e.to_compile_error())
                .unwrap_or_default();
            tokens.extend(fallback(input));
            tokens
        }
    }
}

/// After an error, an impl whose items never run, so that uses of the entity elsewhere do not add
/// a cascade of "trait not implemented" errors to the real one.
fn fallback(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let name = ident.to_string();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::dynamo_entity::__private::Entity for #ident #ty_generics #where_clause {
            const ENTITY_TYPE: &'static str = #name;
            const SCHEMA: ::dynamo_entity::__private::EntitySchema =
                ::dynamo_entity::__private::EntitySchema {
                    entity_type: #name,
                    type_attribute: ::dynamo_entity::__private::TYPE_ATTRIBUTE,
                    constant_pk: false,
                    version: ::dynamo_entity::__private::Option::None,
                    ttl: ::dynamo_entity::__private::Option::None,
                    created_at: ::dynamo_entity::__private::Option::None,
                    updated_at: ::dynamo_entity::__private::Option::None,
                    keys: &[],
                    attributes: &[],
                };
            fn key(&self) -> ::dynamo_entity::__private::Result<
                ::dynamo_entity::__private::Key, ::dynamo_entity::__private::Error> {
                ::core::unreachable!()
            }
            fn index_key(&self, _: ::dynamo_entity::__private::Index) -> ::dynamo_entity::__private::Result<
                ::dynamo_entity::__private::Option<::dynamo_entity::__private::Key>,
                ::dynamo_entity::__private::Error> {
                ::core::unreachable!()
            }
            fn to_item(&self) -> ::dynamo_entity::__private::Result<
                ::dynamo_entity::__private::Item, ::dynamo_entity::__private::Error> {
                ::core::unreachable!()
            }
            fn unique_values(&self) -> ::dynamo_entity::__private::Result<
                ::std::vec::Vec<(&'static str, ::dynamo_entity::__private::String)>,
                ::dynamo_entity::__private::Error,
            > {
                ::core::unreachable!()
            }
            fn from_item(_: ::dynamo_entity::__private::Item) -> ::dynamo_entity::__private::Result<
                Self, ::dynamo_entity::__private::Error> {
                ::core::unreachable!()
            }
        }
    }
}

/// A checked index: every template parsed and every placeholder names a field.
struct Index<'c, 'a> {
    id: IndexId,
    pk: (&'c syn::LitStr, &'c Template),
    sk: Option<(&'c syn::LitStr, &'c Template)>,
    /// The placeholder fields in order of first appearance (pk, then sk): the builder's
    /// parameters.
    params: Vec<&'c Field<'a>>,
}

impl<'c, 'a> Index<'c, 'a> {
    fn new(cont: &'c Container<'a>, def: &'c KeyDef) -> Self {
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
            id: def.index,
            pk,
            sk,
            params,
        }
    }

    /// True when an `Option` placeholder can leave the item out of this index.
    fn sparse(&self) -> bool {
        self.params.iter().any(|f| f.option_inner.is_some())
    }

    /// `primary_key` / `gsi3_key`, `partition_key` / `gsi3_partition_key`, and `query` /
    /// `query_gsi3`.
    fn builder_names(&self) -> (Ident, Ident, Ident) {
        match self.id {
            IndexId::Primary => (
                format_ident!("primary_key"),
                format_ident!("partition_key"),
                format_ident!("query"),
            ),
            IndexId::Gsi(n) => (
                format_ident!("gsi{}_key", n),
                format_ident!("gsi{}_partition_key", n),
                format_ident!("query_gsi{}", n),
            ),
        }
    }

    fn attribute_names(&self) -> (String, String) {
        match self.id {
            IndexId::Primary => ("PK".to_owned(), "SK".to_owned()),
            IndexId::Gsi(n) => (format!("GSI{n}PK"), format!("GSI{n}SK")),
        }
    }

    fn index_path(&self) -> TokenStream {
        match self.id {
            IndexId::Primary => quote!(::dynamo_entity::__private::Index::Primary),
            IndexId::Gsi(n) => quote!(::dynamo_entity::__private::Index::Gsi(#n)),
        }
    }
}

/// The type a key placeholder encodes: the field's type, or `T` of an `Option<T>` field.
fn key_type<'a>(field: &Field<'a>) -> &'a Type {
    field.option_inner.unwrap_or(field.ty)
}

/// Where a key's placeholder values come from.
#[derive(Clone, Copy)]
enum Source {
    /// A key builder's parameters, named after the fields (`impl KeyArg<T>`).
    Args,
    /// The entity itself: `&self.field`, or for an `Option` field the binding
    /// `__dynamo_<field>` of its `Some` value.
    Fields,
}

fn option_binding(field: &Field<'_>) -> Ident {
    format_ident!("__dynamo_{}", field.name)
}

/// A block that builds one key string from a template.
fn build_key_string(
    entity: &str,
    lit: &syn::LitStr,
    template: &Template,
    cont: &Container<'_>,
    source: Source,
) -> TokenStream {
    let template_text = lit.value();
    // Each placeholder's value is bound first, so the key can be allocated once at its final
    // size from the values' length hints.
    let mut bindings = Vec::new();
    let mut hints = Vec::new();
    let mut parts = Vec::new();
    for segment in &template.segments {
        let (name, ident) = match segment {
            Segment::Literal(text) => {
                parts.push(quote!(__dynamo_key.push_str(#text);));
                continue;
            }
            Segment::Placeholder { name, .. } => (name, format_ident!("__dynamo_part_{}", name)),
        };
        let field = cont.field(name).unwrap();
        let ty = key_type(field);
        let field_ident = field.ident;
        match source {
            Source::Args => {
                bindings.push(quote!(let #ident = &#field_ident;));
                hints.push(quote!(::dynamo_entity::__private::KeyArg::<#ty>::key_len_hint(#ident)));
                parts.push(quote! {
                    ::dynamo_entity::__private::write_key_arg::<#ty, _>(
                        &mut __dynamo_key, #ident, #entity, #name, #template_text,
                    )?;
                });
            }
            Source::Fields => {
                let value = match field.option_inner {
                    Some(_) => option_binding(field).into_token_stream(),
                    None => quote!(&self.#field_ident),
                };
                // Spanned at the field's type, so that "cannot be part of a DynamoDB key" points
                // there.
                bindings.push(quote_spanned! {ty.span()=>
                    let #ident = ::dynamo_entity::__private::key_value::<#ty>(#value);
                });
                hints.push(quote!(::dynamo_entity::__private::KeyValue::key_len_hint(#ident)));
                parts.push(quote! {
                    ::dynamo_entity::__private::write_key_value(
                        &mut __dynamo_key, #ident, #entity, #name, #template_text,
                    )?;
                });
            }
        }
    }
    let literal_len = template.literal_len();
    quote! {{
        #(#bindings)*
        let mut __dynamo_key = ::dynamo_entity::__private::String::with_capacity(
            #literal_len #(+ #hints)*
        );
        #(#parts)*
        __dynamo_key
    }}
}

/// A `Key { pk, sk }` expression for one index.
fn build_key(
    entity: &str,
    cont: &Container<'_>,
    index: &Index<'_, '_>,
    source: Source,
) -> TokenStream {
    let (pk_lit, pk_template) = index.pk;
    let pk = build_key_string(entity, pk_lit, pk_template, cont, source);
    let sk = match index.sk {
        Some((lit, template)) => {
            let sk = build_key_string(entity, lit, template, cont, source);
            quote!(::dynamo_entity::__private::Option::Some(#sk))
        }
        None => quote!(::dynamo_entity::__private::Option::None),
    };
    quote!(::dynamo_entity::__private::Key { pk: #pk, sk: #sk })
}

/// The typestate query of an index whose sort key template has placeholders: `PetQuery` for the
/// primary key, `PetGsi1Query` for GSI1. `None` when there is nothing to narrow.
fn sort_key_query_name(cont: &Container<'_>, index: &Index<'_, '_>) -> Option<Ident> {
    let (_, sk) = index.sk?;
    sk.placeholders().next()?;
    Some(match index.id {
        IndexId::Primary => format_ident!("{}Query", cont.ident),
        IndexId::Gsi(n) => format_ident!("{}Gsi{}Query", cont.ident, n),
    })
}

/// Whether every key holding a value of `ty` starts with that value's whole encoding followed
/// by what comes after it: true for the fixed-width encodings.
fn fixed_width_key(ty: &Type) -> bool {
    crate::check::is_timestamp(ty)
        || crate::check::is_integer(ty)
        || last_segment(ty).is_some_and(|s| s.ident == "Uuid")
}

/// The typestate query struct of an index: stage `K` has fixed the first `K` sort key
/// placeholders by equality; each stage offers equality on the next placeholder (the next
/// stage) and, where the bounds can be exact, ranges on it (a finished `Query`).
fn sort_key_query(
    entity: &str,
    cont: &Container<'_>,
    index: &Index<'_, '_>,
    vis: &syn::Visibility,
) -> Option<TokenStream> {
    let name = sort_key_query_name(cont, index)?;
    let ident = cont.ident;
    let (sk_lit, sk) = index.sk?;
    let template_text = sk_lit.value();
    // Each placeholder with the literal that follows it.
    let mut steps: Vec<(&str, String)> = Vec::new();
    for segment in &sk.segments {
        match segment {
            Segment::Placeholder { name, .. } => steps.push((name, String::new())),
            Segment::Literal(text) => {
                if let Some(last) = steps.last_mut() {
                    last.1 = text.clone();
                }
            }
        }
    }
    let count = steps.len();
    let q = quote!(::dynamo_entity::__private);
    let stages = steps.iter().enumerate().map(|(stage, (placeholder, after))| {
        let field = cont.field(placeholder).unwrap();
        let field_ident = field.ident;
        let ty = key_type(field);
        let next = stage + 1;
        let complete = next == count;
        let fixed = fixed_width_key(ty);
        let key_of = |value: TokenStream| {
            quote! {{
                let mut __dynamo_key = self.prefix.clone();
                #q::write_key_arg::<#ty, _>(
                    &mut __dynamo_key, &#value, #entity, #placeholder, #template_text)?;
                __dynamo_key
            }}
        };
        let equality_doc = format!("Sort key with `{placeholder}` equal to the value.");
        let value_key = key_of(quote!(#field_ident));
        let mut methods = vec![quote! {
            #[doc = #equality_doc]
            pub fn #field_ident(self, #field_ident: impl #q::KeyArg<#ty>)
                -> #q::Result<#name<#next>, #q::Error>
            {
                let mut __dynamo_key = #value_key;
                __dynamo_key.push_str(#after);
                #q::Result::Ok(#name { query: self.query, prefix: __dynamo_key, complete: #complete })
            }
        }];
        // Exact bounds need a fixed-width value, or a value that ends the key.
        if fixed || (complete && after.is_empty()) {
            let low_key = key_of(quote!(low));
            let high_key = key_of(quote!(high));
            let one_key = key_of(quote!(value));
            let some = |key: &TokenStream, included: bool| quote!(#q::Option::Some((#key, #included)));
            let none = quote!(#q::Option::None);
            let ranges = [
                ("between", true, some(&low_key, true), some(&high_key, true)),
                ("gt", false, some(&one_key, false), none.clone()),
                ("ge", false, some(&one_key, true), none.clone()),
                ("lt", false, none.clone(), some(&one_key, false)),
                ("le", false, none.clone(), some(&one_key, true)),
            ];
            for (suffix, two, low, high) in ranges {
                let method = format_ident!("{}_{}", field_ident, suffix);
                let params = if two {
                    quote!(low: impl #q::KeyArg<#ty>, high: impl #q::KeyArg<#ty>)
                } else {
                    quote!(value: impl #q::KeyArg<#ty>)
                };
                let doc = format!("Sort key with `{placeholder}` {suffix} the bound(s).");
                methods.push(quote! {
                    #[doc = #doc]
                    pub fn #method(self, #params) -> #q::Result<#q::Query<#ident>, #q::Error> {
                        let __dynamo_range = #q::__sort_key_range(&self.prefix, #low, #high, #fixed)?;
                        #q::Result::Ok(self.query.__with_sort_key(__dynamo_range))
                    }
                });
            }
        }
        quote! {
            #[automatically_derived]
            impl #name<#stage> {
                #(#methods)*
            }
        }
    });
    let doc = format!(
        "A query on `{ident}` that can narrow the sort key `{template_text}` placeholder by \
         placeholder; pass it to `Table::query` at any stage."
    );
    Some(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #vis struct #name<const STAGE: usize> {
            query: #q::Query<#ident>,
            prefix: #q::String,
            complete: bool,
        }

        #[automatically_derived]
        impl<const STAGE: usize> ::core::convert::From<#name<STAGE>> for #q::Query<#ident> {
            fn from(stage: #name<STAGE>) -> Self {
                let condition = if stage.complete {
                    #q::SortKeyCondition::Eq(stage.prefix)
                } else if stage.prefix.is_empty() {
                    #q::SortKeyCondition::Any
                } else {
                    #q::SortKeyCondition::BeginsWith(stage.prefix)
                };
                stage.query.__with_sort_key(condition)
            }
        }

        #(#stages)*
    })
}

fn builders(entity: &str, cont: &Container<'_>, index: &Index<'_, '_>) -> TokenStream {
    let (key_fn, partition_fn, query_fn) = index.builder_names();
    let describe = index.id.describe();
    let param = |field: &Field<'_>| {
        let ident = field.ident;
        let ty = key_type(field);
        quote!(#ident: impl ::dynamo_entity::__private::KeyArg<#ty>)
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
    let pk = build_key_string(entity, pk_lit, pk_template, cont, Source::Args);
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
    let (query_type, query_value) = match sort_key_query_name(cont, index) {
        Some(name) => {
            let first_literal = match index.sk.map(|(_, t)| t.segments.first()) {
                Some(Some(Segment::Literal(text))) => text.clone(),
                _ => String::new(),
            };
            (
                quote!(#name<0>),
                quote!(#name {
                    query: __dynamo_query,
                    prefix: ::dynamo_entity::__private::String::from(#first_literal),
                    complete: false,
                }),
            )
        }
        None => (
            quote!(::dynamo_entity::__private::Query<Self>),
            quote!(__dynamo_query),
        ),
    };
    let query_doc = format!(
        "A query on the {describe} partition `{}`, selecting `{entity}` items; run it with \
         `Table::query`.",
        pk_lit.value()
    );
    quote! {
        #[doc = #key_doc]
        pub fn #key_fn(#(#key_params),*) -> ::dynamo_entity::__private::Result<
            ::dynamo_entity::__private::Key, ::dynamo_entity::__private::Error> {
            ::dynamo_entity::__private::Result::Ok(#key)
        }

        #[doc = #partition_doc]
        pub fn #partition_fn(#(#pk_params),*) -> ::dynamo_entity::__private::Result<
            ::dynamo_entity::__private::String, ::dynamo_entity::__private::Error> {
            ::dynamo_entity::__private::Result::Ok(#pk)
        }

        #[doc = #query_doc]
        pub fn #query_fn(#(#pk_params),*) -> ::dynamo_entity::__private::Result<
            #query_type, ::dynamo_entity::__private::Error> {
            let __dynamo_query = ::dynamo_entity::__private::Query::__new(
                #index_path,
                Self::#partition_fn(#(#pk_args),*)?,
            );
            ::dynamo_entity::__private::Result::Ok(#query_value)
        }
    }
}

/// Template constants for tooling: `PK_TEMPLATE`, `SK_TEMPLATE`, `GSI1_PK_TEMPLATE`, ...
fn template_constants(entity: &str, index: &Index<'_, '_>) -> TokenStream {
    let prefix = match index.id {
        IndexId::Primary => String::new(),
        IndexId::Gsi(n) => format!("GSI{n}_"),
    };
    let pk_name = format_ident!("{}PK_TEMPLATE", prefix);
    let sk_name = format_ident!("{}SK_TEMPLATE", prefix);
    let pk = index.pk.0.value();
    let sk = option_str(index.sk.map(|(lit, _)| lit.value()));
    let describe = index.id.describe();
    let pk_doc = format!("The {describe} partition key template of `{entity}`.");
    let sk_doc = format!("The {describe} sort key template of `{entity}`, if any.");
    quote! {
        #[doc = #pk_doc]
        pub const #pk_name: &'static str = #pk;
        #[doc = #sk_doc]
        pub const #sk_name: ::dynamo_entity::__private::Option<&'static str> = #sk;
    }
}

fn option_str(value: Option<String>) -> TokenStream {
    match value {
        Some(s) => quote!(::dynamo_entity::__private::Option::Some(#s)),
        None => quote!(::dynamo_entity::__private::Option::None),
    }
}

/// The `index_key` arm of one index: its key from `self`, or `None` when a sparse placeholder
/// is `None`.
fn index_key_arm(entity: &str, cont: &Container<'_>, index: &Index<'_, '_>) -> TokenStream {
    let path = index.index_path();
    let key = build_key(entity, cont, index, Source::Fields);
    let found = quote! {
        ::dynamo_entity::__private::Result::Ok(::dynamo_entity::__private::Option::Some(#key))
    };
    let optional: Vec<&Field<'_>> = index
        .params
        .iter()
        .copied()
        .filter(|f| f.option_inner.is_some())
        .collect();
    if optional.is_empty() {
        return quote!(#path => #found,);
    }
    let scrutinee = optional.iter().map(|f| {
        let ident = f.ident;
        quote!(&self.#ident)
    });
    let patterns = optional.iter().map(|f| {
        let binding = option_binding(f);
        quote!(::dynamo_entity::__private::Option::Some(#binding))
    });
    quote! {
        #path => match (#(#scrutinee,)*) {
            (#(#patterns,)*) => #found,
            _ => ::dynamo_entity::__private::Result::Ok(::dynamo_entity::__private::Option::None),
        },
    }
}

/// How a field's value is converted (see the runtime's `attribute` module).
enum Codec<'a> {
    Scalar,
    /// The TTL field: epoch seconds (`N`), whatever its Rust type.
    Ttl,
    /// `Vec<T>` of a scalar `T`: a list converted element by element.
    List(&'a Type),
    Serde,
}

/// Whether `ty` is spelt as one of the scalar types the runtime converts directly.
fn is_scalar(ty: &Type) -> bool {
    let Some(segment) = last_segment(ty) else {
        return false;
    };
    let argument = || {
        single_type_argument(segment)
            .and_then(last_segment)
            .map(|s| s.ident.to_string())
    };
    match segment.ident.to_string().as_str() {
        "String" | "bool" | "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16"
        | "u32" | "u64" | "u128" | "usize" | "f32" | "f64" | "Uuid" | "OffsetDateTime" => {
            segment.arguments.is_none()
        }
        // Bytes are Binary (`B`), not a list of numbers.
        "Vec" => argument().as_deref() == Some("u8"),
        "DateTime" => argument().as_deref() == Some("Utc"),
        _ => false,
    }
}

/// The codec of a field's (inner) type `ty`, its role first.
fn field_codec<'a>(field: &Field<'_>, ty: &'a Type) -> Codec<'a> {
    match field.role {
        Some((Role::Ttl, _)) => Codec::Ttl,
        _ => codec(ty, field.force_serde),
    }
}

/// Recognises the directly converted types by spelling; anything else, including aliases,
/// takes serde, which stores the same values, only more slowly.
fn codec(ty: &Type, force_serde: bool) -> Codec<'_> {
    if force_serde {
        return Codec::Serde;
    }
    if is_scalar(ty) {
        return Codec::Scalar;
    }
    let element = last_segment(ty)
        .filter(|segment| segment.ident == "Vec")
        .and_then(single_type_argument)
        .filter(|element| is_scalar(element));
    match element {
        Some(element) => Codec::List(element),
        None => Codec::Serde,
    }
}

/// Statements adding the field's attribute to `__dynamo_item`, the value taken from `value`,
/// an expression of type `&FieldType`.
fn put_field(entity: &str, field: &Field<'_>, value: TokenStream) -> TokenStream {
    let name = &field.name;
    let attribute = &field.attribute;
    let put = |ty: &Type, value: TokenStream| {
        let (writer, type_argument) = match field_codec(field, ty) {
            Codec::Scalar => (quote!(put_scalar), ty),
            Codec::Ttl => (quote!(put_ttl), ty),
            Codec::List(element) => (quote!(put_list), element),
            Codec::Serde => (quote!(put_serde), ty),
        };
        quote_spanned! {ty.span()=>
            ::dynamo_entity::__private::#writer::<#type_argument>(
                &mut __dynamo_item, #entity, #name, #attribute, #value)?;
        }
    };
    match field.option_inner {
        Some(inner) => {
            let put = put(inner, quote!(__dynamo_inner));
            quote! {
                if let ::dynamo_entity::__private::Option::Some(__dynamo_inner) = #value {
                    #put
                }
            }
        }
        None => put(field.ty, value),
    }
}

/// What the typed API may do with a field (see the runtime's `condition::kind`).
fn field_kind(cont: &Container<'_>, field: &Field<'_>) -> TokenStream {
    let uses_field = |def: &KeyDef| {
        def.templates().any(|(_, t)| {
            t.template
                .as_ref()
                .is_some_and(|t| t.placeholders().any(|(name, _)| name == field.name))
        })
    };
    let in_primary = cont.primary.as_ref().is_some_and(uses_field);
    let in_gsi = cont.gsis.iter().any(uses_field);
    match field.role {
        _ if in_primary => quote!(::dynamo_entity::__private::kind::KeyInput),
        Some((Role::Version | Role::CreatedAt | Role::UpdatedAt, _)) => {
            quote!(::dynamo_entity::__private::kind::Managed)
        }
        _ if in_gsi => quote!(::dynamo_entity::__private::kind::IndexInput),
        _ => quote!(::dynamo_entity::__private::kind::Settable),
    }
}

/// `Pet::fields()` and the `PetFields` struct of typed field handles.
fn typed_fields(cont: &Container<'_>, vis: &syn::Visibility) -> TokenStream {
    let ident = cont.ident;
    let entity = cont.entity_type.as_str();
    let fields_ident = format_ident!("{}Fields", ident);
    let stored: Vec<&Field<'_>> = cont.fields.iter().filter(|f| !f.skip).collect();
    let declarations = stored.iter().map(|f| {
        let name = f.ident;
        let ty = f.ty;
        let kind = field_kind(cont, f);
        let doc = format!("`{}`, stored as `{}`.", f.name, f.attribute);
        quote! {
            #[doc = #doc]
            pub #name: ::dynamo_entity::__private::Field<#ident, #ty, #kind>
        }
    });
    let values = stored.iter().map(|f| {
        let name = f.ident;
        let ty = f.ty;
        let field_name = &f.name;
        let attribute = &f.attribute;
        let put = put_field(entity, f, quote!(__dynamo_value));
        quote! {
            #name: ::dynamo_entity::__private::Field::__new(#field_name, #attribute, |__dynamo_value: &#ty| {
                let mut __dynamo_item = ::dynamo_entity::__private::Item::new();
                #put
                ::dynamo_entity::__private::Result::Ok(__dynamo_item.remove(#attribute))
            })
        }
    });
    let struct_doc =
        format!("Typed handles on the fields of `{ident}`, for conditions and updates.");
    let fn_doc =
        format!("Typed handles on the fields of `{ident}`: `{ident}::fields().name.eq(..)`.");
    quote! {
        #[doc = #struct_doc]
        #[derive(Clone, Copy, Debug)]
        #vis struct #fields_ident {
            #(#declarations,)*
        }

        #[automatically_derived]
        impl #ident {
            #[doc = #fn_doc]
            #vis fn fields() -> #fields_ident {
                #fields_ident {
                    #(#values,)*
                }
            }
        }
    }
}

fn take_field(entity: &str, field: &Field<'_>) -> TokenStream {
    let ident = field.ident;
    let ty = field.ty;
    if field.skip {
        return quote_spanned! {ty.span()=>
            #ident: <#ty as ::dynamo_entity::__private::Default>::default()
        };
    }
    let attribute = &field.attribute;
    let value = quote!(__dynamo_item.remove(#attribute));
    // The reader of the field's type, or of `T` in `Option<T>`.
    let inner = field.option_inner.unwrap_or(ty);
    let reader = match field_codec(field, inner) {
        Codec::Scalar => quote!(::dynamo_entity::__private::take_scalar::<#inner>),
        Codec::Ttl => quote!(::dynamo_entity::__private::take_ttl::<#inner>),
        Codec::List(element) => quote!(::dynamo_entity::__private::take_list::<#element>),
        // serde reads an Option itself: NULL or a missing attribute is None.
        Codec::Serde => {
            return quote_spanned! {ty.span()=>
                #ident: ::dynamo_entity::__private::take_serde::<#ty>(#value, #entity, #attribute)?
            };
        }
    };
    let take = match field.option_inner {
        Some(_) => quote_spanned! {ty.span()=>
            ::dynamo_entity::__private::take_optional(#value, #entity, #attribute, #reader)?
        },
        None => quote_spanned! {ty.span()=>
            #reader(#value, #entity, #attribute)?
        },
    };
    quote!(#ident: #take)
}

fn schema(cont: &Container<'_>, indexes: &[Index<'_, '_>]) -> TokenStream {
    let entity = &cont.entity_type;
    let constant_pk = cont.constant_pk;
    let keys = indexes.iter().map(|index| {
        let path = index.index_path();
        let pk = index.pk.0.value();
        let sk = option_str(index.sk.map(|(lit, _)| lit.value()));
        let sparse = index.sparse();
        quote! {
            ::dynamo_entity::__private::KeySchema { index: #path, pk: #pk, sk: #sk, sparse: #sparse }
        }
    });
    let attributes = cont.fields.iter().filter(|f| !f.skip).map(|f| {
        let field = &f.name;
        let attribute = &f.attribute;
        let optional = f.option_inner.is_some();
        let unique = f.unique.is_some();
        quote! {
            ::dynamo_entity::__private::AttributeSchema {
                field: #field, attribute: #attribute, optional: #optional, unique: #unique,
            }
        }
    });
    let role = |role: Role| option_str(cont.role_field(role).map(|f| f.attribute.clone()));
    let version = role(Role::Version);
    let ttl = role(Role::Ttl);
    let created_at = role(Role::CreatedAt);
    let updated_at = role(Role::UpdatedAt);
    quote! {
        ::dynamo_entity::__private::EntitySchema {
            entity_type: #entity,
            type_attribute: ::dynamo_entity::__private::TYPE_ATTRIBUTE,
            constant_pk: #constant_pk,
            version: #version,
            ttl: #ttl,
            created_at: #created_at,
            updated_at: #updated_at,
            keys: &[#(#keys),*],
            attributes: &[#(#attributes),*],
        }
    }
}

fn expand(cont: &Container<'_>, vis: &syn::Visibility) -> TokenStream {
    let ident = cont.ident;
    let entity = cont.entity_type.as_str();
    let indexes: Vec<Index<'_, '_>> = cont.indexes().map(|def| Index::new(cont, def)).collect();
    let primary = &indexes[0];

    let constants = indexes
        .iter()
        .map(|index| template_constants(entity, index));
    let builders = indexes.iter().map(|index| builders(entity, cont, index));
    let primary_key = build_key(entity, cont, primary, Source::Fields);
    let gsi_arms = indexes[1..]
        .iter()
        .map(|index| index_key_arm(entity, cont, index));
    let put_gsis = indexes[1..].iter().map(|index| {
        let path = index.index_path();
        let (pk_attribute, sk_attribute) = index.attribute_names();
        quote! {
            if let ::dynamo_entity::__private::Option::Some(__dynamo_key) =
                ::dynamo_entity::__private::Entity::index_key(self, #path)?
            {
                ::dynamo_entity::__private::put_key(
                    &mut __dynamo_item, #pk_attribute, #sk_attribute, __dynamo_key);
            }
        }
    });
    let stored: Vec<&Field<'_>> = cont.fields.iter().filter(|f| !f.skip).collect();
    let capacity = 1 + 2 * indexes.len() + stored.len();
    let puts = stored.iter().map(|f| {
        let ident = f.ident;
        put_field(entity, f, quote!(&self.#ident))
    });
    let takes = cont.fields.iter().map(|f| take_field(entity, f));
    let schema = schema(cont, &indexes);

    let typed_fields = typed_fields(cont, vis);
    let unique_values = cont.fields.iter().filter(|f| f.unique.is_some()).map(|f| {
        let ident = f.ident;
        let name = &f.name;
        let ty = key_type(f);
        let push = quote_spanned! {ty.span()=>
            let mut __dynamo_text = ::dynamo_entity::__private::String::new();
            ::dynamo_entity::__private::write_key_value(
                &mut __dynamo_text,
                ::dynamo_entity::__private::key_value::<#ty>(__dynamo_value),
                #entity,
                #name,
                "unique",
            )?;
            __dynamo_values.push((#name, __dynamo_text));
        };
        match f.option_inner {
            Some(_) => quote! {
                if let ::dynamo_entity::__private::Option::Some(__dynamo_value) = &self.#ident {
                    #push
                }
            },
            None => quote! {
                let __dynamo_value = &self.#ident;
                #push
            },
        }
    });
    let sort_key_queries = indexes
        .iter()
        .filter_map(|index| sort_key_query(entity, cont, index, vis));
    quote! {
        #[automatically_derived]
        impl #ident {
            #(#constants)*
            #(#builders)*
        }

        #[automatically_derived]
        impl ::dynamo_entity::__private::Entity for #ident {
            const ENTITY_TYPE: &'static str = #entity;
            const SCHEMA: ::dynamo_entity::__private::EntitySchema = #schema;

            fn key(&self) -> ::dynamo_entity::__private::Result<
                ::dynamo_entity::__private::Key, ::dynamo_entity::__private::Error> {
                ::dynamo_entity::__private::Result::Ok(#primary_key)
            }

            fn index_key(&self, index: ::dynamo_entity::__private::Index)
                -> ::dynamo_entity::__private::Result<
                    ::dynamo_entity::__private::Option<::dynamo_entity::__private::Key>,
                    ::dynamo_entity::__private::Error>
            {
                match index {
                    ::dynamo_entity::__private::Index::Primary => ::dynamo_entity::__private::Entity::key(self)
                        .map(::dynamo_entity::__private::Option::Some),
                    #(#gsi_arms)*
                    _ => ::dynamo_entity::__private::Result::Ok(::dynamo_entity::__private::Option::None),
                }
            }

            fn unique_values(&self) -> ::dynamo_entity::__private::Result<
                ::std::vec::Vec<(&'static str, ::dynamo_entity::__private::String)>,
                ::dynamo_entity::__private::Error,
            > {
                let mut __dynamo_values = ::std::vec::Vec::new();
                #(#unique_values)*
                ::dynamo_entity::__private::Result::Ok(__dynamo_values)
            }

            fn to_item(&self) -> ::dynamo_entity::__private::Result<
                ::dynamo_entity::__private::Item, ::dynamo_entity::__private::Error> {
                let mut __dynamo_item = ::dynamo_entity::__private::Item::with_capacity(#capacity);
                ::dynamo_entity::__private::put_key(
                    &mut __dynamo_item,
                    ::dynamo_entity::__private::PK_ATTRIBUTE,
                    ::dynamo_entity::__private::SK_ATTRIBUTE,
                    ::dynamo_entity::__private::Entity::key(self)?,
                );
                #(#put_gsis)*
                ::dynamo_entity::__private::put_entity_type(&mut __dynamo_item, #entity);
                #(#puts)*
                ::dynamo_entity::__private::Result::Ok(__dynamo_item)
            }

            fn from_item(mut __dynamo_item: ::dynamo_entity::__private::Item)
                -> ::dynamo_entity::__private::Result<Self, ::dynamo_entity::__private::Error>
            {
                ::dynamo_entity::__private::check_entity_type(
                    &__dynamo_item, ::dynamo_entity::__private::TYPE_ATTRIBUTE, #entity)?;
                ::dynamo_entity::__private::Result::Ok(Self {
                    #(#takes,)*
                })
            }
        }

        #typed_fields
        #(#sort_key_queries)*
    }
}
