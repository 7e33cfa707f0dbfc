//! Call detail records, derived from the interaction log by one pure function ([`derive()`]) so a
//! CDR can never disagree with the events it summarises. Nothing is stored: [`TenantStore::cdrs`]
//! reads the events and derives.
//!
//! Rules (DESIGN.md "Definitions"):
//! - wait: from the first `queued` to the first `answered`, or to `abandoned` (else `ended`) when
//!   the call was never answered;
//! - hold: the sum of `hold`→`unhold` spans (a hold still open at the end counts to the end);
//! - talk: from `answered` to `ended` (or to `after_call`, when the agent hung up and the caller
//!   went on to a survey), minus hold (AHT = talk + hold + wrap-up);
//! - abandoned: the caller hung up in queue (an `abandoned` event, or `ended` with cause
//!   `abandoned`) before any answer;
//! - queue: the last queue joined; agent: the agent who answered.
//!
//! Durations are milliseconds; negative spans (clock steps) count as zero.

use serde::Serialize;

use crate::error::Result;
use crate::event::{EndCause, Event, EventKind, key};
use crate::ids::InteractionId;
use crate::interaction::Interaction;
use crate::tenant::TenantStore;

/// One interaction's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cdr {
    /// The interaction.
    pub interaction_id: InteractionId,
    /// The caller's number.
    pub caller: String,
    /// The number dialled.
    pub dialed: String,
    /// The last queue the call joined.
    pub queue: Option<String>,
    /// The agent who answered (username).
    pub agent: Option<String>,
    /// When the call arrived (unix ms).
    pub arrived_at_ms: i64,
    /// When it first joined a queue.
    pub queued_at_ms: Option<i64>,
    /// When an agent answered.
    pub answered_at_ms: Option<i64>,
    /// When it ended; `None` while open.
    pub ended_at_ms: Option<i64>,
    /// Time in queue (see the module doc).
    pub wait_ms: Option<i64>,
    /// Time talking, hold excluded.
    pub talk_ms: Option<i64>,
    /// Time on hold.
    pub hold_ms: i64,
    /// Why it ended.
    pub end_cause: Option<EndCause>,
    /// Whether the caller hung up in queue before an answer.
    pub abandoned: bool,
    /// Offers made to agents (missed ones included).
    pub offers: u32,
    /// Keys pressed, in order.
    pub digits: String,
    /// The first recording's path, relative to the data directory.
    pub recording: Option<String>,
    /// Whether the caller asked to be called back (the outcome: `answered_at_ms` set, or
    /// the end cause).
    pub callback: bool,
    /// Callback dial attempts that failed (busy, no answer...).
    pub callback_failed_attempts: u32,
}

fn text(event: &Event, key: &str) -> Option<String> {
    event.data.get(key)?.as_str().map(str::to_owned)
}

