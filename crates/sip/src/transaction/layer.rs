//! The transaction layer: every live transaction, the indexes that match messages to them,
//! one deadline heap for all their timers, and the queues of transmits and events.
//!
//! Costs: matching is one hash lookup; `poll_timeout` peeks the heap; a timer costs one heap
//! push when armed and one pop when due (disarmed timers stay in the heap until then, or until
//! the heap outgrows the live timers and is compacted). Memory is bounded by the configured
//! maximum of transactions of each kind.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use super::client_invite::ClientInvite;
use super::client_non_invite::ClientNonInvite;
use super::ctx::Ctx;
use super::ids::IdGenerator;
use super::key::{ClientMatch, ServerMatch};
use super::server_invite::{AckOutcome, ServerInvite};
use super::server_non_invite::ServerNonInvite;
use super::{
    ClientKey, Config, Label, Peer, Received, ServerKey, Transmit, TxError, TxEvent, TxKey, TxState,
};
use crate::hash::{FastMap, fast_map};
use crate::header::Via;
use crate::header_name::HeaderName;
use crate::headers::Headers;
use crate::message::Message;
use crate::method::Method;
use crate::request::Request;
use crate::response::Response;
use crate::status::StatusCode;
use crate::timer::{Armed, TimerQueue};

/// Where the responses to a request go (RFC 3261 §18.2.2, RFC 3581 §4): back over the
/// connection it came on for stream transports; for UDP, to the source address when the
/// client asked for `rport`, else to the source IP at the Via's sent-by port.
pub fn response_peer(source: &Peer, via: &Via) -> Peer {
    if source.is_reliable() || via.rport().is_some() {
        return source.clone();
    }
    Peer {
        addr: SocketAddr::new(source.addr.ip(), via.port_or_default()),
        ..source.clone()
    }
}

// Entries live in a map either way; boxing the larger variant would cost an allocation per
// transaction for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Client {
    Invite(ClientInvite),
    NonInvite(ClientNonInvite),
}

#[derive(Debug)]
struct ClientEntry {
    index: ClientMatch,
    tx: Client,
}

#[derive(Debug)]
enum Server {
    Invite(ServerInvite),
    NonInvite(ServerNonInvite),
}

#[derive(Debug)]
struct ServerEntry {
    index: ServerMatch,
    tx: Server,
}

impl Client {
    fn armed(&self) -> &Armed {
        match self {
            Client::Invite(tx) => tx.armed(),
            Client::NonInvite(tx) => tx.armed(),
        }
    }

    fn state(&self) -> TxState {
        match self {
            Client::Invite(tx) => tx.state(),
            Client::NonInvite(tx) => tx.state(),
        }
    }

    fn is_terminated(&self) -> bool {
        match self {
            Client::Invite(tx) => tx.is_terminated(),
            Client::NonInvite(tx) => tx.is_terminated(),
        }
    }

    fn peer(&self) -> &Peer {
        match self {
            Client::Invite(tx) => tx.peer(),
            Client::NonInvite(tx) => tx.peer(),
        }
    }
}

impl Server {
    fn armed(&self) -> &Armed {
        match self {
            Server::Invite(tx) => tx.armed(),
            Server::NonInvite(tx) => tx.armed(),
        }
    }

    fn state(&self) -> TxState {
        match self {
            Server::Invite(tx) => tx.state(),
            Server::NonInvite(tx) => tx.state(),
        }
    }

    fn is_terminated(&self) -> bool {
        match self {
            Server::Invite(tx) => tx.is_terminated(),
            Server::NonInvite(tx) => tx.is_terminated(),
        }
    }

    fn peer(&self) -> &Peer {
        match self {
            Server::Invite(tx) => tx.peer(),
            Server::NonInvite(tx) => tx.peer(),
        }
    }
}

/// Most timers a transaction arms at once; sizes the heap compaction threshold.
const TIMERS_PER_TRANSACTION: usize = 3;

