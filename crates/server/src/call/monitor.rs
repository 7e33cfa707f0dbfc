//! A supervisor on a live call: listening, whispering to the agent, barging in, taking over.
//!
//! `POST /api/v1/calls/{id}/monitor` ([`Board::monitor`]) rings the supervisor's own phone
//! (their extension's live bindings, exactly as an offer reaches an agent: a SIP phone, or a
//! browser through the webphone gateway's binding). When it answers, the call's media task
//! gets the supervisor's leg as a third leg ([`MediaCommand::AddThirdLeg`]) and mixes the
//! three by the mode instead of relaying. Switching mode is a [`MediaCommand::SetMixMode`];
//! leaving (by API, or the supervisor's BYE) drops the third leg and relaying resumes.
//!
//! Taking over: the agent's leg gets BYE and the agent's wrap-up starts (the `acd` hears
//! `CallEnded`, as when an agent hangs up), and the supervisor's leg becomes the call's agent
//! leg ([`MediaCommand::PromoteThirdLeg`]): relayed to the caller, recorded on the right
//! channel. The call then ends as any other.
//!
//! A conference (`POST .../conference`, [`Third::Party`]) is the same third leg with another
//! agent on it, asked by the call's agent: everyone hears everyone
//! ([`media::mixer::MixMode::Conference`]), logged `conferenced{with, by}`; the third party
//! leaves by hanging up or by `DELETE .../conference`.
//!
//! Logged on the interaction: `monitor_started{by, mode}`, `monitor_mode{mode}`,
//! `monitor_ended{reason}`, `taken_over{from_agent, by}`. The API writes the audit entries.
//! Supervisors are outside the `acd`: it does not see them busy, and the call stays the
//! agent's in its figures until taken over.

use std::collections::HashMap;
use std::time::Instant;

use media::mixer::{MixMode, Role};
use serde_json::json;
use sip::dialog::{DialogKey, DialogUpdate};
use sip::sdp::SessionDescription;
use sip::transaction::{ClientKey, ServerKey};
use sip::{Request, Response, StatusCode};
use store::{EventKind, InteractionId, NewEvent, TenantId, UserId};

use super::call::{LegB, OfferState};
use super::directory::agent_id;
use super::inbound_call::leg_config;
use super::switchboard::{Board, Leg};
use crate::control::{CallPhase, MonitorAction, MonitorError, MonitorMode};
use crate::media::{CallRef, LegMedia, MediaCommand};

/// Who the third leg of a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Third {
    /// A supervisor, in this mode (applied when the phone answers).
    Supervisor(MonitorMode),
    /// Another agent added to a conference by `by` (the call's agent, or a manager).
    Party {
        /// Who asked.
        by: UserId,
    },
}

/// A third leg on a call: a supervisor's, or a conference's third party.
#[derive(Debug)]
pub(crate) struct Monitor {
    /// The user on the third leg (the supervisor, the agent added).
    by: UserId,
    /// Who they are on the call.
    third: Third,
    /// Their leg (`agent` is that user).
    leg: LegB,
}

impl Monitor {
    fn supervisor(&self) -> bool {
        matches!(self.third, Third::Supervisor(_))
    }
}

/// The calls being monitored, and how SIP finds their supervisors' legs.
#[derive(Debug, Default)]
pub(crate) struct Monitors {
    by_call: HashMap<CallRef, Monitor>,
    /// INVITEs to supervisors' phones, until their final response (a 200 crossing our
    /// CANCEL gets a BYE).
    by_client: HashMap<ClientKey, CallRef>,
    by_dialog: HashMap<DialogKey, CallRef>,
}

impl Monitors {
    /// Whether `key` is an INVITE to a supervisor's phone.
    pub(crate) fn has_client(&self, key: ClientKey) -> bool {
        self.by_client.contains_key(&key)
    }
}

/// Why a supervisor's leg left, as `monitor_ended` logs it.
#[derive(Debug, Clone, Copy)]
enum Left {
    Asked,
    SupervisorHangup,
    CallEnded,
}

impl Left {
    fn as_str(self) -> &'static str {
        match self {
            Left::Asked => "asked",
            Left::SupervisorHangup => "supervisor_hangup",
            Left::CallEnded => "call_ended",
        }
    }
}

