//! Customers: who contacts the center. A customer has identities (E.164 phones, emails, an
//! external id from the tenant's own systems), custom field values (a JSON object; the types are
//! the tenant's [`crate::CustomFieldDef`]s, checked by the `crm` crate before they get here),
//! and consent flags that screen pop shows and recording obeys.
//!
//! Merging keeps both rows: the duplicate gets `merged_into` = the survivor and stays as it was,
//! so its identities, and every ticket or call that names it, are reached from the survivor
//! ([`Customer::merged`]) without rewriting history, and a re-import of either row changes
//! nothing the merge decided. Screen pop and search answer with the survivor.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::db::{get, insert_chunked, param_list};
use crate::error::{Entity, Error, Result, found};
use crate::ids::CustomerId;
use crate::number::check_e164;
use crate::tenant::TenantStore;

/// A customer's content as an API or form gives it (for import, see [`crate::CustomerUpsert`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerRecord {
    /// The id in the tenant's own systems, unique in the tenant when set.
    pub external_id: Option<String>,
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

/// A customer with identities and fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Customer {
    /// Its id.
    pub id: CustomerId,
    /// The id in the tenant's own systems.
    pub external_id: Option<String>,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Its numbers then those of the customers merged into it, without repeats.
    pub phones: Vec<String>,
    /// Its emails then those of the customers merged into it, without repeats.
    pub emails: Vec<String>,
    /// Custom field values by key.
    pub fields: Map<String, Value>,
    /// May the customer's calls be recorded (`None`: not asked).
    pub consent_recording: Option<bool>,
    /// May the customer be contacted for marketing (`None`: not asked).
    pub consent_marketing: Option<bool>,
    /// Set when this row is a duplicate merged into another customer.
    pub merged_into: Option<CustomerId>,
    /// The duplicates merged into this customer: their history is this customer's.
    pub merged: Vec<CustomerId>,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
    /// When it was last changed (unix ms).
    pub updated_at_ms: i64,
}

impl Customer {
    /// The summary a list or a screen pop shows.
    pub fn summary(&self) -> CustomerSummary {
        CustomerSummary {
            id: self.id,
            external_id: self.external_id.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            consent_recording: self.consent_recording,
            consent_marketing: self.consent_marketing,
            merged_into: self.merged_into,
        }
    }
}

/// What a screen pop, a list or a search shows of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerSummary {
    /// Its id.
    pub id: CustomerId,
    /// The id in the tenant's own systems.
    pub external_id: Option<String>,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// May the customer's calls be recorded (`None`: not asked).
    pub consent_recording: Option<bool>,
    /// May the customer be contacted for marketing (`None`: not asked).
    pub consent_marketing: Option<bool>,
    /// Set when this is a merged duplicate (only lists that ask for them show these).
    pub merged_into: Option<CustomerId>,
}

/// Which customers [`TenantStore::list_customers`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CustomerFilter {
    /// Only those whose recording consent is this (`None`: any).
    pub consent_recording: Option<bool>,
    /// Only those whose marketing consent is this (`None`: any).
    pub consent_marketing: Option<bool>,
    /// Only those changed at or after this time (unix ms).
    pub updated_since_ms: Option<i64>,
    /// Include merged duplicates (left out by default).
    pub include_merged: bool,
}

/// One page of a list, and the cursor of the next page if there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerPage {
    /// The customers, by id.
    pub customers: Vec<CustomerSummary>,
    /// Pass as `after` to get the next page; `None` on the last page.
    pub next: Option<CustomerId>,
}

/// The most customers one page returns.
pub const MAX_PAGE: u32 = 1000;

/// The most characters of a name or an external id.
const MAX_TEXT: usize = 200;

pub(crate) const SUMMARY_COLUMNS: &str =
    "id, external_id, first_name, last_name, consent_recording, consent_marketing, merged_into";

const CUSTOMER_COLUMNS: &str = "id, external_id, first_name, last_name, consent_recording, \
     consent_marketing, merged_into, fields, created_at_ms, updated_at_ms";

impl CustomerSummary {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(CustomerSummary {
            id: CustomerId(get(row, "id")?),
            external_id: get(row, "external_id")?,
            first_name: get(row, "first_name")?,
            last_name: get(row, "last_name")?,
            consent_recording: get_opt_flag(row, "consent_recording")?,
            consent_marketing: get_opt_flag(row, "consent_marketing")?,
            merged_into: get::<Option<i64>>(row, "merged_into")?.map(CustomerId),
        })
    }
}

