//! Tickets: one customer request followed from its first contact to its resolution, with its
//! contacts (interactions), its history ([`crate::ticket_event`]), its SLA due times and breaches,
//! and search over subjects and notes.
//!
//! The store records; it does not decide. Which transitions are allowed, when SLA targets fall
//! due in business hours and whether a contact counts for FCR are the `crm` crate's rules; the
//! store writes the outcome with [`TenantStore::apply_ticket_change`], which checks the state the
//! caller decided from (`expected_state`) so two agents cannot both move a ticket, and appends
//! the matching events in the same transaction.
//!
//! Derived columns kept here: `resolved_at_ms` is the last time the ticket entered `resolved`
//! (cleared when it is reopened); the breach columns are set once, with their event.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::db::{get, get_parsed};
use crate::error::{Entity, Error, Result, found};
use crate::ids::{CustomerId, InteractionId, TicketCategoryId, TicketId, UserId};
use crate::order::Order;
use crate::tenant::TenantStore;
use crate::text_enum::text_enum;
use crate::ticket_event::{
    self, NoteVisibility, SlaTarget, TicketEvent, TicketEventData, event_columns,
};

/// Where a ticket stands (the allowed moves are `crm::ticket`'s table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// Just created.
    New,
    /// Being worked on.
    Open,
    /// Waiting for the customer (the resolution clock pauses).
    PendingCustomer,
    /// Handed to a higher tier.
    Escalated,
    /// Solved; may still be reopened.
    Resolved,
    /// Done for good.
    Closed,
    /// Resolved, then the customer came back.
    Reopened,
}

text_enum!(TicketState, "ticket state",
    New => "new",
    Open => "open",
    PendingCustomer => "pending_customer",
    Escalated => "escalated",
    Resolved => "resolved",
    Closed => "closed",
    Reopened => "reopened",
);

impl TicketState {
    /// Whether work on the ticket is still expected (not resolved or closed).
    pub fn is_open(self) -> bool {
        !matches!(self, TicketState::Resolved | TicketState::Closed)
    }
}

/// How urgent a ticket is; SLA policies are set per priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Low.
    Low,
    /// Normal.
    Normal,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

text_enum!(Priority, "priority", Low => "low", Normal => "normal", High => "high", Urgent => "urgent");

/// Support tiers are 1 (first line) to 3.
pub const TIERS: std::ops::RangeInclusive<u8> = 1..=3;

fn check_tier(tier: u8) -> Result<()> {
    if TIERS.contains(&tier) {
        Ok(())
    } else {
        Err(Error::invalid("tier", "1, 2 or 3"))
    }
}

/// A stored ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ticket {
    /// Its id.
    pub id: TicketId,
    /// The customer, when known.
    pub customer_id: Option<CustomerId>,
    /// What it is about.
    pub subject: String,
    /// Its category.
    pub category_id: Option<TicketCategoryId>,
    /// Where it stands.
    pub state: TicketState,
    /// How urgent.
    pub priority: Priority,
    /// Support tier, 1 to 3.
    pub tier: u8,
    /// The agent it is assigned to.
    pub assigned_user_id: Option<UserId>,
    /// The team it is assigned to.
    pub assigned_team: Option<String>,
    /// Ticket fields (a JSON object; script answers land here).
    pub fields: Map<String, Value>,
    /// When the first response is due (unix ms), as computed by the SLA clock.
    pub first_response_due_ms: Option<i64>,
    /// When the resolution is due (unix ms).
    pub resolution_due_ms: Option<i64>,
    /// When an agent first responded.
    pub first_responded_at_ms: Option<i64>,
    /// When it last entered `resolved` (cleared on reopening).
    pub resolved_at_ms: Option<i64>,
    /// When the first-response target was missed.
    pub first_response_breached_at_ms: Option<i64>,
    /// When the resolution target was missed.
    pub resolution_breached_at_ms: Option<i64>,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
    /// When it last changed.
    pub updated_at_ms: i64,
}

macro_rules! ticket_columns {
    () => {
        "id, customer_id, subject, category_id, state, priority, tier, assigned_user_id, \
         assigned_team, fields, first_response_due_ms, resolution_due_ms, first_responded_at_ms, \
         resolved_at_ms, first_response_breached_at_ms, resolution_breached_at_ms, \
         created_at_ms, updated_at_ms"
    };
}

