//! Update actions: what an `UpdateItem` (or a transaction's update) changes, as values.

use aws_sdk_dynamodb::types::AttributeValue;

use super::condition::Operand;
use super::path::{Element, Path};
use crate::codec::decimal;
use crate::item::Item;

/// One change of an update expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum UpdateAction {
    /// `SET path = operand`.
    Set(Path, Operand),
    /// `REMOVE path`.
    Remove(Path),
    /// `ADD path value`: to a number, or elements to a set.
    Add(Path, AttributeValue),
    /// `DELETE path value`: elements from a set.
    Delete(Path, AttributeValue),
}

impl UpdateAction {
    /// `SET path = value`.
    pub fn set(path: impl Into<Path>, value: AttributeValue) -> Self {
        UpdateAction::Set(path.into(), Operand::Value(value))
    }

    /// The document path it changes.
    pub fn path(&self) -> &Path {
        match self {
            UpdateAction::Set(path, _)
            | UpdateAction::Remove(path)
            | UpdateAction::Add(path, _)
            | UpdateAction::Delete(path, _) => path,
        }
    }

    /// The clause it belongs to, in the order they are written.
    pub(crate) fn clause(&self) -> usize {
        match self {
            UpdateAction::Set(..) => 0,
            UpdateAction::Remove(_) => 1,
            UpdateAction::Add(..) => 2,
            UpdateAction::Delete(..) => 3,
        }
    }
}

/// An action that cannot be applied to an item here exactly as DynamoDB would apply it: a
/// list index, a number beyond 38 digits, a value of the wrong type, a path into something
/// absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotApplicable;

impl UpdateAction {
    /// Applies the action to `item`, as DynamoDB will apply it to the stored item: sets and
    /// removals at top-level attributes and map keys, additions and subtractions of numbers
    /// (exact), `if_not_exists`, list appends, and set additions and deletions. An update
    /// applied to the item read, under a condition that it is still the one stored, gives
    /// the item DynamoDB will store.
    pub(crate) fn apply(&self, item: &mut Item) -> Result<(), NotApplicable> {
        match self {
            UpdateAction::Set(path, operand) => {
                let value = evaluate(operand, item)?.ok_or(NotApplicable)?;
                put(item, path, value)
            }
            UpdateAction::Remove(path) => remove(item, path),
            UpdateAction::Add(path, value) => {
                let current = get(item, path)?.cloned();
                let sum = match (current, value) {
                    (None, value) => value.clone(),
                    (Some(AttributeValue::N(a)), AttributeValue::N(b)) => {
                        AttributeValue::N(decimal::add(&a, b).ok_or(NotApplicable)?)
                    }
                    (Some(current), value) => set_union(&current, value)?,
                };
                put(item, path, sum)
            }
            UpdateAction::Delete(path, value) => match get(item, path)?.cloned() {
                None => Ok(()),
                Some(current) => match set_difference(&current, value)? {
                    Some(rest) => put(item, path, rest),
                    // DynamoDB stores no empty set: the attribute goes.
                    None => remove(item, path),
                },
            },
        }
    }
}

/// The value of `operand` on `item`: `None` for a path with nothing there.
fn evaluate(operand: &Operand, item: &Item) -> Result<Option<AttributeValue>, NotApplicable> {
    Ok(match operand {
        Operand::Value(value) => Some(value.clone()),
        Operand::Path(path) => get(item, path)?.cloned(),
        Operand::IfNotExists(path, initial) => match get(item, path)? {
            Some(value) => Some(value.clone()),
            None => evaluate(initial, item)?,
        },
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            let (Some(AttributeValue::N(a)), Some(AttributeValue::N(b))) =
                (evaluate(a, item)?, evaluate(b, item)?)
            else {
                return Err(NotApplicable);
            };
            let result = match operand {
                Operand::Plus(..) => decimal::add(&a, &b),
                _ => decimal::subtract(&a, &b),
            };
            Some(AttributeValue::N(result.ok_or(NotApplicable)?))
        }
        Operand::ListAppend(a, b) => {
            let (Some(AttributeValue::L(mut a)), Some(AttributeValue::L(b))) =
                (evaluate(a, item)?, evaluate(b, item)?)
            else {
                return Err(NotApplicable);
            };
            a.extend(b);
            Some(AttributeValue::L(a))
        }
        Operand::Size(_) => return Err(NotApplicable),
    })
}

