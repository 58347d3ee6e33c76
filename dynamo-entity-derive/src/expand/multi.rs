//! Multi-attribute index keys: the entity's schema of them, their compile-time checks against
//! the layout, and the typestate query that takes the partition attributes, then the sort
//! attributes left to right.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{Container, Field, IndexId, KeyDef};
use crate::types::last_segment;

use super::keys::{key_type, layout_expr};

/// One multi-attribute key, checked: its index and its fields.
struct MultiKey<'c, 'a> {
    def: &'c KeyDef,
    partition: Vec<&'c Field<'a>>,
    sort: Vec<&'c Field<'a>>,
}

fn keys<'c, 'a>(cont: &'c Container<'a>) -> Vec<MultiKey<'c, 'a>> {
    cont.multi_keys
        .iter()
        .filter_map(|def| {
            let (partition, sort) = def.multi.as_ref()?;
            let field = |ident: &Ident| {
                let name = syn::ext::IdentExt::unraw(ident).to_string();
                cont.fields.iter().find(|f| f.name == name)
            };
            Some(MultiKey {
                def,
                partition: partition.iter().filter_map(field).collect(),
                sort: sort.iter().filter_map(field).collect(),
            })
        })
        .collect()
}

fn const_name(def: &KeyDef) -> Ident {
    format_ident!("{}", def.index.snake_name().to_uppercase())
}

