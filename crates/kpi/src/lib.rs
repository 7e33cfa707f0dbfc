//! The figures every report uses — service level, abandonment rate, ASA, AHT, per queue, per
//! interval and per agent — computed from the interaction log exactly as DESIGN.md's
//! "Definitions" say. The supervisor's floor view and wallboard use it for today; reporting and
//! workforce management reuse it over any day.
//!
//! Sans-IO: no clock, no IO. Events carry their time (unix ms, as the log stores them), and
//! [`Day::figures`] takes the instant to report at.
//!
//! # Drive loop
//! ```
//! use kpi::{AgentId, Config, ContactEvent, ContactId, ContactWhat, Day, Input};
//!
//! let midnight = 1_764_028_800_000; // the day's start in the tenant's zone
//! let mut day = Day::new(Config::new(midnight, midnight + 86_400_000));
//! let at = |secs: i64| midnight + 9 * 3_600_000 + secs * 1000;
//! let call = ContactId(1);
//! for (secs, what) in [
//!     (0, ContactWhat::Queued { queue: "sales".into() }),
//!     (12, ContactWhat::Answered { agent: AgentId(1001) }),
//!     (72, ContactWhat::Ended),
//! ] {
//!     day.handle(Input::Contact(ContactEvent { contact: call, at_ms: at(secs), what }));
//! }
//! let figures = day.figures(at(80));
//! assert_eq!(figures.queues[0].service_level, Some(1.0)); // answered in 12 s ≤ 20 s
//! assert_eq!(figures.queues[0].asa_secs, Some(12.0));
//! ```
//! The server seeds a [`Day`] from the store's events of today ([`Day::replay`] sorts them by
//! time), then feeds each event as it is logged, and asks for [`Day::figures`] when it shows
//! them; at midnight it starts a new [`Day`].
//!
//! # Counting rules (where DESIGN.md leaves a choice)
//! - A contact is offered in every queue it enters (`queued`, or `overflowed` into it), in the
//!   interval it entered it; the all-queues total counts it once, where it first entered.
//! - Waits are measured from event times: answered within T when the wait is at most T;
//!   a short abandon when the wait is under the short-abandon threshold (as `acd` counts it).
//! - A contact that leaves a queue otherwise (overflow, the queue letting it go, a hang-up the
//!   log does not call an abandon) stays offered there with no answer: it lowers SL.
//! - Handled: an agent's conversation that ended (`ended`, `after_call`, `transferred`); talk
//!   excludes hold; wrap-up counts once it ends, for the agent's last conversation's queue.
//!
//! No dependency but `serde` (the figures serialise as the API shows them).
#![warn(missing_docs)]

mod config;
mod day;
mod figures;
mod input;
mod tally;

pub use config::{
    BASE_INTERVAL_MS, Config, DEFAULT_SERVICE_LEVEL, DEFAULT_SHORT_ABANDON, IntervalLength,
    Thresholds,
};
pub use day::Day;
pub use figures::{AgentFigures, Figures, IntervalFigures, IntervalSeries, QueueFigures};
pub use input::{AgentEvent, AgentId, AgentState, ContactEvent, ContactId, ContactWhat, Input};
pub use tally::{Counts, Handling};
