//! A supervisor on a live call (see `call::monitor`): `POST /api/v1/calls/{id}/monitor`
//! `{"mode": "listen"|"whisper"|"barge"}` rings the asker's own phone and joins the call when
//! it answers; `PUT .../monitor {"mode"}` switches mode; `DELETE .../monitor` leaves;
//! `POST .../takeover` hangs up the agent and leaves the caller with the supervisor.
//!
//! Allowed to team leaders, supervisors, managers and admins of the call's tenant; every
//! action is written to the audit log (`call.monitor`, `call.monitor_mode`,
//! `call.monitor_stop`, `call.takeover`) before the switchboard is asked. 409 when the call
//! is not talking to an agent, is already monitored (or not monitored, for the others), or the
//! supervisor's phone has not answered yet (take over); also 409 when the asker has no
//! registered phone.
//!
//! `POST /api/v1/calls/{id}/conference` `{"to": {"agent": 1003}}` (the call's agent, or a
//! managing role) rings that agent and joins them to the call, everyone hearing everyone;
//! `DELETE .../conference` lets them go. Audit-logged (`call.conference`,
//! `call.conference_leave`). Outside numbers are refused for now (400).

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::ApiState;
use super::auth::Caller;
use super::calls::parse_id;
use super::error::ApiError;
use super::openapi::Errors;
use super::transfer::{TransferBody, only_agent, target};
use crate::control::{MonitorAction, MonitorError, MonitorMode, TransferTarget};

/// The mode asked.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitorBody {
    /// `listen` (nobody hears the supervisor), `whisper` (only the agent does) or `barge`
    /// (everyone does).
    mode: MonitorMode,
}

/// What was done.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonitorDone {
    /// The call.
    interaction: String,
    /// `ringing` (your phone rings; the call is joined when you answer), `mode_set`,
    /// `stopped` or `taken_over`.
    monitor: &'static str,
    /// The mode, when one was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<MonitorMode>,
}

/// `POST /api/v1/calls/{id}/monitor`.
#[utoipa::path(post, path = "/calls/{id}/monitor", tag = "calls",
    params(("id" = String, Path, description = "The interaction id")),
    request_body = MonitorBody,
    responses((status = 202, description = "Your phone is being rung; the call is joined when you answer", body = MonitorDone), Errors))]
pub async fn start(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<MonitorBody>, JsonRejection>,
) -> Result<(StatusCode, Json<MonitorDone>), ApiError> {
    allowed(&caller)?;
    let Json(body) = body?;
    act(&state, &caller, id, MonitorAction::Start(body.mode)).await
}

/// `PUT /api/v1/calls/{id}/monitor`.
#[utoipa::path(put, path = "/calls/{id}/monitor", tag = "calls",
    params(("id" = String, Path, description = "The interaction id")),
    request_body = MonitorBody,
    responses((status = 202, description = "The mode is switched", body = MonitorDone), Errors))]
pub async fn switch(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<MonitorBody>, JsonRejection>,
) -> Result<(StatusCode, Json<MonitorDone>), ApiError> {
    allowed(&caller)?;
    let Json(body) = body?;
    act(&state, &caller, id, MonitorAction::Mode(body.mode)).await
}

/// `DELETE /api/v1/calls/{id}/monitor`.
#[utoipa::path(delete, path = "/calls/{id}/monitor", tag = "calls",
    params(("id" = String, Path, description = "The interaction id")),
    responses((status = 202, description = "The supervisor's leg is ended", body = MonitorDone), Errors))]
pub async fn stop(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
) -> Result<(StatusCode, Json<MonitorDone>), ApiError> {
    allowed(&caller)?;
    act(&state, &caller, id, MonitorAction::Stop).await
}

/// `POST /api/v1/calls/{id}/takeover`.
#[utoipa::path(post, path = "/calls/{id}/takeover", tag = "calls",
    params(("id" = String, Path, description = "The interaction id")),
    responses((status = 202, description = "The agent is hung up; the caller is with the supervisor", body = MonitorDone), Errors))]
