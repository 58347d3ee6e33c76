//! `#[derive(Collection)]`: an enum whose variants are entities sharing a partition.
//!
//! Staged as `#[derive(Entity)]` is: `parse` reads the enum into a model, `check` applies the
//! rules that need no types, `expand` generates the impls and the compile-time checks that do;
//! after an error, a fallback stands in for the impls, so that uses of the collection report
//! nothing more.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, Type, Visibility};

use crate::ast::snake_case;
use crate::ctxt::Errors;

/// One variant: an entity, or a projection of one (`#[dynamo(projection)]`).
struct Variant<'a> {
    ident: &'a Ident,
    ty: &'a Type,
    projection: bool,
}

/// Where the collection is read.
enum CollectionIndex {
    /// The table (or any index whose partitions its members share).
    Table,
    /// `index = "gsi3"`: the index named GSI3 (GSI 3 of the default layout).
    Gsi(u8),
    /// `index = "UserIndex"`: that index of the members' layout.
    Named(String),
}

/// The model of a collection.
struct CollectionDef<'a> {
    ident: &'a Ident,
    vis: &'a Visibility,
    variants: Vec<Variant<'a>>,
    index: CollectionIndex,
}

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let def = parse(input, &mut errors);
    if let Some(def) = &def {
        check(input, def, &mut errors);
    }
    match (def, errors.finish()) {
        (Some(def), Ok(())) => expand(&def),
        (def, result) => {
            let mut tokens = result
                .err()
                .map(|e| e.to_compile_error())
                .unwrap_or_default();
            tokens.extend(fallback(input, def.as_ref()));
            tokens
        }
    }
}

/// The collection's variants and index; `None` for an input that is no enum.
fn parse<'a>(input: &'a DeriveInput, errors: &mut Errors) -> Option<CollectionDef<'a>> {
    let syn::Data::Enum(data) = &input.data else {
        errors.at(
            input.ident.span(),
            "#[derive(Collection)] needs an enum with one variant per entity, as in \
             `enum UserPage { User(User), Pet(Pet) }`",
        );
        return None;
    };
    let mut variants = Vec::new();
    for variant in &data.variants {
        let mut projection = false;
        for attr in variant.attrs.iter().filter(|a| a.path().is_ident("dynamo")) {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("projection") {
                    projection = true;
                    Ok(())
                } else {
                    Err(meta.error(
                        "unknown dynamo option on a collection variant (expected `projection`)",
                    ))
                }
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
        match &variant.fields {
            syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => variants.push(Variant {
                ident: &variant.ident,
                ty: &fields.unnamed[0].ty,
                projection,
            }),
            _ => errors.at(
                variant.ident.span(),
                format!(
                    "variant `{}` must hold exactly one entity, as in `{}(Pet)`",
                    variant.ident, variant.ident
                ),
            ),
        }
    }
    let mut index = CollectionIndex::Table;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("dynamo")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("index") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                let value = lit.value();
                index = match value
                    .strip_prefix("gsi")
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=20).contains(n))
                {
                    Some(n) => CollectionIndex::Gsi(n),
                    None if !value.is_empty() && !value.starts_with("gsi") => {
                        CollectionIndex::Named(value)
                    }
                    None => {
                        return Err(syn::Error::new(
                            lit.span(),
                            format!(
                                "unknown index `{value}`: expected `gsi1` to `gsi20`, or the \
                                 name of an index of the members' table layout"
                            ),
                        ))
                    }
                };
                Ok(())
            } else {
                Err(meta
                    .error("unknown dynamo option on a collection (expected `index = \"gsiN\"`)"))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    Some(CollectionDef {
        ident: &input.ident,
        vis: &input.vis,
        variants,
        index,
    })
}

/// The rules that need no types: no generics, at least one entity. (That the members share a
/// partition shape, have a key in the collection's index and are distinct entity types is
/// checked at compile time by the generated code, where their schemas are known.)
fn check(input: &DeriveInput, def: &CollectionDef<'_>, errors: &mut Errors) {
    if !input.generics.params.is_empty() {
        errors.at(
            input.generics.span(),
            "#[derive(Collection)] does not support generic enums",
        );
    }
    if matches!(&input.data, syn::Data::Enum(data) if data.variants.is_empty()) {
        errors.at(
            def.ident.span(),
            "a collection needs at least one entity variant",
        );
    }
}

