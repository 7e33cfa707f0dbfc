//! The custom fields a tenant defines for its customers (plan, contract end, warranty...):
//! key, label, type and whether it is required, in display order. The type is stored as the
//! JSON the `crm` crate's `FieldKind` serialises to; this crate keeps it, `crm` interprets it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::db::{get, get_flag, get_json, insert_chunked};
use crate::error::{Error, Result};
use crate::tenant::TenantStore;

/// One custom field of a tenant's customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomFieldDef {
    /// `[a-z][a-z0-9_]{0,62}`: the key in [`crate::Customer::fields`].
    pub key: String,
    /// What forms and exports call it.
    pub label: String,
    /// Its type and parameters (`{"type":"text","max_len":80}`, `{"type":"choice","options":[...]}`).
    pub kind: Value,
    /// Must every customer have a value.
    pub required: bool,
}

fn check_key(key: &str) -> Result<()> {
    let mut bytes = key.bytes();
    let shaped = bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && key.len() <= 63
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if shaped {
        Ok(())
    } else {
        Err(Error::invalid(
            "custom field key",
            format!("{key:?}: use a-z, 0-9 and _, starting with a letter, at most 63"),
        ))
    }
}

impl TenantStore {
    /// Replaces the tenant's custom fields with `defs`, in this order. Values already stored
    /// under a removed key stay in customers' fields until they are next written.
    pub async fn set_custom_field_defs(&self, defs: &[CustomFieldDef]) -> Result<()> {
        let mut keys = std::collections::HashSet::new();
        for def in defs {
            check_key(&def.key)?;
            if !keys.insert(def.key.as_str()) {
                return Err(Error::invalid(
                    "custom field key",
                    format!("{:?} appears twice", def.key),
                ));
            }
        }
        let rows: Vec<(i64, &CustomFieldDef)> = (0i64..).zip(defs).collect();
        let mut tx = self.store.write().await?;
        sqlx::query("DELETE FROM custom_field_defs WHERE tenant_id = $1")
            .bind(self.tid())
            .execute(tx.conn())
            .await?;
        insert_chunked(
            tx.conn(),
            "INSERT INTO custom_field_defs (tenant_id, position, key, label, kind, required) \
             VALUES {values}",
            1,
            5,
            &rows,
            |q| q.bind(self.tid()),
            |q, (position, def)| {
                q.bind(*position)
                    .bind(def.key.clone())
                    .bind(def.label.clone())
                    .bind(def.kind.to_string())
                    .bind(def.required)
            },
        )
        .await?;
        tx.commit().await
    }

    /// The tenant's custom fields, in display order.
    pub async fn custom_field_defs(&self) -> Result<Vec<CustomFieldDef>> {
        let rows = sqlx::query(
            "SELECT key, label, kind, required FROM custom_field_defs WHERE tenant_id = $1 \
             ORDER BY position",
        )
        .bind(self.tid())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CustomFieldDef {
                    key: get(row, "key")?,
                    label: get(row, "label")?,
                    kind: get_json(row, "kind")?,
                    required: get_flag(row, "required")?,
                })
            })
            .collect()
    }
}
