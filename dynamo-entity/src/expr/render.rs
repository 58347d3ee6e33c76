//! Rendering: one request's expressions (condition, key condition, filter, update, projection)
//! turned into DynamoDB's expression text with one placeholder allocator, so that no attribute
//! name or value is ever spliced into expression text; and the same expressions shown as text
//! (names as they are, values as the caller says: their text, or their templates), for
//! cursors and the design review.

use std::collections::HashMap;
use std::fmt::Write;

use aws_sdk_dynamodb::types::AttributeValue;

use super::condition::{Cond, Operand};
use super::path::{Element, Path};
use super::update::UpdateAction;
use crate::item::Item;

/// How names and values are written.
pub(crate) trait Style {
    /// An attribute name (or a map key) in a path.
    fn name(&mut self, out: &mut String, name: &str);
    /// A value; `subject` is the path it is compared with or assigned to, where there is one.
    fn value(&mut self, out: &mut String, subject: Option<&Path>, value: &AttributeValue);
}

/// The placeholders of one request: `#n0`, `#n1`... for names (one per name), `:v0`, `:v1`...
/// for values.
#[derive(Debug, Default)]
struct Placeholders {
    names: Vec<String>,
    values: Vec<AttributeValue>,
}

impl Style for Placeholders {
    fn name(&mut self, out: &mut String, name: &str) {
        let at = match self.names.iter().position(|known| known == name) {
            Some(at) => at,
            None => {
                self.names.push(name.to_owned());
                self.names.len() - 1
            }
        };
        let _ = write!(out, "#n{at}");
    }

    fn value(&mut self, out: &mut String, _subject: Option<&Path>, value: &AttributeValue) {
        let _ = write!(out, ":v{}", self.values.len());
        self.values.push(value.clone());
    }
}

/// Names as they are, values as `show` writes them.
pub(crate) struct Shown<F>(pub F);

impl<F: FnMut(Option<&Path>, &AttributeValue) -> String> Style for Shown<F> {
    fn name(&mut self, out: &mut String, name: &str) {
        out.push_str(name);
    }

    fn value(&mut self, out: &mut String, subject: Option<&Path>, value: &AttributeValue) {
        out.push_str(&(self.0)(subject, value));
    }
}

/// A value's text, as a cursor or a span shows it: a string or number as it is, binary by its
/// length.
pub(crate) fn value_text(value: &AttributeValue) -> String {
    match value {
        AttributeValue::S(s) => s.clone(),
        AttributeValue::N(n) => n.clone(),
        AttributeValue::B(b) => format!("{} bytes", b.as_ref().len()),
        other => format!("{other:?}"),
    }
}

fn path(out: &mut String, style: &mut impl Style, path: &Path) {
    style.name(out, &path.attribute);
    for element in &path.elements {
        match element {
            Element::Key(key) => {
                out.push('.');
                style.name(out, key);
            }
            Element::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
}

fn operand(out: &mut String, style: &mut impl Style, operand: &Operand, subject: Option<&Path>) {
    let function = |out: &mut String, style: &mut _, name: &str, a: &Operand, b: &Operand| {
        out.push_str(name);
        out.push('(');
        self::operand(out, style, a, None);
        out.push_str(", ");
        self::operand(out, style, b, None);
        out.push(')');
    };
    match operand {
        Operand::Path(p) => path(out, style, p),
        Operand::Value(v) => style.value(out, subject, v),
        Operand::Size(p) => {
            out.push_str("size(");
            path(out, style, p);
            out.push(')');
        }
        Operand::IfNotExists(p, initial) => {
            out.push_str("if_not_exists(");
            path(out, style, p);
            out.push_str(", ");
            self::operand(out, style, initial, Some(p));
            out.push(')');
        }
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            self::operand(out, style, a, subject);
            out.push_str(if matches!(operand, Operand::Plus(..)) {
                " + "
            } else {
                " - "
            });
            self::operand(out, style, b, subject);
        }
        Operand::ListAppend(a, b) => function(out, style, "list_append", a, b),
    }
}

/// The path an operand stands for, for the values compared with it.
fn subject(operand: &Operand) -> Option<&Path> {
    match operand {
        Operand::Path(p) => Some(p),
        _ => None,
    }
}

/// A condition, its parts in parentheses where they are not simple.
fn cond(out: &mut String, style: &mut impl Style, c: &Cond) {
    let call = |out: &mut String, style: &mut _, name: &str, p: &Path| {
        out.push_str(name);
        out.push('(');
        path(out, style, p);
    };
    match c {
        Cond::Compare(a, op, b) => {
            operand(out, style, a, subject(b));
            out.push(' ');
            out.push_str(op.text());
            out.push(' ');
            operand(out, style, b, subject(a));
        }
        Cond::Between(a, low, high) => {
            operand(out, style, a, None);
            out.push_str(" BETWEEN ");
            operand(out, style, low, subject(a));
            out.push_str(" AND ");
            operand(out, style, high, subject(a));
        }
        Cond::In(a, values) => {
            operand(out, style, a, None);
            out.push_str(" IN (");
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                operand(out, style, v, subject(a));
            }
            out.push(')');
        }
        Cond::Exists(p) => {
            call(out, style, "attribute_exists", p);
            out.push(')');
        }
        Cond::NotExists(p) => {
            call(out, style, "attribute_not_exists", p);
            out.push(')');
        }
        Cond::BeginsWith(p, v) | Cond::Contains(p, v) => {
            let name = match c {
                Cond::BeginsWith(..) => "begins_with",
                _ => "contains",
            };
            call(out, style, name, p);
            out.push_str(", ");
            operand(out, style, v, Some(p));
            out.push(')');
        }
        Cond::Type(p, kind) => {
            call(out, style, "attribute_type", p);
            out.push_str(", ");
            let code = AttributeValue::S(kind.code().to_owned());
            style.value(out, None, &code);
            out.push(')');
        }
        Cond::And(parts) | Cond::Or(parts) => {
            let joint = if matches!(c, Cond::And(_)) {
                " AND "
            } else {
                " OR "
            };
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(joint);
                }
                inner(out, style, part);
            }
        }
        Cond::Not(inner) => {
            out.push_str("NOT (");
            cond(out, style, inner);
            out.push(')');
        }
    }
}