/// Reads a nullable flag (PostgreSQL `BOOLEAN`, SQLite 0/1).
fn get_opt_flag(row: &AnyRow, column: &'static str) -> Result<Option<bool>> {
    match sqlx::Row::try_get::<Option<bool>, _>(row, column) {
        Ok(flag) => Ok(flag),
        Err(_) => get::<Option<i64>>(row, column).map(|n| n.map(|n| n != 0)),
    }
}

/// A customer's content, borrowed from a [`CustomerRecord`] or an import row, checked and
/// prepared for writing: phones and emails without repeats, its hash and its search words.
pub(crate) struct Content<'a> {
    pub external_id: Option<&'a str>,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub phones: Vec<&'a str>,
    pub emails: Vec<&'a str>,
    pub fields: &'a Map<String, Value>,
    pub consent_recording: Option<bool>,
    pub consent_marketing: Option<bool>,
}

impl<'a> Content<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        external_id: Option<&'a str>,
        first_name: &'a str,
        last_name: &'a str,
        phones: &'a [String],
        emails: &'a [String],
        fields: &'a Map<String, Value>,
        consent_recording: Option<bool>,
        consent_marketing: Option<bool>,
    ) -> Result<Self> {
        if let Some(id) = external_id {
            check_text("customer external id", id)?;
            if id.trim().is_empty() {
                return Err(Error::invalid("customer external id", "must not be blank"));
            }
        }
        check_text("customer first name", first_name)?;
        check_text("customer last name", last_name)?;
        for phone in phones {
            check_e164(phone)?;
        }
        for email in emails {
            let shaped = email.len() <= 254
                && email
                    .split_once('@')
                    .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
                && !email.chars().any(|c| c.is_whitespace() || c.is_control());
            if !shaped {
                return Err(Error::invalid(
                    "customer email",
                    format!("{email:?} is not an address"),
                ));
            }
        }
        Ok(Content {
            external_id,
            first_name,
            last_name,
            phones: unique(phones),
            emails: unique(emails),
            fields,
            consent_recording,
            consent_marketing,
        })
    }

    pub(crate) fn of_record(record: &'a CustomerRecord) -> Result<Self> {
        Content::new(
            record.external_id.as_deref(),
            &record.first_name,
            &record.last_name,
            &record.phones,
            &record.emails,
            &record.fields,
            record.consent_recording,
            record.consent_marketing,
        )
    }

    /// A stable hash of everything a customer row holds: the order of phones and emails and of
    /// the fields' keys does not change it. SHA-256 cut to 64 bits: a false "unchanged" needs a
    /// collision between one row's old and new content.
    pub(crate) fn hash(&self) -> i64 {
        let mut h = Sha256::new();
        let mut text = |tag: u8, s: &str| {
            h.update([tag]);
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        text(b'x', self.external_id.unwrap_or_default());
        text(b'f', self.first_name);
        text(b'l', self.last_name);
        let mut phones = self.phones.clone();
        phones.sort_unstable();
        for phone in phones {
            text(b'p', phone);
        }
        let mut emails = self.emails.clone();
        emails.sort_unstable();
        for email in emails {
            text(b'e', email);
        }
        let mut fields = String::new();
        canonical_json(&Value::Object(self.fields.clone()), &mut fields);
        text(b'j', &fields);
        let flag = |f: Option<bool>| match f {
            None => "-",
            Some(true) => "1",
            Some(false) => "0",
        };
        text(b'r', flag(self.consent_recording));
        text(b'm', flag(self.consent_marketing));
        let digest = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        i64::from_be_bytes(first)
    }

    /// Lowercase words of the names, external id, emails and phones (digits without the `+`),
    /// everything else a space: both backends' full-text parsers then see the same words.
    pub(crate) fn search_text(&self) -> String {
        let mut out = String::new();
        let parts = [self.first_name, self.last_name]
            .into_iter()
            .chain(self.external_id)
            .chain(self.emails.iter().copied())
            .chain(self.phones.iter().copied());
        for part in parts {
            if !out.is_empty() {
                out.push(' ');
            }
            push_words(part, &mut out);
        }
        out
    }

    pub(crate) fn fields_json(&self) -> String {
        Value::Object(self.fields.clone()).to_string()
    }
}

/// Appends `text` lowercased, with every character that is not a letter or digit as a space.
pub(crate) fn push_words(text: &str, out: &mut String) {
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else {
            out.push(' ');
        }
    }
}

