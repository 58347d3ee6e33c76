//! Field conversion: each field's codec, its part of `to_item` and `from_item`, and the typed
//! field handles (`Pet::fields()`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::Type;

use crate::ast::{Container, Field, KeyDef, Role};
use crate::types::{is_scalar, is_set_element, last_segment, single_type_argument};

/// How a field's value is converted (see the runtime's `attribute` module).
pub(super) enum Codec<'a> {
    Scalar,
    /// The TTL field: epoch seconds (`N`), whatever its Rust type.
    Ttl,
    /// `Vec<T>` of a scalar `T`: a list converted element by element.
    List(&'a Type),
    /// `HashSet<T>` or `BTreeSet<T>` of a set element `T`: a native set (`SS`, `NS`, `BS`).
    Set,
    Serde,
    /// A timestamp in another form (`#[dynamo(format = "millis")]`): the form's marker type.
    Time(proc_macro2::Ident),
}

/// The codec of a field's (inner) type `ty`, its role first.
pub(super) fn field_codec<'a>(field: &Field<'_>, ty: &'a Type) -> Codec<'a> {
    match (field.role, &field.format) {
        (Some((Role::Ttl, _)), _) => Codec::Ttl,
        (_, Some((form, span))) => {
            let marker = match form.as_str() {
                "seconds" => "SecondsForm",
                "epoch" => "EpochForm",
                _ => "MillisForm",
            };
            Codec::Time(proc_macro2::Ident::new(marker, *span))
        }
        _ => codec(ty, field.force_serde),
    }
}

/// Recognises the directly converted types by spelling; anything else, including aliases,
/// takes serde, which stores the same values, only more slowly.
pub(super) fn codec(ty: &Type, force_serde: bool) -> Codec<'_> {
    if force_serde {
        return Codec::Serde;
    }
    if is_scalar(ty) {
        return Codec::Scalar;
    }
    let Some(segment) = last_segment(ty) else {
        return Codec::Serde;
    };
    let element = single_type_argument(segment).filter(|element| is_scalar(element));
    match (segment.ident.to_string().as_str(), element) {
        ("Vec", Some(element)) => Codec::List(element),
        // Only strings, integers and bytes make sets: not bool, not floats (never Hash nor Ord).
        ("HashSet" | "BTreeSet", Some(element)) if is_set_element(element) => Codec::Set,
        _ => Codec::Serde,
    }
}

/// Statements adding the field's attribute to `__dynamo_item`, the value taken from `value`,
/// an expression of type `&FieldType`.
pub(super) fn put_field(entity: &str, field: &Field<'_>, value: TokenStream) -> TokenStream {
    let name = &field.name;
    let attribute = &field.attribute;
    let put = |ty: &Type, value: TokenStream| {
        let (writer, type_argument) = match field_codec(field, ty) {
            Codec::Scalar => (quote!(put_scalar), ty),
            Codec::Ttl => (quote!(put_ttl), ty),
            Codec::List(element) => (quote!(put_list), element),
            Codec::Set => (quote!(put_set), ty),
            Codec::Serde => (quote!(put_serde), ty),
            Codec::Time(form) => {
                return quote_spanned! {ty.span()=>
                    __dynamo::put_time::<__dynamo::#form, #ty>(
                        &mut __dynamo_item, #entity, #name, #attribute, #value)?;
                };
            }
        };
        quote_spanned! {ty.span()=>
            __dynamo::#writer::<#type_argument>(
                &mut __dynamo_item, #entity, #name, #attribute, #value)?;
        }
    };
    match field.option_inner {
        Some(inner) => {
            let put = put(inner, quote!(__dynamo_inner));
            quote! {
                if let __dynamo::Option::Some(__dynamo_inner) = #value {
                    #put
                }
            }
        }
        None => put(field.ty, value),
    }
}

/// What the typed API may do with a field (see the runtime's `condition::kind`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    KeyInput,
    Managed,
    IndexInput,
    Settable,
}

fn kind_of(cont: &Container<'_>, field: &Field<'_>) -> Kind {
    let uses_field = |def: &KeyDef| {
        def.templates().any(|(_, t)| {
            t.template
                .as_ref()
                .is_some_and(|t| t.placeholders().any(|(name, _)| name == field.name))
        })
    };
    let in_primary = cont.primary.as_ref().is_some_and(uses_field);
    let in_gsi = cont.gsis.iter().any(uses_field);
    match field.role {
        _ if in_primary => Kind::KeyInput,
        Some((Role::Version | Role::CreatedAt | Role::UpdatedAt, _)) => Kind::Managed,
        _ if in_gsi => Kind::IndexInput,
        _ => Kind::Settable,
    }
}

/// The field's kind, as the runtime's marker type.
pub(super) fn field_kind(cont: &Container<'_>, field: &Field<'_>) -> TokenStream {
    match kind_of(cont, field) {
        Kind::KeyInput => quote!(__dynamo::kind::KeyInput),
        Kind::Managed => quote!(__dynamo::kind::Managed),
        Kind::IndexInput => quote!(__dynamo::kind::IndexInput),
        Kind::Settable => quote!(__dynamo::kind::Settable),
    }
}

