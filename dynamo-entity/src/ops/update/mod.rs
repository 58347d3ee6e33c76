//! Typed updates: change some attributes of an existing item in one request.

mod builder;
mod plan;
mod send;

pub use builder::{Numeric, SetValued, Update};

#[cfg(test)]
mod tests;
