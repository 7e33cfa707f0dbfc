//! Who is calling: a bearer token (tools, scripts) or the `plateau_session` cookie of a web
//! login (`http/session.rs`); the store says the tenant and the role, and handlers take a
//! [`Caller`] and ask it what the role allows.
//!
//! With the cookie, requests other than `GET`, `HEAD` and `OPTIONS` must carry the session's
//! CSRF token in `X-CSRF-Token` (403 `{"error":"csrf"}` otherwise): a cookie is sent by the
//! browser whatever page makes the request, the token only by our pages. `SameSite=Strict`
//! already keeps it off other sites' requests; the token also covers old browsers and
//! same-site pages. A bearer token is never sent by a browser on its own, so it needs neither.
//!
//! | may... | roles |
//! |---|---|
//! | read and set their own agent state, read queues | everyone |
//! | read calls and every agent | everyone but `agent` |
//! | set another agent's state | `team_leader`, `supervisor`, `manager`, `admin` |
//! | download recordings | `team_leader`, `supervisor`, `quality_analyst`, `manager`, `admin` |
//! | read and change flows, the tenant's settings, skills and queue routing | `admin` |

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use store::{Role, TenantStore, UserId, WebSession};

use super::ApiState;
use super::error::ApiError;

/// The authenticated user of a request, with their tenant's repository.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Everything the handler reads goes through this: it is scoped to the token's tenant.
    pub tenant: TenantStore,
    /// The user.
    pub user_id: UserId,
    /// The user's username.
    pub username: String,
    /// The user's role.
    pub role: Role,
    /// The user's page language (`en`, `fr`), when logged in with a session that has one.
    pub language: Option<String>,
    /// The web session, when the request came with the session cookie (not a bearer token).
    pub session: Option<WebSession>,
}

impl Caller {
    /// Writes an audit entry of this user's action on `target` (`"interaction:42"`,
    /// `"agent:7"`, `"flow:main"`), before the action itself: no trace, no action.
    pub async fn audit(
        &self,
        action: &str,
        target: String,
        details: serde_json::Value,
    ) -> Result<(), ApiError> {
        self.tenant
            .audit(&store::NewAuditEntry {
                user_id: Some(self.user_id),
                action: action.to_owned(),
                target,
                at_ms: crate::log::now_ms(),
                details,
            })
            .await?;
        Ok(())
    }

    /// Reading the call history and every agent's state.
    pub fn may_read_floor(&self) -> bool {
        self.role != Role::Agent
    }

    /// Changing another agent's state.
    pub fn may_manage_agents(&self) -> bool {
        matches!(
            self.role,
            Role::TeamLeader | Role::Supervisor | Role::Manager | Role::Admin
        )
    }

    /// Administering the tenant: flows, time zone, skills, queue routing.
    pub fn may_administer(&self) -> bool {
        self.role == Role::Admin
    }

    /// Downloading recordings.
    pub fn may_listen(&self) -> bool {
        matches!(
            self.role,
            Role::TeamLeader
                | Role::Supervisor
                | Role::QualityAnalyst
                | Role::Manager
                | Role::Admin
        )
    }
}

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "plateau_session";

/// The header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// The value of the session cookie, if the request has one.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// Compares without stopping at the first difference, so timing does not reveal the token.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The idle timeout of sessions, in ms (at least a minute).
pub(crate) fn session_idle_ms(state: &ApiState) -> i64 {
    let idle = state
        .config
        .http
        .session_idle_timeout
        .as_millis()
        .max(60_000);
    i64::try_from(idle).unwrap_or(i64::MAX)
}

impl FromRequestParts<ApiState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        let now = crate::log::now_ms();
        if let Some(token) = bearer(parts) {
            let owner = state
                .store
                .authenticate_token(token, now)
                .await?
                .ok_or(ApiError::Unauthorized)?;
            let tenant = state.store.tenant(owner.tenant_id).await?;
            return Ok(Caller {
                tenant,
                user_id: owner.user_id,
                username: owner.username,
                role: owner.role,
                language: None,
                session: None,
            });
        }
        let secret = session_cookie(&parts.headers).ok_or(ApiError::Unauthorized)?;
        let session = state
            .store
            .web_session(secret, now, session_idle_ms(state))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("");
            if !same_secret(sent, &session.csrf_token) {
                return Err(ApiError::Csrf);
            }
        }
        let tenant = state.store.tenant(session.tenant_id).await?;
        Ok(Caller {
            tenant,
            user_id: session.user_id,
            username: session.username.clone(),
            role: session.role,
            language: session.language.map(|l| l.as_str().to_owned()),
            session: Some(session),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; b=2"));
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("x=y; plateau_session=abc ; z=1"),
        );
        assert_eq!(session_cookie(&headers), Some("abc"));
        let mut none = HeaderMap::new();
        none.append(header::COOKIE, HeaderValue::from_static("plateau_session="));
        assert_eq!(session_cookie(&none), None);
    }

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", "a"));
    }
}
