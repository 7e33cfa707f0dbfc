//! Persistence for Plateau: schema, migrations and tenant-scoped repositories over an embedded
//! SQLite file (one node, the default) or a PostgreSQL server (several nodes), with one contract
//! test suite run against both.
//!
//! ```no_run
//! # async fn demo() -> store::Result<()> {
//! use store::{EndCause, InteractionId, LogBatch, NewEvent, NewInteraction, Store};
//!
//! let store = Store::open("sqlite:///var/lib/plateau/plateau.db").await?;
//! let route = store.route_number("+33100000000").await?.expect("routed number");
//! let tenant = store.tenant(route.tenant_id).await?; // every query below filters by it
//! let now = 1_700_000_000_000;
//! let id = InteractionId::generate(now)?;
//! tenant
//!     .append_log(&LogBatch {
//!         interactions: vec![NewInteraction::inbound_call(id, "+33612345678", "+33100000000", now)],
//!         events: vec![NewEvent::arrived(id, now), NewEvent::ended(id, now + 9, EndCause::NoAgent)],
//!         ..LogBatch::default()
//!     })
//!     .await?;
//! let cdr = tenant.cdr(id).await?;
//! # Ok(()) }
//! ```
//!
//! # Design decisions
//! - **One portable implementation, not one per backend.** Every query is written once, in the
//!   SQL both backends share, and runs through sqlx's `Any` driver: `$n` placeholders (SQLite
//!   accepts them), `INSERT ... ON CONFLICT ... DO UPDATE`, `RETURNING`, and only portable column
//!   types — integers (`BIGINT` in PostgreSQL) with times as unix milliseconds, `TEXT` (JSON
//!   data as text, interaction ids as text), and flags read by one helper that accepts
//!   PostgreSQL's `BOOLEAN` and SQLite's 0/1. Two copies of each query behind a storage trait
//!   (atuin's shape) would have to be kept in step by hand; the contract tests run every query
//!   on both backends instead. What differs is only the DDL: `migrations/sqlite` and
//!   `migrations/postgres` hold the same numbered files with the same tables, columns and
//!   constraint names (so [`Error::Duplicate`] names the key on both).
//! - **Tenant scoping in one place.** [`Store::tenant`] gives a [`TenantStore`], and every
//!   method on it binds the tenant id as `$1` and filters by it. Rows that reference other rows
//!   reference `(tenant_id, id)`, so even a faulty query cannot link across tenants. The only
//!   unscoped reads are the entry points that discover the tenant from outside input
//!   ([`Store::route_number`], [`Store::authenticate_token`]) and housekeeping that returns only
//!   counts ([`Store::purge_expired_registrations`]). No SQL lives outside this crate.
//! - **The interaction log is append-only**, enforced by triggers on both backends. Events get
//!   their sequence number from the store in append order. CDRs are not stored: [`cdr::derive`]
//!   is a pure function of an interaction's events, and [`TenantStore::cdrs`] applies it on read.
//!   The one derived column is `interactions.ended_at_ms`, set in the transaction that appends
//!   the first `ended` event, so the calls left open by a crash are found by index.
//! - **Tickets record, `crm` decides.** A ticket's state, tier and assignee change only through
//!   [`TenantStore::apply_ticket_change`], which checks the state the caller decided from
//!   (optimistically: a stale decision is [`Error::Conflict`]) and appends the matching
//!   append-only `ticket_events` in the same transaction. Ticket and knowledge-base search are
//!   the one place where queries differ by backend (FTS5 / `tsvector`; see `full_text.rs`).
//! - **Customers.** Imports upsert by external id in batches ([`TenantStore::upsert_customers`]):
//!   each row's content hash is compared with the stored one, so a re-import writes nothing.
//!   A merge only points the duplicate at its survivor (`merged_into`, never a chain): screen
//!   pop and search answer with the survivor, its identities and history include the
//!   duplicate's, and no row is rewritten, so a later import cannot undo a merge. Customer
//!   search is the other backend-specific query (FTS5 table / GIN expression index over a
//!   `search_text` column the repository writes; see `customer_search.rs`).
//! - **Batches.** The call path writes through [`TenantStore::append_log`] and
//!   [`TenantStore::upsert_registrations`]: one transaction and multi-row `INSERT`s of up to 128
//!   rows per statement, so a crash keeps whole batches or nothing.
//! - **SQLite durability.** WAL mode with `synchronous=NORMAL` by default: a commit survives the
//!   process being killed (`kill -9` loses no committed batch, which a test checks), while an OS
//!   crash or power cut may lose the last commits but never corrupts the file. [`SqliteSync::Full`]
//!   fsyncs every commit for machines where that matters. Writers in one process queue on a mutex
//!   and take the lock with `BEGIN IMMEDIATE`; `busy_timeout` covers other processes.
//! - **Passwords and secrets.** Web passwords are Argon2id hashes ([`PasswordHash`]); SIP secrets
//!   are HA1 values only ([`SipHa1`], computed by the `sip` crate); API tokens are stored as
//!   SHA-256 hashes and shown once ([`TokenSecret`]); so are web sessions' cookie secrets
//!   ([`SessionSecret`], see `web_session.rs`). None of them prints in `Debug`.
//!
//! Not yet handled: with several nodes on one PostgreSQL database, [`TenantStore::open_interactions`]
//! sees every node's live calls; interactions will need the owning node's name before a restarted
//! node may close "its" open calls.
//!
//! Dependencies: `sqlx` 0.9 (`Any`, SQLite bundled and PostgreSQL drivers, migrations; no
//! compile-time-checked macros, so no database is needed to build); `argon2` 0.6 (RustCrypto) for
//! web passwords; `sha2` for token hashes; `getrandom` for token and id randomness; `tempfile`
//! (feature `testing`) for the PostgreSQL test server's directory.
#![warn(missing_docs)]

