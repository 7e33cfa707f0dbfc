//! The switchboard's SIP side: the transports that move bytes, the endpoint that wraps the
//! `sip` crate's transaction layer and dialogs, and the registrar with its location service
//! and auth guard.
//!
//! ```text
//! UDP socket ──recv task──┐                       ┌── try_send_to (UDP)
//! TCP listener ─conn tasks┴─▶ [bounded Inbound] ─▶ switchboard ─▶ endpoint.flush()
//!                                                  │           └── connection writer (TCP)
//!                                                  └─ validate::inspect → TransactionLayer
//!                                                     → Dialogs → registrar / calls
//! ```
//!
//! - [`transport_udp`]: one task reads datagrams and hands them over; when the switchboard's
//!   queue is full, requests are answered 503 statelessly and counted (overload never grows
//!   memory).
//! - [`transport_tcp`]: a listener task and two tasks per connection (reader with
//!   `sip::framing`, writer draining a channel); responses and requests to a peer that
//!   registered over TCP go back over its connection.
//! - [`endpoint::SipEndpoint`]: inspection (`validate::inspect` with what we support), the
//!   transaction layer and dialogs, sending, and the SIP message metrics.
//! - [`registrar::Registrar`], [`location::Location`], [`auth_guard::AuthGuard`]: REGISTER
//!   with digest authentication, bindings, and the throttle on failed authentications.
//! - [`options`]: what we answer to OPTIONS and to methods we do not serve.

pub(crate) mod auth_guard;
pub(crate) mod endpoint;
pub(crate) mod inbound;
pub(crate) mod local_address;
pub(crate) mod location;
pub(crate) mod log_limit;
pub(crate) mod options;
pub(crate) mod random;
pub(crate) mod registrar;
pub(crate) mod transport_tcp;
pub(crate) mod transport_udp;
