//! The live-event hub: what the agent desktops, supervisor pages and wallboards see change as
//! it happens, fanned out to every `/api/v1/events` socket (`http/events.rs`).
//!
//! ```text
//! log writer ──(after each commit)──▶ Hub::publish ──▶ broadcast (bounded) ──▶ one receiver
//! FLOOR's ticker ─────────────────────▶                                        per socket
//! ```
//!
//! - **Cheap and never blocking.** [`Hub::publish`] is synchronous: the event is serialised to
//!   JSON once, wrapped in an `Arc`, and put in a `tokio::sync::broadcast` ring of
//!   [`HUB_CAPACITY`] events. A publisher never waits; a receiver that falls more than the
//!   capacity behind loses the oldest events and is told how many ([`Received::Lagged`]), which
//!   the socket forwards as `{"type":"lagged","missed":n}` before carrying on.
//! - **Durable first.** The log writer publishes interaction and agent events only once their
//!   batch is committed, so a page never shows what a crash could take back.
//! - **Who sees what** is decided per socket by [`Published::visible_to`]: everything of the
//!   tenant for floor roles; for an agent, only events about them ([`Published::agent`]): their
//!   own state, and the events of a call while it is offered to or handled by them.
//!
//! JSON shapes (one object per frame, `type` first) are [`LiveEvent`]'s; the socket adds its
//! own (`pong`, `lagged`, the webphone's).

mod tracker;

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use serde::Serialize;
use serde_json::Value;
use store::{EventKind, InteractionId, TenantId, UserId};
use tokio::sync::broadcast;

pub use tracker::Tracker;

/// Events the hub keeps for slow receivers before they lag.
pub const HUB_CAPACITY: usize = 4_096;

/// One live event, as sent on the socket.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// An event of an interaction's log.
    InteractionEvent {
        /// The interaction.
        interaction: InteractionId,
        /// What happened (`offered`, `answered`, `ended`...; see `store::event`).
        kind: EventKind,
        /// When (unix ms).
        at_ms: i64,
        /// The agent the call is offered to or handled by, if any.
        agent: Option<UserId>,
        /// The queue the call is (or was last) in, if any.
        queue: Option<String>,
        /// The caller's number, when known (the desktop shows it on an offer).
        caller: Option<String>,
        /// The event's data (see `store::event`).
        data: Value,
    },
    /// An agent's state changed.
    AgentState {
        /// The agent.
        agent: UserId,
        /// Their SIP extension.
        extension: Option<String>,
        /// `ready`, `not_ready`, `wrap_up`, `on_call`, `ringing` or `logged_out`.
        state: String,
        /// The not-ready reason.
        reason: Option<String>,
        /// Since when (unix ms).
        since_ms: i64,
        /// The call the state is about (ringing, on call, wrap-up), if any.
        interaction: Option<InteractionId>,
    },
    /// Floor figures (FLOOR's; any object with `"type":"floor"`), for floor roles only.
    #[serde(untagged)]
    Raw(Value),
}

/// The state names of the socket for the acd's (`available` is `ready` on the pages).
pub fn state_name(acd_state: &str) -> &str {
    match acd_state {
        "available" => "ready",
        other => other,
    }
}

/// An event as published: its tenant, who may see it, and its JSON text.
#[derive(Debug)]
pub struct Published {
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// The agent it is about (who may see it besides floor roles); `None`: floor roles only.
    pub agent: Option<UserId>,
    /// The event.
    pub event: LiveEvent,
    /// The event's JSON, made once for every socket (cheap to clone).
    pub json: Utf8Bytes,
}

impl Published {
    /// Whether a socket of `user` of `tenant` gets it; `floor` for roles that read the floor.
    pub fn visible_to(&self, tenant: TenantId, user: UserId, floor: bool) -> bool {
        self.tenant == tenant && (floor || self.agent == Some(user))
    }
}

/// What a subscription hands out next.
#[derive(Debug)]
pub enum Received {
    /// An event.
    Event(Arc<Published>),
    /// The receiver fell behind and `n` events were dropped for it.
    Lagged(u64),
    /// The hub is gone (shutdown).
    Closed,
}

/// The hub; cheap to clone.
#[derive(Debug, Clone)]
pub struct Hub {
    sender: broadcast::Sender<Arc<Published>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new(HUB_CAPACITY)
    }
}

impl Hub {
    /// A hub keeping `capacity` events for slow receivers.
    pub fn new(capacity: usize) -> Hub {
        let (sender, _) = broadcast::channel(capacity.max(1));
        Hub { sender }
    }