/// Every live transaction of one element. See the module documentation of
/// [`crate::transaction`] for the drive loop.
#[derive(Debug)]
pub struct TransactionLayer {
    config: Config,
    clients: FastMap<ClientKey, ClientEntry>,
    client_index: HashMap<ClientMatch, ClientKey>,
    servers: FastMap<ServerKey, ServerEntry>,
    server_index: HashMap<ServerMatch, ServerKey>,
    timers: TimerQueue<TxKey>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<TxEvent>,
    ids: IdGenerator,
    next_key: u64,
}

/// Builds a [`Ctx`] from the layer's fields, leaving the transaction maps free to borrow.
macro_rules! ctx {
    ($self:ident, $now:expr) => {
        Ctx {
            now: $now,
            timers: &$self.config.timers,
            queue: &mut $self.timers,
            transmits: &mut $self.transmits,
            events: &mut $self.events,
        }
    };
}

impl TransactionLayer {
    /// An empty layer. `seed` seeds the generator of branches, tags and Call-IDs.
    pub fn new(config: Config, seed: u64) -> TransactionLayer {
        TransactionLayer {
            config,
            clients: fast_map(),
            client_index: HashMap::new(),
            servers: fast_map(),
            server_index: HashMap::new(),
            timers: TimerQueue::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            ids: IdGenerator::new(seed),
            next_key: 0,
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A fresh RFC 3261 branch for a request's Via.
    pub fn new_branch(&mut self) -> String {
        self.ids.branch()
    }

    /// A fresh From or To tag.
    pub fn new_tag(&mut self) -> String {
        self.ids.tag()
    }

    /// A fresh Call-ID ending in `@host`.
    pub fn new_call_id(&mut self, host: &str) -> String {
        self.ids.call_id(host)
    }

    /// The generator itself, for other ids the TU needs.
    pub fn ids(&mut self) -> &mut IdGenerator {
        &mut self.ids
    }

    /// Live server transactions.
    pub fn server_count(&self) -> usize {
        self.servers.len()
    }

    /// Live client transactions.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// The state of a live transaction (`None` once it is forgotten).
    pub fn state(&self, key: TxKey) -> Option<TxState> {
        match key {
            TxKey::Client(k) => self.clients.get(&k).map(|e| e.tx.state()),
            TxKey::Server(k) => self.servers.get(&k).map(|e| e.tx.state()),
        }
    }

    /// Where a server transaction sends its responses.
    pub fn server_peer(&self, key: ServerKey) -> Option<&Peer> {
        self.servers.get(&key).map(|e| e.tx.peer())
    }

    /// Where a client transaction sent its request.
    pub fn client_peer(&self, key: ClientKey) -> Option<&Peer> {
        self.clients.get(&key).map(|e| e.tx.peer())
    }

    /// The request a live client INVITE transaction sent.
    pub fn client_invite(&self, key: ClientKey) -> Option<&Request> {
        match &self.clients.get(&key)?.tx {
            Client::Invite(tx) => Some(tx.request()),
            Client::NonInvite(_) => None,
        }
    }

    fn next_id(&mut self) -> u64 {
        self.next_key = self.next_key.wrapping_add(1);
        self.next_key
    }

    // ---- input ------------------------------------------------------------------------

    /// A message from the network (parsed, and for requests preferably checked by
    /// [`crate::validate::inspect`]), from `source`.
    pub fn handle_received(&mut self, now: Instant, message: Message, source: Peer) -> Received {
        match message {
            Message::Request(request) => self.receive_request(now, request, source),
            Message::Response(response) => self.receive_response(now, response, source),
        }
    }

    fn receive_request(&mut self, now: Instant, mut request: Request, source: Peer) -> Received {
        let Ok(via) = request.headers.top_via() else {
            return Received::Dropped;
        };
        let Ok(index) = ServerMatch::for_request(&request, &via) else {
            return Received::Dropped;
        };
        if request.method == Method::Ack {
            return self.receive_ack(now, request, index, source);
        }
        if let Some(&key) = self.server_index.get(&index) {
            let mut ctx = ctx!(self, now);
            if let Some(entry) = self.servers.get_mut(&key) {
                match &mut entry.tx {
                    Server::Invite(tx) => tx.on_retransmission(&mut ctx),
                    Server::NonInvite(tx) => tx.on_retransmission(&mut ctx),
                }
            }
            return Received::Retransmission(key);
        }
        let reply_to = response_peer(&source, &via);
        stamp_via(&mut request, &via, &source);
        if self.servers.len() >= self.config.max_server_transactions {
            self.events
                .push_back(TxEvent::Overloaded { request, reply_to });
            return Received::Overloaded;
        }
        if request.method == Method::Cancel {
            return self.receive_cancel(now, request, index, reply_to);
        }
        let key = ServerKey(self.next_id());
        let trying = self.config.trying;
        let mut ctx = ctx!(self, now);
        let tx = if request.method == Method::Invite {
            let mirror = mirror_headers(&request.headers);
            Server::Invite(ServerInvite::start(&mut ctx, key, reply_to, mirror, trying))
        } else {
            Server::NonInvite(ServerNonInvite::start(&mut ctx, key, reply_to))
        };
        self.server_index.insert(index.clone(), key);
        self.servers.insert(key, ServerEntry { index, tx });
        self.events.push_back(TxEvent::Request {
            key,
            request,
            source,
        });
        Received::NewTransaction(key)
    }

    fn receive_ack(
        &mut self,
        now: Instant,
        request: Request,
        index: ServerMatch,
        source: Peer,
    ) -> Received {
        if let Some(&key) = self.server_index.get(&index) {
            let mut ctx = ctx!(self, now);
            if let Some(ServerEntry {
                tx: Server::Invite(tx),
                ..
            }) = self.servers.get_mut(&key)
            {
                // RFC 2543 ACKs carry the tag of the response they acknowledge (§17.2.3).
                let matches = !index.is_legacy()
                    || request
                        .headers
                        .to()
                        .ok()
                        .and_then(|to| to.tag().map(str::to_owned))
                        == tx.to_tag();
                if matches && tx.on_ack(&mut ctx) == AckOutcome::Absorbed {
                    self.finish_server(key);
                    return Received::AckAbsorbed(key);
                }
            }
        }
        self.events.push_back(TxEvent::Ack { request, source });
        Received::Ack
    }

    /// A new CANCEL: its own non-INVITE server transaction, answered here (§9.2).
    fn receive_cancel(
        &mut self,
        now: Instant,
        request: Request,
        index: ServerMatch,
        reply_to: Peer,
    ) -> Received {
        let invite = self.server_index.get(&index.cancelled_invite()).copied();
        let (status, to_tag, pending) = match invite.and_then(|k| self.servers.get(&k)) {
            Some(ServerEntry {
                tx: Server::Invite(tx),
                ..
            }) => (StatusCode::OK, tx.to_tag(), tx.awaits_final()),
            _ => (StatusCode::CALL_DOES_NOT_EXIST, None, false),
        };
        let to_tag = to_tag.unwrap_or_else(|| self.ids.tag());
        let response = Response::for_request(&request, status, Some(&to_tag));
        let key = ServerKey(self.next_id());
        let mut ctx = ctx!(self, now);
        let mut tx = ServerNonInvite::start(&mut ctx, key, reply_to);
        // A fresh transaction in Trying takes any response.
        let _ = tx.send_response(&mut ctx, &response);
        if let (Some(invite), true) = (invite, pending) {
            self.events.push_back(TxEvent::Cancelled {
                invite,
                cancel: request,
            });
        }
        self.server_index.insert(index.clone(), key);
        self.servers.insert(
            key,
            ServerEntry {
                index,
                tx: Server::NonInvite(tx),
            },
        );
        self.finish_server(key);
        Received::Cancel(key)
    }

    fn receive_response(&mut self, now: Instant, response: Response, source: Peer) -> Received {
        let Some(index) = ClientMatch::for_response(&response) else {
            return Received::Dropped;
        };
        let Some(&key) = self.client_index.get(&index) else {
            self.events
                .push_back(TxEvent::StrayResponse { response, source });
            return Received::StrayResponse;
        };
        let mut ctx = ctx!(self, now);
        match self.clients.get_mut(&key).map(|e| &mut e.tx) {
            Some(Client::Invite(tx)) => tx.on_response(&mut ctx, response),
            Some(Client::NonInvite(tx)) => tx.on_response(&mut ctx, response),
            None => {}
        }
        self.after_client_input(now, key);
        Received::Response(key)
    }

    /// Runs the timers due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some((at, owner, timer)) = self.timers.pop_due(now) {
            let mut ctx = ctx!(self, now);
            match owner {
                TxKey::Client(key) => {
                    match self.clients.get_mut(&key).map(|e| &mut e.tx) {
                        Some(Client::Invite(tx)) => tx.on_timer(&mut ctx, timer, at),
                        Some(Client::NonInvite(tx)) => tx.on_timer(&mut ctx, timer, at),
                        None => continue,
                    }
                    self.after_client_input(now, key);
                }
                TxKey::Server(key) => {
                    match self.servers.get_mut(&key).map(|e| &mut e.tx) {
                        Some(Server::Invite(tx)) => tx.on_timer(&mut ctx, timer, at),
                        Some(Server::NonInvite(tx)) => tx.on_timer(&mut ctx, timer, at),
                        None => continue,
                    }
                    self.finish_server(key);
                }
            }
        }
        self.settle_timers();
    }

