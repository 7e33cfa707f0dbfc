//! Service-level targets on tickets: first response and resolution, counted in business
//! hours of the tenant's [`BusinessCalendar`].
//!
//! - The **first-response** clock runs from creation to the first agent reply (or the
//!   resolution, if the ticket is solved without one). Waiting for the customer does not pause
//!   it: the customer is waiting for us.
//! - The **resolution** clock runs while the ticket is active and is **paused while the ticket
//!   is pending the customer** (we cannot solve it without their answer); it stops when the
//!   ticket is resolved or closed and, if the ticket is reopened, runs on with what was left.
//! - A clock is breached at the instant its business time reaches the target without the
//!   response or resolution: an answer exactly at the due time is on time.
//!
//! [`SlaClock`] reads one ticket's clocks; [`SlaMonitor`] watches many tickets and says when
//! one breaches. The monitor is sans-IO, driven like the other engines:
//!
//! ```
//! use std::time::Duration;
//! use crm::{BusinessCalendar, Priority, SlaEvent, SlaMonitor, SlaPolicies, SlaPolicy, TicketId};
//! let policy = SlaPolicy { first_response: Duration::from_secs(3600), resolution: Duration::from_secs(8 * 3600) };
//! let policies = SlaPolicies { low: policy, normal: policy, high: policy, urgent: policy };
//! let mut monitor = SlaMonitor::new(BusinessCalendar::always_open(), policies);
//! let t0: jiff::Timestamp = "2026-12-01T09:00:00Z".parse()?; // the server's clock
//! monitor.handle_created(t0, TicketId(1), Priority::Normal)?;
//! // The server sleeps until `poll_timeout()` or the next ticket event, whichever comes first.
//! while let Some(deadline) = monitor.poll_timeout() {
//!     monitor.handle_timeout(deadline)?;
//!     while let Some(SlaEvent::Breached { ticket, which, at }) = monitor.poll_event() {
//!         // Notify the supervisor, mark the ticket, raise its priority...
//!         assert_eq!((ticket, at), (TicketId(1), t0 + jiff::SignedDuration::from_hours(1)));
//!         # let _ = which; break;
//!     }
//!     # break;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::business_calendar::{BusinessCalendar, CalendarError};
use crate::ticket::{Priority, TicketId, TicketState};

/// Errors reading clocks or driving the monitor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    /// The calendar could not count (dates out of range).
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The monitor does not watch this ticket.
    #[error("ticket {0} is not watched")]
    UnknownTicket(TicketId),
}

/// Targets for one priority, in business time. JSON: whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// Creation to first agent reply.
    #[serde(with = "seconds")]
    pub first_response: Duration,
    /// Creation to resolution, pauses excluded.
    #[serde(with = "seconds")]
    pub resolution: Duration,
}

/// A tenant's targets per priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicies {
    /// For low priority tickets.
    pub low: SlaPolicy,
    /// For normal priority tickets.
    pub normal: SlaPolicy,
    /// For high priority tickets.
    pub high: SlaPolicy,
    /// For urgent tickets.
    pub urgent: SlaPolicy,
}

impl SlaPolicies {
    /// The targets for `priority`.
    pub fn for_priority(&self, priority: Priority) -> &SlaPolicy {
        match priority {
            Priority::Low => &self.low,
            Priority::Normal => &self.normal,
            Priority::High => &self.high,
            Priority::Urgent => &self.urgent,
        }
    }
}

/// Which of a ticket's two clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// Time to the first agent reply.
    FirstResponse,
    /// Time to resolution.
    Resolution,
}

/// What the clocks need to know of a ticket's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTimeline {
    /// When the ticket was created (state `New`).
    pub created: Timestamp,
    /// Its priority now; the targets follow a priority change from creation on.
    pub priority: Priority,
    /// The first agent reply, if any.
    pub first_response: Option<Timestamp>,
    /// Each later state change, in time order.
    pub states: Vec<(Timestamp, TicketState)>,
}