    /// Publishes an event of `tenant` about `agent` (see [`Published::agent`]). Never waits.
    pub fn publish(&self, tenant: TenantId, agent: Option<UserId>, event: LiveEvent) {
        if self.sender.receiver_count() == 0 {
            return;
        }
        let json = match serde_json::to_string(&event) {
            Ok(json) => json,
            Err(error) => {
                tracing::warn!(%error, "live event not serialisable");
                return;
            }
        };
        // An error only means every receiver has gone since the check: nobody to tell.
        let _ = self.sender.send(Arc::new(Published {
            tenant,
            agent,
            event,
            json: Utf8Bytes::from(json),
        }));
    }

    /// Publishes an event and derives who may see it from its content.
    pub fn publish_event(&self, tenant: TenantId, event: LiveEvent) {
        let agent = match &event {
            LiveEvent::InteractionEvent { agent, .. } => *agent,
            LiveEvent::AgentState { agent, .. } => Some(*agent),
            LiveEvent::Raw(_) => None,
        };
        self.publish(tenant, agent, event);
    }

    /// A new receiver of everything published from now on.
    pub fn subscribe(&self) -> Subscription {
        Subscription {
            receiver: self.sender.subscribe(),
        }
    }

    /// Receivers connected (sockets open).
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }
}

/// One socket's view of the hub.
#[derive(Debug)]
pub struct Subscription {
    receiver: broadcast::Receiver<Arc<Published>>,
}

impl Subscription {
    /// The next event, or how many were missed. Cancel-safe.
    pub async fn recv(&mut self) -> Received {
        match self.receiver.recv().await {
            Ok(event) => Received::Event(event),
            Err(broadcast::error::RecvError::Lagged(n)) => Received::Lagged(n),
            Err(broadcast::error::RecvError::Closed) => Received::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state(agent: i64) -> LiveEvent {
        LiveEvent::AgentState {
            agent: UserId(agent),
            extension: Some("1001".to_owned()),
            state: "ready".to_owned(),
            reason: None,
            since_ms: 5,
            interaction: None,
        }
    }

    #[test]
    fn agent_state_json_has_its_type_first() {
        let text = serde_json::to_string(&state(7)).unwrap();
        assert!(
            text.starts_with(r#"{"type":"agent_state","agent":7,"#),
            "{text}"
        );
    }

    #[test]
    fn interaction_event_json_names_kind_agent_and_queue() {
        let event = LiveEvent::InteractionEvent {
            interaction: InteractionId::from_parts(1, 2),
            kind: EventKind::Offered,
            at_ms: 9,
            agent: Some(UserId(3)),
            queue: Some("sales".to_owned()),
            caller: None,
            data: json!({"agent": "ann", "user_id": 3}),
        };
        let value = serde_json::to_value(&event).unwrap();
        assert_eq!(value["type"], "interaction_event");
        assert_eq!(value["kind"], "offered");
        assert_eq!(value["agent"], 3);
        assert_eq!(value["queue"], "sales");
        assert_eq!(value["data"]["agent"], "ann");
    }

    #[test]
    fn raw_events_serialise_as_they_are() {
        let text = serde_json::to_string(&LiveEvent::Raw(json!({"type": "floor"}))).unwrap();
        assert_eq!(text, r#"{"type":"floor"}"#);
    }

    #[tokio::test]
    async fn a_subscriber_receives_what_is_published_after_it_subscribed() {
        let hub = Hub::new(8);
        hub.publish_event(TenantId(1), state(1));
        let mut sub = hub.subscribe();
        hub.publish_event(TenantId(1), state(2));
        match sub.recv().await {
            Received::Event(p) => assert_eq!(p.event, state(2)),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_slow_subscriber_is_told_how_many_it_missed_and_goes_on() {
        let hub = Hub::new(2);
        let mut sub = hub.subscribe();
        for agent in 1..=5 {
            hub.publish_event(TenantId(1), state(agent));
        }
        assert!(matches!(sub.recv().await, Received::Lagged(3)));
        match sub.recv().await {
            Received::Event(p) => assert_eq!(p.event, state(4)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn agents_see_only_their_own_events_and_floor_roles_their_tenants() {
        let hub = Hub::new(4);
        let mut sub = hub.subscribe();
        hub.publish_event(TenantId(1), state(7));
        let Ok(p) = sub.receiver.try_recv() else {
            panic!("published")
        };
        assert!(p.visible_to(TenantId(1), UserId(7), false));
        assert!(!p.visible_to(TenantId(1), UserId(8), false));
        assert!(p.visible_to(TenantId(1), UserId(8), true));
        assert!(!p.visible_to(TenantId(2), UserId(7), true));
    }

    #[test]
    fn acd_available_is_ready_on_the_socket() {
        assert_eq!(state_name("available"), "ready");
        assert_eq!(state_name("wrap_up"), "wrap_up");
    }
}
