//! Callbacks that keep the caller's place ("virtual hold"), the server's part (the `acd`'s is
//! in `acd::callback`).
//!
//! 1. **Offer.** A queue node with `callback: true`, on a server with a `[trunk]`, offers it
//!    when the caller joins the queue and with every position announcement: "to be called back
//!    without losing your place, press 1". A caller whose number has no digit is not offered.
//! 2. **Confirm.** 1 → "we will call you back on" + the digits of the caller's number + "to
//!    confirm, press 1"; 1 again → the `acd` keeps the contact in its place as a callback
//!    (`ConvertToCallback`), `callback_requested{number, queue}` is logged, "thank you, we will
//!    call you back" is played, then we hang up (BYE) — or the caller does. Another key goes
//!    back to step 1. A caller whose offer to an agent is ringing stays live.
//! 3. **Wait.** The interaction stays open, in its queue and its place: `GET /api/v1/queues`
//!    counts it among `waiting` (and in `waiting_callbacks`), `GET /api/v1/calls/{id}` shows
//!    the call `queued` with `callback: true` and no media legs.
//! 4. **Dial** (`DialCallback`, the reserved agent). The agent's phone is called first, `From`
//!    the customer's number and with the interaction header, as for any offer (`offered`).
//!    When the agent answers, the customer is called through the trunk
//!    ([`super::outbound`]); the agent hears silence meanwhile. When the customer answers, a
//!    media task is started with the customer as leg A, the `acd` hears `CallbackAnswered`, and
//!    the answer is carried out as any other (`answered`, bridge, recording). From then on it is
//!    an ordinary call.
//! 5. **Fail.** Customer busy, not answering, unreachable, or the agent hanging up first: the
//!    agent's leg is hung up, `callback_attempt_failed{attempt, reason}` is logged and the
//!    `acd` hears `CallbackFailed` (it retries after `trunk.callback_retry_delay`, up to
//!    `trunk.callback_attempts`, then lets it go: `ended{no_agent}`). The agent not answering
//!    is the `acd`'s ring timeout, which also bounds the whole attempt (agent then customer).
//!
//! One interaction throughout: the caller's segment, then the callback's; the CDR has
//! `callback: true` and the failed attempts.

use std::time::Instant;

use acd::{ContactId, Input};
use store::NewEvent;

use super::call::EndReason;
use super::directory::user_id;
use super::outbound::{Answered, DialFailure, Purpose, dialable};
use super::switchboard::{Board, Leg};
use crate::config::Config;
use crate::control::CallPhase;
use crate::media::{CallRef, MediaCommand, PlayId};

/// The offer, played with the position announcements.
pub(crate) const CALLBACK_OFFER: &str = media::prompt::standard::CALLBACK_OFFER;
const CALLBACK_NUMBER: &str = media::prompt::standard::CALLBACK_NUMBER;
const CALLBACK_CONFIRM: &str = media::prompt::standard::CALLBACK_CONFIRM;
const CALLBACK_THANKS: &str = media::prompt::standard::CALLBACK_THANKS;

/// The key that accepts the offer and confirms the number.
const ACCEPT: char = '1';

/// Where a call's callback stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Not offered (the queue offers none, no trunk, or the caller declined by waiting).
    #[default]
    Off,
    /// The caller hears the offer.
    Offered,
    /// The caller hears the number read back.
    Confirming,
    /// Booked; the thanks (`thanks`) play before we hang up.
    Booked {
        /// The thanks' playback.
        thanks: PlayId,
    },
    /// The caller hung up; the contact waits in its place.
    Waiting,
    /// Its turn came: the reserved agent's phone rings, or the agent answered and the
    /// customer's rings.
    Dialling,
    /// Customer and agent are bridged: an ordinary call from now.
    Connected,
}

/// A call's callback.
#[derive(Debug, Default)]
pub(crate) struct CallbackState {
    /// Where it stands.
    pub(crate) stage: Stage,
    /// The number to call back.
    number: String,
    /// Media tasks told to stop whose report is still to come (the caller's, once they hung
    /// up): their report is not the end of the call.
    stale_media: u32,
    /// The attempt being dialled (1 for the first).
    attempt: u32,
    /// When the `acd` gives up on this attempt.
    give_up_at: Option<Instant>,
}

impl CallbackState {
    /// Whether the offer is being made (the announcements carry it).
    pub(crate) fn is_offered(&self) -> bool {
        self.stage == Stage::Offered
    }

    /// Whether its turn came and it is being dialled.
    pub(crate) fn is_dialling(&self) -> bool {
        self.stage == Stage::Dialling
    }

