//! Operations: one request kind per module, each a façade method on [`Table`] that builds its
//! input (a pure function of the call), executes it, and decodes the answer.
//!
//! [`Table`]: crate::Table

pub(crate) mod batch;
pub(crate) mod collection;
pub(crate) mod guarded;
pub(crate) mod projection;
pub(crate) mod read;
pub(crate) mod scan;
#[cfg(feature = "lambda-events")]
pub mod stream;
#[cfg(test)]
pub(crate) mod testing;
pub(crate) mod transaction;
pub(crate) mod tx;
pub(crate) mod unique;
pub(crate) mod update;
pub(crate) mod write;

/// Lets a request builder be awaited directly: `table.get::<Pet>(key).await`.
macro_rules! into_future {
    ($builder:ident, $output:ty) => {
        impl<'t, E: $crate::model::entity::Entity + Send + Sync + 't> ::std::future::IntoFuture
            for $builder<'t, E>
        {
            type Output = $crate::error::Result<$output>;
            type IntoFuture =
                ::std::pin::Pin<Box<dyn ::std::future::Future<Output = Self::Output> + Send + 't>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}
pub(crate) use into_future;
