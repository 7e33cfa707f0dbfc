//! `/api/v1/tickets`: customer requests from first contact to resolution.
//!
//! | route | what |
//! |---|---|
//! | `GET /tickets?state=open,escalated&tier=&assignee=&team=&customer=&category=&priority=&breached=&q=&before=&limit=` | newest first, `next` pages on; `q` searches subjects and notes (best match first, one page) |
//! | `POST /tickets` | create (201), or attach the contact to the customer's open ticket on the same subject (200) |
//! | `GET /tickets/{id}` | the ticket with its history, contacts and orders |
//! | `POST /tickets/{id}/transitions` | `{"action": "open"\|"reply_to_customer"\|"wait_for_customer"\|"customer_replied"\|"resolve"\|"close"\|"reopen"}` |
//! | `POST /tickets/{id}/escalate` | `{"tier": 2, "reason": "..."}` |
//! | `PUT /tickets/{id}/assignee` | `{"user_id": 7}`, `{"team": "billing"}` or `{}` (nobody) |
//! | `POST /tickets/{id}/notes` | `{"visibility": "internal"\|"customer", "text": "..."}` |
//! | `POST /tickets/{id}/interactions` | `{"interaction_id": "..."}`: attach a contact |
//! | `GET`/`POST /ticket-categories` | categories (creating one is for admins) |
//!
//! Every change is decided by `crm::ticket::apply` from the state the caller read (or the
//! `expected_state` it sends) and written by the store with an optimistic check: if another
//! agent moved the ticket first the answer is 409 and nothing changes. A move the life cycle
//! refuses (closing a new ticket) is 409 too; a tier that is not higher is 422. SLA due times
//! are recomputed after every change ([`super::sla`]). Every role of the tenant works tickets.

use std::collections::HashSet;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use store::{
    Assignee, CustomerId, NewTicket, NoteVisibility, Priority, Ticket, TicketCategoryId,
    TicketChange, TicketEvent, TicketId, TicketQuery, TicketState, UserId,
};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::calls::parse_id;
use super::error::ApiError;
use super::json::rfc3339;
use super::openapi::Errors;
use super::orders::OrderJson;
use super::pagination;
use super::sla;

/// Longest subject, reason, team name and category name taken.
const MAX_SUBJECT: usize = 500;
const MAX_REASON: usize = 500;
const MAX_NAME: usize = 200;
const MAX_NOTE: usize = 20_000;

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StateName {
    New,
    Open,
    PendingCustomer,
    Escalated,
    Resolved,
    Closed,
    Reopened,
}

impl From<TicketState> for StateName {
    fn from(state: TicketState) -> Self {
        match state {
            TicketState::New => StateName::New,
            TicketState::Open => StateName::Open,
            TicketState::PendingCustomer => StateName::PendingCustomer,
            TicketState::Escalated => StateName::Escalated,
            TicketState::Resolved => StateName::Resolved,
            TicketState::Closed => StateName::Closed,
            TicketState::Reopened => StateName::Reopened,
        }
    }
}

impl From<StateName> for TicketState {
    fn from(state: StateName) -> Self {
        match state {
            StateName::New => TicketState::New,
            StateName::Open => TicketState::Open,
            StateName::PendingCustomer => TicketState::PendingCustomer,
            StateName::Escalated => TicketState::Escalated,
            StateName::Resolved => TicketState::Resolved,
            StateName::Closed => TicketState::Closed,
            StateName::Reopened => TicketState::Reopened,
        }
    }
}

/// The `crm` crate's name for a stored state.
pub(super) fn crm_state(state: TicketState) -> crm::TicketState {
    match state {
        TicketState::New => crm::TicketState::New,
        TicketState::Open => crm::TicketState::Open,
        TicketState::PendingCustomer => crm::TicketState::PendingCustomer,
        TicketState::Escalated => crm::TicketState::Escalated,
        TicketState::Resolved => crm::TicketState::Resolved,
        TicketState::Closed => crm::TicketState::Closed,
        TicketState::Reopened => crm::TicketState::Reopened,
    }
}

fn store_state(state: crm::TicketState) -> TicketState {
    match state {
        crm::TicketState::New => TicketState::New,
        crm::TicketState::Open => TicketState::Open,
        crm::TicketState::PendingCustomer => TicketState::PendingCustomer,
        crm::TicketState::Escalated => TicketState::Escalated,
        crm::TicketState::Resolved => TicketState::Resolved,
        crm::TicketState::Closed => TicketState::Closed,
        crm::TicketState::Reopened => TicketState::Reopened,
    }
}