pub mod audit;
pub mod cdr;
pub mod custom_field;
pub mod customer;
pub mod customer_import;
pub mod customer_search;
mod db;
pub mod demo;
pub mod disposition;
mod error;
pub mod event;
pub mod flow;
mod full_text;
mod ids;
pub mod interaction;
pub mod knowledge;
pub mod log;
pub mod number;
pub mod order;
mod password;
pub mod queue;
pub mod recording;
pub mod registration;
pub mod routing;
pub mod script;
pub mod sla_policy;
mod tenant;
#[cfg(feature = "testing")]
pub mod testing;
mod text_enum;
pub mod ticket;
pub mod ticket_event;
pub mod token;
pub mod user;
pub mod web_session;

pub use audit::{AuditEntry, NewAuditEntry};
pub use cdr::Cdr;
pub use custom_field::CustomFieldDef;
pub use customer::{Customer, CustomerFilter, CustomerPage, CustomerRecord, CustomerSummary};
pub use customer_import::{CustomerUpsert, UpsertReport};
pub use customer_search::SearchPage;
pub use db::{Backend, SqliteSync, Store, StoreOptions};
pub use demo::{DemoSeed, DemoSeeded, seed_demo};
pub use disposition::{Disposition, InteractionDisposition, Scope};
pub use error::{Entity, Error, Result, Unique};
pub use event::{AgentEvent, EndCause, Event, EventKind, NewAgentEvent, NewEvent};
pub use flow::{Flow, FlowVersion};
pub use ids::{
    AgentEventId, ApiTokenId, AuditId, CustomerId, DispositionId, FlowId, InteractionId,
    KbArticleId, OrderId, ProductId, QueueId, RecordingId, ScriptId, ScriptRunId, TenantId,
    TicketCategoryId, TicketId, UserId, WebSessionId,
};
pub use interaction::{Channel, Direction, Interaction, InteractionQuery, NewInteraction};
pub use knowledge::{KbArticle, NewKbArticle};
pub use log::LogBatch;
pub use number::{Number, NumberRoute};
pub use order::{NewOrder, NewOrderLine, NewProduct, Order, OrderLine, OrderStatus, Product};
pub use password::PasswordHash;
pub use queue::{Queue, QueueMember, QueueSettings};
pub use recording::{NewRecording, Recording};
pub use registration::{NewRegistration, Registration, Transport};
pub use routing::{QueueOverflow, QueueRouting, SkillLevels};
pub use script::{NewScriptRun, Script, ScriptRun, ScriptVersion};
pub use sla_policy::{BusinessCalendarRow, SlaPolicy};
pub use tenant::{Tenant, TenantStore};
pub use ticket::{
    Assignee, FcrContact, NewTicket, Priority, Ticket, TicketCategory, TicketChange, TicketContact,
    TicketDetail, TicketPage, TicketQuery, TicketState,
};
pub use ticket_event::{NoteVisibility, SlaTarget, TicketEvent, TicketEventData};
pub use token::{ApiToken, TokenOwner, TokenSecret};
pub use user::{NewUser, Role, SipCredentials, SipHa1, User};
pub use web_session::{Language, SessionSecret, WebLogin, WebSession};
