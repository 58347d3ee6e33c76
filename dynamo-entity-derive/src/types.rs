//! What a field's type is, as spelled: the derive recognises types by name (it runs before type
//! checking), and every such judgement is here.

use syn::Type;

/// The last path segment of a plain path type such as `std::vec::Vec<u8>`.
pub fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        Type::Group(group) => last_segment(&group.elem),
        Type::Paren(paren) => last_segment(&paren.elem),
        _ => None,
    }
}

/// The single type argument of a path type (`u8` in `Vec<u8>`).
pub fn single_type_argument(segment: &syn::PathSegment) -> Option<&Type> {
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

fn type_ident(ty: &Type) -> Option<String> {
    last_segment(ty).map(|s| s.ident.to_string())
}

pub fn is_integer(ty: &Type) -> bool {
    matches!(
        type_ident(ty).as_deref(),
        Some(
            "u8" | "u16"
                | "u32"
                | "u64"
                | "u128"
                | "usize"
                | "i8"
                | "i16"
                | "i32"
                | "i64"
                | "i128"
                | "isize"
        )
    )
}

pub fn is_timestamp(ty: &Type) -> bool {
    match last_segment(ty) {
        Some(segment) if segment.ident == "OffsetDateTime" => true,
        Some(segment) if segment.ident == "DateTime" => single_type_argument(segment)
            .and_then(last_segment)
            .is_some_and(|arg| arg.ident == "Utc"),
        _ => false,
    }
}

pub fn is_ttl_type(ty: &Type) -> bool {
    is_timestamp(ty)
        || matches!(
            type_ident(ty).as_deref(),
            Some("i64" | "u64" | "i32" | "u32")
        )
}

/// Whether `ty` is spelt as one of the scalar types the runtime converts directly.
pub fn is_scalar(ty: &Type) -> bool {
    let Some(segment) = last_segment(ty) else {
        return false;
    };
    let argument = || {
        single_type_argument(segment)
            .and_then(last_segment)
            .map(|s| s.ident.to_string())
    };
    match segment.ident.to_string().as_str() {
        "String" | "bool" | "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16"
        | "u32" | "u64" | "u128" | "usize" | "f32" | "f64" | "Uuid" | "OffsetDateTime" => {
            segment.arguments.is_none()
        }
        // Bytes are Binary (`B`), not a list of numbers.
        "Vec" => argument().as_deref() == Some("u8"),
        "DateTime" => argument().as_deref() == Some("Utc"),
        _ => false,
    }
}

/// Whether a scalar type can be an element of a DynamoDB set.
pub fn is_set_element(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|segment| {
        !matches!(segment.ident.to_string().as_str(), "bool" | "f32" | "f64")
    })
}

/// Whether every key holding a value of `ty` starts with that value's whole encoding followed
/// by what comes after it: true for the fixed-width encodings.
pub fn fixed_width_key(ty: &Type) -> bool {
    is_timestamp(ty) || is_integer(ty) || last_segment(ty).is_some_and(|s| s.ident == "Uuid")
}