/// How urgent a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorityName {
    Low,
    Normal,
    High,
    Urgent,
}

impl From<Priority> for PriorityName {
    fn from(priority: Priority) -> Self {
        match priority {
            Priority::Low => PriorityName::Low,
            Priority::Normal => PriorityName::Normal,
            Priority::High => PriorityName::High,
            Priority::Urgent => PriorityName::Urgent,
        }
    }
}

impl From<PriorityName> for Priority {
    fn from(priority: PriorityName) -> Self {
        match priority {
            PriorityName::Low => Priority::Low,
            PriorityName::Normal => Priority::Normal,
            PriorityName::High => Priority::High,
            PriorityName::Urgent => Priority::Urgent,
        }
    }
}

/// A time as the API writes it: RFC 3339 (UTC) and unix milliseconds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimeJson {
    /// `2026-11-25T12:34:56.789Z`.
    at: String,
    /// Unix milliseconds.
    at_ms: i64,
}

impl TimeJson {
    pub(super) fn new(ms: i64) -> Self {
        TimeJson {
            at: rfc3339(ms),
            at_ms: ms,
        }
    }

    pub(super) fn opt(ms: Option<i64>) -> Option<Self> {
        ms.map(TimeJson::new)
    }
}

/// A ticket's service-level clocks.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaJson {
    /// When the first response is due (`null`: no policy for the priority).
    first_response_due: Option<TimeJson>,
    /// When the resolution is due (`null`: no policy, or paused while pending the customer).
    resolution_due: Option<TimeJson>,
    first_responded: Option<TimeJson>,
    first_response_breached: Option<TimeJson>,
    resolution_breached: Option<TimeJson>,
    /// Whether a target was missed.
    breached: bool,
}

/// A ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketJson {
    id: i64,
    customer_id: Option<i64>,
    subject: String,
    category_id: Option<i64>,
    state: StateName,
    priority: PriorityName,
    /// Support tier, 1 to 3.
    tier: u8,
    assigned_user_id: Option<i64>,
    assigned_team: Option<String>,
    /// Ticket fields (script answers land here).
    #[schema(value_type = Object)]
    fields: Map<String, Value>,
    sla: SlaJson,
    resolved: Option<TimeJson>,
    created_at: String,
    created_at_ms: i64,
    updated_at: String,
    updated_at_ms: i64,
}

impl From<&Ticket> for TicketJson {
    fn from(t: &Ticket) -> Self {
        TicketJson {
            id: t.id.0,
            customer_id: t.customer_id.map(|c| c.0),
            subject: t.subject.clone(),
            category_id: t.category_id.map(|c| c.0),
            state: t.state.into(),
            priority: t.priority.into(),
            tier: t.tier,
            assigned_user_id: t.assigned_user_id.map(|u| u.0),
            assigned_team: t.assigned_team.clone(),
            fields: t.fields.clone(),
            sla: SlaJson {
                first_response_due: TimeJson::opt(t.first_response_due_ms),
                resolution_due: TimeJson::opt(t.resolution_due_ms),
                first_responded: TimeJson::opt(t.first_responded_at_ms),
                first_response_breached: TimeJson::opt(t.first_response_breached_at_ms),
                resolution_breached: TimeJson::opt(t.resolution_breached_at_ms),
                breached: t.breached(),
            },
            resolved: TimeJson::opt(t.resolved_at_ms),
            created_at: rfc3339(t.created_at_ms),
            created_at_ms: t.created_at_ms,
            updated_at: rfc3339(t.updated_at_ms),
            updated_at_ms: t.updated_at_ms,
        }
    }
}

/// One page of tickets.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    tickets: Vec<TicketJson>,
    /// Pass as `before` for the next page; `null` on the last page (and for searches).
    next: Option<i64>,
}

/// An entry of a ticket's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketEventJson {
    /// Its number in the ticket's history, from 1.
    seq: i64,
    at: String,
    at_ms: i64,
    /// Who did it (`null`: the system).
    user_id: Option<i64>,
    /// `created`, `state_changed`, `escalated`, `assigned`, `priority_changed`, `note`,
    /// `fields_set`, `contact_linked`, `first_response`, `sla_breached`.
    kind: String,
    /// The rest of the event (`{"from", "to", "reason"}` for a state change...).
    #[schema(value_type = Object)]
    data: Map<String, Value>,
}

