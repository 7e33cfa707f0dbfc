//! Numbers (DIDs): an E.164 number routed to a flow. A number belongs to exactly one tenant, so
//! an inbound call's dialled number is what tells the server which tenant the call is for.

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::db::{Store, get};
use crate::error::{Entity, Error, Result, Unique, found};
use crate::ids::{FlowId, TenantId};
use crate::tenant::TenantStore;

/// A number of this tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Number {
    /// `+33100000000`.
    pub e164: String,
    /// The flow calls to it run.
    pub flow_id: FlowId,
    /// When it was added (unix ms).
    pub created_at_ms: i64,
}

impl Number {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(Number {
            e164: get(row, "e164")?,
            flow_id: FlowId(get(row, "flow_id")?),
            created_at_ms: get(row, "created_at_ms")?,
        })
    }
}

/// Where a call to a number goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberRoute {
    /// The tenant owning the number.
    pub tenant_id: TenantId,
    /// The flow to run.
    pub flow_id: FlowId,
}

/// `+` then 1 to 15 digits, the first not 0 (ITU-T E.164).
pub(crate) fn check_e164(e164: &str) -> Result<()> {
    let digits = e164.strip_prefix('+').unwrap_or_default();
    let valid = (1..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(())
    } else {
        Err(Error::invalid("number", format!("{e164:?} is not E.164")))
    }
}

impl TenantStore {
    /// Routes a number to a flow of this tenant (adding the number, or re-routing it).
    /// [`Error::Duplicate`] with [`Unique::Number`] if another tenant owns it.
    pub async fn set_number(&self, e164: &str, flow_id: FlowId, now_ms: i64) -> Result<Number> {
        check_e164(e164)?;
        let row = sqlx::query(
            "INSERT INTO numbers (e164, tenant_id, flow_id, created_at_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (e164) DO UPDATE SET flow_id = excluded.flow_id \
             WHERE numbers.tenant_id = excluded.tenant_id \
             RETURNING e164, flow_id, created_at_ms",
        )
        .bind(e164)
        .bind(self.tid())
        .bind(flow_id.0)
        .bind(now_ms)
        .fetch_optional(self.store.pool())
        .await?;
        match row {
            Some(row) => Number::from_row(&row),
            // The conflicting row belongs to another tenant, so nothing was written.
            None => Err(Error::Duplicate(Unique::Number)),
        }
    }

    /// Removes a number.
    pub async fn remove_number(&self, e164: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM numbers WHERE tenant_id = $1 AND e164 = $2")
            .bind(self.tid())
            .bind(e164)
            .execute(self.store.pool())
            .await?;
        found(done.rows_affected(), Entity::Number)
    }

    /// This tenant's numbers.
    pub async fn numbers(&self) -> Result<Vec<Number>> {
        let rows = sqlx::query(
            "SELECT e164, flow_id, created_at_ms FROM numbers WHERE tenant_id = $1 ORDER BY e164",
        )
        .bind(self.tid())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Number::from_row).collect()
    }
}

impl Store {
    /// Where a call to `e164` goes, whichever tenant owns it. An entry point that discovers the
    /// tenant, so it is not tenant-scoped.
    pub async fn route_number(&self, e164: &str) -> Result<Option<NumberRoute>> {
        let row = sqlx::query("SELECT tenant_id, flow_id FROM numbers WHERE e164 = $1")
            .bind(e164)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(NumberRoute {
            tenant_id: TenantId(get(&row, "tenant_id")?),
            flow_id: FlowId(get(&row, "flow_id")?),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_numbers_are_plus_and_up_to_fifteen_digits() {
        assert!(check_e164("+33100000000").is_ok());
        assert!(check_e164("+1").is_ok());
        for bad in [
            "33100000000",
            "+",
            "+0123",
            "+1234567890123456",
            "+33 1 00",
            "+33a",
        ] {
            assert!(check_e164(bad).is_err(), "{bad}");
        }
    }
}
