//! `#[derive(Projection)]`: a struct of some of an entity's fields, read with a projection
//! expression.
//!
//! Staged as `#[derive(Entity)]` is: `parse` reads the input into a model, `check` applies the
//! rules, `expand` generates the impl; after an error, a fallback impl stands in.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

use crate::ast::{Field, Role};
use crate::ctxt::Errors;

/// The model of a projection: its fields, and the entity they are of.
struct ProjectionDef<'a> {
    ident: &'a syn::Ident,
    of: syn::Path,
    fields: Vec<Field<'a>>,
}

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let (def, of) = parse(input, &mut errors);
    if let Some(def) = &def {
        check(def, &mut errors);
    }
    match (def, errors.finish()) {
        (Some(def), Ok(())) => expand(&def),
        (_, result) => {
            let mut tokens = result
                .err()
                .map(|e| e.to_compile_error())
                .unwrap_or_default();
            // Without the entity there is nothing a stand-in could say.
            tokens.extend(of.map(|of| fallback(&input.ident, &of)));
            tokens
        }
    }
}

/// The projection, or `None` when there is none to read; and the entity it names, if it
/// names one (for the fallback).
fn parse<'a>(
    input: &'a DeriveInput,
    errors: &mut Errors,
) -> (Option<ProjectionDef<'a>>, Option<syn::Path>) {
    let ident = &input.ident;
    let mut of: Option<syn::Path> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("dynamo")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("of") {
                of = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta.error("unknown dynamo option on a projection (expected `of = Entity`)"))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    let named = match &input.data {
        syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Named(named),
            ..
        }) => named,
        _ => {
            errors.at(
                ident.span(),
                "#[derive(Projection)] needs a struct with named fields, each one of the \
                 entity's",
            );
            return (None, of);
        }
    };
    if !input.generics.params.is_empty() {
        errors.at(
            input.generics.span(),
            "#[derive(Projection)] does not support generic structs",
        );
    }
    let fields = crate::attr::fields(named, errors);
    let Some(of_path) = of.clone() else {
        errors.at(
            ident.span(),
            format!(
                "missing #[dynamo(of = Entity)] on `{ident}`: which entity's fields does it \
                 project?"
            ),
        );
        return (None, None);
    };
    let def = ProjectionDef {
        ident,
        of: of_path,
        fields,
    };
    (Some(def), of)
}

/// A projection's fields are read as the entity stores them: no options of the entity's own.
fn check(def: &ProjectionDef<'_>, errors: &mut Errors) {
    for field in &def.fields {
        if field.skip || field.unique.is_some() {
            errors.at(
                field.ident.span(),
                "a projection field takes `rename`, `serde` and `ttl` as the entity's field \
                 does; `skip` and `unique` belong on the entity",
            );
        }
        if let Some((role, span)) = field.role.filter(|(role, _)| *role != Role::Ttl) {
            errors.at(
                span,
                format!(
                    "`{}` belongs on the entity; a projection reads the field as it is stored",
                    role.name()
                ),
            );
        }
    }
}

fn expand(def: &ProjectionDef<'_>) -> TokenStream {
    let ProjectionDef { ident, of, fields } = def;
    let q = quote!(::dynamo_entity::__private);
    let entity_name = of
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    let attributes = fields.iter().map(|f| &f.attribute);
    // Each field is the entity's, with its type, stored under the same attribute name.
    let checks = fields.iter().map(|f| {
        let name = &f.name;
        let attribute = &f.attribute;
        let message = format!(
            "projection `{ident}`: `{entity_name}` has no field `{name}` stored as \
             `{attribute}`"
        );
        let ttl = matches!(f.role, Some((Role::Ttl, _)));
        let ttl_message = format!(
            "projection `{ident}`: `{name}` must be marked #[dynamo(ttl)] exactly when it is \
             `{entity_name}`'s TTL field, so that it is read as stored"
        );
        quote_spanned! {f.ident.span()=>
            if !#q::has_attribute(<#of as #q::Entity>::SCHEMA.attributes, #name, #attribute) {
                ::core::panic!(#message);
            }
            if #q::is_ttl(<#of as #q::Entity>::SCHEMA.ttl, #attribute) != #ttl {
                ::core::panic!(#ttl_message);
            }
        }
    });
    let same_types = fields.iter().map(|f| {
        let field = f.ident;
        let ty = f.ty;
        quote_spanned! {ty.span()=>
            let _: &#ty = &__dynamo_entity.#field;
        }
    });
    let takes = fields
        .iter()
        .map(|f| crate::expand::take_field(&entity_name, f));
    quote! {
        const _: () = {
            #[allow(unused_imports)]
            use ::dynamo_entity::__alias::*;

            #[automatically_derived]
            impl #q::Projection for #ident {
                type Of = #of;
                const ATTRIBUTES: &'static [&'static str] = &[#(#attributes),*];

                fn from_item(mut __dynamo_item: #q::Item) -> #q::Result<Self, #q::Error> {
                    #q::check_entity_type(
                        &__dynamo_item,
                        <#of as #q::Entity>::SCHEMA.type_attribute,
                        <#of as #q::Entity>::ENTITY_TYPE,
                    )?;
                    #q::Result::Ok(Self {
                        #(#takes,)*
                    })
                }
            }

            #(#checks)*

            #[allow(dead_code, clippy::all)]
            fn __dynamo_same_types(__dynamo_entity: &#of) {
                #(#same_types)*
            }
        };
    }
}

/// After an error: an impl whose method never runs, so that reads of the projection report
/// nothing more.
fn fallback(ident: &syn::Ident, of: &syn::Path) -> TokenStream {
    let q = quote!(::dynamo_entity::__private);
    quote! {
        #[automatically_derived]
        impl #q::Projection for #ident {
            type Of = #of;
            const ATTRIBUTES: &'static [&'static str] = &[];

            fn from_item(_: #q::Item) -> #q::Result<Self, #q::Error> {
                ::core::unreachable!()
            }
        }
    }
}
