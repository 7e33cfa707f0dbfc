//! The set of dialogs: lookup by ID, the dialog-creating INVITEs in flight (with their forks),
//! requests sent in dialogs, the UAS's 2xx retransmissions and the UAC's ACKs of 2xx.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::{Dialog, DialogError, DialogId, DialogState};
use crate::builder::RequestBuilder;
use crate::header::Via;
use crate::header_name::HeaderName;
use crate::headers::HeaderValue;
use crate::method::Method;
use crate::request::Request;
use crate::response::Response;
use crate::status::StatusCode;
use crate::timer::{Armed, Timer, TimerConfig, TimerQueue};
use crate::transaction::{
    ClientKey, Label, Peer, ServerKey, TransactionLayer, TxError, TxEvent, TxKey,
};

/// Handle of a dialog in a [`Dialogs`] set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogKey(u64);

/// Settings of a dialog set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogConfig {
    /// T1, T2 for the 2xx retransmissions and the 64·T1 ACK wait.
    pub timers: TimerConfig,
    /// Most dialogs held at once (early ones included).
    pub max_dialogs: usize,
}

impl Default for DialogConfig {
    fn default() -> DialogConfig {
        DialogConfig {
            timers: TimerConfig::default(),
            max_dialogs: 100_000,
        }
    }
}

/// What the set has to tell the TU on its own (from its timers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogEvent {
    /// Our 2xx went unacknowledged for 64·T1 (§13.3.1.4): the TU should send BYE.
    AckTimeout {
        /// The dialog.
        dialog: DialogKey,
    },
}

/// What a transaction event meant for the dialogs ([`Dialogs::handle_tx_event`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogUpdate {
    /// Nothing: the event concerns no dialog (a request outside any dialog is this too).
    None,
    /// A request in a dialog passed the checks (a re-INVITE or UPDATE refreshed the target).
    Request(DialogKey),
    /// A request in a dialog was refused and answered here: 481 (no such dialog) or 500
    /// (CSeq lower than the last one, §12.2.2).
    Rejected(StatusCode),
    /// The ACK of our 2xx arrived: its retransmissions stopped.
    Ack(DialogKey),
    /// A provisional response created or updated an early dialog.
    Early(DialogKey),
    /// A 2xx confirmed the dialog; its ACK was sent.
    Confirmed(DialogKey),
    /// A retransmitted 2xx; the same ACK was sent again.
    AckResent(DialogKey),
    /// A 2xx from another fork after one was confirmed: it was ACKed and a BYE sent to end
    /// that dialog (§13.2.2.4). Retransmissions of it are re-ACKed quietly.
    ForkReleased {
        /// The released dialog's ID.
        id: DialogId,
        /// The BYE's client transaction (`None` if it could not be sent).
        bye: Option<ClientKey>,
    },
    /// The dialog-creating INVITE failed (non-2xx, timeout, transport error): its early
    /// dialogs are gone.
    Failed,
    /// A response to a request we sent in a dialog (a 2xx to a re-INVITE was ACKed; a 2xx to
    /// a re-INVITE or UPDATE refreshed the target).
    Response(DialogKey),
    /// The dialog ended and was removed: a BYE was received (the TU answers it), our BYE got
    /// its final response, or a request in it got 481/408 or timed out (§12.2.1.2).
    Ended(DialogKey),
}

/// The UAS's 2xx awaiting its ACK.
#[derive(Debug)]
struct AckWait {
    server: ServerKey,
    cseq: u32,
    response: Response,
    interval: Duration,
}

/// The UAC's ACK of a 2xx, kept to answer retransmissions of that 2xx.
#[derive(Debug)]
struct SentAck {
    cseq: u32,
    bytes: Bytes,
}

#[derive(Debug)]
struct Entry {
    dialog: Dialog,
    armed: Armed,
    ack_wait: Option<AckWait>,
    ack: Option<SentAck>,
}

/// A client transaction whose responses concern dialogs.
#[derive(Debug)]
enum Tracked {
    /// A dialog-creating INVITE.
    Invite {
        forks: Vec<DialogKey>,
        confirmed: Option<DialogKey>,
        /// Forks released after the first 2xx, with the ACK re-sent to their 2xx.
        released: Vec<(DialogId, Bytes)>,
    },
    /// A request in a dialog.
    InDialog {
        dialog: DialogKey,
        method: Method,
        cseq: u32,
        via: Via,
    },
}

