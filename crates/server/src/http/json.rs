//! The JSON shapes the API answers with, and how times are written in them.

use std::time::{Duration, UNIX_EPOCH};

use serde::Serialize;
use store::{Cdr, EndCause, Interaction, InteractionId, User, UserId};
use utoipa::ToSchema;

use crate::control::AgentLive;

/// A unix-ms time as RFC 3339 in UTC with milliseconds (`2026-11-25T12:34:56.789Z`).
pub fn rfc3339(ms: i64) -> String {
    let ms = u64::try_from(ms).unwrap_or(0);
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

fn rfc3339_opt(ms: Option<i64>) -> Option<String> {
    ms.map(rfc3339)
}

/// The CDR part of a call.
#[derive(Debug, Serialize, ToSchema)]
pub struct CdrJson {
    queue: Option<String>,
    agent: Option<String>,
    arrived_at: String,
    arrived_at_ms: i64,
    queued_at: Option<String>,
    queued_at_ms: Option<i64>,
    answered_at: Option<String>,
    answered_at_ms: Option<i64>,
    ended_at: Option<String>,
    ended_at_ms: Option<i64>,
    wait_ms: Option<i64>,
    talk_ms: Option<i64>,
    hold_ms: i64,
    #[schema(value_type = Option<String>)]
    end_cause: Option<EndCause>,
    abandoned: bool,
    offers: u32,
    digits: String,
    recording_url: Option<String>,
    /// The caller asked to be called back; the outcome is `answered_at` or `end_cause`.
    callback: bool,
    callback_failed_attempts: u32,
}

impl From<&Cdr> for CdrJson {
    fn from(cdr: &Cdr) -> Self {
        CdrJson {
            queue: cdr.queue.clone(),
            agent: cdr.agent.clone(),
            arrived_at: rfc3339(cdr.arrived_at_ms),
            arrived_at_ms: cdr.arrived_at_ms,
            queued_at: rfc3339_opt(cdr.queued_at_ms),
            queued_at_ms: cdr.queued_at_ms,
            answered_at: rfc3339_opt(cdr.answered_at_ms),
            answered_at_ms: cdr.answered_at_ms,
            ended_at: rfc3339_opt(cdr.ended_at_ms),
            ended_at_ms: cdr.ended_at_ms,
            wait_ms: cdr.wait_ms,
            talk_ms: cdr.talk_ms,
            hold_ms: cdr.hold_ms,
            end_cause: cdr.end_cause,
            abandoned: cdr.abandoned,
            offers: cdr.offers,
            digits: cdr.digits.clone(),
            recording_url: cdr
                .recording
                .as_ref()
                .map(|_| format!("/api/v1/recordings/{}", cdr.interaction_id)),
            callback: cdr.callback,
            callback_failed_attempts: cdr.callback_failed_attempts,
        }
    }
}

/// A call as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallJson {
    #[schema(value_type = String)]
    id: InteractionId,
    #[schema(value_type = String)]
    channel: store::Channel,
    #[schema(value_type = String)]
    direction: store::Direction,
    caller: String,
    dialed: String,
    created_at: String,
    created_at_ms: i64,
    ended_at: Option<String>,
    ended_at_ms: Option<i64>,
    open: bool,
    cdr: Option<CdrJson>,
}

impl CallJson {
    /// An interaction with its CDR (`None` only if its events could not be read with it).
    pub fn new(interaction: &Interaction, cdr: Option<&Cdr>) -> Self {
        CallJson {
            id: interaction.id,
            channel: interaction.channel,
            direction: interaction.direction,
            caller: interaction.caller.clone(),
            dialed: interaction.dialed.clone(),
            created_at: rfc3339(interaction.created_at_ms),
            created_at_ms: interaction.created_at_ms,
            ended_at: rfc3339_opt(interaction.ended_at_ms),
            ended_at_ms: interaction.ended_at_ms,
            open: interaction.ended_at_ms.is_none(),
            cdr: cdr.map(CdrJson::from),
        }
    }
}

/// An event of a call.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventJson {
    seq: i64,
    at: String,
    at_ms: i64,
    #[schema(value_type = String)]
    kind: store::EventKind,
    #[schema(value_type = Object)]
    data: serde_json::Value,
}

impl From<&store::Event> for EventJson {
    fn from(event: &store::Event) -> Self {
        EventJson {
            seq: event.seq,
            at: rfc3339(event.at_ms),
            at_ms: event.at_ms,
            kind: event.kind,
            data: event.data.clone(),
        }
    }
}

/// An agent with its live state.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentJson {
    #[schema(value_type = i64)]
    id: UserId,
    username: String,
    display_name: String,
    extension: Option<String>,
    enabled: bool,
    /// `None` when the control plane does not track the agent (disabled, just created).
    #[schema(value_type = Option<String>)]
    state: Option<&'static str>,
    reason: Option<String>,
    since: Option<String>,
    since_ms: Option<i64>,
    time_in_state_ms: Option<i64>,
    #[schema(value_type = Option<String>)]
    interaction: Option<InteractionId>,
    registered: bool,
}

impl AgentJson {
    /// A user and, if known, its live state, at `now_ms`.
    pub fn new(user: &User, live: Option<&AgentLive>, now_ms: i64) -> Self {
        AgentJson {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            extension: user.extension.clone(),
            enabled: user.enabled,
            state: live.map(|l| l.state.as_str()),
            reason: live.and_then(|l| l.reason.clone()),
            since: live.map(|l| rfc3339(l.since_ms)),
            since_ms: live.map(|l| l.since_ms),
            time_in_state_ms: live.map(|l| (now_ms - l.since_ms).max(0)),
            interaction: live.and_then(|l| l.interaction),
            registered: live.is_some_and(|l| l.registered),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(rfc3339(-5), "1970-01-01T00:00:00.000Z");
    }
}
