//! The HTTP API (axum): `/api/v1` for tools and the future web UI, `/healthz` for load
//! balancers and `/metrics` for Prometheus.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /api/v1/calls?limit=&before=&mine=` | floor roles; agents with `mine=true` (their own) | interactions newest first, each with its CDR; `next_before` pages on |
//! | `GET /api/v1/calls/{id}` | floor roles | one interaction, its events, CDR and live per-leg RTP counters while up |
//! | `GET /api/v1/agents` | all (agents see themselves) | agents with live state |
//! | `POST /api/v1/calls/{id}/transfer` | the agent on the call, or managing roles | `{"to": {"agent": 1002}}` or `{"to": {"queue": "support"}}`: blind transfer; 202; audit-logged |
//! | `POST /api/v1/calls/{id}/consult` | as transfer | `{"to": {"agent": 1002}}`: hold the caller, ring that agent; 202; audit-logged |
//! | `POST /api/v1/calls/{id}/consult/complete`, `.../consult/cancel` | as transfer | the caller joins the consulted agent (attended transfer; 409 until answered), or is back with their agent; 202 |
//! | `POST`/`PUT`/`DELETE /api/v1/calls/{id}/monitor`, `POST .../takeover` | team leader, supervisor, manager, admin | `{"mode": "listen"\|"whisper"\|"barge"}`: ring the asker's phone and join the call as a third leg; switch mode; leave; take the call over from its agent; 202; audit-logged (`http/monitor.rs`) |
//! | `POST`/`DELETE /api/v1/calls/{id}/conference` | as transfer | `{"to": {"agent": 1003}}`: ring that agent and join them, everyone hearing everyone; let them go; 202; audit-logged (`http/monitor.rs`) |
//! | `GET /api/v1/audit?since_ms=&limit=` | manager, admin | the audit log, oldest first (`http/audit.rs`) |
//! | `PUT /api/v1/agents/{id}/state` | the agent, or managing roles | `{"state": "ready"\|"not_ready"\|"logged_out", "reason": "break"}` |
//! | `GET /api/v1/queues` | all | queues with live counts |
//! | `GET /api/v1/floor`, `/floor/intervals?interval=30` | floor roles | today's figures per queue, agent and interval with the live state; also pushed as `{"type":"floor"}` each second (`http/floor.rs`, [`crate::floor`]) |
//! | `GET /api/v1/flows`, `GET`/`PUT /api/v1/flows/{name}`, `POST /api/v1/flows/{name}/activate` | admin | IVR flows: list, YAML, save a new version and swap it in (422 with line/column when it does not load), roll back; audit-logged (`http/flows.rs`) |
//! | `GET`/`PUT /api/v1/tenant`, `/api/v1/agents/{id}/skills`, `/api/v1/queues/{name}/routing` | admin | time zone, skills, required skills and overflow; applied at once; audit-logged (`http/routing_admin.rs`) |
//! | `GET /api/v1/recordings/{interaction_id}` | listening roles | the WAV; audit-logged |
//! | `/api/v1/customers`, `/customers/lookup?number=`, `/customer-fields` | all (fields: admin writes) | customers, screen pop, custom fields (`http/customers.rs`) |
//! | `/api/v1/tickets...`, `/ticket-categories`, `/sla-policies`, `/business-calendar`, `/reports/fcr` | all (config: admin; report: floor roles) | tickets and their life cycle, SLA, FCR (`http/tickets.rs`, `http/sla.rs`, `http/reports.rs`) |
//! | `/api/v1/products`, `/tickets/{id}/orders`, `/orders/{id}` | all (catalog: admin writes) | catalog and orders (`http/orders.rs`) |
//! | `/api/v1/queues/{name}/dispositions`, `/dispositions/{id}`, `/calls/{id}/disposition` | all (codes: admin writes; a call's: its agent) | wrap-up codes (`http/dispositions.rs`) |
//! | `/api/v1/scripts...`, `/queues/{name}/script`, `/calls/{id}/script[/answer]` | admin; the call's agent | agent scripts (`http/scripts.rs`) |
//! | `/api/v1/kb...` | all (writes: admin, manager, supervisor) | knowledge base (`http/knowledge.rs`) |
//! | `POST`/`GET`/`DELETE /api/v1/session`, `PUT /api/v1/session/language` | anyone / the logged-in user | web login with the `plateau_session` cookie, who am I, log out, page language (`http/session.rs`) |
//! | `GET /api/v1/events` | all (agents: their own events) | the live-event WebSocket (`http/events.rs`) |
//! | `GET /api/v1/openapi.json` | anyone | the OpenAPI 3.1 document of every route here (`http/openapi.rs`) |
//! | `/`, `/agent`, `/supervisor`, `/wallboard`, `/tickets[/{id}]`, `/customers/{id}`, `/admin`, `/static/...` | browsers | the web pages and their assets, not API so not in the document (`http/pages.rs`) |
//! | `GET /healthz` | anyone | `ok`, or 503 while draining or when the store is unreachable |
//! | `GET /metrics` | anyone, or a floor role when `http.metrics_public = false` | Prometheus text |
//!
//! Roles are in [`auth`]. History is read from the store (scoped to the token's tenant by
//! [`store::TenantStore`]); live state is asked of the control plane ([`ControlHandle`]).
//! Rows of another tenant answer 404, like rows that do not exist. Times are given twice: RFC
//! 3339 in UTC (`created_at`) and unix milliseconds (`created_at_ms`). Errors are
//! `{"error": code, "message": text}` ([`error::ApiError`]).