    /// Whether the caller booked a callback (whatever happened since).
    pub(crate) fn is_booked(&self) -> bool {
        !matches!(self.stage, Stage::Off | Stage::Offered | Stage::Confirming)
    }
}

/// Sets a queue's callback retries from `[trunk]` (the store has no per-queue setting yet).
pub(crate) fn apply_policy(config: &Config, queue: &mut acd::QueueConfig) {
    if let Some(trunk) = &config.trunk {
        queue.callback = acd::CallbackPolicy {
            max_attempts: trunk.callback_attempts.max(1),
            retry_delay: trunk.callback_retry_delay,
        };
    }
}

impl Board {
    /// The queue node offers callbacks: offer it now (and with each announcement).
    pub(crate) fn offer_callback(&mut self, id: CallRef) {
        if self.config.trunk.is_none() {
            return;
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.phase != CallPhase::Queued || call.callback.stage != Stage::Off {
            return;
        }
        let Some(number) = dialable(&call.caller) else {
            return;
        };
        call.callback.number = number;
        call.callback.stage = Stage::Offered;
        self.play_callback_prompts(id, vec![CALLBACK_OFFER], None, false);
    }

    /// A key from a caller who is not in the flow; `true` if the callback offer took it.
    pub(crate) fn callback_digit(&mut self, now: Instant, id: CallRef, digit: char) -> bool {
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        if call.is_ending() || !matches!(call.phase, CallPhase::Queued | CallPhase::Ringing) {
            return false;
        }
        let (tenant, interaction) = (call.tenant, call.interaction);
        let playing = PlayId(call.next_announcement);
        match (call.callback.stage, digit) {
            (Stage::Offered, ACCEPT) => {
                call.callback.stage = Stage::Confirming;
                let spoken: String = call
                    .callback
                    .number
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                self.log_event(
                    tenant,
                    NewEvent::digit(interaction, crate::log::now_ms(), digit),
                );
                self.media_command(id, MediaCommand::StopPlay { id: playing });
                self.play_callback_prompts(
                    id,
                    vec![CALLBACK_NUMBER],
                    Some((spoken, CALLBACK_CONFIRM)),
                    true,
                );
                true
            }
            (Stage::Confirming, ACCEPT) => {
                self.log_event(
                    tenant,
                    NewEvent::digit(interaction, crate::log::now_ms(), digit),
                );
                self.media_command(id, MediaCommand::StopPlay { id: playing });
                self.book_callback(now, id);
                true
            }
            (Stage::Confirming, _) => {
                call.callback.stage = Stage::Offered;
                self.media_command(id, MediaCommand::StopPlay { id: playing });
                self.play_callback_prompts(id, vec![CALLBACK_OFFER], None, false);
                true
            }
            _ => false,
        }
    }

    /// The caller confirmed: the `acd` keeps their place as a callback.
    fn book_callback(&mut self, now: Instant, id: CallRef) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.phase != CallPhase::Queued {
            // An agent's phone rings for this caller: they are about to be answered live.
            call.callback.stage = Stage::Off;
            return;
        }
        let number = call.callback.number.clone();
        let (tenant, interaction) = (call.tenant, call.interaction);
        let queue = call.queue.and_then(|q| {
            self.directory
                .tenants
                .get(&tenant)
                .and_then(|t| t.queues_by_name.iter().find(|(_, v)| **v == q))
                .map(|(name, _)| name.clone())
        });
        let converted = self.acd.handle_input(
            now,
            Input::ConvertToCallback {
                contact: ContactId(id.0),
                number: number.clone(),
            },
        );
        if let Err(error) = converted {
            tracing::warn!(interaction = %interaction, %error, "the acd refused the callback; the caller waits live");
            if let Some(call) = self.calls.get_mut(&id) {
                call.callback.stage = Stage::Off;
            }
            return;
        }
        tracing::info!(
            interaction = %interaction,
            number = %crate::redact::phone(&number),
            "callback booked; the caller keeps their place"
        );
        let event = NewEvent::callback_requested(
            interaction,
            crate::log::now_ms(),
            &number,
            queue.as_deref(),
        );
        self.log_event(tenant, event);
        let thanks = self.play_callback_prompts(id, vec![CALLBACK_THANKS], None, false);
        if let Some(call) = self.calls.get_mut(&id) {
            call.callback.stage = match thanks {
                Some(thanks) => Stage::Booked { thanks },
                None => Stage::Waiting,
            };
        }
        if thanks.is_none() {
            self.release_caller(now, id);
        }
    }

