//! One call's recording file, and where each packet's audio goes in it.
//!
//! The recorder wants every frame tagged with its place in call time. A packet's place comes
//! from its RTP timestamp: the samples since the first packet of its source, plus that
//! source's offset to our clock (its transit: arrival time − timestamp, taken from the first
//! packet). So consecutive packets abut exactly, a lost packet leaves its exact gap, and both
//! channels, placed on the same clock (time since the recording started), stay aligned across
//! loss, silence suppression and hold.
//!
//! The offset stays put under ordinary jitter: moving it by a millisecond would shift the
//! audio against itself and click. It moves only when a packet's transit leaves the band
//! [offset − [`EARLY`], offset + [`REANCHOR`]]: earlier means the first packet had been held up
//! (the channel was placed late), later means the source's clock runs slower than ours or it
//! stalled (the channel would fall behind what the recorder has already written). A new SSRC
//! (re-INVITE, transfer) starts a new placement at its arrival.
//!
//! The file is a `std::fs::File` without a `BufWriter`: the recorder already gathers a
//! second of audio before each write, and seeks to patch the header at every flush, which
//! would empty a buffer anyway.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use media::recorder::{CallTime, Channel, Marker, Recorder, RecorderConfig, RecorderError};
use media::{FRAME_SAMPLES, Frame, SAMPLE_RATE};

use super::commands::RecordingReport;

/// Largest growth of a source's transit treated as jitter; beyond it the channel re-anchors.
pub(super) const REANCHOR: Duration = Duration::from_millis(200);
/// Largest fall of a source's transit treated as jitter; beyond it the channel re-anchors.
pub(super) const EARLY: Duration = Duration::from_millis(40);
/// How far behind our clock the recording is moved on when no audio comes (a silent or held
/// call): further back than any frame placed within [`REANCHOR`] can land.
const ADVANCE_LAG: Duration = Duration::from_millis(400);
/// The recorder must accept frames placed up to [`REANCHOR`] behind the newest.
const MIN_REORDER_WINDOW: Duration = Duration::from_millis(300);

/// Why the recording stopped early.
#[derive(Debug, thiserror::Error)]
pub(super) enum RecordingError {
    #[error("cannot create recording {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("recording {path} failed: {source}")]
    Write {
        path: PathBuf,
        source: RecorderError,
    },
}

/// Where one channel's current source sits on the recording's clock.
#[derive(Debug, Clone, Copy)]
struct Placement {
    ssrc: u32,
    /// Timestamp and position (in samples, unwrapped) of the last packet placed.
    last_ts: u32,
    last_ext: i64,
    /// Position minus unwrapped timestamp: the transit of the packet the source was anchored on.
    offset: i64,
}

pub(super) struct CallRecording {
    path: PathBuf,
    started: Instant,
    recorder: Recorder<File>,
    placements: [Option<Placement>; 2],
    scratch: Frame,
}

