//! The admin side of routing: the tenant's time zone (business hours and calendars are read
//! in it), agents' skills, queues' required skills and overflow.
//!
//! | route | body |
//! |---|---|
//! | `GET`/`PUT /tenant` | `{"time_zone": "Europe/Paris"}` (an IANA name the bundled database knows) |
//! | `GET`/`PUT /agents/{id}/skills` | `{"language:fr": 8, "product:billing": 3}` (levels 1–10; the whole set is replaced) |
//! | `GET`/`PUT /queues/{name}/routing` | `{"required_skills": {"language:fr": 5}, "overflow": {"to": "support", "after_secs": 45}}` (`overflow` may be `null`) |
//!
//! Admin role only, scoped to the token's tenant (another tenant's agent or queue is "not
//! found"); every change is written to the audit log (`tenant.time_zone`, `agent.skills`,
//! `queue.routing`) and then handed to the switchboard at once
//! ([`crate::control::Command::Reload`]): the next call sees it. An agent's new skills reach
//! the `acd` when the agent is logged out (the engine swaps skills only then); a logged-in
//! agent keeps routing on the old ones until they log out. Values out of range are answered
//! 422 with the rule broken.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::routing::{MAX_SKILL_LEVEL, MIN_SKILL_LEVEL};
use store::{QueueOverflow, QueueRouting, SkillLevels, UserId};
use utoipa::ToSchema;

use super::ApiState;
use super::auth::Caller;
use super::error::ApiError;
use super::flows::apply;
use super::openapi::Errors;

/// Longest skill name taken.
const MAX_SKILL_NAME: usize = 64;

/// Most skills one agent or queue may have.
const MAX_SKILLS: usize = 100;

fn admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.may_administer() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("administer routing"))
    }
}

fn unprocessable(code: &'static str, message: String) -> ApiError {
    ApiError::Unprocessable {
        code,
        message,
        details: serde_json::Map::new(),
    }
}

#[derive(Debug, Serialize)]
pub struct TenantJson {
    id: store::TenantId,
    name: String,
    slug: String,
    time_zone: String,
}

impl From<store::Tenant> for TenantJson {
    fn from(t: store::Tenant) -> Self {
        TenantJson {
            id: t.id,
            name: t.name,
            slug: t.slug,
            time_zone: t.time_zone,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantBody {
    time_zone: String,
}

async fn tenant_row(state: &ApiState, caller: &Caller) -> Result<store::Tenant, ApiError> {
    state
        .store
        .tenants()
        .await?
        .into_iter()
        .find(|t| t.id == caller.tenant.id())
        .ok_or(ApiError::NotFound("tenant"))
}

#[utoipa::path(get, path = "/tenant", tag = "admin",
    responses((status = 200, description = "The tenant's settings", body = serde_json::Value), Errors))]
pub async fn tenant(
    State(state): State<ApiState>,
    caller: Caller,
) -> Result<Json<TenantJson>, ApiError> {
    admin(&caller)?;
    Ok(Json(tenant_row(&state, &caller).await?.into()))
}

#[utoipa::path(put, path = "/tenant", tag = "admin", request_body = TenantBody,
    responses((status = 200, description = "The tenant's settings", body = serde_json::Value), Errors))]
pub async fn set_tenant(
    State(state): State<ApiState>,
    caller: Caller,
    body: Result<Json<TenantBody>, JsonRejection>,
) -> Result<Json<TenantJson>, ApiError> {
    admin(&caller)?;
    let Json(body) = body?;
    let zone = body.time_zone.trim();
    if zone.len() > 64 || jiff::tz::TimeZone::get(zone).is_err() {
        return Err(unprocessable(
            "invalid_time_zone",
            format!("{zone:?} is not an IANA time zone (such as Europe/Paris)"),
        ));
    }
    let before = tenant_row(&state, &caller).await?;
    let after = state
        .store
        .set_tenant_time_zone(caller.tenant.id(), zone)
        .await?;
    caller
        .audit(
            "tenant.time_zone",
            format!("tenant:{}", after.slug),
            json!({ "from": before.time_zone, "to": after.time_zone }),
        )
        .await?;
    apply(&state).await;
    Ok(Json(after.into()))
}

/// Skill names and levels as sent; checked by [`check_skills`].
type SkillsBody = BTreeMap<String, i64>;

fn check_skills(skills: SkillsBody) -> Result<SkillLevels, ApiError> {
    if skills.len() > MAX_SKILLS {
        return Err(unprocessable(
            "invalid_skills",
            format!("at most {MAX_SKILLS} skills"),
        ));
    }
    skills
        .into_iter()
        .map(|(name, level)| {
            let name_fine = !name.trim().is_empty()
                && name.len() <= MAX_SKILL_NAME
                && !name.chars().any(char::is_control);
            if !name_fine {
                return Err(unprocessable(
                    "invalid_skills",
                    format!("a skill name is 1 to {MAX_SKILL_NAME} printable characters"),
                ));
            }
            let level = u8::try_from(level)
                .ok()
                .filter(|l| (MIN_SKILL_LEVEL..=MAX_SKILL_LEVEL).contains(l))
                .ok_or_else(|| {
                    unprocessable(
                        "invalid_skills",
                        format!(
                            "{name}: level {level} is not {MIN_SKILL_LEVEL} to {MAX_SKILL_LEVEL}"
                        ),
                    )
                })?;
            Ok((name, level))
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct SkillsJson {
    agent: UserId,
    skills: SkillLevels,
}

async fn tenant_user(caller: &Caller, id: i64) -> Result<UserId, ApiError> {
    let user = caller
        .tenant
        .user(UserId(id))
        .await?
        .ok_or(ApiError::NotFound("agent"))?;
    Ok(user.id)
}

#[utoipa::path(get, path = "/agents/{id}/skills", tag = "admin",
    params(("id" = i64, Path, description = "The agent's user id")),
    responses((status = 200, description = "The agent's skills", body = serde_json::Value), Errors))]
pub async fn skills(
    State(_state): State<ApiState>,
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<SkillsJson>, ApiError> {
    admin(&caller)?;
    let Path(id) = id?;
    let agent = tenant_user(&caller, id).await?;
    let skills = caller.tenant.user_skills(agent).await?;
    Ok(Json(SkillsJson { agent, skills }))
}

#[utoipa::path(put, path = "/agents/{id}/skills", tag = "admin",
    params(("id" = i64, Path, description = "The agent's user id")),
    request_body(content = std::collections::BTreeMap<String, i64>, description = "Skill names and levels 1 to 10"),
    responses((status = 200, description = "The agent's skills", body = serde_json::Value), Errors))]