/// Summarises an interaction from its events (any order: they are taken in `seq` order).
pub fn derive(interaction: &Interaction, events: &[Event]) -> Cdr {
    let mut ordered: Vec<&Event> = events.iter().collect();
    ordered.sort_by_key(|e| e.seq);

    let mut cdr = Cdr {
        interaction_id: interaction.id,
        caller: interaction.caller.clone(),
        dialed: interaction.dialed.clone(),
        queue: None,
        agent: None,
        arrived_at_ms: interaction.created_at_ms,
        queued_at_ms: None,
        answered_at_ms: None,
        ended_at_ms: None,
        wait_ms: None,
        talk_ms: None,
        hold_ms: 0,
        end_cause: None,
        abandoned: false,
        offers: 0,
        digits: String::new(),
        recording: None,
        callback: false,
        callback_failed_attempts: 0,
    };
    let mut abandoned_at = None;
    let mut held_since = None;
    let mut agent_left_at = None;

    for event in ordered {
        match event.kind {
            EventKind::Arrived => cdr.arrived_at_ms = event.at_ms,
            EventKind::Digit => {
                if let Some(digit) = text(event, key::DIGIT) {
                    cdr.digits.push_str(&digit);
                }
            }
            EventKind::Queued => {
                cdr.queued_at_ms.get_or_insert(event.at_ms);
                cdr.queue = text(event, key::QUEUE).or(cdr.queue);
            }
            // The queue of the CDR is the one the call was in last (where it was answered).
            EventKind::Overflowed => {
                cdr.queue = text(event, key::TO).or(cdr.queue);
            }
            EventKind::Offered => cdr.offers += 1,
            EventKind::CallbackRequested => cdr.callback = true,
            EventKind::CallbackAttemptFailed => cdr.callback_failed_attempts += 1,
            EventKind::Answered if cdr.answered_at_ms.is_none() => {
                cdr.answered_at_ms = Some(event.at_ms);
                cdr.agent = text(event, key::AGENT);
            }
            EventKind::Hold => {
                held_since.get_or_insert(event.at_ms);
            }
            EventKind::Unhold => {
                if let Some(since) = held_since.take() {
                    cdr.hold_ms += (event.at_ms - since).max(0);
                }
            }
            EventKind::Abandoned => {
                abandoned_at.get_or_insert(event.at_ms);
            }
            EventKind::AfterCall if agent_left_at.is_none() => {
                agent_left_at = Some(event.at_ms);
                if let Some(since) = held_since.take() {
                    cdr.hold_ms += (event.at_ms - since).max(0);
                }
            }
            EventKind::Ended if cdr.ended_at_ms.is_none() => {
                cdr.ended_at_ms = Some(event.at_ms);
                cdr.end_cause = event
                    .data
                    .get(key::CAUSE)
                    .cloned()
                    .and_then(|cause| serde_json::from_value(cause).ok());
                if let Some(since) = held_since.take() {
                    cdr.hold_ms += (event.at_ms - since).max(0);
                }
            }
            EventKind::RecordingStarted if cdr.recording.is_none() => {
                cdr.recording = text(event, key::RECORDING);
            }
            _ => {}
        }
    }

    let unanswered = cdr.answered_at_ms.is_none();
    cdr.abandoned =
        unanswered && (abandoned_at.is_some() || cdr.end_cause == Some(EndCause::Abandoned));
    cdr.wait_ms = cdr.queued_at_ms.and_then(|queued| {
        let left_queue = cdr.answered_at_ms.or(abandoned_at).or(cdr.ended_at_ms)?;
        Some((left_queue - queued).max(0))
    });
    cdr.talk_ms = match (cdr.answered_at_ms, agent_left_at.or(cdr.ended_at_ms)) {
        (Some(answered), Some(ended)) => Some(((ended - answered) - cdr.hold_ms).max(0)),
        _ => None,
    };
    cdr
}

impl TenantStore {
    /// The CDRs of these interactions (those of this tenant), derived from their events, in the
    /// order of `ids`.
    pub async fn cdrs(&self, ids: &[InteractionId]) -> Result<Vec<Cdr>> {
        Ok(self
            .interactions_with_events(ids)
            .await?
            .iter()
            .map(|(interaction, events)| derive(interaction, events))
            .collect())
    }