/// The dialogs of one element. See the module documentation for the drive loop.
#[derive(Debug)]
pub struct Dialogs {
    config: DialogConfig,
    entries: HashMap<DialogKey, Entry>,
    by_id: HashMap<DialogId, DialogKey>,
    tracked: HashMap<ClientKey, Tracked>,
    /// UAS: the early dialog of each INVITE server transaction not yet finally answered.
    /// With the To of the response that created it, to know later responses by it cheaply.
    serving: HashMap<ServerKey, (DialogKey, HeaderValue)>,
    queue: TimerQueue<DialogKey>,
    events: VecDeque<DialogEvent>,
    next_key: u64,
}

/// `via` with a fresh branch: the ACK of a 2xx and a fork's BYE are new transactions.
fn fresh_via(mut via: Via, layer: &mut TransactionLayer) -> Via {
    via.params.set("branch", Some(&layer.new_branch()));
    via
}

/// Copies the INVITE's credentials into the ACK of its 2xx (§13.2.2.4).
fn with_credentials(mut ack: Request, invite: &Request) -> Request {
    for name in [HeaderName::Authorization, HeaderName::ProxyAuthorization] {
        for value in invite.headers.get_all(&name) {
            ack.headers.insert(
                ack.headers.len().saturating_sub(1),
                name.clone(),
                value.clone(),
            );
        }
    }
    ack
}

impl Dialogs {
    /// An empty set.
    pub fn new(config: DialogConfig) -> Dialogs {
        Dialogs {
            config,
            entries: HashMap::new(),
            by_id: HashMap::new(),
            tracked: HashMap::new(),
            serving: HashMap::new(),
            queue: TimerQueue::new(),
            events: VecDeque::new(),
            next_key: 0,
        }
    }

    /// Number of dialogs (early and confirmed).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A dialog.
    pub fn get(&self, key: DialogKey) -> Option<&Dialog> {
        self.entries.get(&key).map(|e| &e.dialog)
    }

    /// The dialog with this ID.
    pub fn find(&self, id: &DialogId) -> Option<DialogKey> {
        self.by_id.get(id).copied()
    }

    /// Forgets a dialog (after the TU answered or sent its BYE). Returns it.
    pub fn remove(&mut self, key: DialogKey) -> Option<Dialog> {
        let entry = self.entries.remove(&key)?;
        self.by_id.remove(entry.dialog.id());
        self.settle_timers();
        Some(entry.dialog)
    }

    fn insert(&mut self, dialog: Dialog) -> Result<DialogKey, DialogError> {
        if self.entries.len() >= self.config.max_dialogs {
            return Err(DialogError::Overloaded);
        }
        self.next_key = self.next_key.wrapping_add(1);
        let key = DialogKey(self.next_key);
        self.by_id.insert(dialog.id().clone(), key);
        self.entries.insert(
            key,
            Entry {
                dialog,
                armed: Armed::default(),
                ack_wait: None,
                ack: None,
            },
        );
        Ok(key)
    }

    // ---- UAC ----------------------------------------------------------------------------

    /// Sends a dialog-creating INVITE to `peer` through `layer` and follows its responses.
    pub fn send_invite(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        request: Request,
        peer: Peer,
    ) -> Result<ClientKey, DialogError> {
        let key = layer.send_request(now, request, peer)?;
        self.tracked.insert(
            key,
            Tracked::Invite {
                forks: Vec::new(),
                confirmed: None,
                released: Vec::new(),
            },
        );
        Ok(key)
    }

    /// Starts a request in a dialog (next CSeq, Route set, remote target); the TU adds
    /// Contact, body and headers, then sends it with [`Dialogs::send`].
    pub fn request(
        &mut self,
        key: DialogKey,
        method: Method,
        via: Via,
    ) -> Result<RequestBuilder, DialogError> {
        let entry = self.entries.get_mut(&key).ok_or(DialogError::NoDialog)?;
        Ok(entry.dialog.request(method, via))
    }

