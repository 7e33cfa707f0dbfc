//! `POST /api/v1/calls/{id}/transfer`: a blind transfer of a connected call, to an agent
//! (`{"to": {"agent": 1002}}`, by extension) or a queue (`{"to": {"queue": "support"}}`).
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
use store::{NewAuditEntry, Role};

use super::ApiState;
use super::auth::Caller;
use super::calls::parse_id;
use super::error::ApiError;
use crate::control::{TransferError, TransferTarget};

/// Longest extension or queue name taken.
const MAX_TARGET: usize = 64;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    to: TargetBody,
}

/// Exactly one of the two.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum TargetBody {
    /// An extension, as a number or a string.
    Agent(serde_json::Value),
    Queue(String),
}

#[derive(Debug, Serialize)]
pub struct Started {
    interaction: String,
    to: String,
}

fn target(body: TargetBody) -> Result<TransferTarget, ApiError> {
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
    };
    if text.is_empty() || text.len() > MAX_TARGET || text.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(format!(
            "the target must be 1 to {MAX_TARGET} printable characters"
        )));
    }
    Ok(target)
}

pub async fn transfer(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<TransferBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Started>), ApiError> {
    let only_agent = match caller.role {
        _ if caller.may_manage_agents() => None,
        Role::Agent => Some(caller.user_id),
        _ => return Err(ApiError::Forbidden("transfer calls")),
    };
    let Path(id) = id?;
    let interaction = parse_id(&id)?;
    let Json(body) = body?;
    let to = target(body.to)?;
    caller
        .tenant
        .audit(&NewAuditEntry {
            user_id: Some(caller.user_id),
            action: "call.transfer".to_owned(),
            target: format!("interaction:{interaction}"),
            at_ms: crate::log::now_ms(),
            details: json!({ "to": to.to_string() }),
        })
        .await?;
    state
        .control
        .transfer(caller.tenant.id(), interaction, to.clone(), only_agent)
        .await?
        .map_err(|error| match error {
            TransferError::UnknownCall => ApiError::NotFound("call"),
            // An agent learns nothing of other agents' calls.
            TransferError::NotYourCall => ApiError::NotFound("call"),
            TransferError::UnknownTarget => ApiError::NotFound("transfer target"),
            TransferError::NotConnected | TransferError::TargetUnavailable => {
                ApiError::Conflict(error.to_string())
            }
        })?;
    tracing::info!(interaction = %interaction, by = caller.user_id.0, to = %to, "transfer asked through the API");
    Ok((
        StatusCode::ACCEPTED,
        Json(Started {
            interaction: interaction.to_string(),
            to: to.to_string(),
        }),
    ))
}