impl From<&TicketEvent> for TicketEventJson {
    fn from(event: &TicketEvent) -> Self {
        let mut data = match serde_json::to_value(&event.data) {
            Ok(Value::Object(object)) => object,
            _ => Map::new(),
        };
        let kind = match data.remove("kind") {
            Some(Value::String(kind)) => kind,
            _ => String::new(),
        };
        TicketEventJson {
            seq: event.seq,
            at: rfc3339(event.at_ms),
            at_ms: event.at_ms,
            user_id: event.user_id.map(|u| u.0),
            kind,
            data,
        }
    }
}

/// A contact attached to a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactJson {
    interaction_id: String,
    started_at: String,
    started_at_ms: i64,
    linked_at_ms: i64,
}

/// A ticket with everything attached to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetailJson {
    ticket: TicketJson,
    /// Oldest first.
    events: Vec<TicketEventJson>,
    contacts: Vec<ContactJson>,
    orders: Vec<OrderJson>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// States, comma-separated (`open,escalated`).
    state: Option<String>,
    /// Support tier, 1 to 3.
    tier: Option<u8>,
    /// Assigned to this agent (user id).
    assignee: Option<i64>,
    /// Assigned to this team.
    team: Option<String>,
    /// Of this customer (and the duplicates merged into it).
    customer: Option<i64>,
    category: Option<i64>,
    priority: Option<PriorityName>,
    /// Only breached (`true`) or only on time (`false`).
    breached: Option<bool>,
    /// Words searched in subjects and notes.
    q: Option<String>,
    /// The previous page's `next`.
    before: Option<i64>,
    /// 1 to 500 (100 with `q`); 50 by default.
    limit: Option<u32>,
}

fn parse_states(text: &str) -> Result<Vec<TicketState>, ApiError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<TicketState>().map_err(|_| {
                ApiError::BadRequest(format!(
                    "unknown state {:?}: new, open, pending_customer, escalated, resolved, \
                     closed or reopened",
                    s.chars().take(32).collect::<String>()
                ))
            })
        })
        .collect()
}

fn check_tier(tier: u8) -> Result<u8, ApiError> {
    if store::ticket::TIERS.contains(&tier) {
        Ok(tier)
    } else {
        Err(ApiError::BadRequest("tier must be 1, 2 or 3".to_owned()))
    }
}

fn ticket_id(id: Result<Path<i64>, PathRejection>) -> Result<TicketId, ApiError> {
    let Path(id) = id?;
    Ok(TicketId(id))
}

/// The ticket, or 404.
pub(super) async fn find(caller: &Caller, id: TicketId) -> Result<Ticket, ApiError> {
    caller
        .tenant
        .ticket(id)
        .await?
        .ok_or(ApiError::NotFound("ticket"))
}

fn matches(ticket: &Ticket, query: &TicketQuery) -> bool {
    (query.states.is_empty() || query.states.contains(&ticket.state))
        && query.tier.is_none_or(|t| t == ticket.tier)
        && query
            .assigned_user_id
            .is_none_or(|u| Some(u) == ticket.assigned_user_id)
        && query
            .assigned_team
            .as_ref()
            .is_none_or(|t| Some(t) == ticket.assigned_team.as_ref())
        && query
            .category_id
            .is_none_or(|c| Some(c) == ticket.category_id)
        && query.priority.is_none_or(|p| p == ticket.priority)
        && query.breached.is_none_or(|b| b == ticket.breached())
}

#[utoipa::path(get, path = "/tickets", tag = "tickets", params(ListQuery),
    responses((status = 200, description = "Tickets newest first", body = TicketList), Errors))]
