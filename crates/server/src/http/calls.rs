//! `GET /api/v1/calls` and `GET /api/v1/calls/{id}`: the call history with CDRs derived from
//! the interaction log, and one call's events with its live counters while it is up.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use store::{InteractionId, InteractionQuery};
use utoipa::{IntoParams, ToSchema};

use super::ApiState;
use super::auth::Caller;
use super::error::ApiError;
use super::json::{CallJson, EventJson};
use super::openapi::Errors;
use crate::control::{CallLive, ControlError};

/// Calls per page by default, and at most.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Calls per page, 1 to 500 (50 by default).
    limit: Option<u32>,
    /// The previous page's `next_before`.
    before: Option<String>,
    /// Only calls the caller answered as an agent (the one list agents may read: their
    /// desktop's history). Filtered within the page, so a page may hold fewer than `limit`.
    mine: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallList {
    calls: Vec<CallJson>,
    /// Pass as `before` for the next page; `None` on the last page.
    #[schema(value_type = Option<String>)]
    next_before: Option<InteractionId>,
}

pub(super) fn parse_id(text: &str) -> Result<InteractionId, ApiError> {
    text.parse()
        .map_err(|_| ApiError::BadRequest("interaction ids are 32 lowercase hex digits".to_owned()))
}

#[utoipa::path(get, path = "/calls", tag = "calls", params(ListQuery),
    responses((status = 200, description = "Calls newest first, each with its CDR; `next_before` pages on", body = CallList), Errors))]
pub async fn list(
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<CallList>, ApiError> {
    let Query(query) = query?;
    let mine = query.mine.unwrap_or(false);
    if !caller.may_read_floor() && !mine {
        return Err(ApiError::Forbidden("read the call history"));
    }
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let before = query.before.as_deref().map(parse_id).transpose()?;
    let interactions = caller
        .tenant
        .interactions(&InteractionQuery {
            before,
            limit,
            ..InteractionQuery::default()
        })
        .await?;
    let ids: Vec<InteractionId> = interactions.iter().map(|i| i.id).collect();
    let cdrs: HashMap<InteractionId, store::Cdr> = caller
        .tenant
        .cdrs(&ids)
        .await?
        .into_iter()
        .map(|cdr| (cdr.interaction_id, cdr))
        .collect();
    let next_before = (interactions.len() == limit as usize)
        .then(|| ids.last().copied())
        .flatten();
    let calls = interactions
        .iter()
        .filter(|i| {
            !mine
                || cdrs.get(&i.id).and_then(|c| c.agent.as_deref())
                    == Some(caller.username.as_str())
        })
        .map(|i| CallJson::new(i, cdrs.get(&i.id)))
        .collect();
    Ok(Json(CallList { calls, next_before }))
}

/// Whether live state could be read, so a client can tell "ended" from "unknown".
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum LiveStatus {
    /// The call is up; `live` holds its counters.
    Up,
    /// The call is over (or the control plane no longer has it).
    Ended,
    /// The control plane did not answer.
    Unavailable,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallDetail {
    #[serde(flatten)]
    call: CallJson,
    events: Vec<EventJson>,
    live_status: LiveStatus,
    #[schema(value_type = Option<Object>)]
    live: Option<CallLive>,
}

#[utoipa::path(get, path = "/calls/{id}", tag = "calls",
    params(("id" = String, Path, description = "The interaction id (32 hex digits)")),
    responses((status = 200, description = "The call, its events, CDR and live counters", body = CallDetail), Errors))]
pub async fn detail(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<CallDetail>, ApiError> {
    if !caller.may_read_floor() {
        return Err(ApiError::Forbidden("read the call history"));
    }
    let Path(id) = id?;
    let id = parse_id(&id)?;
    let Some((interaction, events)) = caller.tenant.interactions_with_events(&[id]).await?.pop()
    else {
        return Err(ApiError::NotFound("call"));
    };
    let cdr = store::cdr::derive(&interaction, &events);
    let (live_status, live) = if interaction.ended_at_ms.is_some() {
        (LiveStatus::Ended, None)
    } else {
        match state.control.live_call(caller.tenant.id(), id).await {
            Ok(Some(live)) => (LiveStatus::Up, Some(live)),
            Ok(None) => (LiveStatus::Ended, None),
            Err(ControlError::Unavailable | ControlError::Timeout) => {
                (LiveStatus::Unavailable, None)
            }
        }
    };
    Ok(Json(CallDetail {
        call: CallJson::new(&interaction, Some(&cdr)),
        events: events.iter().map(EventJson::from).collect(),
        live_status,
        live,
    }))
}
