//! `#[derive(KeyValue)]` for fieldless enums: each variant is written as its name, or the name
//! given with `#[dynamo(rename = "...")]`.
//!
//! Staged as `#[derive(Entity)]` is: the input is read into a model (`parse`), the rules are
//! checked over it (`check`), and code is generated from it (`expand`); after an error, a
//! fallback impl keeps uses of the type from adding errors of their own.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{DeriveInput, Ident, LitStr};

use crate::ctxt::Errors;
use crate::template::DELIMITER;

/// One variant and the text it is written as in keys, with the span to blame for that text.
struct Variant<'a> {
    ident: &'a Ident,
    name: String,
    span: Span,
}

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let variants = parse(input, &mut errors);
    if let Some(variants) = &variants {
        check(variants, &mut errors);
    }
    match (variants, errors.finish()) {
        (Some(variants), Ok(())) => expand(&input.ident, &variants),
        (_, result) => {
            let mut tokens = result
                .err()
                .map(|e| e.to_compile_error())
                .unwrap_or_default();
            tokens.extend(fallback(&input.ident));
            tokens
        }
    }
}

/// The variants, or `None` for an input that is no enum.
fn parse<'a>(input: &'a DeriveInput, errors: &mut Errors) -> Option<Vec<Variant<'a>>> {
    let data = match &input.data {
        syn::Data::Enum(data) => data,
        other => {
            let span = match other {
                syn::Data::Struct(s) => s.struct_token.span,
                syn::Data::Union(u) => u.union_token.span,
                syn::Data::Enum(e) => e.enum_token.span,
            };
            errors.at(
                span,
                "#[derive(KeyValue)] needs a fieldless enum; for other types implement \
                 `dynamo_entity::KeyValue` by hand",
            );
            return None;
        }
    };
    let mut variants = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, syn::Fields::Unit) {
            errors.at(
                variant.ident.span(),
                format!(
                    "variant `{}` has fields; #[derive(KeyValue)] writes a variant's name, so \
                     every variant must be fieldless",
                    variant.ident
                ),
            );
            continue;
        }
        let mut rename: Option<LitStr> = None;
        for attr in variant.attrs.iter().filter(|a| a.path().is_ident("dynamo")) {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    rename = Some(meta.value()?.parse()?);
                    Ok(())
                } else {
                    Err(meta.error("unknown dynamo option on a variant (expected `rename`)"))
                }
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
        let (name, span) = match &rename {
            Some(lit) => (lit.value(), lit.span()),
            None => (variant.ident.to_string(), variant.ident.span()),
        };
        variants.push(Variant {
            ident: &variant.ident,
            name,
            span,
        });
    }
    Some(variants)
}

/// Key values are non-empty, hold no delimiter, and differ: the encoding is injective.
fn check(variants: &[Variant<'_>], errors: &mut Errors) {
    for (i, variant) in variants.iter().enumerate() {
        let name = &variant.name;
        if name.is_empty() || name.contains(DELIMITER) {
            errors.at(
                variant.span,
                format!("key value `{name}` must be non-empty and must not contain `#`"),
            );
        }
        if variants[..i].iter().any(|v| v.name == *name) {
            errors.at(
                variant.span,
                format!("two variants are written as `{name}`; key values must differ"),
            );
        }
    }
}

fn expand(ident: &Ident, variants: &[Variant<'_>]) -> TokenStream {
    let arms = variants.iter().map(|v| {
        let (variant, name) = (v.ident, &v.name);
        quote!(Self::#variant => #name,)
    });
    let count = variants.len() as u64;
    quote! {
        #[automatically_derived]
        impl ::dynamo_entity::__private::KeyValue for #ident {
            fn write_key(
                &self,
                out: &mut ::dynamo_entity::__private::String,
            ) -> ::dynamo_entity::__private::Result<(), ::dynamo_entity::__private::KeyValueError> {
                out.push_str(match *self { #(#arms)* });
                ::dynamo_entity::__private::Result::Ok(())
            }

            fn domain() -> ::dynamo_entity::__private::KeyDomain {
                ::dynamo_entity::__private::KeyDomain::Finite(#count)
            }
        }
    }
}

/// After an error: an impl whose method never runs, so that the type's uses as a key field
/// report nothing more.
fn fallback(ident: &Ident) -> TokenStream {
    quote! {
        #[automatically_derived]
        impl ::dynamo_entity::__private::KeyValue for #ident {
            fn write_key(
                &self,
                _: &mut ::dynamo_entity::__private::String,
            ) -> ::dynamo_entity::__private::Result<(), ::dynamo_entity::__private::KeyValueError> {
                ::core::unreachable!()
            }
        }
    }
}