impl Ticket {
    fn from_row(row: &AnyRow) -> Result<Self> {
        let tier: i64 = get(row, "tier")?;
        let fields: String = get(row, "fields")?;
        Ok(Ticket {
            id: TicketId(get(row, "id")?),
            customer_id: get::<Option<i64>>(row, "customer_id")?.map(CustomerId),
            subject: get(row, "subject")?,
            category_id: get::<Option<i64>>(row, "category_id")?.map(TicketCategoryId),
            state: get_parsed(row, "state")?,
            priority: get_parsed(row, "priority")?,
            tier: u8::try_from(tier).map_err(|e| Error::corrupt("tickets.tier", e))?,
            assigned_user_id: get::<Option<i64>>(row, "assigned_user_id")?.map(UserId),
            assigned_team: get(row, "assigned_team")?,
            fields: serde_json::from_str(&fields)
                .map_err(|e| Error::corrupt("tickets.fields", e))?,
            first_response_due_ms: get(row, "first_response_due_ms")?,
            resolution_due_ms: get(row, "resolution_due_ms")?,
            first_responded_at_ms: get(row, "first_responded_at_ms")?,
            resolved_at_ms: get(row, "resolved_at_ms")?,
            first_response_breached_at_ms: get(row, "first_response_breached_at_ms")?,
            resolution_breached_at_ms: get(row, "resolution_breached_at_ms")?,
            created_at_ms: get(row, "created_at_ms")?,
            updated_at_ms: get(row, "updated_at_ms")?,
        })
    }

    /// Whether an SLA target was missed.
    pub fn breached(&self) -> bool {
        self.first_response_breached_at_ms.is_some() || self.resolution_breached_at_ms.is_some()
    }
}

/// A ticket to create (state `new`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    /// The customer, when known.
    pub customer_id: Option<CustomerId>,
    /// What it is about (1 to 500 characters).
    pub subject: String,
    /// Its category.
    pub category_id: Option<TicketCategoryId>,
    /// How urgent.
    pub priority: Priority,
    /// Support tier, 1 to 3.
    pub tier: u8,
    /// The agent it is assigned to.
    pub assigned_user_id: Option<UserId>,
    /// The team it is assigned to.
    pub assigned_team: Option<String>,
    /// Initial fields.
    pub fields: Map<String, Value>,
    /// First response due (from the SLA clock).
    pub first_response_due_ms: Option<i64>,
    /// Resolution due (from the SLA clock).
    pub resolution_due_ms: Option<i64>,
    /// The contact that opened it, linked in the same transaction.
    pub interaction_id: Option<InteractionId>,
    /// Who created it.
    pub by: Option<UserId>,
    /// When (unix ms).
    pub created_at_ms: i64,
}

impl NewTicket {
    /// A tier-1 ticket on `subject` with nothing else set.
    pub fn new(subject: &str, priority: Priority, created_at_ms: i64) -> Self {
        NewTicket {
            customer_id: None,
            subject: subject.to_owned(),
            category_id: None,
            priority,
            tier: 1,
            assigned_user_id: None,
            assigned_team: None,
            fields: Map::new(),
            first_response_due_ms: None,
            resolution_due_ms: None,
            interaction_id: None,
            by: None,
            created_at_ms,
        }
    }
}

/// Who a ticket is assigned to (both `None`: nobody).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Assignee {
    /// An agent.
    pub user_id: Option<UserId>,
    /// A team.
    pub team: Option<String>,
}

/// A change decided by the caller (the `crm` state machine) from the state it read.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketChange {
    /// The state the decision was made from; if the ticket has moved since,
    /// [`Error::Conflict`] and nothing is written.
    pub expected_state: TicketState,
    /// The state after the change (may equal `expected_state`).
    pub state: TicketState,
    /// Why (kept in the `state_changed` or `escalated` event).
    pub reason: Option<String>,
    /// A new tier (an escalation): an `escalated` event, which requires `reason`.
    pub tier: Option<u8>,
    /// A new assignee.
    pub assignee: Option<Assignee>,
    /// A new priority.
    pub priority: Option<Priority>,
    /// Who made the change.
    pub by: Option<UserId>,
    /// When (unix ms).
    pub at_ms: i64,
}

impl TicketChange {
    /// A state move and nothing else.
    pub fn to_state(
        expected: TicketState,
        state: TicketState,
        by: Option<UserId>,
        at_ms: i64,
    ) -> Self {
        TicketChange {
            expected_state: expected,
            state,
            reason: None,
            tier: None,
            assignee: None,
            priority: None,
            by,
            at_ms,
        }
    }
}