/// A part of a compound condition: in parentheses unless simple.
fn inner(out: &mut String, style: &mut impl Style, c: &Cond) {
    if c.is_simple() {
        cond(out, style, c);
    } else {
        out.push('(');
        cond(out, style, c);
        out.push(')');
    }
}

/// Conditions that must all hold, as one condition's text.
fn all(out: &mut String, style: &mut impl Style, conds: &[Cond]) {
    for (i, c) in conds.iter().enumerate() {
        if i > 0 {
            out.push_str(" AND ");
        }
        if conds.len() == 1 {
            cond(out, style, c);
        } else {
            inner(out, style, c);
        }
    }
}

/// `SET a = b, c = d REMOVE e ADD f :v DELETE g :w`.
fn actions(out: &mut String, style: &mut impl Style, actions: &[UpdateAction]) {
    const CLAUSES: [&str; 4] = ["SET", "REMOVE", "ADD", "DELETE"];
    for (clause, keyword) in CLAUSES.iter().enumerate() {
        let mut first = true;
        for action in actions.iter().filter(|a| a.clause() == clause) {
            if first {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(keyword);
                out.push(' ');
                first = false;
            } else {
                out.push_str(", ");
            }
            match action {
                UpdateAction::Set(p, value) => {
                    path(out, style, p);
                    out.push_str(" = ");
                    operand(out, style, value, Some(p));
                }
                UpdateAction::Remove(p) => path(out, style, p),
                UpdateAction::Add(p, value) | UpdateAction::Delete(p, value) => {
                    path(out, style, p);
                    out.push(' ');
                    style.value(out, Some(p), value);
                }
            }
        }
    }
}

/// A condition shown with names as they are and values as `show` writes them.
pub(crate) fn show(
    conds: &[Cond],
    show: impl FnMut(Option<&Path>, &AttributeValue) -> String,
) -> String {
    let mut out = String::new();
    all(&mut out, &mut Shown(show), conds);
    out
}

/// The expressions of one request. Each kind is rendered by [`render`](Self::render), all with
/// one set of placeholders.
#[derive(Debug, Default, Clone)]
pub(crate) struct Expressions {
    /// The condition: every one must hold.
    pub condition: Vec<Cond>,
    /// The key condition of a query: every one must hold.
    pub key: Vec<Cond>,
    /// A query's or scan's filter: every one must hold.
    pub filter: Vec<Cond>,
    /// An update's changes.
    pub update: Vec<UpdateAction>,
    /// The attributes to read (all when empty).
    pub projection: Vec<Path>,
}

impl Expressions {
    /// Adds a condition: all must hold.
    pub fn require(&mut self, cond: Cond) {
        self.condition.push(cond);
    }

