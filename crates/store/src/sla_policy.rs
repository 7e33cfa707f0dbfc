//! SLA policies (per priority: first-response and resolution targets, counted in business
//! time) and the tenant's business calendar (weekly hours and holidays). The store keeps the
//! calendar as the JSON the `crm` crate reads (`crm::BusinessCalendar`); it only checks that it
//! is a JSON object, so the store stays free of time-zone rules.

use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;

use crate::db::{get, get_parsed};
use crate::error::{Entity, Error, Result, found};
use crate::tenant::TenantStore;
use crate::ticket::Priority;

/// The targets for tickets of one priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaPolicy {
    /// The priority it applies to.
    pub priority: Priority,
    /// Business seconds until the first response is due.
    pub first_response_secs: i64,
    /// Business seconds until the resolution is due.
    pub resolution_secs: i64,
    /// When it last changed (unix ms).
    pub updated_at_ms: i64,
}

impl SlaPolicy {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(SlaPolicy {
            priority: get_parsed(row, "priority")?,
            first_response_secs: get(row, "first_response_secs")?,
            resolution_secs: get(row, "resolution_secs")?,
            updated_at_ms: get(row, "updated_at_ms")?,
        })
    }
}

/// The tenant's business calendar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BusinessCalendarRow {
    /// Its name ("Paris office").
    pub name: String,
    /// Weekly hours and holidays, as `crm::BusinessCalendar` serialises them.
    pub calendar: Value,
    /// When it last changed (unix ms).
    pub updated_at_ms: i64,
}

impl TenantStore {
    /// Sets the targets for one priority (replacing any).
    pub async fn set_sla_policy(
        &self,
        priority: Priority,
        first_response_secs: i64,
        resolution_secs: i64,
        now_ms: i64,
    ) -> Result<SlaPolicy> {
        if first_response_secs <= 0 || resolution_secs <= 0 {
            return Err(Error::invalid("SLA target", "must be at least one second"));
        }
        let row = sqlx::query(
            "INSERT INTO sla_policies (tenant_id, priority, first_response_secs, resolution_secs, \
             updated_at_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, priority) DO UPDATE SET \
             first_response_secs = excluded.first_response_secs, \
             resolution_secs = excluded.resolution_secs, updated_at_ms = excluded.updated_at_ms \
             RETURNING priority, first_response_secs, resolution_secs, updated_at_ms",
        )
        .bind(self.tid())
        .bind(priority.as_str())
        .bind(first_response_secs)
        .bind(resolution_secs)
        .bind(now_ms)
        .fetch_one(self.store.pool())
        .await?;
        SlaPolicy::from_row(&row)
    }

    /// Removes the targets of one priority (its tickets then have no due times).
    pub async fn delete_sla_policy(&self, priority: Priority) -> Result<()> {
        let done = sqlx::query("DELETE FROM sla_policies WHERE tenant_id = $1 AND priority = $2")
            .bind(self.tid())
            .bind(priority.as_str())
            .execute(self.store.pool())
            .await?;
        found(done.rows_affected(), Entity::SlaPolicy)
    }

    /// The targets of one priority.
    pub async fn sla_policy(&self, priority: Priority) -> Result<Option<SlaPolicy>> {
        Ok(self
            .sla_policies()
            .await?
            .into_iter()
            .find(|p| p.priority == priority))
    }

    /// Every priority's targets, from low to urgent.
    pub async fn sla_policies(&self) -> Result<Vec<SlaPolicy>> {
        let rows = sqlx::query(
            "SELECT priority, first_response_secs, resolution_secs, updated_at_ms \
             FROM sla_policies WHERE tenant_id = $1",
        )
        .bind(self.tid())
        .fetch_all(self.store.pool())
        .await?;
        let mut policies = rows
            .iter()
            .map(SlaPolicy::from_row)
            .collect::<Result<Vec<_>>>()?;
        policies.sort_by_key(|p| p.priority);
        Ok(policies)
    }

    /// Sets the tenant's business calendar (replacing it).
    pub async fn set_business_calendar(
        &self,
        name: &str,
        calendar: &Value,
        now_ms: i64,
    ) -> Result<BusinessCalendarRow> {
        if name.trim().is_empty() {
            return Err(Error::invalid("calendar name", "must not be empty"));
        }
        if !calendar.is_object() {
            return Err(Error::invalid("business calendar", "must be a JSON object"));
        }
        sqlx::query(
            "INSERT INTO business_calendars (tenant_id, name, calendar, updated_at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO UPDATE SET \
             name = excluded.name, calendar = excluded.calendar, \
             updated_at_ms = excluded.updated_at_ms",
        )
        .bind(self.tid())
        .bind(name.to_owned())
        .bind(calendar.to_string())
        .bind(now_ms)
        .execute(self.store.pool())
        .await?;
        Ok(BusinessCalendarRow {
            name: name.to_owned(),
            calendar: calendar.clone(),
            updated_at_ms: now_ms,
        })
    }

    /// The tenant's business calendar, if set.
    pub async fn business_calendar(&self) -> Result<Option<BusinessCalendarRow>> {
        let row = sqlx::query(
            "SELECT name, calendar, updated_at_ms FROM business_calendars WHERE tenant_id = $1",
        )
        .bind(self.tid())
        .fetch_optional(self.store.pool())
        .await?;
        row.map(|row| {
            Ok(BusinessCalendarRow {
                name: get(&row, "name")?,
                calendar: crate::db::get_json(&row, "calendar")?,
                updated_at_ms: get(&row, "updated_at_ms")?,
            })
        })
        .transpose()
    }
}
