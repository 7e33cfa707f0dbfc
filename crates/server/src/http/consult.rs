//! Consultations by API (see `call::consult`): `POST /api/v1/calls/{id}/consult` with
//! `{"to": {"agent": 1002}}` holds the caller and rings that agent; `.../consult/complete`
//! joins the caller to them (an attended transfer; 409 until they answered);
//! `.../consult/cancel` ends their leg and gives the caller back. Same rules as blind
//! transfers ([`super::transfer`]): the agent on the call or managing roles, audit-logged
//! (`call.consult`, `call.consult_complete`, `call.consult_cancel`) before the switchboard is
//! asked; 202 once done or started.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::json;

use super::ApiState;
use super::auth::Caller;
use super::calls::parse_id;
use super::error::ApiError;
use super::openapi::Errors;
use super::transfer::{TransferBody, only_agent, target, transfer_error};
use crate::control::{ConsultAction, ConsultError, TransferTarget};

#[derive(Debug, Serialize)]
pub struct Done {
    interaction: String,
    consult: &'static str,
}

/// `POST /api/v1/calls/{id}/consult`.
#[utoipa::path(post, path = "/calls/{id}/consult", tag = "calls",
    params(("id" = String, Path, description = "The interaction id")),
    request_body = TransferBody,
    responses((status = 202, description = "The consulted agent is being rung", body = serde_json::Value), Errors))]
pub async fn start(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<TransferBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Done>), ApiError> {
    let Json(body) = body?;
    let TransferTarget::Agent(to) = target(body.to)? else {
        return Err(ApiError::BadRequest(
            "a consultation is with an agent: {\"to\": {\"agent\": extension}}".to_owned(),
        ));
    };
    act(&state, caller, id, ConsultAction::Start { to }).await
}

/// `POST /api/v1/calls/{id}/consult/complete`.
#[utoipa::path(post, path = "/calls/{id}/consult/complete", tag = "calls",
    params(("id" = String, Path, description = "The interaction id")),
    responses((status = 202, description = "The caller joined the consulted agent", body = serde_json::Value), Errors))]
pub async fn complete(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
) -> Result<(StatusCode, Json<Done>), ApiError> {
    act(&state, caller, id, ConsultAction::Complete).await
}

/// `POST /api/v1/calls/{id}/consult/cancel`.
#[utoipa::path(post, path = "/calls/{id}/consult/cancel", tag = "calls",
    params(("id" = String, Path, description = "The interaction id")),
    responses((status = 202, description = "The caller is back with their agent", body = serde_json::Value), Errors))]
pub async fn cancel(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
) -> Result<(StatusCode, Json<Done>), ApiError> {
    act(&state, caller, id, ConsultAction::Cancel).await
}

async fn act(
    state: &ApiState,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
    action: ConsultAction,
) -> Result<(StatusCode, Json<Done>), ApiError> {
    let only_agent = only_agent(&caller, "consult about calls")?;
    let Path(id) = id?;
    let interaction = parse_id(&id)?;
    let (audit, done, details) = match &action {
        ConsultAction::Start { to } => ("call.consult", "started", json!({ "to": to })),
        ConsultAction::Complete => ("call.consult_complete", "completed", json!({})),
        ConsultAction::Cancel => ("call.consult_cancel", "cancelled", json!({})),
    };
    caller
        .audit(audit, format!("interaction:{interaction}"), details)
        .await?;
    state
        .control
        .consult(caller.tenant.id(), interaction, action, only_agent)
        .await?
        .map_err(|error| match error {
            ConsultError::Transfer(error) => transfer_error(error),
            ConsultError::InProgress | ConsultError::NoConsult | ConsultError::NotAnswered => {
                ApiError::Conflict(error.to_string())
            }
        })?;
    tracing::info!(interaction = %interaction, by = caller.user_id.0, done, "consultation step asked through the API");
    Ok((
        StatusCode::ACCEPTED,
        Json(Done {
            interaction: interaction.to_string(),
            consult: done,
        }),
    ))
}
