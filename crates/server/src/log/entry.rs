//! What goes through the log writer: [`LogEntry`], the [`LogAck`] that says it is durable, and
//! the errors of sending one.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use store::{NewAgentEvent, NewEvent, NewInteraction, NewRegistration, TenantId};
use tokio::sync::oneshot;

use crate::redact;

/// One thing to write, for one tenant.
#[derive(Clone, PartialEq)]
pub enum LogEntry {
    /// A new interaction (send it before its events).
    Interaction {
        /// Its tenant.
        tenant: TenantId,
        /// The row.
        interaction: NewInteraction,
    },
    /// An event of an interaction.
    Event {
        /// The interaction's tenant.
        tenant: TenantId,
        /// The event.
        event: NewEvent,
    },
    /// An event of an agent's log.
    AgentEvent {
        /// The agent's tenant.
        tenant: TenantId,
        /// The event.
        event: NewAgentEvent,
    },
    /// SIP bindings to insert or refresh. A binding is removed by writing it with
    /// `expires_at_ms` at or before now: it stops being live at once, and the periodic purge
    /// deletes it, all through the same batched path.
    Registrations {
        /// The bindings' tenant.
        tenant: TenantId,
        /// The bindings.
        bindings: Vec<NewRegistration>,
    },
}

impl LogEntry {
    /// The tenant the entry belongs to.
    pub fn tenant(&self) -> TenantId {
        match self {
            LogEntry::Interaction { tenant, .. }
            | LogEntry::Event { tenant, .. }
            | LogEntry::AgentEvent { tenant, .. }
            | LogEntry::Registrations { tenant, .. } => *tenant,
        }
    }

    /// Rows it writes (what the batch size counts).
    pub fn rows(&self) -> usize {
        match self {
            LogEntry::Registrations { bindings, .. } => bindings.len().max(1),
            _ => 1,
        }
    }
}

/// Redacts the caller's and the dialled numbers, so an entry may be logged.
impl fmt::Debug for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogEntry::Interaction {
                tenant,
                interaction,
            } => f
                .debug_struct("Interaction")
                .field("tenant", tenant)
                .field("id", &interaction.id)
                .field("caller", &redact::phone(&interaction.caller))
                .field("dialed", &redact::phone(&interaction.dialed))
                .field("created_at_ms", &interaction.created_at_ms)
                .finish(),
            LogEntry::Event { tenant, event } => f
                .debug_struct("Event")
                .field("tenant", tenant)
                .field("interaction", &event.interaction_id)
                .field("kind", &event.kind)
                .field("at_ms", &event.at_ms)
                .finish_non_exhaustive(),
            LogEntry::AgentEvent { tenant, event } => f
                .debug_struct("AgentEvent")
                .field("tenant", tenant)
                .field("user", &event.user_id)
                .field("kind", &event.kind)
                .field("at_ms", &event.at_ms)
                .finish_non_exhaustive(),
            LogEntry::Registrations { tenant, bindings } => f
                .debug_struct("Registrations")
                .field("tenant", tenant)
                .field("bindings", &bindings.len())
                .finish(),
        }
    }
}

/// Why an entry was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogRejected {
    /// The store refused the entry for its content (unknown interaction or user, duplicate
    /// id...): retrying cannot help.
    #[error("the store refused the entry: {0}")]
    Refused(String),
    /// The writer stopped before the entry could be written (the store kept failing past the
    /// shutdown's flush timeout).
    #[error("the log writer stopped before writing the entry")]
    WriterStopped,
}

/// Resolves once the entry is committed (`Ok`), or is known never to be.
#[derive(Debug)]
pub struct LogAck(pub(super) oneshot::Receiver<Result<(), LogRejected>>);

impl Future for LogAck {
    type Output = Result<(), LogRejected>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|result| result.unwrap_or(Err(LogRejected::WriterStopped)))
    }
}

/// Why an entry could not be queued; the entry comes back.
#[derive(Debug, thiserror::Error)]
pub enum LogSendError {
    /// The queue is full: the store is slower than the traffic, or failing.
    #[error("the interaction log queue is full")]
    Full(LogEntry),
    /// The writer has stopped (shutdown).
    #[error("the interaction log writer has stopped")]
    Closed(LogEntry),
}

impl LogSendError {
    /// The entry that was not queued.
    pub fn into_entry(self) -> LogEntry {
        match self {
            LogSendError::Full(entry) | LogSendError::Closed(entry) => entry,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::InteractionId;

    #[test]
    fn debug_output_masks_the_numbers() {
        let entry = LogEntry::Interaction {
            tenant: TenantId(1),
            interaction: NewInteraction::inbound_call(
                InteractionId::from_parts(1, 1),
                "+33612345678",
                "+33100000000",
                1,
            ),
        };
        let text = format!("{entry:?}");
        assert!(!text.contains("612345678"), "{text}");
        assert!(!text.contains("+331"), "{text}");
        assert!(text.contains("***78"), "{text}");
    }
}
