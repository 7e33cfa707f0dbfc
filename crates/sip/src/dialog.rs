//! SIP dialogs (RFC 3261 §12, §13.2.2.4, §13.3.1.4): the state of each peer-to-peer
//! relationship an INVITE creates, and [`Dialogs`], the set of them an element keeps, keyed for
//! O(1) lookup by dialog ID.
//!
//! The set sits beside the [`crate::transaction::TransactionLayer`] and does the dialog-level
//! work the transaction layer leaves to its TU:
//! - UAS: [`Dialogs::respond`] sends the TU's response and creates the dialog from it (early
//!   on a 1xx with a To tag, confirmed on a 2xx); a 2xx is retransmitted (T1 doubling to T2,
//!   over unreliable transports) until its ACK arrives, or after 64·T1 a
//!   [`DialogEvent::AckTimeout`] tells the TU to send BYE.
//! - UAC: [`Dialogs::send_invite`] sends a dialog-creating INVITE; its provisional responses
//!   create early dialogs (one per To tag: forking-safe), the first 2xx confirms one and is
//!   ACKed (the same ACK re-sent for each retransmission of that 2xx), and a 2xx from any
//!   other fork is ACKed and then ended with a BYE ([`DialogUpdate::ForkReleased`]).
//! - Both: requests received in a dialog are checked (481 with no dialog, 500 for a CSeq out
//!   of order, answered here), re-INVITE and UPDATE refresh the remote target, and
//!   [`Dialogs::request`]/[`Dialogs::send`] build and send requests in a dialog (BYE,
//!   re-INVITE, INFO, REFER, UPDATE), ACKing 2xx to re-INVITEs.
//!
//! # Drive loop (with the transaction layer)
//!
//! ```
//! # use std::time::Instant;
//! use sip::dialog::{DialogConfig, DialogEvent, Dialogs};
//! use sip::transaction::{Config, TransactionLayer};
//!
//! # #[allow(clippy::disallowed_methods)] // the server reads the clock; the engines never do
//! # let now = Instant::now();
//! let mut layer = TransactionLayer::new(Config::default(), 1);
//! let mut dialogs = Dialogs::new(DialogConfig::default());
//! // After each input to `layer`:
//! while let Some(event) = layer.poll_event() {
//!     let update = dialogs.handle_tx_event(now, &mut layer, &event);
//!     // ... the TU acts on (event, update); UAS answers go through `dialogs.respond`.
//! #   let _ = (event, update);
//! }
//! // On a timer (the earlier of both `poll_timeout`s):
//! layer.handle_timeout(now);
//! dialogs.handle_timeout(now, &mut layer);
//! while let Some(DialogEvent::AckTimeout { dialog }) = dialogs.poll_event() {
//!     // no ACK for our 2xx: send BYE in `dialog`
//! #   let _ = dialog;
//! }
//! let next = [layer.poll_timeout(), dialogs.poll_timeout()].into_iter().flatten().min();
//! # let _ = next;
//! ```
//!
//! Session timers (RFC 4028) are not run here; the TU may send refreshes with
//! [`Dialogs::request`].

mod dialogs;
mod id;
mod state;

pub use dialogs::{DialogConfig, DialogEvent, DialogKey, DialogUpdate, Dialogs};
pub use id::DialogId;
pub use state::{Dialog, DialogState, Role};

use crate::error::HeaderError;
use crate::transaction::TxError;

/// Errors of dialog operations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialogError {
    /// A header the dialog needs is missing or malformed.
    #[error("malformed message: {0}")]
    Header(#[from] HeaderError),
    /// The response has no To tag, so it cannot name a dialog.
    #[error("response without To tag")]
    MissingTag,
    /// No dialog has this key.
    #[error("no such dialog")]
    NoDialog,
    /// The set holds its maximum of dialogs.
    #[error("too many dialogs")]
    Overloaded,
    /// The transaction layer refused.
    #[error("transaction: {0}")]
    Transaction(#[from] TxError),
}
