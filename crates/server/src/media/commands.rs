//! What the switchboard tells a call's media task ([`MediaCommand`]) and what the task reports
//! back ([`MediaEvent`], tagged with the call in a [`MediaEventEnvelope`]).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use media::bridge::{LegConfig, LegCounters, LegId};
use media::dtmf::Digit;
use media::mixer::{MixMode, Role};
use media::music_on_hold::Playlist;
use media::playback::Sequence;
use media::quality::CallQuality;
use media::recorder::{Marker, Recording};

use super::rtp_ports::RtpSocket;

/// The switchboard's key for a call; every event of the call's media task carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallRef(pub u64);

/// Names one playback in [`MediaCommand::Play`] and in the events about it (the IVR's
/// `PlayId` converts one to one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlayId(pub u64);

/// Where one leg's RTP goes and how it is encoded: what the SDP negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegMedia {
    /// The address from the SDP (`c=` and `m=` port). Symmetric RTP may replace it with the
    /// source of the first valid packet (see the module documentation).
    pub remote: SocketAddr,
    /// Codec, its payload type and the telephone-event payload type.
    pub config: LegConfig,
}

/// An order to a call's media task. Sent with [`super::MediaHandle::send`]; executed in order.
#[derive(Debug)]
pub enum MediaCommand {
    /// Queue `sequence` for the caller (leg A), after anything already playing. Items built
    /// with barge-in allowed are cut by a key press: the task stops them at once and reports
    /// [`MediaEvent::PlayInterrupted`]. While hold music is on, the music pauses and resumes
    /// where it left off once the queue of sequences is empty: this is how an announcement
    /// (position, estimated wait) is played over hold music.
    Play {
        /// Reported back in [`MediaEvent::PlayFinished`] / [`MediaEvent::PlayInterrupted`].
        id: PlayId,
        /// What to play (resolve prompt names with the prompt library first: a missing
        /// prompt is the switchboard's error, reported with its name).
        sequence: Sequence,
    },
    /// Stop playback `id` and everything queued with it; no event follows. Ignored if `id`
    /// already finished or was interrupted (the IVR's `StopPlayback` after a barge-in).
    StopPlay {
        /// The playback to stop.
        id: PlayId,
    },
    /// Play `playlist` to the caller whenever no sequence is playing, from the start. The
    /// playlist is also what a leg put on hold hears.
    StartMoh {
        /// The queue's hold music.
        playlist: Playlist,
    },
    /// Stop the hold music (the playlist stays the one used for [`MediaCommand::Hold`]).
    StopMoh,
    /// The agent answered: stop the caller's prompts and music, and relay leg A ↔ leg B packet
    /// for packet. `socket` is the one whose port went into the offer to the agent.
    ConnectAgent {
        /// Leg B's socket.
        socket: RtpSocket,
        /// What the agent's answer negotiated.
        media: LegMedia,
    },
    /// The agent's leg is gone (the agent hung up before an after-call survey, or the call
    /// is being transferred): stop relaying, release leg B's socket, and let the caller hear
    /// what is played again (prompts, music). Its figures are kept for the final report
    /// unless another agent is connected.
    DisconnectAgent,
    /// Give `leg` (its socket, as the phone knows it, and what it negotiated) to the media
    /// task `to`, as a [`MediaCommand::ConnectAgent`]: consultations and attended transfers
    /// move an agent's leg between calls without a re-INVITE. Handing over leg B, this task
    /// goes on as after [`MediaCommand::DisconnectAgent`]; handing over leg A, it stops (as
    /// after [`MediaCommand::Stop`]).
    HandOver {
        /// The leg given.
        leg: LegId,
        /// The task taking it.
        to: super::MediaHandle,
    },
    /// Record both directions to a stereo WAV at `path` (caller left, agent right); the
    /// directories are created. Before the agent is connected, the right channel holds what
    /// the caller hears (prompts, music).
    StartRecording {
        /// The file to create (see [`super::recording_path()`]).
        path: PathBuf,
    },
    /// Silence the recording from now (the caller is giving a card number); reported as a
    /// [`MediaEvent::RecordingMarked`].
    PauseRecording,
    /// End a pause; reported as a [`MediaEvent::RecordingMarked`].
    ResumeRecording,
    /// Put `leg` on hold: it hears the hold music instead of the other leg, neither side's
    /// audio is relayed, the recording gets a "hold" marker, and RTP timeouts are off.
    Hold {
        /// The leg held.
        leg: LegId,
    },
    /// Take `leg` off hold: relaying resumes; the recording gets an "unhold" marker.
    Unhold {
        /// The leg released.
        leg: LegId,
    },
    /// A re-INVITE changed what `leg` negotiated (address, codec, payload types). The
    /// stream sent to the leg carries on; the new address is latched anew.
    UpdateRemote {
        /// The leg.
        leg: LegId,
        /// Its new media description.
        media: LegMedia,
    },
    /// A third leg joins the call (a supervisor, a third party): relaying stops and the task
    /// mixes the three legs every 20 ms, who hears whom by `mode` (see
    /// [`media::mixer::MixMode`]). The recording keeps the caller left and the agent right.
    /// Ignored while the agent is not connected or a third leg is already there.
    AddThirdLeg {
        /// Leg C's socket (its port went into the INVITE to the third party).
        socket: RtpSocket,
        /// What the third party's answer negotiated.
        media: LegMedia,
        /// Who hears whom.
        mode: MixMode,
        /// The third party's part in the mix.
        role: Role,
    },
    /// Switches who hears whom on a call with a third leg.
    SetMixMode {
        /// The new mode.
        mode: MixMode,
    },
    /// A re-INVITE changed what the third leg negotiated (see [`MediaCommand::UpdateRemote`]).
    UpdateThirdLeg {
        /// Its new media description.
        media: LegMedia,
    },
    /// The third leg leaves: its socket is released and relaying A ↔ B resumes.
    DropThirdLeg,
    /// The third leg takes the agent's place (a supervisor taking the call over): leg B is
    /// released and leg C becomes leg B, relayed to the caller and recorded on the right
    /// channel from now.
    PromoteThirdLeg,
    /// End the call's media: finish the recording, report [`MediaEvent::Stopped`], release
    /// the ports. Dropping every [`super::MediaHandle`] does the same.
    Stop,
}