/// The map keys of `path` below its attribute; a list index is not applied here.
fn keys(path: &Path) -> Result<Vec<&str>, NotApplicable> {
    path.elements
        .iter()
        .map(|element| match element {
            Element::Key(key) => Ok(key.as_str()),
            Element::Index(_) => Err(NotApplicable),
        })
        .collect()
}

/// The value at `path`, `None` when nothing is there.
fn get<'i>(item: &'i Item, path: &Path) -> Result<Option<&'i AttributeValue>, NotApplicable> {
    let mut value = item.get(&*path.attribute);
    for key in keys(path)? {
        value = match value {
            Some(AttributeValue::M(map)) => map.get(key),
            None => None,
            Some(_) => return Err(NotApplicable),
        };
    }
    Ok(value)
}

/// The map that holds the last step of `path`, and that step's name; DynamoDB refuses a path
/// through something absent, and so does this.
fn parent<'i>(
    item: &'i mut Item,
    path: &'i Path,
) -> Result<(&'i mut Item, &'i str), NotApplicable> {
    let keys = keys(path)?;
    let Some((last, inner)) = keys.split_last() else {
        return Ok((item, &path.attribute));
    };
    let mut map = match item.get_mut(&*path.attribute) {
        Some(AttributeValue::M(map)) => map,
        _ => return Err(NotApplicable),
    };
    for key in inner {
        map = match map.get_mut(*key) {
            Some(AttributeValue::M(inner)) => inner,
            _ => return Err(NotApplicable),
        };
    }
    Ok((map, last))
}

fn put(item: &mut Item, path: &Path, value: AttributeValue) -> Result<(), NotApplicable> {
    let (map, name) = parent(item, path)?;
    map.insert(name.to_owned(), value);
    Ok(())
}

fn remove(item: &mut Item, path: &Path) -> Result<(), NotApplicable> {
    let (map, name) = parent(item, path)?;
    map.remove(name);
    Ok(())
}

/// `current` with `added`'s elements. Number sets are compared as text, as written.
fn set_union(
    current: &AttributeValue,
    added: &AttributeValue,
) -> Result<AttributeValue, NotApplicable> {
    fn union<T: Clone + PartialEq>(a: &[T], b: &[T]) -> Vec<T> {
        let mut out = a.to_vec();
        out.extend(b.iter().filter(|x| !a.contains(x)).cloned());
        out
    }
    Ok(match (current, added) {
        (AttributeValue::Ss(a), AttributeValue::Ss(b)) => AttributeValue::Ss(union(a, b)),
        (AttributeValue::Ns(a), AttributeValue::Ns(b)) => AttributeValue::Ns(union(a, b)),
        (AttributeValue::Bs(a), AttributeValue::Bs(b)) => AttributeValue::Bs(union(a, b)),
        _ => return Err(NotApplicable),
    })
}