/// A contact of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketContact {
    /// The interaction.
    pub interaction_id: InteractionId,
    /// When the interaction began (unix ms).
    pub started_at_ms: i64,
    /// When it was linked to the ticket.
    pub linked_at_ms: i64,
}

/// A ticket with everything attached to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketDetail {
    /// The ticket.
    pub ticket: Ticket,
    /// Its history, oldest first.
    pub events: Vec<TicketEvent>,
    /// Its contacts, oldest first.
    pub contacts: Vec<TicketContact>,
    /// Its orders, oldest first.
    pub orders: Vec<Order>,
}

/// Which tickets to list: newest first, keyset-paginated by id. Empty/`None` filters match all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketQuery {
    /// In any of these states.
    pub states: Vec<TicketState>,
    /// At this tier.
    pub tier: Option<u8>,
    /// Assigned to this agent.
    pub assigned_user_id: Option<UserId>,
    /// Assigned to this team.
    pub assigned_team: Option<String>,
    /// Of this customer (or of the duplicates merged into it).
    pub customer_id: Option<CustomerId>,
    /// In this category.
    pub category_id: Option<TicketCategoryId>,
    /// Of this priority.
    pub priority: Option<Priority>,
    /// Only breached (`Some(true)`) or only on time (`Some(false)`).
    pub breached: Option<bool>,
    /// Only ids below this one (the previous page's `next`).
    pub before: Option<TicketId>,
    /// At most this many (1 to 500).
    pub limit: u32,
}

impl Default for TicketQuery {
    fn default() -> Self {
        TicketQuery {
            states: Vec::new(),
            tier: None,
            assigned_user_id: None,
            assigned_team: None,
            customer_id: None,
            category_id: None,
            priority: None,
            breached: None,
            before: None,
            limit: 50,
        }
    }
}

/// One page of tickets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketPage {
    /// The tickets, newest first.
    pub tickets: Vec<Ticket>,
    /// The cursor of the next page (its `before`), `None` on the last page.
    pub next: Option<TicketId>,
}

/// What FCR needs of one contact ([`TenantStore::fcr_contacts`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FcrContact {
    /// The contact.
    pub interaction_id: InteractionId,
    /// When it began (unix ms).
    pub at_ms: i64,
    /// Its ticket.
    pub ticket_id: TicketId,
    /// The ticket's customer (the survivor, when it was merged into another).
    pub customer_id: Option<CustomerId>,
    /// The ticket's subject.
    pub subject: String,
    /// When the ticket was (last) resolved.
    pub ticket_resolved_at_ms: Option<i64>,
}

/// A ticket category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketCategory {
    /// Its id.
    pub id: TicketCategoryId,
    /// Its name, unique in the tenant.
    pub name: String,
    /// Whether new tickets may use it.
    pub active: bool,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
}

const MAX_SUBJECT_CHARS: usize = 500;
const MAX_NOTE_CHARS: usize = 20_000;

fn check_text(what: &'static str, text: &str, max_chars: usize) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::invalid(what, "must not be empty"));
    }
    if text.chars().count() > max_chars {
        return Err(Error::invalid(
            what,
            format!("at most {max_chars} characters"),
        ));
    }
    Ok(())
}

/// `(ids)`: a customer and the duplicates merged into it (merges never chain), whose tickets
/// and orders count as its own.
macro_rules! customer_and_duplicates {
    ($param:literal) => {
        concat!(
            "(SELECT id FROM customers WHERE tenant_id = $1 AND (id = ",
            $param,
            " OR merged_into = ",
            $param,
            "))"
        )
    };
}
pub(crate) use customer_and_duplicates;

/// A value bound into a query built at run time.
enum Param {
    Int(i64),
    Text(String),
}

