//! SIP transactions (RFC 3261 §17, with RFC 6026's Accepted state): the four state machines
//! and the [`TransactionLayer`] that owns every live one, matches received messages to them
//! (§17.1.3, §17.2.3, the RFC 2543 fallback included), runs their timers from one deadline
//! heap and bounds their number.
//!
//! Sans-IO: the caller hands in parsed messages with the [`Peer`] they came from and the
//! current time, and takes out [`Transmit`]s (bytes for a peer), [`TxEvent`]s for the
//! transaction user (TU), and the next deadline. Reliability, and so which timers run, comes
//! from the peer's transport (UDP unreliable; TCP, TLS, WebSocket reliable).
//!
//! What the layer does on its own: retransmissions and absorb windows (timers A–M), the ACK of
//! a non-2xx final response (client INVITE), absorbing that ACK (server INVITE), 100 Trying
//! when the TU chose [`Trying::Immediately`] or [`Trying::After`], answering a CANCEL (200, or
//! 481 when it matches nothing) and sending a CANCEL the TU asked for once a provisional
//! response allows it (§9.1). What it leaves to the TU: 2xx responses to INVITE after the first
//! (the dialog retransmits them, §13.3.1.4) and ACKs of 2xx (a [`TxEvent::Ack`] on receipt; the
//! dialog sends them with [`TransactionLayer::send_stateless`]).
//!
//! # Drive loop
//!
//! ```
//! use std::time::{Duration, Instant};
//! use sip::transaction::{Config, Peer, TransactionLayer, TxEvent};
//! use sip::{Message, Response, StatusCode};
//!
//! # #[allow(clippy::disallowed_methods)] // the server reads the clock; the engine never does
//! let mut now = Instant::now();
//! let mut layer = TransactionLayer::new(Config::default(), 0x5eed);
//! let phone = Peer::udp("192.0.2.4:5060".parse()?);
//! let datagram = b"OPTIONS sip:pbx.example.com SIP/2.0\r\n\
//!     Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK74bf9\r\nMax-Forwards: 70\r\n\
//!     From: <sip:alice@example.com>;tag=9fxced76sl\r\nTo: <sip:pbx.example.com>\r\n\
//!     Call-ID: 3848276298220188511@192.0.2.4\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
//!
//! // 1. Input: a datagram (or a timer: `layer.handle_timeout(now)`).
//! let message = Message::parse_slice(datagram)?;
//! layer.handle_received(now, message, phone);
//! // 2. Events for the TU; answering one feeds the layer again.
//! while let Some(event) = layer.poll_event() {
//!     if let TxEvent::Request { key, request, .. } = event {
//!         let tag = layer.new_tag();
//!         let ok = Response::for_request(&request, StatusCode::OK, Some(&tag));
//!         layer.send_response(now, key, ok)?;
//!     }
//! }
//! // 3. Bytes to send, each to its peer (over its connection for TCP).
//! while let Some(transmit) = layer.poll_transmit() {
//!     assert!(transmit.bytes.starts_with(b"SIP/2.0 200 OK"));
//! }
//! // 4. Sleep until the next deadline (or the next datagram), then go to 1.
//! let wake = layer.poll_timeout().expect("timer J keeps the transaction");
//! now = wake;
//! layer.handle_timeout(now);
//! assert_eq!(layer.server_count(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod client_invite;
mod client_non_invite;
mod ctx;
mod ids;
mod key;
mod layer;
mod server_invite;
mod server_non_invite;

pub use ids::IdGenerator;
pub use layer::{TransactionLayer, response_peer};

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;

use crate::header::Transport;
use crate::method::Method;
use crate::request::Request;
use crate::response::Response;
use crate::status::StatusCode;
use crate::timer::TimerConfig;

/// A transport connection the server owns (a TCP, TLS or WebSocket stream), named by the
/// server; the layer only hands it back in [`Transmit::peer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

