//! Web login: `POST /api/v1/session` checks a username and password and sets the
//! `plateau_session` cookie; `GET` says who is logged in; `DELETE` logs out;
//! `PUT /api/v1/session/language` stores the user's page language.
//!
//! - **Which tenant.** Usernames are unique per tenant only. The body may name the tenant
//!   (`"tenant": "<slug>"`); without it the username must exist in one tenant only, else 400
//!   `{"error":"tenant_required"}` (the login page then asks for it).
//! - **One answer for every failure.** Unknown tenant, unknown user, no password, wrong
//!   password and disabled user all answer 401 `{"error":"invalid_credentials"}` after the
//!   same Argon2 work (`store::Store::web_login`).
//! - **Throttling.** Failures count per source address and per username in the same
//!   [`AuthGuard`] the SIP registrar uses (same settings: `limits.auth_failures_before_throttle`
//!   in `limits.auth_failure_window`, refused for `limits.throttle_cooldown`): past the
//!   threshold, 429 `{"error":"throttled"}` without checking the password. A throttled
//!   username is refused only to sources that failed for it, so someone who merely knows an
//!   agent's name cannot lock the agent out.
//! - **The cookie** holds a 256-bit secret (only its hash is stored): `HttpOnly` (scripts
//!   cannot read it), `SameSite=Strict`, `Path=/`, `Secure` when `http.secure_cookies`. It has
//!   no `Max-Age`: the server ends sessions unused for `http.session_idle_timeout`, and the
//!   browser forgets the cookie when it closes.
//! - **CSRF.** The login answer carries `csrf_token`; pages send it as `X-CSRF-Token` on every
//!   request but GET/HEAD/OPTIONS (checked by [`super::auth::Caller`]). Logging out needs it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use store::{Language, Role, UserId, WebLogin, WebSession};
use utoipa::ToSchema;

use super::ApiState;
use super::auth::{Caller, SESSION_COOKIE, session_idle_ms};
use super::error::ApiError;
use super::openapi::Errors;
use crate::config::Config;
use crate::sip::auth_guard::{AuthGuard, Check, GuardConfig};

/// Longest username or tenant slug read.
const MAX_NAME: usize = 128;
/// Longest password read (Argon2 work grows with it).
const MAX_PASSWORD: usize = 1_024;

/// The failed-login counts, shared by every request.
#[derive(Debug, Clone)]
pub struct LoginGuard(Arc<Mutex<AuthGuard>>);

impl LoginGuard {
    /// A guard with the same thresholds as the registrar's.
    pub fn new(config: &Config) -> LoginGuard {
        LoginGuard(Arc::new(Mutex::new(AuthGuard::new(GuardConfig {
            threshold: config.limits.auth_failures_before_throttle,
            window: config.limits.auth_failure_window,
            cooldown: config.limits.throttle_cooldown,
        }))))
    }

    fn with<T>(&self, f: impl FnOnce(&mut AuthGuard) -> T) -> T {
        // The guard holds only counters: one left half-updated by a panic is still usable.
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }
}

/// A login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    username: String,
    password: String,
    /// The tenant's slug; needed only when the username exists in several tenants.
    #[serde(default)]
    tenant: Option<String>,
}

/// Who is logged in.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionJson {
    #[schema(value_type = i64)]
    user_id: UserId,
    username: String,
    display_name: String,
    #[schema(value_type = String, example = "agent")]
    role: Role,
    extension: Option<String>,
    /// `en` or `fr`; null: the browser's language.
    language: Option<String>,
    /// What to send in `X-CSRF-Token`; null when authenticated by a bearer token.
    csrf_token: Option<String>,
}

impl SessionJson {
    fn of(session: &WebSession) -> SessionJson {
        SessionJson {
            user_id: session.user_id,
            username: session.username.clone(),
            display_name: session.display_name.clone(),
            role: session.role,
            extension: session.extension.clone(),
            language: session.language.map(|l| l.as_str().to_owned()),
            csrf_token: Some(session.csrf_token.clone()),
        }
    }
}

