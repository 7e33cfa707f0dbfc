//! Agent scripts: versions saved by admins, followed by agents during a call.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /scripts` | admin | scripts with their active version |
//! | `GET /scripts/{name}` | admin | every version with its body |
//! | `PUT /scripts/{name}` | admin | `{"body": "<YAML or JSON>", "activate": true}`: checked by `crm::script`, saved as the next version (422 if it does not load) |
//! | `POST /scripts/{name}/activate` | admin | `{"version": n}` |
//! | `PUT /queues/{name}/script` | admin | `{"script": "welcome"}`: the queue's agents follow it |
//! | `GET /calls/{id}/script` | the call's agent, managing roles | the current page of the queue's active script, variables (`{customer.first_name}`, `{call.caller}`...) substituted |
//! | `POST /calls/{id}/script/answer` | as above | `{"key": "about_order", "value": "yes"}`: records the answer, saves it into the call's ticket field when the question says so, and moves on |
//!
//! A run lives in this server's memory from the first `GET` to its last page (a restart
//! starts it again from the first page); when it finishes, the path taken and the answers are
//! stored with the script's version, the contact and the ticket ("which answers lead to a
//! sale").

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Extension, Path};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use store::{InteractionId, NewScriptRun, Scope, TenantId, TicketId};
use utoipa::ToSchema;

use super::auth::Caller;
use super::calls::parse_id;
use super::error::ApiError;
use super::openapi::Errors;
use super::pagination;
use super::tickets::TimeJson;

/// Runs kept at most; the oldest is dropped past this (a call left without finishing).
const MAX_RUNS: usize = 10_000;

/// Largest script body taken.
const MAX_BODY: usize = 256 * 1024;

/// A run in progress.
#[derive(Debug)]
struct Running {
    script_id: store::ScriptId,
    version: i64,
    run: crm::ScriptRun,
    started: u64,
}

/// Script runs in progress, by call.
#[derive(Debug, Clone, Default)]
pub struct ScriptRuns {
    runs: Arc<Mutex<RunTable>>,
}

#[derive(Debug, Default)]
struct RunTable {
    by_call: HashMap<(TenantId, InteractionId), Running>,
    started: u64,
}

impl ScriptRuns {
    fn with<T>(&self, f: impl FnOnce(&mut RunTable) -> T) -> T {
        // A panic while holding the lock cannot leave a run half-changed in a way that
        // matters more than losing it: take the table as it is.
        let mut table = self.runs.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut table)
    }
}

fn admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.may_administer() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("administer scripts"))
    }
}

/// A script.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScriptJson {
    id: i64,
    name: String,
    active_version: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScriptList {
    scripts: Vec<ScriptJson>,
}

#[utoipa::path(get, path = "/scripts", tag = "scripts",
    responses((status = 200, description = "Scripts by name", body = ScriptList), Errors))]
pub async fn list(caller: Caller) -> Result<Json<ScriptList>, ApiError> {
    admin(&caller)?;
    let scripts = caller
        .tenant
        .scripts()
        .await?
        .into_iter()
        .map(|s| ScriptJson {
            id: s.id.0,
            name: s.name,
            active_version: s.active_version,
        })
        .collect();
    Ok(Json(ScriptList { scripts }))
}

/// One version of a script.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionJson {
    script_id: i64,
    name: String,
    version: i64,
    body: String,
    active: bool,
    created: TimeJson,
}