pub async fn list(
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<TicketList>, ApiError> {
    let Query(query) = query?;
    let searching = query.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let limit = pagination::limit(query.limit, if searching { 100 } else { 500 })?;
    let filter = TicketQuery {
        states: query
            .state
            .as_deref()
            .map(parse_states)
            .transpose()?
            .unwrap_or_default(),
        tier: query.tier.map(check_tier).transpose()?,
        assigned_user_id: query.assignee.map(UserId),
        assigned_team: query.team.clone(),
        customer_id: query.customer.map(CustomerId),
        category_id: query.category.map(TicketCategoryId),
        priority: query.priority.map(Priority::from),
        breached: query.breached,
        before: query.before.map(TicketId),
        limit,
    };
    if let Some(q) = query.q.as_deref().filter(|_| searching) {
        if q.len() > 200 {
            return Err(ApiError::BadRequest("q is at most 200 bytes".to_owned()));
        }
        let found = caller.tenant.search_tickets(q, limit).await?;
        // A customer filter counts the duplicates merged into the customer.
        let customers: Option<HashSet<CustomerId>> = match filter.customer_id {
            Some(customer) => {
                let mut ids = HashSet::from([customer]);
                if let Some(c) = caller.tenant.customer(customer).await? {
                    ids.extend(c.merged);
                }
                Some(ids)
            }
            None => None,
        };
        let tickets = found
            .iter()
            .filter(|t| matches(t, &filter))
            .filter(|t| filter.before.is_none_or(|b| t.id < b))
            .filter(|t| {
                customers
                    .as_ref()
                    .is_none_or(|ids| t.customer_id.is_some_and(|c| ids.contains(&c)))
            })
            .map(TicketJson::from)
            .collect();
        return Ok(Json(TicketList {
            tickets,
            next: None,
        }));
    }
    let page = caller.tenant.tickets(&filter).await?;
    Ok(Json(TicketList {
        tickets: page.tickets.iter().map(TicketJson::from).collect(),
        next: page.next.map(|t| t.0),
    }))
}

#[utoipa::path(get, path = "/tickets/{id}", tag = "tickets",
    params(("id" = i64, Path, description = "The ticket id")),
    responses((status = 200, description = "The ticket with its history, contacts and orders", body = TicketDetailJson), Errors))]
pub async fn detail(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<TicketDetailJson>, ApiError> {
    let id = ticket_id(id)?;
    let detail = caller
        .tenant
        .ticket_detail(id)
        .await?
        .ok_or(ApiError::NotFound("ticket"))?;
    Ok(Json(TicketDetailJson {
        ticket: TicketJson::from(&detail.ticket),
        events: detail.events.iter().map(TicketEventJson::from).collect(),
        contacts: detail
            .contacts
            .iter()
            .map(|c| ContactJson {
                interaction_id: c.interaction_id.to_string(),
                started_at: rfc3339(c.started_at_ms),
                started_at_ms: c.started_at_ms,
                linked_at_ms: c.linked_at_ms,
            })
            .collect(),
        orders: detail.orders.iter().map(OrderJson::from).collect(),
    }))
}

/// A ticket to open.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicketBody {
    /// 1 to 500 characters.
    subject: String,
    customer_id: Option<i64>,
    category_id: Option<i64>,
    /// `normal` by default.
    priority: Option<PriorityName>,
    /// 1 by default.
    tier: Option<u8>,
    assigned_user_id: Option<i64>,
    assigned_team: Option<String>,
    #[schema(value_type = Option<Object>)]
    fields: Option<Map<String, Value>>,
    /// The contact that opens it (32 hex digits).
    interaction_id: Option<String>,
    /// With a customer: attach to their open ticket on the same subject instead of opening
    /// another (`true` by default).
    attach_to_open: Option<bool>,
}

async fn check_user(caller: &Caller, id: i64) -> Result<UserId, ApiError> {
    caller
        .tenant
        .user(UserId(id))
        .await?
        .map(|u| u.id)
        .ok_or_else(|| unknown("user_id", "no such user"))
}

pub(super) fn unknown(code_field: &str, why: &str) -> ApiError {
    ApiError::Unprocessable {
        code: "unknown_reference",
        message: format!("{code_field}: {why}"),
        details: Map::new(),
    }
}

#[utoipa::path(post, path = "/tickets", tag = "tickets", request_body = NewTicketBody,
    responses((status = 201, description = "Opened", body = TicketJson),
              (status = 200, description = "Attached to the customer's open ticket on that subject", body = TicketJson), Errors))]
