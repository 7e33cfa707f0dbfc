//! The events of the interaction log: what kinds exist, what each kind's JSON data holds, and
//! constructors that write that data, so the keys the CDR reads are spelled in one place.
//!
//! | kind | data |
//! |---|---|
//! | `arrived` | `{}` (caller and dialled number are on the interaction) |
//! | `ivr_entered` | `{"flow": name, "version": n}` |
//! | `ivr_branch` | `{"node": name, "branch": "open"}` (business hours, conditions) |
//! | `ivr_http` | `{"status": 200, "ms": n}` or `{"error": "timeout"\|"connect"\|"not_json"..., "ms": n}` (a flow's HTTP request; never the body) |
//! | `digit` | `{"digit": "1"}` |
//! | `queued` | `{"queue": name}` |
//! | `offered` | `{"agent": username, "user_id": n}` |
//! | `offer_missed` | `{"agent": username, "user_id": n, "reason": "no_answer"\|"rejected"\|"busy"...}` |
//! | `answered` | `{"agent": username, "user_id": n}` |
//! | `hold`, `unhold` | `{}` |
//! | `transferred` | `{"to": target}`, and from the server `{"from": agent username, "to": "agent:1002"\|"queue:support", "by": "refer"\|"api"}`; an attended transfer adds `"kind": "attended"` |
//! | `consult_started` | `{"from": agent username, "to": agent username, "by": "phone"\|"api"}` (the caller waits on hold) |
//! | `consult_ended` | `{"to": agent username, "outcome": "cancelled"\|"unanswered"\|"transferred"\|"conference"}` |
//! | `conferenced` | `{"agents": [username, username]}` (caller and both agents hear each other) |
//! | `after_call` | `{}` (the agent hung up; the caller stays in the flow, for a survey) |
//! | `survey` | `{"survey": name, "score": 1–5}` (a post-call survey answer; CSAT counts 4 and 5) |
//! | `abandoned` | `{}` (the caller hung up while queued) |
//! | `overflowed` | `{"from": queue, "to": queue, "waited_ms": n}` (still queued, in `to` now) |
//! | `callback_requested` | `{"number": to call back, "queue": name}` (the caller hung up and keeps their place) |
//! | `callback_attempt_failed` | `{"attempt": n, "reason": "busy"\|"no_answer"\|"rejected"\|"unreachable"\|"agent_no_answer"}` |
//! | `ended` | `{"cause": EndCause}` |
//! | `recording_started`, `recording_stopped` | `{"recording": relative path}` |
//! | `agent_state_changed` | `{"from": state, "to": state, "reason": text or null}` (agent log) |
//!
//! Events are only ever appended ([`crate::TenantStore::append_log`]); the database refuses
//! UPDATE and DELETE on them.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ids::{AgentEventId, InteractionId, UserId};
use crate::text_enum::text_enum;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The call reached the server.
    Arrived,
    /// The call entered an IVR flow.
    IvrEntered,
    /// A branching node of the flow chose a branch (business hours: `open`, `closed`,
    /// `holiday`; a condition: `then`, `else`).
    IvrBranch,
    /// A flow's `http` node had its answer, or its request failed.
    IvrHttp,
    /// The caller pressed a key.
    Digit,
    /// The call joined a queue.
    Queued,
    /// The call was offered to an agent (their phone rings).
    Offered,
    /// An offer was not taken (no answer, rejected, busy).
    OfferMissed,
    /// An agent answered.
    Answered,
    /// The call was put on hold.
    Hold,
    /// The call was taken off hold.
    Unhold,
    /// The call was transferred.
    Transferred,
    /// The agent called another agent about the call (the caller on hold).
    ConsultStarted,
    /// That consultation ended (cancelled, unanswered, or the call was transferred to it).
    ConsultEnded,
    /// The caller, the agent and the consulted agent were joined in a conference.
    Conferenced,
    /// The agent hung up and the caller went on in the flow (an after-call survey).
    AfterCall,
    /// The caller answered a post-call survey.
    Survey,
    /// The caller hung up while queued.
    Abandoned,
    /// The call waited its queue's overflow time and moved to another queue.
    Overflowed,
    /// The caller chose to be called back, keeping their place, and hung up.
    CallbackRequested,
    /// A callback's dial attempt failed (busy, no answer); it is retried or given up.
    CallbackAttemptFailed,
    /// The interaction is over.
    Ended,
    /// A recording began.
    RecordingStarted,
    /// A recording stopped.
    RecordingStopped,
    /// An agent changed state (agent log).
    AgentStateChanged,
    /// A supervisor joined the call as a third leg (`{by, mode}`: listen, whisper, barge).
    MonitorStarted,
    /// The supervisor switched mode (`{mode}`).
    MonitorMode,
    /// The supervisor left the call.
    MonitorEnded,
    /// The supervisor took the call over from its agent (`{from_agent, by}`).
    TakenOver,
}

