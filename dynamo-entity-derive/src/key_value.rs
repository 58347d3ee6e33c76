//! `#[derive(KeyValue)]` for fieldless enums: each variant is written as its name, or the name
//! given with `#[dynamo(rename = "...")]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, LitStr};

use crate::ctxt::Errors;
use crate::template::DELIMITER;

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let ident = &input.ident;
    let syn::Data::Enum(data) = &input.data else {
        let span = match &input.data {
            syn::Data::Struct(s) => s.struct_token.span,
            syn::Data::Union(u) => u.union_token.span,
            syn::Data::Enum(_) => unreachable!(),
        };
        return syn::Error::new(
            span,
            "#[derive(KeyValue)] needs a fieldless enum; for other types implement \
             `dynamo_entity::KeyValue` by hand",
        )
        .to_compile_error();
    };
    let mut arms = Vec::new();
    let mut names: Vec<String> = Vec::new();
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
        if name.is_empty() || name.contains(DELIMITER) {
            errors.at(
                span,
                format!("key value `{name}` must be non-empty and must not contain `#`"),
            );
        }
        if names.contains(&name) {
            errors.at(
                span,
                format!("two variants are written as `{name}`; key values must differ"),
            );
        }
        let variant_ident = &variant.ident;
        arms.push(quote!(Self::#variant_ident => #name,));
        names.push(name);
    }
    if let Err(e) = errors.finish() {
        return e.to_compile_error();
    }
    let count = names.len() as u64;
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
