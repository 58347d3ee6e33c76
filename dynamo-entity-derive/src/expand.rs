//! Code generation for `#[derive(Entity)]`.
//!
//! Generated code names everything through `::dynamo_entity::__private`, by the short alias
//! `__dynamo` that it imports (see `expand`), and its locals start with `__dynamo`, so that it
//! neither leans on the user's prelude nor clashes with the user's names.

mod fields;
mod keys;
mod multi;
mod sort_key;

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::DeriveInput;

use crate::ast::{Container, Field, Role};
use crate::{attr, check, ctxt::Errors};

pub(crate) use fields::take_field;
use fields::{put_field, typed_fields};
use keys::{
    build_key, builders, format_checks, index_key_arm, key_type, layout_expr, option_str,
    template_at, template_constants, templates, Index, Source,
};
use sort_key::sort_key_query;

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let computed = std::cell::OnceCell::new();
    let cont = attr::container(input, &computed, &mut errors);
    if let Some(cont) = &cont {
        check::check(cont, &mut errors);
    }
    match (cont, errors.finish()) {
        (Some(cont), Ok(())) => expand(&cont, &input.vis),
        (_, result) => {
            let mut tokens = result
                .err()
                .map(|e| e.to_compile_error())
                .unwrap_or_default();
            tokens.extend(fallback(input));
            tokens
        }
    }
}

/// After an error, an impl whose items never run, so that uses of the entity elsewhere do not add
/// a cascade of "trait not implemented" errors to the real one.
fn fallback(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let name = ident.to_string();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::dynamo_entity::__private::Entity for #ident #ty_generics #where_clause {
            const ENTITY_TYPE: &'static str = #name;
            const SCHEMA: ::dynamo_entity::__private::EntitySchema =
                ::dynamo_entity::__private::EntitySchema {
                    entity_type: #name,
                    type_attribute: ::dynamo_entity::__private::TYPE_ATTRIBUTE,
                    layout: &::dynamo_entity::__private::Layout::DEFAULT,
                    constant_pk: false,
                    version: ::dynamo_entity::__private::Option::None,
                    ttl: ::dynamo_entity::__private::Option::None,
                    created_at: ::dynamo_entity::__private::Option::None,
                    updated_at: ::dynamo_entity::__private::Option::None,
                    keys: &[],
                    multi_keys: &[],
                    attributes: &[],
                };
            fn key(&self) -> ::dynamo_entity::__private::Result<
                ::dynamo_entity::__private::Key, ::dynamo_entity::__private::Error> {
                ::core::unreachable!()
            }
            fn index_key(&self, _: ::dynamo_entity::__private::Index) -> ::dynamo_entity::__private::Result<
                ::dynamo_entity::__private::Option<::dynamo_entity::__private::Key>,
                ::dynamo_entity::__private::Error> {
                ::core::unreachable!()
            }
            fn to_item(&self) -> ::dynamo_entity::__private::Result<
                ::dynamo_entity::__private::Item, ::dynamo_entity::__private::Error> {
                ::core::unreachable!()
            }
            fn from_item(_: ::dynamo_entity::__private::Item) -> ::dynamo_entity::__private::Result<
                Self, ::dynamo_entity::__private::Error> {
                ::core::unreachable!()
            }
        }
    }
}

