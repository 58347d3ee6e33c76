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
    cont: &Container<'_>,
    index: &Index<'_, '_>,
    vis: &syn::Visibility,
) -> Option<TokenStream> {
    let name = sort_key_query_name(cont, index)?;
    let ident = cont.ident;
    let (sk_lit, sk) = index.sk?;
    let template_text = sk_lit.value();
    let sk_template = index.sk_template()?;
    // Each placeholder with its segment and the literal that follows it.
    let mut steps: Vec<(&str, usize, String, Option<Format>)> = Vec::new();
    for (at, segment) in sk.segments.iter().enumerate() {
        match segment {
            Segment::Placeholder { name, format, .. } => {
                steps.push((name, at, String::new(), *format));
            }
            Segment::Literal(text) => {
                if let Some(last) = steps.last_mut() {
                    last.2 = text.clone();
                }
            }
        }
    }
    let count = steps.len();
    let stages = steps
        .iter()
        .enumerate()
        .map(|(stage, (placeholder, segment, after, format))| {
            let field = cont.field(placeholder).unwrap();
            let field_ident = field.ident;
            let ty = key_type(field);
            let next = stage + 1;
            let complete = next == count;
            let fixed = format.map_or_else(|| fixed_width_key(ty), Format::fixed_width);
            let ordered = format.is_none_or(Format::keeps_order);
            // Exact bounds need a fixed-width value, or a value that ends the key; and a format
            // that keeps the values' order (not unpadded or inverted numbers).
            let ranges = (ordered && (fixed || (complete && after.is_empty()))).then(|| {
                let [between, gt, ge, lt, le] = ["between", "gt", "ge", "lt", "le"]
                    .map(|suffix| format_ident!("{}_{}", field_ident, suffix));
                quote!(, ranges(#between, #gt, #ge, #lt, #le))
            });
            let step = quote!(__dynamo::SortKeyStep::new(#sk_template, #segment, #fixed));
            // Expanded by the runtime's `sort_key_stage!`: the methods' tokens are written by
            // the compiler, not sent one by one from this macro.
            quote! {
                __dynamo::sort_key_stage! {
                    #name<#stage => #next> of #ident,
                    #field_ident(#placeholder): #ty, #step #ranges
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
/// conversion into the entity's `Query` (by `Inner::finish`) at any stage: one invocation of the
/// runtime's `typestate!`.
pub(super) fn typestate_type(
    doc: &str,
    vis: &syn::Visibility,
    name: &Ident,
    entity: &Ident,
    inner: TokenStream,
    finish: TokenStream,
) -> TokenStream {
    quote! {
        __dynamo::typestate! {
            #[doc = #doc]
            #vis struct #name(#inner) for #entity, #finish
        }
    }
}
