//! Reads: get by key, and typed queries with pages, cursors and streams.

pub(crate) mod get;
pub(crate) mod paging;
pub(crate) mod query;
