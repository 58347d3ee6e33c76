//! Rules that span several attributes and fields, one function each. Every rule reports into
//! `Errors` and never stops the others.

use syn::Type;

use crate::ast::{Container, IndexId, KeyDef, Role, TemplateAttr};
use crate::attr::MAX_GSI;
use crate::ctxt::{did_you_mean, span_within, Errors};
use crate::types::{is_integer, is_timestamp, is_ttl_type, last_segment};

pub fn check(cont: &Container<'_>, errors: &mut Errors) {
    for def in cont.indexes() {
        gsi_has_partition_key(def, errors);
        partition_key_is_not_constant(cont, def, errors);
        for (role, template) in def.templates() {
            if role == "pk" && def.pk_copied {
                continue;
            }
            placeholders_name_key_fields(cont, &def.index, role, template, errors);
        }
    }
    constant_pk_is_needed(cont, errors);
    inputs_are_stored_fields(cont, errors);
    multi_attribute_keys_fit(cont, errors);
    attribute_names_are_free(cont, errors);
    roles_fit(cont, errors);
    formats_fit(cont, errors);
    unique_fields_fit(cont, errors);
}

/// A unique value is kept in a guard item; it must be stored, and not be maintained by the
/// framework (which would change it without moving its guard).
fn unique_fields_fit(cont: &Container<'_>, errors: &mut Errors) {
    for field in &cont.fields {
        let Some(span) = field.unique else { continue };
        if field.skip {
            errors.at(
                span,
                "a unique field must be stored; remove #[dynamo(skip)]",
            );
        }
        if let Some((role, _)) = field.role {
            errors.at(
                span,
                format!("the `{}` field cannot also be unique", role.name()),
            );
        }
    }
}

/// A GSI needs a partition key; a sort key alone cannot be queried.
fn gsi_has_partition_key(def: &KeyDef, errors: &mut Errors) {
    if def.pk.is_none() {
        let index = def.index.describe();
        let message = if def.sk.is_some() {
            format!("`#[{index}]` has a sort key but no partition key; add pk = \"...\"")
        } else {
            format!("`#[{index}]` declares no keys; write #[{index}(pk = \"...\", sk = \"...\")]")
        };
        errors.spanned(&def.tokens, message);
    }
}

/// A partition key template without placeholders puts every item of the entity in one
/// partition: the hot-partition anti-pattern. It must be asked for with `constant_pk`.
fn partition_key_is_not_constant(cont: &Container<'_>, def: &KeyDef, errors: &mut Errors) {
    let Some(pk) = &def.pk else { return };
    let Some(template) = &pk.template else { return };
    if template.is_constant() && !cont.constant_pk && !def.pk_copied {
        let which = match &def.index {
            IndexId::Primary => "partition key".to_owned(),
            other => format!("{} partition key", other.describe()),
        };
        errors.at(
            pk.lit.span(),
            format!(
                "the {which} `{}` has no placeholder, so every `{}` item lands in one \
                 partition (a hot partition); add a placeholder such as `<id>`, or state the \
                 intent with #[dynamo(constant_pk)]",
                pk.lit.value(),
                cont.ident
            ),
        );
    }
}

