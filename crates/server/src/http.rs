//! The HTTP API (axum): `/api/v1` for tools and the future web UI, `/healthz` for load
//! balancers and `/metrics` for Prometheus.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /api/v1/calls?limit=&before=` | floor roles | interactions newest first, each with its CDR; `next_before` pages on |
//! | `GET /api/v1/calls/{id}` | floor roles | one interaction, its events, CDR and live per-leg RTP counters while up |
//! | `GET /api/v1/agents` | all (agents see themselves) | agents with live state |
//! | `POST /api/v1/calls/{id}/transfer` | the agent on the call, or managing roles | `{"to": {"agent": 1002}}` or `{"to": {"queue": "support"}}`: blind transfer; 202; audit-logged |
//! | `PUT /api/v1/agents/{id}/state` | the agent, or managing roles | `{"state": "ready"\|"not_ready"\|"logged_out", "reason": "break"}` |
//! | `GET /api/v1/queues` | all | queues with live counts |
//! | `GET /api/v1/recordings/{interaction_id}` | listening roles | the WAV; audit-logged |
//! | `GET /healthz` | anyone | `ok`, or 503 while draining or when the store is unreachable |
//! | `GET /metrics` | anyone, or a floor role when `http.metrics_public = false` | Prometheus text |
//!
//! Roles are in [`auth`]. History is read from the store (scoped to the token's tenant by
//! [`store::TenantStore`]); live state is asked of the control plane ([`ControlHandle`]).
//! Rows of another tenant answer 404, like rows that do not exist. Times are given twice: RFC
//! 3339 in UTC (`created_at`) and unix milliseconds (`created_at_ms`). Errors are
//! `{"error": code, "message": text}` ([`error::ApiError`]).

mod agents;
pub mod auth;
mod calls;
pub mod error;
mod health;
mod json;
mod queues;
mod recordings;
mod transfer;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use store::Store;

use crate::config::Config;
use crate::control::ControlHandle;
use crate::metrics::Metrics;

/// What every handler may use.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// The store (handlers go through the caller's tenant).
    pub store: Store,
    /// The control plane, for live state.
    pub control: ControlHandle,
    /// The settings.
    pub config: Arc<Config>,
    /// The metrics.
    pub metrics: Metrics,
    /// Set once the server drains: `/healthz` answers 503 so load balancers move on.
    pub draining: Arc<AtomicBool>,
}

/// The API's routes over `state`.
pub fn router(state: ApiState) -> Router {
    let body_max = state.config.limits.http_body_max;
    let api = Router::new()
        .route("/calls", get(calls::list))
        .route("/calls/{id}", get(calls::detail))
        .route("/calls/{id}/transfer", post(transfer::transfer))
        .route("/agents", get(agents::list))
        .route("/agents/{id}/state", put(agents::set_state))
        .route("/queues", get(queues::list))
        .route("/recordings/{interaction_id}", get(recordings::download));
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .fallback(health::not_found)
        .layer(DefaultBodyLimit::max(body_max))
        .with_state(state)
}