mod agents;
mod audit;
pub mod auth;
mod calls;
mod consult;
mod customers;
mod dispositions;
pub mod error;
mod events;
mod floor;
mod flows;
mod health;
mod json;
mod knowledge;
mod monitor;
mod openapi;
mod orders;
pub mod pages;
mod pagination;
mod queues;
mod recordings;
mod reports;
mod routing_admin;
mod scripts;
mod session;
mod sla;
mod tickets;
mod transfer;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use axum::extract::DefaultBodyLimit;
use axum::{Extension, Router};
use store::Store;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
    /// The browser softphone gateway (`rtc_*`/`phone_*` frames of the events socket).
    pub webphone: crate::webphone::WebPhone,
    /// The live events (`/api/v1/events`), published by the log writer and the floor.
    pub hub: crate::events::Hub,
    /// Today's figures per tenant (`/api/v1/floor`).
    pub floor: crate::floor::Floor,
}

/// The API's routes over `state`, with the OpenAPI document at `/api/v1/openapi.json`.
pub fn router(state: ApiState) -> Router {
    let body_max = state.config.limits.http_body_max;
    let (router, document) = documented_routes().split_for_parts();
    router
        .fallback(pages::serve)
        .layer(Extension(openapi::Served::new(&document)))
        .layer(Extension(scripts::ScriptRuns::default()))
        .layer(Extension(session::LoginGuard::new(&state.config)))
        .layer(DefaultBodyLimit::max(body_max))
        .with_state(state)
}

/// The OpenAPI document of [`router`]'s routes.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    documented_routes().into_openapi()
}

/// Every route, each with its handler's `#[utoipa::path]`. Routes are only ever added here and
/// only through `routes!`, so none can be missing from the document.
fn documented_routes() -> OpenApiRouter<ApiState> {
    let api = OpenApiRouter::new()
        .routes(routes!(openapi::document))
        .routes(routes!(session::login, session::current, session::logout))
        .routes(routes!(session::set_language))
        .routes(routes!(events::socket))
        .routes(routes!(calls::list))
        .routes(routes!(calls::detail))
        .routes(routes!(transfer::transfer))
        .routes(routes!(consult::start))
        .routes(routes!(consult::complete))
        .routes(routes!(consult::cancel))
        .routes(routes!(monitor::start, monitor::switch, monitor::stop))
        .routes(routes!(monitor::take_over))
        .routes(routes!(monitor::conference, monitor::leave_conference))
        .routes(routes!(audit::list))
        .routes(routes!(agents::list))
        .routes(routes!(agents::set_state))
        .routes(routes!(queues::list))
        .routes(routes!(floor::floor))
        .routes(routes!(floor::intervals))
        .routes(routes!(flows::list))
        .routes(routes!(flows::source, flows::put))
        .routes(routes!(flows::activate))
        .routes(routes!(routing_admin::tenant, routing_admin::set_tenant))
        .routes(routes!(routing_admin::skills, routing_admin::set_skills))
        .routes(routes!(routing_admin::routing, routing_admin::set_routing))
        .routes(routes!(recordings::download))
        .routes(routes!(customers::list, customers::create))
        .routes(routes!(customers::lookup))
        .routes(routes!(customers::screen_pop))
        .routes(routes!(customers::detail, customers::update))
        .routes(routes!(customers::merge))
        .routes(routes!(customers::field_defs, customers::set_field_defs))
        .routes(routes!(tickets::list, tickets::create))
        .routes(routes!(tickets::detail))
        .routes(routes!(tickets::transition))
        .routes(routes!(tickets::escalate))
        .routes(routes!(tickets::assign))
        .routes(routes!(tickets::add_note))
        .routes(routes!(tickets::link_interaction))
        .routes(routes!(tickets::categories, tickets::create_category))
        .routes(routes!(sla::policies))
        .routes(routes!(sla::set_policy))
        .routes(routes!(sla::calendar, sla::set_calendar))
        .routes(routes!(reports::fcr))
        .routes(routes!(orders::products, orders::create_product))
        .routes(routes!(orders::update_product))
        .routes(routes!(orders::create))
        .routes(routes!(orders::detail))
        .routes(routes!(dispositions::list, dispositions::create))
        .routes(routes!(dispositions::update))
        .routes(routes!(dispositions::set_required))
        .routes(routes!(dispositions::give))
        .routes(routes!(scripts::list))
        .routes(routes!(scripts::versions, scripts::save))
        .routes(routes!(scripts::activate))
        .routes(routes!(scripts::link))
        .routes(routes!(scripts::current_page))
        .routes(routes!(scripts::answer))
        .routes(routes!(crate::webphone::api::config))
        .routes(routes!(crate::webphone::api::sessions))
        .routes(routes!(knowledge::list, knowledge::create))
        .routes(routes!(
            knowledge::detail,
            knowledge::update,
            knowledge::delete
        ));
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest("/api/v1", api)
        .routes(routes!(health::healthz))
        .routes(routes!(health::metrics))
}