/// A multi-attribute key lists 1 to 4 stored fields for its partition key, up to 4 for its
/// sort key, each once, and no template.
fn multi_attribute_keys_fit(cont: &Container<'_>, errors: &mut Errors) {
    for def in &cont.multi_keys {
        let Some((partition, sort)) = &def.multi else {
            continue;
        };
        let which = def.index.describe();
        if def.pk.is_some() || def.sk.is_some() {
            errors.spanned(
                &def.tokens,
                format!("`#[index({which})]` mixes a template and a list of fields; a multi-attribute key lists fields for both keys"),
            );
        }
        if def.when.is_some() {
            errors.spanned(
                &def.tokens,
                format!("`#[index({which})]` has a multi-attribute key, which is sparse already: an item without one of its attributes is not in the index"),
            );
        }
        for (role, list, min) in [("pk", partition, 1), ("sk", sort, 0)] {
            if list.len() < min || list.len() > 4 {
                errors.spanned(
                    &def.tokens,
                    format!(
                        "the {role} of `#[index({which})]` lists {} fields; a multi-attribute key \
                         has {min} to 4",
                        list.len()
                    ),
                );
            }
        }
        let mut seen: Vec<String> = Vec::new();
        for ident in partition.iter().chain(sort) {
            let name = syn::ext::IdentExt::unraw(ident).to_string();
            match cont.fields.iter().find(|f| f.name == name) {
                Some(field) if field.skip => errors.at(
                    ident.span(),
                    format!(
                        "`{name}` is not stored (#[dynamo(skip)]), so it cannot be a key attribute"
                    ),
                ),
                Some(_) => {}
                None => errors.at(
                    ident.span(),
                    format!(
                        "unknown field `{name}` in `#[index({which})]`{}",
                        did_you_mean(&name, cont.fields.iter().map(|f| f.name.as_str()))
                    ),
                ),
            }
            if seen.contains(&name) {
                errors.at(
                    ident.span(),
                    format!("`{name}` is listed twice in `#[index({which})]`"),
                );
            }
            seen.push(name);
        }
    }
}

/// The fields a computed part or an index predicate reads are stored fields of the struct,
/// so that an update of one re-derives the keys that depend on it.
fn inputs_are_stored_fields(cont: &Container<'_>, errors: &mut Errors) {
    let computed = cont
        .computed
        .iter()
        .map(|c| (c.ident, c.computed.as_deref().unwrap_or_default()));
    let predicates = cont.indexes().filter_map(|def| {
        def.when
            .as_ref()
            .map(|(method, from)| (method, from.as_slice()))
    });
    for (owner, from) in computed.chain(predicates) {
        if from.is_empty() {
            errors.at(
                owner.span(),
                format!("`{owner}` reads no field: name them in from(..)"),
            );
        }
        for input in from {
            let name = syn::ext::IdentExt::unraw(input).to_string();
            match cont.fields.iter().find(|f| f.name == name) {
                Some(field) if !field.skip => {}
                Some(_) => errors.at(
                    input.span(),
                    format!(
                        "`{name}` is not stored (#[dynamo(skip)]), so `{owner}` cannot read it"
                    ),
                ),
                None => errors.at(
                    input.span(),
                    format!(
                        "unknown field `{name}` in from(..) of `{owner}`{}",
                        did_you_mean(&name, cont.fields.iter().map(|f| f.name.as_str()))
                    ),
                ),
            }
        }
    }
    for part in &cont.computed {
        if cont.fields.iter().any(|f| f.name == part.name) {
            errors.at(
                part.ident.span(),
                format!("computed part `{}` has the name of a field", part.name),
            );
        }
    }
}

/// `#[dynamo(constant_pk)]` with no constant partition key is stale: the opt-in would silently
/// cover a constant key added later.
fn constant_pk_is_needed(cont: &Container<'_>, errors: &mut Errors) {
    if !cont.constant_pk {
        return;
    }
    let any_constant = cont.indexes().any(|def| {
        def.pk
            .as_ref()
            .and_then(|pk| pk.template.as_ref())
            .is_some_and(|t| t.is_constant())
    });
    let all_parsed = cont
        .indexes()
        .all(|def| def.pk.as_ref().is_none_or(|pk| pk.template.is_some()));
    if !any_constant && all_parsed {
        let message = "#[dynamo(constant_pk)] is set, but every partition key template has a \
                       placeholder; remove the option";
        match &cont.primary {
            Some(primary) => errors.spanned(&primary.tokens, message),
            None => errors.at(cont.ident.span(), message),
        }
    }
}