text_enum!(EventKind, "event kind",
    Arrived => "arrived",
    IvrEntered => "ivr_entered",
    IvrBranch => "ivr_branch",
    IvrHttp => "ivr_http",
    Digit => "digit",
    Queued => "queued",
    Offered => "offered",
    OfferMissed => "offer_missed",
    Answered => "answered",
    Hold => "hold",
    Unhold => "unhold",
    Transferred => "transferred",
    ConsultStarted => "consult_started",
    ConsultEnded => "consult_ended",
    Conferenced => "conferenced",
    AfterCall => "after_call",
    Survey => "survey",
    Abandoned => "abandoned",
    Overflowed => "overflowed",
    CallbackRequested => "callback_requested",
    CallbackAttemptFailed => "callback_attempt_failed",
    Ended => "ended",
    RecordingStarted => "recording_started",
    RecordingStopped => "recording_stopped",
    AgentStateChanged => "agent_state_changed",
    MonitorStarted => "monitor_started",
    MonitorMode => "monitor_mode",
    MonitorEnded => "monitor_ended",
    TakenOver => "taken_over",
);

/// Why an interaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndCause {
    /// The caller hung up after being answered (or in the IVR).
    CallerHangup,
    /// The agent hung up.
    AgentHangup,
    /// The caller hung up while queued.
    Abandoned,
    /// No agent could take the call (none logged in, queue closed...).
    NoAgent,
    /// The server stopped (or died) while the call was up; written at the next start.
    ServerStopped,
    /// The server was shutting down and the drain timeout cut the call.
    Drained,
    /// A failure on our side (media, signalling...).
    Error,
    /// A cause written by a newer version.
    #[serde(other)]
    Other,
}

/// Keys of the event data, shared by the constructors and [`crate::cdr::derive`].
pub(crate) mod key {
    pub const FLOW: &str = "flow";
    pub const VERSION: &str = "version";
    pub const DIGIT: &str = "digit";
    pub const NODE: &str = "node";
    pub const BRANCH: &str = "branch";
    pub const QUEUE: &str = "queue";
    pub const AGENT: &str = "agent";
    pub const USER_ID: &str = "user_id";
    pub const REASON: &str = "reason";
    pub const TO: &str = "to";
    pub const FROM: &str = "from";
    pub const CAUSE: &str = "cause";
    pub const SURVEY: &str = "survey";
    pub const SCORE: &str = "score";
    pub const RECORDING: &str = "recording";
    pub const WAITED_MS: &str = "waited_ms";
    pub const STATUS: &str = "status";
    pub const ERROR: &str = "error";
    pub const MS: &str = "ms";
}

/// An event to append to an interaction's log. Its sequence number is given by the store, in
/// the order events are appended.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The interaction.
    pub interaction_id: InteractionId,
    /// When it happened (unix ms).
    pub at_ms: i64,
    /// What happened.
    pub kind: EventKind,
    /// Details (see the module's table).
    pub data: Value,
}

impl NewEvent {
    /// An event with arbitrary data.
    pub fn new(interaction_id: InteractionId, at_ms: i64, kind: EventKind, data: Value) -> Self {
        NewEvent {
            interaction_id,
            at_ms,
            kind,
            data,
        }
    }

    fn bare(id: InteractionId, at_ms: i64, kind: EventKind) -> Self {
        NewEvent::new(id, at_ms, kind, json!({}))
    }

    /// The call reached the server.
    pub fn arrived(id: InteractionId, at_ms: i64) -> Self {
        NewEvent::bare(id, at_ms, EventKind::Arrived)
    }

    /// The call entered version `version` of flow `flow`.
    pub fn ivr_entered(id: InteractionId, at_ms: i64, flow: &str, version: i64) -> Self {
        let data = json!({ key::FLOW: flow, key::VERSION: version });
        NewEvent::new(id, at_ms, EventKind::IvrEntered, data)
    }