    /// The expressions as text, with their placeholders' names and values.
    pub fn render(&self) -> Rendered {
        let mut style = Placeholders::default();
        let text = |conds: &[Cond], style: &mut Placeholders| {
            (!conds.is_empty()).then(|| {
                let mut out = String::new();
                all(&mut out, style, conds);
                out
            })
        };
        let key_condition = text(&self.key, &mut style);
        let condition = text(&self.condition, &mut style);
        let filter = text(&self.filter, &mut style);
        let update = (!self.update.is_empty()).then(|| {
            let mut out = String::new();
            actions(&mut out, &mut style, &self.update);
            out
        });
        let projection = (!self.projection.is_empty()).then(|| {
            let mut out = String::new();
            for (i, p) in self.projection.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                path(&mut out, &mut style, p);
            }
            out
        });
        let names: HashMap<String, String> = style
            .names
            .into_iter()
            .enumerate()
            .map(|(i, name)| (format!("#n{i}"), name))
            .collect();
        let values: Item = style
            .values
            .into_iter()
            .enumerate()
            .map(|(i, value)| (format!(":v{i}"), value))
            .collect();
        Rendered {
            condition,
            key_condition,
            filter,
            update,
            projection,
            names: (!names.is_empty()).then_some(names),
            values: (!values.is_empty()).then_some(values),
        }
    }
}

/// A request's expressions as DynamoDB takes them: each text, and the placeholders they share
/// (`None` where there is nothing, as the request wants it).
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Rendered {
    pub condition: Option<String>,
    pub key_condition: Option<String>,
    pub filter: Option<String>,
    pub update: Option<String>,
    pub projection: Option<String>,
    pub names: Option<HashMap<String, String>>,
    pub values: Option<Item>,
}