impl SlaTimeline {
    /// A ticket created at `created`, nothing else happened yet.
    pub fn new(created: Timestamp, priority: Priority) -> SlaTimeline {
        SlaTimeline {
            created,
            priority,
            first_response: None,
            states: Vec::new(),
        }
    }

    fn first_resolution(&self) -> Option<Timestamp> {
        self.states
            .iter()
            .find(|(_, s)| !s.is_active())
            .map(|&(at, _)| at)
    }

    /// Intervals in which the resolution clock runs; the last may be open (`None`).
    fn resolution_runs(&self) -> Vec<(Timestamp, Option<Timestamp>)> {
        let runs = |s: TicketState| s.is_active() && s != TicketState::PendingCustomer;
        let mut out = Vec::new();
        let mut running_since = Some(self.created);
        for &(at, state) in &self.states {
            match (running_since, runs(state)) {
                (Some(since), false) => {
                    out.push((since, Some(at)));
                    running_since = None;
                }
                (None, true) => running_since = Some(at),
                _ => {}
            }
        }
        if let Some(since) = running_since {
            out.push((since, None));
        }
        out
    }
}

/// One clock's reading at some `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockReading {
    /// The target, business time.
    #[serde(with = "seconds")]
    pub target: Duration,
    /// Business time counted so far.
    #[serde(with = "seconds")]
    pub elapsed: Duration,
    /// Business time left before the target (zero once reached).
    #[serde(with = "seconds")]
    pub remaining: Duration,
    /// When the target will be reached if nothing changes; `None` when stopped or paused.
    pub due: Option<Timestamp>,
    /// When the target was missed, if it was.
    pub breached_at: Option<Timestamp>,
    /// Paused (the resolution clock, while pending the customer).
    pub paused: bool,
    /// Stopped: the response or resolution happened.
    pub stopped: bool,
}

impl ClockReading {
    /// Whether the target was missed.
    pub fn is_breached(&self) -> bool {
        self.breached_at.is_some()
    }
}

/// Both clocks of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaReading {
    /// Time to first response.
    pub first_response: ClockReading,
    /// Time to resolution.
    pub resolution: ClockReading,
}

/// Reads tickets' clocks on a calendar with a tenant's policies.
#[derive(Debug, Clone, Copy)]
pub struct SlaClock<'a> {
    /// Business hours.
    pub calendar: &'a BusinessCalendar,
    /// Targets per priority.
    pub policies: &'a SlaPolicies,
}

impl SlaClock<'_> {
    /// The clocks of `timeline` at `now`; history after `now` is ignored.
    pub fn read(&self, timeline: &SlaTimeline, now: Timestamp) -> Result<SlaReading, SlaError> {
        let policy = self.policies.for_priority(timeline.priority);
        let responded = match (timeline.first_response, timeline.first_resolution()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let first_response =
            self.measure(&[(timeline.created, responded)], policy.first_response, now)?;
        let runs = timeline.resolution_runs();
        let mut resolution = self.measure(&runs, policy.resolution, now)?;
        let current = timeline
            .states
            .iter()
            .rev()
            .find(|(at, _)| *at <= now)
            .map_or(TicketState::New, |&(_, s)| s);
        resolution.paused = current == TicketState::PendingCustomer;
        resolution.stopped = !current.is_active();
        Ok(SlaReading {
            first_response,
            resolution,
        })
    }

    fn measure(
        &self,
        runs: &[(Timestamp, Option<Timestamp>)],
        target: Duration,
        now: Timestamp,
    ) -> Result<ClockReading, SlaError> {
        let mut reading = ClockReading {
            target,
            elapsed: Duration::ZERO,
            remaining: target,
            due: None,
            breached_at: None,
            paused: false,
            stopped: false,
        };
        for &(start, end) in runs {
            if start > now {
                break;
            }
            let running_now = end.is_none_or(|e| e > now);
            let until = end.map_or(now, |e| e.min(now));
            let left = target.saturating_sub(reading.elapsed);
            let due = self.calendar.add_business(start, left)?;
            let missed = due < until || (running_now && due <= until);
            if missed && reading.breached_at.is_none() {
                reading.breached_at = Some(due);
            }
            if running_now {
                reading.due = Some(due);
            }
            reading.elapsed += self.calendar.business_between(start, until)?;
        }
        reading.remaining = target.saturating_sub(reading.elapsed);
        reading.stopped = runs
            .last()
            .is_some_and(|(_, end)| end.is_some_and(|e| e <= now));
        Ok(reading)
    }
}