fn schema(cont: &Container<'_>, indexes: &[Index<'_, '_>]) -> TokenStream {
    let entity = &cont.entity_type;
    let layout = layout_expr(cont);
    let constant_pk = cont.constant_pk;
    let keys = indexes.iter().map(|index| {
        let path = index.index_path();
        let pk = template_at(cont.ident, index.pk_slot);
        let sk = match index.sk_slot {
            Some(slot) => {
                let sk = template_at(cont.ident, slot);
                quote!(__dynamo::Option::Some(#sk))
            }
            None => quote!(__dynamo::Option::None),
        };
        let sparse = index.sparse() || index.when.is_some();
        let computed = index.when.is_some() || index.params.iter().any(|f| f.computed.is_some());
        let mut inputs: Vec<String> = Vec::new();
        let reads = index.params.iter().flat_map(|f| match &f.computed {
            Some(from) => from
                .iter()
                .map(|i| syn::ext::IdentExt::unraw(i).to_string())
                .collect(),
            None => vec![f.name.clone()],
        });
        let predicate_reads = index.when.iter().flat_map(|(_, from)| {
            from.iter()
                .map(|i| syn::ext::IdentExt::unraw(i).to_string())
        });
        for name in reads.chain(predicate_reads) {
            if let Some(field) = cont.fields.iter().find(|f| f.name == name) {
                if !inputs.contains(&field.attribute) {
                    inputs.push(field.attribute.clone());
                }
            }
        }
        quote! {
            __dynamo::KeySchema {
                index: #path, pk: #pk, sk: #sk, sparse: #sparse,
                inputs: &[#(#inputs),*], computed: #computed,
            }
        }
    });
    let attributes = cont.fields.iter().filter(|f| !f.skip).map(|f| {
        let field = &f.name;
        let attribute = &f.attribute;
        let optional = f.option_inner.is_some();
        let unique = f.unique.is_some();
        // The common case (stored under its own name, required, not unique) in a few tokens.
        let mut schema = quote!(__dynamo::AttributeSchema::new(#field));
        if attribute != field {
            schema.extend(quote!(.stored_as(#attribute)));
        }
        if optional {
            schema.extend(quote!(.optional()));
        }
        if unique {
            schema.extend(quote!(.unique()));
        }
        match f.format.as_ref().map(|(form, _)| form.as_str()) {
            Some("seconds") => schema.extend(quote!(.time_form(__dynamo::TimeForm::Seconds))),
            Some("millis") => schema.extend(quote!(.time_form(__dynamo::TimeForm::Millis))),
            Some("epoch") => schema.extend(quote!(.time_form(__dynamo::TimeForm::Epoch))),
            _ => {}
        }
        schema
    });
    let role = |role: Role| option_str(cont.role_field(role).map(|f| f.attribute.clone()));
    let version = role(Role::Version);
    let ttl = role(Role::Ttl);
    let created_at = role(Role::CreatedAt);
    let updated_at = role(Role::UpdatedAt);
    let multi_keys = multi::schema(cont);
    quote! {
        __dynamo::EntitySchema {
            entity_type: #entity,
            type_attribute: #layout.type_attribute,
            layout: &#layout,
            constant_pk: #constant_pk,
            version: #version,
            ttl: #ttl,
            created_at: #created_at,
            updated_at: #updated_at,
            keys: &[#(#keys),*],
            multi_keys: #multi_keys,
            attributes: &[#(#attributes),*],
        }
    }
}

fn expand(cont: &Container<'_>, vis: &syn::Visibility) -> TokenStream {
    let ident = cont.ident;
    let entity = cont.entity_type.as_str();
    let mut indexes: Vec<Index<'_, '_>> = Vec::new();
    let mut slot = 0;
    for def in cont.indexes() {
        let index = Index::new(cont, def, slot);
        slot += index.template_count();
        indexes.push(index);
    }
    let primary = &indexes[0];
    let templates = templates(&indexes);

    let constants = indexes
        .iter()
        .map(|index| template_constants(entity, index));
    let builders = indexes.iter().map(|index| builders(entity, cont, index));
    let primary_key = build_key(entity, cont, primary, Source::Fields);
    let gsi_arms = indexes[1..]
        .iter()
        .map(|index| index_key_arm(entity, cont, index));
    let put_gsis = indexes[1..].iter().map(|index| {
        let path = index.index_path();
        let names = index.attribute_names();
        quote! {
            if let __dynamo::Option::Some(__dynamo_key) =
                __dynamo::Entity::index_key(self, #path)?
            {
                let (__dynamo_pk, __dynamo_sk) = #names;
                __dynamo::put_key(&mut __dynamo_item, __dynamo_pk, __dynamo_sk, __dynamo_key);
            }
        }
    });
    let primary_names = primary.attribute_names();
    let layout = layout_expr(cont);
    let checks = layout_checks(cont, &indexes);
    let format_checks = format_checks(cont);
    let (multi_inherent, multi_items) = multi::expand(cont, vis);
    let stored: Vec<&Field<'_>> = cont.fields.iter().filter(|f| !f.skip).collect();
    let capacity = 1 + 2 * indexes.len() + stored.len();
    let puts = stored.iter().map(|f| {
        let ident = f.ident;
        put_field(entity, f, quote!(&self.#ident))
    });
    let takes = cont.fields.iter().map(|f| take_field(entity, f));
    let schema = schema(cont, &indexes);

    let typed_fields = typed_fields(cont, vis);
    let unique_pushes = cont.fields.iter().filter(|f| f.unique.is_some()).map(|f| {
        let ident = f.ident;
        let name = &f.name;
        let ty = key_type(f);
        let push = quote_spanned! {ty.span()=>
            let mut __dynamo_text = __dynamo::String::new();
            __dynamo::write_key_value(
                &mut __dynamo_text,
                __dynamo::key_value::<#ty>(__dynamo_value),
                #entity,
                #name,
                "unique",
            )?;
            __dynamo_values.push((#name, __dynamo_text));
        };
        match f.option_inner {
            Some(_) => quote! {
                if let __dynamo::Option::Some(__dynamo_value) = &self.#ident {
                    #push
                }
            },
            None => quote! {
                let __dynamo_value = &self.#ident;
                #push
            },
        }
    });
    // Without unique fields, the trait's default (none).
    let unique_values = cont.fields.iter().any(|f| f.unique.is_some()).then(|| {
        quote! {
            fn unique_values(&self) -> __dynamo::Result<
                ::std::vec::Vec<(&'static str, __dynamo::String)>,
                __dynamo::Error,
            > {
                let mut __dynamo_values = ::std::vec::Vec::new();
                #(#unique_pushes)*
                __dynamo::Result::Ok(__dynamo_values)
            }
        }
    });
    let mut placeholder_fields: Vec<&Field<'_>> = Vec::new();
    for def in cont.indexes() {
        for (_, attr) in def.templates() {
            for (name, _) in attr.template.iter().flat_map(|t| t.placeholders()) {
                if let Some(field) = cont.field(name) {
                    if !placeholder_fields.iter().any(|f| f.name == field.name) {
                        placeholder_fields.push(field);
                    }
                }
            }
        }
    }
    let domain_arms = placeholder_fields.iter().map(|f| {
        let name = &f.name;
        let ty = key_type(f);
        // Through a probe, so that a type that is no key is reported once, where its key is
        // built, and not again here.
        quote!(#name => __dynamo::Option::Some(
            (&__dynamo::DomainProbe::<#ty>::NEW).key_domain()),)
    });
    let sort_key_queries = indexes
        .iter()
        .filter_map(|index| sort_key_query(cont, index, vis));
    quote! {
        // Generated code is read by the compiler token by token, and the runtime's paths were
        // most of it: `__dynamo` is a short name for them. A glob import, so that several
        // entities in one module import the one same name without a conflict.
        #[doc(hidden)]
        #[allow(unused_imports)]
        use ::dynamo_entity::__alias::*;

        #[automatically_derived]
        impl #ident {
            #templates
            #(#constants)*
            #(#builders)*
            #multi_inherent
        }

        #[automatically_derived]
        impl __dynamo::Entity for #ident {
            const ENTITY_TYPE: &'static str = #entity;
            const SCHEMA: __dynamo::EntitySchema = #schema;

            fn key(&self) -> __dynamo::Result<
                __dynamo::Key, __dynamo::Error> {
                __dynamo::Result::Ok(#primary_key)
            }

            fn index_key(&self, index: __dynamo::Index)
                -> __dynamo::Result<
                    __dynamo::Option<__dynamo::Key>,
                    __dynamo::Error>
            {
                match index {
                    __dynamo::Index::Primary => __dynamo::Entity::key(self)
                        .map(__dynamo::Option::Some),
                    #(#gsi_arms)*
                    _ => __dynamo::Result::Ok(__dynamo::Option::None),
                }
            }

            fn key_domain(__dynamo_field: &str) -> __dynamo::Option<__dynamo::KeyDomain> {
                #[allow(unused_imports)]
                use __dynamo::{KnownDomain as _, UnknownDomain as _};
                match __dynamo_field {
                    #(#domain_arms)*
                    _ => __dynamo::Option::None,
                }
            }

            #unique_values

            fn to_item(&self) -> __dynamo::Result<
                __dynamo::Item, __dynamo::Error> {
                let mut __dynamo_item = __dynamo::Item::with_capacity(#capacity);
                let (__dynamo_pk, __dynamo_sk) = #primary_names;
                __dynamo::put_key(
                    &mut __dynamo_item,
                    __dynamo_pk,
                    __dynamo_sk,
                    __dynamo::Entity::key(self)?,
                );
                #(#put_gsis)*
                __dynamo::put_entity_type(&mut __dynamo_item, #layout.type_attribute, #entity);
                #(#puts)*
                __dynamo::Result::Ok(__dynamo_item)
            }

            fn from_item(mut __dynamo_item: __dynamo::Item)
                -> __dynamo::Result<Self, __dynamo::Error>
            {
                __dynamo::check_entity_type(
                    &__dynamo_item, #layout.type_attribute, #entity)?;
                __dynamo::Result::Ok(Self {
                    #(#takes,)*
                })
            }
        }

        #checks
        #format_checks
        #multi_items
        #typed_fields
        #(#sort_key_queries)*
    }
}

/// Const assertions that the entity's keys and attributes fit its table layout: checked when
/// the crate compiles, where the layout (another derive's output) is known.
fn layout_checks(cont: &Container<'_>, indexes: &[Index<'_, '_>]) -> TokenStream {
    if cont.layout.is_none() {
        // The default layout: the derive's own checks cover it (GSI numbers, reserved names).
        return TokenStream::new();
    }
    let ident = cont.ident;
    let layout = layout_expr(cont);
    let keys: Vec<TokenStream> = indexes
        .iter()
        .map(|index| {
            let path = index.index_path();
            let has_pk = !index.pk_copied;
            let has_sk = index.sk.is_some();
            let pk_is_primary = index.pk_copied || index.pk.0.value() == indexes[0].pk.0.value();
            let def = cont
                .indexes()
                .find(|d| d.index == index.id)
                .map(|d| d.tokens.clone())
                .unwrap_or_default();
            let span = def
                .into_iter()
                .next()
                .map_or_else(|| ident.span(), |t| t.span());
            quote_spanned! {span=>
                __dynamo::check_entity_key(&#layout, #path, #has_pk, #has_sk, #pk_is_primary);
            }
        })
        .collect();
    // Key attributes filled with exactly one field's value: the field may be stored there.
    let layout_ref = &layout;
    let bare: Vec<TokenStream> = indexes
        .iter()
        .flat_map(|index| {
            let path = index.index_path();
            let pk = (!index.pk_copied).then_some((index.pk.1, quote!(0)));
            let sk = index.sk.map(|(_, t)| (t, quote!(1)));
            pk.into_iter()
                .chain(sk)
                .filter_map(move |(template, which)| {
                    let field = template.bare_placeholder()?;
                    let path = path.clone();
                    let layout = layout_ref;
                    Some(quote!(({
                const __DYNAMO_NAMES: (&str, &str) = __dynamo::key_names(&#layout, #path);
                __DYNAMO_NAMES
            }.#which, #field)))
                })
        })
        .collect();
    let span = cont
        .layout
        .as_ref()
        .map_or_else(|| ident.span(), |p| p.span());
    let attributes = quote_spanned! {span=>
        __dynamo::check_entity_attributes(
            &#layout,
            <#ident as __dynamo::Entity>::SCHEMA.attributes,
            &[#(#bare),*],
        );
    };
    quote! {
        const _: () = {
            #(#keys)*
            #attributes
        };
    }
}
