//! Service levels of tickets: the tenant's targets per priority and business calendar (admin
//! routes), and the due times written on tickets, computed by `crm::sla` from them.
//!
//! | route | what |
//! |---|---|
//! | `GET /sla-policies` | targets per priority, in business seconds |
//! | `PUT /sla-policies/{priority}` | `{"first_response_secs": 3600, "resolution_secs": 28800}` (admin) |
//! | `GET`/`PUT /business-calendar` | `{"name", "calendar": {"time_zone", "weekly": [[["09:00","18:00"]], ...7 days], "holidays": ["2026-12-25"]}}` (admin) |
//!
//! Without a calendar the clocks count every hour (UTC, always open); without a policy for a
//! ticket's priority its due times are `null`. Due times are recomputed after every change of
//! the ticket: a ticket pending the customer has no resolution due time (its clock is paused),
//! and gets one again, later by the paused time, when work resumes.

use std::time::Duration;

use axum::Json;
use axum::extract::Path;
use axum::extract::rejection::{JsonRejection, PathRejection};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{Priority, TenantStore, Ticket, TicketEventData};
use utoipa::ToSchema;

use super::auth::Caller;
use super::error::ApiError;
use super::openapi::Errors;
use super::tickets::{PriorityName, TimeJson, crm_state};

fn crm_priority(priority: Priority) -> crm::Priority {
    match priority {
        Priority::Low => crm::Priority::Low,
        Priority::Normal => crm::Priority::Normal,
        Priority::High => crm::Priority::High,
        Priority::Urgent => crm::Priority::Urgent,
    }
}

fn timestamp(ms: i64) -> Result<jiff::Timestamp, ApiError> {
    jiff::Timestamp::from_millisecond(ms).map_err(|_| ApiError::Internal)
}

/// The tenant's calendar (always open when none is set, or when the stored one no longer
/// loads: a bad row must not stop tickets) and its targets for `priority`.
async fn clock_inputs(
    tenant: &TenantStore,
    priority: Priority,
) -> Result<Option<(crm::BusinessCalendar, crm::SlaPolicy)>, ApiError> {
    let Some(policy) = tenant.sla_policy(priority).await? else {
        return Ok(None);
    };
    let secs = |s: i64| Duration::from_secs(u64::try_from(s).unwrap_or(0));
    let policy = crm::SlaPolicy {
        first_response: secs(policy.first_response_secs),
        resolution: secs(policy.resolution_secs),
    };
    let calendar = match tenant.business_calendar().await? {
        Some(row) => serde_json::from_value::<crm::CalendarSpec>(row.calendar)
            .map_err(|e| e.to_string())
            .and_then(|spec| crm::BusinessCalendar::new(spec).map_err(|e| e.to_string()))
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "stored business calendar does not load; counting every hour");
                crm::BusinessCalendar::always_open()
            }),
        None => crm::BusinessCalendar::always_open(),
    };
    Ok(Some((calendar, policy)))
}

fn unix_ms(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

/// Due times of a ticket created now: `(first response, resolution)`.
pub async fn initial_due(
    tenant: &TenantStore,
    priority: Priority,
    created_ms: i64,
) -> Result<(Option<i64>, Option<i64>), ApiError> {
    let Some((calendar, policy)) = clock_inputs(tenant, priority).await? else {
        return Ok((None, None));
    };
    let start = timestamp(created_ms)?;
    let due = |target| {
        calendar
            .add_business(start, target)
            .map(unix_ms)
            .map_err(|e| ApiError::BadRequest(format!("SLA: {e}")))
    };
    Ok((
        Some(due(policy.first_response)?),
        Some(due(policy.resolution)?),
    ))
}

/// Recomputes `ticket`'s due times from its history at `now_ms` and stores them. A stopped
/// clock keeps the due time it had.
pub async fn refresh(tenant: &TenantStore, ticket: &Ticket, now_ms: i64) -> Result<(), ApiError> {
    let Some((calendar, policy)) = clock_inputs(tenant, ticket.priority).await? else {
        return Ok(());
    };
    let events = tenant.ticket_events(ticket.id).await?;
    let mut timeline = crm::SlaTimeline::new(
        timestamp(ticket.created_at_ms)?,
        crm_priority(ticket.priority),
    );
    timeline.first_response = ticket.first_responded_at_ms.map(timestamp).transpose()?;
    for event in &events {
        if let TicketEventData::StateChanged { to, .. } = &event.data {
            timeline
                .states
                .push((timestamp(event.at_ms)?, crm_state(*to)));
        }
    }
    let policies = crm::SlaPolicies {
        low: policy,
        normal: policy,
        high: policy,
        urgent: policy,
    };
    let clock = crm::SlaClock {
        calendar: &calendar,
        policies: &policies,
    };
    let reading = clock
        .read(&timeline, timestamp(now_ms)?)
        .map_err(|e| ApiError::BadRequest(format!("SLA: {e}")))?;
    let due = |clock: &crm::ClockReading, current: Option<i64>| {
        if clock.stopped {
            current
        } else {
            clock.due.map(unix_ms)
        }
    };
    tenant
        .set_ticket_sla_due(
            ticket.id,
            due(&reading.first_response, ticket.first_response_due_ms),
            due(&reading.resolution, ticket.resolution_due_ms),
        )
        .await?;
    Ok(())
}

fn admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.may_administer() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("set service levels"))
    }
}

