//! One call's state: the caller's leg (A, answered by us), the offers to agents (legs B, one
//! ringing at a time, cancelled ones kept until their INVITE ends), the media task, the IVR
//! session, and how it ends.
//!
//! Phases: `Ivr` (answered, in the flow) → `Queued` (waiting, hold music) ⇄ `Ringing` (an
//! agent's phone rings; back to `Queued` when the offer fails) → `Connected` (bridged to the
//! agent, recorded) → `Ending`. A call leaves the switchboard once its `ended` event is
//! durable and its media task has reported its end.

use std::sync::Arc;

use serde_json::json;
use sip::Request;
use sip::dialog::DialogKey;
use sip::sdp::{Codec, LocalMedia, LocalSession};
use sip::transaction::{ClientKey, ServerKey};
use store::{EndCause, EventKind, InteractionId, NewEvent, QueueId, TenantId, UserId};
use tokio::sync::oneshot;

use crate::control::CallPhase;
use crate::media::{MediaHandle, RtpSocket};

/// Why a call ended, as the log says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndReason {
    /// The caller hung up (in the IVR or talking).
    CallerHangup,
    /// The agent hung up.
    AgentHangup,
    /// The caller hung up while queued or while an agent's phone rang.
    Abandoned,
    /// The flow hung up (`hangup` node, or a menu's failure branch).
    IvrHangup,
    /// The queue let the call go (full, or waited too long).
    NoAgent,
    /// The server was stopping and the drain deadline came.
    Drained,
    /// Something failed on our side (media, a missing prompt or queue, no ACK).
    Error,
}

impl EndReason {
    /// The `ended` event. `ivr_hangup` is not one of the store's causes yet: it is written as
    /// text, and read back as `other` by older code.
    pub(crate) fn event(self, interaction: InteractionId, at_ms: i64) -> NewEvent {
        let cause = match self {
            EndReason::CallerHangup => EndCause::CallerHangup,
            EndReason::AgentHangup => EndCause::AgentHangup,
            EndReason::Abandoned => EndCause::Abandoned,
            EndReason::NoAgent => EndCause::NoAgent,
            EndReason::Drained => EndCause::Drained,
            EndReason::Error => EndCause::Error,
            EndReason::IvrHangup => {
                return NewEvent::new(
                    interaction,
                    at_ms,
                    EventKind::Ended,
                    json!({ "cause": "ivr_hangup" }),
                );
            }
        };
        NewEvent::ended(interaction, at_ms, cause)
    }
}

/// The caller's leg.
#[derive(Debug)]
pub(crate) struct LegA {
    /// The INVITE's server transaction.
    pub(crate) invite_key: ServerKey,
    /// The INVITE.
    pub(crate) invite: Request,
    /// The dialog our 200 created (gone once either side sent BYE).
    pub(crate) dialog: Option<DialogKey>,
    /// Whether the ACK of our 200 arrived.
    pub(crate) acked: bool,
    /// Our SDP across the call.
    pub(crate) sdp: LocalSession,
    /// What we offered the caller.
    pub(crate) media: LocalMedia,
    /// The codec the caller's offer and our answer agreed on.
    pub(crate) codec: Codec,
}

/// Where an offer to an agent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OfferState {
    /// The phone rings.
    Ringing,
    /// We cancelled it (ring timeout, the caller left, the call ends); the INVITE's end is
    /// awaited, and a 200 crossing the CANCEL is hung up at once.
    Cancelled,
    /// The agent answered: this leg is the call's agent leg.
    Answered,
}

/// An offer to an agent, and once answered, the agent's leg.
#[derive(Debug)]
pub(crate) struct LegB {
    /// The agent.
    pub(crate) agent: UserId,
    /// The INVITE's client transaction.
    pub(crate) invite: ClientKey,
    /// The dialog, once the agent answered.
    pub(crate) dialog: Option<DialogKey>,
    /// Our RTP socket for this leg (its port is in the offer), until bridged.
    pub(crate) socket: Option<RtpSocket>,
    /// Our SDP toward the agent.
    pub(crate) sdp: LocalSession,
    /// What we offered.
    pub(crate) media: LocalMedia,
    /// Where it stands.
    pub(crate) state: OfferState,
    /// What the agent's answer negotiated, until the legs are bridged.
    pub(crate) answer: Option<crate::media::LegMedia>,
    /// Made by a transfer to this agent, outside the `acd` (see [`super::transfer`]).
    pub(crate) transfer: bool,
}

