//! Typed partial reads: a struct of some of an entity's fields, read with a projection
//! expression, so that a read transfers (and decodes) only what it needs.

use std::marker::PhantomData;

use super::read::get::Read;
use super::read::query::{Page, QueryRequest};
use crate::error::Result;
use crate::item::Key;
use crate::model::entity::Entity;
use crate::model::projection::Projection;
use crate::runtime::table::Table;

impl Table {
    /// Reads the projection `P` of the entity under `key`: only `P`'s attributes are
    /// transferred. `None` if there is no (live) item; an item of another entity type is an
    /// [`Error::EntityTypeMismatch`](crate::Error::EntityTypeMismatch).
    pub fn get_projection<P: Projection>(&self, key: Key) -> GetProjection<'_, P> {
        GetProjection {
            table: self,
            key,
            consistent: false,
            projection: PhantomData,
        }
    }
}

/// A projected get; await it (or call [`send`](Self::send)).
#[must_use = "a get does nothing until awaited"]
pub struct GetProjection<'t, P> {
    table: &'t Table,
    key: Key,
    consistent: bool,
    projection: PhantomData<fn() -> P>,
}

impl<P: Projection> GetProjection<'_, P> {
    /// Read with strong consistency (twice the read capacity).
    pub fn consistent_read(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Option<P>> {
        let schema = <P::Of as Entity>::SCHEMA;
        let read = Read {
            entity: schema.entity_type,
            projection: Some(P::ATTRIBUTES),
            ttl: schema.ttl,
        };
        let item = read.live(self.table, &self.key, self.consistent).await?;
        item.map(P::from_item).transpose()
    }
}

impl<'t, P: Projection + Send + 't> std::future::IntoFuture for GetProjection<'t, P> {
    type Output = Result<Option<P>>;
    type IntoFuture =
        std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 't>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<'t, E: Entity> QueryRequest<'t, E> {
    /// The same query, reading only the attributes of projection `P` of the entity.
    pub fn project<P: Projection<Of = E>>(self) -> ProjectedQuery<'t, P> {
        ProjectedQuery { request: self }
    }
}

/// A query read as projection `P`; read one [`page`](Self::page) or [`all`](Self::all).
#[must_use = "a query does nothing until a page is read"]
pub struct ProjectedQuery<'t, P: Projection> {
    request: QueryRequest<'t, P::Of>,
}

impl<P: Projection> ProjectedQuery<'_, P> {
    /// Reads one page.
    pub async fn page(&self) -> Result<Page<P>> {
        self.request
            .decoded_page(Some(P::ATTRIBUTES), P::from_item)
            .await
    }

    /// Reads every page (up to the query's limit).
    pub async fn all(self) -> Result<Vec<P>> {
        let mut request = Some(self.request);
        let mut all = Vec::new();
        while let Some(current) = request {
            let page = current
                .decoded_page(Some(P::ATTRIBUTES), P::from_item)
                .await?;
            request = current.next(&page);
            all.extend(page.items);
        }
        Ok(all)
    }
}
