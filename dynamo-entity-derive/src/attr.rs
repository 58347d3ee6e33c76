//! Reads `#[pk]`, `#[sk]`, `#[gsiN(..)]` and `#[dynamo(..)]` into the model in `ast`.
//!
//! Every problem goes into `Errors` and parsing carries on, so that one compile shows them all.

use std::cell::OnceCell;

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Attribute, DeriveInput, Expr, ExprLit, Ident, Lit, LitStr, Meta, Type};

use crate::ast::{self, Container, Field, IndexId, KeyDef, Role, TemplateAttr};
use crate::ctxt::{did_you_mean, span_within, Errors};
use crate::template;

/// The highest GSI number; DynamoDB allows 20 GSIs per table.
pub const MAX_GSI: u8 = 20;

const STRUCT_OPTIONS: &[&str] = &["entity_type", "constant_pk", "table", "computed"];
const FIELD_OPTIONS: &[&str] = &[
    "rename",
    "format",
    "skip",
    "serde",
    "unique",
    "version",
    "ttl",
    "created_at",
    "updated_at",
];

/// `Some(n)` for `gsi1` … `gsi20`.
fn gsi_number(attr: &Attribute) -> Option<u8> {
    let ident = attr.path().get_ident()?.to_string();
    let n: u8 = ident.strip_prefix("gsi")?.parse().ok()?;
    (1..=MAX_GSI).contains(&n).then_some(n)
}

fn is_key_attribute(attr: &Attribute) -> bool {
    attr.path().is_ident("pk")
        || attr.path().is_ident("sk")
        || attr.path().is_ident("index")
        || gsi_number(attr).is_some()
}

/// Parses a template literal, reporting a malformed one at the literal.
fn template_attr(lit: LitStr, errors: &mut Errors) -> TemplateAttr {
    let template = match template::parse(&lit.value()) {
        Ok(template) => Some(template),
        Err(e) => {
            errors.at(span_within(&lit, e.range.clone()), &e);
            None
        }
    };
    TemplateAttr { lit, template }
}

/// The string of `#[pk = "..."]` / `#[sk = "..."]`.
fn name_value_string(attr: &Attribute, name: &str) -> syn::Result<LitStr> {
    match &attr.meta {
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => Ok(lit.clone()),
            other => Err(syn::Error::new(
                other.span(),
                format!("the {name} template must be a string literal, as in #[{name} = \"USER#<user_id>\"]"),
            )),
        },
        _ => Err(syn::Error::new(
            attr.span(),
            format!("expected #[{name} = \"...\"], as in #[{name} = \"USER#<user_id>\"]"),
        )),
    }
}

/// Stores `value` in `slot`, or reports a duplicate at `at`.
fn set_once<T>(slot: &mut Option<T>, value: T, at: &dyn ToTokens, what: &str, errors: &mut Errors) {
    if slot.is_some() {
        errors.spanned(at, format!("duplicate {what}"));
    } else {
        *slot = Some(value);
    }
}