/// How a key press reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitSource {
    /// An RFC 4733 telephone-event.
    Rfc4733,
    /// Dual tones found in the caller's audio (no telephone-event was negotiated).
    Inband,
}

/// What a call's media task reports.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaEvent {
    /// The caller pressed a key (reported when the press ends, once per press).
    Digit {
        /// The key.
        digit: Digit,
        /// How long it was held.
        duration: Duration,
        /// Telephone-event or in-band.
        source: DigitSource,
    },
    /// Playback `id` played to its end.
    PlayFinished {
        /// The playback.
        id: PlayId,
    },
    /// A key press cut playback `id` (its current item allowed barge-in); the [`MediaEvent::Digit`]
    /// for the press follows when the key is released.
    PlayInterrupted {
        /// The playback.
        id: PlayId,
        /// The key pressed.
        digit: Digit,
    },
    /// No RTP from `leg` for the configured timeout while some was expected (not on hold).
    /// Reported once per silence; the switchboard decides whether to hang up.
    RtpTimeout {
        /// The silent leg.
        leg: LegId,
    },
    /// A marker was placed in the recording (pause, resume, hold, unhold), to log now: a file
    /// cut by a crash keeps no markers.
    RecordingMarked {
        /// The marker.
        marker: Marker,
    },
    /// The recording could not be created or written; the call goes on unrecorded.
    RecordingFailed {
        /// Why, with the path.
        reason: String,
    },
    /// The task has ended (after [`MediaCommand::Stop`]); the call's ports are free.
    Stopped(Box<MediaReport>),
}

/// What a call's media did, reported when it stops.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaReport {
    /// Leg A (caller) then leg B (agent, absent if never connected).
    pub legs: [Option<LegReport>; 2],
    /// The recording, if one was made.
    pub recording: Option<RecordingReport>,
}

/// One leg's traffic and received quality.
#[derive(Debug, Clone, PartialEq)]
pub struct LegReport {
    /// Packets and bytes in and out, and packets dropped.
    pub counters: LegCounters,
    /// Packets we could not send (socket buffer full, network error).
    pub send_failures: u64,
    /// Quality of the stream received from the leg (`None` if nothing valid came).
    pub quality: Option<CallQuality>,
    /// Where the leg's RTP went last (after latching).
    pub remote: SocketAddr,
    /// Our local RTP address for the leg.
    pub local: SocketAddr,
}

/// A finished recording.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordingReport {
    /// The file.
    pub path: PathBuf,
    /// Duration, markers and frames dropped; `Err` with the reason if finishing failed (the
    /// file then holds what the last flush stated).
    pub outcome: Result<Recording, String>,
}

impl RecordingReport {
    /// The recorded duration (zero if finishing failed).
    pub fn duration(&self) -> Duration {
        self.outcome
            .as_ref()
            .map_or(Duration::ZERO, |recording| recording.duration)
    }
}

/// An event and the call it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaEventEnvelope {
    /// The call.
    pub call: CallRef,
    /// What happened.
    pub event: MediaEvent,
}
