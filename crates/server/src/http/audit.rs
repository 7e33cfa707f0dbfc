//! `GET /api/v1/audit?since_ms=&limit=`: the tenant's audit log (recording downloads,
//! supervisor actions on live calls, forced agent states, configuration changes), oldest
//! first from `since_ms` (default: all), at most `limit` entries (default 100, at most
//! 1,000). For managers and admins.

use axum::Json;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use serde::{Deserialize, Serialize};
use store::Role;
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::error::ApiError;
use super::openapi::Errors;

/// Entries returned when no limit is given.
const DEFAULT_LIMIT: u32 = 100;
/// Entries returned at most.
const MAX_LIMIT: u32 = 1_000;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries at or after this time (unix ms); default 0.
    since_ms: Option<i64>,
    /// At most this many (default 100, at most 1,000).
    limit: Option<u32>,
}

/// One entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditJson {
    /// Its position in the log.
    id: i64,
    /// Who acted (`null`: the system).
    user_id: Option<i64>,
    /// What they did (`call.monitor`, `call.takeover`, `recording.download`...).
    action: String,
    /// What they did it to (`interaction:<id>`, `agent:<id>`...).
    target: String,
    /// When (unix ms).
    at_ms: i64,
    /// Anything else kept.
    #[schema(value_type = Object)]
    details: serde_json::Value,
}

/// `GET /api/v1/audit`.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "Audit entries, oldest first", body = Vec<AuditJson>), Errors))]
pub async fn list(
    caller: Caller,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<Vec<AuditJson>>, ApiError> {
    if !matches!(caller.role, Role::Manager | Role::Admin) {
        return Err(ApiError::Forbidden("read the audit log"));
    }
    let Query(query) = query?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let entries = caller
        .tenant
        .audit_log(query.since_ms.unwrap_or(0), limit)
        .await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditJson {
                id: e.id.0,
                user_id: e.user_id.map(|u| u.0),
                action: e.action,
                target: e.target,
                at_ms: e.at_ms,
                details: e.details,
            })
            .collect(),
    ))
}