fn cookie(state: &ApiState, value: &str, max_age_zero: bool) -> Result<HeaderValue, ApiError> {
    let mut text = format!("{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/");
    if max_age_zero {
        text.push_str("; Max-Age=0");
    }
    if state.config.http.secure_cookies {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).map_err(|_| ApiError::Internal)
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[utoipa::path(post, path = "/session", tag = "session", security(()),
    request_body = LoginBody,
    responses(
        (status = 200, description = "Logged in; `Set-Cookie: plateau_session=...`", body = SessionJson),
        (status = 400, description = "Malformed, or `tenant_required`", body = super::openapi::ErrorJson),
        (status = 401, description = "`invalid_credentials` (unknown user and wrong password alike)", body = super::openapi::ErrorJson),
        (status = 429, description = "`throttled`: too many failures from this address or for this user", body = super::openapi::ErrorJson)))]
pub async fn login(
    State(state): State<ApiState>,
    Extension(guard): Extension<LoginGuard>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body?;
    let too_long = body.username.len() > MAX_NAME
        || body.password.len() > MAX_PASSWORD
        || body.tenant.as_ref().is_some_and(|t| t.len() > MAX_NAME);
    if body.username.is_empty() || too_long {
        return Err(ApiError::BadRequest(
            "username (1 to 128 bytes) and password (at most 1024) are required".to_owned(),
        ));
    }
    let source = connect.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.0.ip());
    if guard.with(|g| g.check(Instant::now(), source, Some(&body.username))) != Check::Verify {
        return Err(ApiError::Throttled);
    }
    let login = state
        .store
        .web_login(&body.username, &body.password, body.tenant.as_deref())
        .await?;
    let user = match login {
        WebLogin::Valid(user) => user,
        WebLogin::TenantRequired => return Err(ApiError::TenantRequired),
        WebLogin::Invalid => {
            let failure = guard.with(|g| g.fail(Instant::now(), source, &body.username));
            if failure.source_throttled || failure.user_throttled {
                tracing::warn!(source = %source, "web logins throttled after repeated failures");
            }
            return Err(ApiError::InvalidCredentials);
        }
    };
    let tenant = state.store.tenant(user.tenant_id).await?;
    let (session, secret) = tenant
        .create_web_session(user.id, crate::log::now_ms(), session_idle_ms(&state))
        .await?;
    tracing::info!(user = user.id.0, tenant = user.tenant_id.0, "web login");
    let mut response = Json(SessionJson::of(&session)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie(&state, secret.expose(), false)?);
    Ok(no_store(response))
}

async fn who(caller: &Caller) -> Result<SessionJson, ApiError> {
    if let Some(session) = &caller.session {
        return Ok(SessionJson::of(session));
    }
    let user = caller
        .tenant
        .user(caller.user_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let language = caller.tenant.user_language(caller.user_id).await?;
    Ok(SessionJson {
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        extension: user.extension,
        language: language.map(|l| l.as_str().to_owned()),
        csrf_token: None,
    })
}

#[utoipa::path(get, path = "/session", tag = "session",
    responses((status = 200, description = "Who is logged in (with a bearer token: its user, no CSRF token)", body = SessionJson), Errors))]
pub async fn current(caller: Caller) -> Result<Response, ApiError> {
    Ok(no_store(Json(who(&caller).await?).into_response()))
}

#[utoipa::path(delete, path = "/session", tag = "session",
    responses((status = 204, description = "Logged out; the cookie is cleared (with a bearer token: nothing to do)"), Errors))]
pub async fn logout(State(state): State<ApiState>, caller: Caller) -> Result<Response, ApiError> {
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(session) = &caller.session {
        match caller.tenant.delete_web_session(session.id).await {
            Ok(()) | Err(store::Error::NotFound(_)) => {}
            Err(error) => return Err(error.into()),
        }
        response
            .headers_mut()
            .insert(header::SET_COOKIE, cookie(&state, "", true)?);
    }
    Ok(response)
}

/// The page language to keep.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageBody {
    /// `en`, `fr`, or null for the browser's.
    #[schema(value_type = Option<String>, example = "fr")]
    language: Option<Language>,
}

#[utoipa::path(put, path = "/session/language", tag = "session",
    request_body = LanguageBody,
    responses((status = 200, description = "The user's page language is kept", body = SessionJson), Errors))]
pub async fn set_language(
    caller: Caller,
    body: Result<Json<LanguageBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body?;
    caller
        .tenant
        .set_user_language(caller.user_id, body.language)
        .await?;
    let mut answer = who(&caller).await?;
    answer.language = body.language.map(|l| l.as_str().to_owned());
    Ok(no_store(Json(answer).into_response()))
}