pub async fn create(
    caller: Caller,
    body: Result<Json<NewTicketBody>, JsonRejection>,
) -> Result<(StatusCode, Json<TicketJson>), ApiError> {
    let Json(body) = body?;
    let subject = pagination::text("subject", &body.subject, MAX_SUBJECT)?;
    let tier = check_tier(body.tier.unwrap_or(1))?;
    let customer = match body.customer_id {
        Some(id) => Some(
            caller
                .tenant
                .customer(CustomerId(id))
                .await?
                .ok_or_else(|| unknown("customer_id", "no such customer"))?
                .id,
        ),
        None => None,
    };
    let interaction = match body.interaction_id.as_deref() {
        Some(text) => {
            let id = parse_id(text)?;
            caller
                .tenant
                .interaction(id)
                .await?
                .ok_or_else(|| unknown("interaction_id", "no such contact"))?;
            Some(id)
        }
        None => None,
    };
    let assigned_user_id = match body.assigned_user_id {
        Some(id) => Some(check_user(&caller, id).await?),
        None => None,
    };
    let assigned_team = body
        .assigned_team
        .as_deref()
        .map(|t| pagination::text("assigned_team", t, MAX_NAME))
        .transpose()?;
    let now = crate::log::now_ms();
    if let Some(customer) = customer.filter(|_| body.attach_to_open.unwrap_or(true)) {
        let open = caller
            .tenant
            .open_tickets_for_customer(customer, Some(&subject))
            .await?;
        if let Some(ticket) = open.first() {
            if let Some(interaction) = interaction {
                caller
                    .tenant
                    .link_ticket_interaction(ticket.id, interaction, Some(caller.user_id), now)
                    .await?;
            }
            let ticket = find(&caller, ticket.id).await?;
            return Ok((StatusCode::OK, Json(TicketJson::from(&ticket))));
        }
    }
    let priority = body.priority.map_or(Priority::Normal, Priority::from);
    let (first_response_due_ms, resolution_due_ms) =
        sla::initial_due(&caller.tenant, priority, now).await?;
    let ticket = caller
        .tenant
        .create_ticket(&NewTicket {
            customer_id: customer,
            subject,
            category_id: body.category_id.map(TicketCategoryId),
            priority,
            tier,
            assigned_user_id,
            assigned_team,
            fields: body.fields.unwrap_or_default(),
            first_response_due_ms,
            resolution_due_ms,
            interaction_id: interaction,
            by: Some(caller.user_id),
            created_at_ms: now,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(TicketJson::from(&ticket))))
}

/// A move in the ticket's life.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionName {
    Open,
    ReplyToCustomer,
    WaitForCustomer,
    CustomerReplied,
    Resolve,
    Close,
    Reopen,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    action: ActionName,
    /// Why (kept in the history).
    reason: Option<String>,
    /// The state the client decided from; 409 if the ticket is no longer in it.
    expected_state: Option<StateName>,
}

/// Decides with `crm::ticket::apply` and writes the change; 409 if the life cycle refuses
/// it or the ticket moved meanwhile. SLA due times follow.
async fn change(
    caller: &Caller,
    ticket: &Ticket,
    expected: TicketState,
    action: &crm::TicketAction,
    mut change: TicketChange,
) -> Result<Ticket, ApiError> {
    let next =
        crm::apply(crm_state(expected), action).map_err(|e| ApiError::Conflict(e.to_string()))?;
    change.expected_state = expected;
    change.state = store_state(next);
    let changed = caller
        .tenant
        .apply_ticket_change(ticket.id, &change)
        .await?;
    if matches!(action, crm::TicketAction::ReplyToCustomer) {
        caller
            .tenant
            .record_first_response(ticket.id, Some(caller.user_id), change.at_ms)
            .await?;
    }
    sla::refresh(&caller.tenant, &changed, change.at_ms).await?;
    find(caller, ticket.id).await
}

fn reason(text: Option<&str>) -> Result<Option<String>, ApiError> {
    text.map(|r| pagination::text("reason", r, MAX_REASON))
        .transpose()
}

#[utoipa::path(post, path = "/tickets/{id}/transitions", tag = "tickets",
    params(("id" = i64, Path, description = "The ticket id")),
    request_body = TransitionBody,
    responses((status = 200, description = "The ticket after the move", body = TicketJson), Errors))]