/// The entity a variant's items are of: its own type, or the entity it projects.
fn entity_of(variant: &Variant<'_>) -> TokenStream {
    let (ty, q) = (variant.ty, quote!(::dynamo_entity::__private));
    match variant.projection {
        true => quote!(<#ty as #q::Projection>::Of),
        false => quote!(#ty),
    }
}

/// The `Member` impls of the variants' entities, and the parts struct with `split`: what code
/// using the collection names besides the trait. A stand-in's `split` (`sorts` false) never
/// runs: the enum may have variants it does not know.
fn members_and_parts(def: &CollectionDef<'_>, sorts: bool) -> TokenStream {
    let (ident, vis) = (def.ident, def.vis);
    let q = quote!(::dynamo_entity::__private);
    let name = ident.to_string();
    let members = def.variants.iter().map(|variant| {
        let entity = entity_of(variant);
        quote! {
            #[automatically_derived]
            impl #q::Member<#ident> for #entity {}
        }
    });
    let parts_ident = format_ident!("{}Parts", ident);
    let part_fields: Vec<_> = def
        .variants
        .iter()
        .map(|v| format_ident!("{}", snake_case(&v.ident.to_string())))
        .collect();
    let part_types = def.variants.iter().map(|v| v.ty);
    let split_arms = def.variants.iter().zip(&part_fields).map(|(v, field)| {
        let variant = v.ident;
        quote!(#ident::#variant(v) => parts.#field.push(v),)
    });
    let parts_doc = format!("The items of a `{name}` query, by entity type.");
    let body = match sorts {
        true => quote! {
            let mut parts = #parts_ident {
                #(#part_fields: ::std::vec::Vec::new(),)*
            };
            for item in items {
                match item {
                    #(#split_arms)*
                }
            }
            parts
        },
        false => quote! {
            let _ = items;
            ::core::unreachable!()
        },
    };
    quote! {
        #(#members)*

        // No derives that would demand anything of the entities (Debug, Clone...).
        #[doc = #parts_doc]
        #vis struct #parts_ident {
            #(
                #[allow(missing_docs)]
                pub #part_fields: ::std::vec::Vec<#part_types>,
            )*
        }

        #[automatically_derived]
        impl #ident {
            /// Sorts the items of a collection query by entity type: a parent and its typed
            /// children, say.
            #vis fn split(items: impl ::core::iter::IntoIterator<Item = Self>) -> #parts_ident {
                #body
            }
        }
    }
}

/// After an error: a `Collection` impl whose method never runs, with the members and parts of
/// the variants that were well formed.
fn fallback(input: &DeriveInput, def: Option<&CollectionDef<'_>>) -> TokenStream {
    if !input.generics.params.is_empty() {
        // A stand-in without the generics would be one more error.
        return TokenStream::new();
    }
    let ident = &input.ident;
    let name = ident.to_string();
    let q = quote!(::dynamo_entity::__private);
    let rest = def
        .map(|def| members_and_parts(def, false))
        .unwrap_or_default();
    quote! {
        #[automatically_derived]
        impl #q::Collection for #ident {
            const NAME: &'static str = #name;
            const ENTITY_TYPES: &'static [&'static str] = &[];

            fn from_item(_: #q::Item) -> #q::Result<#q::Option<Self>, #q::Error> {
                ::core::unreachable!()
            }
        }

        #rest
    }
}