impl Board {
    /// A supervisor's action on the call of `interaction` (see the module doc).
    pub(crate) fn monitor(
        &mut self,
        now: Instant,
        tenant: TenantId,
        interaction: InteractionId,
        by: UserId,
        action: MonitorAction,
    ) -> Result<(), MonitorError> {
        let id = self
            .calls
            .iter()
            .find(|(_, c)| c.tenant == tenant && c.interaction == interaction)
            .map(|(id, _)| *id)
            .ok_or(MonitorError::UnknownCall)?;
        match action {
            MonitorAction::Start(mode) => self.ring_third(now, id, by, Third::Supervisor(mode)),
            MonitorAction::Mode(mode) => {
                let monitor = self
                    .monitors
                    .by_call
                    .get_mut(&id)
                    .filter(|m| m.supervisor())
                    .ok_or(MonitorError::NotMonitored)?;
                if monitor.third == Third::Supervisor(mode) {
                    return Ok(());
                }
                monitor.third = Third::Supervisor(mode);
                if monitor.leg.state == OfferState::Answered {
                    self.media_command(id, MediaCommand::SetMixMode { mode: mode.mix() });
                    self.log_on_call(id, EventKind::MonitorMode, json!({ "mode": mode.as_str() }));
                }
                Ok(())
            }
            MonitorAction::Stop => {
                if !self
                    .monitors
                    .by_call
                    .get(&id)
                    .is_some_and(Monitor::supervisor)
                {
                    return Err(MonitorError::NotMonitored);
                }
                self.end_monitor(now, id, Left::Asked);
                Ok(())
            }
            MonitorAction::TakeOver => self.take_over(now, id),
            MonitorAction::Conference { to, only_agent } => {
                self.check_agent(id, only_agent)?;
                let target = self
                    .directory
                    .agents
                    .iter()
                    .find(|(_, a)| a.tenant == tenant && a.extension.as_deref() == Some(&to))
                    .map(|(user, _)| *user)
                    .ok_or(MonitorError::UnknownTarget)?;
                self.ring_third(now, id, target, Third::Party { by })
                    .map_err(|error| match error {
                        MonitorError::NoPhone | MonitorError::NotConnected
                            if self.calls.get(&id).is_some_and(|c| c.agent == Some(target)) =>
                        {
                            MonitorError::TargetUnavailable
                        }
                        MonitorError::NoPhone => MonitorError::TargetUnavailable,
                        other => other,
                    })
            }
            MonitorAction::LeaveConference { only_agent } => {
                self.check_agent(id, only_agent)?;
                if self
                    .monitors
                    .by_call
                    .get(&id)
                    .is_none_or(Monitor::supervisor)
                {
                    return Err(MonitorError::NoConference);
                }
                self.end_monitor(now, id, Left::Asked);
                Ok(())
            }
        }
    }

    /// An agent may act only on their own call.
    fn check_agent(&self, id: CallRef, only_agent: Option<UserId>) -> Result<(), MonitorError> {
        match only_agent {
            Some(agent) if self.calls.get(&id).and_then(|c| c.agent) != Some(agent) => {
                Err(MonitorError::NotYourCall)
            }
            _ => Ok(()),
        }
    }

    /// Rings `user`'s phone to join call `id` as its third leg.
    fn ring_third(
        &mut self,
        now: Instant,
        id: CallRef,
        user: UserId,
        third: Third,
    ) -> Result<(), MonitorError> {
        let call = self.calls.get(&id).ok_or(MonitorError::UnknownCall)?;
        let connected = call.phase == CallPhase::Connected
            && !call.is_ending()
            && call.agent.is_some()
            && call.agent != Some(user)
            && call.media.is_some();
        if !connected {
            return Err(MonitorError::NotConnected);
        }
        if self.monitors.by_call.contains_key(&id) {
            return Err(MonitorError::AlreadyMonitored);
        }
        let (caller, codec, interaction) = (call.caller.clone(), call.a.codec, call.interaction);
        let leg = self
            .invite_agent(now, user, &caller, codec, Some(interaction))
            .map_err(|_| MonitorError::NoPhone)?;
        self.monitors.by_client.insert(leg.invite, id);
        self.monitors.by_call.insert(
            id,
            Monitor {
                by: user,
                third,
                leg,
            },
        );
        tracing::info!(interaction = %interaction, user = user.0, ?third, "third leg rung");
        Ok(())
    }