/// An option that is not one of `known`, with a suggestion, and a hint when it belongs elsewhere.
fn unknown_option(path: &syn::Path, known: &[&str], elsewhere: (&[&str], &str)) -> syn::Error {
    let name = path
        .get_ident()
        .map_or_else(|| quote::quote!(#path).to_string(), ToString::to_string);
    let (other_options, other_place) = elsewhere;
    let hint = if other_options.contains(&name.as_str()) {
        format!("; `{name}` goes on {other_place}")
    } else {
        did_you_mean(&name, known.iter().copied())
    };
    let list = known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    syn::Error::new(
        path.span(),
        format!("unknown dynamo option `{name}` (expected one of {list}){hint}"),
    )
}

struct StructAttrs {
    pk: Option<TemplateAttr>,
    /// The whole `#[pk = ..]` attribute, for errors about the primary key as a whole.
    pk_tokens: Option<proc_macro2::TokenStream>,
    sk: Option<TemplateAttr>,
    gsis: Vec<KeyDef>,
    entity_type: Option<LitStr>,
    constant_pk: Option<Span>,
    table: Option<syn::Path>,
    computed: Vec<(Ident, Type, Vec<Ident>)>,
}

fn struct_attrs(input: &DeriveInput, errors: &mut Errors) -> StructAttrs {
    let mut attrs = StructAttrs {
        pk: None,
        pk_tokens: None,
        sk: None,
        gsis: Vec::new(),
        entity_type: None,
        constant_pk: None,
        table: None,
        computed: Vec::new(),
    };
    for attr in &input.attrs {
        let path = attr.path();
        if path.is_ident("pk") || path.is_ident("sk") {
            let name = if path.is_ident("pk") { "pk" } else { "sk" };
            match name_value_string(attr, name) {
                Ok(lit) => {
                    let template = template_attr(lit, errors);
                    let slot = if name == "pk" {
                        attrs
                            .pk_tokens
                            .get_or_insert_with(|| attr.to_token_stream());
                        &mut attrs.pk
                    } else {
                        &mut attrs.sk
                    };
                    let what = format!("`#[{name}]`: an entity has one {name} template");
                    set_once(slot, template, attr, &what, errors);
                }
                Err(e) => errors.push(e),
            }
        } else if gsi_number(attr).is_some() || path.is_ident("index") {
            // An index that did not parse is left out, so that it causes no further errors.
            let Some(def) = index_attr(attr, errors) else {
                continue;
            };
            if attrs.gsis.iter().any(|d| d.index == def.index) {
                let which = match &def.index {
                    IndexId::Named(name) => format!("#[index({})]", name.text),
                    other => format!("#[{}]", other.describe()),
                };
                errors.spanned(
                    attr,
                    format!("duplicate `{which}`: each index is declared once"),
                );
            } else {
                attrs.gsis.push(def);
            }
        } else if path.is_ident("dynamo") {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("entity_type") {
                    let lit: LitStr = meta.value()?.parse()?;
                    if lit.value().is_empty() {
                        errors.at(lit.span(), "the entity type must not be empty");
                    }
                    let at = lit.clone();
                    set_once(
                        &mut attrs.entity_type,
                        lit,
                        &at,
                        "`entity_type` option",
                        errors,
                    );
                } else if meta.path.is_ident("computed") {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    attrs.computed.push(computed_part(&content)?);
                } else if meta.path.is_ident("table") {
                    let path: syn::Path = meta.value()?.parse()?;
                    let at = path.clone();
                    set_once(&mut attrs.table, path, &at, "`table` option", errors);
                } else if meta.path.is_ident("constant_pk") {
                    let span = meta.path.span();
                    set_once(
                        &mut attrs.constant_pk,
                        span,
                        &meta.path,
                        "`constant_pk` option",
                        errors,
                    );
                } else {
                    return Err(unknown_option(
                        &meta.path,
                        STRUCT_OPTIONS,
                        (FIELD_OPTIONS, "a field, not on the struct"),
                    ));
                }
                Ok(())
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
    }
    attrs
}

/// `name: Type, from(field, ..)` of `#[dynamo(computed(..))]`.
fn computed_part(input: syn::parse::ParseStream<'_>) -> syn::Result<(Ident, Type, Vec<Ident>)> {
    let name: Ident = input.parse()?;
    input.parse::<syn::Token![:]>()?;
    let ty: Type = input.parse()?;
    input.parse::<syn::Token![,]>().map_err(|e| {
        syn::Error::new(
            e.span(),
            "name the fields the method reads: computed(name: Type, from(field, ..))",
        )
    })?;
    let from = depends_on(input)?;
    Ok((name, ty, from))
}

/// `from(field, ..)`: the fields a computed part or index predicate reads.
fn depends_on(input: syn::parse::ParseStream<'_>) -> syn::Result<Vec<Ident>> {
    let keyword: Ident = input.parse()?;
    if keyword != "from" {
        return Err(syn::Error::new(
            keyword.span(),
            "expected `from(field, ..)`: the fields the method reads",
        ));
    }
    let content;
    syn::parenthesized!(content in input);
    let fields = syn::punctuated::Punctuated::<Ident, syn::Token![,]>::parse_terminated(&content)?;
    Ok(fields.into_iter().collect())
}

/// `#[gsiN(pk = "..", sk = "..")]`, or `#[index(Name, pk = "..", sk = "..")]` for an index of
/// the table layout by name.
fn index_attr(attr: &Attribute, errors: &mut Errors) -> Option<KeyDef> {
    let mut def = KeyDef {
        index: IndexId::Primary,
        pk_copied: false,
        when: None,
        multi: None,
        tokens: attr.to_token_stream(),
        pk: None,
        sk: None,
    };
    let spelt = match gsi_number(attr) {
        Some(n) => {
            def.index = IndexId::Gsi(n);
            format!("gsi{n}(pk = \"...\", sk = \"...\")")
        }
        None => "index(Name: pk = \"...\", sk = \"...\")".to_owned(),
    };
    let named = def.index == IndexId::Primary;
    let parser = |input: syn::parse::ParseStream<'_>| -> syn::Result<()> {
        if named {
            let name: ast::IndexName = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "name the index of the table layout first: #[index(UserIndex: pk = \"...\")], \
                     or #[index(\"email-index\": ..)] for a name that is no identifier",
                )
            })?;
            def.index = IndexId::Named(name);
            if input.is_empty() {
                return Ok(());
            }
            // `Name:` rather than `Name,`: it reads as "index Name: its keys", and it keeps
            // the attribute out of clippy's `duplicated_attributes`, which (before
            // rust-clippy#13238's fix) takes two indexes' equal templates for duplicates.
            input.parse::<syn::Token![:]>().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected `:` after the index name, as in #[index(UserIndex: pk = \"...\")]",
                )
            })?;
        }
        let which = def.index.describe();
        while !input.is_empty() {
            let key: syn::Ident = input.parse()?;
            if key == "when" {
                let content;
                syn::parenthesized!(content in input);
                let method: Ident = content.parse()?;
                content.parse::<syn::Token![,]>().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "name the fields the method reads: when(method, from(field, ..))",
                    )
                })?;
                def.when = Some((method, depends_on(&content)?));
                if input.is_empty() {
                    break;
                }
                input.parse::<syn::Token![,]>()?;
                continue;
            }
            let role = if key == "pk" {
                "pk"
            } else if key == "sk" {
                "sk"
            } else {
                return Err(syn::Error::new(
                    key.span(),
                    format!("unknown {which} option `{key}`; write #[{spelt}], with when(method, from(field, ..)) for a sparse index"),
                ));
            };
            input.parse::<syn::Token![=]>()?;
            if input.peek(syn::token::Bracket) {
                // A multi-attribute key: the fields, in the index's order.
                let list;
                syn::bracketed!(list in input);
                let fields =
                    syn::punctuated::Punctuated::<Ident, syn::Token![,]>::parse_terminated(&list)?;
                if !matches!(def.index, IndexId::Named(_)) {
                    return Err(syn::Error::new(
                        key.span(),
                        "a multi-attribute key is declared in a table layout; name its index: \
                         #[index(Name: pk = [field, ..])]",
                    ));
                }
                let multi = def.multi.get_or_insert_with(Default::default);
                let slot = if role == "pk" {
                    &mut multi.0
                } else {
                    &mut multi.1
                };
                if !slot.is_empty() {
                    errors.at(key.span(), format!("duplicate `{role}` in `#[{which}]`"));
                }
                slot.extend(fields);
                if input.is_empty() {
                    break;
                }
                input.parse::<syn::Token![,]>()?;
                continue;
            }
            let lit: LitStr = input.parse()?;
            let at = lit.clone();
            let template = template_attr(lit, errors);
            let slot = if role == "pk" {
                &mut def.pk
            } else {
                &mut def.sk
            };
            set_once(
                slot,
                template,
                &at,
                &format!("`{role}` in `#[{which}]`"),
                errors,
            );
            if input.is_empty() {
                break;
            }
            input.parse::<syn::Token![,]>()?;
        }
        Ok(())
    };
    match attr.parse_args_with(parser) {
        Ok(()) => Some(def),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

struct FieldAttrs {
    rename: Option<LitStr>,
    format: Option<LitStr>,
    skip: bool,
    serde: bool,
    role: Option<(Role, Span)>,
    unique: Option<Span>,
}

fn field_attrs(field: &syn::Field, errors: &mut Errors) -> FieldAttrs {
    let mut attrs = FieldAttrs {
        rename: None,
        format: None,
        skip: false,
        serde: false,
        role: None,
        unique: None,
    };
    for attr in &field.attrs {
        if is_key_attribute(attr) {
            let path = attr.path();
            errors.spanned(
                attr,
                format!(
                    "`#[{}]` goes on the struct, not on a field; name the field in the \
                     template instead, as in `<{}>`",
                    quote::quote!(#path),
                    field
                        .ident
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ),
            );
        } else if attr.path().is_ident("dynamo") {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    let lit: LitStr = meta.value()?.parse()?;
                    if lit.value().is_empty() {
                        errors.at(lit.span(), "an attribute name must not be empty");
                    }
                    let at = lit.clone();
                    set_once(&mut attrs.rename, lit, &at, "`rename` option", errors);
                } else if meta.path.is_ident("format") {
                    let lit: LitStr = meta.value()?.parse()?;
                    if !["seconds", "millis", "epoch"].contains(&lit.value().as_str()) {
                        errors.at(
                            lit.span(),
                            format!(
                                "unknown timestamp format `{}`; expected \"millis\" \
                                 (2024-01-15T10:30:00.000Z), \"seconds\" \
                                 (2024-01-15T10:30:00Z) or \"epoch\" (seconds, a number)",
                                lit.value()
                            ),
                        );
                    }
                    let at = lit.clone();
                    set_once(&mut attrs.format, lit, &at, "`format` option", errors);
                } else if meta.path.is_ident("skip") {
                    attrs.skip = true;
                } else if meta.path.is_ident("serde") {
                    attrs.serde = true;
                } else if meta.path.is_ident("unique") {
                    attrs.unique = Some(meta.path.span());
                } else if let Some((role, _)) =
                    Role::ALL.iter().find(|(_, name)| meta.path.is_ident(name))
                {
                    match attrs.role {
                        Some((other, _)) => errors.spanned(
                            &meta.path,
                            format!(
                                "a field has one role; this one is already `{}`",
                                other.name()
                            ),
                        ),
                        None => attrs.role = Some((*role, meta.path.span())),
                    }
                } else {
                    return Err(unknown_option(
                        &meta.path,
                        FIELD_OPTIONS,
                        (STRUCT_OPTIONS, "the struct, not on a field"),
                    ));
                }
                Ok(())
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
    }
    attrs
}

/// The model of named fields and their `#[dynamo(..)]` options.
pub fn fields<'a>(named: &'a syn::FieldsNamed, errors: &mut Errors) -> Vec<Field<'a>> {
    named
        .named
        .iter()
        .filter_map(|field| {
            let ident = field.ident.as_ref()?;
            let field_attrs = field_attrs(field, errors);
            let name = syn::ext::IdentExt::unraw(ident).to_string();
            let (attribute, attribute_span) = match &field_attrs.rename {
                Some(lit) => (lit.value(), lit.span()),
                None => (name.clone(), ident.span()),
            };
            Some(Field {
                ident,
                name,
                ty: &field.ty,
                attribute,
                attribute_span,
                skip: field_attrs.skip,
                force_serde: field_attrs.serde,
                role: field_attrs.role,
                unique: field_attrs.unique,
                option_inner: ast::option_inner(&field.ty),
                format: field_attrs.format.map(|lit| (lit.value(), lit.span())),
                computed: None,
            })
        })
        .collect()
}

