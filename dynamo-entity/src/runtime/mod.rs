//! The runtime: the table handle, and what every request passes through (the executor, its
//! observers and cost meter), with the clock, cursors and the production-endpoint guard.

pub(crate) mod clock;
pub(crate) mod cost;
pub(crate) mod cursor;
pub(crate) mod endpoint;
pub(crate) mod execute;
pub(crate) mod table;
