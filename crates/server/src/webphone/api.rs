//! The browser softphone's HTTP side: `GET /api/v1/webphone/config` (what a browser needs
//! before it makes its offer: whether the phone is on, the ICE servers) and
//! `GET /api/v1/webphone` (floor roles: every browser session of the tenant with its
//! browser-leg packet counters — the other half of a call's per-leg RTP counters).

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::{IceServer, SessionStats};
use crate::http::ApiState;
use crate::http::auth::Caller;
use crate::http::error::ApiError;

/// `GET /webphone/config`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneConfig {
    /// Whether the browser phone can be used.
    enabled: bool,
    /// `RTCPeerConnection`'s `iceServers`.
    #[schema(value_type = Vec<Object>)]
    ice_servers: Vec<IceServer>,
}

/// `GET /webphone`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneSessions {
    /// One per connected browser.
    sessions: Vec<SessionStats>,
}

/// What a browser needs to start its phone.
#[utoipa::path(get, path = "/webphone/config", tag = "webphone",
    responses((status = 200, description = "Whether the phone is on, and the ICE servers", body = PhoneConfig),
              (status = 401, description = "Not logged in")))]
pub async fn config(State(state): State<ApiState>, _caller: Caller) -> Json<PhoneConfig> {
    Json(PhoneConfig {
        enabled: state.webphone.is_enabled(),
        ice_servers: state.config.webrtc.ice_servers.clone(),
    })
}

/// The tenant's browser sessions with their packet counters.
#[utoipa::path(get, path = "/webphone", tag = "webphone",
    responses((status = 200, description = "Browser sessions and their counters", body = PhoneSessions),
              (status = 401, description = "Not logged in"),
              (status = 403, description = "Not a floor role")))]
pub async fn sessions(
    State(state): State<ApiState>,
    caller: Caller,
) -> Result<Json<PhoneSessions>, ApiError> {
    if !caller.may_read_floor() {
        return Err(ApiError::Forbidden("read the browser phones"));
    }
    let tenant = caller.tenant.id().0;
    let sessions = state
        .webphone
        .stats()
        .await
        .into_iter()
        .filter(|s| s.tenant == tenant)
        .collect();
    Ok(Json(PhoneSessions { sessions }))
}
