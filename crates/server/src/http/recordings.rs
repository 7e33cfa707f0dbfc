//! `GET /api/v1/recordings/{interaction_id}`: streams a call's recording (the first one, if the
//! call was recorded more than once), after writing the download to the audit log.
//!
//! The file is found from the store's recording row, never from the request: the stored path
//! is mapped under the recordings directory ([`crate::config::Config::recording_file`]) and,
//! once resolved (symbolic links followed), must still be inside it.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio_util::io::ReaderStream;

use super::ApiState;
use super::auth::Caller;
use super::calls::parse_id;
use super::error::ApiError;
use super::openapi::Errors;
use crate::redact;

#[utoipa::path(get, path = "/recordings/{interaction_id}", tag = "calls",
    params(("interaction_id" = String, Path, description = "The interaction id")),
    responses((status = 200, description = "The WAV file", content_type = "audio/wav", body = Vec<u8>), Errors))]
pub async fn download(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(source): ConnectInfo<SocketAddr>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    if !caller.may_listen() {
        return Err(ApiError::Forbidden("download recordings"));
    }
    let Path(id) = id?;
    let id = parse_id(&id)?;
    let recording = caller
        .tenant
        .recordings(id)
        .await?
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound("recording"))?;
    let file = state
        .config
        .recording_file(&recording.path)
        .ok_or_else(|| {
            tracing::error!(
                recording = recording.id.0,
                "recording row holds a path outside the recordings directory"
            );
            ApiError::NotFound("recording")
        })?;
    let opened = open_inside(&state.config.recordings_dir(), &file).await;
    let (file_handle, length) = opened.ok_or_else(|| {
        tracing::warn!(recording = recording.id.0, path = %redact::path(&file), "recording file missing");
        ApiError::NotFound("recording file")
    })?;

    // No audit row, no download.
    caller
        .audit(
            "recording.download",
            format!("interaction:{id}"),
            json!({
                "recording_id": recording.id.0,
                "source": source.ip().to_string(),
            }),
        )
        .await?;
    tracing::info!(interaction = %id, user = caller.user_id.0, "recording downloaded");

    let headers = [
        (header::CONTENT_TYPE, "audio/wav".to_owned()),
        (header::CONTENT_LENGTH, length.to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{id}.wav\""),
        ),
    ];
    let body = Body::from_stream(ReaderStream::new(file_handle));
    Ok((headers, body).into_response())
}

/// Opens `file` if, with links resolved, it is a regular file inside `root`; with its length.
async fn open_inside(
    root: &std::path::Path,
    file: &std::path::Path,
) -> Option<(tokio::fs::File, u64)> {
    let root = tokio::fs::canonicalize(root).await.ok()?;
    let resolved = tokio::fs::canonicalize(file).await.ok()?;
    if !resolved.starts_with(&root) {
        tracing::error!(path = %redact::path(&resolved), "recording resolves outside the recordings directory");
        return None;
    }
    let handle = tokio::fs::File::open(&resolved).await.ok()?;
    let metadata = handle.metadata().await.ok()?;
    metadata.is_file().then_some((handle, metadata.len()))
}