    /// A response to the INVITE to a supervisor's phone.
    pub(crate) fn on_monitor_response(
        &mut self,
        now: Instant,
        key: ClientKey,
        response: &Response,
        update: DialogUpdate,
    ) {
        let Some(&id) = self.monitors.by_client.get(&key) else {
            return;
        };
        if response.status.is_provisional() {
            return;
        }
        self.monitors.by_client.remove(&key);
        let current = self
            .monitors
            .by_call
            .get(&id)
            .is_some_and(|m| m.leg.invite == key && m.leg.state == OfferState::Ringing);
        if !response.status.is_success() {
            if current {
                tracing::info!(
                    call = id.0,
                    status = response.status.as_u16(),
                    "the supervisor did not answer"
                );
                self.monitors.by_call.remove(&id);
            }
            return;
        }
        let DialogUpdate::Confirmed(dialog) = update else {
            return;
        };
        let live = self
            .calls
            .get(&id)
            .is_some_and(|c| c.phase == CallPhase::Connected && !c.is_ending());
        if !current || !live {
            // Our CANCEL crossed the 200, or the call moved on meanwhile.
            if current {
                self.monitors.by_call.remove(&id);
            }
            self.send_bye(now, dialog);
            return;
        }
        let Some(monitor) = self.monitors.by_call.get_mut(&id) else {
            return;
        };
        monitor.leg.dialog = Some(dialog);
        let negotiated = SessionDescription::parse(&response.body)
            .ok()
            .and_then(|answer| {
                monitor
                    .leg
                    .sdp
                    .accept_answer(&answer, &monitor.leg.media)
                    .ok()
            })
            .and_then(|n| {
                leg_config(&n).map(|config| LegMedia {
                    remote: n.remote,
                    config,
                })
            });
        let (Some(media), Some(socket)) = (negotiated, monitor.leg.socket.take()) else {
            tracing::warn!("the supervisor's answer has unusable SDP; hanging up");
            self.metrics.error("sdp");
            self.monitors.by_call.remove(&id);
            self.send_bye(now, dialog);
            return;
        };
        monitor.leg.state = OfferState::Answered;
        let (by, third) = (monitor.by, monitor.third);
        self.monitors.by_dialog.insert(dialog, id);
        let (mode, role) = match third {
            Third::Supervisor(mode) => (mode.mix(), Role::Supervisor),
            Third::Party { .. } => (MixMode::Conference, Role::Caller),
        };
        self.media_command(
            id,
            MediaCommand::AddThirdLeg {
                socket,
                media,
                mode,
                role,
            },
        );
        let by_name = self.person_name(by);
        match third {
            Third::Supervisor(mode) => self.log_on_call(
                id,
                EventKind::MonitorStarted,
                json!({ "by": by_name, "mode": mode.as_str() }),
            ),
            Third::Party { by: asker } => {
                let asker = self.person_name(asker);
                self.log_on_call(
                    id,
                    EventKind::Conferenced,
                    json!({ "with": by_name, "by": asker }),
                );
            }
        }
        tracing::info!(
            call = id.0,
            user = by.0,
            ?third,
            "third leg joined the call"
        );
    }

    /// The INVITE to a supervisor's phone timed out or could not be delivered.
    pub(crate) fn on_monitor_failure(&mut self, key: ClientKey) {
        let Some(id) = self.monitors.by_client.remove(&key) else {
            return;
        };
        if self
            .monitors
            .by_call
            .get(&id)
            .is_some_and(|m| m.leg.invite == key)
        {
            self.monitors.by_call.remove(&id);
        }
    }

    /// A BYE from a supervisor's phone (the dialog is gone); `false` if the dialog is not a
    /// supervisor's leg.
    pub(crate) fn monitor_bye(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: &Request,
        dialog: DialogKey,
    ) -> bool {
        let Some(id) = self.monitors.by_dialog.remove(&dialog) else {
            return false;
        };
        self.respond_status(now, key, request, StatusCode::OK);
        if let Some(monitor) = self.monitors.by_call.get_mut(&id) {
            monitor.leg.dialog = None;
        }
        self.end_monitor(now, id, Left::SupervisorHangup);
        true
    }

    /// A re-INVITE from a third leg's phone (a session refresh, new media): answered from
    /// the leg's SDP session, the media task told; `false` if the dialog is not a third leg's.
    pub(crate) fn monitor_reinvite(
        &mut self,
        now: Instant,
        key: ServerKey,
        request: &Request,
        dialog: DialogKey,
    ) -> bool {
        let Some(&id) = self.monitors.by_dialog.get(&dialog) else {
            return false;
        };
        let answered = self.monitors.by_call.get_mut(&id).and_then(|monitor| {
            let offer = SessionDescription::parse(&request.body)
                .ok()
                .filter(|_| !request.body.is_empty())?;
            monitor.leg.sdp.answer(&offer, &monitor.leg.media).ok()
        });
        let Some((answer, negotiated)) = answered else {
            self.respond_status(now, key, request, StatusCode::NOT_ACCEPTABLE_HERE);
            return true;
        };
        if let Some(config) = leg_config(&negotiated) {
            let media = LegMedia {
                remote: negotiated.remote,
                config,
            };
            self.media_command(id, MediaCommand::UpdateThirdLeg { media });
        }
        self.accept_reinvite(now, key, request, dialog, &answer);
        true
    }

