//! DynamoDB's limits on items and numbers, checked before sending so that a value DynamoDB
//! would refuse is refused here, with the entity and attribute named.
//!
//! Sizes follow DynamoDB's accounting, checked against DynamoDB Local at the boundary: an
//! attribute is its name's UTF-8 bytes plus its value's size; a string or binary value is its
//! length; a number is 1 byte plus 1 per pair of significant digits (pairs aligned on the
//! decimal point), plus 1 if negative; a boolean or null is 1; a list or map is 3 bytes, plus
//! 1 per element, plus its elements (and a map's key names); a set is the sum of its elements.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{Error, InvalidRequestKind, Result};
use crate::item::Item;

/// DynamoDB's limit on an item's size: 400 KB, attribute names included.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// DynamoDB's limits on numbers: 38 significant digits, magnitudes from 1E-130 to below 1E126.
const MAX_DIGITS: usize = 38;
const MIN_EXPONENT: i64 = -130;
const MAX_EXPONENT: i64 = 125;

/// A number as DynamoDB sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Number {
    /// Whether it is below zero.
    negative: bool,
    /// Its significant digits (no leading or trailing zeros); 0 for zero.
    digits: usize,
    /// The power of ten of its first and last significant digits.
    first: i64,
    last: i64,
}

impl Number {
    /// Reads DynamoDB number text: an optional sign, digits with an optional decimal point, an
    /// optional exponent. `None` for anything else (`NaN`, `inf`, `0x10`, ...).
    pub fn parse(text: &str) -> Option<Number> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], rest[at + 1..].parse::<i64>().ok()?),
            None => (rest, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || exponent.unsigned_abs() > 1 << 40
        {
            return None;
        }
        // Positions: the digit before the point is 10^0.
        let digits: Vec<(i64, u8)> = whole
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| (i as i64, b))
            .chain(
                fraction
                    .bytes()
                    .enumerate()
                    .map(|(i, b)| (-(i as i64) - 1, b)),
            )
            .filter(|(_, b)| *b != b'0')
            .collect();
        let first = digits.iter().map(|(p, _)| *p).max();
        let last = digits.iter().map(|(p, _)| *p).min();
        Some(match (first, last) {
            (Some(first), Some(last)) => Number {
                negative,
                digits: (first - last + 1) as usize,
                first: first + exponent,
                last: last + exponent,
            },
            _ => Number {
                negative: false,
                digits: 0,
                first: 0,
                last: 0,
            },
        })
    }

    /// Why DynamoDB would refuse it, if it would.
    pub fn problem(&self) -> Option<String> {
        if self.digits == 0 {
            None
        } else if self.digits > MAX_DIGITS {
            Some(format!(
                "it has {} significant digits; DynamoDB keeps {MAX_DIGITS}",
                self.digits
            ))
        } else if self.first > MAX_EXPONENT {
            Some("its magnitude is 1E126 or more, beyond DynamoDB's numbers".to_owned())
        } else if self.first < MIN_EXPONENT {
            Some("its magnitude is below 1E-130, beyond DynamoDB's numbers".to_owned())
        } else {
            None
        }
    }

    /// Whether it is zero.
    pub fn is_zero(&self) -> bool {
        self.digits == 0
    }

    /// Its size in an item.
    fn size(&self) -> usize {
        if self.digits == 0 {
            return 1;
        }
        let pairs = self.first.div_euclid(2) - self.last.div_euclid(2) + 1;
        1 + pairs as usize + usize::from(self.negative)
    }
}

/// Checks a whole item: each value (see [`check_value`]) and the item's size.
pub(crate) fn check_item(entity: &'static str, item: &Item) -> Result<()> {
    let mut size = 0;
    for (name, value) in item {
        size += name.len() + check_value(entity, name, value)?;
    }
    if size > MAX_ITEM_BYTES {
        let largest = item
            .iter()
            .map(|(name, value)| (name, name.len() + value_size(value)))
            .max_by_key(|(_, size)| *size);
        let largest = largest.map_or_else(String::new, |(name, size)| {
            format!(" (the largest attribute, `{name}`, takes {size})")
        });
        return Err(Error::Unstorable {
            entity,
            attribute: String::new(),
            problem: format!(
                "the item takes {size} bytes{largest}; DynamoDB allows {MAX_ITEM_BYTES}"
            ),
        });
    }
    Ok(())
}

