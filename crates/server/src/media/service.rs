//! Starting media tasks ([`MediaService`]) and talking to one ([`MediaHandle`]).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::mpsc;
use tracing::Instrument;

use super::commands::{CallRef, LegMedia, MediaCommand, MediaEvent, MediaEventEnvelope};
use super::config::MediaConfig;
use super::live::{LiveCounters, MediaTotals, TotalsSnapshot};
use super::media_task;
use super::rtp_ports::RtpSocket;

/// Commands a task may have waiting; the switchboard sends a handful per call, so a full
/// queue means the task is stuck.
const COMMAND_QUEUE: usize = 64;

/// What every media task shares.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) config: MediaConfig,
    pub(super) events: mpsc::UnboundedSender<MediaEventEnvelope>,
    pub(super) totals: MediaTotals,
}

impl Shared {
    pub(super) fn emit(&self, call: CallRef, event: MediaEvent) {
        // The switchboard gone means the server is shutting down: nobody to tell.
        let _ = self.events.send(MediaEventEnvelope { call, event });
    }
}

/// Starts one media task per call on a tokio runtime, and collects their events into one
/// channel for the switchboard.
///
/// The events channel is unbounded on purpose: a task must never wait on the switchboard
/// (its audio would stall), and events are few per call (digits, playback ends, timeouts,
/// one report), so their number is bounded by the calls in progress.
#[derive(Debug, Clone)]
pub struct MediaService {
    shared: Arc<Shared>,
    runtime: tokio::runtime::Handle,
}

impl MediaService {
    /// A service whose tasks run on `runtime`; the receiver gets every task's events.
    pub fn new(
        config: MediaConfig,
        runtime: tokio::runtime::Handle,
    ) -> (MediaService, mpsc::UnboundedReceiver<MediaEventEnvelope>) {
        let (events, receiver) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            config,
            events,
            totals: MediaTotals::default(),
        });
        (MediaService { shared, runtime }, receiver)
    }

    /// Starts the media task of call `call`, whose caller (leg A) sends to `socket` and
    /// receives at `media.remote`. The task plays nothing until told to.
    pub fn start_call(&self, call: CallRef, socket: RtpSocket, media: LegMedia) -> MediaHandle {
        let (commands, receiver) = mpsc::channel(COMMAND_QUEUE);
        let live = Arc::new(LiveCounters::default());
        let local = socket.local_addr();
        let task = media_task::run(
            Arc::clone(&self.shared),
            call,
            socket,
            media,
            Arc::clone(&live),
            receiver,
        );
        self.runtime
            .spawn(task.instrument(tracing::info_span!("media", call = call.0)));
        MediaHandle {
            call,
            commands,
            live,
            local,
        }
    }

    /// RTP totals over every call so far (for the metrics endpoint).
    pub fn totals(&self) -> TotalsSnapshot {
        self.shared.totals.snapshot()
    }
}

/// Why a command did not reach a media task.
#[derive(Debug, thiserror::Error)]
pub enum MediaSendError {
    /// The task has too many commands waiting (it is stuck); the command was dropped.
    #[error("the media task of call {0:?} is not keeping up")]
    Full(CallRef),
    /// The task has ended.
    #[error("the media task of call {0:?} has ended")]
    Ended(CallRef),
}

/// The switchboard's side of one call's media task. Cloning is cheap; the task stops when
/// it is told to or when every handle is dropped.
#[derive(Debug, Clone)]
pub struct MediaHandle {
    call: CallRef,
    commands: mpsc::Sender<MediaCommand>,
    live: Arc<LiveCounters>,
    local: SocketAddr,
}

impl MediaHandle {
    /// The call this task serves.
    pub fn call(&self) -> CallRef {
        self.call
    }

    /// Leg A's local RTP address (for the SDP answer).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Queues a command without waiting.
    pub fn send(&self, command: MediaCommand) -> Result<(), MediaSendError> {
        self.commands.try_send(command).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => MediaSendError::Full(self.call),
            mpsc::error::TrySendError::Closed(_) => MediaSendError::Ended(self.call),
        })
    }

    /// The call's live per-leg counters (packets and bytes in and out), updated on every
    /// packet; cheap to read from any thread (the calls API, metrics).
    pub fn live(&self) -> &Arc<LiveCounters> {
        &self.live
    }
}
