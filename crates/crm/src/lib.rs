//! The customer side of a contact: who the customer is (identities, typed custom fields,
//! consent), their tickets (states, tiers, SLA clocks), first-contact resolution, orders,
//! agent scripts, and reading customers from CSV.
//!
//! Sans-IO and store-agnostic: no clock, file, socket or thread. Time comes in as
//! [`jiff::Timestamp`] arguments; files come in as any [`std::io::Read`]; ids are the store's
//! `i64`s. The `store` crate persists what this crate decides, the `server` crate drives it.
//!
//! # Drive shapes
//! - Pure functions and checked constructors: [`normalize_phone`], [`Email::parse`],
//!   [`FieldDefs::parse_value`], [`NewCustomer::content_hash`], [`merge`], [`apply`] (ticket
//!   transitions), [`price_order`], [`fcr()`], [`BusinessCalendar::add_business`],
//!   [`SlaClock::read`].
//! - An iterator: [`CustomerReader`] yields one `Result<ImportedRow, RowError>` per CSV row
//!   and never stops at a bad row; [`CustomerReader::bytes_read`] feeds a progress bar.
//! - A timer-driven monitor: [`SlaMonitor`] takes `handle_*(now, ..)` calls, answers with
//!   [`SlaMonitor::poll_event`] (breaches) and [`SlaMonitor::poll_timeout`] (when to wake it);
//!   see [`sla`] for the loop.
//! - A step machine: [`ScriptRun`] takes answers and tells which page comes next; the server
//!   stores its [`ScriptRun::path`] and [`ScriptRun::answers`].
//!
//! # Dependencies
//! - `phonenumber` (libphonenumber metadata, pure Rust, builds with gcc only): the only
//!   maintained Rust port of the numbering plans; we widen its regex cache (see [`phone`]).
//! - `csv`: the fast, careful CSV reader (quoted multi-line cells, byte records reused).
//! - `jiff` (with the bundled tz database): time zones and DST for business calendars.
//! - `serde-saphyr` (deserialise only): YAML scripts straight into the serde types the JSON
//!   form uses, with input budgets against hostile YAML.
//! - `serde`/`serde_json`, `thiserror`: storage forms and error enums.
#![warn(missing_docs)]

/// `FromStr` for an enum with `ALL` and `as_str`, so the store reads back what it wrote.
macro_rules! from_str_by_name {
    ($t:ty) => {
        impl std::str::FromStr for $t {
            type Err = crate::ticket::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| crate::ticket::UnknownName(s.chars().take(40).collect()))
            }
        }
    };
}

pub mod business_calendar;
pub mod custom_field;
pub mod customer;
pub mod email;
pub mod fcr;
pub mod import;
pub mod money;
pub mod order;
pub mod phone;
pub mod script;
pub mod sla;
pub mod template;
pub mod ticket;
mod typed_text;

pub use business_calendar::{BusinessCalendar, CalendarError, CalendarSpec};
pub use custom_field::{FieldDef, FieldDefs, FieldError, FieldKey, FieldKind, FieldValue};
pub use customer::{NewCustomer, merge};
pub use email::{Email, EmailError};
pub use fcr::{Fcr, FcrContact, fcr};
pub use import::{ColumnMapping, CustomerReader, ImportError, ImportedRow, RowError, Target};
pub use money::{Currency, Money, MoneyError};
pub use order::{
    Catalog, OrderError, OrderLine, OrderStatus, PricedLine, PricedOrder, Product, Sku, price_order,
};
pub use phone::{E164, PhoneError, Region, normalize_phone};
pub use script::{
    Answer, AnswerValue, ChoiceOption, Page, Question, QuestionKind, RenderedPage, Script,
    ScriptError, ScriptRun, ScriptSpec, Step,
};
pub use sla::{
    ClockReading, SlaClock, SlaError, SlaEvent, SlaMonitor, SlaPolicies, SlaPolicy, SlaReading,
    SlaTarget, SlaTimeline,
};
pub use template::render_template;
pub use ticket::{
    Assignee, Priority, TicketAction, TicketId, TicketState, Tier, TransitionError, UnknownName,
    apply,
};