    /// Sends a request built with [`Dialogs::request`] to the dialog's peer and follows its
    /// responses (ACK of a 2xx to a re-INVITE, target refresh, the end of the dialog).
    pub fn send(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: DialogKey,
        request: Request,
    ) -> Result<ClientKey, DialogError> {
        let peer = self
            .entries
            .get(&key)
            .ok_or(DialogError::NoDialog)?
            .dialog
            .peer()
            .clone();
        let method = request.method.clone();
        let cseq = request.headers.cseq()?.seq;
        let via = request.headers.top_via()?;
        let client = layer.send_request(now, request, peer)?;
        self.tracked.insert(
            client,
            Tracked::InDialog {
                dialog: key,
                method,
                cseq,
                via,
            },
        );
        Ok(client)
    }

    // ---- UAS ----------------------------------------------------------------------------

    /// Sends the TU's response to a request through `layer`, creating or updating the
    /// dialog: a 1xx (not 100) or 2xx with a To tag to a dialog-creating INVITE creates it
    /// (early, or confirmed); a non-2xx final response ends its early dialog; a 2xx to any
    /// INVITE (re-INVITEs included) is retransmitted until its ACK. Returns the dialog the
    /// request belongs to, if any.
    pub fn respond(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: ServerKey,
        request: &Request,
        response: Response,
    ) -> Result<Option<DialogKey>, DialogError> {
        let status = response.status;
        let is_invite = request.method == Method::Invite;
        let peer = layer
            .server_peer(key)
            .cloned()
            .ok_or(DialogError::Transaction(TxError::NoTransaction))?;
        // Decide before sending (the response moves into the layer), apply after it is out.
        let mut create = None;
        let mut dialog = None;
        let to = response.headers.get(&HeaderName::To).cloned();
        let serving = self
            .serving
            .get(&key)
            .filter(|(dk, first)| Some(first) == to.as_ref() && self.entries.contains_key(dk));
        match serving.map(|(dk, _)| *dk) {
            // The To of the response that created the early dialog: same dialog, no parsing.
            Some(dk) => dialog = Some(dk),
            None => match DialogId::of_received_request(request) {
                Some(id) => dialog = self.find(&id),
                None if is_invite => {
                    let makes = status.is_success()
                        || (status.is_provisional() && status != StatusCode::TRYING);
                    let id = DialogId::of_sent_response(&response);
                    if makes {
                        let id = id.ok_or(DialogError::MissingTag)?;
                        dialog = self.find(&id);
                        if dialog.is_none() {
                            if self.entries.len() >= self.config.max_dialogs {
                                return Err(DialogError::Overloaded);
                            }
                            create = Some(Dialog::uas(request, &response, peer)?);
                        }
                    }
                }
                None => {}
            },
        }
        let kept = (is_invite && status.is_success()).then(|| response.clone());
        layer.send_response(now, key, response)?;
        if let Some(new) = create {
            let dk = self.insert(new)?;
            if let (Some(to), true) = (to, status.is_provisional()) {
                self.serving.insert(key, (dk, to));
            }
            dialog = Some(dk);
        }
        if is_invite && status.is_final() {
            // The early dialog ends unless this 2xx confirms it (a 2xx with another tag made
            // its own dialog).
            let early = self.serving.remove(&key).map(|(dk, _)| dk);
            let confirmed = dialog.filter(|_| status.is_success());
            if let Some(early) = early.filter(|&e| Some(e) != confirmed) {
                self.remove_if_early(early);
            }
            if !status.is_success() {
                return Ok(dialog.filter(|dk| self.entries.contains_key(dk)));
            }
        }
        if let (Some(dk), Some(response)) = (dialog, kept) {
            if let Some(entry) = self.entries.get_mut(&dk) {
                entry.dialog.confirm();
            }
            self.start_ack_wait(now, dk, key, request, response);
        }
        Ok(dialog)
    }

    fn remove_if_early(&mut self, dk: DialogKey) {
        if self
            .entries
            .get(&dk)
            .is_some_and(|e| e.dialog.state() == DialogState::Early)
        {
            self.remove(dk);
        }
    }