/// Targets for one priority.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyJson {
    priority: PriorityName,
    /// Business seconds to the first response.
    first_response_secs: i64,
    /// Business seconds to the resolution (pauses excluded).
    resolution_secs: i64,
    updated: TimeJson,
}

impl From<store::SlaPolicy> for PolicyJson {
    fn from(p: store::SlaPolicy) -> Self {
        PolicyJson {
            priority: p.priority.into(),
            first_response_secs: p.first_response_secs,
            resolution_secs: p.resolution_secs,
            updated: TimeJson::new(p.updated_at_ms),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyList {
    /// From low to urgent; a priority without targets is absent.
    policies: Vec<PolicyJson>,
}

#[utoipa::path(get, path = "/sla-policies", tag = "tickets",
    responses((status = 200, description = "Targets per priority", body = PolicyList), Errors))]
pub async fn policies(caller: Caller) -> Result<Json<PolicyList>, ApiError> {
    let policies = caller
        .tenant
        .sla_policies()
        .await?
        .into_iter()
        .map(PolicyJson::from)
        .collect();
    Ok(Json(PolicyList { policies }))
}

/// Longest target taken: a year of business seconds.
const MAX_TARGET_SECS: i64 = 366 * 24 * 3600;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    /// 1 second to a year.
    first_response_secs: i64,
    /// 1 second to a year.
    resolution_secs: i64,
}

#[utoipa::path(put, path = "/sla-policies/{priority}", tag = "tickets",
    params(("priority" = PriorityName, Path, description = "low, normal, high or urgent")),
    request_body = PolicyBody,
    responses((status = 200, description = "Saved; new tickets of this priority follow it", body = PolicyJson), Errors))]
pub async fn set_policy(
    caller: Caller,
    priority: Result<Path<PriorityName>, PathRejection>,
    body: Result<Json<PolicyBody>, JsonRejection>,
) -> Result<Json<PolicyJson>, ApiError> {
    admin(&caller)?;
    let Path(priority) = priority?;
    let Json(body) = body?;
    let range = 1..=MAX_TARGET_SECS;
    if !range.contains(&body.first_response_secs) || !range.contains(&body.resolution_secs) {
        return Err(ApiError::BadRequest(format!(
            "targets are 1 to {MAX_TARGET_SECS} seconds"
        )));
    }
    let policy = caller
        .tenant
        .set_sla_policy(
            priority.into(),
            body.first_response_secs,
            body.resolution_secs,
            crate::log::now_ms(),
        )
        .await?;
    Ok(Json(policy.into()))
}

/// The tenant's business hours.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarJson {
    /// Its name ("Paris office").
    name: String,
    /// `{"time_zone": "Europe/Paris", "weekly": [[["09:00", "18:00"]], [], ...] (7 days,
    /// Monday first), "holidays": ["2026-12-25"]}`.
    #[schema(value_type = Object)]
    calendar: Value,
}

#[utoipa::path(get, path = "/business-calendar", tag = "tickets",
    responses((status = 200, description = "The calendar (`null`: always open)", body = Option<CalendarJson>), Errors))]
pub async fn calendar(caller: Caller) -> Result<Json<Option<CalendarJson>>, ApiError> {
    let row = caller.tenant.business_calendar().await?;
    Ok(Json(row.map(|row| CalendarJson {
        name: row.name,
        calendar: row.calendar,
    })))
}

#[utoipa::path(put, path = "/business-calendar", tag = "tickets", request_body = CalendarJson,
    responses((status = 200, description = "Saved", body = CalendarJson), Errors))]
pub async fn set_calendar(
    caller: Caller,
    body: Result<Json<CalendarJson>, JsonRejection>,
) -> Result<Json<CalendarJson>, ApiError> {
    admin(&caller)?;
    let Json(body) = body?;
    let name = super::pagination::text("name", &body.name, 200)?;
    let invalid = |message: String| ApiError::Unprocessable {
        code: "invalid_calendar",
        message,
        details: serde_json::Map::new(),
    };
    let spec: crm::CalendarSpec =
        serde_json::from_value(body.calendar).map_err(|e| invalid(e.to_string()))?;
    let checked = crm::BusinessCalendar::new(spec).map_err(|e| invalid(e.to_string()))?;
    let stored = serde_json::to_value(crm::CalendarSpec::from(checked))
        .map_err(|e| invalid(e.to_string()))?;
    let row = caller
        .tenant
        .set_business_calendar(&name, &stored, crate::log::now_ms())
        .await?;
    Ok(Json(CalendarJson {
        name: row.name,
        calendar: row.calendar,
    }))
}