pub async fn transition(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<TransitionBody>, JsonRejection>,
) -> Result<Json<TicketJson>, ApiError> {
    let id = ticket_id(id)?;
    let Json(body) = body?;
    let reason = reason(body.reason.as_deref())?;
    let ticket = find(&caller, id).await?;
    let expected = body.expected_state.map_or(ticket.state, TicketState::from);
    let action = match body.action {
        ActionName::Open => crm::TicketAction::Open,
        ActionName::ReplyToCustomer => crm::TicketAction::ReplyToCustomer,
        ActionName::WaitForCustomer => crm::TicketAction::WaitForCustomer,
        ActionName::CustomerReplied => crm::TicketAction::CustomerReplied,
        ActionName::Resolve => crm::TicketAction::Resolve,
        ActionName::Close => crm::TicketAction::Close,
        ActionName::Reopen => crm::TicketAction::Reopen,
    };
    let mut proposed = TicketChange::to_state(
        expected,
        expected,
        Some(caller.user_id),
        crate::log::now_ms(),
    );
    proposed.reason = reason;
    let ticket = change(&caller, &ticket, expected, &action, proposed).await?;
    Ok(Json(TicketJson::from(&ticket)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateBody {
    /// A higher tier than the ticket's: 2 or 3.
    tier: u8,
    /// Why; kept in the history.
    reason: String,
}

#[utoipa::path(post, path = "/tickets/{id}/escalate", tag = "tickets",
    params(("id" = i64, Path, description = "The ticket id")),
    request_body = EscalateBody,
    responses((status = 200, description = "The ticket, escalated", body = TicketJson), Errors))]
pub async fn escalate(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<EscalateBody>, JsonRejection>,
) -> Result<Json<TicketJson>, ApiError> {
    let id = ticket_id(id)?;
    let Json(body) = body?;
    let reason = pagination::text("reason", &body.reason, MAX_REASON)?;
    let refused = |e: crm::TransitionError| ApiError::Unprocessable {
        code: "invalid_tier",
        message: e.to_string(),
        details: Map::new(),
    };
    let target = crm::Tier::try_from(body.tier).map_err(refused)?;
    let ticket = find(&caller, id).await?;
    let current = crm::Tier::try_from(ticket.tier).map_err(refused)?;
    let tier = current.escalate_to(target).map_err(refused)?;
    let action = crm::TicketAction::Escalate {
        tier,
        reason: reason.clone(),
    };
    let mut proposed = TicketChange::to_state(
        ticket.state,
        ticket.state,
        Some(caller.user_id),
        crate::log::now_ms(),
    );
    proposed.tier = Some(tier.get());
    proposed.reason = Some(reason);
    let ticket = change(&caller, &ticket, ticket.state, &action, proposed).await?;
    Ok(Json(TicketJson::from(&ticket)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// An agent (user id) of the tenant.
    user_id: Option<i64>,
    /// A team.
    team: Option<String>,
}

#[utoipa::path(put, path = "/tickets/{id}/assignee", tag = "tickets",
    params(("id" = i64, Path, description = "The ticket id")),
    request_body = AssignBody,
    responses((status = 200, description = "The ticket, reassigned (both absent: nobody)", body = TicketJson), Errors))]
pub async fn assign(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<AssignBody>, JsonRejection>,
) -> Result<Json<TicketJson>, ApiError> {
    let id = ticket_id(id)?;
    let Json(body) = body?;
    let team = body
        .team
        .as_deref()
        .map(|t| pagination::text("team", t, MAX_NAME))
        .transpose()?;
    let user = match body.user_id {
        Some(user) => Some(check_user(&caller, user).await?),
        None => None,
    };
    let ticket = find(&caller, id).await?;
    let assignee = match user {
        Some(user) => crm::Assignee::Agent(user.0),
        None if team.is_some() => crm::Assignee::Team(0),
        None => crm::Assignee::Nobody,
    };
    let mut proposed = TicketChange::to_state(
        ticket.state,
        ticket.state,
        Some(caller.user_id),
        crate::log::now_ms(),
    );
    proposed.assignee = Some(Assignee {
        user_id: user,
        team,
    });
    let action = crm::TicketAction::Assign { assignee };
    let ticket = change(&caller, &ticket, ticket.state, &action, proposed).await?;
    Ok(Json(TicketJson::from(&ticket)))
}

/// Who may read a note.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisibilityName {
    /// Staff only.
    Internal,
    /// Shown to the customer too.
    Customer,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    visibility: VisibilityName,
    /// 1 to 20,000 characters.
    text: String,
}

