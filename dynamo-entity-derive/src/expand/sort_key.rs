//! The typestate query of an index: equality and ranges on its sort key, placeholder by
//! placeholder.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use syn::Type;

use crate::ast::{last_segment, Container, IndexId};
use crate::template::Segment;

use super::keys::{key_type, Index};

/// The typestate query of an index whose sort key template has placeholders: `PetQuery` for the
/// primary key, `PetGsi1Query` for GSI1. `None` when there is nothing to narrow.
pub(super) fn sort_key_query_name(cont: &Container<'_>, index: &Index<'_, '_>) -> Option<Ident> {
    let (_, sk) = index.sk?;
    sk.placeholders().next()?;
    Some(match index.id {
        IndexId::Primary => format_ident!("{}Query", cont.ident),
        IndexId::Gsi(n) => format_ident!("{}Gsi{}Query", cont.ident, n),
    })
}

/// Whether every key holding a value of `ty` starts with that value's whole encoding followed
/// by what comes after it: true for the fixed-width encodings.
pub(super) fn fixed_width_key(ty: &Type) -> bool {
    crate::check::is_timestamp(ty)
        || crate::check::is_integer(ty)
        || last_segment(ty).is_some_and(|s| s.ident == "Uuid")
}

/// The typestate query struct of an index: stage `K` has fixed the first `K` sort key
/// placeholders by equality; each stage offers equality on the next placeholder (the next
/// stage) and, where the bounds can be exact, ranges on it (a finished `Query`).
pub(super) fn sort_key_query(
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
