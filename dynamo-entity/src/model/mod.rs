//! What a table and its entities are: indexes, key templates and the key spaces they make,
//! table layouts, entity schemas, and the table schema built from them. Pure data and the rules
//! over it; nothing here sends a request.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod collection;
pub(crate) mod entity;
pub(crate) mod index;
pub(crate) mod keyspace;
pub mod layout;
pub mod multikey;
pub(crate) mod projection;
pub(crate) mod reserved;
pub(crate) mod schema;
pub(crate) mod template;
