//! Turns committed log entries into [`LiveEvent`]s. An event row alone does not say which
//! queue or agent its call belongs to (an `ended` names neither), so the tracker remembers,
//! per open interaction, its caller, its queue (`queued`, `overflowed`) and its agent
//! (`offered`, `answered`), and forgets the interaction at `ended`. It also caches agents'
//! extensions, which the log writer looks up in the store on a miss.
//!
//! Memory is bounded: past [`MAX_CALLS`] open interactions (calls whose `ended` never came,
//! e.g. logged by a process that died), the table is cleared and rebuilt from the next events.

use std::collections::HashMap;

use serde_json::Value;
use store::{EventKind, InteractionId, NewAgentEvent, NewEvent, TenantId, UserId};

use super::{LiveEvent, state_name};
use crate::log::LogEntry;

/// Open interactions remembered at most.
pub const MAX_CALLS: usize = 100_000;

#[derive(Debug, Default, Clone)]
struct CallInfo {
    caller: Option<String>,
    queue: Option<String>,
    agent: Option<UserId>,
}

/// See the module doc.
#[derive(Debug, Default)]
pub struct Tracker {
    calls: HashMap<(TenantId, InteractionId), CallInfo>,
    extensions: HashMap<(TenantId, UserId), Option<String>>,
}

impl Tracker {
    /// Agents of `entries` whose extension is not known yet.
    pub fn missing_extensions<'a>(
        &self,
        tenant: TenantId,
        entries: impl IntoIterator<Item = &'a LogEntry>,
    ) -> Vec<UserId> {
        let mut missing: Vec<UserId> = entries
            .into_iter()
            .filter_map(|entry| match entry {
                LogEntry::AgentEvent { event, .. } => Some(event.user_id),
                _ => None,
            })
            .filter(|user| !self.extensions.contains_key(&(tenant, *user)))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    /// Remembers an agent's extension (`None`: they have none).
    pub fn learn_extension(&mut self, tenant: TenantId, user: UserId, extension: Option<String>) {
        if self.extensions.len() >= MAX_CALLS {
            self.extensions.clear();
        }
        self.extensions.insert((tenant, user), extension);
    }

    /// The live event of a committed entry; `None` for entries pages do not show
    /// (registrations, the interaction row itself).
    pub fn live_event(&mut self, tenant: TenantId, entry: &LogEntry) -> Option<LiveEvent> {
        match entry {
            LogEntry::Interaction { interaction, .. } => {
                self.call(tenant, interaction.id).caller = Some(interaction.caller.clone());
                None
            }
            LogEntry::Event { event, .. } => Some(self.interaction_event(tenant, event)),
            LogEntry::AgentEvent { event, .. } => self.agent_state(tenant, event),
            LogEntry::Registrations { .. } => None,
        }
    }

    fn call(&mut self, tenant: TenantId, id: InteractionId) -> &mut CallInfo {
        if self.calls.len() >= MAX_CALLS && !self.calls.contains_key(&(tenant, id)) {
            self.calls.clear();
        }
        self.calls.entry((tenant, id)).or_default()
    }

    fn interaction_event(&mut self, tenant: TenantId, event: &NewEvent) -> LiveEvent {
        let user = event
            .data
            .get("user_id")
            .and_then(Value::as_i64)
            .map(UserId);
        let text = |key: &str| {
            event
                .data
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let call = self.call(tenant, event.interaction_id);
        match event.kind {
            EventKind::Queued => call.queue = text("queue"),
            EventKind::Overflowed => call.queue = text("to"),
            EventKind::Offered | EventKind::Answered => call.agent = user,
            _ => {}
        }
        let info = call.clone();
        if event.kind == EventKind::Ended {
            self.calls.remove(&(tenant, event.interaction_id));
        }
        LiveEvent::InteractionEvent {
            interaction: event.interaction_id,
            kind: event.kind,
            at_ms: event.at_ms,
            // An offer_missed names the agent who missed it, who must see it.
            agent: user.or(info.agent),
            queue: info.queue,
            caller: info.caller,
            data: event.data.clone(),
        }
    }

    fn agent_state(&self, tenant: TenantId, event: &NewAgentEvent) -> Option<LiveEvent> {
        if event.kind != EventKind::AgentStateChanged {
            return None;
        }
        let to = event.data.get("to").and_then(Value::as_str)?;
        Some(LiveEvent::AgentState {
            agent: event.user_id,
            extension: self
                .extensions
                .get(&(tenant, event.user_id))
                .cloned()
                .flatten(),
            state: state_name(to).to_owned(),
            reason: event
                .data
                .get("reason")
                .and_then(Value::as_str)
                .map(str::to_owned),
            since_ms: event.at_ms,
            interaction: event.interaction_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::{EndCause, NewInteraction};

    const T: TenantId = TenantId(1);

    fn id() -> InteractionId {
        InteractionId::from_parts(1_700_000_000_000, 42)
    }

    fn ev(event: NewEvent) -> LogEntry {
        LogEntry::Event { tenant: T, event }
    }

    #[test]
    fn later_events_of_a_call_carry_its_queue_agent_and_caller() {
        let mut tracker = Tracker::default();
        let call = LogEntry::Interaction {
            tenant: T,
            interaction: NewInteraction::inbound_call(id(), "+33612345678", "+33100000000", 1),
        };
        assert_eq!(tracker.live_event(T, &call), None);
        tracker.live_event(T, &ev(NewEvent::queued(id(), 2, "sales")));
        tracker.live_event(T, &ev(NewEvent::offered(id(), 3, "ann", UserId(5))));
        let Some(LiveEvent::InteractionEvent {
            agent,
            queue,
            caller,
            kind,
            ..
        }) = tracker.live_event(T, &ev(NewEvent::ended(id(), 4, EndCause::CallerHangup)))
        else {
            panic!("an interaction event")
        };
        assert_eq!(kind, EventKind::Ended);
        assert_eq!(agent, Some(UserId(5)));
        assert_eq!(queue.as_deref(), Some("sales"));
        assert_eq!(caller.as_deref(), Some("+33612345678"));
        assert!(tracker.calls.is_empty(), "forgotten at ended");
    }

    #[test]
    fn agent_state_changes_map_available_to_ready_with_the_extension() {
        let mut tracker = Tracker::default();
        let entry = LogEntry::AgentEvent {
            tenant: T,
            event: NewAgentEvent::state_changed(UserId(5), 10, "logged_out", "available", None),
        };
        assert_eq!(tracker.missing_extensions(T, [&entry]), vec![UserId(5)]);
        tracker.learn_extension(T, UserId(5), Some("1001".to_owned()));
        assert!(tracker.missing_extensions(T, [&entry]).is_empty());
        let Some(LiveEvent::AgentState {
            state,
            extension,
            since_ms,
            ..
        }) = tracker.live_event(T, &entry)
        else {
            panic!("an agent state")
        };
        assert_eq!(state, "ready");
        assert_eq!(extension.as_deref(), Some("1001"));
        assert_eq!(since_ms, 10);
    }
}