    /// The flow's node `node` took branch `branch`.
    pub fn ivr_branch(id: InteractionId, at_ms: i64, node: &str, branch: &str) -> Self {
        let data = json!({ key::NODE: node, key::BRANCH: branch });
        NewEvent::new(id, at_ms, EventKind::IvrBranch, data)
    }

    /// A flow's HTTP request was answered with `status` after `ms`.
    pub fn ivr_http_answered(id: InteractionId, at_ms: i64, status: u16, ms: u64) -> Self {
        let data = json!({ key::STATUS: status, key::MS: ms });
        NewEvent::new(id, at_ms, EventKind::IvrHttp, data)
    }

    /// A flow's HTTP request failed (`timeout`, `connect`, `not_json`...) after `ms`.
    pub fn ivr_http_failed(id: InteractionId, at_ms: i64, error: &str, ms: u64) -> Self {
        let data = json!({ key::ERROR: error, key::MS: ms });
        NewEvent::new(id, at_ms, EventKind::IvrHttp, data)
    }

    /// The caller pressed `digit` (`0`–`9`, `*`, `#`, `A`–`D`).
    pub fn digit(id: InteractionId, at_ms: i64, digit: char) -> Self {
        let data = json!({ key::DIGIT: digit.to_string() });
        NewEvent::new(id, at_ms, EventKind::Digit, data)
    }

    /// The call joined queue `queue`.
    pub fn queued(id: InteractionId, at_ms: i64, queue: &str) -> Self {
        NewEvent::new(id, at_ms, EventKind::Queued, json!({ key::QUEUE: queue }))
    }

    /// The caller booked a callback to `number`, keeping their place in `queue`.
    pub fn callback_requested(
        id: InteractionId,
        at_ms: i64,
        number: &str,
        queue: Option<&str>,
    ) -> Self {
        let data = json!({ "number": number, key::QUEUE: queue });
        NewEvent::new(id, at_ms, EventKind::CallbackRequested, data)
    }

    /// Dial attempt `attempt` (1 for the first) of a callback failed for `reason`.
    pub fn callback_attempt_failed(
        id: InteractionId,
        at_ms: i64,
        attempt: u32,
        reason: &str,
    ) -> Self {
        let data = json!({ "attempt": attempt, key::REASON: reason });
        NewEvent::new(id, at_ms, EventKind::CallbackAttemptFailed, data)
    }

    /// The call waited `waited_ms` (from first queued) and moved from queue `from` to `to`.
    pub fn overflowed(id: InteractionId, at_ms: i64, from: &str, to: &str, waited_ms: u64) -> Self {
        let data = json!({ key::FROM: from, key::TO: to, key::WAITED_MS: waited_ms });
        NewEvent::new(id, at_ms, EventKind::Overflowed, data)
    }

    /// The call was offered to an agent.
    pub fn offered(id: InteractionId, at_ms: i64, agent: &str, user_id: UserId) -> Self {
        let data = json!({ key::AGENT: agent, key::USER_ID: user_id.0 });
        NewEvent::new(id, at_ms, EventKind::Offered, data)
    }

    /// The offer to an agent was not taken, for `reason` (`no_answer`, `rejected`, `busy`...).
    pub fn offer_missed(
        id: InteractionId,
        at_ms: i64,
        agent: &str,
        user_id: UserId,
        reason: &str,
    ) -> Self {
        let data = json!({ key::AGENT: agent, key::USER_ID: user_id.0, key::REASON: reason });
        NewEvent::new(id, at_ms, EventKind::OfferMissed, data)
    }

    /// An agent answered.
    pub fn answered(id: InteractionId, at_ms: i64, agent: &str, user_id: UserId) -> Self {
        let data = json!({ key::AGENT: agent, key::USER_ID: user_id.0 });
        NewEvent::new(id, at_ms, EventKind::Answered, data)
    }

    /// The call was put on hold.
    pub fn hold(id: InteractionId, at_ms: i64) -> Self {
        NewEvent::bare(id, at_ms, EventKind::Hold)
    }

    /// The call was taken off hold.
    pub fn unhold(id: InteractionId, at_ms: i64) -> Self {
        NewEvent::bare(id, at_ms, EventKind::Unhold)
    }

    /// The call was transferred to `to`.
    pub fn transferred(id: InteractionId, at_ms: i64, to: &str) -> Self {
        NewEvent::new(id, at_ms, EventKind::Transferred, json!({ key::TO: to }))
    }

