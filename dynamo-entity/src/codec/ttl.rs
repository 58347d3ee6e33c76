//! The TTL field: stored as epoch seconds (`N`), as DynamoDB's TTL needs, and the expiry check
//! that every read and write applies (DynamoDB deletes expired items only eventually).

use aws_sdk_dynamodb::types::AttributeValue;

use super::field::{put_with, TtlCodec};
use super::scalar::{decode_error, describe, MISSING};
use crate::error::Error;
use crate::item::Item;

/// A TTL field's type: stored as epoch seconds (`N`), as DynamoDB's TTL needs. Sub-second
/// precision is not kept.
#[doc(hidden)]
pub trait TtlValue: Sized {
    /// Seconds since the Unix epoch; `None` when the value is beyond what an `i64` holds.
    fn to_epoch_seconds(&self) -> Option<i64>;
    /// The value at `seconds`, if the type can hold it.
    fn from_epoch_seconds(seconds: i64) -> Option<Self>;
}

macro_rules! integer_ttl {
    ($($ty:ty),*) => {$(
        impl TtlValue for $ty {
            fn to_epoch_seconds(&self) -> Option<i64> {
                i64::try_from(*self).ok()
            }
            fn from_epoch_seconds(seconds: i64) -> Option<Self> {
                <$ty>::try_from(seconds).ok()
            }
        }
    )*};
}
integer_ttl!(i32, i64, u32, u64);

#[cfg(feature = "chrono")]
impl TtlValue for chrono::DateTime<chrono::Utc> {
    fn to_epoch_seconds(&self) -> Option<i64> {
        Some(self.timestamp())
    }
    fn from_epoch_seconds(seconds: i64) -> Option<Self> {
        chrono::DateTime::from_timestamp(seconds, 0)
    }
}

#[cfg(feature = "time")]
impl TtlValue for time::OffsetDateTime {
    fn to_epoch_seconds(&self) -> Option<i64> {
        Some(self.unix_timestamp())
    }
    fn from_epoch_seconds(seconds: i64) -> Option<Self> {
        time::OffsetDateTime::from_unix_timestamp(seconds).ok()
    }
}

const TTL_EXPECTED: &str = "epoch seconds (N)";

/// Adds the TTL field's attribute (see [`TtlCodec`]).
#[inline]
pub fn put_ttl<T: TtlValue + std::fmt::Debug>(
    item: &mut Item,
    entity: &'static str,
    field: &'static str,
    attribute: &'static str,
    value: &T,
) -> Result<(), Error> {
    put_with::<TtlCodec, T>(item, entity, field, attribute, value)
}

/// Reads a required TTL field.
pub fn take_ttl<T: TtlValue>(
    value: Option<AttributeValue>,
    entity: &'static str,
    attribute: &'static str,
) -> Result<T, Error> {
    let value =
        value.ok_or_else(|| decode_error(entity, attribute, TTL_EXPECTED, MISSING.to_owned()))?;
    let seconds = match &value {
        AttributeValue::N(n) => n.parse::<i64>().ok(),
        _ => None,
    };
    seconds
        .and_then(T::from_epoch_seconds)
        .ok_or_else(|| decode_error(entity, attribute, TTL_EXPECTED, describe(&value)))
}

/// Whether an item's TTL attribute says it has expired (at or before `now`, in epoch seconds).
/// DynamoDB deletes expired items only eventually, so reads must check.
pub(crate) fn is_expired(item: &Item, ttl_attribute: Option<&str>, now: i64) -> bool {
    let Some(attribute) = ttl_attribute else {
        return false;
    };
    match item.get(attribute) {
        Some(AttributeValue::N(n)) => n.parse::<i64>().is_ok_and(|expiry| expiry <= now),
        _ => false,
    }
}