fn check_text(what: &'static str, text: &str) -> Result<()> {
    if text.chars().count() > MAX_TEXT {
        return Err(Error::invalid(what, format!("longer than {MAX_TEXT}")));
    }
    if text.chars().any(char::is_control) {
        return Err(Error::invalid(what, "contains control characters"));
    }
    Ok(())
}

fn unique(items: &[String]) -> Vec<&str> {
    let mut seen = HashSet::new();
    items
        .iter()
        .map(String::as_str)
        .filter(|item| seen.insert(*item))
        .collect()
}

/// JSON with object keys sorted at every level, whatever map order serde_json was built with.
fn canonical_json(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(key) {
                    canonical_json(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Replaces the phones and emails of `customers` (in the caller's transaction): first deletes
/// those of the `stale` ids, the customers that existed before (a new one has none to delete,
/// and skipping the lookup keeps a first import fast).
pub(crate) async fn replace_identities(
    conn: &mut AnyConnection,
    tid: i64,
    stale: &[i64],
    customers: &[(i64, &Content<'_>)],
) -> Result<()> {
    for chunk in stale.chunks(crate::db::BATCH_ROWS) {
        let ids = param_list(1, chunk.len());
        for table in ["customer_phones", "customer_emails"] {
            let sql =
                format!("DELETE FROM {table} WHERE tenant_id = $1 AND customer_id IN ({ids})");
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tid);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *conn).await?;
        }
    }
    let identities = |emails: bool| -> Vec<(i64, String, i64)> {
        let mut rows = Vec::new();
        for (id, content) in customers {
            let values = if emails {
                &content.emails
            } else {
                &content.phones
            };
            for (value, position) in values.iter().zip(0i64..) {
                rows.push((*id, (*value).to_owned(), position));
            }
        }
        rows
    };
    let phones = identities(false);
    let emails = identities(true);
    for (rows, statement) in [
        (
            phones,
            "INSERT INTO customer_phones (tenant_id, customer_id, e164, position) VALUES {values}",
        ),
        (
            emails,
            "INSERT INTO customer_emails (tenant_id, customer_id, email, position) VALUES {values}",
        ),
    ] {
        for part in rows.chunks(BIND_ROWS) {
            insert_chunked(
                conn,
                statement,
                1,
                3,
                part,
                |q| q.bind(tid),
                |q, (id, value, position)| q.bind(*id).bind(value.clone()).bind(*position),
            )
            .await?;
        }
    }
    Ok(())
}

impl TenantStore {
    /// Creates a customer; [`Error::Duplicate`] with [`crate::Unique::CustomerExternalId`] if
    /// the external id is taken.
    pub async fn create_customer(&self, record: &CustomerRecord, now_ms: i64) -> Result<Customer> {
        let content = Content::of_record(record)?;
        let mut tx = self.store.write().await?;
        let row = sqlx::query(
            "INSERT INTO customers (tenant_id, external_id, first_name, last_name, fields, \
             consent_recording, consent_marketing, row_hash, search_text, created_at_ms, \
             updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(self.tid())
        .bind(content.external_id)
        .bind(content.first_name)
        .bind(content.last_name)
        .bind(content.fields_json())
        .bind(content.consent_recording)
        .bind(content.consent_marketing)
        .bind(content.hash())
        .bind(content.search_text())
        .bind(now_ms)
        .fetch_one(tx.conn())
        .await?;
        let id: i64 = get(&row, "id")?;
        replace_identities(tx.conn(), self.tid(), &[], &[(id, &content)]).await?;
        tx.commit().await?;
        self.customer(CustomerId(id))
            .await?
            .ok_or(Error::NotFound(Entity::Customer))
    }

    /// Replaces a customer's content (identities included).
    pub async fn update_customer(
        &self,
        id: CustomerId,
        record: &CustomerRecord,
        now_ms: i64,
    ) -> Result<Customer> {
        let content = Content::of_record(record)?;
        let mut tx = self.store.write().await?;
        let done = sqlx::query(
            "UPDATE customers SET external_id = $3, first_name = $4, last_name = $5, \
             fields = $6, consent_recording = $7, consent_marketing = $8, row_hash = $9, \
             search_text = $10, updated_at_ms = $11 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(content.external_id)
        .bind(content.first_name)
        .bind(content.last_name)
        .bind(content.fields_json())
        .bind(content.consent_recording)
        .bind(content.consent_marketing)
        .bind(content.hash())
        .bind(content.search_text())
        .bind(now_ms)
        .execute(tx.conn())
        .await?;
        found(done.rows_affected(), Entity::Customer)?;
        replace_identities(tx.conn(), self.tid(), &[id.0], &[(id.0, &content)]).await?;
        tx.commit().await?;
        self.customer(id)
            .await?
            .ok_or(Error::NotFound(Entity::Customer))
    }

    /// The customer with this id (a merged duplicate too: see its `merged_into`).
    pub async fn customer(&self, id: CustomerId) -> Result<Option<Customer>> {
        let sql =
            format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = $1 AND id = $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.tid())
            .bind(id.0)
            .fetch_all(self.store.pool())
            .await?;
        Ok(self.load_customers(&rows).await?.pop())
    }

    /// Screen pop: the customers who have this number, merged duplicates answered by the
    /// customer they were merged into, by id. Several when a number is shared.
    pub async fn customers_by_phone(&self, e164: &str) -> Result<Vec<CustomerSummary>> {
        let rows = sqlx::query(
            "SELECT DISTINCT c.id, c.external_id, c.first_name, c.last_name, \
             c.consent_recording, c.consent_marketing, c.merged_into \
             FROM customer_phones p \
             JOIN customers m ON m.tenant_id = p.tenant_id AND m.id = p.customer_id \
             JOIN customers c ON c.tenant_id = m.tenant_id AND c.id = COALESCE(m.merged_into, m.id) \
             WHERE p.tenant_id = $1 AND p.e164 = $2 ORDER BY c.id",
        )
        .bind(self.tid())
        .bind(e164)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(CustomerSummary::from_row).collect()
    }

    /// One page of customers by id, after the cursor `after`; at most `limit` (capped at
    /// [`MAX_PAGE`]).
    pub async fn list_customers(
        &self,
        filter: &CustomerFilter,
        after: Option<CustomerId>,
        limit: u32,
    ) -> Result<CustomerPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let mut sql =
            format!("SELECT {SUMMARY_COLUMNS} FROM customers WHERE tenant_id = $1 AND id > $2");
        let mut n = 2;
        let mut condition = |sql: &mut String, column: &str, op: &str| {
            n += 1;
            sql.push_str(&format!(" AND {column} {op} ${n}"));
        };
        if filter.consent_recording.is_some() {
            condition(&mut sql, "consent_recording", "=");
        }
        if filter.consent_marketing.is_some() {
            condition(&mut sql, "consent_marketing", "=");
        }
        if filter.updated_since_ms.is_some() {
            condition(&mut sql, "updated_at_ms", ">=");
        }
        if !filter.include_merged {
            sql.push_str(" AND merged_into IS NULL");
        }
        sql.push_str(&format!(" ORDER BY id LIMIT {}", limit + 1));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.tid())
            .bind(after.map_or(0, |id| id.0));
        if let Some(flag) = filter.consent_recording {
            query = query.bind(flag);
        }
        if let Some(flag) = filter.consent_marketing {
            query = query.bind(flag);
        }
        if let Some(since) = filter.updated_since_ms {
            query = query.bind(since);
        }
        let rows = query.fetch_all(self.store.pool()).await?;
        let mut customers = rows
            .iter()
            .map(CustomerSummary::from_row)
            .collect::<Result<Vec<_>>>()?;
        let next = if customers.len() > limit as usize {
            customers.truncate(limit as usize);
            customers.last().map(|c| c.id)
        } else {
            None
        };
        Ok(CustomerPage { customers, next })
    }

    /// Merges the duplicate `other` into `keep`: `other` points at `keep` from now on (as do the
    /// duplicates merged into it before), its identities and history count as `keep`'s, and
    /// its field values and consent fill what `keep` lacks (`keep`'s win). Both must be
    /// distinct customers that are not merged duplicates themselves.
    pub async fn merge_customers(
        &self,
        keep: CustomerId,
        other: CustomerId,
        now_ms: i64,
    ) -> Result<Customer> {
        if keep == other {
            return Err(Error::invalid(
                "customer merge",
                "a customer cannot absorb itself",
            ));
        }
        let mut tx = self.store.write().await?;
        let mut rows = Vec::with_capacity(2);
        for id in [keep, other] {
            let row = sqlx::query(
                "SELECT fields, consent_recording, consent_marketing, merged_into \
                 FROM customers WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.tid())
            .bind(id.0)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(Error::NotFound(Entity::Customer))?;
            if get::<Option<i64>>(&row, "merged_into")?.is_some() {
                return Err(Error::invalid(
                    "customer merge",
                    format!("customer {id} is already merged into another"),
                ));
            }
            rows.push(row);
        }
        let (keep_row, other_row) = (&rows[0], &rows[1]);
        let mut fields = get_fields(keep_row)?;
        for (key, value) in get_fields(other_row)? {
            let missing = fields.get(&key).is_none_or(Value::is_null);
            if missing {
                fields.insert(key, value);
            }
        }
        let consent = |column| -> Result<Option<bool>> {
            Ok(get_opt_flag(keep_row, column)?.or(get_opt_flag(other_row, column)?))
        };
        sqlx::query(
            "UPDATE customers SET fields = $3, consent_recording = $4, consent_marketing = $5, \
             updated_at_ms = $6 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(keep.0)
        .bind(Value::Object(fields).to_string())
        .bind(consent("consent_recording")?)
        .bind(consent("consent_marketing")?)
        .bind(now_ms)
        .execute(tx.conn())
        .await?;
        sqlx::query(
            "UPDATE customers SET merged_into = $2, updated_at_ms = $4 \
             WHERE tenant_id = $1 AND (id = $3 OR merged_into = $3)",
        )
        .bind(self.tid())
        .bind(keep.0)
        .bind(other.0)
        .bind(now_ms)
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        self.customer(keep)
            .await?
            .ok_or(Error::NotFound(Entity::Customer))
    }

    /// Calls `each` with every customer that is not a merged duplicate, by id, with identities
    /// and fields (for CSV export), reading a page at a time; returns how many there were.
    pub async fn export_customers<E: From<Error>>(
        &self,
        mut each: impl FnMut(&Customer) -> std::result::Result<(), E>,
    ) -> std::result::Result<u64, E> {
        let mut after = 0;
        let mut count = 0;
        loop {
            let sql = format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = $1 AND id > $2 \
                 AND merged_into IS NULL ORDER BY id LIMIT {MAX_PAGE}"
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(self.tid())
                .bind(after)
                .fetch_all(self.store.pool())
                .await
                .map_err(Error::from)?;
            let customers = self.load_customers(&rows).await?;
            let Some(last) = customers.last() else {
                return Ok(count);
            };
            after = last.id.0;
            for customer in &customers {
                each(customer)?;
                count += 1;
            }
        }
    }

    /// Completes customer rows (of [`CUSTOMER_COLUMNS`]) with their merged duplicates and the
    /// identities of both, in three queries whatever the number of rows.
    async fn load_customers(&self, rows: &[AnyRow]) -> Result<Vec<Customer>> {
        let mut customers = Vec::with_capacity(rows.len());
        for row in rows {
            let summary = CustomerSummary::from_row(row)?;
            customers.push(Customer {
                id: summary.id,
                external_id: summary.external_id,
                first_name: summary.first_name,
                last_name: summary.last_name,
                phones: Vec::new(),
                emails: Vec::new(),
                fields: get_fields(row)?,
                consent_recording: summary.consent_recording,
                consent_marketing: summary.consent_marketing,
                merged_into: summary.merged_into,
                merged: Vec::new(),
                created_at_ms: get(row, "created_at_ms")?,
                updated_at_ms: get(row, "updated_at_ms")?,
            });
        }
        if customers.is_empty() {
            return Ok(customers);
        }
        let index: BTreeMap<i64, usize> = customers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.0, i))
            .collect();
        let ids: Vec<i64> = index.keys().copied().collect();
        // Which row each identity's owner counts for: itself, or the survivor it was merged into.
        let mut owner: BTreeMap<i64, usize> = index.clone();
        for row in self.rows_by_ids(
            "SELECT id, merged_into AS owner FROM customers WHERE tenant_id = $1 AND merged_into IN ({ids}) ORDER BY id",
            &ids,
        )
        .await?
        {
            let id: i64 = get(&row, "id")?;
            let survivor: i64 = get(&row, "owner")?;
            if let Some(&i) = index.get(&survivor) {
                customers[i].merged.push(CustomerId(id));
                owner.insert(id, i);
            }
        }
        let all: Vec<i64> = owner.keys().copied().collect();
        // Own identities first (positions), then the duplicates' in id order.
        for (sql, emails) in [
            (
                "SELECT customer_id, e164 AS value FROM customer_phones WHERE tenant_id = $1 \
                 AND customer_id IN ({ids}) ORDER BY customer_id, position",
                false,
            ),
            (
                "SELECT customer_id, email AS value FROM customer_emails WHERE tenant_id = $1 \
                 AND customer_id IN ({ids}) ORDER BY customer_id, position",
                true,
            ),
        ] {
            let mut own: Vec<Vec<String>> = vec![Vec::new(); customers.len()];
            let mut theirs: Vec<Vec<String>> = vec![Vec::new(); customers.len()];
            for row in self.rows_by_ids(sql, &all).await? {
                let id: i64 = get(&row, "customer_id")?;
                let value: String = get(&row, "value")?;
                if let Some(&i) = owner.get(&id) {
                    if customers[i].id.0 == id {
                        own[i].push(value);
                    } else {
                        theirs[i].push(value);
                    }
                }
            }
            for ((customer, mut own), theirs) in customers.iter_mut().zip(own).zip(theirs) {
                for value in theirs {
                    if !own.contains(&value) {
                        own.push(value);
                    }
                }
                if emails {
                    customer.emails = own;
                } else {
                    customer.phones = own;
                }
            }
        }
        Ok(customers)
    }

    /// Runs `sql`, which has `$1` = tenant and `{ids}` where the id list goes, over `ids` in
    /// chunks, and collects the rows.
    pub(crate) async fn rows_by_ids(&self, sql: &str, ids: &[i64]) -> Result<Vec<AnyRow>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(ID_CHUNK) {
            let sql = sql.replace("{ids}", &param_list(1, chunk.len()));
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(self.tid());
            for id in chunk {
                query = query.bind(*id);
            }
            out.extend(query.fetch_all(self.store.pool()).await?);
        }
        Ok(out)
    }
}

/// Ids per `IN (...)` list: well under both backends' parameter limits.
pub(crate) const ID_CHUNK: usize = 500;

/// Rows per multi-row write on the import path (customers, their identities), fewer
/// than [`crate::db::BATCH_ROWS`]: sqlx-sqlite finds each numbered parameter by its name
/// (`sqlite3_bind_parameter_name`, a linear scan of the statement's parameters), so binding
/// costs the square of the parameters per statement; at 128 rows it took a third of a first
/// import's time.
pub(crate) const BIND_ROWS: usize = 32;

fn get_fields(row: &AnyRow) -> Result<Map<String, Value>> {
    match crate::db::get_json(row, "fields")? {
        Value::Object(map) => Ok(map),
        _ => Err(Error::corrupt("fields", "not a JSON object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> CustomerRecord {
        CustomerRecord {
            external_id: Some("C-1".to_owned()),
            first_name: "Zoé".to_owned(),
            last_name: "O'Brien".to_owned(),
            phones: vec!["+33612345678".to_owned(), "+33140000000".to_owned()],
            emails: vec!["zoe@example.com".to_owned()],
            fields: serde_json::json!({"plan": "gold", "limits": {"b": 1, "a": 2}})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            consent_recording: Some(true),
            consent_marketing: None,
        }
    }

    #[test]
    fn the_hash_ignores_the_order_of_identities() {
        let a = record();
        let mut b = record();
        b.phones.reverse();
        let ha = Content::of_record(&a).unwrap().hash();
        let hb = Content::of_record(&b).unwrap().hash();
        assert_eq!(ha, hb);
    }

    #[test]
    fn the_hash_changes_with_any_field() {
        let base = Content::of_record(&record()).unwrap().hash();
        let mut changed = vec![record(); 4];
        changed[0].first_name.push('x');
        changed[1].consent_marketing = Some(false);
        changed[2].fields.insert("plan".to_owned(), "silver".into());
        changed[3].emails.clear();
        for r in &changed {
            assert_ne!(Content::of_record(r).unwrap().hash(), base, "{r:?}");
        }
    }

    #[test]
    fn search_text_is_lowercase_words() {
        let r = record();
        let text = Content::of_record(&r).unwrap().search_text();
        assert_eq!(
            text.split_whitespace().collect::<Vec<_>>(),
            [
                "zoé",
                "o",
                "brien",
                "c",
                "1",
                "zoe",
                "example",
                "com",
                "33612345678",
                "33140000000"
            ]
        );
    }

    #[test]
    fn identities_that_are_not_e164_or_addresses_are_refused() {
        let mut r = record();
        r.phones = vec!["0612345678".to_owned()];
        assert!(Content::of_record(&r).is_err());
        let mut r = record();
        r.emails = vec!["no-at-sign".to_owned()];
        assert!(Content::of_record(&r).is_err());
        let mut r = record();
        r.external_id = Some("  ".to_owned());
        assert!(Content::of_record(&r).is_err());
    }
}
