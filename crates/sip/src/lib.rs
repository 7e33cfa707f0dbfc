//! SIP protocol core for Plateau: messages, transactions, dialogs, digest authentication and SDP.
//!
//! Sans-IO: bytes and time go in, bytes, timer deadlines and events come out. No sockets, no
//! clock, no tokio (see `../shared/DESIGN.md`).
#![warn(missing_docs)]

pub mod auth;
pub mod sdp;