    /// The transport failed toward `peer` (a closed connection, an ICMP error): every
    /// transaction using it reports [`TxEvent::TransportError`] and ends. Costs a scan of
    /// all transactions.
    pub fn handle_transport_error(&mut self, now: Instant, peer: &Peer) {
        let mut clients: Vec<ClientKey> = self
            .clients
            .iter()
            .filter(|(_, e)| e.tx.peer() == peer)
            .map(|(k, _)| *k)
            .collect();
        let mut servers: Vec<ServerKey> = self
            .servers
            .iter()
            .filter(|(_, e)| e.tx.peer() == peer)
            .map(|(k, _)| *k)
            .collect();
        clients.sort_unstable();
        servers.sort_unstable();
        for key in clients {
            let mut ctx = ctx!(self, now);
            match self.clients.get_mut(&key).map(|e| &mut e.tx) {
                Some(Client::Invite(tx)) => tx.on_transport_error(&mut ctx),
                Some(Client::NonInvite(tx)) => tx.on_transport_error(&mut ctx),
                None => {}
            }
            self.finish_client(key);
        }
        for key in servers {
            let mut ctx = ctx!(self, now);
            match self.servers.get_mut(&key).map(|e| &mut e.tx) {
                Some(Server::Invite(tx)) => tx.on_transport_error(&mut ctx),
                Some(Server::NonInvite(tx)) => tx.on_transport_error(&mut ctx),
                None => {}
            }
            self.finish_server(key);
        }
    }

