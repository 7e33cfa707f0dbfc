//! Full-text search over customers: names, external id, emails and phone digits. Customers'
//! one query that differs per backend: SQLite matches the FTS5 table `customers_fts`, PostgreSQL
//! the GIN index on `to_tsvector('simple', search_text)`; the query's words and their match
//! expression come from `full_text.rs`, as for tickets and articles. Both backends see the same
//! words, because `search_text` is written already lowercased and split (see `customer.rs`):
//! every query word matches as a prefix (`dup` finds Dupont), all words required. Results are
//! the survivors of merged duplicates, by id (no ranking).

use crate::customer::{CustomerSummary, MAX_PAGE, SUMMARY_COLUMNS};
use crate::db::Backend;
use crate::error::Result;
use crate::full_text;
use crate::tenant::TenantStore;

/// Which page of search results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchPage {
    /// Results to skip.
    pub offset: u32,
    /// Results to return (capped at 1,000).
    pub limit: u32,
}

impl Default for SearchPage {
    fn default() -> Self {
        SearchPage {
            offset: 0,
            limit: 50,
        }
    }
}

impl TenantStore {
    /// Customers whose names, external id, emails or phone digits contain words starting with
    /// every word of `query` (`jean dup`, `33612`, `acme com`). Phone numbers match by their
    /// E.164 digits, so callers normalise a national number first. An empty query finds nothing.
    pub async fn search_customers(
        &self,
        query: &str,
        page: SearchPage,
    ) -> Result<Vec<CustomerSummary>> {
        let words = full_text::words(query);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let backend = self.store.backend();
        let matches = match backend {
            Backend::Sqlite => {
                "c.id IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH $2)"
            }
            Backend::Postgres => "to_tsvector('simple', c.search_text) @@ to_tsquery('simple', $2)",
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM customers WHERE tenant_id = $1 AND id IN (\
             SELECT COALESCE(c.merged_into, c.id) FROM customers c \
             WHERE c.tenant_id = $1 AND {matches}) ORDER BY id LIMIT $3 OFFSET $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.tid())
            .bind(full_text::expression(backend, &words))
            .bind(i64::from(page.limit.clamp(1, MAX_PAGE)))
            .bind(i64::from(page.offset))
            .fetch_all(self.store.pool())
            .await?;
        rows.iter().map(CustomerSummary::from_row).collect()
    }
}