    fn start_ack_wait(
        &mut self,
        now: Instant,
        dk: DialogKey,
        server: ServerKey,
        request: &Request,
        response: Response,
    ) {
        let Some(entry) = self.entries.get_mut(&dk) else {
            return;
        };
        let cseq = request.headers.cseq().map(|c| c.seq).unwrap_or_default();
        let timers = &self.config.timers;
        let reliable = entry.dialog.peer().is_reliable();
        let interval = timers.initial(Timer::Retransmit2xx, reliable);
        if let Some(t1) = interval {
            let at = now + t1;
            entry.armed.set(Timer::Retransmit2xx, at);
            self.queue.push(at, dk, Timer::Retransmit2xx);
        } else {
            entry.armed.clear(Timer::Retransmit2xx);
        }
        let at = now + timers.t1_64();
        entry.armed.set(Timer::AckWait, at);
        self.queue.push(at, dk, Timer::AckWait);
        entry.ack_wait = Some(AckWait {
            server,
            cseq,
            response,
            interval: interval.unwrap_or_default(),
        });
    }

    // ---- events from the transaction layer ----------------------------------------------

    /// Applies a transaction event to the dialogs (answering what the dialog layer answers,
    /// sending ACKs and fork BYEs through `layer`) and says what it meant. Call it for every
    /// event, before the TU acts on the event.
    pub fn handle_tx_event(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        event: &TxEvent,
    ) -> DialogUpdate {
        match event {
            TxEvent::Request { key, request, .. } => self.on_request(now, layer, *key, request),
            TxEvent::Ack { request, .. } => self.on_ack(request),
            TxEvent::Response { key, response } => self.on_response(now, layer, *key, response),
            TxEvent::StrayResponse { response, .. } => self.on_stray_response(layer, response),
            TxEvent::Timeout {
                key: TxKey::Client(key),
            }
            | TxEvent::TransportError {
                key: TxKey::Client(key),
            } => self.on_client_failure(*key),
            TxEvent::Terminated {
                key: TxKey::Client(key),
            } => self.on_client_terminated(*key),
            TxEvent::Timeout {
                key: TxKey::Server(key),
            }
            | TxEvent::TransportError {
                key: TxKey::Server(key),
            }
            | TxEvent::Terminated {
                key: TxKey::Server(key),
            } => {
                // An INVITE that ended without the TU's final response (408 sent by the layer,
                // a broken connection): its early dialog goes with it.
                if let Some((dk, _)) = self.serving.remove(key) {
                    self.remove_if_early(dk);
                }
                DialogUpdate::None
            }
            _ => DialogUpdate::None,
        }
    }

    fn on_request(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: ServerKey,
        request: &Request,
    ) -> DialogUpdate {
        let Some(id) = DialogId::of_received_request(request) else {
            return DialogUpdate::None;
        };
        let verdict = match self.by_id.get(&id).copied() {
            None => Err(StatusCode::CALL_DOES_NOT_EXIST),
            Some(dk) => match self.entries.get_mut(&dk) {
                Some(entry) => entry.dialog.receive_request(request).map(|()| dk),
                None => Err(StatusCode::CALL_DOES_NOT_EXIST),
            },
        };
        match verdict {
            Err(status) => {
                let response = Response::for_request(request, status, None);
                // The transaction was just created; it takes a final response.
                let _ = layer.send_response(now, key, response);
                DialogUpdate::Rejected(status)
            }
            Ok(dk) if request.method == Method::Bye => {
                self.remove(dk);
                DialogUpdate::Ended(dk)
            }
            Ok(dk) => DialogUpdate::Request(dk),
        }
    }

    fn on_ack(&mut self, ack: &Request) -> DialogUpdate {
        let Some(dk) = DialogId::of_received_request(ack).and_then(|id| self.find(&id)) else {
            return DialogUpdate::None;
        };
        let cseq = ack.headers.cseq().map(|c| c.seq).ok();
        if let Some(entry) = self.entries.get_mut(&dk)
            && entry
                .ack_wait
                .as_ref()
                .is_some_and(|w| Some(w.cseq) == cseq)
        {
            entry.ack_wait = None;
            entry.armed.clear(Timer::Retransmit2xx);
            entry.armed.clear(Timer::AckWait);
            self.settle_timers();
        }
        DialogUpdate::Ack(dk)
    }

    fn on_response(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: ClientKey,
        response: &Response,
    ) -> DialogUpdate {
        match self.tracked.get(&key) {
            Some(Tracked::Invite { .. }) => self.on_invite_response(now, layer, key, response),
            Some(Tracked::InDialog { .. }) => self.on_in_dialog_response(layer, key, response),
            None => DialogUpdate::None,
        }
    }