    /// The agent hung up and the caller went on in the flow (an after-call survey).
    pub fn after_call(id: InteractionId, at_ms: i64) -> Self {
        NewEvent::bare(id, at_ms, EventKind::AfterCall)
    }

    /// The caller answered survey `survey` with `score` (1–5).
    pub fn survey(id: InteractionId, at_ms: i64, survey: &str, score: u8) -> Self {
        let data = json!({ key::SURVEY: survey, key::SCORE: score });
        NewEvent::new(id, at_ms, EventKind::Survey, data)
    }

    /// The caller hung up while queued.
    pub fn abandoned(id: InteractionId, at_ms: i64) -> Self {
        NewEvent::bare(id, at_ms, EventKind::Abandoned)
    }

    /// The interaction is over.
    pub fn ended(id: InteractionId, at_ms: i64, cause: EndCause) -> Self {
        NewEvent::new(id, at_ms, EventKind::Ended, json!({ key::CAUSE: cause }))
    }

    /// A recording began, at `path` relative to the data directory.
    pub fn recording_started(id: InteractionId, at_ms: i64, path: &str) -> Self {
        let data = json!({ key::RECORDING: path });
        NewEvent::new(id, at_ms, EventKind::RecordingStarted, data)
    }

    /// A recording stopped.
    pub fn recording_stopped(id: InteractionId, at_ms: i64, path: &str) -> Self {
        let data = json!({ key::RECORDING: path });
        NewEvent::new(id, at_ms, EventKind::RecordingStopped, data)
    }
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// The interaction.
    pub interaction_id: InteractionId,
    /// 1, 2, 3... within the interaction, in append order.
    pub seq: i64,
    /// When it happened (unix ms).
    pub at_ms: i64,
    /// What happened.
    pub kind: EventKind,
    /// Details.
    pub data: Value,
}

/// An event of an agent's own log (state changes), which may relate to an interaction.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAgentEvent {
    /// The agent.
    pub user_id: UserId,
    /// The interaction it relates to, if any (e.g. wrap-up after a call).
    pub interaction_id: Option<InteractionId>,
    /// When it happened (unix ms).
    pub at_ms: i64,
    /// What happened.
    pub kind: EventKind,
    /// Details.
    pub data: Value,
}

impl NewAgentEvent {
    /// The agent went from state `from` to `to` (`logged_out`, `available`, `ringing`,
    /// `on_call`, `wrap_up`, `not_ready`...), with a reason for not ready.
    pub fn state_changed(
        user_id: UserId,
        at_ms: i64,
        from: &str,
        to: &str,
        reason: Option<&str>,
    ) -> Self {
        NewAgentEvent {
            user_id,
            interaction_id: None,
            at_ms,
            kind: EventKind::AgentStateChanged,
            data: json!({ key::FROM: from, key::TO: to, key::REASON: reason }),
        }
    }

    /// The same event, tied to an interaction.
    pub fn for_interaction(mut self, id: InteractionId) -> Self {
        self.interaction_id = Some(id);
        self
    }
}

/// A stored agent event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentEvent {
    /// Its position in the tenant's agent log.
    pub id: AgentEventId,
    /// The agent.
    pub user_id: UserId,
    /// The related interaction.
    pub interaction_id: Option<InteractionId>,
    /// When it happened (unix ms).
    pub at_ms: i64,
    /// What happened.
    pub kind: EventKind,
    /// Details.
    pub data: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for &kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>().unwrap(), kind);
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                Value::String(kind.as_str().to_owned())
            );
        }
    }

    #[test]
    fn unknown_end_causes_read_as_other() {
        let cause: EndCause = serde_json::from_value(json!("power_cut")).unwrap();
        assert_eq!(cause, EndCause::Other);
        let cause: EndCause = serde_json::from_value(json!("server_stopped")).unwrap();
        assert_eq!(cause, EndCause::ServerStopped);
    }

    #[test]
    fn constructors_write_the_documented_keys() {
        let id = InteractionId::from_parts(1, 1);
        assert_eq!(
            NewEvent::queued(id, 2, "sales").data,
            json!({"queue": "sales"})
        );
        assert_eq!(
            NewEvent::ended(id, 2, EndCause::NoAgent).data,
            json!({"cause": "no_agent"})
        );
        assert_eq!(NewEvent::digit(id, 2, '#').data, json!({"digit": "#"}));
        assert_eq!(
            NewEvent::survey(id, 2, "csat", 4).data,
            json!({"survey": "csat", "score": 4})
        );
    }
}