/// Sets a write request's condition expression and placeholders from a [`Rendered`], and asks
/// for the old item when the condition fails (the builders of every conditional write have
/// these setters, but they share no trait).
macro_rules! conditioned {
    ($builder:expr, $rendered:expr) => {{
        let rendered: $crate::expr::render::Rendered = $rendered;
        $builder
            .set_condition_expression(rendered.condition)
            .set_expression_attribute_names(rendered.names)
            .set_expression_attribute_values(rendered.values)
            .return_values_on_condition_check_failure(
                ::aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            )
    }};
}
pub(crate) use conditioned;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::condition::{AttributeType, Comparator, Occupant};

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(text.to_owned())
    }

    fn names(rendered: &Rendered) -> Vec<(String, String)> {
        let mut names: Vec<_> = rendered
            .names
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        names.sort();
        names
    }

    #[test]
    fn names_are_placeholders_once_each_and_values_in_order() {
        let mut exprs = Expressions::default();
        exprs.require(Cond::equals("Type", s("Pet")));
        exprs.require(Cond::not_exists("PK").or(Cond::equals("Type", s("Cat"))));
        let rendered = exprs.render();
        assert_eq!(
            rendered.condition.as_deref(),
            Some("#n0 = :v0 AND (attribute_not_exists(#n1) OR #n0 = :v1)")
        );
        assert_eq!(
            names(&rendered),
            [("#n0".into(), "Type".into()), ("#n1".into(), "PK".into())]
        );
        let values = rendered.values.unwrap();
        assert_eq!(values[":v0"], s("Pet"));
        assert_eq!(values[":v1"], s("Cat"));
    }

    #[test]
    fn map_keys_and_list_indexes_are_never_in_the_text() {
        let mut exprs = Expressions::default();
        let entry = Path::top("addresses").key("home.work) OR (x");
        exprs.require(Cond::exists(entry.clone()));
        exprs
            .update
            .push(UpdateAction::Remove(Path::top("scores").index(2)));
        exprs.update.push(UpdateAction::set(entry, s("1 Main St")));
        let rendered = exprs.render();
        assert_eq!(
            rendered.condition.as_deref(),
            Some("attribute_exists(#n0.#n1)")
        );
        assert_eq!(
            rendered.update.as_deref(),
            Some("SET #n0.#n1 = :v0 REMOVE #n2[2]")
        );
        assert_eq!(
            names(&rendered)[1],
            ("#n1".into(), "home.work) OR (x".into())
        );
    }

    #[test]
    fn every_condition_kind() {
        let cases: Vec<(Cond, &str)> = vec![
            (
                Cond::compare(Path::top("age"), Comparator::Ge, n("3")),
                "#n0 >= :v0",
            ),
            (
                Cond::Between(
                    Operand::Path(Path::top("age")),
                    Operand::Value(n("1")),
                    Operand::Value(n("9")),
                ),
                "#n0 BETWEEN :v0 AND :v1",
            ),
            (
                Cond::In(
                    Operand::Path(Path::top("status")),
                    vec![Operand::Value(s("a")), Operand::Value(s("b"))],
                ),
                "#n0 IN (:v0, :v1)",
            ),
            (Cond::not_exists("nick"), "attribute_not_exists(#n0)"),
            (
                Cond::BeginsWith(Path::top("name"), Operand::Value(s("R"))),
                "begins_with(#n0, :v0)",
            ),
            (
                Cond::Contains(Path::top("tags"), Operand::Value(s("kids"))),
                "contains(#n0, :v0)",
            ),
            (
                Cond::Compare(
                    Operand::Size(Path::top("tags")),
                    Comparator::Lt,
                    Operand::Value(n("5")),
                ),
                "size(#n0) < :v0",
            ),
            (
                Cond::Type(Path::top("born"), AttributeType::N),
                "attribute_type(#n0, :v0)",
            ),
            (
                Cond::not_exists("a")
                    .and(Cond::exists("b"))
                    .or(Cond::exists("c").not()),
                "(attribute_not_exists(#n0) AND attribute_exists(#n1)) OR NOT (attribute_exists(#n2))",
            ),
        ];
        for (cond, text) in cases {
            let rendered = Expressions {
                condition: vec![cond],
                ..Expressions::default()
            }
            .render();
            assert_eq!(rendered.condition.as_deref(), Some(text));
        }
    }

    #[test]
    fn update_clauses_in_order_with_computed_values() {
        let count = Path::top("count");
        let exprs = Expressions {
            update: vec![
                UpdateAction::Delete(Path::top("tags"), AttributeValue::Ss(vec!["x".into()])),
                UpdateAction::Add(Path::top("seen"), AttributeValue::Ss(vec!["y".into()])),
                UpdateAction::Set(
                    count.clone(),
                    Operand::if_not_exists(count, Operand::value(n("0")))
                        .plus(Operand::value(n("1"))),
                ),
                UpdateAction::Remove(Path::top("nick")),
                UpdateAction::Set(
                    Path::top("log"),
                    Operand::value(AttributeValue::L(vec![]))
                        .list_append(Operand::Path(Path::top("log"))),
                ),
            ],
            ..Expressions::default()
        };
        assert_eq!(
            exprs.render().update.as_deref(),
            Some(
                "SET #n0 = if_not_exists(#n0, :v0) + :v1, #n1 = list_append(:v2, #n1) \
                 REMOVE #n2 ADD #n3 :v3 DELETE #n4 :v4"
            )
        );
    }

    #[test]
    fn one_allocator_for_every_kind_of_expression() {
        let exprs = Expressions {
            key: vec![
                Cond::equals("PK", s("USER#alice")),
                Cond::BeginsWith(Path::top("SK"), Operand::value(s("PET#"))),
            ],
            filter: vec![Cond::equals("Type", s("Pet"))],
            projection: vec![Path::top("name"), Path::top("PK")],
            ..Expressions::default()
        };
        let rendered = exprs.render();
        assert_eq!(
            rendered.key_condition.as_deref(),
            Some("#n0 = :v0 AND begins_with(#n1, :v1)")
        );
        assert_eq!(rendered.filter.as_deref(), Some("#n2 = :v2"));
        assert_eq!(rendered.projection.as_deref(), Some("#n3, #n0"));
        assert_eq!(rendered.condition, None);
        assert_eq!(rendered.update, None);
        assert_eq!(Expressions::default().render(), Rendered::default());
    }

    #[test]
    fn the_framework_conditions_of_writes() {
        let occupant = Occupant {
            pk: "PK",
            type_attribute: "Type",
            entity: "Session",
            ttl: Some("expires"),
            now: 1_700_000_000,
        };
        let text = |cond: Cond| {
            Expressions {
                condition: vec![cond],
                ..Expressions::default()
            }
            .render()
            .condition
            .unwrap()
        };
        assert_eq!(
            text(occupant.absent()),
            "attribute_not_exists(#n0) OR #n1 <= :v0"
        );
        assert_eq!(text(occupant.live_own()), "#n0 = :v0 AND NOT (#n1 <= :v1)");
        assert_eq!(
            text(occupant.absent_or_own()),
            "attribute_not_exists(#n0) OR #n1 = :v0 OR #n2 <= :v1"
        );
        assert_eq!(
            text(occupant.absent_or_live_own()),
            "attribute_not_exists(#n0) OR (#n1 = :v0 AND NOT (#n2 <= :v1))"
        );
        let untyped = Occupant {
            type_attribute: "",
            ttl: None,
            ..occupant
        };
        assert_eq!(text(untyped.live_own()), "attribute_exists(#n0)");
        assert_eq!(text(Cond::as_read("version", Some(&n("3")))), "#n0 = :v0");
        assert_eq!(
            text(Cond::as_read("email", None)),
            "attribute_not_exists(#n0)"
        );
    }

    #[test]
    fn shown_with_names_and_values_as_asked() {
        let key = [
            Cond::equals("PK", s("USER#alice")),
            Cond::Between(
                Operand::Path(Path::top("SK")),
                Operand::value(s("PET#a")),
                Operand::value(s("PET#z")),
            ),
        ];
        assert_eq!(
            show(&key, |_, v| value_text(v)),
            "PK = USER#alice AND SK BETWEEN PET#a AND PET#z"
        );
        let templates = show(&key, |subject, _| {
            format!("<{}>", subject.map_or("?", |p| &*p.attribute))
        });
        assert_eq!(templates, "PK = <PK> AND SK BETWEEN <SK> AND <SK>");
    }
}