#[utoipa::path(post, path = "/tickets/{id}/notes", tag = "tickets",
    params(("id" = i64, Path, description = "The ticket id")),
    request_body = NoteBody,
    responses((status = 201, description = "The note, as the history keeps it", body = TicketEventJson), Errors))]
pub async fn add_note(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<NoteBody>, JsonRejection>,
) -> Result<(StatusCode, Json<TicketEventJson>), ApiError> {
    let id = ticket_id(id)?;
    let Json(body) = body?;
    let text = body.text.trim();
    if text.is_empty() || text.chars().count() > MAX_NOTE {
        return Err(ApiError::BadRequest(format!(
            "text must be 1 to {MAX_NOTE} characters"
        )));
    }
    find(&caller, id).await?;
    let visibility = match body.visibility {
        VisibilityName::Internal => NoteVisibility::Internal,
        VisibilityName::Customer => NoteVisibility::Customer,
    };
    caller
        .tenant
        .add_ticket_note(
            id,
            visibility,
            text,
            Some(caller.user_id),
            crate::log::now_ms(),
        )
        .await?;
    let events = caller.tenant.ticket_events(id).await?;
    let note = events.last().ok_or(ApiError::Internal)?;
    Ok((StatusCode::CREATED, Json(TicketEventJson::from(note))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// The contact (32 hex digits).
    interaction_id: String,
}

/// Whether the contact was attached now (`false`: it already was).
#[derive(Debug, Serialize, ToSchema)]
pub struct Linked {
    linked: bool,
}

#[utoipa::path(post, path = "/tickets/{id}/interactions", tag = "tickets",
    params(("id" = i64, Path, description = "The ticket id")),
    request_body = LinkBody,
    responses((status = 200, description = "Attached", body = Linked), Errors))]
pub async fn link_interaction(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<LinkBody>, JsonRejection>,
) -> Result<Json<Linked>, ApiError> {
    let id = ticket_id(id)?;
    let Json(body) = body?;
    let interaction = parse_id(&body.interaction_id)?;
    find(&caller, id).await?;
    caller
        .tenant
        .interaction(interaction)
        .await?
        .ok_or_else(|| unknown("interaction_id", "no such contact"))?;
    let linked = caller
        .tenant
        .link_ticket_interaction(id, interaction, Some(caller.user_id), crate::log::now_ms())
        .await?;
    Ok(Json(Linked { linked }))
}

/// A ticket category.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryJson {
    id: i64,
    name: String,
    active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryList {
    categories: Vec<CategoryJson>,
}

#[utoipa::path(get, path = "/ticket-categories", tag = "tickets",
    responses((status = 200, description = "Categories by name", body = CategoryList), Errors))]
pub async fn categories(caller: Caller) -> Result<Json<CategoryList>, ApiError> {
    let categories = caller
        .tenant
        .ticket_categories()
        .await?
        .into_iter()
        .map(|c| CategoryJson {
            id: c.id.0,
            name: c.name,
            active: c.active,
        })
        .collect();
    Ok(Json(CategoryList { categories }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryBody {
    /// Unique in the tenant; 1 to 200 characters.
    name: String,
}

#[utoipa::path(post, path = "/ticket-categories", tag = "tickets", request_body = CategoryBody,
    responses((status = 201, description = "Created", body = CategoryJson), Errors))]
pub async fn create_category(
    caller: Caller,
    body: Result<Json<CategoryBody>, JsonRejection>,
) -> Result<(StatusCode, Json<CategoryJson>), ApiError> {
    if !caller.may_administer() {
        return Err(ApiError::Forbidden("define ticket categories"));
    }
    let Json(body) = body?;
    let name = pagination::text("name", &body.name, MAX_NAME)?;
    let category = caller
        .tenant
        .create_ticket_category(&name, crate::log::now_ms())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CategoryJson {
            id: category.id.0,
            name: category.name,
            active: category.active,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_read_from_a_comma_separated_list() {
        assert_eq!(
            parse_states("open, escalated,").unwrap(),
            [TicketState::Open, TicketState::Escalated]
        );
        assert!(parse_states("open,lost").is_err());
    }

    #[test]
    fn every_state_maps_to_crm_and_back() {
        for state in TicketState::ALL {
            assert_eq!(store_state(crm_state(*state)), *state);
            assert_eq!(TicketState::from(StateName::from(*state)), *state);
        }
    }
}
