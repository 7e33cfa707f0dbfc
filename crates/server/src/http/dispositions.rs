//! Dispositions (wrap-up codes) per queue, and the one an agent gives a call.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /queues/{name}/dispositions?include_inactive=` | everyone | the queue's codes and whether one is required before leaving wrap-up |
//! | `POST /queues/{name}/dispositions` | admin | `{"code": "sale", "label": "Sale"}` (201; 409 if the code is taken) |
//! | `PUT /dispositions/{id}` | admin | `{"label", "active"}`: codes are deactivated, never deleted |
//! | `PUT /queues/{name}/disposition-required` | admin | `{"required": true}` |
//! | `PUT /calls/{id}/disposition` | the agent who answered the call | `{"disposition_id": 3, "notes": "..."}`: an active code of the call's queue |

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use store::{Disposition, DispositionId, Scope};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::calls::parse_id;
use super::error::ApiError;
use super::openapi::Errors;
use super::pagination;
use super::tickets::TimeJson;

/// Longest code, label and notes taken.
const MAX_CODE: usize = 64;
const MAX_LABEL: usize = 200;
const MAX_NOTES: usize = 5_000;

/// A wrap-up code.
#[derive(Debug, Serialize, ToSchema)]
pub struct DispositionJson {
    id: i64,
    /// The queue's id (`null` for a campaign's code).
    queue_id: Option<i64>,
    /// The campaign's name (`null` for a queue's code).
    campaign: Option<String>,
    code: String,
    label: String,
    active: bool,
}

impl From<Disposition> for DispositionJson {
    fn from(d: Disposition) -> Self {
        let (queue_id, campaign) = match d.scope {
            Scope::Queue(queue) => (Some(queue.0), None),
            Scope::Campaign(name) => (None, Some(name)),
        };
        DispositionJson {
            id: d.id.0,
            queue_id,
            campaign,
            code: d.code,
            label: d.label,
            active: d.active,
        }
    }
}

/// A queue's codes.
#[derive(Debug, Serialize, ToSchema)]
pub struct DispositionList {
    queue: String,
    /// Must the queue's agents give one before leaving wrap-up.
    required: bool,
    dispositions: Vec<DispositionJson>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// List deactivated codes too.
    include_inactive: Option<bool>,
}

async fn queue(
    caller: &Caller,
    name: Result<Path<String>, PathRejection>,
) -> Result<store::Queue, ApiError> {
    let Path(name) = name?;
    caller
        .tenant
        .queue_by_name(&name)
        .await?
        .ok_or(ApiError::NotFound("queue"))
}

fn admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.may_administer() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("define dispositions"))
    }
}

#[utoipa::path(get, path = "/queues/{name}/dispositions", tag = "dispositions",
    params(("name" = String, Path, description = "The queue's name"), ListQuery),
    responses((status = 200, description = "The queue's codes", body = DispositionList), Errors))]
