//! A call that waited its queue's overflow time moved to another queue (the `acd` keeps its
//! place in line): the call's queue changes, so the API shows where it waits now, and the
//! log says `overflowed {from, to, waited_ms}`. The caller hears nothing of it: the hold
//! music goes on.

use std::time::Duration;

use store::{NewEvent, QueueId};

use super::directory::store_queue;
use super::switchboard::Board;
use crate::media::CallRef;

impl Board {
    /// The `acd` moved the call from queue `from` to `to` after `waited` in queues.
    pub(crate) fn overflowed(
        &mut self,
        id: CallRef,
        from: acd::QueueId,
        to: acd::QueueId,
        waited: Duration,
    ) {
        let (from, to) = (store_queue(from), store_queue(to));
        let name = |queue: QueueId| {
            self.directory
                .queues
                .get(&queue)
                .map_or_else(|| queue.0.to_string(), |q| q.name.clone())
        };
        let (from_name, to_name) = (name(from), name(to));
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.queue = Some(to);
        let (tenant, interaction) = (call.tenant, call.interaction);
        let waited_ms = u64::try_from(waited.as_millis()).unwrap_or(u64::MAX);
        tracing::info!(interaction = %interaction, from = %from_name, to = %to_name, waited_ms, "call overflowed");
        let event = NewEvent::overflowed(
            interaction,
            crate::log::now_ms(),
            &from_name,
            &to_name,
            waited_ms,
        );
        self.log_event(tenant, event);
    }
}
