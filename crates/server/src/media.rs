//! The data plane: one tokio task per call moves its RTP, plays prompts and hold music to the
//! caller, bridges caller and agent, records both, and hears the caller's keys.
//!
//! The switchboard (the control plane) drives each call's task through a [`MediaHandle`]
//! and reads every task's [`MediaEvent`]s from one channel:
//!
//! ```no_run
//! # use std::net::{IpAddr, Ipv4Addr, SocketAddr};
//! # use media::bridge::LegConfig;
//! # use media::g711::Codec;
//! # use media::playback::Sequence;
//! use plateau::media::{
//!     CallRef, LegMedia, MediaCommand, MediaConfig, MediaEvent, MediaService, PlayId, RtpPorts,
//! };
//! # async fn switchboard(caller_rtp: SocketAddr, agent_rtp: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
//! let ports = RtpPorts::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 20_000..=29_999)?;
//! let (media, mut events) = MediaService::new(MediaConfig::default(), tokio::runtime::Handle::current());
//!
//! // INVITE from the caller: a port for the SDP answer, then the task.
//! let socket = ports.allocate()?; // Exhausted -> answer 503
//! let answer_port = socket.port();
//! let caller = LegMedia { remote: caller_rtp, config: LegConfig::new(Codec::Pcma) };
//! let call = media.start_call(CallRef(1), socket, caller);
//! call.send(MediaCommand::Play { id: PlayId(1), sequence: Sequence::new() })?;
//!
//! // Offer to an agent: another port; on 200 OK, bridge and record.
//! let agent_socket = ports.allocate()?;
//! let agent = LegMedia { remote: agent_rtp, config: LegConfig::new(Codec::Pcmu) };
//! call.send(MediaCommand::ConnectAgent { socket: agent_socket, media: agent })?;
//! call.send(MediaCommand::StartRecording { path: "/data/recordings/x.wav".into() })?;
//!
//! // BYE: stop, and log what the report says.
//! call.send(MediaCommand::Stop)?;
//! while let Some(envelope) = events.recv().await {
//!     if let MediaEvent::Stopped(report) = envelope.event {
//!         let _ = (envelope.call, report.legs, report.recording);
//!         break;
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! How the switchboard uses it, step by step:
//! - **Answer leg A**: [`RtpPorts::allocate`] (its port goes into the SDP answer), then
//!   [`MediaService::start_call`] with the caller's SDP address and codec.
//! - **IVR**: each `ivr` `Play` becomes [`MediaCommand::Play`] with a [`media::playback::Sequence`]
//!   built from the [`media::prompt::PromptLibrary`] ([`prompts::load_library`]) with the
//!   action's barge-in flag. The task reports every key as [`MediaEvent::Digit`]; if the
//!   playing item allows barge-in it also stops it at once (key down) and reports
//!   [`MediaEvent::PlayInterrupted`], so the IVR's `StopPlayback` that follows is a no-op.
//!   [`MediaEvent::PlayFinished`] → the session's prompt-finished event.
//! - **Queue**: [`MediaCommand::StartMoh`] with the queue's playlist; position
//!   announcements are plain [`MediaCommand::Play`]s: the music pauses under them and
//!   resumes where it left off.
//! - **Offer**: allocate leg B's socket for the offer; keep it with the offer (dropping it
//!   frees the port if the agent declines). On the agent's 200:
//!   [`MediaCommand::ConnectAgent`] with that socket, then [`MediaCommand::StartRecording`]
//!   at [`recording_path()`].
//! - **In the call**: re-INVITEs → [`MediaCommand::UpdateRemote`] (and
//!   [`MediaCommand::Hold`]/[`MediaCommand::Unhold`] for `sendonly`/`inactive`);
//!   [`MediaEvent::RtpTimeout`] → hang up if the policy says so.
//! - **A third leg** (a supervisor listening, whispering, barging; an agent added to a
//!   conference): [`MediaCommand::AddThirdLeg`] with the socket its INVITE offered, then
//!   [`MediaCommand::SetMixMode`]; [`MediaCommand::DropThirdLeg`] when it leaves, or
//!   [`MediaCommand::PromoteThirdLeg`] when it takes the agent's place (a take-over).
//! - **End**: [`MediaCommand::Stop`] → [`MediaEvent::Stopped`] with both legs' counters
//!   and quality and the recording's duration and markers (the `ended` and
//!   `recording_stopped` log events).
//! - **Live figures**: [`MediaHandle::live`] for `GET /calls/{id}`, [`MediaService::totals`]
//!   for `/metrics`.

mod call_recording;
mod commands;
mod conference;
mod config;
mod digits;
mod leg;
mod live;
mod local_audio;
mod media_task;
mod pacing;
pub mod prompts;
mod recording_path;
pub mod rtp_ports;
mod service;

pub use commands::{
    CallRef, DigitSource, LegMedia, LegReport, MediaCommand, MediaEvent, MediaEventEnvelope,
    MediaReport, PlayId, RecordingReport,
};
pub use config::MediaConfig;
pub use live::{LiveCounters, LiveLeg, TotalsSnapshot};
pub use recording_path::recording_path;
pub use rtp_ports::{RtpPortError, RtpPorts, RtpSocket};
pub use service::{MediaHandle, MediaSendError, MediaService};