    /// A playback of call `id` ended: after the thanks, hang up on the caller.
    pub(crate) fn callback_play_finished(&mut self, now: Instant, id: CallRef, play: PlayId) {
        let thanked = self
            .calls
            .get(&id)
            .is_some_and(|c| c.callback.stage == Stage::Booked { thanks: play });
        if thanked {
            self.release_caller(now, id);
        }
    }

    /// The caller's leg goes (our BYE, unless they hung up already) with its media; the call
    /// stays, waiting as a callback.
    fn release_caller(&mut self, now: Instant, id: CallRef) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.callback.stage = Stage::Waiting;
        call.ivr = None;
        call.ivr_armed = None;
        let dialog = call.a.dialog.take();
        if let Some(media) = call.media.take() {
            call.callback.stale_media += 1;
            let _ = media.send(MediaCommand::Stop);
        }
        if let Some(dialog) = dialog {
            self.send_bye(now, dialog);
        }
    }

    /// A BYE on `leg` of call `id`; `true` if the callback takes it and the call goes on: the
    /// caller after booking, or the agent before the customer answered.
    pub(crate) fn callback_leg_left(&mut self, now: Instant, id: CallRef, leg: Leg) -> bool {
        let Some(stage) = self.calls.get(&id).map(|c| c.callback.stage) else {
            return false;
        };
        match (leg, stage) {
            (Leg::A, Stage::Booked { .. } | Stage::Waiting) => {
                self.release_caller(now, id);
                true
            }
            (Leg::B, Stage::Dialling) => {
                self.cancel_outbound(now, id);
                self.attempt_failed(now, id, "agent_hangup", true);
                true
            }
            _ => false,
        }
    }

    /// The report of a media task stopped when the caller hung up to be called back.
    pub(crate) fn stale_callback_media(&mut self, id: CallRef) -> bool {
        match self.calls.get_mut(&id) {
            Some(call) if call.callback.stale_media > 0 => {
                call.callback.stale_media -= 1;
                true
            }
            _ => false,
        }
    }

    /// The `acd`'s turn for callback `id`: `agent` is reserved. Their phone is called first.
    pub(crate) fn dial_callback(
        &mut self,
        now: Instant,
        id: CallRef,
        agent: acd::AgentId,
        attempt: u32,
        give_up_at: Instant,
    ) {
        let contact = ContactId(id.0);
        let Some(call) = self.calls.get_mut(&id) else {
            let _ = self
                .acd
                .handle_input(now, Input::CallbackFailed { contact });
            return;
        };
        let still_on_line = matches!(call.callback.stage, Stage::Booked { .. });
        call.callback.attempt = attempt;
        call.callback.give_up_at = Some(give_up_at);
        let interaction = call.interaction;
        if still_on_line {
            self.release_caller(now, id);
        }
        if let Some(call) = self.calls.get_mut(&id) {
            call.callback.stage = Stage::Dialling;
        }
        tracing::info!(interaction = %interaction, attempt, agent = agent.0, "callback's turn: calling the agent");
        let user = user_id(agent);
        if self.send_offer(now, id, user, false).is_err() {
            self.offer_missed(id, user, "unreachable");
            self.attempt_failed(now, id, "agent_unreachable", true);
        }
    }

    /// The reserved agent answered: call the customer.
    pub(crate) fn callback_agent_answered(&mut self, now: Instant, id: CallRef) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let number = call.callback.number.clone();
        let give_up_at = call.callback.give_up_at;
        if let Err(failure) = self.dial(now, id, &number, Purpose::Callback, give_up_at) {
            tracing::warn!(
                call = id.0,
                reason = failure.as_str(),
                "the callback's customer not dialled"
            );
            self.attempt_failed(now, id, failure.as_str(), true);
        }
    }

    /// The customer answered: start their media, tell the `acd` (its answer bridges the legs
    /// and starts the recording, as for any call).
    pub(crate) fn callback_customer_answered(&mut self, now: Instant, id: CallRef, leg: Answered) {
        let dialling = self
            .calls
            .get(&id)
            .is_some_and(|c| c.callback.is_dialling() && !c.is_ending());
        if !dialling {
            self.send_bye(now, leg.dialog);
            return;
        }
        let handle = self.media.start_call(id, leg.socket, leg.media);
        self.by_dialog.insert(leg.dialog, (id, Leg::A));
        if let Some(call) = self.calls.get_mut(&id) {
            call.media = Some(handle);
            call.a.dialog = Some(leg.dialog);
            call.a.acked = true;
            call.a.sdp = leg.sdp;
            call.a.media = leg.offered;
            call.a.codec = leg.codec;
            call.callback.stage = Stage::Connected;
            call.phase = CallPhase::Connected;
        }
        let answered = self.acd.handle_input(
            now,
            Input::CallbackAnswered {
                contact: ContactId(id.0),
            },
        );
        if let Err(error) = answered {
            tracing::warn!(call = id.0, %error, "the acd gave up on the callback first; hanging up");
            self.end_call(now, id, EndReason::Error, None);
        }
    }

    /// The customer did not answer (busy, no answer, unreachable).
    pub(crate) fn callback_customer_failed(&mut self, now: Instant, id: CallRef, why: DialFailure) {
        if self
            .calls
            .get(&id)
            .is_some_and(|c| c.callback.is_dialling())
        {
            self.attempt_failed(now, id, why.as_str(), true);
        }
    }

    /// The `acd`'s ring timeout for a callback being dialled (it counted the failed attempt
    /// itself): end the attempt. `false` if `id` is not a callback being dialled.
    pub(crate) fn callback_timed_out(
        &mut self,
        now: Instant,
        id: CallRef,
        agent: acd::AgentId,
    ) -> bool {
        let Some(call) = self.calls.get(&id) else {
            return false;
        };
        if !call.callback.is_dialling() {
            return false;
        }
        let agent_answered = call.agent.is_some();
        self.cancel_outbound(now, id);
        if !agent_answered {
            self.cancel_offer(now, id, Some("no_answer"), agent);
        }
        let reason = if agent_answered {
            DialFailure::NoAnswer.as_str()
        } else {
            "agent_no_answer"
        };
        self.attempt_failed(now, id, reason, false);
        true
    }

    /// An attempt failed for `reason`: the agent's leg is hung up, the failure logged, and
    /// the `acd` told (`tell_acd`; not when its own timeout ended the attempt).
    fn attempt_failed(&mut self, now: Instant, id: CallRef, reason: &str, tell_acd: bool) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let (tenant, interaction, attempt) = (call.tenant, call.interaction, call.callback.attempt);
        call.callback.stage = Stage::Waiting;
        call.agent = None;
        if !call.is_ending() {
            call.phase = CallPhase::Queued;
        }
        let mut byes = Vec::new();
        let mut cancels = Vec::new();
        for offer in &mut call.offers {
            match offer.state {
                super::call::OfferState::Answered => {
                    offer.state = super::call::OfferState::Cancelled;
                    offer.socket = None;
                    if let Some(dialog) = offer.dialog.take() {
                        byes.push(dialog);
                    }
                }
                super::call::OfferState::Ringing => {
                    offer.state = super::call::OfferState::Cancelled;
                    offer.socket = None;
                    cancels.push(offer.invite);
                }
                super::call::OfferState::Cancelled => {}
            }
        }
        for dialog in byes {
            self.by_dialog.remove(&dialog);
            self.send_bye(now, dialog);
        }
        for key in cancels {
            let _ = self.sip.layer.cancel(now, key);
        }
        tracing::info!(interaction = %interaction, attempt, reason, "callback attempt failed");
        let event =
            NewEvent::callback_attempt_failed(interaction, crate::log::now_ms(), attempt, reason);
        self.log_event(tenant, event);
        if tell_acd
            && let Err(error) = self.acd.handle_input(
                now,
                Input::CallbackFailed {
                    contact: ContactId(id.0),
                },
            )
        {
            tracing::debug!(%error, "callback failure not taken by the acd");
        }
    }

    /// Plays `names`, then (when given) the digits of a number and a closing prompt, to call
    /// `id`'s caller over the hold music, in the queue's language; the playback's id.
    fn play_callback_prompts(
        &mut self,
        id: CallRef,
        names: Vec<&str>,
        digits_then: Option<(String, &str)>,
        barge_in: bool,
    ) -> Option<PlayId> {
        let call = self.calls.get_mut(&id)?;
        let language = call
            .queue_language
            .clone()
            .unwrap_or_else(|| call.flow.language().to_owned());
        call.next_announcement += 1;
        let play = PlayId(call.next_announcement);
        let lang = media::prompt::Language::from_code(&language)
            .unwrap_or(media::prompt::Language::English);
        let built = media::playback::Sequence::builder(&self.library, lang)
            .barge_in(barge_in)
            .prompts(names)
            .and_then(|b| match &digits_then {
                Some((digits, closing)) => b
                    .prompts(media::say::digits(lang, digits).unwrap_or_default())?
                    .prompt(closing),
                None => Ok(b),
            });
        match built {
            Ok(builder) => {
                self.media_command(
                    id,
                    MediaCommand::Play {
                        id: play,
                        sequence: builder.build(),
                    },
                );
                Some(play)
            }
            Err(error) => {
                self.metrics.error("prompt_missing");
                tracing::warn!(%error, "callback prompt not played");
                None
            }
        }
    }
}
