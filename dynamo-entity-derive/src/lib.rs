//! The derive macros of [`dynamo-entity`](https://docs.rs/dynamo-entity). Use them through that
//! crate, which re-exports them and documents the attributes.
//!
//! Each derive runs in stages, one module each: attributes are read into a model (`attr`,
//! `ast`), key templates are parsed (`template`), cross-cutting rules are checked (`check`), and
//! only then is code generated (`expand`). Errors from every stage are collected (`ctxt`) and
//! reported together.

mod ast;
mod attr;
mod check;
mod collection;
mod ctxt;
mod expand;
mod key_value;
mod layout;
mod projection;
mod template;
mod types;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `dynamo_entity::Entity`; see the `dynamo-entity` crate for the attributes.
#[proc_macro_derive(
    Entity,
    attributes(
        pk, sk, index, dynamo, gsi1, gsi2, gsi3, gsi4, gsi5, gsi6, gsi7, gsi8, gsi9, gsi10, gsi11,
        gsi12, gsi13, gsi14, gsi15, gsi16, gsi17, gsi18, gsi19, gsi20
    )
)]
pub fn derive_entity(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}

/// Derives `dynamo_entity::Collection` for an enum of entities sharing a partition.
#[proc_macro_derive(Collection, attributes(dynamo))]
pub fn derive_collection(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    collection::derive(&input).into()
}

/// Derives `dynamo_entity::Projection` for a struct of some of an entity's fields.
#[proc_macro_derive(Projection, attributes(dynamo))]
pub fn derive_projection(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    projection::derive(&input).into()
}

/// Derives `dynamo_entity::KeyValue` for a fieldless enum.
#[proc_macro_derive(KeyValue, attributes(dynamo))]
pub fn derive_key_value(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    key_value::derive(&input).into()
}

/// Derives `dynamo_entity::TableLayout`: a table's key attribute names, indexes and entity-type
/// attribute, declared once for every entity of the table.
#[proc_macro_derive(TableLayout, attributes(dynamo))]
pub fn derive_table_layout(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    layout::derive(&input).into()
}