    fn on_invite_response(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: ClientKey,
        response: &Response,
    ) -> DialogUpdate {
        let status = response.status;
        if status.is_final() && !status.is_success() {
            self.drop_invite(key);
            return DialogUpdate::Failed;
        }
        let Some(id) = DialogId::of_received_response(response) else {
            return DialogUpdate::None;
        };
        if status.is_provisional() {
            if id.remote_tag.is_empty() {
                return DialogUpdate::None; // 100 Trying, or a 1xx without tag: no dialog
            }
            if let Some(dk) = self.find(&id) {
                if let Some(entry) = self.entries.get_mut(&dk) {
                    entry.dialog.update_from_response(response);
                }
                return DialogUpdate::Early(dk);
            }
            let (Some(invite), Some(peer)) = (layer.client_invite(key), layer.client_peer(key))
            else {
                return DialogUpdate::None;
            };
            let Ok(dialog) = Dialog::uac(invite, response, peer.clone()) else {
                return DialogUpdate::None;
            };
            let Ok(dk) = self.insert(dialog) else {
                return DialogUpdate::None;
            };
            if let Some(Tracked::Invite { forks, .. }) = self.tracked.get_mut(&key) {
                forks.push(dk);
            }
            return DialogUpdate::Early(dk);
        }
        let cseq = response.headers.cseq().map(|c| c.seq).unwrap_or_default();
        // A retransmission of a 2xx we ACKed already.
        if let Some(dk) = self.find(&id)
            && let Some(entry) = self.entries.get(&dk)
            && let Some(ack) = entry.ack.as_ref().filter(|a| a.cseq == cseq)
        {
            let peer = entry.dialog.peer().clone();
            send_ack(layer, ack.bytes.clone(), peer);
            return DialogUpdate::AckResent(dk);
        }
        let Some(Tracked::Invite {
            confirmed,
            released,
            ..
        }) = self.tracked.get(&key)
        else {
            return DialogUpdate::None;
        };
        if let Some((_, ack)) = released.iter().find(|(r, _)| *r == id) {
            if let Some(peer) = layer.client_peer(key).cloned() {
                send_ack(layer, ack.clone(), peer);
            }
            return DialogUpdate::None;
        }
        if confirmed.is_some() {
            return self.release_fork(now, layer, key, id, response, cseq);
        }
        self.confirm(now, layer, key, id, response, cseq)
    }

    /// The first 2xx: confirm (or create) its dialog and ACK it.
    fn confirm(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: ClientKey,
        id: DialogId,
        response: &Response,
        cseq: u32,
    ) -> DialogUpdate {
        let dk = match self.find(&id) {
            Some(dk) => {
                if let Some(entry) = self.entries.get_mut(&dk) {
                    entry.dialog.update_from_response(response);
                }
                dk
            }
            None => {
                let (Some(invite), Some(peer)) = (layer.client_invite(key), layer.client_peer(key))
                else {
                    return DialogUpdate::None;
                };
                let Ok(dialog) = Dialog::uac(invite, response, peer.clone()) else {
                    return DialogUpdate::None;
                };
                match self.insert(dialog) {
                    Ok(dk) => dk,
                    Err(_) => return self.release_fork(now, layer, key, id, response, cseq),
                }
            }
        };
        if let Some(Tracked::Invite { confirmed, .. }) = self.tracked.get_mut(&key) {
            *confirmed = Some(dk);
        }
        let Some(ack) = self.build_ack(layer, key, dk, cseq) else {
            return DialogUpdate::Confirmed(dk);
        };
        if let Some(entry) = self.entries.get_mut(&dk) {
            let peer = entry.dialog.peer().clone();
            let bytes = ack.to_bytes();
            send_ack(layer, bytes.clone(), peer);
            entry.ack = Some(SentAck { cseq, bytes });
        }
        DialogUpdate::Confirmed(dk)
    }

    /// The ACK of the 2xx to the INVITE of client transaction `key`, in dialog `dk`.
    fn build_ack(
        &self,
        layer: &mut TransactionLayer,
        key: ClientKey,
        dk: DialogKey,
        cseq: u32,
    ) -> Option<Request> {
        let invite = layer.client_invite(key)?.clone();
        let via = fresh_via(invite.headers.top_via().ok()?, layer);
        let ack = self.entries.get(&dk)?.dialog.ack(cseq, via);
        Some(with_credentials(ack, &invite))
    }

