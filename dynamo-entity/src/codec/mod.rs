//! Value encodings: how a field's value becomes an attribute value or part of a key, and back.
//! Nothing here knows about tables, entities or requests.

pub(crate) mod decimal;
pub(crate) mod field;
pub mod format;
pub mod key_value;
pub(crate) mod limits;
pub(crate) mod scalar;
pub(crate) mod serde;
pub(crate) mod set;
pub(crate) mod ttl;