    // ---- the TU's calls -----------------------------------------------------------------

    /// Sends a request in a new client transaction to `peer`. The request's top Via must
    /// carry an RFC 3261 branch ([`Self::new_branch`]) unique among live transactions.
    pub fn send_request(
        &mut self,
        now: Instant,
        request: Request,
        peer: Peer,
    ) -> Result<ClientKey, TxError> {
        if request.method == Method::Ack {
            return Err(TxError::AckIsNotATransaction);
        }
        let index = ClientMatch::for_request(&request)?.ok_or(TxError::MissingBranch)?;
        if self.client_index.contains_key(&index) {
            return Err(TxError::DuplicateBranch);
        }
        if self.clients.len() >= self.config.max_client_transactions {
            return Err(TxError::Overloaded);
        }
        let key = ClientKey(self.next_id());
        let bytes = request.to_bytes();
        let mut ctx = ctx!(self, now);
        let tx = if request.method == Method::Invite {
            Client::Invite(ClientInvite::start(&mut ctx, key, peer, request, bytes))
        } else {
            let method = request.method.clone();
            Client::NonInvite(ClientNonInvite::start(
                &mut ctx, key, peer, method, bytes, false,
            ))
        };
        self.client_index.insert(index.clone(), key);
        self.clients.insert(key, ClientEntry { index, tx });
        Ok(key)
    }