impl From<store::ScriptVersion> for VersionJson {
    fn from(v: store::ScriptVersion) -> Self {
        VersionJson {
            script_id: v.script_id.0,
            name: v.name,
            version: v.version,
            body: v.body,
            active: v.active,
            created: TimeJson::new(v.created_at_ms),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionList {
    versions: Vec<VersionJson>,
}

async fn script_by_name(caller: &Caller, name: &str) -> Result<store::Script, ApiError> {
    caller
        .tenant
        .scripts()
        .await?
        .into_iter()
        .find(|s| s.name == name)
        .ok_or(ApiError::NotFound("script"))
}

#[utoipa::path(get, path = "/scripts/{name}", tag = "scripts",
    params(("name" = String, Path, description = "The script's name")),
    responses((status = 200, description = "Every version, oldest first", body = VersionList), Errors))]
pub async fn versions(
    caller: Caller,
    name: Result<Path<String>, PathRejection>,
) -> Result<Json<VersionList>, ApiError> {
    admin(&caller)?;
    let Path(name) = name?;
    let script = script_by_name(&caller, &name).await?;
    let versions = caller
        .tenant
        .script_versions(script.id)
        .await?
        .into_iter()
        .map(VersionJson::from)
        .collect();
    Ok(Json(VersionList { versions }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    /// The script in YAML or JSON: `{"pages": [{"id", "text", "questions": [...], "next"}]}`.
    body: String,
    /// Make it the version agents follow (`true` by default).
    activate: Option<bool>,
}

fn load(body: &str) -> Result<crm::Script, ApiError> {
    crm::Script::from_yaml(body).map_err(|e| ApiError::Unprocessable {
        code: "invalid_script",
        message: e.to_string(),
        details: Map::new(),
    })
}

#[utoipa::path(put, path = "/scripts/{name}", tag = "scripts",
    params(("name" = String, Path, description = "The script's name")),
    request_body = SaveBody,
    responses((status = 200, description = "Saved as the next version", body = VersionJson), Errors))]
pub async fn save(
    caller: Caller,
    name: Result<Path<String>, PathRejection>,
    body: Result<Json<SaveBody>, JsonRejection>,
) -> Result<Json<VersionJson>, ApiError> {
    admin(&caller)?;
    let Path(name) = name?;
    let name = pagination::text("name", &name, 100)?;
    let Json(body) = body?;
    if body.body.len() > MAX_BODY {
        return Err(ApiError::PayloadTooLarge);
    }
    let text = body.body;
    tokio::task::spawn_blocking({
        let text = text.clone();
        move || load(&text).map(drop)
    })
    .await
    .map_err(|_| ApiError::Internal)??;
    let saved = caller
        .tenant
        .save_script(
            &name,
            &text,
            crate::log::now_ms(),
            body.activate.unwrap_or(true),
        )
        .await?;
    Ok(Json(saved.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateBody {
    version: i64,
}

#[utoipa::path(post, path = "/scripts/{name}/activate", tag = "scripts",
    params(("name" = String, Path, description = "The script's name")),
    request_body = ActivateBody,
    responses((status = 200, description = "That version is followed from now on", body = VersionJson), Errors))]
pub async fn activate(
    caller: Caller,
    name: Result<Path<String>, PathRejection>,
    body: Result<Json<ActivateBody>, JsonRejection>,
) -> Result<Json<VersionJson>, ApiError> {
    admin(&caller)?;
    let Path(name) = name?;
    let Json(body) = body?;
    let script = script_by_name(&caller, &name).await?;
    caller
        .tenant
        .activate_script_version(script.id, body.version)
        .await?;
    let version = caller
        .tenant
        .script_version(script.id, body.version)
        .await?
        .ok_or(ApiError::NotFound("script version"))?;
    Ok(Json(version.into()))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// The script's name.
    script: String,
}

#[utoipa::path(put, path = "/queues/{name}/script", tag = "scripts",
    params(("name" = String, Path, description = "The queue's name")),
    request_body = LinkBody,
    responses((status = 200, description = "The queue's agents follow it", body = LinkBody), Errors))]
pub async fn link(
    caller: Caller,
    name: Result<Path<String>, PathRejection>,
    body: Result<Json<LinkBody>, JsonRejection>,
) -> Result<Json<LinkBody>, ApiError> {
    admin(&caller)?;
    let Path(name) = name?;
    let Json(body) = body?;
    let queue = caller
        .tenant
        .queue_by_name(&name)
        .await?
        .ok_or(ApiError::NotFound("queue"))?;
    let script = script_by_name(&caller, &body.script).await?;
    caller
        .tenant
        .link_script(&Scope::Queue(queue.id), script.id)
        .await?;
    Ok(Json(body))
}

/// Where an agent is in the call's script.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunJson {
    script: String,
    version: i64,
    /// The page to show; `null` once the run is finished.
    #[schema(value_type = Option<Object>)]
    page: Option<Value>,
    /// Page ids visited, in order.
    path: Vec<String>,
    /// Answers given, in order.
    #[schema(value_type = Vec<Object>)]
    answers: Vec<Value>,
    finished: bool,
    /// The ticket answers are saved into, if the call has one.
    ticket_id: Option<i64>,
}