pub async fn take_over(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
) -> Result<(StatusCode, Json<MonitorDone>), ApiError> {
    allowed(&caller)?;
    act(&state, &caller, id, MonitorAction::TakeOver).await
}

/// `POST /api/v1/calls/{id}/conference`.
#[utoipa::path(post, path = "/calls/{id}/conference", tag = "calls",
    params(("id" = String, Path, description = "The interaction id")),
    request_body = TransferBody,
    responses((status = 202, description = "The agent added is being rung; they join when they answer", body = MonitorDone), Errors))]
pub async fn conference(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<TransferBody>, JsonRejection>,
) -> Result<(StatusCode, Json<MonitorDone>), ApiError> {
    let only_agent = only_agent(&caller, "add parties to calls")?;
    let Json(body) = body?;
    let TransferTarget::Agent(to) = target(body.to)? else {
        return Err(ApiError::BadRequest(
            "a conference adds an agent: {\"to\": {\"agent\": extension}} (numbers are not supported yet)"
                .to_owned(),
        ));
    };
    act(
        &state,
        &caller,
        id,
        MonitorAction::Conference { to, only_agent },
    )
    .await
}

/// `DELETE /api/v1/calls/{id}/conference`.
#[utoipa::path(delete, path = "/calls/{id}/conference", tag = "calls",
    params(("id" = String, Path, description = "The interaction id")),
    responses((status = 202, description = "The third party's leg is ended", body = MonitorDone), Errors))]
pub async fn leave_conference(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
) -> Result<(StatusCode, Json<MonitorDone>), ApiError> {
    let only_agent = only_agent(&caller, "end conferences")?;
    act(
        &state,
        &caller,
        id,
        MonitorAction::LeaveConference { only_agent },
    )
    .await
}

fn allowed(caller: &Caller) -> Result<(), ApiError> {
    if caller.may_manage_agents() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "listen to, whisper into, barge into or take over calls",
        ))
    }
}

async fn act(
    state: &ApiState,
    caller: &Caller,
    id: Result<Path<String>, PathRejection>,
    action: MonitorAction,
) -> Result<(StatusCode, Json<MonitorDone>), ApiError> {
    let Path(id) = id?;
    let interaction = parse_id(&id)?;
    let (audit, done, mode) = match &action {
        MonitorAction::Start(mode) => ("call.monitor", "ringing", Some(*mode)),
        MonitorAction::Mode(mode) => ("call.monitor_mode", "mode_set", Some(*mode)),
        MonitorAction::Stop => ("call.monitor_stop", "stopped", None),
        MonitorAction::TakeOver => ("call.takeover", "taken_over", None),
        MonitorAction::Conference { .. } => ("call.conference", "ringing", None),
        MonitorAction::LeaveConference { .. } => ("call.conference_leave", "stopped", None),
    };
    let mut details = json!({ "mode": mode.map(MonitorMode::as_str) });
    if let MonitorAction::Conference { to, .. } = &action {
        details = json!({ "to": to });
    }
    caller
        .audit(audit, format!("interaction:{interaction}"), details)
        .await?;
    state
        .control
        .monitor(caller.tenant.id(), interaction, caller.user_id, action)
        .await?
        .map_err(|error| match error {
            // An agent learns nothing of other agents' calls.
            MonitorError::UnknownCall | MonitorError::NotYourCall => ApiError::NotFound("call"),
            MonitorError::UnknownTarget => ApiError::NotFound("agent"),
            MonitorError::NotConnected
            | MonitorError::AlreadyMonitored
            | MonitorError::NotMonitored
            | MonitorError::NotAnswered
            | MonitorError::NoPhone
            | MonitorError::TargetUnavailable
            | MonitorError::NoConference => ApiError::Conflict(error.to_string()),
        })?;
    tracing::info!(interaction = %interaction, by = caller.user_id.0, done, "supervisor action on a call");
    Ok((
        StatusCode::ACCEPTED,
        Json(MonitorDone {
            interaction: interaction.to_string(),
            monitor: done,
            mode,
        }),
    ))
}