/// Something the monitor tells the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlaEvent {
    /// A ticket missed a target; said once per ticket and target.
    Breached {
        /// The ticket.
        ticket: TicketId,
        /// Which target.
        which: SlaTarget,
        /// When the target was missed (the due time, possibly before `now`).
        at: Timestamp,
    },
}

/// Watches many tickets' clocks; see the module doc for the drive loop. Closed tickets are
/// forgotten; resolved ones stay watched, since they may be reopened (call
/// [`SlaMonitor::forget`] when they no longer can).
#[derive(Debug, Clone)]
pub struct SlaMonitor {
    calendar: BusinessCalendar,
    policies: SlaPolicies,
    tickets: HashMap<TicketId, Watched>,
    deadlines: BTreeSet<(Timestamp, TicketId, SlaTarget)>,
    events: VecDeque<SlaEvent>,
    now: Timestamp,
}

#[derive(Debug, Clone)]
struct Watched {
    timeline: SlaTimeline,
    /// Per target (first response, resolution): breach already reported; deadline scheduled.
    reported: [bool; 2],
    scheduled: [Option<Timestamp>; 2],
}

const TARGETS: [SlaTarget; 2] = [SlaTarget::FirstResponse, SlaTarget::Resolution];

impl SlaMonitor {
    /// A monitor counting on `calendar` with `policies`.
    pub fn new(calendar: BusinessCalendar, policies: SlaPolicies) -> SlaMonitor {
        SlaMonitor {
            calendar,
            policies,
            tickets: HashMap::new(),
            deadlines: BTreeSet::new(),
            events: VecDeque::new(),
            now: Timestamp::MIN,
        }
    }

    /// A new ticket, created at `now`.
    pub fn handle_created(
        &mut self,
        now: Timestamp,
        ticket: TicketId,
        priority: Priority,
    ) -> Result<(), SlaError> {
        self.handle_watch(now, ticket, SlaTimeline::new(now, priority))
    }

    /// Starts (or restarts) watching a ticket with its history, as the server does for open
    /// tickets when it starts. Breaches already in the history are reported.
    pub fn handle_watch(
        &mut self,
        now: Timestamp,
        ticket: TicketId,
        timeline: SlaTimeline,
    ) -> Result<(), SlaError> {
        self.forget(ticket);
        self.tickets.insert(
            ticket,
            Watched {
                timeline,
                reported: [false; 2],
                scheduled: [None; 2],
            },
        );
        self.refresh(now, ticket)
    }

    /// An agent replied to the customer at `now`; only the first reply matters.
    pub fn handle_first_response(
        &mut self,
        now: Timestamp,
        ticket: TicketId,
    ) -> Result<(), SlaError> {
        let now = self.advance(now);
        let watched = self.watched(ticket)?;
        watched.timeline.first_response.get_or_insert(now);
        self.refresh(now, ticket)
    }

    /// The ticket entered `state` at `now`. A closed ticket is forgotten after its last check.
    pub fn handle_state(
        &mut self,
        now: Timestamp,
        ticket: TicketId,
        state: TicketState,
    ) -> Result<(), SlaError> {
        let now = self.advance(now);
        self.watched(ticket)?.timeline.states.push((now, state));
        self.refresh(now, ticket)?;
        if state == TicketState::Closed {
            self.forget(ticket);
        }
        Ok(())
    }