/// What a script page may say: the call, the agent and the customer found by the caller's
/// number (names, external id and each custom field).
async fn variables(
    caller: &Caller,
    interaction: &store::Interaction,
    queue: &str,
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut vars = BTreeMap::from([
        ("call.caller".to_owned(), interaction.caller.clone()),
        ("call.dialed".to_owned(), interaction.dialed.clone()),
        ("call.queue".to_owned(), queue.to_owned()),
        ("agent.username".to_owned(), caller.username.clone()),
    ]);
    let found = caller
        .tenant
        .customers_by_phone(&interaction.caller)
        .await?;
    if let [only] = found.as_slice()
        && let Some(customer) = caller.tenant.customer(only.id).await?
    {
        vars.insert(
            "customer.first_name".to_owned(),
            customer.first_name.clone(),
        );
        vars.insert("customer.last_name".to_owned(), customer.last_name.clone());
        if let Some(external) = &customer.external_id {
            vars.insert("customer.external_id".to_owned(), external.clone());
        }
        for (key, value) in &customer.fields {
            // Typed values are stored as {"type", "value"}.
            let shown = match value.get("value").unwrap_or(value) {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            vars.insert(format!("customer.{key}"), shown);
        }
    }
    Ok(vars)
}

/// The call, checked for the caller: its agent, or a managing role.
async fn call_of(
    caller: &Caller,
    id: Result<Path<String>, PathRejection>,
) -> Result<(store::Interaction, String), ApiError> {
    let Path(id) = id?;
    let id = parse_id(&id)?;
    let interaction = caller
        .tenant
        .interaction(id)
        .await?
        .ok_or(ApiError::NotFound("call"))?;
    let cdr = caller
        .tenant
        .cdr(id)
        .await?
        .ok_or(ApiError::NotFound("call"))?;
    if !caller.may_manage_agents() && cdr.agent.as_deref() != Some(caller.username.as_str()) {
        return Err(ApiError::NotFound("call"));
    }
    let queue = cdr
        .queue
        .ok_or(ApiError::NotFound("script for this call"))?;
    Ok((interaction, queue))
}

async fn active_script(
    caller: &Caller,
    queue: &str,
) -> Result<(store::ScriptVersion, crm::Script), ApiError> {
    let queue = caller
        .tenant
        .queue_by_name(queue)
        .await?
        .ok_or(ApiError::NotFound("script for this call"))?;
    let version = caller
        .tenant
        .script_for(&Scope::Queue(queue.id))
        .await?
        .ok_or(ApiError::NotFound("script for this call"))?;
    let body = version.body.clone();
    let script = tokio::task::spawn_blocking(move || load(&body))
        .await
        .map_err(|_| ApiError::Internal)??;
    Ok((version, script))
}

fn run_json(
    name: &str,
    version: i64,
    run: &crm::ScriptRun,
    vars: &BTreeMap<String, String>,
    ticket: Option<TicketId>,
) -> RunJson {
    let page = run.render(vars).map(|page| {
        serde_json::json!({
            "id": page.id,
            "text": page.text,
            "questions": page.questions,
        })
    });
    RunJson {
        script: name.to_owned(),
        version,
        page,
        path: run.path().to_vec(),
        answers: run
            .answers()
            .iter()
            .filter_map(|a| serde_json::to_value(a).ok())
            .collect(),
        finished: run.is_finished(),
        ticket_id: ticket.map(|t| t.0),
    }
}

async fn call_ticket(
    caller: &Caller,
    interaction: InteractionId,
) -> Result<Option<TicketId>, ApiError> {
    Ok(caller
        .tenant
        .interaction_tickets(interaction)
        .await?
        .last()
        .map(|t| t.id))
}

/// The run of this call, started on the script's first page if there is none (or if the
/// script's active version changed since).
fn current_run(
    runs: &ScriptRuns,
    key: (TenantId, InteractionId),
    version: &store::ScriptVersion,
    script: crm::Script,
) -> Result<(i64, crm::ScriptRun), ApiError> {
    runs.with(|table| {
        let fresh = table
            .by_call
            .get(&key)
            .is_none_or(|r| r.script_id != version.script_id || r.version != version.version);
        if fresh {
            if table.by_call.len() >= MAX_RUNS
                && let Some(oldest) = table
                    .by_call
                    .iter()
                    .min_by_key(|(_, r)| r.started)
                    .map(|(k, _)| *k)
            {
                table.by_call.remove(&oldest);
            }
            table.started += 1;
            let started = table.started;
            table.by_call.insert(
                key,
                Running {
                    script_id: version.script_id,
                    version: version.version,
                    run: crm::ScriptRun::start(Arc::new(script)),
                    started,
                },
            );
        }
        table
            .by_call
            .get(&key)
            .map(|running| (running.version, running.run.clone()))
    })
    .ok_or(ApiError::Internal)
}

#[utoipa::path(get, path = "/calls/{id}/script", tag = "scripts",
    params(("id" = String, Path, description = "The interaction id")),
    responses((status = 200, description = "The current page of the call's script", body = RunJson), Errors))]