/// For an input of GSI keys: a closure giving a value's text in a key (`None` for a `None`
/// value, which leaves the item out of a sparse index), so that an update that sets every input
/// of an index can derive its key without reading the item.
fn key_part(field: &Field<'_>) -> TokenStream {
    let ty = field.ty;
    let key_type = field.option_inner.unwrap_or(ty);
    // `key_value`, spanned at the key type as the key builders do, so that a type that cannot
    // be a key is reported once, by the one same error.
    let text = quote_spanned! {key_type.span()=>
        __dynamo::key_text(
            __dynamo::key_value::<#key_type>(__dynamo_part))
    };
    match field.option_inner {
        Some(_) => quote! {
            |__dynamo_value: &#ty| __dynamo_value.as_ref().map(|__dynamo_part| #text)
        },
        None => quote! {
            |__dynamo_part: &#ty| __dynamo::Option::Some(#text)
        },
    }
}

/// A field handle's encoder: the runtime's generic encoder of the field's codec, instantiated
/// once per type and shared by every field of that type, rather than a closure per field.
fn encoder(field: &Field<'_>) -> TokenStream {
    let inner = field.option_inner.unwrap_or(field.ty);
    let codec = match field_codec(field, inner) {
        Codec::Scalar => quote!(ScalarCodec),
        Codec::Ttl => quote!(TtlCodec),
        Codec::List(_) => quote!(ListCodec),
        Codec::Set => quote!(SetCodec),
        Codec::Serde => quote!(SerdeCodec),
        Codec::Time(form) => quote!(TimeCodec<__dynamo::#form>),
    };
    let function = match field.option_inner {
        Some(_) => quote!(encode_option),
        None => quote!(encode),
    };
    quote_spanned! {inner.span()=>
        __dynamo::#function::<__dynamo::#codec, #inner>
    }
}

/// `Pet::fields()` and the `PetFields` struct of typed field handles.
pub(super) fn typed_fields(cont: &Container<'_>, vis: &syn::Visibility) -> TokenStream {
    let ident = cont.ident;
    let entity = cont.entity_type.as_str();
    let fields_ident = format_ident!("{}Fields", ident);
    let stored: Vec<&Field<'_>> = cont.fields.iter().filter(|f| !f.skip).collect();
    let declarations = stored.iter().map(|f| {
        let name = f.ident;
        let ty = f.ty;
        let kind = field_kind(cont, f);
        let doc = format!("`{}`, stored as `{}`.", f.name, f.attribute);
        quote! {
            #[doc = #doc]
            pub #name: __dynamo::Field<#ident, #ty, #kind>
        }
    });
    let values = stored.iter().map(|f| {
        let name = f.ident;
        let field_name = &f.name;
        let attribute = &f.attribute;
        let encode = encoder(f);
        if kind_of(cont, f) == Kind::IndexInput {
            let key = key_part(f);
            quote! {
                #name: __dynamo::keyed_field(
                    #entity, #field_name, #attribute, #encode, #key)
            }
        } else {
            quote! {
                #name: __dynamo::field(
                    #entity, #field_name, #attribute, #encode)
            }
        }
    });
    let struct_doc =
        format!("Typed handles on the fields of `{ident}`, for conditions and updates.");
    let fn_doc =
        format!("Typed handles on the fields of `{ident}`: `{ident}::fields().name.eq(..)`.");
    let debug = format!("{fields_ident} {{ .. }}");
    // Clone, Copy and Debug by hand rather than derived: a handle's `Debug` says little, and
    // derives would expand per field.
    quote! {
        #[doc = #struct_doc]
        #vis struct #fields_ident {
            #(#declarations,)*
        }

        #[automatically_derived]
        impl ::core::clone::Clone for #fields_ident {
            fn clone(&self) -> Self {
                *self
            }
        }

        #[automatically_derived]
        impl ::core::marker::Copy for #fields_ident {}

        #[automatically_derived]
        impl ::core::fmt::Debug for #fields_ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(#debug)
            }
        }

        #[automatically_derived]
        impl #ident {
            #[doc = #fn_doc]
            #vis fn fields() -> #fields_ident {
                // Evaluated by the compiler: the handles are data, built by no code.
                const __DYNAMO_FIELDS: #fields_ident = #fields_ident {
                    #(#values,)*
                };
                __DYNAMO_FIELDS
            }
        }
    }
}

pub(crate) fn take_field(entity: &str, field: &Field<'_>) -> TokenStream {
    let ident = field.ident;
    let ty = field.ty;
    if field.skip {
        return quote_spanned! {ty.span()=>
            #ident: <#ty as __dynamo::Default>::default()
        };
    }
    let attribute = &field.attribute;
    let value = quote!(__dynamo_item.remove(#attribute));
    // The reader of the field's type, or of `T` in `Option<T>`.
    let inner = field.option_inner.unwrap_or(ty);
    let reader = match field_codec(field, inner) {
        Codec::Scalar => quote!(__dynamo::take_scalar::<#inner>),
        Codec::Ttl => quote!(__dynamo::take_ttl::<#inner>),
        Codec::List(element) => quote!(__dynamo::take_list::<#element>),
        Codec::Set => quote!(__dynamo::take_set::<#inner>),
        Codec::Time(form) => quote!(__dynamo::take_time::<__dynamo::#form, #inner>),
        // serde reads an Option itself: NULL or a missing attribute is None.
        Codec::Serde => {
            return quote_spanned! {ty.span()=>
                #ident: __dynamo::take_serde::<#ty>(#value, #entity, #attribute)?
            };
        }
    };
    let take = match field.option_inner {
        Some(_) => quote_spanned! {ty.span()=>
            __dynamo::take_optional(#value, #entity, #attribute, #reader)?
        },
        None => quote_spanned! {ty.span()=>
            #reader(#value, #entity, #attribute)?
        },
    };
    quote!(#ident: #take)
}