impl TenantStore {
    /// Creates a ticket in state `new`, with its `created` event and, when given, its first
    /// contact, in one transaction.
    pub async fn create_ticket(&self, new: &NewTicket) -> Result<Ticket> {
        check_text("ticket subject", &new.subject, MAX_SUBJECT_CHARS)?;
        check_tier(new.tier)?;
        let mut tx = self.store.write().await?;
        let row = sqlx::query(concat!(
            "INSERT INTO tickets (tenant_id, customer_id, subject, category_id, state, priority, \
             tier, assigned_user_id, assigned_team, fields, first_response_due_ms, \
             resolution_due_ms, created_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, $10, $11, $12, $12) \
             RETURNING ",
            ticket_columns!()
        ))
        .bind(self.tid())
        .bind(new.customer_id.map(|c| c.0))
        .bind(new.subject.clone())
        .bind(new.category_id.map(|c| c.0))
        .bind(new.priority.as_str())
        .bind(i64::from(new.tier))
        .bind(new.assigned_user_id.map(|u| u.0))
        .bind(new.assigned_team.clone())
        .bind(Value::Object(new.fields.clone()).to_string())
        .bind(new.first_response_due_ms)
        .bind(new.resolution_due_ms)
        .bind(new.created_at_ms)
        .fetch_one(tx.conn())
        .await?;
        let ticket = Ticket::from_row(&row)?;
        let mut events = vec![TicketEventData::Created {
            subject: new.subject.clone(),
            priority: new.priority,
            tier: new.tier,
        }];
        if let Some(interaction) = new.interaction_id {
            link(
                tx.conn(),
                self.tid(),
                ticket.id,
                interaction,
                new.created_at_ms,
            )
            .await?;
            events.push(TicketEventData::ContactLinked {
                interaction_id: interaction,
            });
        }
        ticket_event::index_text(tx.conn(), self.tid(), ticket.id, &new.subject).await?;
        ticket_event::append(
            tx.conn(),
            self.tid(),
            ticket.id,
            &events,
            new.by,
            new.created_at_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(ticket)
    }

    /// The ticket with this id.
    pub async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            ticket_columns!(),
            " FROM tickets WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(self.tid())
        .bind(id.0)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(Ticket::from_row).transpose()
    }

    /// The ticket with its history, contacts and orders.
    pub async fn ticket_detail(&self, id: TicketId) -> Result<Option<TicketDetail>> {
        let Some(ticket) = self.ticket(id).await? else {
            return Ok(None);
        };
        Ok(Some(TicketDetail {
            ticket,
            events: self.ticket_events(id).await?,
            contacts: self.ticket_contacts(id).await?,
            orders: self.ticket_orders(id).await?,
        }))
    }