pub async fn list(
    caller: Caller,
    name: Result<Path<String>, PathRejection>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<DispositionList>, ApiError> {
    let Query(query) = query?;
    let queue = queue(&caller, name).await?;
    let scope = Scope::Queue(queue.id);
    let dispositions = caller
        .tenant
        .dispositions(&scope, query.include_inactive.unwrap_or(false))
        .await?
        .into_iter()
        .map(DispositionJson::from)
        .collect();
    Ok(Json(DispositionList {
        required: caller.tenant.disposition_required(queue.id).await?,
        queue: queue.name,
        dispositions,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDispositionBody {
    /// Unique in the queue (`sale`).
    code: String,
    /// What agents see.
    label: String,
}

#[utoipa::path(post, path = "/queues/{name}/dispositions", tag = "dispositions",
    params(("name" = String, Path, description = "The queue's name")),
    request_body = NewDispositionBody,
    responses((status = 201, description = "Added", body = DispositionJson), Errors))]
pub async fn create(
    caller: Caller,
    name: Result<Path<String>, PathRejection>,
    body: Result<Json<NewDispositionBody>, JsonRejection>,
) -> Result<(StatusCode, Json<DispositionJson>), ApiError> {
    admin(&caller)?;
    let queue = queue(&caller, name).await?;
    let Json(body) = body?;
    let code = pagination::text("code", &body.code, MAX_CODE)?;
    let label = pagination::text("label", &body.label, MAX_LABEL)?;
    let created = caller
        .tenant
        .create_disposition(&Scope::Queue(queue.id), &code, &label, crate::log::now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    label: String,
    active: bool,
}

#[utoipa::path(put, path = "/dispositions/{id}", tag = "dispositions",
    params(("id" = i64, Path, description = "The disposition id")),
    request_body = UpdateBody,
    responses((status = 200, description = "Changed", body = DispositionJson), Errors))]
pub async fn update(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<UpdateBody>, JsonRejection>,
) -> Result<Json<DispositionJson>, ApiError> {
    admin(&caller)?;
    let Path(id) = id?;
    let Json(body) = body?;
    let label = pagination::text("label", &body.label, MAX_LABEL)?;
    let id = DispositionId(id);
    caller
        .tenant
        .update_disposition(id, &label, body.active)
        .await?;
    let changed = caller
        .tenant
        .disposition(id)
        .await?
        .ok_or(ApiError::NotFound("disposition"))?;
    Ok(Json(changed.into()))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredBody {
    /// Must the queue's agents give a disposition before leaving wrap-up.
    required: bool,
}

#[utoipa::path(put, path = "/queues/{name}/disposition-required", tag = "dispositions",
    params(("name" = String, Path, description = "The queue's name")),
    request_body = RequiredBody,
    responses((status = 200, description = "Saved", body = RequiredBody), Errors))]
pub async fn set_required(
    caller: Caller,
    name: Result<Path<String>, PathRejection>,
    body: Result<Json<RequiredBody>, JsonRejection>,
) -> Result<Json<RequiredBody>, ApiError> {
    admin(&caller)?;
    let queue = queue(&caller, name).await?;
    let Json(body) = body?;
    caller
        .tenant
        .set_disposition_required(queue.id, body.required)
        .await?;
    Ok(Json(body))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiveBody {
    /// An active code of the call's queue.
    disposition_id: i64,
    /// The agent's notes (at most 5,000 characters).
    notes: Option<String>,
}

/// The disposition given.
#[derive(Debug, Serialize, ToSchema)]
pub struct GivenJson {
    interaction_id: String,
    user_id: i64,
    disposition_id: i64,
    code: String,
    notes: String,
    at: TimeJson,
}

#[utoipa::path(put, path = "/calls/{id}/disposition", tag = "dispositions",
    params(("id" = String, Path, description = "The interaction id")),
    request_body = GiveBody,
    responses((status = 200, description = "Recorded (replacing this agent's earlier one)", body = GivenJson), Errors))]
pub async fn give(
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<GiveBody>, JsonRejection>,
) -> Result<Json<GivenJson>, ApiError> {
    let Path(id) = id?;
    let interaction = parse_id(&id)?;
    let Json(body) = body?;
    let notes = body.notes.unwrap_or_default();
    if notes.chars().count() > MAX_NOTES {
        return Err(ApiError::BadRequest(format!(
            "notes are at most {MAX_NOTES} characters"
        )));
    }
    let cdr = caller
        .tenant
        .cdr(interaction)
        .await?
        .ok_or(ApiError::NotFound("call"))?;
    // Only the agent who took the call gives its disposition; others learn nothing of it.
    if cdr.agent.as_deref() != Some(caller.username.as_str()) {
        return Err(ApiError::NotFound("call"));
    }
    let disposition = caller
        .tenant
        .disposition(DispositionId(body.disposition_id))
        .await?
        .filter(|d| d.active)
        .ok_or_else(|| super::tickets::unknown("disposition_id", "no such active code"))?;
    let queue = match &cdr.queue {
        Some(name) => caller.tenant.queue_by_name(name).await?,
        None => None,
    };
    if queue.is_none_or(|q| disposition.scope != Scope::Queue(q.id)) {
        return Err(super::tickets::unknown(
            "disposition_id",
            "not a code of the call's queue",
        ));
    }
    let given = caller
        .tenant
        .set_interaction_disposition(
            interaction,
            caller.user_id,
            disposition.id,
            notes.trim(),
            crate::log::now_ms(),
        )
        .await?;
    Ok(Json(GivenJson {
        interaction_id: given.interaction_id.to_string(),
        user_id: given.user_id.0,
        disposition_id: given.disposition_id.0,
        code: given.code,
        notes: given.notes,
        at: TimeJson::new(given.at_ms),
    }))
}
