//! SIP protocol core for Plateau: messages, transactions, dialogs, digest authentication and SDP.
//!
//! Sans-IO: bytes and time go in, bytes, timer deadlines and events come out. No sockets, no
//! clock, no tokio (see `../shared/DESIGN.md`).
//!
//! # Messages
//!
//! [`Message::parse`] reads one datagram (RFC 3261 §7): the start line, header lines kept as
//! `(name, value)` slices of the received [`bytes::Bytes`] (names interned to
//! [`HeaderName`], compact forms mapped; only folded lines are copied), and the body as bytes.
//! Typed views ([`header`]) parse a value when asked. [`Message::to_bytes`] writes it back;
//! what was parsed round-trips, unknown headers and parameters byte for byte.
//!
//! Before acting on received bytes, an element asks [`validate::inspect`], which returns the
//! message or the verdict RFC 3261 §8.2/§16.3 and RFC 4475 give: a ready 400 (reason phrase
//! naming the defect), 416, 420, 415, 406, 483 or 505, or "discard" for broken responses.
//! Streams are cut into messages by [`framing::frame`].
//!
//! # Drive loop (message layer)
//!
//! ```
//! use bytes::Bytes;
//! use sip::validate::{inspect, Policy, Verdict};
//! use sip::{Response, StatusCode};
//!
//! let datagram = Bytes::from_static(b"OPTIONS sip:pbx.example.com SIP/2.0\r\n\
//!     Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK74bf9\r\nMax-Forwards: 70\r\n\
//!     From: <sip:alice@example.com>;tag=9fxced76sl\r\nTo: <sip:pbx.example.com>\r\n\
//!     Call-ID: 3848276298220188511@192.0.2.4\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
//! let policy = Policy::default();
//! let reply = match inspect(datagram, &policy) {
//!     // A transaction layer would take it from here; a UAS answers it.
//!     Verdict::Accept(msg) => Some(Response::for_request(
//!         msg.as_request().expect("OPTIONS is a request"), StatusCode::OK, Some("8a1c"),
//!     )),
//!     Verdict::Respond { response, .. } => Some(response), // 400, 416, 420, ...
//!     Verdict::Discard { .. } => None,
//! };
//! let bytes_to_send = reply.map(|r| r.to_bytes());
//! assert!(bytes_to_send.unwrap().starts_with(b"SIP/2.0 200 OK\r\n"));
//! ```
//!
//! # Transactions and dialogs
//!
//! [`transaction::TransactionLayer`] owns every transaction (RFC 3261 §17 with RFC 6026):
//! retransmissions and timeouts from the named timer table ([`timer`]), matching (the RFC 2543
//! fallback included), CANCEL, the ACK of non-2xx, a bound on live transactions.
//! [`dialog::Dialogs`] sits beside it: dialogs created from 1xx/2xx, forks, route sets and
//! CSeq, requests in dialogs, the UAS's 2xx retransmissions and the UAC's ACKs of 2xx. The
//! server drives both from one task:
//!
//! ```
//! # use std::time::Instant;
//! use sip::dialog::{DialogConfig, Dialogs};
//! use sip::transaction::{Config, Peer, TransactionLayer, TxEvent};
//! use sip::{Message, Response, StatusCode};
//!
//! # #[allow(clippy::disallowed_methods)] // the server reads the clock, the engines never do
//! # let now = Instant::now();
//! let mut layer = TransactionLayer::new(Config::default(), 0x5eed); // seed: branches, tags
//! let mut dialogs = Dialogs::new(DialogConfig::default());
//! # let datagram = Message::parse_slice(b"OPTIONS sip:pbx.example.com SIP/2.0\r\n\
//! #   Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK74bf9\r\nFrom: <sip:a@example.com>;tag=9\r\n\
//! #   To: <sip:pbx.example.com>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n\r\n")?;
//! # let source = Peer::udp("192.0.2.4:5060".parse()?);
//! layer.handle_received(now, datagram, source); // or layer.handle_timeout(now), ...
//! while let Some(event) = layer.poll_event() {
//!     let update = dialogs.handle_tx_event(now, &mut layer, &event); // 481/500, ACKs, forks
//!     if let TxEvent::Request { key, request, .. } = event {
//!         let ok = Response::for_request(&request, StatusCode::OK, Some("t1"));
//!         dialogs.respond(now, &mut layer, key, &request, ok)?; // creates dialogs from 1xx/2xx
//!     }
//! #   let _ = update;
//! }
//! while let Some(transmit) = layer.poll_transmit() {
//!     // socket.try_send_to(&transmit.bytes, transmit.peer.addr)
//! #   let _ = transmit;
//! }
//! let wake = [layer.poll_timeout(), dialogs.poll_timeout()].into_iter().flatten().min();
//! # assert!(wake.is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Dependencies
//! - `bytes`: one shared buffer per received message; header values and bodies are slices.
//! - `memchr`: finding line ends and colons quickly.
//! - `ahash`: the hasher of the hot maps whose keys peers cannot choose (transactions by
//!   their counter key, nonce counts); faster than SipHash on short keys. Maps keyed by what
//!   peers send keep `std`'s randomly keyed SipHash (see the `hash` module).
//! - `thiserror`: the error enums.
//! - `md-5`, `sha2` (incl. SHA-512/256): digest hashes (RFC 7616/8760); `hmac`: the MAC that
//!   makes server nonces self-validating; `subtle`: constant-time comparison of digest responses.
#![warn(missing_docs)]

pub mod auth;
pub mod sdp;

mod builder;
pub mod dialog;
pub mod error;
pub mod framing;
mod hash;
pub mod header;
mod header_name;
mod headers;
mod host;
mod message;
mod method;
mod params;
mod parser;
mod request;
mod response;
mod scan;
mod serialize;
mod status;
pub mod timer;
pub mod transaction;
mod uri;
pub mod validate;

pub use builder::RequestBuilder;
pub use error::{HeaderError, ParseError, SyntaxError};
pub use header_name::HeaderName;
pub use headers::{Header, HeaderValue, Headers, ListItems};
pub use host::Host;
pub use message::{Message, Version};
pub use method::Method;
pub use params::{Param, Params};
pub use parser::MAX_HEADERS;
pub use request::Request;
pub use response::Response;
pub use status::StatusCode;
pub use uri::{AbsoluteUri, SipUri, TelUri, Uri};