    /// A ticket's history, oldest first.
    pub async fn ticket_events(&self, id: TicketId) -> Result<Vec<TicketEvent>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            event_columns!(),
            " FROM ticket_events WHERE tenant_id = $1 AND ticket_id = $2 \
             ORDER BY seq"
        ))
        .bind(self.tid())
        .bind(id.0)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(TicketEvent::from_row).collect()
    }

    /// A ticket's contacts, oldest first.
    pub async fn ticket_contacts(&self, id: TicketId) -> Result<Vec<TicketContact>> {
        let rows = sqlx::query(
            "SELECT ti.interaction_id, ti.linked_at_ms, i.created_at_ms FROM ticket_interactions ti \
             JOIN interactions i ON i.tenant_id = ti.tenant_id AND i.id = ti.interaction_id \
             WHERE ti.tenant_id = $1 AND ti.ticket_id = $2 ORDER BY i.created_at_ms, ti.interaction_id",
        )
        .bind(self.tid())
        .bind(id.0)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TicketContact {
                    interaction_id: get_parsed(row, "interaction_id")?,
                    started_at_ms: get(row, "created_at_ms")?,
                    linked_at_ms: get(row, "linked_at_ms")?,
                })
            })
            .collect()
    }

    /// Lists tickets, newest first, filtered and paginated by `query`.
    pub async fn tickets(&self, query: &TicketQuery) -> Result<TicketPage> {
        let limit = query.limit.clamp(1, 500);
        let mut sql = concat!(
            "SELECT ",
            ticket_columns!(),
            " FROM tickets WHERE tenant_id = $1"
        )
        .to_owned();
        let mut params = Vec::new();
        let mut add = |sql: &mut String, condition: &str, param: Param| {
            params.push(param);
            sql.push_str(&condition.replace('?', &format!("${}", params.len() + 1)));
        };
        if !query.states.is_empty() {
            sql.push_str(" AND state IN (");
            for (n, state) in query.states.iter().enumerate() {
                add(
                    &mut sql,
                    if n == 0 { "?" } else { ", ?" },
                    Param::Text(state.as_str().to_owned()),
                );
            }
            sql.push(')');
        }
        if let Some(tier) = query.tier {
            add(&mut sql, " AND tier = ?", Param::Int(i64::from(tier)));
        }
        if let Some(user) = query.assigned_user_id {
            add(&mut sql, " AND assigned_user_id = ?", Param::Int(user.0));
        }
        if let Some(team) = &query.assigned_team {
            add(
                &mut sql,
                " AND assigned_team = ?",
                Param::Text(team.clone()),
            );
        }
        if let Some(customer) = query.customer_id {
            add(
                &mut sql,
                concat!(" AND customer_id IN ", customer_and_duplicates!("?")),
                Param::Int(customer.0),
            );
        }
        if let Some(category) = query.category_id {
            add(&mut sql, " AND category_id = ?", Param::Int(category.0));
        }
        if let Some(priority) = query.priority {
            add(
                &mut sql,
                " AND priority = ?",
                Param::Text(priority.as_str().to_owned()),
            );
        }
        if let Some(before) = query.before {
            add(&mut sql, " AND id < ?", Param::Int(before.0));
        }
        match query.breached {
            Some(true) => sql.push_str(
                " AND (first_response_breached_at_ms IS NOT NULL \
                 OR resolution_breached_at_ms IS NOT NULL)",
            ),
            Some(false) => sql.push_str(
                " AND first_response_breached_at_ms IS NULL AND resolution_breached_at_ms IS NULL",
            ),
            None => {}
        }
        add(
            &mut sql,
            " ORDER BY id DESC LIMIT ?",
            Param::Int(i64::from(limit)),
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(self.tid());
        for param in params {
            q = match param {
                Param::Int(n) => q.bind(n),
                Param::Text(text) => q.bind(text),
            };
        }
        let rows = q.fetch_all(self.store.pool()).await?;
        let tickets = rows
            .iter()
            .map(Ticket::from_row)
            .collect::<Result<Vec<_>>>()?;
        let full = tickets.len() == limit as usize;
        let next = if full {
            tickets.last().map(|t| t.id)
        } else {
            None
        };
        Ok(TicketPage { tickets, next })
    }

    /// Applies a change decided from `change.expected_state`: writes the new state, tier,
    /// assignee and priority and appends one event per thing that changed, in one transaction.
    /// [`Error::Conflict`] if the ticket is no longer in the expected state (another agent moved
    /// it); [`Error::NotFound`] if it is not the tenant's. A change that changes nothing writes
    /// nothing.
    pub async fn apply_ticket_change(&self, id: TicketId, change: &TicketChange) -> Result<Ticket> {
        if let Some(tier) = change.tier {
            check_tier(tier)?;
        }
        let mut tx = self.store.write().await?;
        let current = lock_ticket(tx.conn(), self.tid(), id).await?;
        if current.state != change.expected_state {
            return Err(Error::Conflict(Entity::Ticket));
        }
        let mut events = Vec::new();
        if change.state != current.state {
            events.push(TicketEventData::StateChanged {
                from: current.state,
                to: change.state,
                reason: change.reason.clone(),
            });
        }
        let tier = change.tier.unwrap_or(current.tier);
        if tier != current.tier {
            let reason = change
                .reason
                .clone()
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| {
                    Error::invalid("escalation reason", "a tier change needs a reason")
                })?;
            events.push(TicketEventData::Escalated {
                from_tier: current.tier,
                tier,
                reason,
            });
        }
        let assignee = change.assignee.clone().unwrap_or(Assignee {
            user_id: current.assigned_user_id,
            team: current.assigned_team.clone(),
        });
        if assignee.user_id != current.assigned_user_id || assignee.team != current.assigned_team {
            events.push(TicketEventData::Assigned {
                user_id: assignee.user_id,
                team: assignee.team.clone(),
            });
        }
        let priority = change.priority.unwrap_or(current.priority);
        if priority != current.priority {
            events.push(TicketEventData::PriorityChanged {
                from: current.priority,
                to: priority,
            });
        }
        if events.is_empty() {
            return Ok(current);
        }
        let resolved_at = match change.state {
            TicketState::Resolved if current.state != TicketState::Resolved => Some(change.at_ms),
            TicketState::Reopened => None,
            _ => current.resolved_at_ms,
        };
        let done = sqlx::query(
            "UPDATE tickets SET state = $3, tier = $4, assigned_user_id = $5, assigned_team = $6, \
             priority = $7, resolved_at_ms = $8 \
             WHERE tenant_id = $1 AND id = $2 AND state = $9",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(change.state.as_str())
        .bind(i64::from(tier))
        .bind(assignee.user_id.map(|u| u.0))
        .bind(assignee.team.clone())
        .bind(priority.as_str())
        .bind(resolved_at)
        .bind(change.expected_state.as_str())
        .execute(tx.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::Conflict(Entity::Ticket));
        }
        ticket_event::append(tx.conn(), self.tid(), id, &events, change.by, change.at_ms).await?;
        let ticket = lock_ticket(tx.conn(), self.tid(), id).await?;
        tx.commit().await?;
        Ok(ticket)
    }

    /// Adds a note to a ticket's history (and to its search text).
    pub async fn add_ticket_note(
        &self,
        id: TicketId,
        visibility: NoteVisibility,
        text: &str,
        author: Option<UserId>,
        at_ms: i64,
    ) -> Result<()> {
        check_text("note", text, MAX_NOTE_CHARS)?;
        let mut tx = self.store.write().await?;
        let event = TicketEventData::Note {
            visibility,
            text: text.to_owned(),
        };
        ticket_event::append(tx.conn(), self.tid(), id, &[event], author, at_ms).await?;
        tx.commit().await
    }

    /// Merges `fields` into the ticket's fields (a key given replaces its value) with a
    /// `fields_set` event.
    pub async fn set_ticket_fields(
        &self,
        id: TicketId,
        fields: &Map<String, Value>,
        by: Option<UserId>,
        at_ms: i64,
    ) -> Result<Ticket> {
        let mut tx = self.store.write().await?;
        let mut ticket = lock_ticket(tx.conn(), self.tid(), id).await?;
        if fields.is_empty() {
            return Ok(ticket);
        }
        for (key, value) in fields {
            ticket.fields.insert(key.clone(), value.clone());
        }
        sqlx::query("UPDATE tickets SET fields = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(self.tid())
            .bind(id.0)
            .bind(Value::Object(ticket.fields.clone()).to_string())
            .execute(tx.conn())
            .await?;
        let event = TicketEventData::FieldsSet {
            fields: fields.clone(),
        };
        ticket_event::append(tx.conn(), self.tid(), id, &[event], by, at_ms).await?;
        let ticket = lock_ticket(tx.conn(), self.tid(), id).await?;
        tx.commit().await?;
        Ok(ticket)
    }

    /// Attaches a contact to a ticket (a `contact_linked` event). Linking it again changes
    /// nothing and returns `false`.
    pub async fn link_ticket_interaction(
        &self,
        id: TicketId,
        interaction: InteractionId,
        by: Option<UserId>,
        at_ms: i64,
    ) -> Result<bool> {
        let mut tx = self.store.write().await?;
        lock_ticket(tx.conn(), self.tid(), id).await?;
        let linked = link(tx.conn(), self.tid(), id, interaction, at_ms).await?;
        if linked {
            let event = TicketEventData::ContactLinked {
                interaction_id: interaction,
            };
            ticket_event::append(tx.conn(), self.tid(), id, &[event], by, at_ms).await?;
        }
        tx.commit().await?;
        Ok(linked)
    }

    /// The tickets a contact is attached to, oldest first.
    pub async fn interaction_tickets(&self, interaction: InteractionId) -> Result<Vec<Ticket>> {
        let rows = sqlx::query(concat!("SELECT ", ticket_columns!(), " FROM tickets WHERE tenant_id = $1 AND id IN \
             (SELECT ticket_id FROM ticket_interactions WHERE tenant_id = $1 AND interaction_id = $2) \
             ORDER BY id"))
        .bind(self.tid())
        .bind(interaction.to_string())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Ticket::from_row).collect()
    }

    /// The customer's open tickets (not resolved or closed; its merged duplicates' included),
    /// newest first; with `subject`, only
    /// those on that subject (compared without ASCII case), so a new contact can be attached
    /// to the open ticket instead of opening another.
    pub async fn open_tickets_for_customer(
        &self,
        customer: CustomerId,
        subject: Option<&str>,
    ) -> Result<Vec<Ticket>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            ticket_columns!(),
            " FROM tickets WHERE tenant_id = $1 AND customer_id IN ",
            customer_and_duplicates!("$2"),
            " \
             AND state NOT IN ('resolved', 'closed') \
             AND ($3 = '' OR lower(subject) = lower($3)) ORDER BY id DESC"
        ))
        .bind(self.tid())
        .bind(customer.0)
        .bind(subject.map(str::trim).unwrap_or_default().to_owned())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Ticket::from_row).collect()
    }

    /// What FCR needs: every contact that began in `[from_ms, until_ms)` and is attached to a
    /// ticket, with the ticket's customer, subject and resolution time, oldest first. FCR over a
    /// period needs the contacts of the 7 days after it too (a later contact spoils an earlier
    /// resolution): ask for `[start, end + 7 days)` and let `crm::fcr` count.
    pub async fn fcr_contacts(&self, from_ms: i64, until_ms: i64) -> Result<Vec<FcrContact>> {
        let rows = sqlx::query(
            "SELECT ti.interaction_id, i.created_at_ms, t.id, \
             COALESCE(c.merged_into, t.customer_id) AS customer_id, t.subject, t.resolved_at_ms \
             FROM ticket_interactions ti \
             JOIN interactions i ON i.tenant_id = ti.tenant_id AND i.id = ti.interaction_id \
             JOIN tickets t ON t.tenant_id = ti.tenant_id AND t.id = ti.ticket_id \
             LEFT JOIN customers c ON c.tenant_id = t.tenant_id AND c.id = t.customer_id \
             WHERE ti.tenant_id = $1 AND i.created_at_ms >= $2 AND i.created_at_ms < $3 \
             ORDER BY i.created_at_ms, ti.interaction_id, t.id",
        )
        .bind(self.tid())
        .bind(from_ms)
        .bind(until_ms)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(FcrContact {
                    interaction_id: get_parsed(row, "interaction_id")?,
                    at_ms: get(row, "created_at_ms")?,
                    ticket_id: TicketId(get(row, "id")?),
                    customer_id: get::<Option<i64>>(row, "customer_id")?.map(CustomerId),
                    subject: get(row, "subject")?,
                    ticket_resolved_at_ms: get(row, "resolved_at_ms")?,
                })
            })
            .collect()
    }

    /// Sets a ticket's SLA due times, as recomputed by the SLA clock (a pause for the customer
    /// moves the resolution due time).
    pub async fn set_ticket_sla_due(
        &self,
        id: TicketId,
        first_response_due_ms: Option<i64>,
        resolution_due_ms: Option<i64>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE tickets SET first_response_due_ms = $3, resolution_due_ms = $4 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(first_response_due_ms)
        .bind(resolution_due_ms)
        .execute(self.store.pool())
        .await?;
        found(done.rows_affected(), Entity::Ticket)
    }

    /// Records the first agent response (a `first_response` event); `false` if one was already
    /// recorded, which stays.
    pub async fn record_first_response(
        &self,
        id: TicketId,
        by: Option<UserId>,
        at_ms: i64,
    ) -> Result<bool> {
        self.set_once(
            id,
            "first_responded_at_ms",
            TicketEventData::FirstResponse {},
            by,
            at_ms,
        )
        .await
    }

    /// Records that an SLA target was missed (an `sla_breached` event); `false` if that breach
    /// was already recorded, so a monitor restarted after a crash cannot record it twice.
    pub async fn record_sla_breach(
        &self,
        id: TicketId,
        which: SlaTarget,
        at_ms: i64,
    ) -> Result<bool> {
        let column = match which {
            SlaTarget::FirstResponse => "first_response_breached_at_ms",
            SlaTarget::Resolution => "resolution_breached_at_ms",
        };
        self.set_once(
            id,
            column,
            TicketEventData::SlaBreached { which },
            None,
            at_ms,
        )
        .await
    }

    /// Sets a time column that is written once, with its event.
    async fn set_once(
        &self,
        id: TicketId,
        column: &'static str,
        event: TicketEventData,
        by: Option<UserId>,
        at_ms: i64,
    ) -> Result<bool> {
        let mut tx = self.store.write().await?;
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE tickets SET {column} = $3 WHERE tenant_id = $1 AND id = $2 AND {column} IS NULL"
        )))
        .bind(self.tid())
        .bind(id.0)
        .bind(at_ms)
        .execute(tx.conn())
        .await?;
        if done.rows_affected() == 0 {
            // Tell "already set" from "no such ticket".
            lock_ticket(tx.conn(), self.tid(), id).await?;
            return Ok(false);
        }
        ticket_event::append(tx.conn(), self.tid(), id, &[event], by, at_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Tickets whose SLA clock still runs (open, with a due time whose breach is not yet
    /// recorded): what an SLA monitor loads when the server starts.
    pub async fn tickets_with_running_sla(&self) -> Result<Vec<Ticket>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            ticket_columns!(),
            " FROM tickets WHERE tenant_id = $1 \
             AND state NOT IN ('resolved', 'closed') \
             AND ((first_response_due_ms IS NOT NULL AND first_responded_at_ms IS NULL \
                   AND first_response_breached_at_ms IS NULL) \
               OR (resolution_due_ms IS NOT NULL AND resolution_breached_at_ms IS NULL)) \
             ORDER BY id"
        ))
        .bind(self.tid())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Ticket::from_row).collect()
    }

    /// Tickets whose subject or notes contain every word of `text` (as prefixes), best match
    /// first, at most `limit` (1 to 100).
    pub async fn search_tickets(&self, text: &str, limit: u32) -> Result<Vec<Ticket>> {
        let mut tickets = Vec::new();
        for id in self
            .search_ids("ticket_search", "ticket_id", text, limit)
            .await?
        {
            if let Some(found) = self.ticket(TicketId(id)).await? {
                tickets.push(found);
            }
        }
        Ok(tickets)
    }

    /// Creates a ticket category; [`Error::Duplicate`] if the name is taken.
    pub async fn create_ticket_category(&self, name: &str, now_ms: i64) -> Result<TicketCategory> {
        check_text("category name", name, 200)?;
        let row = sqlx::query(
            "INSERT INTO ticket_categories (tenant_id, name, created_at_ms) VALUES ($1, $2, $3) \
             RETURNING id, name, active, created_at_ms",
        )
        .bind(self.tid())
        .bind(name.to_owned())
        .bind(now_ms)
        .fetch_one(self.store.pool())
        .await?;
        TicketCategory::from_row(&row)
    }

    /// Renames a category or (de)activates it.
    pub async fn update_ticket_category(
        &self,
        id: TicketCategoryId,
        name: &str,
        active: bool,
    ) -> Result<()> {
        check_text("category name", name, 200)?;
        let done = sqlx::query(
            "UPDATE ticket_categories SET name = $3, active = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(name.to_owned())
        .bind(active)
        .execute(self.store.pool())
        .await?;
        found(done.rows_affected(), Entity::TicketCategory)
    }

    /// All categories, by name.
    pub async fn ticket_categories(&self) -> Result<Vec<TicketCategory>> {
        let rows = sqlx::query(
            "SELECT id, name, active, created_at_ms FROM ticket_categories WHERE tenant_id = $1 \
             ORDER BY name",
        )
        .bind(self.tid())
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(TicketCategory::from_row).collect()
    }
}