/// Builds the model of a derive input, or returns `None` when it is not a struct with named
/// fields (reported).
/// The model of an entity: its fields and key definitions. The names and types of computed key
/// parts are parsed from attributes, so they are not the input's: they are kept in `computed`,
/// which the caller owns for as long as the model lives.
pub fn container<'a>(
    input: &'a DeriveInput,
    computed: &'a OnceCell<Vec<(Ident, Type)>>,
    errors: &mut Errors,
) -> Option<Container<'a>> {
    let named = match &input.data {
        syn::Data::Struct(data) => match &data.fields {
            syn::Fields::Named(named) => Some(named),
            _ => None,
        },
        _ => None,
    };
    let Some(named) = named else {
        let (span, what) = match &input.data {
            syn::Data::Enum(data) => (data.enum_token.span, "an enum"),
            syn::Data::Union(data) => (data.union_token.span, "a union"),
            syn::Data::Struct(data) => match data.fields {
                syn::Fields::Unnamed(_) => (data.struct_token.span, "a tuple struct"),
                _ => (data.struct_token.span, "a unit struct"),
            },
        };
        errors.at(
            span,
            format!(
                "#[derive(Entity)] needs a struct with named fields, not {what}: each named \
                 field becomes an attribute of the item"
            ),
        );
        return None;
    };
    if !input.generics.params.is_empty() {
        errors.at(
            input.generics.span(),
            "#[derive(Entity)] does not support generic structs: an entity's attributes and \
             keys must have concrete types",
        );
    }

    let attrs = struct_attrs(input, errors);
    let fields = fields(named, errors);

    let primary = match attrs.pk {
        Some(pk) => Some(KeyDef {
            index: IndexId::Primary,
            pk_copied: false,
            when: None,
            multi: None,
            tokens: attrs.pk_tokens.unwrap_or_else(|| pk.lit.to_token_stream()),
            pk: Some(pk),
            sk: attrs.sk,
        }),
        None => {
            errors.at(
                input.ident.span(),
                format!(
                    "missing partition key template on `{}`: add #[pk = \"...\"], as in \
                     #[pk = \"USER#<user_id>\"]",
                    input.ident
                ),
            );
            None
        }
    };

    let (multi_keys, mut gsis): (Vec<KeyDef>, Vec<KeyDef>) =
        attrs.gsis.into_iter().partition(|def| def.multi.is_some());
    // Numbered GSIs in ascending order, then named indexes as written.
    gsis.sort_by_key(|def| match def.index {
        IndexId::Gsi(n) => (0, n),
        _ => (1, 0),
    });
    // A named index without a partition key template has the table's: a local index.
    if let Some(primary) = &primary {
        for def in &mut gsis {
            let copy = |t: &TemplateAttr| TemplateAttr {
                lit: t.lit.clone(),
                template: t.template.clone(),
            };
            match (&def.index, &def.pk, &primary.pk) {
                (IndexId::Named(_), None, Some(pk)) if def.sk.is_some() => {
                    def.pk = Some(copy(pk));
                    def.pk_copied = true;
                }
                _ => {}
            }
        }
    }

    let (parts, reads): (Vec<(Ident, Type)>, Vec<Vec<Ident>>) = attrs
        .computed
        .into_iter()
        .map(|(ident, ty, from)| ((ident, ty), from))
        .unzip();
    let parts: &'a [(Ident, Type)] = computed.get_or_init(|| parts);
    let computed = parts
        .iter()
        .zip(reads)
        .map(|((ident, ty), from)| {
            let name = syn::ext::IdentExt::unraw(ident).to_string();
            Field {
                ident,
                name: name.clone(),
                ty,
                attribute: name,
                attribute_span: ident.span(),
                skip: true,
                force_serde: false,
                role: None,
                unique: None,
                option_inner: None,
                format: None,
                computed: Some(from),
            }
        })
        .collect();

    Some(Container {
        ident: &input.ident,
        layout: attrs.table,
        computed,
        multi_keys,
        entity_type: attrs
            .entity_type
            .map_or_else(|| input.ident.to_string(), |lit| lit.value()),
        constant_pk: attrs.constant_pk.is_some(),
        primary,
        gsis,
        fields,
    })
}