    /// Cancels a client INVITE transaction (RFC 3261 §9.1): the CANCEL goes out now if a
    /// provisional response has arrived, else as soon as one does. The INVITE's outcome
    /// (487, or a 200 that crossed the CANCEL) still arrives as a [`TxEvent::Response`];
    /// the CANCEL's own responses are absorbed. Fails with [`TxError::InvalidState`] once a
    /// final response arrived, and for non-INVITE transactions.
    pub fn cancel(&mut self, now: Instant, key: ClientKey) -> Result<(), TxError> {
        match self.clients.get_mut(&key).map(|e| &mut e.tx) {
            Some(Client::Invite(tx)) => {
                if !tx.ask_cancel() {
                    return Err(TxError::InvalidState);
                }
            }
            Some(Client::NonInvite(_)) => return Err(TxError::InvalidState),
            None => return Err(TxError::NoTransaction),
        }
        self.after_client_input(now, key);
        Ok(())
    }

    /// Sends the TU's response in a server transaction. A 2xx to an INVITE may be sent again
    /// while the transaction is Accepted (the dialog's retransmissions).
    pub fn send_response(
        &mut self,
        now: Instant,
        key: ServerKey,
        response: Response,
    ) -> Result<(), TxError> {
        let mut ctx = ctx!(self, now);
        let result = match self.servers.get_mut(&key).map(|e| &mut e.tx) {
            Some(Server::Invite(tx)) => tx.send_response(&mut ctx, &response),
            Some(Server::NonInvite(tx)) => tx.send_response(&mut ctx, &response),
            None => Err(TxError::NoTransaction),
        };
        self.finish_server(key);
        result
    }

    /// Sends a message outside any transaction: the ACK of a 2xx, a stateless 503 to an
    /// [`TxEvent::Overloaded`] request.
    pub fn send_stateless(&mut self, message: &Message, peer: Peer) {
        let label = match message {
            Message::Request(r) => Label::Request(r.method.clone()),
            Message::Response(r) => Label::Response(r.status),
        };
        self.transmits.push_back(Transmit {
            peer,
            bytes: message.to_bytes(),
            label,
            retransmission: false,
        });
    }

    /// Sends bytes already serialized outside any transaction (the dialog's re-sent ACKs).
    pub(crate) fn send_stateless_bytes(&mut self, bytes: bytes::Bytes, label: Label, peer: Peer) {
        self.transmits.push_back(Transmit {
            peer,
            bytes,
            label,
            retransmission: false,
        });
    }

    // ---- output -------------------------------------------------------------------------

    /// The next message to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the TU.
    pub fn poll_event(&mut self) -> Option<TxEvent> {
        self.events.pop_front()
    }

