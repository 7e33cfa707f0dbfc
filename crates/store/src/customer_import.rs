//! Idempotent customer import: batches of rows upserted by external id in one transaction,
//! with multi-row statements. Each row's content hash is compared with the stored one first, so
//! an unchanged row is not written at all (not even `updated_at_ms`): importing the same file
//! twice changes nothing the second time.
//!
//! A row replaces the customer's names, fields, consent and identities with its own. Merges are
//! not undone: a merged duplicate keeps pointing at its survivor whatever is imported for it, and
//! the field values a merge filled in stay until the survivor's own row changes in the file.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::customer::{BIND_ROWS, Content, ID_CHUNK, replace_identities};
use crate::db::{get, param_list, values_list};
use crate::error::{Error, Result};
use crate::tenant::TenantStore;

/// One imported customer, identified by the tenant's external id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerUpsert {
    /// The id in the tenant's own systems: the key of the upsert.
    pub external_id: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E.164 numbers, the main one first.
    pub phones: Vec<String>,
    /// Email addresses, the main one first.
    pub emails: Vec<String>,
    /// Custom field values by key.
    pub fields: Map<String, Value>,
    /// May the customer's calls be recorded (`None`: not asked).
    pub consent_recording: Option<bool>,
    /// May the customer be contacted for marketing (`None`: not asked).
    pub consent_marketing: Option<bool>,
}

/// What [`TenantStore::upsert_customers`] did, row by row in the order given (a row repeated
/// in one batch counts as inserted then updated or unchanged, as if imported one at a time).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertReport {
    /// Rows whose external id was new.
    pub inserted: u64,
    /// Rows that changed an existing customer.
    pub updated: u64,
    /// Rows identical to what was stored: not written.
    pub unchanged: u64,
}

impl std::ops::AddAssign for UpsertReport {
    fn add_assign(&mut self, other: UpsertReport) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

/// Columns of one upserted row after the shared `tenant_id, created_at_ms, updated_at_ms`.
const UPSERT_COLUMNS: usize = 8;

impl TenantStore {
    /// Upserts `rows` by external id in one transaction. Rows are checked first (E.164
    /// phones, email shape, lengths): one invalid row refuses the batch with
    /// [`Error::Invalid`], so callers validate rows (the `crm` import reader does) and pass the
    /// good ones.
    pub async fn upsert_customers(
        &self,
        rows: &[CustomerUpsert],
        now_ms: i64,
    ) -> Result<UpsertReport> {
        let contents = rows
            .iter()
            .map(|row| {
                Content::new(
                    Some(&row.external_id),
                    &row.first_name,
                    &row.last_name,
                    &row.phones,
                    &row.emails,
                    &row.fields,
                    row.consent_recording,
                    row.consent_marketing,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let hashes: Vec<i64> = contents.iter().map(Content::hash).collect();
        // The last occurrence of each external id is what gets written.
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            last.insert(row.external_id.as_str(), i);
        }

        let mut tx = self.store.write().await?;
        let conn = tx.conn();
        let mut stored: HashMap<String, i64> = HashMap::with_capacity(rows.len());
        let keys: Vec<&str> = last.keys().copied().collect();
        for chunk in keys.chunks(ID_CHUNK) {
            let sql = format!(
                "SELECT external_id, row_hash FROM customers WHERE tenant_id = $1 \
                 AND external_id IN ({})",
                param_list(1, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(self.tid());
            for key in chunk {
                query = query.bind(key.to_string());
            }
            for row in query.fetch_all(&mut *conn).await? {
                stored.insert(get(&row, "external_id")?, get(&row, "row_hash")?);
            }
        }

        let mut report = UpsertReport::default();
        let mut current: HashMap<&str, i64> = HashMap::with_capacity(rows.len());
        for (row, &hash) in rows.iter().zip(&hashes) {
            let key = row.external_id.as_str();
            let before = current.get(key).or_else(|| stored.get(key)).copied();
            match before {
                None => report.inserted += 1,
                Some(h) if h == hash => report.unchanged += 1,
                Some(_) => report.updated += 1,
            }
            current.insert(key, hash);
        }
        let mut writes: Vec<usize> = last
            .iter()
            .filter(|(key, i)| stored.get(**key) != Some(&hashes[**i]))
            .map(|(_, i)| *i)
            .collect();
        writes.sort_unstable();

        let mut written: Vec<(i64, &Content<'_>)> = Vec::with_capacity(writes.len());
        // Customers that existed before this batch: only they have identities to replace.
        let mut stale: Vec<i64> = Vec::new();
        let by_key: HashMap<&str, usize> = writes
            .iter()
            .map(|&i| (rows[i].external_id.as_str(), i))
            .collect();
        for chunk in writes.chunks(BIND_ROWS) {
            let sql = format!(
                "INSERT INTO customers (tenant_id, created_at_ms, updated_at_ms, external_id, \
                 first_name, last_name, fields, consent_recording, consent_marketing, row_hash, \
                 search_text) VALUES {} \
                 ON CONFLICT (tenant_id, external_id) DO UPDATE SET \
                 first_name = excluded.first_name, last_name = excluded.last_name, \
                 fields = excluded.fields, consent_recording = excluded.consent_recording, \
                 consent_marketing = excluded.consent_marketing, row_hash = excluded.row_hash, \
                 search_text = excluded.search_text, updated_at_ms = excluded.updated_at_ms \
                 RETURNING id, external_id",
                values_list("$1, $2, $2, ", 2, UPSERT_COLUMNS, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(self.tid())
                .bind(now_ms);
            for &i in chunk {
                let content = &contents[i];
                query = query
                    .bind(rows[i].external_id.clone())
                    .bind(content.first_name.to_owned())
                    .bind(content.last_name.to_owned())
                    .bind(content.fields_json())
                    .bind(content.consent_recording)
                    .bind(content.consent_marketing)
                    .bind(hashes[i])
                    .bind(content.search_text());
            }
            for row in query.fetch_all(&mut *conn).await? {
                let id: i64 = get(&row, "id")?;
                let key: String = get(&row, "external_id")?;
                let i = by_key
                    .get(key.as_str())
                    .copied()
                    .ok_or_else(|| Error::corrupt("external_id", "not in the batch"))?;
                if stored.contains_key(key.as_str()) {
                    stale.push(id);
                }
                written.push((id, &contents[i]));
            }
        }
        replace_identities(conn, self.tid(), &stale, &written).await?;
        tx.commit().await?;
        Ok(report)
    }
}
