//! The interaction log, as stored or as the hub publishes it, mapped to the `kpi` engine's
//! inputs: one mapping for seeding from the store and for live feeding.

use serde_json::Value;
use store::{EventKind, InteractionId, UserId};

use crate::events::LiveEvent;

/// The `kpi` contact id of an interaction (its 128 bits, written as 32 hex digits).
pub fn contact_id(interaction: InteractionId) -> kpi::ContactId {
    kpi::ContactId(u128::from_str_radix(&interaction.to_string(), 16).unwrap_or(0))
}

fn text(data: &Value, key: &str) -> Option<String> {
    data.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// An interaction event as a `kpi` input; `None` for kinds the figures do not use.
/// `agent` is the answering agent when the caller knows it apart from the data.
pub fn contact_input(
    interaction: InteractionId,
    kind: EventKind,
    at_ms: i64,
    data: &Value,
    agent: Option<UserId>,
) -> Option<kpi::Input> {
    use kpi::ContactWhat as W;
    let what = match kind {
        EventKind::Queued => W::Queued {
            queue: text(data, "queue")?,
        },
        EventKind::Overflowed => W::Overflowed {
            to: text(data, "to")?,
        },
        EventKind::Answered => {
            let agent = data
                .get("user_id")
                .and_then(Value::as_i64)
                .or(agent.map(|a| a.0))?;
            W::Answered {
                agent: kpi::AgentId(agent),
            }
        }
        EventKind::Hold => W::Hold,
        EventKind::Unhold => W::Unhold,
        EventKind::Transferred => W::Transferred,
        EventKind::AfterCall => W::AfterCall,
        EventKind::Abandoned => W::Abandoned,
        EventKind::Ended => W::Ended,
        _ => return None,
    };
    Some(kpi::Input::Contact(kpi::ContactEvent {
        contact: contact_id(interaction),
        at_ms,
        what,
    }))
}

/// A state name as the log (`available`) or the socket (`ready`) writes it.
fn state(name: &str) -> Option<kpi::AgentState> {
    kpi::AgentState::from_name(if name == "ready" { "available" } else { name })
}

/// A stored agent event as a `kpi` input.
pub fn agent_input(event: &store::AgentEvent) -> Option<kpi::Input> {
    if event.kind != EventKind::AgentStateChanged {
        return None;
    }
    let to = state(event.data.get("to")?.as_str()?)?;
    let from = event
        .data
        .get("from")
        .and_then(Value::as_str)
        .and_then(state);
    Some(kpi::Input::Agent(kpi::AgentEvent {
        agent: kpi::AgentId(event.user_id.0),
        at_ms: event.at_ms,
        from,
        to,
    }))
}

/// A live event as a `kpi` input (the floor's own events and unknown kinds give `None`).
pub fn live_input(event: &LiveEvent) -> Option<kpi::Input> {
    match event {
        LiveEvent::InteractionEvent {
            interaction,
            kind,
            at_ms,
            agent,
            data,
            ..
        } => contact_input(*interaction, *kind, *at_ms, data, *agent),
        LiveEvent::AgentState {
            agent,
            state: name,
            since_ms,
            ..
        } => Some(kpi::Input::Agent(kpi::AgentEvent {
            agent: kpi::AgentId(agent.0),
            at_ms: *since_ms,
            from: None,
            to: state(name)?,
        })),
        LiveEvent::Raw(_) => None,
    }
}

/// What identifies an input whether it came from the store or the hub (which does not say
/// the state before a change): for dropping the hub's copies of events the seed already read.
pub fn same_event_key(input: &kpi::Input) -> kpi::Input {
    match input {
        kpi::Input::Agent(event) => kpi::Input::Agent(kpi::AgentEvent {
            from: None,
            ..*event
        }),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answered_events_name_the_agent_from_their_data() {
        let id = InteractionId::from_parts(5, 9);
        let input = contact_input(
            id,
            EventKind::Answered,
            7,
            &json!({"agent": "ann", "user_id": 3}),
            None,
        );
        assert_eq!(
            input,
            Some(kpi::Input::Contact(kpi::ContactEvent {
                contact: contact_id(id),
                at_ms: 7,
                what: kpi::ContactWhat::Answered {
                    agent: kpi::AgentId(3)
                },
            }))
        );
    }

    #[test]
    fn interactions_keep_distinct_contact_ids() {
        let a = InteractionId::from_parts(5, 9);
        let b = InteractionId::from_parts(5, 10);
        assert_ne!(contact_id(a), contact_id(b));
    }

    #[test]
    fn the_sockets_ready_is_the_logs_available() {
        let event = LiveEvent::AgentState {
            agent: UserId(4),
            extension: None,
            state: "ready".to_owned(),
            reason: None,
            since_ms: 11,
            interaction: None,
        };
        let Some(kpi::Input::Agent(agent)) = live_input(&event) else {
            panic!("an agent input");
        };
        assert_eq!((agent.to, agent.at_ms), (kpi::AgentState::Available, 11));
    }

    #[test]
    fn kinds_the_figures_do_not_use_are_skipped() {
        let id = InteractionId::from_parts(5, 9);
        assert_eq!(
            contact_input(id, EventKind::Digit, 1, &json!({"digit": "1"}), None),
            None
        );
    }
}