/// The `multi_keys` of the entity's schema.
pub(super) fn schema(cont: &Container<'_>) -> TokenStream {
    let ident = cont.ident;
    let keys = keys(cont).into_iter().map(|key| {
        let name = const_name(key.def);
        let fields = |list: &[&Field<'_>]| {
            let fields = list.iter().map(|f| {
                let field = &f.name;
                let attribute = &f.attribute;
                let ty = key_type(f);
                let kind = quote_spanned!(ty.span()=> <#ty as __dynamo::KeyAttribute>::TYPE);
                quote! {
                    __dynamo::KeyField {
                        field: #field,
                        attribute: #attribute,
                        kind: #kind,
                    }
                }
            });
            quote!(&[#(#fields),*])
        };
        let partition = fields(&key.partition);
        let sort = fields(&key.sort);
        quote! {
            __dynamo::MultiKeySchema {
                index: <#ident>::#name,
                partition: #partition,
                sort: #sort,
            }
        }
    });
    quote!(&[#(#keys),*])
}

/// The index constants, the checks against the layout, the query functions and the typestate
/// query types.
pub(super) fn expand(cont: &Container<'_>, vis: &syn::Visibility) -> (TokenStream, TokenStream) {
    let ident = cont.ident;
    let entity = cont.entity_type.as_str();
    let layout = layout_expr(cont);
    let mut inherent = TokenStream::new();
    let mut items = TokenStream::new();
    for (n, key) in keys(cont).into_iter().enumerate() {
        let IndexId::Named(index_name) = &key.def.index else {
            continue;
        };
        let text = &index_name.text;
        let name = const_name(key.def);
        let query_fn = format_ident!("query_{}", key.def.index.snake_name());
        let camel: String = key
            .def
            .index
            .snake_name()
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
            })
            .collect();
        let query_type = format_ident!("{}{}Query", ident, camel);
        let const_doc = format!("The index {text}, keyed by several attributes.");
        let params = key.partition.iter().map(|f| {
            let field = f.ident;
            let ty = key_type(f);
            quote!(#field: impl __dynamo::AttributeArg<#ty>)
        });
        let parts = key.partition.iter().map(|f| {
            let field = f.ident;
            let field_name = &f.name;
            let attribute = &f.attribute;
            let ty = key_type(f);
            quote! {
                __dynamo::MultiKeyStage::<Self>::part::<#ty, _>(
                    #field_name, #attribute, &#field)?
            }
        });
        let query_doc = format!(
            "A query of `{entity}` items in {text}: every partition attribute, then the sort \
             attributes in order; run it with `Table::query`."
        );
        let span = index_name.span;
        inherent.extend(quote_spanned! {span=>
            #[doc = #const_doc]
            pub const #name: __dynamo::Index = __dynamo::index_named(&#layout, #text);
        });
        inherent.extend(quote! {
            #[doc = #query_doc]
            pub fn #query_fn(#(#params),*) -> __dynamo::Result<#query_type<0>, __dynamo::Error> {
                __dynamo::Result::Ok(#query_type(__dynamo::MultiKeyStage::start(
                    Self::#name,
                    ::std::vec![#(#parts),*],
                )))
            }
        });
        let check_span = key
            .def
            .tokens
            .clone()
            .into_iter()
            .next()
            .map_or_else(|| ident.span(), |t| t.span());
        // The schema's `<T as KeyAttribute>::TYPE` checks each field's type, at the type.
        items.extend(quote_spanned! {check_span=>
            const _: () = __dynamo::check_multi_key(
                &#layout, &<#ident as __dynamo::Entity>::SCHEMA.multi_keys[#n]);
        });
        items.extend(typestate(cont, &key, &query_type, text, vis));
    }
    (inherent, items)
}

/// `MatchByTournamentQuery<STAGE>`: stage `k` has fixed the first `k` sort attributes by
/// equality, and offers equality (the next stage) or a range (a finished query) on the next.
fn typestate(
    cont: &Container<'_>,
    key: &MultiKey<'_, '_>,
    name: &Ident,
    index: &str,
    vis: &syn::Visibility,
) -> TokenStream {
    let ident = cont.ident;
    let count = key.sort.len();
    let stages = key.sort.iter().enumerate().map(|(stage, f)| {
        let field = f.ident;
        let field_name = &f.name;
        let attribute = &f.attribute;
        let ty = key_type(f);
        let next = stage + 1;
        let eq_doc = format!("`{attribute}` equal to the value.");
        let between = format_ident!("{}_between", field);
        let between_doc = format!("`{attribute}` between `low` and `high`, both included.");
        let bounds = [
            ("gt", "Gt", "above"),
            ("ge", "Ge", "at or above"),
            ("lt", "Lt", "below"),
            ("le", "Le", "at or below"),
        ]
        .map(|(suffix, op, words)| {
            let method = format_ident!("{}_{}", field, suffix);
            let op = format_ident!("{}", op);
            let doc = format!("`{attribute}` {words} the value.");
            quote! {
                #[doc = #doc]
                pub fn #method(self, value: impl __dynamo::AttributeArg<#ty>)
                    -> __dynamo::Result<__dynamo::Query<#ident>, __dynamo::Error>
                {
                    self.0.bound::<#ty, _>(#field_name, #attribute, __dynamo::RangeOp::#op, &value)
                }
            }
        });
        let is_string = last_segment(ty).is_some_and(|s| s.ident == "String");
        let begins_with = is_string.then(|| {
            let method = format_ident!("{}_begins_with", field);
            let doc = format!("`{attribute}` starting with `prefix`.");
            quote! {
                #[doc = #doc]
                pub fn #method(self, prefix: &str) -> __dynamo::Query<#ident> {
                    self.0.begins_with(#attribute, prefix)
                }
            }
        });
        quote! {
            #[automatically_derived]
            impl #name<#stage> {
                #[doc = #eq_doc]
                pub fn #field(self, value: impl __dynamo::AttributeArg<#ty>)
                    -> __dynamo::Result<#name<#next>, __dynamo::Error>
                {
                    __dynamo::Result::map(
                        self.0.equal::<#ty, _>(#field_name, #attribute, &value), #name)
                }

                #[doc = #between_doc]
                pub fn #between(
                    self,
                    low: impl __dynamo::AttributeArg<#ty>,
                    high: impl __dynamo::AttributeArg<#ty>,
                ) -> __dynamo::Result<__dynamo::Query<#ident>, __dynamo::Error> {
                    self.0.between::<#ty, _, _>(#field_name, #attribute, &low, &high)
                }

                #(#bounds)*
                #begins_with
            }
        }
    });
    let doc = format!(
        "A query of `{ident}` in {index}, its sort attributes fixed left to right ({count} of \
         them); pass it to `Table::query` at any stage."
    );
    let stage_type = super::sort_key::typestate_type(
        &doc,
        vis,
        name,
        ident,
        quote!(__dynamo::MultiKeyStage<#ident>),
        quote!(query),
    );
    quote! {
        #stage_type
        #(#stages)*
    }
}