/// The other end of a message: where a request came from, or where to send one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Peer {
    /// The address (source of a received message, destination of a sent one).
    pub addr: SocketAddr,
    /// The transport; decides reliability and so which timers run.
    pub transport: Transport,
    /// The connection, for stream transports.
    pub connection: Option<ConnectionId>,
}

impl Peer {
    /// A UDP peer.
    pub fn udp(addr: SocketAddr) -> Peer {
        Peer {
            addr,
            transport: Transport::Udp,
            connection: None,
        }
    }

    /// A TCP peer over a server-owned connection.
    pub fn tcp(addr: SocketAddr, connection: ConnectionId) -> Peer {
        Peer {
            addr,
            transport: Transport::Tcp,
            connection: Some(connection),
        }
    }

    /// True when the transport delivers reliably (no retransmissions, zero absorb windows).
    pub fn is_reliable(&self) -> bool {
        self.transport.is_reliable()
    }
}

/// What a [`Transmit`] carries, for logs and metrics without parsing the bytes again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    /// A request of this method.
    Request(Method),
    /// A response with this status.
    Response(StatusCode),
}

/// Bytes to send to a peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to (and over which connection).
    pub peer: Peer,
    /// The message, serialized.
    pub bytes: Bytes,
    /// What it is.
    pub label: Label,
    /// True for a retransmission by a timer or of a response to a retransmitted request.
    pub retransmission: bool,
}

/// Handle of a client transaction (a request this element sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientKey(pub(crate) u64);

/// Handle of a server transaction (a request this element received).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerKey(pub(crate) u64);

/// Either kind of transaction handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TxKey {
    /// A client transaction.
    Client(ClientKey),
    /// A server transaction.
    Server(ServerKey),
}

/// The state of a transaction (the union of figures 5 to 8 of RFC 3261, and RFC 6026's
/// Accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxState {
    /// INVITE client, before any response.
    Calling,
    /// Non-INVITE client before any response; non-INVITE server before any response.
    Trying,
    /// A provisional response was received (client) or sent (server).
    Proceeding,
    /// A non-2xx final response (INVITE) or any final response (non-INVITE) was received or
    /// sent; retransmissions are absorbed.
    Completed,
    /// INVITE server: the ACK of the non-2xx arrived.
    Confirmed,
    /// INVITE: a 2xx was received or sent (RFC 6026).
    Accepted,
    /// Ended (reported just before the transaction is forgotten).
    Terminated,
}

/// What the layer tells the TU, in the order things happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxEvent {
    /// A new request: a new server transaction, to answer with
    /// [`TransactionLayer::send_response`]. Its top Via carries `received`/`rport` as filled
    /// in on receipt (RFC 3261 §18.2.1, RFC 3581).
    Request {
        /// The server transaction.
        key: ServerKey,
        /// The request.
        request: Request,
        /// Where it came from.
        source: Peer,
    },
    /// A CANCEL matched this INVITE server transaction while it still had no final response;
    /// the layer answered the CANCEL 200. The TU answers the INVITE (487) unless it has a
    /// final response on its way.
    Cancelled {
        /// The INVITE's server transaction.
        invite: ServerKey,
        /// The CANCEL.
        cancel: Request,
    },
    /// An ACK no transaction absorbs: the ACK of a 2xx, for the dialog (RFC 3261 §13.3.1.4).
    Ack {
        /// The ACK.
        request: Request,
        /// Where it came from.
        source: Peer,
    },
    /// A response for a client transaction: every provisional, the final one, and (RFC 6026)
    /// every 2xx to an INVITE while the transaction is Accepted, forks' 2xx included.
    Response {
        /// The client transaction.
        key: ClientKey,
        /// The response.
        response: Response,
    },
    /// A response no transaction matches (a 2xx retransmitted after Timer M, a late one).
    StrayResponse {
        /// The response.
        response: Response,
        /// Where it came from.
        source: Peer,
    },
    /// A transaction timed out: B or F (no final response), H (no ACK for a non-2xx), the
    /// CANCEL guard, or a server transaction the TU never answered.
    Timeout {
        /// The transaction.
        key: TxKey,
    },
    /// The transport could not deliver for this transaction (see
    /// [`TransactionLayer::handle_transport_error`]).
    TransportError {
        /// The transaction.
        key: TxKey,
    },
    /// The transaction ended and is forgotten; its key will not be used again.
    Terminated {
        /// The transaction.
        key: TxKey,
    },
    /// A new request arrived while the layer holds its maximum of server transactions; no
    /// transaction was created. The TU answers 503 with Retry-After statelessly
    /// ([`TransactionLayer::send_stateless`] to `reply_to`), or drops it.
    Overloaded {
        /// The request.
        request: Request,
        /// Where a response goes (see [`response_peer`]).
        reply_to: Peer,
    },
}

