//! The B2BUA: the [`Switchboard`] control plane and what it does with calls.
//!
//! The path of an inbound call: the INVITE's number selects a tenant and a flow; leg A is
//! answered with our SDP and its media task started ([`inbound_call`]); on the ACK the flow
//! runs ([`ivr_steps`]); its `queue` step hands the call to the `acd` ([`routing`]), which may
//! move it to another queue after a wait ([`overflow`]); the
//! engine's offers become INVITEs to agents' phones ([`offer`]); on an answer the legs are
//! bridged and recorded; a BYE from either side ends both legs, durably logged before the
//! 200 goes out ([`hangup`]). Requests within a call are in [`in_dialog`], the API's commands
//! and the drain in [`commands`]. Calls out through the trunk are placed by [`outbound`], for
//! callbacks that keep the caller's place ([`callback`]) and transfers to numbers
//! ([`transfer_number`]).
//!
//! Every step is an event of the interaction log (`arrived`, `ivr_entered`, `digit`, `queued`,
//! `overflowed`, `callback_requested`, `callback_attempt_failed`, `offered`, `offer_missed`,
//! `answered`, `recording_started`, `abandoned`, `ended`, `recording_stopped`), every agent state
//! change an agent event.

#[allow(clippy::module_inception)]
mod call;
mod callback;
mod commands;
mod consult;
mod directory;
mod hangup;
mod in_dialog;
mod inbound_call;
mod ivr_http;
mod ivr_steps;
mod media_events;
mod monitor;
mod number;
mod offer;
mod outbound;
mod overflow;
mod recording_row;
mod reload;
mod routing;
mod sip_events;
mod survey;
mod switchboard;
mod transfer;
mod transfer_number;

pub(crate) use directory::FlowCatalog;
pub use switchboard::Switchboard;
