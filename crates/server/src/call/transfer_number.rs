//! Blind transfers to an outside number, through the trunk (see [`super::outbound`]): by the
//! API (`{"to": {"number": "+33..."}}`) or by a REFER whose `Refer-To` user is a number
//! (`sip:+33...@<our domain>`). The agent's leg ends as for any blind transfer
//! ([`super::transfer`]: `transferred{to: "number:+33..."}`, the caller hears hold music), the
//! number is dialled; when it answers, the caller is bridged to it (the recording goes on), and
//! the call ends when either side hangs up. Busy, no answer, unreachable: the caller goes back,
//! at the head, to the queue the call came from. Without a `[trunk]`, numbers are refused
//! ([`TransferError::NoTrunk`]).

use std::time::Instant;

use super::outbound::{Answered, DialFailure, Purpose, dialable};
use super::switchboard::{Board, Leg};
use crate::control::{CallPhase, TransferError};
use crate::media::{CallRef, MediaCommand};

impl Board {
    /// The number a transfer may dial: `number` as a URI's user part, if a trunk is there.
    pub(crate) fn number_target(&self, number: &str) -> Result<String, TransferError> {
        if self.config.trunk.is_none() {
            return Err(TransferError::NoTrunk);
        }
        dialable(number).ok_or(TransferError::UnknownTarget)
    }

    /// The agent's leg is gone and `transferred` logged: dial `number` for call `id`.
    pub(crate) fn dial_transfer(&mut self, now: Instant, id: CallRef, number: &str) {
        if let Some(call) = self.calls.get_mut(&id) {
            call.phase = CallPhase::Ringing;
        }
        if let Err(failure) = self.dial(now, id, number, Purpose::Transfer, None) {
            self.number_transfer_failed(now, id, failure);
        }
    }

    /// The number a call was transferred to answered: bridge the caller to it.
    pub(crate) fn number_transfer_answered(&mut self, now: Instant, id: CallRef, leg: Answered) {
        let up = self
            .calls
            .get(&id)
            .is_some_and(|c| !c.is_ending() && c.phase == CallPhase::Ringing);
        if !up {
            self.send_bye(now, leg.dialog);
            return;
        }
        self.by_dialog.insert(leg.dialog, (id, Leg::B));
        self.outbound.keep_answered(id, leg.dialog);
        if let Some(call) = self.calls.get_mut(&id) {
            call.phase = CallPhase::Connected;
            tracing::info!(interaction = %call.interaction, "the transfer's number answered; bridged");
        }
        self.media_command(
            id,
            MediaCommand::ConnectAgent {
                socket: leg.socket,
                media: leg.media,
            },
        );
    }

    /// The number a call was transferred to did not answer: back to the queue.
    pub(crate) fn number_transfer_failed(&mut self, now: Instant, id: CallRef, why: DialFailure) {
        if let Some(call) = self.calls.get(&id) {
            tracing::info!(interaction = %call.interaction, reason = why.as_str(), "the transfer's number did not answer");
        }
        self.transfer_unanswered(now, id);
    }
}