fn expand(def: &CollectionDef<'_>) -> TokenStream {
    let ident = def.ident;
    let q = quote!(::dynamo_entity::__private);
    let name = ident.to_string();
    let variants: Vec<(&Ident, &Type)> = def.variants.iter().map(|v| (v.ident, v.ty)).collect();
    let projections: Vec<bool> = def.variants.iter().map(|v| v.projection).collect();
    // Each variant's entity, and how its items decode: as the entity, or as a projection of it.
    let entities: Vec<TokenStream> = def.variants.iter().map(entity_of).collect();
    let entity_types = entities
        .iter()
        .map(|entity| quote!(<#entity as #q::Entity>::ENTITY_TYPE));
    let decoders = variants.iter().zip(&entities).zip(&projections).map(
        |(((variant, ty), entity), projection)| {
            let decode = match projection {
                true => quote!(<#ty as #q::Projection>::from_item),
                false => quote!(<#ty as #q::Entity>::from_item),
            };
            quote! {
                if __dynamo_type == #q::Option::Some(<#entity as #q::Entity>::ENTITY_TYPE) {
                    return #decode(__dynamo_item)
                        .map(|v| #q::Option::Some(Self::#variant(v)));
                }
            }
        },
    );
    // A collection of projections only reads their attributes.
    let attributes = if projections.iter().all(|p| *p) {
        let lists = variants
            .iter()
            .map(|(_, ty)| quote!(<#ty as #q::Projection>::ATTRIBUTES));
        quote! {
            fn attributes() -> #q::Option<::std::vec::Vec<&'static str>> {
                let mut __dynamo_all = ::std::vec::Vec::new();
                #( __dynamo_all.extend_from_slice(#lists); )*
                #q::Option::Some(__dynamo_all)
            }
        }
    } else {
        quote!()
    };
    // The partition templates in the collection's index must have one shape, or no single key
    // reads them all; every member needs a key there.
    let first = &entities[0];
    let (index_value, index_name) = match &def.index {
        // By its name, `GSIn`: in a declared layout the index called GSI4 (not the fourth
        // declared), in the default layout GSI 4.
        CollectionIndex::Gsi(n) => {
            let name = format!("GSI{n}");
            (
                quote!(#q::index_named(<#first as #q::Entity>::SCHEMA.layout, #name)),
                name,
            )
        }
        CollectionIndex::Named(name) => (
            quote!(#q::index_named(<#first as #q::Entity>::SCHEMA.layout, #name)),
            name.clone(),
        ),
        CollectionIndex::Table => (quote!(#q::Index::Primary), "the table".to_owned()),
    };
    let index = match &def.index {
        CollectionIndex::Table => quote!(#q::Option::None),
        _ => quote!(#q::Option::Some(#index_value)),
    };
    let collection_index = &index_value;
    let shape_checks = variants.iter().zip(&entities).enumerate().map(|(i, ((variant, ty), entity))| {
        let missing = format!(
            "collection `{name}`: `{variant}` has no key in {index_name}, where the collection \
             is read"
        );
        let message = format!(
            "collection `{name}`: the partition key template of `{variant}` in {index_name} \
             differs in shape from that of `{}`, so one query cannot read both",
            variants[0].0
        );
        let same_shape = (i > 0).then(|| {
            quote_spanned! {ty.span()=>
                if !#q::same_key_shape(
                    #q::partition_template(<#first as #q::Entity>::SCHEMA.keys, #collection_index),
                    #q::partition_template(<#entity as #q::Entity>::SCHEMA.keys, #collection_index),
                ) {
                    ::core::panic!(#message);
                }
            }
        });
        quote_spanned! {ty.span()=>
            const _: () = {
                if #q::partition_template(<#entity as #q::Entity>::SCHEMA.keys, #collection_index).is_empty() {
                    ::core::panic!(#missing);
                }
                #same_shape
            };
        }
    });
    // Two variants of one entity type: the second would never be decoded.
    let distinct = (0..variants.len())
        .flat_map(|j| (0..j).map(move |i| (i, j)))
        .map(|(i, j)| {
            let (first, second) = (&entities[i], &entities[j]);
            let message = format!(
                "collection `{name}`: `{}` and `{}` are of one entity type, so items of it would \
             always read as `{}`",
                variants[i].0, variants[j].0, variants[i].0
            );
            quote_spanned! {variants[j].1.span()=>
                const _: () = if #q::same_text(
                    <#first as #q::Entity>::ENTITY_TYPE,
                    <#second as #q::Entity>::ENTITY_TYPE,
                ) {
                    ::core::panic!(#message);
                };
            }
        });
    let members_and_parts = members_and_parts(def, true);
    quote! {
        #[automatically_derived]
        impl #q::Collection for #ident {
            const NAME: &'static str = #name;
            const INDEX: #q::Option<#q::Index> = #index;
            const ENTITY_TYPES: &'static [&'static str] = &[#(#entity_types),*];

            #attributes

            fn from_item(__dynamo_item: #q::Item)
                -> #q::Result<#q::Option<Self>, #q::Error>
            {
                let __dynamo_type = #q::entity_type_of(
                    &__dynamo_item, <#first as #q::Entity>::SCHEMA.type_attribute);
                #(#decoders)*
                #q::Result::Ok(#q::Option::None)
            }
        }

        #(#shape_checks)*
        #(#distinct)*
        #members_and_parts
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn snake_cases_variant_names() {
        assert_eq!(crate::ast::snake_case("User"), "user");
        assert_eq!(crate::ast::snake_case("PetVisit"), "pet_visit");
        assert_eq!(crate::ast::snake_case("HTTPLog"), "http_log");
    }
}