/// Every placeholder names a stored field whose type can be part of this key.
fn placeholders_name_key_fields(
    cont: &Container<'_>,
    index: &IndexId,
    role: &str,
    template: &TemplateAttr,
    errors: &mut Errors,
) {
    let Some(parsed) = &template.template else {
        return;
    };
    for (name, range) in parsed.placeholders() {
        let span = span_within(&template.lit, range.clone());
        let Some(field) = cont.field(name) else {
            let fields = cont.fields.iter().map(|f| f.name.as_str());
            errors.at(
                span,
                format!(
                    "unknown field `{name}` in {role} template \"{}\"{}",
                    template.lit.value(),
                    did_you_mean(name, fields)
                ),
            );
            continue;
        };
        if field.computed.is_some() {
            if *index == IndexId::Primary {
                errors.at(
                    span,
                    format!(
                        "placeholder `<{name}>` in the primary key is a computed part; the \
                         primary key is built from fields, which identify the item"
                    ),
                );
            }
            continue;
        }
        if field.skip {
            errors.at(
                span,
                format!(
                    "placeholder `<{name}>` names a #[dynamo(skip)] field; a field that is \
                     not stored cannot be part of a key"
                ),
            );
            continue;
        }
        // created_at is set once, before the key is built; the others change after the
        // item exists, and a key built from them would leave the item behind.
        if let Some((role @ (Role::Version | Role::Ttl | Role::UpdatedAt), _)) = field.role {
            errors.at(
                span,
                format!(
                    "placeholder `<{name}>` names the `{}` field, which changes while the item \
                     lives; a key built from it would leave the item behind",
                    role.name()
                ),
            );
            continue;
        }
        let mut ty = field.ty;
        if let Some(inner) = field.option_inner {
            if *index == IndexId::Primary {
                errors.at(
                    span,
                    format!(
                        "placeholder `<{name}>` in the primary key names an Option field; \
                         primary key values are required. Option fields may be placeholders \
                         in GSI keys, where None leaves the item out of the index (a sparse \
                         index)"
                    ),
                );
                continue;
            }
            ty = inner;
        }
        if let Some(problem) = key_type_problem(ty) {
            errors.at(
                span,
                format!("field `{name}` cannot be part of a key: it is {problem}"),
            );
        }
    }
}

/// What is wrong with a type that can be recognised by its spelling as unfit for keys. Other
/// types are checked by the compiler through the `KeyValue` trait.
fn key_type_problem(ty: &Type) -> Option<&'static str> {
    match ty {
        Type::Reference(_) | Type::Ptr(_) => return Some("a reference; store an owned value"),
        Type::Tuple(_) => return Some("a tuple; a placeholder holds one value"),
        Type::Array(_) | Type::Slice(_) => return Some("an array; a placeholder holds one value"),
        _ => {}
    }
    let ident = last_segment(ty)?.ident.to_string();
    match ident.as_str() {
        "f32" | "f64" => Some(
            "a float: floats have no exact, order-preserving text form (NaN, -0.0); use an \
             integer of the smallest unit",
        ),
        "Vec" | "VecDeque" | "LinkedList" | "HashSet" | "BTreeSet" => {
            Some("a collection; a placeholder holds one value")
        }
        "HashMap" | "BTreeMap" => Some("a map; a placeholder holds one value"),
        _ => None,
    }
}

/// Application attributes never reuse the key or entity-type attribute names of the default
/// layout (a declared layout's are checked by const evaluation, where they are known), and no
/// two fields share an attribute.
fn attribute_names_are_free(cont: &Container<'_>, errors: &mut Errors) {
    let mut seen: Vec<&str> = Vec::new();
    for field in cont.fields.iter().filter(|f| !f.skip) {
        let attribute = field.attribute.as_str();
        let reserved = cont.layout.is_none().then(|| reserved_attribute(attribute));
        if let Some(role) = reserved.flatten() {
            errors.at(
                field.attribute_span,
                format!(
                    "attribute name `{attribute}` is reserved for {role}; give the field \
                     another name with #[dynamo(rename = \"...\")]"
                ),
            );
        }
        if seen.contains(&attribute) {
            errors.at(
                field.attribute_span,
                format!("two fields are stored in the attribute `{attribute}`"),
            );
        }
        seen.push(attribute);
    }
}

