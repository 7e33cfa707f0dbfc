//! `GET /api/v1/agents` and `PUT /api/v1/agents/{id}/state`: agents with their live state, and
//! logging them in, out, ready or not ready. A not-ready reason outside the configured codes
//! (`agents.not_ready_reasons`) is answered 422 `{"error": "unknown_reason", "reasons": [...]}`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use store::{Role, UserId};
use utoipa::ToSchema;

use super::ApiState;
use super::auth::Caller;
use super::error::ApiError;
use super::json::AgentJson;
use super::openapi::Errors;
use crate::control::{RequestedState, SetStateError};

/// Longest not-ready reason accepted.
const MAX_REASON: usize = 64;

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentList {
    agents: Vec<AgentJson>,
    /// The not-ready reason codes this server takes (empty: any), for the desktop's select.
    not_ready_reasons: Vec<String>,
}

#[utoipa::path(get, path = "/agents", tag = "agents",
    responses((status = 200, description = "Agents with their live state (an agent sees only itself)", body = AgentList), Errors))]
pub async fn list(
    State(state): State<ApiState>,
    caller: Caller,
) -> Result<Json<AgentList>, ApiError> {
    let users = caller.tenant.users().await?;
    let live: HashMap<UserId, _> = state
        .control
        .agent_states(caller.tenant.id())
        .await?
        .into_iter()
        .map(|agent| (agent.user_id, agent))
        .collect();
    let now = crate::log::now_ms();
    let agents = users
        .iter()
        .filter(|user| user.role == Role::Agent)
        .filter(|user| caller.may_read_floor() || user.id == caller.user_id)
        .map(|user| AgentJson::new(user, live.get(&user.id), now))
        .collect();
    Ok(Json(AgentList {
        agents,
        not_ready_reasons: state.config.agents.not_ready_reasons.clone(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStateBody {
    #[schema(value_type = String, example = "ready")]
    state: RequestedState,
    #[serde(default)]
    reason: Option<String>,
}

#[utoipa::path(put, path = "/agents/{id}/state", tag = "agents",
    params(("id" = i64, Path, description = "The agent's user id")),
    request_body = SetStateBody,
    responses((status = 200, description = "The agent with its new state", body = AgentJson), Errors))]
pub async fn set_state(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<SetStateBody>, JsonRejection>,
) -> Result<Json<AgentJson>, ApiError> {
    let Path(id) = id?;
    let agent = UserId(id);
    // Permission before existence: an agent cannot probe which ids exist.
    if agent != caller.user_id && !caller.may_manage_agents() {
        return Err(ApiError::Forbidden("change another agent's state"));
    }
    let Json(body) = body?;
    if let Some(reason) = &body.reason
        && (reason.is_empty() || reason.len() > MAX_REASON || reason.chars().any(char::is_control))
    {
        return Err(ApiError::BadRequest(format!(
            "reason must be 1 to {MAX_REASON} printable characters"
        )));
    }
    if body.state == RequestedState::NotReady
        && let Some(reason) = &body.reason
        && !state.config.agents.accepts(reason)
    {
        let reasons = &state.config.agents.not_ready_reasons;
        let mut details = serde_json::Map::new();
        details.insert("reasons".to_owned(), serde_json::json!(reasons));
        return Err(ApiError::Unprocessable {
            code: "unknown_reason",
            message: format!(
                "{reason:?} is not a not-ready reason here: use one of {}",
                reasons.join(", ")
            ),
            details,
        });
    }
    let user = caller
        .tenant
        .user(agent)
        .await?
        .filter(|user| user.role == Role::Agent)
        .ok_or(ApiError::NotFound("agent"))?;
    if agent != caller.user_id {
        // A manager forcing someone else's state leaves a trace.
        caller
            .audit(
                "agent.state_forced",
                format!("agent:{}", agent.0),
                serde_json::json!({
                    "state": body.state,
                    "reason": body.reason,
                }),
            )
            .await?;
    }
    let live = state
        .control
        .set_agent_state(caller.tenant.id(), agent, body.state, body.reason)
        .await?
        .map_err(|error| match error {
            SetStateError::UnknownAgent => ApiError::NotFound("agent"),
            SetStateError::Refused(why) => ApiError::Conflict(why),
        })?;
    tracing::info!(
        agent = agent.0,
        by = caller.user_id.0,
        state = live.state.as_str(),
        "agent state set through the API"
    );
    Ok(Json(AgentJson::new(
        &user,
        Some(&live),
        crate::log::now_ms(),
    )))
}