pub async fn set_skills(
    State(state): State<ApiState>,
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<SkillsBody>, JsonRejection>,
) -> Result<Json<SkillsJson>, ApiError> {
    admin(&caller)?;
    let Path(id) = id?;
    let agent = tenant_user(&caller, id).await?;
    let Json(body) = body?;
    let skills = check_skills(body)?;
    caller.tenant.set_user_skills(agent, &skills).await?;
    caller
        .audit(
            "agent.skills",
            format!("user:{}", agent.0),
            json!({ "skills": skills }),
        )
        .await?;
    apply(&state).await;
    Ok(Json(SkillsJson { agent, skills }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverflowJson {
    /// The queue's name.
    to: String,
    after_secs: u32,
}

#[derive(Debug, Serialize)]
pub struct RoutingJson {
    queue: String,
    required_skills: SkillLevels,
    overflow: Option<OverflowJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingBody {
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, i64>)]
    required_skills: SkillsBody,
    #[serde(default)]
    overflow: Option<OverflowJson>,
}

async fn routing_json(caller: &Caller, queue: store::Queue) -> Result<Json<RoutingJson>, ApiError> {
    let routing = caller.tenant.queue_routing(queue.id).await?;
    let overflow = match routing.overflow {
        Some(o) => {
            let to = caller
                .tenant
                .queue(o.to)
                .await?
                .map_or_else(|| o.to.0.to_string(), |q| q.name);
            Some(OverflowJson {
                to,
                after_secs: o.after_secs,
            })
        }
        None => None,
    };
    Ok(Json(RoutingJson {
        queue: queue.name,
        required_skills: routing.required_skills,
        overflow,
    }))
}

async fn tenant_queue(caller: &Caller, name: &str) -> Result<store::Queue, ApiError> {
    caller
        .tenant
        .queue_by_name(name)
        .await?
        .ok_or(ApiError::NotFound("queue"))
}

#[utoipa::path(get, path = "/queues/{name}/routing", tag = "admin",
    params(("name" = String, Path, description = "The queue's name")),
    responses((status = 200, description = "Required skills and overflow", body = serde_json::Value), Errors))]
pub async fn routing(
    State(_state): State<ApiState>,
    caller: Caller,
    name: Result<Path<String>, PathRejection>,
) -> Result<Json<RoutingJson>, ApiError> {
    admin(&caller)?;
    let Path(name) = name?;
    let queue = tenant_queue(&caller, &name).await?;
    routing_json(&caller, queue).await
}

#[utoipa::path(put, path = "/queues/{name}/routing", tag = "admin",
    params(("name" = String, Path, description = "The queue's name")),
    request_body = RoutingBody,
    responses((status = 200, description = "Required skills and overflow", body = serde_json::Value), Errors))]
pub async fn set_routing(
    State(state): State<ApiState>,
    caller: Caller,
    name: Result<Path<String>, PathRejection>,
    body: Result<Json<RoutingBody>, JsonRejection>,
) -> Result<Json<RoutingJson>, ApiError> {
    admin(&caller)?;
    let Path(name) = name?;
    let queue = tenant_queue(&caller, &name).await?;
    let Json(body) = body?;
    let required_skills = check_skills(body.required_skills)?;
    let overflow = match &body.overflow {
        None => None,
        Some(o) => {
            let to = caller.tenant.queue_by_name(&o.to).await?.ok_or_else(|| {
                unprocessable("invalid_overflow", format!("no queue named {:?}", o.to))
            })?;
            if to.id == queue.id {
                return Err(unprocessable(
                    "invalid_overflow",
                    "a queue cannot overflow into itself".to_owned(),
                ));
            }
            if o.after_secs == 0 {
                return Err(unprocessable(
                    "invalid_overflow",
                    "after_secs must be more than 0".to_owned(),
                ));
            }
            Some(QueueOverflow {
                to: to.id,
                after_secs: o.after_secs,
            })
        }
    };
    let routing = QueueRouting {
        required_skills,
        overflow,
    };
    caller.tenant.set_queue_routing(queue.id, &routing).await?;
    caller
        .audit(
            "queue.routing",
            format!("queue:{}", queue.name),
            json!({ "required_skills": routing.required_skills, "overflow": body.overflow }),
        )
        .await?;
    apply(&state).await;
    routing_json(&caller, queue).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skill_levels_outside_one_to_ten_are_refused() {
        let ok: SkillsBody = [("language:fr".to_owned(), 8)].into();
        assert_eq!(check_skills(ok).unwrap().get("language:fr"), Some(&8));
        for level in [0, 11, -3, 300] {
            let bad: SkillsBody = [("language:fr".to_owned(), level)].into();
            assert!(check_skills(bad).is_err(), "level {level}");
        }
        let unnamed: SkillsBody = [(" ".to_owned(), 5)].into();
        assert!(check_skills(unnamed).is_err());
    }
}