/// A timestamp format stores a field directly: not with serde, not on the TTL field (always
/// epoch seconds), not on a field that is not stored.
fn formats_fit(cont: &Container<'_>, errors: &mut Errors) {
    for field in &cont.fields {
        let Some((_, span)) = &field.format else {
            continue;
        };
        let conflict = if field.skip {
            Some("#[dynamo(skip)]: the field is not stored")
        } else if field.force_serde {
            Some("#[dynamo(serde)]: serde decides the stored form")
        } else if matches!(field.role, Some((Role::Ttl, _))) {
            Some("#[dynamo(ttl)]: the TTL attribute is always epoch seconds")
        } else if !is_timestamp(field.option_inner.unwrap_or(field.ty)) {
            Some(
                "a field that is not a timestamp; it fits chrono::DateTime<Utc> and \
                 time::OffsetDateTime fields (or Options of them)",
            )
        } else {
            None
        };
        if let Some(conflict) = conflict {
            errors.at(*span, format!("`format` does not combine with {conflict}"));
        }
    }
}

/// Each role is given to one field at most, on a stored field whose type can hold it.
fn roles_fit(cont: &Container<'_>, errors: &mut Errors) {
    for (role, name) in Role::ALL {
        let mut fields = cont
            .fields
            .iter()
            .filter(|f| f.role.is_some_and(|(r, _)| r == role));
        fields.next();
        for extra in fields {
            let span = extra.role.map_or(extra.ident.span(), |(_, span)| span);
            errors.at(
                span,
                format!("two fields are marked `{name}`; an entity has one"),
            );
        }
    }
    for field in &cont.fields {
        let Some((role, span)) = field.role else {
            continue;
        };
        let name = role.name();
        if field.skip {
            errors.at(
                span,
                format!("the `{name}` field must be stored; remove #[dynamo(skip)]"),
            );
            continue;
        }
        let expected = match role {
            Role::Version => (!is_integer(field.ty)).then_some("an integer type such as u64"),
            Role::Ttl => (!is_ttl_type(field.option_inner.unwrap_or(field.ty))).then_some(
                "chrono::DateTime<Utc>, time::OffsetDateTime or integer epoch seconds \
                 (optionally in an Option)",
            ),
            Role::CreatedAt | Role::UpdatedAt => {
                (!is_timestamp(field.ty)).then_some("chrono::DateTime<Utc> or time::OffsetDateTime")
            }
        };
        if let Some(expected) = expected {
            errors.push(syn::Error::new_spanned(
                field.ty,
                format!("the `{name}` field must be {expected}"),
            ));
        }
    }
}

/// What a reserved attribute name holds, if `name` is one.
fn reserved_attribute(name: &str) -> Option<&'static str> {
    match name {
        "PK" => return Some("the table's partition key"),
        "SK" => return Some("the table's sort key"),
        "Type" => return Some("the entity type"),
        _ => {}
    }
    let rest = name.strip_prefix("GSI")?;
    let (number, role) = match rest.strip_suffix("PK") {
        Some(number) => (number, "a GSI partition key"),
        None => (rest.strip_suffix("SK")?, "a GSI sort key"),
    };
    let n: u8 = number.parse().ok()?;
    (1..=MAX_GSI).contains(&n).then_some(role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_attribute_names() {
        assert!(reserved_attribute("PK").is_some());
        assert!(reserved_attribute("GSI1PK").is_some());
        assert!(reserved_attribute("GSI20SK").is_some());
        assert!(reserved_attribute("GSI21SK").is_none());
        assert!(reserved_attribute("GSIPK").is_none());
        assert!(reserved_attribute("pk").is_none());
        assert!(reserved_attribute("name").is_none());
    }

    #[test]
    fn key_types_recognised_by_spelling() {
        let ty = |s: &str| syn::parse_str::<Type>(s).unwrap();
        assert!(key_type_problem(&ty("f64")).is_some());
        assert!(key_type_problem(&ty("Vec<String>")).is_some());
        assert!(key_type_problem(&ty("std::collections::HashMap<String, u8>")).is_some());
        assert!(key_type_problem(&ty("(u8, u8)")).is_some());
        assert!(key_type_problem(&ty("String")).is_none());
        assert!(key_type_problem(&ty("Address")).is_none());
    }
}
