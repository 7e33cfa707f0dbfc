//! `/api/v1/flows`: the tenant's IVR flows, their versions, and hot reload.
//!
//! | route | what |
//! |---|---|
//! | `GET /flows` | every flow: name, active version, versions (number, time, active) |
//! | `GET /flows/{name}[?version=n]` | the YAML of the active version (or of version `n`); `X-Plateau-Flow-Version` says which |
//! | `PUT /flows/{name}` | YAML body (`application/yaml`, `text/yaml` or `text/plain`): checked, saved as the next version, made active, swapped in |
//! | `POST /flows/{name}/activate` | `{"version": n}`: makes an older (or newer) version active again (a rollback) |
//!
//! A flow is checked exactly as the switchboard checks it when it loads the directory
//! ([`crate::call::FlowCatalog`]: the prompt library calls play from, the tenant's queues),
//! and its `name:` must be the name in the URL. A flow that does not load is answered 422
//! `{"error": "invalid_flow", "message", "errors": [{"line", "column", "message"}]}` and
//! nothing changes: the version in service keeps answering calls. One that loads is saved,
//! activated and swapped in before the answer ([`crate::control::Command::Reload`]): calls that
//! arrive after the 200 run it, calls already in the IVR finish on the version they started
//! with. `applied: false` in the answer means it is saved and active but the switchboard did
//! not confirm the swap (it is then taken at the next periodic refresh).
//!
//! Admin role only; saves and activations are written to the audit log (`flow.save`,
//! `flow.activate`, target `flow:<name>`).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::QueueId;
use utoipa::{IntoParams, ToSchema};

use super::ApiState;
use super::auth::Caller;
use super::error::ApiError;
use super::json::rfc3339;
use super::openapi::Errors;
use crate::call::FlowCatalog;

/// Longest flow name taken.
const MAX_NAME: usize = 64;

/// The `Content-Type`s a flow may be sent as (parameters such as `charset` aside).
const YAML_TYPES: [&str; 5] = [
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/x-yaml",
    "text/plain",
];

/// The header naming the version served.
const VERSION_HEADER: &str = "x-plateau-flow-version";

#[derive(Debug, Serialize)]
struct VersionJson {
    version: i64,
    active: bool,
    created_at: String,
    created_at_ms: i64,
}

#[derive(Debug, Serialize)]
struct FlowJson {
    name: String,
    active_version: Option<i64>,
    versions: Vec<VersionJson>,
}

#[derive(Debug, Serialize)]
pub struct FlowList {
    flows: Vec<FlowJson>,
}

/// A version saved or made active.
#[derive(Debug, Serialize)]
pub struct Activated {
    name: String,
    version: i64,
    active: bool,
    /// Whether the switchboard confirmed that new calls take it.
    applied: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A version other than the active one.
    version: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateBody {
    version: i64,
}

fn admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.may_administer() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("administer flows"))
    }
}

/// A flow name: 1 to [`MAX_NAME`] letters, digits, `-`, `_` or `.`.
fn check_name(name: &str) -> Result<(), ApiError> {
    let fine = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if fine {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!(
            "a flow name is 1 to {MAX_NAME} letters, digits, '-', '_' or '.'"
        )))
    }
}

#[utoipa::path(get, path = "/flows", tag = "flows",
    responses((status = 200, description = "Every flow with its versions", body = serde_json::Value), Errors))]
pub async fn list(
    State(_state): State<ApiState>,
    caller: Caller,
) -> Result<Json<FlowList>, ApiError> {
    admin(&caller)?;
    let mut flows = Vec::new();
    for flow in caller.tenant.flows().await? {
        let versions = caller
            .tenant
            .flow_versions(flow.id)
            .await?
            .into_iter()
            .map(|v| VersionJson {
                version: v.version,
                active: v.active,
                created_at: rfc3339(v.created_at_ms),
                created_at_ms: v.created_at_ms,
            })
            .collect();
        flows.push(FlowJson {
            name: flow.name,
            active_version: flow.active_version,
            versions,
        });
    }
    Ok(Json(FlowList { flows }))
}

#[utoipa::path(get, path = "/flows/{name}", tag = "flows",
    params(("name" = String, Path, description = "The flow's name"), VersionQuery),
    responses((status = 200, description = "The flow's YAML", content_type = "application/yaml", body = String), Errors))]
pub async fn source(
    State(_state): State<ApiState>,
    caller: Caller,
    name: Result<Path<String>, PathRejection>,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    admin(&caller)?;
    let Path(name) = name?;
    let Query(query) = query?;
    let flow = caller
        .tenant
        .flow_by_name(&name)
        .await?
        .ok_or(ApiError::NotFound("flow"))?;
    let version = query
        .version
        .or(flow.active_version)
        .ok_or(ApiError::NotFound("flow version"))?;
    let found = caller
        .tenant
        .flow_version(flow.id, version)
        .await?
        .ok_or(ApiError::NotFound("flow version"))?;
    let mut response = found.source.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/yaml; charset=utf-8"),
    );
    headers.insert(VERSION_HEADER, HeaderValue::from(version));
    Ok(response)
}

#[utoipa::path(put, path = "/flows/{name}", tag = "flows",
    params(("name" = String, Path, description = "The flow's name")),
    request_body(content = String, content_type = "application/yaml", description = "The flow in YAML"),
    responses((status = 200, description = "Saved as the next version, active", body = serde_json::Value), Errors))]