    /// A 2xx from a second fork: ACK it, then BYE it, without keeping the dialog.
    fn release_fork(
        &mut self,
        now: Instant,
        layer: &mut TransactionLayer,
        key: ClientKey,
        id: DialogId,
        response: &Response,
        cseq: u32,
    ) -> DialogUpdate {
        if let Some(dk) = self.find(&id) {
            self.remove(dk);
        }
        let (Some(invite), Some(peer)) = (layer.client_invite(key), layer.client_peer(key)) else {
            return DialogUpdate::None;
        };
        let invite = invite.clone();
        let peer = peer.clone();
        let Ok(mut dialog) = Dialog::uac(&invite, response, peer.clone()) else {
            return DialogUpdate::None;
        };
        let Ok(via) = invite.headers.top_via() else {
            return DialogUpdate::None;
        };
        let ack = with_credentials(dialog.ack(cseq, fresh_via(via.clone(), layer)), &invite);
        let ack_bytes = ack.to_bytes();
        send_ack(layer, ack_bytes.clone(), peer.clone());
        let bye = dialog.request(Method::Bye, fresh_via(via, layer)).build();
        let bye = layer.send_request(now, bye, peer).ok();
        if let Some(Tracked::Invite { released, .. }) = self.tracked.get_mut(&key) {
            released.push((id.clone(), ack_bytes));
        }
        DialogUpdate::ForkReleased { id, bye }
    }

    fn on_in_dialog_response(
        &mut self,
        layer: &mut TransactionLayer,
        key: ClientKey,
        response: &Response,
    ) -> DialogUpdate {
        let Some(Tracked::InDialog {
            dialog: dk,
            method,
            cseq,
            via,
        }) = self.tracked.get(&key)
        else {
            return DialogUpdate::None;
        };
        let (dk, cseq) = (*dk, *cseq);
        let status = response.status;
        if status.is_provisional() {
            return DialogUpdate::Response(dk);
        }
        let method = method.clone();
        let via = via.clone();
        if method != Method::Invite {
            // An INVITE's record stays until its transaction ends: its 2xx may come again.
            self.tracked.remove(&key);
        }
        let ends = method == Method::Bye
            || status == StatusCode::CALL_DOES_NOT_EXIST
            || status == StatusCode::REQUEST_TIMEOUT;
        if ends {
            return match self.remove(dk) {
                Some(_) => DialogUpdate::Ended(dk),
                None => DialogUpdate::None,
            };
        }
        let Some(entry) = self.entries.get_mut(&dk) else {
            return DialogUpdate::None;
        };
        if !status.is_success() {
            return DialogUpdate::Response(dk);
        }
        match method {
            Method::Invite => {
                if let Some(ack) = entry.ack.as_ref().filter(|a| a.cseq == cseq) {
                    send_ack(layer, ack.bytes.clone(), entry.dialog.peer().clone());
                    return DialogUpdate::AckResent(dk);
                }
                entry.dialog.refresh_target(&response.headers);
                let ack = entry.dialog.ack(cseq, fresh_via(via, layer));
                let bytes = ack.to_bytes();
                send_ack(layer, bytes.clone(), entry.dialog.peer().clone());
                entry.ack = Some(SentAck { cseq, bytes });
            }
            Method::Update => entry.dialog.refresh_target(&response.headers),
            _ => {}
        }
        DialogUpdate::Response(dk)
    }

    fn on_stray_response(
        &mut self,
        layer: &mut TransactionLayer,
        response: &Response,
    ) -> DialogUpdate {
        if !response.status.is_success() {
            return DialogUpdate::None;
        }
        let Ok(cseq) = response.headers.cseq() else {
            return DialogUpdate::None;
        };
        if cseq.method != Method::Invite {
            return DialogUpdate::None;
        }
        let Some(dk) = DialogId::of_received_response(response).and_then(|id| self.find(&id))
        else {
            return DialogUpdate::None;
        };
        let Some(entry) = self.entries.get(&dk) else {
            return DialogUpdate::None;
        };
        match entry.ack.as_ref().filter(|a| a.cseq == cseq.seq) {
            Some(ack) => {
                send_ack(layer, ack.bytes.clone(), entry.dialog.peer().clone());
                DialogUpdate::AckResent(dk)
            }
            None => DialogUpdate::None,
        }
    }

