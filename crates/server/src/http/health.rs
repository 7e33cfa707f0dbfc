//! `/healthz`, `/metrics`, and the JSON 404 for unknown routes.

use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::ApiState;
use super::auth::Caller;
use super::error::ApiError;
use super::openapi::Errors;

/// 200 `ok` when the store answers; 503 while draining (so load balancers stop sending) or
/// when the store does not.
#[utoipa::path(get, path = "/healthz", tag = "meta", security(()),
    responses((status = 200, description = "`ok`", body = String),
              (status = 503, description = "Draining, or the store is unreachable", body = String)))]
pub async fn healthz(State(state): State<ApiState>) -> Response {
    if state.draining.load(Ordering::Relaxed) {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining\n").into_response();
    }
    match state.store.tenants().await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: store unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "store unreachable\n").into_response()
        }
    }
}

/// The Prometheus text; needs a floor role's token unless `http.metrics_public`.
#[utoipa::path(get, path = "/metrics", tag = "meta", security((), ("bearer" = [])),
    responses((status = 200, description = "Prometheus text", body = String), Errors))]
pub async fn metrics(
    State(state): State<ApiState>,
    caller: Result<Caller, ApiError>,
) -> Result<Response, ApiError> {
    if !state.config.http.metrics_public {
        let caller = caller?;
        if !caller.may_read_floor() {
            return Err(ApiError::Forbidden("read the metrics"));
        }
    }
    Ok((
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        state.metrics.encode(),
    )
        .into_response())
}

/// Unknown routes.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("route")
}