/// Checks one attribute's value as DynamoDB would (numbers in range, no empty map key) and
/// returns its size. `path` names it in the error (`addresses.home.zip`, `scores[2]`).
pub(crate) fn check_value(
    entity: &'static str,
    path: &str,
    value: &AttributeValue,
) -> Result<usize> {
    let refuse = |path: &str, problem: String| Error::Unstorable {
        entity,
        attribute: path.to_owned(),
        problem,
    };
    let empty_set = |path: &str| refuse(path, "an empty set, which DynamoDB cannot store".into());
    let number = |path: &str, text: &str| -> Result<usize> {
        let number =
            Number::parse(text).ok_or_else(|| refuse(path, format!("{text:?} is not a number")))?;
        match number.problem() {
            Some(problem) => Err(refuse(path, format!("{text}: {problem}"))),
            None => Ok(number.size()),
        }
    };
    Ok(match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number(path, n)?,
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(set) if set.is_empty() => return Err(empty_set(path)),
        AttributeValue::Ns(set) if set.is_empty() => return Err(empty_set(path)),
        AttributeValue::Bs(set) if set.is_empty() => return Err(empty_set(path)),
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Bs(set) => set.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::Ns(set) => set.iter().map(|n| number(path, n)).sum::<Result<usize>>()?,
        AttributeValue::L(list) => {
            let mut size = 3 + list.len();
            for (i, element) in list.iter().enumerate() {
                size += check_value(entity, &format!("{path}[{i}]"), element)?;
            }
            size
        }
        AttributeValue::M(map) => {
            let mut size = 3 + map.len();
            for (key, element) in map {
                if key.is_empty() {
                    return Err(refuse(
                        path,
                        "a map key is empty, which DynamoDB refuses".to_owned(),
                    ));
                }
                size += key.len() + check_value(entity, &format!("{path}.{key}"), element)?;
            }
            size
        }
        // A kind of value this crate never writes: counted as nothing, checked by DynamoDB.
        _ => 0,
    })
}

/// The longest attribute name (and map key) DynamoDB takes: 64 KB.
pub(crate) const MAX_NAME_BYTES: usize = 65_535;

/// Why `value` cannot be a key attribute's value, which DynamoDB holds to `limit` bytes and
/// never empty: `None` when it can.
pub(crate) fn key_attribute_problem(
    value: &AttributeValue,
    limit: usize,
) -> Option<(InvalidRequestKind, String)> {
    let len = match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::B(b) => b.as_ref().len(),
        _ => return None,
    };
    match len {
        0 => Some((
            InvalidRequestKind::Argument,
            "the value is empty, which a key attribute cannot be".to_owned(),
        )),
        len if len > limit => Some((
            InvalidRequestKind::TooLarge,
            format!("the value is {len} bytes; DynamoDB allows {limit} in this key attribute"),
        )),
        _ => None,
    }
}

/// Why `key` cannot be a map key in an expression: empty, or longer than DynamoDB's names.
pub(crate) fn map_key_problem(key: &str) -> Option<(InvalidRequestKind, String)> {
    if key.is_empty() {
        return Some((
            InvalidRequestKind::Argument,
            "the map key is empty, which DynamoDB refuses".to_owned(),
        ));
    }
    (key.len() > MAX_NAME_BYTES).then(|| {
        (
            InvalidRequestKind::TooLarge,
            format!(
                "the map key is {} bytes; DynamoDB allows {MAX_NAME_BYTES}",
                key.len()
            ),
        )
    })
}

