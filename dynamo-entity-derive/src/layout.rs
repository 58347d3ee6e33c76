//! `#[derive(TableLayout)]`: a table's key attribute names, indexes and entity-type attribute.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::spanned::Spanned;
use syn::{DeriveInput, LitStr};

use crate::ast::IndexName;
use crate::ctxt::Errors;

const MAX_GSIS: usize = 20;
const MAX_LSIS: usize = 5;

struct IndexDef {
    local: bool,
    name: IndexName,
    partition_key: Option<LitStr>,
    sort_key: Option<LitStr>,
    /// `partition_key = ["A", "B"]`: a multi-attribute key (then `sort_keys` too, if any).
    partition_keys: Vec<LitStr>,
    sort_keys: Vec<LitStr>,
    projection: Option<LitStr>,
    include: Vec<LitStr>,
    span: Span,
}

#[derive(Default)]
struct LayoutDef {
    partition_key: Option<LitStr>,
    sort_key: Option<LitStr>,
    type_attribute: Option<LitStr>,
    no_type_attribute: Option<Span>,
    indexes: Vec<IndexDef>,
}

fn set(slot: &mut Option<LitStr>, lit: LitStr, what: &str, errors: &mut Errors) {
    if lit.value().is_empty() {
        errors.at(lit.span(), format!("the {what} must not be empty"));
    }
    if slot.is_some() {
        errors.at(lit.span(), format!("duplicate `{what}`"));
    } else {
        *slot = Some(lit);
    }
}

/// `gsi(Name: partition_key = "..", sort_key = "..", projection = "..", include = [..])`, or
/// `lsi(Name: sort_key = "..", ..)`; the name an identifier or a string (`"email-index"`).
/// The `Name:` form keeps the attribute out of clippy's `duplicated_attributes` (before
/// rust-clippy#13238's fix), which takes two indexes' equal options for duplicates.
fn index_def(
    meta: &syn::meta::ParseNestedMeta<'_>,
    local: bool,
    errors: &mut Errors,
) -> syn::Result<IndexDef> {
    let kind = if local { "lsi" } else { "gsi" };
    let span = meta.path.span();
    let content;
    syn::parenthesized!(content in meta.input);
    let name: IndexName = content.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            format!("name the index first: #[dynamo({kind}(UserIndex: ..))], or a string for a name that is no identifier"),
        )
    })?;
    content.parse::<syn::Token![:]>().map_err(|e| {
        syn::Error::new(
            e.span(),
            format!("expected `:` after the index name, as in #[dynamo({kind}(UserIndex: partition_key = \"..\"))]"),
        )
    })?;
    let mut partition_key = None;
    let mut sort_key = None;
    let mut projection = None;
    let mut include = Vec::new();
    let (mut partition_keys, mut sort_keys): (Vec<LitStr>, Vec<LitStr>) = (Vec::new(), Vec::new());
    let mut multi_span = None;
    while !content.is_empty() {
        let key: syn::Ident = content.parse()?;
        content.parse::<syn::Token![=]>()?;
        if (key == "partition_key" || key == "sort_key") && content.peek(syn::token::Bracket) {
            let list;
            syn::bracketed!(list in content);
            let names =
                syn::punctuated::Punctuated::<LitStr, syn::Token![,]>::parse_terminated(&list)?;
            multi_span.get_or_insert(key.span());
            if names.is_empty() || names.len() > 4 {
                errors.at(
                    key.span(),
                    format!(
                        "a multi-attribute {key} has 1 to 4 attributes, not {}",
                        names.len()
                    ),
                );
            }
            let slot = if key == "partition_key" {
                &mut partition_keys
            } else {
                &mut sort_keys
            };
            slot.extend(names);
        } else if key == "include" {
            let list;
            syn::bracketed!(list in content);
            let names =
                syn::punctuated::Punctuated::<LitStr, syn::Token![,]>::parse_terminated(&list)?;
            include.extend(names);
        } else {
            let lit: LitStr = content.parse()?;
            let slot = if key == "partition_key" {
                if local {
                    errors.at(
                        lit.span(),
                        "a local secondary index has the table's partition key; leave out \
                         `partition_key`",
                    );
                }
                &mut partition_key
            } else if key == "sort_key" {
                &mut sort_key
            } else if key == "projection" {
                &mut projection
            } else {
                return Err(syn::Error::new(
                    key.span(),
                    "unknown index option; expected `partition_key`, `sort_key`, `projection` \
                     or `include`",
                ));
            };
            set(slot, lit, &key.to_string(), errors);
        }
        if content.is_empty() {
            break;
        }
        content.parse::<syn::Token![,]>()?;
    }
    if let Some(at) = multi_span {
        if local {
            errors.at(
                at,
                "a local secondary index cannot have a multi-attribute key",
            );
        }
        // One attribute written as a string is a list of one.
        partition_keys.extend(partition_key.take());
        sort_keys.extend(sort_key.take());
    }
    if !local && partition_key.is_none() && partition_keys.is_empty() {
        errors.at(
            span,
            "a global secondary index needs a partition key: add partition_key = \"..\"",
        );
    }
    if local && sort_key.is_none() {
        errors.at(
            span,
            "a local secondary index needs a sort key (its partition key is the table's): add \
             sort_key = \"..\"",
        );
    }
    Ok(IndexDef {
        local,
        name,
        partition_key,
        sort_key,
        partition_keys,
        sort_keys,
        projection,
        include,
        span,
    })
}