impl CallRecording {
    /// Creates the file (and its directories) and writes the WAV header.
    pub(super) fn create(
        path: &Path,
        now: Instant,
        config: RecorderConfig,
    ) -> Result<CallRecording, RecordingError> {
        let create_error = |source| RecordingError::Create {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(create_error)?;
        }
        let file = File::create(path).map_err(create_error)?;
        let config = RecorderConfig {
            reorder_window: config.reorder_window.max(MIN_REORDER_WINDOW),
            ..config
        };
        let recorder = Recorder::new(file, config).map_err(|source| RecordingError::Write {
            path: path.to_owned(),
            source,
        })?;
        Ok(CallRecording {
            path: path.to_owned(),
            started: now,
            recorder,
            placements: [None, None],
            scratch: Frame::SILENCE,
        })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Places the decoded audio of a packet of `ssrc` with `timestamp`, received at `now`.
    pub(super) fn push_packet(
        &mut self,
        channel: Channel,
        ssrc: u32,
        timestamp: u32,
        samples: &[i16],
        now: Instant,
    ) -> Result<(), RecordingError> {
        let wall = self.samples_at(now);
        let slot = &mut self.placements[channel_index(channel)];
        let position = match slot {
            Some(place) if place.ssrc == ssrc => {
                let ext = place.last_ext + i64::from(timestamp.wrapping_sub(place.last_ts) as i32);
                let transit = wall - ext;
                if transit + samples_in(EARLY) < place.offset
                    || transit > place.offset + samples_in(REANCHOR)
                {
                    place.offset = transit;
                }
                place.last_ts = timestamp;
                place.last_ext = ext;
                ext + place.offset
            }
            _ => {
                *slot = Some(Placement {
                    ssrc,
                    last_ts: timestamp,
                    last_ext: 0,
                    offset: wall,
                });
                wall
            }
        };
        self.push_samples(channel, position, samples)
    }

    /// Places a frame we generated, which started sounding at `at`.
    pub(super) fn push_frame(
        &mut self,
        channel: Channel,
        at: Instant,
        frame: &Frame,
    ) -> Result<(), RecordingError> {
        if at < self.started {
            return Ok(());
        }
        let position = self.samples_at(at);
        self.push_samples(channel, position, &frame.samples)
    }

    /// Moves the recording on while nothing is heard.
    pub(super) fn advance(&mut self, now: Instant) -> Result<(), RecordingError> {
        let lagging = now.checked_sub(ADVANCE_LAG).unwrap_or(self.started);
        let at = self.call_time(lagging);
        self.recorder
            .advance_to(at)
            .map_err(|e| self.write_error(e))
    }

    pub(super) fn pause(&mut self, now: Instant) -> Option<Marker> {
        self.recorder.pause(self.call_time(now))
    }

    pub(super) fn resume(&mut self, now: Instant) -> Option<Marker> {
        self.recorder.resume(self.call_time(now))
    }

    pub(super) fn mark(&mut self, now: Instant, label: &str) -> Marker {
        self.recorder.mark(self.call_time(now), label)
    }

    /// Writes the rest, the markers and the final header.
    pub(super) fn finish(self, now: Instant) -> RecordingReport {
        let end = self.call_time(now);
        let outcome = self
            .recorder
            .finish(end)
            .map(|(recording, _file)| recording)
            .map_err(|e| e.to_string());
        RecordingReport {
            path: self.path,
            outcome,
        }
    }

    fn push_samples(
        &mut self,
        channel: Channel,
        position: i64,
        samples: &[i16],
    ) -> Result<(), RecordingError> {
        for (index, chunk) in samples.chunks(FRAME_SAMPLES).enumerate() {
            let start = position + (index * FRAME_SAMPLES) as i64;
            let Ok(start) = u64::try_from(start) else {
                continue;
            };
            // A short last chunk (10 or 30 ms packets) is padded with silence, which the next
            // packet's audio overwrites when it arrives in order.
            self.scratch.samples[..chunk.len()].copy_from_slice(chunk);
            self.scratch.samples[chunk.len()..].fill(0);
            if let Err(e) =
                self.recorder
                    .push(channel, CallTime::from_samples(start), &self.scratch)
            {
                return Err(self.write_error(e));
            }
        }
        Ok(())
    }

    fn write_error(&self, source: RecorderError) -> RecordingError {
        RecordingError::Write {
            path: self.path.clone(),
            source,
        }
    }

    fn call_time(&self, at: Instant) -> CallTime {
        CallTime::from_duration(at.saturating_duration_since(self.started))
    }

    fn samples_at(&self, at: Instant) -> i64 {
        i64::try_from(self.call_time(at).samples()).unwrap_or(i64::MAX)
    }
}

fn channel_index(channel: Channel) -> usize {
    match channel {
        Channel::Caller => 0,
        Channel::Agent => 1,
    }
}

fn samples_in(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros() * u128::from(SAMPLE_RATE) / 1_000_000).unwrap_or(i64::MAX)
}

impl std::fmt::Debug for CallRecording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallRecording")
            .field("recorder", &self.recorder)
            .finish_non_exhaustive()
    }
}
