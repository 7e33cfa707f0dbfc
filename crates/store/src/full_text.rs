//! Full-text search over tickets (subject and notes) and knowledge-base articles: the one place
//! where a query differs by backend. Both search tables (`ticket_search`, `kb_search`) have the
//! same columns on both backends and are written with the same portable `INSERT`; SQLite indexes
//! them with FTS5 (`unicode61`, diacritics removed, bm25 ranking), PostgreSQL with a generated
//! `tsvector` column (`simple` configuration) under a GIN index (`ts_rank` ranking).
//!
//! User text never reaches either query language: it is cut into words (runs of letters and
//! digits, lowercased), every word must match, each as a prefix (`fact` finds `facture`). One
//! difference remains: SQLite folds accents (`resilie` finds `résilié`), PostgreSQL's `simple`
//! configuration does not (that would need the `unaccent` extension).

use crate::db::{Backend, get};
use crate::error::Result;
use crate::tenant::TenantStore;

/// At most this many words of a query are used.
const MAX_WORDS: usize = 16;
/// Longer words are cut (no real word is this long; it bounds the query's size).
const MAX_WORD_CHARS: usize = 64;

/// The words of a user's query, lowercased; empty when it has none.
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(|w| {
            w.chars()
                .take(MAX_WORD_CHARS)
                .flat_map(char::to_lowercase)
                .collect()
        })
        .collect()
}

/// The match expression for `words` in the backend's query language: every word, as a prefix.
pub(crate) fn expression(backend: Backend, words: &[String]) -> String {
    match backend {
        Backend::Sqlite => words
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" "),
        Backend::Postgres => words
            .iter()
            .map(|w| format!("{w}:*"))
            .collect::<Vec<_>>()
            .join(" & "),
    }
}

/// A query returning column `id`: the distinct `id_column` values of `table`'s rows of tenant
/// `$1` matching expression `$2`, best first, at most `$3`.
pub(crate) fn ranked_ids(backend: Backend, table: &str, id_column: &str) -> String {
    match backend {
        // FTS5's `rank` (bm25, lower is better) is only available in the query that matches, so
        // the grouping happens outside it.
        Backend::Sqlite => format!(
            "SELECT {id_column} AS id FROM (SELECT {id_column}, rank AS score FROM {table} \
             WHERE {table} MATCH $2 AND tenant_id = $1) \
             GROUP BY {id_column} ORDER BY MIN(score), {id_column} DESC LIMIT $3"
        ),
        Backend::Postgres => format!(
            "SELECT {id_column} AS id FROM {table} \
             WHERE tenant_id = $1 AND document @@ to_tsquery('simple', $2) \
             GROUP BY {id_column} \
             ORDER BY MAX(ts_rank(document, to_tsquery('simple', $2))) DESC, {id_column} DESC \
             LIMIT $3"
        ),
    }
}

impl TenantStore {
    /// The ids in `id_column` of the tenant's rows of search table `table` that contain every
    /// word of `text` (as prefixes), best match first, at most `limit` (1 to 100).
    pub(crate) async fn search_ids(
        &self,
        table: &str,
        id_column: &str,
        text: &str,
        limit: u32,
    ) -> Result<Vec<i64>> {
        let backend = self.store.backend();
        let words = words(text);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(ranked_ids(backend, table, id_column)))
            .bind(self.tid())
            .bind(expression(backend, &words))
            .bind(i64::from(limit.clamp(1, 100)))
            .fetch_all(self.store.pool())
            .await?;
        rows.iter().map(|row| get(row, "id")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_text_becomes_lowercase_words() {
        assert_eq!(
            words("  Facture \"impayée\" -- OR* 2024!"),
            ["facture", "impayée", "or", "2024"]
        );
        assert!(words("\"*:&|!()").is_empty());
    }

    #[test]
    fn words_are_bounded_in_number_and_length() {
        let many = "a ".repeat(100);
        assert_eq!(words(&many).len(), MAX_WORDS);
        let long = "x".repeat(1000);
        assert_eq!(words(&long)[0].chars().count(), MAX_WORD_CHARS);
    }

    #[test]
    fn every_word_is_a_required_prefix_in_both_languages() {
        let w = words("box fibre");
        assert_eq!(expression(Backend::Sqlite, &w), "\"box\"* \"fibre\"*");
        assert_eq!(expression(Backend::Postgres, &w), "box:* & fibre:*");
    }
}
