//! `#[derive(Collection)]`: an enum whose variants are entities sharing a partition.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Type};

use crate::ctxt::Errors;

/// `PetVisit` → `pet_visit`, for the fields of the parts struct.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let ident = &input.ident;
    let vis = &input.vis;
    let syn::Data::Enum(data) = &input.data else {
        return syn::Error::new(
            input.ident.span(),
            "#[derive(Collection)] needs an enum with one variant per entity, as in \
             `enum UserPage { User(User), Pet(Pet) }`",
        )
        .to_compile_error();
    };
    if !input.generics.params.is_empty() {
        errors.at(
            input.generics.span(),
            "#[derive(Collection)] does not support generic enums",
        );
    }
    let mut variants: Vec<(&syn::Ident, &Type)> = Vec::new();
    // Variants that hold a projection of their entity (`#[dynamo(projection)]`).
    let mut projections: Vec<bool> = Vec::new();
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
            syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                projections.push(projection);
                let ty = &fields.unnamed[0].ty;
                let spelling = quote!(#ty).to_string();
                if variants
                    .iter()
                    .any(|(_, t)| quote!(#t).to_string() == spelling)
                {
                    errors.at(
                        ty.span(),
                        "this entity is already a variant of the collection",
                    );
                }
                variants.push((&variant.ident, ty));
            }
            _ => errors.at(
                variant.ident.span(),
                format!(
                    "variant `{}` must hold exactly one entity, as in `{}(Pet)`",
                    variant.ident, variant.ident
                ),
            ),
        }
    }
    // `#[dynamo(index = "gsi1")]`: the collection is read from that GSI; `index = "UserIndex"`:
    // from that index of the members' table layout.
    let mut gsi: Option<u8> = None;
    let mut named: Option<String> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("dynamo")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("index") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                let value = lit.value();
                match value
                    .strip_prefix("gsi")
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=20).contains(n))
                {
                    Some(n) => gsi = Some(n),
                    None if !value.is_empty() && !value.starts_with("gsi") => {
                        named = Some(value);
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
                }
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
    if data.variants.is_empty() {
        errors.at(
            ident.span(),
            "a collection needs at least one entity variant",
        );
    }
    if let Err(e) = errors.finish() {
        return e.to_compile_error();
    }

    let q = quote!(::dynamo_entity::__private);
    let name = ident.to_string();
    // Each variant's entity, and how its items decode: as the entity, or as a projection of it.
    let entities: Vec<TokenStream> = variants
        .iter()
        .zip(&projections)
        .map(|((_, ty), projection)| match projection {
            true => quote!(<#ty as #q::Projection>::Of),
            false => quote!(#ty),
        })
        .collect();
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
    let members = entities.iter().map(|entity| {
        quote! {
            #[automatically_derived]
            impl #q::Member<#ident> for #entity {}
        }
    });
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
    let (index_value, index_name) = match (gsi, &named) {
        (Some(n), _) => (quote!(#q::Index::Gsi(#n)), format!("GSI{n}")),
        (None, Some(name)) => (
            quote!(#q::index_named(<#first as #q::Entity>::SCHEMA.layout, #name)),
            name.clone(),
        ),
        (None, None) => (quote!(#q::Index::Primary), "the table".to_owned()),
    };
    let index = if gsi.is_some() || named.is_some() {
        quote!(#q::Option::Some(#index_value))
    } else {
        quote!(#q::Option::None)
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
    let parts_ident = format_ident!("{}Parts", ident);
    let part_fields: Vec<_> = variants
        .iter()
        .map(|(variant, _)| format_ident!("{}", snake_case(&variant.to_string())))
        .collect();
    let part_types = variants.iter().map(|(_, ty)| ty);
    let split_arms = variants
        .iter()
        .zip(&part_fields)
        .map(|((variant, _), field)| quote!(#ident::#variant(v) => parts.#field.push(v),));
    let parts_doc = format!("The items of a `{name}` query, by entity type.");
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

        #(#members)*
        #(#shape_checks)*

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
                let mut parts = #parts_ident {
                    #(#part_fields: ::std::vec::Vec::new(),)*
                };
                for item in items {
                    match item {
                        #(#split_arms)*
                    }
                }
                parts
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn snake_cases_variant_names() {
        assert_eq!(super::snake_case("User"), "user");
        assert_eq!(super::snake_case("PetVisit"), "pet_visit");
    }
}