    fn on_client_failure(&mut self, key: ClientKey) -> DialogUpdate {
        match self.tracked.remove(&key) {
            Some(Tracked::Invite {
                forks, confirmed, ..
            }) => {
                self.drop_forks(&forks, confirmed);
                if confirmed.is_some() {
                    DialogUpdate::None
                } else {
                    DialogUpdate::Failed
                }
            }
            Some(Tracked::InDialog { dialog, .. }) => match self.remove(dialog) {
                Some(_) => DialogUpdate::Ended(dialog),
                None => DialogUpdate::None,
            },
            None => DialogUpdate::None,
        }
    }

    fn on_client_terminated(&mut self, key: ClientKey) -> DialogUpdate {
        if let Some(Tracked::Invite {
            forks, confirmed, ..
        }) = self.tracked.remove(&key)
        {
            self.drop_forks(&forks, confirmed);
        }
        DialogUpdate::None
    }

    /// The dialog-creating INVITE of `key` got a failure: forget it and its early dialogs.
    fn drop_invite(&mut self, key: ClientKey) {
        if let Some(Tracked::Invite {
            forks, confirmed, ..
        }) = self.tracked.remove(&key)
        {
            self.drop_forks(&forks, confirmed);
        }
    }

    /// Removes the early dialogs among `forks` (all but the confirmed one).
    fn drop_forks(&mut self, forks: &[DialogKey], confirmed: Option<DialogKey>) {
        for &dk in forks {
            let early = self
                .entries
                .get(&dk)
                .is_some_and(|e| e.dialog.state() == DialogState::Early);
            if Some(dk) != confirmed && early {
                self.remove(dk);
            }
        }
    }

    // ---- timers -------------------------------------------------------------------------

    /// Runs the timers due at `now`: 2xx retransmissions (through `layer`) and ACK waits.
    pub fn handle_timeout(&mut self, now: Instant, layer: &mut TransactionLayer) {
        while let Some((at, dk, timer)) = self.queue.pop_due(now) {
            let Some(entry) = self.entries.get_mut(&dk) else {
                continue;
            };
            if !entry.armed.fire(timer, at) {
                continue;
            }
            match timer {
                Timer::Retransmit2xx => {
                    let Some(wait) = entry.ack_wait.as_mut() else {
                        continue;
                    };
                    // Once the INVITE transaction is gone (timer L), so is the 64·T1 window.
                    if layer
                        .send_response(now, wait.server, wait.response.clone())
                        .is_ok()
                    {
                        wait.interval = self
                            .config
                            .timers
                            .backoff(Timer::Retransmit2xx, wait.interval);
                        let at = now + wait.interval;
                        entry.armed.set(Timer::Retransmit2xx, at);
                        self.queue.push(at, dk, Timer::Retransmit2xx);
                    }
                }
                Timer::AckWait if entry.ack_wait.take().is_some() => {
                    entry.armed.clear(Timer::Retransmit2xx);
                    self.events
                        .push_back(DialogEvent::AckTimeout { dialog: dk });
                }
                _ => {}
            }
        }
        self.settle_timers();
    }

    /// Drops stale heap entries: those on top, so that `poll_timeout` is exact, and all of
    /// them once they outnumber the dialogs well.
    fn settle_timers(&mut self) {
        let entries = &self.entries;
        let live =
            |dk: DialogKey, timer, at| entries.get(&dk).is_some_and(|e| e.armed.is_live(timer, at));
        if self.queue.len() > 4 * entries.len() + 4096 {
            self.queue.retain(live);
        } else {
            self.queue.prune_top(live);
        }
    }

    /// When [`Dialogs::handle_timeout`] should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.queue.peek()
    }

    /// The next event for the TU.
    pub fn poll_event(&mut self) -> Option<DialogEvent> {
        self.events.pop_front()
    }
}

/// Sends an ACK of a 2xx (outside any transaction).
fn send_ack(layer: &mut TransactionLayer, bytes: Bytes, peer: Peer) {
    layer.send_stateless_bytes(bytes, Label::Request(Method::Ack), peer);
}
