//! `POST /api/v1/calls/{id}/transfer`: a blind transfer of a connected call, to an agent
//! (`{"to": {"agent": 1002}}`, by extension), a queue (`{"to": {"queue": "support"}}`) or an
//! outside number through the trunk (`{"to": {"number": "+33612345678"}}`; 409 without a
//! trunk).
//! Allowed to the agent on the call and to managing roles (team leader, supervisor, manager,
//! admin), who may transfer any call of their tenant; written to the audit log
//! (`call.transfer`) before the switchboard is asked. 202 once the transfer has started
//! (the agent's leg is being ended and the caller is on their way to the target).

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{Role, UserId};
use utoipa::ToSchema;

use super::ApiState;
use super::auth::Caller;
use super::calls::parse_id;
use super::error::ApiError;
use super::openapi::Errors;
use crate::control::{TransferError, TransferTarget};

/// Longest extension or queue name taken.
const MAX_TARGET: usize = 64;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// `{"agent": 1002}` (an extension) or `{"queue": "support"}`.
    #[schema(value_type = Object)]
    pub(super) to: TargetBody,
}

/// Exactly one of the two.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub(super) enum TargetBody {
    /// An extension, as a number or a string.
    Agent(serde_json::Value),
    Queue(String),
    /// An outside number (`+33...`), through the trunk.
    Number(String),
}

#[derive(Debug, Serialize)]
pub struct Started {
    interaction: String,
    to: String,
}

pub(super) fn target(body: TargetBody) -> Result<TransferTarget, ApiError> {
    let (target, text) = match body {
        TargetBody::Agent(serde_json::Value::Number(n)) => {
            let text = n.to_string();
            (TransferTarget::Agent(text.clone()), text)
        }
        TargetBody::Agent(serde_json::Value::String(s)) => (TransferTarget::Agent(s.clone()), s),
        TargetBody::Agent(_) => {
            return Err(ApiError::BadRequest(
                "to.agent is an extension (a number or a string)".to_owned(),
            ));
        }
        TargetBody::Queue(name) => (TransferTarget::Queue(name.clone()), name),
        TargetBody::Number(number) => (TransferTarget::Number(number.clone()), number),
    };
    if text.is_empty() || text.len() > MAX_TARGET || text.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(format!(
            "the target must be 1 to {MAX_TARGET} printable characters"
        )));
    }
    Ok(target)
}

/// Who may act on a call's transfer or consultation: `Ok(Some(agent))` for an agent, who
/// may only act on their own call; `Ok(None)` for managing roles, on any call of the tenant.
pub(super) fn only_agent(caller: &Caller, what: &'static str) -> Result<Option<UserId>, ApiError> {
    match caller.role {
        _ if caller.may_manage_agents() => Ok(None),
        Role::Agent => Ok(Some(caller.user_id)),
        _ => Err(ApiError::Forbidden(what)),
    }
}

/// A transfer refused, as the API says it.
pub(super) fn transfer_error(error: TransferError) -> ApiError {
    match error {
        TransferError::UnknownCall => ApiError::NotFound("call"),
        // An agent learns nothing of other agents' calls.
        TransferError::NotYourCall => ApiError::NotFound("call"),
        TransferError::UnknownTarget => ApiError::NotFound("transfer target"),
        TransferError::NotConnected | TransferError::TargetUnavailable | TransferError::NoTrunk => {
            ApiError::Conflict(error.to_string())
        }
    }
}

#[utoipa::path(post, path = "/calls/{id}/transfer", tag = "calls",
    params(("id" = String, Path, description = "The interaction id")),
    request_body = TransferBody,
    responses((status = 202, description = "The transfer started", body = serde_json::Value), Errors))]
pub async fn transfer(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<TransferBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Started>), ApiError> {
    let only_agent = only_agent(&caller, "transfer calls")?;
    let Path(id) = id?;
    let interaction = parse_id(&id)?;
    let Json(body) = body?;
    let to = target(body.to)?;
    caller
        .audit(
            "call.transfer",
            format!("interaction:{interaction}"),
            json!({ "to": to.to_string() }),
        )
        .await?;
    state
        .control
        .transfer(caller.tenant.id(), interaction, to.clone(), only_agent)
        .await?
        .map_err(transfer_error)?;
    tracing::info!(interaction = %interaction, by = caller.user_id.0, to = %to.for_log(), "transfer asked through the API");
    Ok((
        StatusCode::ACCEPTED,
        Json(Started {
            interaction: interaction.to_string(),
            to: to.to_string(),
        }),
    ))
}
