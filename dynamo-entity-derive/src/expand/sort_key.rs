//! The typestate query of an index: equality and ranges on its sort key, placeholder by
//! placeholder.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::ast::{Container, IndexId};
use crate::template::{Format, Segment};
use crate::types::fixed_width_key;

use super::keys::{key_type, Index};

/// The typestate query of an index whose sort key template has placeholders: `PetQuery` for the
/// primary key, `PetGsi1Query` for GSI1. `None` when there is nothing to narrow.
pub(super) fn sort_key_query_name(cont: &Container<'_>, index: &Index<'_, '_>) -> Option<Ident> {
    let (_, sk) = index.sk?;
    sk.placeholders().next()?;
    Some(match &index.id {
        IndexId::Primary => format_ident!("{}Query", cont.ident),
        IndexId::Gsi(n) => format_ident!("{}Gsi{}Query", cont.ident, n),
        IndexId::Named(_) => {
            let camel: String = index
                .id
                .snake_name()
                .split('_')
                .map(|word| {
                    let mut chars = word.chars();
                    chars.next().map_or_else(String::new, |first| {
                        first.to_uppercase().chain(chars).collect()
                    })
                })
                .collect();
            format_ident!("{}{}Query", cont.ident, camel)
        }
    })
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
    let mut steps: Vec<(&str, String, Option<Format>)> = Vec::new();
    for segment in &sk.segments {
        match segment {
            Segment::Placeholder { name, format, .. } => {
                steps.push((name, String::new(), *format));
            }
            Segment::Literal(text) => {
                if let Some(last) = steps.last_mut() {
                    last.1 = text.clone();
                }
            }
        }
    }
    let count = steps.len();
    let stages = steps
        .iter()
        .enumerate()
        .map(|(stage, (placeholder, after, format))| {
            let field = cont.field(placeholder).unwrap();
            let field_ident = field.ident;
            let ty = key_type(field);
            let next = stage + 1;
            let complete = next == count;
            let fixed = format.map_or_else(|| fixed_width_key(ty), Format::fixed_width);
            let ordered = format.is_none_or(Format::keeps_order);
            let format_tokens = match format {
                Some(format) => {
                    let format = format.tokens();
                    quote!(__dynamo::Option::Some(#format))
                }
                None => quote!(__dynamo::Option::None),
            };
            let equality_doc = format!("Sort key with `{placeholder}` equal to the value.");
            let mut methods = vec![quote! {
                #[doc = #equality_doc]
                pub fn #field_ident(self, #field_ident: impl __dynamo::KeyArg<#ty>)
                    -> __dynamo::Result<#name<#next>, __dynamo::Error>
                {
                    __dynamo::Result::map(self.0.equal::<#ty, _>(&#field_ident, &Self::__STEP), #name)
                }
            }];
            // Exact bounds need a fixed-width value, or a value that ends the key; and a format
            // that keeps the values' order (not unpadded or inverted numbers).
            if ordered && (fixed || (complete && after.is_empty())) {
                let between = format_ident!("{}_between", field_ident);
                let between_doc = format!(
                    "Sort key with `{placeholder}` between `low` and `high`, both included."
                );
                methods.push(quote! {
                    #[doc = #between_doc]
                    pub fn #between(self, low: impl __dynamo::KeyArg<#ty>, high: impl __dynamo::KeyArg<#ty>)
                        -> __dynamo::Result<__dynamo::Query<#ident>, __dynamo::Error>
                    {
                        self.0.between::<#ty, _, _>(&low, &high, &Self::__STEP)
                    }
                });
                for (suffix, op, words) in [
                    ("gt", "Gt", "above"),
                    ("ge", "Ge", "at or above"),
                    ("lt", "Lt", "below"),
                    ("le", "Le", "at or below"),
                ] {
                    let op = format_ident!("{}", op);
                    let method = format_ident!("{}_{}", field_ident, suffix);
                    let doc = format!("Sort key with `{placeholder}` {words} the value.");
                    methods.push(quote! {
                        #[doc = #doc]
                        pub fn #method(self, value: impl __dynamo::KeyArg<#ty>)
                            -> __dynamo::Result<__dynamo::Query<#ident>, __dynamo::Error>
                        {
                            self.0.bound::<#ty, _>(__dynamo::RangeOp::#op, &value, &Self::__STEP)
                        }
                    });
                }
            }
            quote! {
                #[automatically_derived]
                impl #name<#stage> {
                    const __STEP: __dynamo::SortKeyStep = __dynamo::SortKeyStep {
                        entity: #entity,
                        placeholder: #placeholder,
                        template: #template_text,
                        after: #after,
                        complete: #complete,
                        fixed_width: #fixed,
                        format: #format_tokens,
                    };
                    #(#methods)*
                }
            }
        });
    let doc = format!(
        "A query on `{ident}` that can narrow the sort key `{template_text}` placeholder by \
         placeholder; pass it to `Table::query` at any stage."
    );
    let stage_type = typestate_type(
        &doc,
        vis,
        &name,
        ident,
        quote!(__dynamo::SortKeyStage<#ident>),
        quote!(finish),
    );
    Some(quote! {
        #stage_type
        #(#stages)*
    })
}

/// A typestate query type `Name<const STAGE: usize>(Inner)`, with `Clone`, `Debug` and the
/// conversion into the entity's `Query` (by `Inner::finish`) at any stage.
pub(super) fn typestate_type(
    doc: &str,
    vis: &syn::Visibility,
    name: &Ident,
    entity: &Ident,
    inner: TokenStream,
    finish: TokenStream,
) -> TokenStream {
    let debug = name.to_string();
    quote! {
        #[doc = #doc]
        #vis struct #name<const STAGE: usize>(#inner);

        #[automatically_derived]
        impl<const STAGE: usize> ::core::clone::Clone for #name<STAGE> {
            fn clone(&self) -> Self {
                #name(::core::clone::Clone::clone(&self.0))
            }
        }

        #[automatically_derived]
        impl<const STAGE: usize> ::core::fmt::Debug for #name<STAGE> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_tuple(#debug).field(&self.0).finish()
            }
        }

        #[automatically_derived]
        impl<const STAGE: usize> ::core::convert::From<#name<STAGE>> for __dynamo::Query<#entity> {
            fn from(stage: #name<STAGE>) -> Self {
                stage.0.#finish()
            }
        }
    }
}