/// How a call is ending.
#[derive(Debug)]
pub(crate) struct Ending {
    /// Why.
    pub(crate) reason: EndReason,
    /// The `ended` event was queued for the log.
    pub(crate) logged: bool,
    /// It is durable.
    pub(crate) durable: bool,
    /// The media task reported its end (or there was none).
    pub(crate) media_stopped: bool,
    /// BYEs to answer once `ended` is durable.
    pub(crate) byes: Vec<(ServerKey, Request)>,
}

/// A recording in progress: its stored path, and where its duration goes when it stops.
#[derive(Debug)]
pub(crate) struct RecordingInProgress {
    /// Relative to the data directory.
    pub(crate) path: String,
    /// The row writer's end.
    pub(crate) finish: oneshot::Sender<i64>,
}

/// One call.
#[derive(Debug)]
pub(crate) struct Call {
    /// Its interaction.
    pub(crate) interaction: InteractionId,
    /// Its tenant.
    pub(crate) tenant: TenantId,
    /// Where it is.
    pub(crate) phase: CallPhase,
    /// The flow it runs, and its version.
    pub(crate) flow: Arc<ivr::Flow>,
    pub(crate) flow_version: i64,
    /// Caller and dialled number (for the IVR's variables).
    pub(crate) caller: String,
    pub(crate) dialed: String,
    /// The caller's leg.
    pub(crate) a: LegA,
    /// Offers made (the live one last; cancelled ones until their INVITE ends).
    pub(crate) offers: Vec<LegB>,
    /// The media task.
    pub(crate) media: Option<MediaHandle>,
    /// The IVR session, while in the flow.
    pub(crate) ivr: Option<ivr::Session>,
    /// The IVR deadline last put in the switchboard's timer heap.
    pub(crate) ivr_armed: Option<std::time::Instant>,
    /// Whether the agent put the caller on hold.
    pub(crate) held: bool,
    /// The queue it waits in or came from.
    pub(crate) queue: Option<QueueId>,
    /// The agent connected.
    pub(crate) agent: Option<UserId>,
    /// The recording.
    pub(crate) recording: Option<RecordingInProgress>,
    /// How it ends, once it does.
    pub(crate) ending: Option<Ending>,
    /// Ids of announcements played over the hold music.
    pub(crate) next_announcement: u64,
    /// The language the caller was in when the flow queued the call (a `language` node may
    /// have changed it): announcements are made in it. `None`: the flow's.
    pub(crate) queue_language: Option<String>,
    /// Where the callback offer stands (see [`super::callback`]).
    pub(crate) callback: super::callback::CallbackState,
}

/// Announcements (positions) are numbered from here so they never meet the IVR's play ids.
pub(crate) const ANNOUNCEMENT_IDS: u64 = 1 << 63;

impl Call {
    /// The agent's leg, once answered.
    pub(crate) fn agent_leg(&self) -> Option<&LegB> {
        self.offers.iter().find(|b| b.state == OfferState::Answered)
    }

    /// The offer sent in client transaction `key`.
    pub(crate) fn offer_mut(&mut self, key: ClientKey) -> Option<&mut LegB> {
        self.offers.iter_mut().find(|b| b.invite == key)
    }

    /// Whether the call is over but for its bookkeeping.
    pub(crate) fn is_ending(&self) -> bool {
        self.ending.is_some()
    }

    /// Whether it can leave the switchboard.
    pub(crate) fn is_done(&self) -> bool {
        self.ending
            .as_ref()
            .is_some_and(|e| e.durable && e.media_stopped)
    }
}
