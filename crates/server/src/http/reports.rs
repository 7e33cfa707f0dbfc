//! `GET /api/v1/reports/fcr?from=&to=`: first-contact resolution over a period, exactly as
//! DESIGN.md defines it and `crm::fcr` counts it: contacts of `[from, to)` whose ticket was
//! resolved with no further contact from the same customer on the same subject within 7 days,
//! over the period's contacts with a resolved ticket. For floor roles (not agents).
//!
//! A contact in the period may be spoiled by one after it, so every contact from `from` on is
//! read; `crm::fcr` judges each contact only by the contacts after it, so the period's figure
//! is the count over all of them minus the count over those from `to` on. A ticket without a
//! customer is a thread of its own.

use axum::Json;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::error::ApiError;
use super::openapi::Errors;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// Start, RFC 3339 (`2026-11-01T00:00:00Z`), included.
    from: String,
    /// End, RFC 3339, excluded.
    to: String,
}

/// The FCR of a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct FcrJson {
    from: String,
    to: String,
    /// Contacts resolved with no further contact within 7 days.
    resolved_first_time: u64,
    /// Contacts with a resolved ticket.
    with_resolved_ticket: u64,
    /// The ratio, 0 to 1 (`null` when no contact had a resolved ticket).
    fcr: Option<f64>,
}

fn parse_time(what: &str, text: &str) -> Result<jiff::Timestamp, ApiError> {
    text.parse::<jiff::Timestamp>().map_err(|_| {
        ApiError::BadRequest(format!(
            "{what} is an RFC 3339 time such as 2026-11-01T00:00:00Z"
        ))
    })
}

fn contact(c: &store::FcrContact, index: usize) -> Option<crm::FcrContact> {
    Some(crm::FcrContact {
        contact_id: i64::try_from(index).ok()?,
        customer: c.customer_id.map_or(-c.ticket_id.0, |id| id.0),
        subject: c.subject.to_lowercase(),
        at: jiff::Timestamp::from_millisecond(c.at_ms).ok()?,
        ticket_resolved_at: c
            .ticket_resolved_at_ms
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok()),
    })
}

#[utoipa::path(get, path = "/reports/fcr", tag = "reports", params(Period),
    responses((status = 200, description = "FCR of the period", body = FcrJson), Errors))]
pub async fn fcr(
    caller: Caller,
    query: Result<Query<Period>, QueryRejection>,
) -> Result<Json<FcrJson>, ApiError> {
    if !caller.may_read_floor() {
        return Err(ApiError::Forbidden("read reports"));
    }
    let Query(period) = query?;
    let from = parse_time("from", &period.from)?;
    let to = parse_time("to", &period.to)?;
    if to <= from {
        return Err(ApiError::BadRequest("to must be after from".to_owned()));
    }
    let (from_ms, to_ms) = (from.as_millisecond(), to.as_millisecond());
    let stored = caller.tenant.fcr_contacts(from_ms, i64::MAX).await?;
    let all: Vec<crm::FcrContact> = stored
        .iter()
        .enumerate()
        .filter_map(|(i, c)| contact(c, i))
        .collect();
    let later: Vec<crm::FcrContact> = all
        .iter()
        .filter(|c| c.at.as_millisecond() >= to_ms)
        .cloned()
        .collect();
    let (whole, after) = (crm::fcr(&all), crm::fcr(&later));
    let figure = crm::Fcr {
        resolved_first_time: whole
            .resolved_first_time
            .saturating_sub(after.resolved_first_time),
        with_resolved_ticket: whole
            .with_resolved_ticket
            .saturating_sub(after.with_resolved_ticket),
    };
    Ok(Json(FcrJson {
        from: from.to_string(),
        to: to.to_string(),
        resolved_first_time: figure.resolved_first_time,
        with_resolved_ticket: figure.with_resolved_ticket,
        fcr: figure.ratio(),
    }))
}