impl TicketCategory {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(TicketCategory {
            id: TicketCategoryId(get(row, "id")?),
            name: get(row, "name")?,
            active: crate::db::get_flag(row, "active")?,
            created_at_ms: get(row, "created_at_ms")?,
        })
    }
}

/// The ticket, read in the caller's write transaction with its row locked until commit;
/// [`Error::NotFound`] if not the tenant's. The lock is taken by a no-op `UPDATE ... RETURNING`
/// (portable, unlike `SELECT ... FOR UPDATE`): under PostgreSQL's READ COMMITTED two
/// transactions could otherwise both decide from the same old row, and one change (a field,
/// an assignee) would be lost; SQLite's single writer serialises them anyway.
async fn lock_ticket(conn: &mut AnyConnection, tenant: i64, id: TicketId) -> Result<Ticket> {
    let row = sqlx::query(concat!(
        "UPDATE tickets SET last_seq = last_seq WHERE tenant_id = $1 AND id = $2 RETURNING ",
        ticket_columns!()
    ))
    .bind(tenant)
    .bind(id.0)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound(Entity::Ticket))?;
    Ticket::from_row(&row)
}

/// Links a contact; `false` if it already was.
async fn link(
    conn: &mut AnyConnection,
    tenant: i64,
    ticket: TicketId,
    interaction: InteractionId,
    at_ms: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO ticket_interactions (tenant_id, ticket_id, interaction_id, linked_at_ms) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, ticket_id, interaction_id) DO NOTHING",
    )
    .bind(tenant)
    .bind(ticket.0)
    .bind(interaction.to_string())
    .bind(at_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_priorities_round_trip_through_their_stored_names() {
        for state in TicketState::ALL {
            assert_eq!(state.as_str().parse::<TicketState>().unwrap(), *state);
        }
        for priority in Priority::ALL {
            assert_eq!(priority.as_str().parse::<Priority>().unwrap(), *priority);
        }
        assert!("lost".parse::<TicketState>().is_err());
    }

    #[test]
    fn only_resolved_and_closed_tickets_are_not_open() {
        let open: Vec<_> = TicketState::ALL.iter().filter(|s| s.is_open()).collect();
        assert_eq!(open.len(), 5);
        assert!(!TicketState::Resolved.is_open() && !TicketState::Closed.is_open());
    }

    #[test]
    fn tiers_outside_one_to_three_are_refused() {
        assert!(check_tier(0).is_err() && check_tier(4).is_err());
        assert!(check_tier(1).is_ok() && check_tier(3).is_ok());
    }
}
