//! What entity and collection queries share: their reading options, and paging (page size,
//! overall limit, the cursor to start after).

use crate::error::{Error, InvalidRequestKind, Result};
use crate::runtime::cursor::Cursor;

/// The reading options shared by entity and collection queries (fields `paging`, `descending`,
/// `consistent`).
macro_rules! query_options {
    () => {
        /// At most `n` items per page (DynamoDB's `Limit`: items read per request).
        pub fn page_size(mut self, n: u32) -> Self {
            self.paging.page_size(n);
            self
        }

        /// At most `n` entities in all (across pages for [`all`](Self::all) and
        /// [`pages`](Self::pages)). Each request asks DynamoDB for no more than are still wanted,
        /// so the cursor of the last page resumes right after the last entity returned.
        pub fn limit(mut self, n: u32) -> Self {
            self.paging.limit = Some(n);
            self
        }

        /// Sort key descending (newest first for time-ordered keys).
        pub fn descending(mut self) -> Self {
            self.descending = true;
            self
        }

        /// Strongly consistent reads (base table only; DynamoDB refuses them on a GSI).
        pub fn consistent_read(mut self) -> Self {
            self.consistent = true;
            self
        }

        /// Start after the page that returned `cursor`.
        pub fn after(mut self, cursor: crate::runtime::cursor::Cursor) -> Self {
            self.paging.after = Some(cursor);
            self
        }
    };
}
pub(crate) use query_options;

/// Page size, overall limit and starting cursor, shared by entity and collection queries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Paging {
    pub page_size: Option<i32>,
    /// Items still wanted, when a limit was set.
    pub limit: Option<u32>,
    pub after: Option<Cursor>,
}

impl Paging {
    pub fn page_size(&mut self, n: u32) {
        self.page_size = Some(i32::try_from(n).unwrap_or(i32::MAX));
    }

    /// Refuses what DynamoDB would: a page of no items (`Limit` must be at least 1).
    pub fn check(&self) -> Result<()> {
        if self.page_size == Some(0) {
            return Err(Error::invalid(
                InvalidRequestKind::Argument,
                "page_size(0): a page holds at least one item",
            ));
        }
        if self.limit == Some(0) {
            return Err(Error::invalid(
                InvalidRequestKind::Argument,
                "limit(0) asks for no item; leave the query out instead",
            ));
        }
        Ok(())
    }

    /// DynamoDB's `Limit` for the next request: the page size, capped by what is still wanted.
    pub fn request_limit(&self) -> Option<i32> {
        let wanted = self.limit.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
        match (self.page_size, wanted) {
            (Some(size), Some(wanted)) => Some(size.min(wanted)),
            (size, wanted) => size.or(wanted),
        }
    }

    /// Moves past a page of `returned` items ending at `cursor`; false when nothing more is to
    /// be read.
    pub fn advance(&mut self, returned: usize, cursor: Option<Cursor>) -> bool {
        if let Some(wanted) = self.limit.as_mut() {
            *wanted = wanted.saturating_sub(u32::try_from(returned).unwrap_or(u32::MAX));
            if *wanted == 0 {
                return false;
            }
        }
        self.after = cursor;
        self.after.is_some()
    }
}