fn layout_def(input: &DeriveInput, errors: &mut Errors) -> LayoutDef {
    let mut def = LayoutDef::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("dynamo")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("partition_key") {
                set(
                    &mut def.partition_key,
                    meta.value()?.parse()?,
                    "partition_key",
                    errors,
                );
            } else if meta.path.is_ident("sort_key") {
                set(
                    &mut def.sort_key,
                    meta.value()?.parse()?,
                    "sort_key",
                    errors,
                );
            } else if meta.path.is_ident("type_attribute") {
                set(
                    &mut def.type_attribute,
                    meta.value()?.parse()?,
                    "type_attribute",
                    errors,
                );
            } else if meta.path.is_ident("no_type_attribute") {
                def.no_type_attribute = Some(meta.path.span());
            } else if meta.path.is_ident("gsi") || meta.path.is_ident("lsi") {
                let local = meta.path.is_ident("lsi");
                def.indexes.push(index_def(&meta, local, errors)?);
            } else {
                return Err(meta.error(
                    "unknown table layout option; expected `partition_key`, `sort_key`, \
                     `type_attribute`, `no_type_attribute`, `gsi(..)` or `lsi(..)`",
                ));
            }
            Ok(())
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    def
}

/// A valid DynamoDB index name: 3 to 255 of `a-z A-Z 0-9 _ - .`.
fn valid_index_name(name: &str) -> bool {
    (3..=255).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn check(def: &LayoutDef, input: &DeriveInput, errors: &mut Errors) {
    if def.partition_key.is_none() {
        errors.at(
            input.ident.span(),
            format!(
                "missing the table's partition key attribute on `{}`: add \
                 #[dynamo(partition_key = \"..\")]",
                input.ident
            ),
        );
    }
    if let (Some(span), Some(_)) = (def.no_type_attribute, &def.type_attribute) {
        errors.at(
            span,
            "`no_type_attribute` and `type_attribute` contradict each other; keep one",
        );
    }
    let (local, global): (Vec<&IndexDef>, Vec<&IndexDef>) =
        def.indexes.iter().partition(|i| i.local);
    if global.len() > MAX_GSIS {
        errors.at(
            global[MAX_GSIS].span,
            format!("a table has at most {MAX_GSIS} global secondary indexes"),
        );
    }
    if local.len() > MAX_LSIS {
        errors.at(
            local[MAX_LSIS].span,
            format!("a table has at most {MAX_LSIS} local secondary indexes"),
        );
    }
    if let (Some(first), None) = (local.first(), &def.sort_key) {
        errors.at(
            first.span,
            "a local secondary index needs a table with a sort key: add \
             #[dynamo(sort_key = \"..\")]",
        );
    }
    let type_attribute = def
        .type_attribute
        .as_ref()
        .map_or_else(|| "Type".to_owned(), LitStr::value);
    let keys = [&def.partition_key, &def.sort_key]
        .into_iter()
        .chain(
            def.indexes
                .iter()
                .flat_map(|i| [&i.partition_key, &i.sort_key]),
        )
        .flatten()
        .chain(
            def.indexes
                .iter()
                .flat_map(|i| i.partition_keys.iter().chain(&i.sort_keys)),
        );
    for key in keys {
        if def.no_type_attribute.is_none() && key.value() == type_attribute {
            errors.at(
                key.span(),
                format!(
                    "`{type_attribute}` is the entity-type attribute; a key attribute needs \
                     another name (or set #[dynamo(type_attribute = \"..\")])"
                ),
            );
        }
    }
    for (i, index) in def.indexes.iter().enumerate() {
        let name = index.name.text.clone();
        if !valid_index_name(&name) {
            errors.at(
                index.name.span,
                format!(
                    "`{name}` is not a DynamoDB index name: 3 to 255 letters, digits, `_`, `-` \
                     or `.`"
                ),
            );
        }
        if def.indexes[..i].iter().any(|o| o.name.text == name) {
            errors.at(index.name.span, format!("duplicate index name `{name}`"));
        }
        match index.projection.as_ref().map(LitStr::value).as_deref() {
            Some("all" | "keys_only") if !index.include.is_empty() => errors.at(
                index.include[0].span(),
                "`include` lists the attributes of an INCLUDE projection; remove `projection`, \
                 or set projection = \"include\"",
            ),
            Some("include") if index.include.is_empty() => errors.at(
                index.projection.as_ref().unwrap().span(),
                "an INCLUDE projection needs the attributes it includes: add include = [\"..\"]",
            ),
            None | Some("all" | "keys_only" | "include") => {}
            Some(other) => errors.at(
                index.projection.as_ref().unwrap().span(),
                format!(
                    "unknown projection `{other}`; expected \"all\", \"keys_only\" or \
                     \"include\""
                ),
            ),
        }
    }
}

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let def = layout_def(input, &mut errors);
    check(&def, input, &mut errors);
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let q = quote!(::dynamo_entity::__private);
    if let Err(e) = errors.finish() {
        // The default layout in its place, so that the entities naming this one do not add a
        // cascade of errors to the real one.
        let mut tokens = e.to_compile_error();
        tokens.extend(quote! {
            #[automatically_derived]
            impl #impl_generics #q::TableLayout for #ident #ty_generics #where_clause {
                const LAYOUT: #q::Layout = #q::Layout::DEFAULT;
            }
        });
        return tokens;
    }
    let name = ident.to_string();
    let partition_key = def.partition_key.as_ref().unwrap();
    let option = |lit: &Option<LitStr>| match lit {
        Some(lit) => quote!(#q::Option::Some(#lit)),
        None => quote!(#q::Option::None),
    };
    let sort_key = option(&def.sort_key);
    let type_attribute = match (&def.type_attribute, def.no_type_attribute) {
        (Some(lit), _) => quote!(#lit),
        (None, Some(_)) => quote!(""),
        (None, None) => quote!("Type"),
    };
    let (mut gsis, mut lsis) = (0u8, 0u8);
    let indexes = def.indexes.iter().map(|index| {
        let number = if index.local {
            lsis += 1;
            let n = lsis;
            quote!(#q::Index::Lsi(#n))
        } else {
            gsis += 1;
            let n = gsis;
            quote!(#q::Index::Gsi(#n))
        };
        let name = &index.name.text;
        let index_pk = match (&index.partition_key, index.partition_keys.is_empty()) {
            (Some(lit), _) => quote!(#lit),
            (None, false) => quote!(""),
            (None, true) => quote!(#partition_key),
        };
        let partition_keys = &index.partition_keys;
        let sort_keys = &index.sort_keys;
        let index_sk = option(&index.sort_key);
        let include = &index.include;
        let projection = match index.projection.as_ref().map(LitStr::value).as_deref() {
            Some("keys_only") => quote!(#q::IndexProjection::KeysOnly),
            _ if !include.is_empty() => quote!(#q::IndexProjection::Include(&[#(#include),*])),
            _ => quote!(#q::IndexProjection::All),
        };
        quote! {
            #q::IndexLayout {
                index: #number,
                name: #name,
                partition_key: #index_pk,
                sort_key: #index_sk,
                projection: #projection,
                partition_keys: &[#(#partition_keys),*],
                sort_keys: &[#(#sort_keys),*],
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics #q::TableLayout for #ident #ty_generics #where_clause {
            const LAYOUT: #q::Layout = #q::Layout {
                name: #name,
                partition_key: #partition_key,
                sort_key: #sort_key,
                type_attribute: #type_attribute,
                indexes: &[#(#indexes),*],
                declared: true,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn index_names() {
        assert!(super::valid_index_name("GSI1"));
        assert!(super::valid_index_name("user-index.v2_x"));
        assert!(!super::valid_index_name("ab"));
        assert!(!super::valid_index_name("user index"));
    }
}