pub async fn current_page(
    caller: Caller,
    Extension(runs): Extension<ScriptRuns>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<RunJson>, ApiError> {
    let (interaction, queue) = call_of(&caller, id).await?;
    let (version, script) = active_script(&caller, &queue).await?;
    let key = (caller.tenant.id(), interaction.id);
    let (number, run) = current_run(&runs, key, &version, script)?;
    let vars = variables(&caller, &interaction, &queue).await?;
    let ticket = call_ticket(&caller, interaction.id).await?;
    Ok(Json(run_json(&version.name, number, &run, &vars, ticket)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// The question's key, on the current page.
    key: String,
    /// The answer: an option's value, text, a number, or yes/no.
    value: String,
}

#[utoipa::path(post, path = "/calls/{id}/script/answer", tag = "scripts",
    params(("id" = String, Path, description = "The interaction id")),
    request_body = AnswerBody,
    responses((status = 200, description = "The run after the answer", body = RunJson), Errors))]
pub async fn answer(
    caller: Caller,
    Extension(runs): Extension<ScriptRuns>,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<AnswerBody>, JsonRejection>,
) -> Result<Json<RunJson>, ApiError> {
    let Json(body) = body?;
    if body.key.len() > 200 || body.value.len() > 4 * crm::script::MAX_TEXT_ANSWER {
        return Err(ApiError::BadRequest("key or value too long".to_owned()));
    }
    let (interaction, queue) = call_of(&caller, id).await?;
    let (version, script) = active_script(&caller, &queue).await?;
    let key = (caller.tenant.id(), interaction.id);
    current_run(&runs, key, &version, script)?;
    let answered = runs.with(|table| {
        let running = table.by_call.get_mut(&key).ok_or(ApiError::Conflict(
            "the run was dropped; read the page again".to_owned(),
        ))?;
        running
            .run
            .answer(&body.key, &body.value)
            .map_err(|e| ApiError::Unprocessable {
                code: "invalid_answer",
                message: e.to_string(),
                details: Map::new(),
            })?;
        let run = running.run.clone();
        if run.is_finished() {
            table.by_call.remove(&key);
        }
        Ok::<_, ApiError>(run)
    })?;
    let ticket = call_ticket(&caller, interaction.id).await?;
    let now = crate::log::now_ms();
    let latest = answered.answers().last();
    if let (Some(ticket), Some(answer)) = (ticket, latest)
        && let Some(field) = &answer.saves_to
    {
        let fields = Map::from_iter([(
            field.as_str().to_owned(),
            Value::String(answer.value.to_text()),
        )]);
        caller
            .tenant
            .set_ticket_fields(ticket, &fields, Some(caller.user_id), now)
            .await?;
    }
    if answered.is_finished() {
        caller
            .tenant
            .save_script_run(&NewScriptRun {
                script_id: version.script_id,
                version: version.version,
                interaction_id: Some(interaction.id),
                ticket_id: ticket,
                user_id: Some(caller.user_id),
                path: serde_json::to_value(answered.path()).map_err(|_| ApiError::Internal)?,
                answers: serde_json::to_value(answered.answers())
                    .map_err(|_| ApiError::Internal)?,
                at_ms: now,
            })
            .await?;
    }
    let vars = variables(&caller, &interaction, &queue).await?;
    Ok(Json(run_json(
        &version.name,
        version.version,
        &answered,
        &vars,
        ticket,
    )))
}