    /// Call `id` is ending, or its agent is leaving it (a transfer): the third leg ends too.
    pub(crate) fn monitor_call_ending(&mut self, now: Instant, id: CallRef) {
        if self.monitors.by_call.contains_key(&id) {
            self.end_monitor(now, id, Left::CallEnded);
        }
    }

    /// The supervisor's leg of call `id` leaves: CANCEL while ringing, else BYE (unless the
    /// supervisor hung up) and the media task drops the third leg.
    fn end_monitor(&mut self, now: Instant, id: CallRef, why: Left) {
        let Some(monitor) = self.monitors.by_call.remove(&id) else {
            return;
        };
        if monitor.leg.state == OfferState::Ringing {
            // The INVITE stays known until its final response: a 200 crossing the CANCEL
            // gets a BYE.
            if let Err(error) = self.sip.layer.cancel(now, monitor.leg.invite) {
                tracing::debug!(%error, "CANCEL not sent (a final response came first)");
            }
            return;
        }
        if let Some(dialog) = monitor.leg.dialog {
            self.monitors.by_dialog.remove(&dialog);
            self.send_bye(now, dialog);
        }
        if !matches!(why, Left::CallEnded) {
            self.media_command(id, MediaCommand::DropThirdLeg);
        }
        let third = match monitor.third {
            Third::Supervisor(_) => "supervisor",
            Third::Party { .. } => "party",
        };
        self.log_on_call(
            id,
            EventKind::MonitorEnded,
            json!({ "reason": why.as_str(), "third": third }),
        );
        tracing::info!(
            call = id.0,
            supervisor = monitor.by.0,
            reason = why.as_str(),
            "supervisor left the call"
        );
    }

    /// The supervisor takes call `id` over (see the module doc).
    fn take_over(&mut self, now: Instant, id: CallRef) -> Result<(), MonitorError> {
        let answered = self
            .monitors
            .by_call
            .get(&id)
            .filter(|m| m.supervisor())
            .map(|m| m.leg.state == OfferState::Answered)
            .ok_or(MonitorError::NotMonitored)?;
        if !answered {
            return Err(MonitorError::NotAnswered);
        }
        let call = self.calls.get_mut(&id).ok_or(MonitorError::UnknownCall)?;
        let agent = match (call.phase, call.agent) {
            (CallPhase::Connected, Some(agent)) if !call.is_ending() => agent,
            _ => return Err(MonitorError::NotConnected),
        };
        let Some(monitor) = self.monitors.by_call.remove(&id) else {
            return Err(MonitorError::NotMonitored);
        };
        // The agent's leg ends; the agent's wrap-up starts.
        let mut dialogs = Vec::new();
        for offer in &mut call.offers {
            if offer.state == OfferState::Answered {
                offer.state = OfferState::Cancelled;
                dialogs.extend(offer.dialog.take());
            }
        }
        let mut leg = monitor.leg;
        leg.transfer = true;
        let supervisor_dialog = leg.dialog;
        call.offers.push(leg);
        call.agent = Some(monitor.by);
        call.held = false;
        for dialog in dialogs {
            self.by_dialog.remove(&dialog);
            self.send_bye(now, dialog);
        }
        if let Err(error) = self.acd.handle_input(
            now,
            acd::Input::CallEnded {
                agent: agent_id(agent),
            },
        ) {
            tracing::warn!(%error, "the acd did not take the agent's end of call");
        }
        if let Some(dialog) = supervisor_dialog {
            self.monitors.by_dialog.remove(&dialog);
            self.by_dialog.insert(dialog, (id, Leg::B));
        }
        self.media_command(id, MediaCommand::PromoteThirdLeg);
        let (from_agent, by) = (self.person_name(agent), self.person_name(monitor.by));
        self.log_on_call(
            id,
            EventKind::TakenOver,
            json!({ "from_agent": from_agent, "by": by }),
        );
        tracing::info!(
            call = id.0,
            agent = agent.0,
            supervisor = monitor.by.0,
            "call taken over"
        );
        Ok(())
    }

    /// A user's username, for the log.
    fn person_name(&self, user: UserId) -> String {
        self.directory
            .person(user)
            .map_or_else(|| user.0.to_string(), |p| p.username.clone())
    }

    /// Logs `kind` with `data` on call `id`'s interaction.
    fn log_on_call(&mut self, id: CallRef, kind: EventKind, data: serde_json::Value) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let (tenant, interaction) = (call.tenant, call.interaction);
        let event = NewEvent::new(interaction, crate::log::now_ms(), kind, data);
        self.log_event(tenant, event);
    }
}