    /// When [`Self::handle_timeout`] should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.peek()
    }

    // ---- bookkeeping --------------------------------------------------------------------

    /// After an input to a client transaction: send a CANCEL it became due for, and forget
    /// it if it terminated.
    fn after_client_input(&mut self, now: Instant, key: ClientKey) {
        let due = matches!(
            self.clients.get(&key).map(|e| &e.tx),
            Some(Client::Invite(tx)) if tx.cancel_due()
        );
        if due {
            self.send_cancel(now, key);
        }
        self.finish_client(key);
    }

    fn send_cancel(&mut self, now: Instant, key: ClientKey) {
        let mut ctx = ctx!(self, now);
        let Some(entry) = self.clients.get_mut(&key) else {
            return;
        };
        let Client::Invite(tx) = &mut entry.tx else {
            return;
        };
        tx.cancel_sent(&mut ctx);
        // The INVITE was sent by this layer, so it has the headers a CANCEL copies.
        let Ok(cancel) = tx.request().cancel() else {
            return;
        };
        let peer = tx.peer().clone();
        let index = entry.index.cancel();
        if self.client_index.contains_key(&index) {
            return; // the TU sent its own CANCEL
        }
        let bytes = cancel.to_bytes();
        if self.clients.len() >= self.config.max_client_transactions {
            // No room to retransmit it: send it once, and let the CANCEL guard end the INVITE.
            ctx.send(&peer, bytes, Label::Request(Method::Cancel), false);
            return;
        }
        let cancel_key = ClientKey(self.next_id());
        let mut ctx = ctx!(self, now);
        let tx = ClientNonInvite::start(&mut ctx, cancel_key, peer, Method::Cancel, bytes, true);
        self.client_index.insert(index.clone(), cancel_key);
        self.clients.insert(
            cancel_key,
            ClientEntry {
                index,
                tx: Client::NonInvite(tx),
            },
        );
    }

    /// After an input to a transaction: forget it if it terminated, and drop the timers it
    /// no longer runs from the top of the heap.
    fn finish_client(&mut self, key: ClientKey) {
        let terminated = self.clients.get(&key).is_some_and(|e| e.tx.is_terminated());
        if terminated {
            self.forget_client(key);
        }
        self.settle_timers();
    }

    fn forget_client(&mut self, key: ClientKey) {
        if let Some(entry) = self.clients.remove(&key) {
            self.client_index.remove(&entry.index);
            // The layer's own CANCELs are nobody's business but the layer's.
            let silent = matches!(&entry.tx, Client::NonInvite(tx) if tx.is_silent());
            if !silent {
                self.events.push_back(TxEvent::Terminated {
                    key: TxKey::Client(key),
                });
            }
        }
    }

    fn finish_server(&mut self, key: ServerKey) {
        let terminated = self.servers.get(&key).is_some_and(|e| e.tx.is_terminated());
        if terminated {
            self.forget_server(key);
        }
        self.settle_timers();
    }

    fn forget_server(&mut self, key: ServerKey) {
        if let Some(entry) = self.servers.remove(&key) {
            self.server_index.remove(&entry.index);
            self.events.push_back(TxEvent::Terminated {
                key: TxKey::Server(key),
            });
        }
    }

    /// Drops stale heap entries: those on top after every input, so that `poll_timeout` is
    /// exact, and all of them once they outnumber the live timers well.
    fn settle_timers(&mut self) {
        let (clients, servers) = (&self.clients, &self.servers);
        let live = |owner: TxKey, timer, at| match owner {
            TxKey::Client(k) => clients
                .get(&k)
                .is_some_and(|e| e.tx.armed().is_live(timer, at)),
            TxKey::Server(k) => servers
                .get(&k)
                .is_some_and(|e| e.tx.armed().is_live(timer, at)),
        };
        let armed = (clients.len() + servers.len()) * TIMERS_PER_TRANSACTION;
        if self.timers.len() > 2 * armed + 4096 {
            self.timers.retain(live);
        } else {
            self.timers.prune_top(live);
        }
    }
}

/// The header lines an INVITE server transaction keeps to build its own 100 and 408.
fn mirror_headers(headers: &Headers) -> Headers {
    let mut mirror = Headers::with_capacity(8);
    for header in headers {
        if matches!(
            header.name,
            HeaderName::Via
                | HeaderName::From
                | HeaderName::To
                | HeaderName::CallId
                | HeaderName::CSeq
                | HeaderName::Timestamp
        ) {
            mirror.push_header(header.clone());
        }
    }
    mirror
}

/// Fills in `received` when the top Via's host is not the source address (RFC 3261
/// §18.2.1), and `rport` with `received` when the client asked for it (RFC 3581 §4).
fn stamp_via(request: &mut Request, via: &Via, source: &Peer) {
    let ip = source.addr.ip();
    let wants_rport = via.rport() == Some(None);
    if !wants_rport && via.host.ip() == Some(ip) {
        return;
    }
    let mut stamped = via.clone();
    stamped.set_received(ip);
    if wants_rport {
        stamped.set_rport(source.addr.port());
    }
    request
        .headers
        .replace_first_value(&HeaderName::Via, stamped.to_string());
}