    /// One interaction's CDR.
    pub async fn cdr(&self, id: InteractionId) -> Result<Option<Cdr>> {
        Ok(self.cdrs(&[id]).await?.pop())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::NewEvent;
    use crate::ids::{TenantId, UserId};
    use crate::interaction::{Channel, Direction};

    const T0: i64 = 1_700_000_000_000;

    fn interaction() -> Interaction {
        Interaction {
            id: InteractionId::from_parts(T0, 7),
            tenant_id: TenantId(1),
            channel: Channel::Voice,
            direction: Direction::Inbound,
            caller: "+33612345678".to_owned(),
            dialed: "+33100000000".to_owned(),
            created_at_ms: T0,
            ended_at_ms: None,
        }
    }

    /// Numbers hand-built events in the order given, as the store would.
    fn stored(events: Vec<NewEvent>) -> Vec<Event> {
        events
            .into_iter()
            .zip(1..)
            .map(|(e, seq)| Event {
                interaction_id: e.interaction_id,
                seq,
                at_ms: e.at_ms,
                kind: e.kind,
                data: e.data,
            })
            .collect()
    }

    fn id() -> InteractionId {
        interaction().id
    }

    #[test]
    fn an_answered_call_has_wait_talk_agent_digits_and_recording() {
        let alice = UserId(3);
        let events = stored(vec![
            NewEvent::arrived(id(), T0),
            NewEvent::ivr_entered(id(), T0 + 100, "demo", 1),
            NewEvent::digit(id(), T0 + 4_000, '1'),
            NewEvent::queued(id(), T0 + 4_100, "sales"),
            NewEvent::offered(id(), T0 + 9_000, "alice", alice),
            NewEvent::answered(id(), T0 + 12_100, "alice", alice),
            NewEvent::recording_started(id(), T0 + 12_100, "recordings/x.wav"),
            NewEvent::recording_stopped(id(), T0 + 72_100, "recordings/x.wav"),
            NewEvent::ended(id(), T0 + 72_100, EndCause::CallerHangup),
        ]);
        let cdr = derive(&interaction(), &events);
        assert_eq!(cdr.queue.as_deref(), Some("sales"));
        assert_eq!(cdr.agent.as_deref(), Some("alice"));
        assert_eq!(cdr.queued_at_ms, Some(T0 + 4_100));
        assert_eq!(cdr.wait_ms, Some(8_000));
        assert_eq!(cdr.talk_ms, Some(60_000));
        assert_eq!(cdr.hold_ms, 0);
        assert_eq!(cdr.end_cause, Some(EndCause::CallerHangup));
        assert!(!cdr.abandoned);
        assert_eq!(cdr.offers, 1);
        assert_eq!(cdr.digits, "1");
        assert_eq!(cdr.recording.as_deref(), Some("recordings/x.wav"));
        assert_eq!(cdr.ended_at_ms, Some(T0 + 72_100));
    }

    #[test]
    fn a_callback_is_marked_with_its_failed_attempts() {
        let alice = UserId(3);
        let events = stored(vec![
            NewEvent::arrived(id(), T0),
            NewEvent::queued(id(), T0 + 1_000, "sales"),
            NewEvent::callback_requested(id(), T0 + 9_000, "+33612345678", Some("sales")),
            NewEvent::offered(id(), T0 + 60_000, "alice", alice),
            NewEvent::callback_attempt_failed(id(), T0 + 70_000, 1, "busy"),
            NewEvent::offered(id(), T0 + 190_000, "alice", alice),
            NewEvent::answered(id(), T0 + 200_000, "alice", alice),
            NewEvent::ended(id(), T0 + 260_000, EndCause::AgentHangup),
        ]);
        let cdr = derive(&interaction(), &events);
        assert!(cdr.callback);
        assert_eq!(cdr.callback_failed_attempts, 1);
        assert_eq!(cdr.wait_ms, Some(199_000));
        assert_eq!(cdr.talk_ms, Some(60_000));
        assert!(!cdr.abandoned);
    }

    #[test]
    fn a_call_without_callback_is_not_marked() {
        let events = stored(vec![
            NewEvent::arrived(id(), T0),
            NewEvent::ended(id(), T0 + 1_000, EndCause::CallerHangup),
        ]);
        let cdr = derive(&interaction(), &events);
        assert!(!cdr.callback);
        assert_eq!(cdr.callback_failed_attempts, 0);
    }

    #[test]
    fn an_overflowed_call_is_counted_in_the_queue_that_answered_it_and_waits_from_the_first() {
        let bruno = UserId(4);
        let events = stored(vec![
            NewEvent::arrived(id(), T0),
            NewEvent::queued(id(), T0 + 1_000, "sales"),
            NewEvent::overflowed(id(), T0 + 6_000, "sales", "support", 5_000),
            NewEvent::answered(id(), T0 + 8_000, "bruno", bruno),
            NewEvent::ended(id(), T0 + 20_000, EndCause::CallerHangup),
        ]);
        let cdr = derive(&interaction(), &events);
        assert_eq!(cdr.queue.as_deref(), Some("support"));
        assert_eq!(cdr.wait_ms, Some(7_000));
    }

    #[test]
    fn an_abandoned_call_waits_until_the_caller_hangs_up() {
        let events = stored(vec![
            NewEvent::arrived(id(), T0),
            NewEvent::queued(id(), T0 + 1_000, "sales"),
            NewEvent::abandoned(id(), T0 + 31_000),
            NewEvent::ended(id(), T0 + 31_050, EndCause::Abandoned),
        ]);
        let cdr = derive(&interaction(), &events);
        assert!(cdr.abandoned);
        assert_eq!(cdr.wait_ms, Some(30_000));
        assert_eq!(cdr.talk_ms, None);
        assert_eq!(cdr.agent, None);
        assert_eq!(cdr.end_cause, Some(EndCause::Abandoned));
    }

    #[test]
    fn a_call_no_agent_could_take_is_not_abandoned() {
        let events = stored(vec![
            NewEvent::arrived(id(), T0),
            NewEvent::queued(id(), T0 + 500, "support"),
            NewEvent::ended(id(), T0 + 60_500, EndCause::NoAgent),
        ]);
        let cdr = derive(&interaction(), &events);
        assert!(!cdr.abandoned);
        assert_eq!(cdr.end_cause, Some(EndCause::NoAgent));
        assert_eq!(cdr.wait_ms, Some(60_000));
        assert_eq!(cdr.talk_ms, None);
    }

    #[test]
    fn a_call_cut_by_a_server_stop_keeps_what_happened_before() {
        let bob = UserId(4);
        let events = stored(vec![
            NewEvent::arrived(id(), T0),
            NewEvent::queued(id(), T0 + 2_000, "sales"),
            NewEvent::answered(id(), T0 + 5_000, "bob", bob),
            NewEvent::ended(id(), T0 + 600_000, EndCause::ServerStopped),
        ]);
        let cdr = derive(&interaction(), &events);
        assert_eq!(cdr.end_cause, Some(EndCause::ServerStopped));
        assert_eq!(cdr.agent.as_deref(), Some("bob"));
        assert_eq!(cdr.talk_ms, Some(595_000));
        assert!(!cdr.abandoned);
    }

    #[test]
    fn an_open_call_has_no_end_and_no_talk_time() {
        let events = stored(vec![
            NewEvent::arrived(id(), T0),
            NewEvent::queued(id(), T0 + 2_000, "sales"),
        ]);
        let cdr = derive(&interaction(), &events);
        assert_eq!(cdr.ended_at_ms, None);
        assert_eq!(cdr.end_cause, None);
        assert_eq!(cdr.wait_ms, None);
        assert_eq!(cdr.talk_ms, None);
    }

    #[test]
    fn hold_time_is_taken_out_of_talk_time() {
        let carol = UserId(5);
        let events = stored(vec![
            NewEvent::arrived(id(), T0),
            NewEvent::answered(id(), T0 + 1_000, "carol", carol),
            NewEvent::hold(id(), T0 + 11_000),
            NewEvent::unhold(id(), T0 + 16_000),
            NewEvent::hold(id(), T0 + 20_000),
            NewEvent::ended(id(), T0 + 23_000, EndCause::AgentHangup),
        ]);
        let cdr = derive(&interaction(), &events);
        assert_eq!(cdr.hold_ms, 8_000);
        assert_eq!(cdr.talk_ms, Some(14_000));
    }

    #[test]
    fn talk_ends_when_the_agent_leaves_the_caller_to_a_survey() {
        let carol = UserId(5);
        let events = stored(vec![
            NewEvent::arrived(id(), T0),
            NewEvent::answered(id(), T0 + 1_000, "carol", carol),
            NewEvent::hold(id(), T0 + 5_000),
            NewEvent::after_call(id(), T0 + 9_000),
            NewEvent::survey(id(), T0 + 14_000, "csat", 5),
            NewEvent::ended(id(), T0 + 16_000, EndCause::AgentHangup),
        ]);
        let cdr = derive(&interaction(), &events);
        assert_eq!(cdr.hold_ms, 4_000);
        assert_eq!(cdr.talk_ms, Some(4_000));
        assert_eq!(cdr.ended_at_ms, Some(T0 + 16_000));
    }

    #[test]
    fn missed_offers_count_and_the_answering_agent_is_kept() {
        let (dave, erin) = (UserId(6), UserId(7));
        let events = stored(vec![
            NewEvent::queued(id(), T0, "sales"),
            NewEvent::offered(id(), T0 + 1_000, "dave", dave),
            NewEvent::offer_missed(id(), T0 + 21_000, "dave", dave, "no_answer"),
            NewEvent::offered(id(), T0 + 21_100, "erin", erin),
            NewEvent::answered(id(), T0 + 24_000, "erin", erin),
            NewEvent::ended(id(), T0 + 30_000, EndCause::AgentHangup),
        ]);
        let cdr = derive(&interaction(), &events);
        assert_eq!(cdr.offers, 2);
        assert_eq!(cdr.agent.as_deref(), Some("erin"));
        assert_eq!(cdr.wait_ms, Some(24_000));
    }

    #[test]
    fn events_are_taken_in_sequence_order_whatever_the_slice_order() {
        let mut events = stored(vec![
            NewEvent::queued(id(), T0, "sales"),
            NewEvent::queued(id(), T0 + 1_000, "support"),
            NewEvent::ended(id(), T0 + 2_000, EndCause::NoAgent),
        ]);
        events.reverse();
        let cdr = derive(&interaction(), &events);
        assert_eq!(cdr.queue.as_deref(), Some("support"));
        assert_eq!(cdr.queued_at_ms, Some(T0));
    }

    #[test]
    fn a_second_ended_event_does_not_move_the_end() {
        let events = stored(vec![
            NewEvent::ended(id(), T0 + 1_000, EndCause::CallerHangup),
            NewEvent::ended(id(), T0 + 9_000, EndCause::ServerStopped),
        ]);
        let cdr = derive(&interaction(), &events);
        assert_eq!(cdr.ended_at_ms, Some(T0 + 1_000));
        assert_eq!(cdr.end_cause, Some(EndCause::CallerHangup));
    }
}