/// What [`TransactionLayer::handle_received`] did with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A new server transaction ([`TxEvent::Request`]).
    NewTransaction(ServerKey),
    /// A retransmitted request absorbed by its transaction (which re-sent its last response,
    /// if it had one).
    Retransmission(ServerKey),
    /// A CANCEL, answered by the layer in its own server transaction.
    Cancel(ServerKey),
    /// An ACK absorbed by an INVITE server transaction (the ACK of a non-2xx).
    AckAbsorbed(ServerKey),
    /// An ACK for the TU ([`TxEvent::Ack`]).
    Ack,
    /// A response matched to a client transaction (passed up or absorbed as it says).
    Response(ClientKey),
    /// A response matching no transaction ([`TxEvent::StrayResponse`]).
    StrayResponse,
    /// A new request refused for lack of room ([`TxEvent::Overloaded`]).
    Overloaded,
    /// A message missing what matching needs (Via, CSeq, Call-ID...), dropped.
    Dropped,
}

/// Errors of the TU's calls into the layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// No live transaction has this key (it terminated, or never existed).
    #[error("no such transaction")]
    NoTransaction,
    /// The request's top Via has no RFC 3261 branch (`z9hG4bK...`); use
    /// [`TransactionLayer::new_branch`].
    #[error("request needs a Via with an RFC 3261 branch")]
    MissingBranch,
    /// The request lacks a header a transaction needs.
    #[error("malformed message: {0}")]
    Header(#[from] crate::error::HeaderError),
    /// A client transaction with this branch and method is already live.
    #[error("a transaction with this branch exists")]
    DuplicateBranch,
    /// ACK is never sent in a transaction: the layer sends ACKs of non-2xx, and the ACK of a
    /// 2xx goes out with [`TransactionLayer::send_stateless`].
    #[error("ACK is not sent in a transaction")]
    AckIsNotATransaction,
    /// The layer holds its maximum of client transactions.
    #[error("too many client transactions")]
    Overloaded,
    /// The transaction cannot take this now: a response after the final one, a CANCEL for
    /// a non-INVITE or answered INVITE.
    #[error("not allowed in the transaction's state")]
    InvalidState,
}

/// When an INVITE server transaction sends 100 Trying by itself (RFC 3261 §17.2.1: the TU
/// may answer first within 200 ms; a B2BUA sends it at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trying {
    /// As soon as the INVITE arrives.
    Immediately,
    /// After this delay, unless the TU has sent a response by then.
    After(Duration),
    /// Never; the TU sends its own.
    Never,
}

/// The layer's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Timer values.
    pub timers: TimerConfig,
    /// Most server transactions held at once; past it new requests are refused
    /// ([`TxEvent::Overloaded`]).
    pub max_server_transactions: usize,
    /// Most client transactions held at once; past it [`TransactionLayer::send_request`]
    /// fails with [`TxError::Overloaded`].
    pub max_client_transactions: usize,
    /// When INVITE server transactions send 100 Trying.
    pub trying: Trying,
}

impl Default for Config {
    /// RFC timers, 100 Trying at once, 100,000 transactions of each kind (a few hundred bytes
    /// each, plus the messages kept for retransmission).
    fn default() -> Config {
        Config {
            timers: TimerConfig::default(),
            max_server_transactions: 100_000,
            max_client_transactions: 100_000,
            trying: Trying::Immediately,
        }
    }
}