/// The size DynamoDB accounts for `item` (attribute names included), as checked against its
/// 400 KB limit before every write. An item over [`MAX_ITEM_BYTES`] is refused with
/// [`Error::Unstorable`] before sending.
///
/// ```
/// use dynamo_entity::aws_sdk_dynamodb::types::AttributeValue;
/// use dynamo_entity::{item_size, Item};
///
/// let item: Item = [
///     ("PK".to_owned(), AttributeValue::S("USER#alice".into())), // 2 + 10
///     ("age".to_owned(), AttributeValue::N("42".into())),         // 3 + 2
/// ]
/// .into();
/// assert_eq!(item_size(&item), 17);
/// ```
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

/// A value's size, without checking it.
fn value_size(value: &AttributeValue) -> usize {
    check_value("", "", value).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size_of(text: &str) -> usize {
        Number::parse(text).unwrap().size()
    }

    #[test]
    fn number_sizes_agree_with_dynamodb_local() {
        // Each measured on DynamoDB Local 3.3.1 at the 400 KB boundary.
        assert_eq!(size_of("1"), 2);
        assert_eq!(size_of("12345678901234567890"), 11);
        assert_eq!(size_of("123456789012345678901"), 12);
        assert_eq!(size_of("1000000000000000000000"), 2);
        assert_eq!(size_of("-1.5"), 4);
        assert_eq!(size_of("12345"), 4);
    }

    #[test]
    fn numbers_dynamodb_refuses_are_found() {
        let problem = |text: &str| Number::parse(text).unwrap().problem();
        // Accepted by DynamoDB Local.
        for ok in [
            "0",
            "-0",
            "1E-130",
            "1E+125",
            &format!("1{}", "0".repeat(39)),
            &format!("{}{}", "9".repeat(38), "0".repeat(88)),
            "12345678901234567890123456789012345678",
            "1.50000000000000000000000000000000000000000000",
            "000000000000000000000000000000000000000001",
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
        // Refused by DynamoDB Local.
        assert_eq!(
            problem("340282366920938463463374607431768211455").unwrap(),
            "it has 39 significant digits; DynamoDB keeps 38"
        );
        assert!(problem(&format!("1{}", "0".repeat(126))).is_some());
        assert!(problem("1E-131").is_some());
        assert!(problem(&format!("0.{}1", "0".repeat(130))).is_some());
        for not_a_number in [
            "NaN", "inf", "-inf", "infinity", "", "-", ".", "1e", "0x10", "1.2.3",
        ] {
            assert_eq!(Number::parse(not_a_number), None, "{not_a_number}");
        }
    }

    #[test]
    fn item_sizes_agree_with_dynamodb_local() {
        let item = |n: usize| -> Item {
            [
                ("PK".to_owned(), AttributeValue::S("k".into())),
                ("b".to_owned(), AttributeValue::S("x".repeat(n))),
            ]
            .into()
        };
        // PK (2) + "k" (1) + b (1) + n: DynamoDB Local takes 409,600 and refuses 409,601.
        check_item("Blob", &item(409_596)).unwrap();
        let err = check_item("Blob", &item(409_597)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Blob cannot be stored: the item takes 409601 bytes (the largest attribute, `b`, \
             takes 409598); DynamoDB allows 409600; nothing was sent"
        );
        let list = AttributeValue::L(vec![
            AttributeValue::S("x".repeat(10)),
            AttributeValue::S("y".into()),
        ]);
        assert_eq!(check_value("Blob", "l", &list).unwrap(), 3 + 2 + 11);
        let map = AttributeValue::M([("bb".to_owned(), AttributeValue::Bool(true))].into());
        assert_eq!(check_value("Blob", "m", &map).unwrap(), 3 + 1 + 2 + 1);
    }

    #[test]
    fn an_empty_map_key_is_named_by_its_path() {
        let inner = AttributeValue::M([(String::new(), AttributeValue::N("1".into()))].into());
        let outer = AttributeValue::M([("home".to_owned(), inner)].into());
        let err = check_value("Customer", "addresses", &outer).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Customer `addresses.home` cannot be stored: a map key is empty, which DynamoDB \
             refuses; nothing was sent"
        );
    }
}