/// `current` without `removed`'s elements; `None` when nothing is left.
fn set_difference(
    current: &AttributeValue,
    removed: &AttributeValue,
) -> Result<Option<AttributeValue>, NotApplicable> {
    fn difference<T: Clone + PartialEq>(a: &[T], b: &[T]) -> Vec<T> {
        a.iter().filter(|x| !b.contains(x)).cloned().collect()
    }
    let rest = match (current, removed) {
        (AttributeValue::Ss(a), AttributeValue::Ss(b)) => AttributeValue::Ss(difference(a, b)),
        (AttributeValue::Ns(a), AttributeValue::Ns(b)) => AttributeValue::Ns(difference(a, b)),
        (AttributeValue::Bs(a), AttributeValue::Bs(b)) => AttributeValue::Bs(difference(a, b)),
        _ => return Err(NotApplicable),
    };
    let empty = match &rest {
        AttributeValue::Ss(v) | AttributeValue::Ns(v) => v.is_empty(),
        AttributeValue::Bs(v) => v.is_empty(),
        _ => false,
    };
    Ok((!empty).then_some(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(text.to_owned())
    }

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    fn applied(item: &Item, action: UpdateAction) -> Result<Item, NotApplicable> {
        let mut item = item.clone();
        action.apply(&mut item).map(|()| item)
    }

    #[test]
    fn numbers_are_added_exactly_as_dynamodb_adds_them() {
        let item = Item::from([("likes".to_owned(), n("9"))]);
        let likes = Path::top("likes");
        let plus = |v: &str| {
            UpdateAction::Set(
                likes.clone(),
                Operand::Path(likes.clone()).plus(Operand::value(n(v))),
            )
        };
        assert_eq!(applied(&item, plus("1")).unwrap()["likes"], n("10"));
        let minus = UpdateAction::Set(
            likes.clone(),
            Operand::Path(likes.clone()).minus(Operand::value(n("0.5"))),
        );
        assert_eq!(applied(&item, minus).unwrap()["likes"], n("8.5"));
        assert_eq!(
            applied(&item, UpdateAction::Add(likes.clone(), n("-9"))).unwrap()["likes"],
            n("0")
        );
        // Counting from an initial value where there is none.
        let counted = UpdateAction::Set(
            Path::top("views"),
            Operand::if_not_exists(Path::top("views"), Operand::value(n("0")))
                .plus(Operand::value(n("1"))),
        );
        assert_eq!(applied(&item, counted).unwrap()["views"], n("1"));
        // An addition to nothing is refused by DynamoDB: not applied here either.
        let absent = UpdateAction::Set(
            Path::top("views"),
            Operand::Path(Path::top("views")).plus(Operand::value(n("1"))),
        );
        assert_eq!(applied(&item, absent), Err(NotApplicable));
    }

    #[test]
    fn lists_sets_and_map_entries() {
        let item = Item::from([
            ("tags".to_owned(), AttributeValue::L(vec![s("a")])),
            (
                "labels".to_owned(),
                AttributeValue::Ss(vec!["x".into(), "y".into()]),
            ),
            (
                "addresses".to_owned(),
                AttributeValue::M([("home".to_owned(), s("1 Main St"))].into()),
            ),
        ]);
        let append = UpdateAction::Set(
            Path::top("tags"),
            Operand::ListAppend(
                Box::new(Operand::Path(Path::top("tags"))),
                Box::new(Operand::value(AttributeValue::L(vec![s("b")]))),
            ),
        );
        assert_eq!(
            applied(&item, append).unwrap()["tags"],
            AttributeValue::L(vec![s("a"), s("b")])
        );
        let added = UpdateAction::Add(
            Path::top("labels"),
            AttributeValue::Ss(vec!["y".into(), "z".into()]),
        );
        assert_eq!(
            applied(&item, added).unwrap()["labels"],
            AttributeValue::Ss(vec!["x".into(), "y".into(), "z".into()])
        );
        let emptied = UpdateAction::Delete(
            Path::top("labels"),
            AttributeValue::Ss(vec!["x".into(), "y".into()]),
        );
        assert!(!applied(&item, emptied).unwrap().contains_key("labels"));
        let work = UpdateAction::set(Path::top("addresses").key("work"), s("2 High St"));
        let AttributeValue::M(addresses) = &applied(&item, work).unwrap()["addresses"] else {
            panic!("a map");
        };
        assert_eq!(addresses.len(), 2);
        let gone = UpdateAction::Remove(Path::top("addresses").key("home"));
        assert_eq!(
            applied(&item, gone).unwrap()["addresses"],
            AttributeValue::M(Default::default())
        );
        // Into something absent, and by list index: not applied here.
        let deep = UpdateAction::set(Path::top("nowhere").key("k"), s("v"));
        assert_eq!(applied(&item, deep), Err(NotApplicable));
        let mut indexed = Path::top("tags");
        indexed.elements.push(Element::Index(0));
        assert_eq!(
            applied(&item, UpdateAction::Remove(indexed)),
            Err(NotApplicable)
        );
    }
}