    /// The ticket's priority changed; its targets now are the new priority's, counted from
    /// creation.
    pub fn handle_priority(
        &mut self,
        now: Timestamp,
        ticket: TicketId,
        priority: Priority,
    ) -> Result<(), SlaError> {
        self.watched(ticket)?.timeline.priority = priority;
        self.refresh(now, ticket)
    }

    /// Time passed: checks the tickets whose deadline is at or before `now`.
    pub fn handle_timeout(&mut self, now: Timestamp) -> Result<(), SlaError> {
        let now = self.advance(now);
        while let Some(&(due, ticket, _)) = self.deadlines.first() {
            if due > now {
                break;
            }
            self.deadlines.pop_first();
            self.refresh(now, ticket)?;
        }
        Ok(())
    }

    /// Stops watching a ticket.
    pub fn forget(&mut self, ticket: TicketId) {
        if let Some(watched) = self.tickets.remove(&ticket) {
            for (which, due) in TARGETS.into_iter().zip(watched.scheduled) {
                if let Some(due) = due {
                    self.deadlines.remove(&(due, ticket, which));
                }
            }
        }
    }

    /// The next event for the server.
    pub fn poll_event(&mut self) -> Option<SlaEvent> {
        self.events.pop_front()
    }

    /// When [`SlaMonitor::handle_timeout`] must next be called.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        self.deadlines.first().map(|&(due, _, _)| due)
    }

    /// A watched ticket's clocks at `now`, for its page.
    pub fn reading(&self, ticket: TicketId, now: Timestamp) -> Result<SlaReading, SlaError> {
        let watched = self
            .tickets
            .get(&ticket)
            .ok_or(SlaError::UnknownTicket(ticket))?;
        self.clock().read(&watched.timeline, now)
    }

    /// How many tickets are watched.
    pub fn len(&self) -> usize {
        self.tickets.len()
    }

    /// Whether no ticket is watched.
    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty()
    }

    fn clock(&self) -> SlaClock<'_> {
        SlaClock {
            calendar: &self.calendar,
            policies: &self.policies,
        }
    }

    /// The monitor's clock never runs backwards: an earlier `now` counts as the latest seen.
    fn advance(&mut self, now: Timestamp) -> Timestamp {
        self.now = self.now.max(now);
        self.now
    }

    fn watched(&mut self, ticket: TicketId) -> Result<&mut Watched, SlaError> {
        self.tickets
            .get_mut(&ticket)
            .ok_or(SlaError::UnknownTicket(ticket))
    }

    /// Re-reads a ticket's clocks: reports new breaches, reschedules deadlines.
    fn refresh(&mut self, now: Timestamp, ticket: TicketId) -> Result<(), SlaError> {
        let now = self.advance(now);
        let unknown = SlaError::UnknownTicket(ticket);
        let timeline = &self.tickets.get(&ticket).ok_or(unknown.clone())?.timeline;
        let reading = self.clock().read(timeline, now)?;
        let watched = self.tickets.get_mut(&ticket).ok_or(unknown)?;
        let clocks = [reading.first_response, reading.resolution];
        for (i, (which, clock)) in TARGETS.into_iter().zip(clocks).enumerate() {
            if let Some(old) = watched.scheduled[i].take() {
                self.deadlines.remove(&(old, ticket, which));
            }
            if watched.reported[i] {
                continue;
            }
            if let Some(at) = clock.breached_at {
                watched.reported[i] = true;
                self.events
                    .push_back(SlaEvent::Breached { ticket, which, at });
            } else if let Some(due) = clock.due {
                watched.scheduled[i] = Some(due);
                self.deadlines.insert((due, ticket, which));
            }
        }
        Ok(())
    }
}

/// `Duration` as whole seconds in JSON; sub-second targets make no sense for tickets.
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_secs)
    }
}

#[cfg(test)]
mod tests;
