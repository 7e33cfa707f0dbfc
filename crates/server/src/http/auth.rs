//! Who is calling: the bearer token is checked against the store, which also says the tenant
//! and the role; handlers take a [`Caller`] and ask it what the role allows.
//!
//! | may... | roles |
//! |---|---|
//! | read and set their own agent state, read queues | everyone |
//! | read calls and every agent | everyone but `agent` |
//! | set another agent's state | `team_leader`, `supervisor`, `manager`, `admin` |
//! | download recordings | `team_leader`, `supervisor`, `quality_analyst`, `manager`, `admin` |
//! | read and change flows, the tenant's settings, skills and queue routing | `admin` |

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use store::{Role, TenantStore, UserId};

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
}

impl Caller {
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

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

impl FromRequestParts<ApiState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        let owner = state
            .store
            .authenticate_token(token, crate::log::now_ms())
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let tenant = state.store.tenant(owner.tenant_id).await?;
        Ok(Caller {
            tenant,
            user_id: owner.user_id,
            username: owner.username,
            role: owner.role,
        })
    }
}