pub async fn put(
    State(state): State<ApiState>,
    caller: Caller,
    name: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Activated>, ApiError> {
    admin(&caller)?;
    let Path(name) = name?;
    check_name(&name)?;
    check_content_type(&headers)?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest(rejection.body_text())
        }
    })?;
    let source = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::BadRequest("the flow is not UTF-8 text".to_owned()))?;
    check_flow(&state, &caller, &name, &source).await?;
    let saved = caller
        .tenant
        .save_flow(&name, &source, crate::log::now_ms(), true)
        .await?;
    audit(&caller, "flow.save", &name, saved.version).await?;
    let applied = apply(&state).await;
    tracing::info!(flow = %name, version = saved.version, by = caller.user_id.0, applied, "flow saved through the API");
    Ok(Json(Activated {
        name,
        version: saved.version,
        active: true,
        applied,
    }))
}

#[utoipa::path(post, path = "/flows/{name}/activate", tag = "flows",
    params(("name" = String, Path, description = "The flow's name")),
    request_body = ActivateBody,
    responses((status = 200, description = "The version is active again", body = serde_json::Value), Errors))]
pub async fn activate(
    State(state): State<ApiState>,
    caller: Caller,
    name: Result<Path<String>, PathRejection>,
    body: Result<Json<ActivateBody>, JsonRejection>,
) -> Result<Json<Activated>, ApiError> {
    admin(&caller)?;
    let Path(name) = name?;
    let Json(body) = body?;
    let flow = caller
        .tenant
        .flow_by_name(&name)
        .await?
        .ok_or(ApiError::NotFound("flow"))?;
    let version = caller
        .tenant
        .flow_version(flow.id, body.version)
        .await?
        .ok_or(ApiError::NotFound("flow version"))?;
    // Prompts or queues may have gone since it was saved: it must load today.
    check_flow(&state, &caller, &name, &version.source).await?;
    caller
        .tenant
        .activate_flow_version(flow.id, version.version)
        .await?;
    audit(&caller, "flow.activate", &name, version.version).await?;
    let applied = apply(&state).await;
    tracing::info!(flow = %name, version = version.version, by = caller.user_id.0, applied, "flow version activated through the API");
    Ok(Json(Activated {
        name,
        version: version.version,
        active: true,
        applied,
    }))
}

fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match media_type {
        Some(t) if YAML_TYPES.contains(&t.as_str()) => Ok(()),
        _ => Err(ApiError::UnsupportedMediaType(
            "send the flow as application/yaml (or text/yaml, text/plain)".to_owned(),
        )),
    }
}

/// Loads `source` as the switchboard would, for flow `name`; 422 with every error if it
/// does not load.
async fn check_flow(
    state: &ApiState,
    caller: &Caller,
    name: &str,
    source: &str,
) -> Result<(), ApiError> {
    let library = state.control.prompt_library().await?;
    let queues: HashMap<String, QueueId> = caller
        .tenant
        .queues()
        .await?
        .into_iter()
        .map(|q| (q.name, q.id))
        .collect();
    let (name, source) = (name.to_owned(), source.to_owned());
    // Up to a megabyte of YAML: parsed off the runtime's workers.
    let errors = tokio::task::spawn_blocking(move || {
        let catalog = FlowCatalog::new(&library, &queues);
        match ivr::Flow::load(&source, &catalog) {
            Ok(flow) if flow.name() == name => Vec::new(),
            Ok(flow) => vec![name_mismatch(&source, flow.name(), &name)],
            Err(errors) => errors.into_vec(),
        }
    })
    .await
    .map_err(|error| {
        tracing::error!(%error, "checking a flow failed");
        ApiError::Internal
    })?;
    if errors.is_empty() {
        return Ok(());
    }
    let listed: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| json!({ "line": e.line, "column": e.column, "message": e.message }))
        .collect();
    let mut details = serde_json::Map::new();
    details.insert("errors".to_owned(), listed.into());
    Err(ApiError::Unprocessable {
        code: "invalid_flow",
        message: format!(
            "the flow does not load ({} error(s)); nothing was changed",
            errors.len()
        ),
        details,
    })
}

/// The error for a file whose `name:` is not the URL's, placed on its `name:` line.
fn name_mismatch(source: &str, in_file: &str, in_url: &str) -> ivr::FlowError {
    let position = source
        .lines()
        .enumerate()
        .find_map(|(i, line)| {
            let rest = line.strip_prefix("name:")?;
            let column = "name:".len() + rest.len() - rest.trim_start().len() + 1;
            Some(ivr::Position {
                line: i + 1,
                column,
            })
        })
        .unwrap_or(ivr::Position::START);
    ivr::FlowError::at(
        position,
        format!("the flow is named \"{in_file}\" but is saved as \"{in_url}\""),
    )
}

async fn audit(caller: &Caller, action: &str, name: &str, version: i64) -> Result<(), ApiError> {
    caller
        .audit(
            action,
            format!("flow:{name}"),
            json!({ "version": version }),
        )
        .await?;
    Ok(())
}

/// Asks the switchboard to take the change now; whether it confirmed.
pub(super) async fn apply(state: &ApiState) -> bool {
    match state.control.reload().await {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, "the change is saved; the switchboard takes it at its next refresh");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_mismatch_points_at_the_name_line() {
        let error = name_mismatch("# a flow\nname:  sales\nstart: a\n", "sales", "main");
        assert_eq!((error.line, error.column), (2, 8));
        assert!(error.message.contains("\"main\""));
    }

    #[test]
    fn flow_names_are_url_safe_words() {
        assert!(check_name("main-menu_2.fr").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a/b").is_err());
        assert!(check_name(&"x".repeat(MAX_NAME + 1)).is_err());
    }
}
