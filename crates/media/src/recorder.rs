//! Call recording to a stereo WAV: the caller on the left channel, the agent on the right.
//!
//! Frames come in tagged with their channel and their place in call time ([`CallTime`], samples
//! at 8 kHz since the call started, which the server derives from RTP timestamps or arrival
//! times). The recorder lays them on a timeline, so loss, silence suppression and hold become
//! silence and both channels stay aligned however the packets arrived:
//!
//! - a frame may arrive up to [`RecorderConfig::reorder_window`] behind the furthest point seen
//!   on either channel; once its place has been written out it is dropped and counted
//!   ([`RecorderStats::late_frames`]);
//! - [`Recorder::advance_to`] moves time on when no frame comes (a silent or held call), so
//!   the file keeps growing with the call;
//! - [`Recorder::pause`] / [`Recorder::resume`] (while the agent takes a card number) silence
//!   the span between them and leave [`Marker`]s.
//!
//! # Crash safety
//! Audio is written to the writer, the RIFF and `data` sizes in the header are rewritten and
//! the writer is flushed every [`RecorderConfig::flush_every`] of audio, so a file cut off by a
//! crash is a valid WAV holding everything up to the last flush. Dropping a [`Recorder`]
//! without [`Recorder::finish`] leaves the file in exactly that state.
//!
//! # Markers in the file
//! [`Recorder::finish`] appends a `cue ` chunk (one cue point per marker, positioned in sample
//! frames) and a `LIST`/`adtl` chunk with a `labl` per point ("pause", "resume" or the text of
//! a [`Recorder::mark`]) after the audio: the layout audio editors (Audacity, Sound Forge,
//! Adobe Audition) read as markers, and that plain readers skip. A file cut by a crash has no
//! markers; the server logs each one as an event when it is made ([`Recorder::pause`] returns
//! it), so the database holds them either way.
//!
//! ```
//! use std::io::Cursor;
//! use media::Frame;
//! use media::recorder::{CallTime, Channel, Recorder, RecorderConfig};
//!
//! let mut recorder = Recorder::new(Cursor::new(Vec::new()), RecorderConfig::default())?;
//! for n in 0..50 {
//!     let at = CallTime::from_samples(n * 160);
//!     recorder.push(Channel::Caller, at, &Frame::SILENCE)?;
//!     recorder.push(Channel::Agent, at, &Frame::SILENCE)?;
//! }
//! let (recording, _file) = recorder.finish(CallTime::from_samples(50 * 160))?;
//! assert_eq!(recording.duration.as_millis(), 1_000);
//! # Ok::<(), media::recorder::RecorderError>(())
//! ```

mod wav;

use std::collections::VecDeque;
use std::io::{self, Seek, SeekFrom, Write};
use std::time::Duration;

use crate::frame::{FRAME_SAMPLES, Frame, SAMPLE_RATE};

/// A place in the call, in samples at 8 kHz since the call started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CallTime(u64);

impl CallTime {
    /// The start of the call.
    pub const ZERO: CallTime = CallTime(0);

    /// From a count of 8 kHz samples.
    pub const fn from_samples(samples: u64) -> CallTime {
        CallTime(samples)
    }

    /// From time since the call started (rounded down to a sample).
    pub fn from_duration(since_start: Duration) -> CallTime {
        let samples = since_start.as_nanos() * u128::from(SAMPLE_RATE) / 1_000_000_000;
        CallTime(u64::try_from(samples).unwrap_or(u64::MAX))
    }

    /// Samples since the call started.
    pub const fn samples(self) -> u64 {
        self.0
    }

    /// Time since the call started.
    pub fn as_duration(self) -> Duration {
        samples_to_duration(self.0)
    }
}

fn samples_to_duration(samples: u64) -> Duration {
    let rate = u64::from(SAMPLE_RATE);
    Duration::from_secs(samples / rate)
        + Duration::from_nanos(samples % rate * 1_000_000_000 / rate)
}

/// Which side of the call a frame is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// The caller: left channel.
    Caller,
    /// The agent: right channel.
    Agent,
}

impl Channel {
    fn index(self) -> usize {
        match self {
            Channel::Caller => 0,
            Channel::Agent => 1,
        }
    }
}

/// How a recorder trades memory, latency and safety.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecorderConfig {
    /// Audio written between header updates: the most a crash can lose.
    pub flush_every: Duration,
    /// How far behind the furthest frame seen a frame may still arrive and be placed. At least
    /// one frame (20 ms) is used.
    pub reorder_window: Duration,
    /// A frame placed further than this beyond the furthest point seen is refused and counted
    /// ([`RecorderStats::far_frames`]) instead of filling the file with that much silence.
    pub max_gap: Duration,
}

impl Default for RecorderConfig {
    fn default() -> RecorderConfig {
        RecorderConfig {
            flush_every: Duration::from_secs(1),
            reorder_window: Duration::from_millis(160),
            max_gap: Duration::from_secs(3_600),
        }
    }
}

/// What a marker records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkerKind {
    /// Recording paused (the span until the next resume is silent).
    Paused,
    /// Recording resumed.
    Resumed,
    /// A note the server attached ("transfer", "supervisor joined").
    Note(String),
}

/// An event at a place in the recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// Where, in call time (equal to the offset in the file: the file starts at call time 0).
    pub at: CallTime,
    /// What.
    pub kind: MarkerKind,
}

impl Marker {
    /// The label stored in the file.
    pub fn label(&self) -> &str {
        match &self.kind {
            MarkerKind::Paused => "pause",
            MarkerKind::Resumed => "resume",
            MarkerKind::Note(text) => text,
        }
    }
}

/// Frames that did not make it into the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecorderStats {
    /// Frames that arrived after their place was written, per channel (caller, agent).
    pub late_frames: [u64; 2],
    /// Frames refused for being more than [`RecorderConfig::max_gap`] ahead.
    pub far_frames: u64,
}

/// What [`Recorder::finish`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// Length of the file's audio.
    pub duration: Duration,
    /// Length in samples (per channel).
    pub samples: u64,
    /// Markers, in order of position.
    pub markers: Vec<Marker>,
    /// Frames that were dropped.
    pub stats: RecorderStats,
}

/// Why recording failed.
#[derive(Debug, thiserror::Error)]
pub enum RecorderError {
    /// The writer failed. The file holds what the last successful flush stated; the recorder
    /// should be dropped (a retry may duplicate a partly written block).
    #[error("recording write failed: {0}")]
    Io(#[from] io::Error),
    /// The audio would pass the 4 GiB size limit of a WAV file (about 37 hours of stereo).
    #[error("recording exceeds the WAV size limit")]
    TooLong,
}

/// A span of call time during which the recording is silenced.
#[derive(Debug, Clone, Copy)]
struct Pause {
    start: u64,
    /// `u64::MAX` while still paused.
    end: u64,
}

/// Bytes per stereo PCM16 sample.
const BYTES_PER_SAMPLE: u64 = 4;

/// Writes one call's stereo recording.
pub struct Recorder<W: Write + Seek> {
    writer: W,
    /// Where the WAV starts in the writer.
    base: u64,
    flush_every: u64,
    window: u64,
    max_gap: u64,
    /// Samples not yet written out, indexed by call time modulo its length (a power of two);
    /// slots are zeroed as they are written, so a slot nobody filled is silence.
    ring: Box<[[i16; 2]]>,
    /// Every sample before this is in `pending` or in the file.
    committed: u64,
    /// The furthest point seen: end of the latest frame, or [`Recorder::advance_to`].
    head: u64,
    /// Bytes of committed audio not yet handed to the writer.
    pending: Vec<u8>,
    /// Samples in the file whose sizes the header already states.
    flushed: u64,
    pauses: VecDeque<Pause>,
    paused: bool,
    markers: Vec<Marker>,
    stats: RecorderStats,
}

impl<W: Write + Seek> Recorder<W> {
    /// Starts a recording at the writer's current position (writes the WAV header).
    pub fn new(mut writer: W, config: RecorderConfig) -> Result<Recorder<W>, RecorderError> {
        let base = writer.stream_position()?;
        writer.write_all(&wav::header(SAMPLE_RATE, 2))?;
        writer.flush()?;
        let window = CallTime::from_duration(config.reorder_window)
            .samples()
            .max(FRAME_SAMPLES as u64);
        let flush_every = CallTime::from_duration(config.flush_every).samples().max(1);
        let ring_len = (window + FRAME_SAMPLES as u64).next_power_of_two();
        Ok(Recorder {
            writer,
            base,
            flush_every,
            window,
            max_gap: CallTime::from_duration(config.max_gap).samples(),
            ring: vec![[0; 2]; usize::try_from(ring_len).unwrap_or(usize::MAX)].into_boxed_slice(),
            committed: 0,
            head: 0,
            pending: Vec::with_capacity(
                usize::try_from(flush_every * BYTES_PER_SAMPLE).unwrap_or(0),
            ),
            flushed: 0,
            pauses: VecDeque::new(),
            paused: false,
            markers: Vec::new(),
            stats: RecorderStats::default(),
        })
    }

    /// Places a frame of one channel at `at` (the call time of its first sample).
    pub fn push(
        &mut self,
        channel: Channel,
        at: CallTime,
        frame: &Frame,
    ) -> Result<(), RecorderError> {
        let start = at.samples();
        if start < self.committed {
            self.stats.late_frames[channel.index()] += 1;
            return Ok(());
        }
        if start > self.head.saturating_add(self.max_gap) {
            self.stats.far_frames += 1;
            return Ok(());
        }
        self.advance_to(CallTime(start + FRAME_SAMPLES as u64))?;
        // `advance_to` committed at most up to end - window <= start, so every sample of the
        // frame still has its slot, and end - committed <= window < ring length.
        let mask = self.ring.len() as u64 - 1;
        let side = channel.index();
        for (offset, &sample) in frame.samples.iter().enumerate() {
            let index = ((start + offset as u64) & mask) as usize;
            if let Some(slot) = self.ring.get_mut(index) {
                slot[side] = sample;
            }
        }
        Ok(())
    }

    /// Call time has reached `now` (whether or not frames came): writes out what is older than
    /// the reorder window.
    ///
    /// A jump of more than [`RecorderConfig::max_gap`] at once is cut to that gap, so a bogus
    /// time cannot fill the disk with silence.
    pub fn advance_to(&mut self, now: CallTime) -> Result<(), RecorderError> {
        self.head = self.head.max(self.within_max_gap(now));
        self.commit_until(self.head.saturating_sub(self.window))
    }

    /// Silences the recording from `at` until [`Recorder::resume`]. Returns the marker to log,
    /// or `None` if already paused. A pause cannot reach back into audio already written: `at`
    /// is moved forward to the first sample not yet written if needed.
    pub fn pause(&mut self, at: CallTime) -> Option<Marker> {
        if self.paused {
            return None;
        }
        let floor = self
            .pauses
            .back()
            .map_or(self.committed, |p| p.end.max(self.committed));
        let start = at.samples().max(floor);
        self.paused = true;
        self.pauses.push_back(Pause {
            start,
            end: u64::MAX,
        });
        Some(self.add_marker(CallTime(start), MarkerKind::Paused))
    }

    /// Ends a pause at `at`. Returns the marker to log, or `None` if not paused.
    pub fn resume(&mut self, at: CallTime) -> Option<Marker> {
        if !self.paused {
            return None;
        }
        let pause = self.pauses.back_mut()?;
        pause.end = at.samples().max(pause.start);
        let end = pause.end;
        self.paused = false;
        Some(self.add_marker(CallTime(end), MarkerKind::Resumed))
    }

    /// Attaches a labelled marker at `at`.
    pub fn mark(&mut self, at: CallTime, label: impl Into<String>) -> Marker {
        self.add_marker(at, MarkerKind::Note(label.into()))
    }

    /// True between [`Recorder::pause`] and [`Recorder::resume`].
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// The markers so far, in the order they were made.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// Frames dropped so far.
    pub fn stats(&self) -> RecorderStats {
        self.stats
    }

    /// The writer, as far as written (for inspection; writing to it would corrupt the file).
    pub fn writer(&self) -> &W {
        &self.writer
    }

    /// Audio whose place is final (written out or about to be), from the start of the call.
    pub fn committed(&self) -> CallTime {
        CallTime(self.committed)
    }

    /// Ends the recording at `end` (or at the last frame, if later; an `end` more than
    /// [`RecorderConfig::max_gap`] past the last frame is cut to that gap): writes the rest of
    /// the audio, appends the markers and the final sizes, and hands the writer back.
    pub fn finish(mut self, end: CallTime) -> Result<(Recording, W), RecorderError> {
        let end = self.within_max_gap(end).max(self.head);
        self.commit_until(end)?;
        self.write_pending()?;
        self.markers.sort_by_key(|m| m.at);
        let chunks = wav::marker_chunks(&self.markers);
        let data_len = self.data_len(self.flushed)?;
        let trailing_len = u32::try_from(chunks.len()).map_err(|_| RecorderError::TooLong)?;
        let data_end = self.base + wav::HEADER_LEN + u64::from(data_len);
        self.writer.seek(SeekFrom::Start(data_end))?;
        self.writer.write_all(&chunks)?;
        wav::patch_sizes(
            &mut self.writer,
            self.base,
            data_len,
            trailing_len,
            data_end + u64::from(trailing_len),
        )?;
        self.writer.flush()?;
        let recording = Recording {
            duration: samples_to_duration(self.flushed),
            samples: self.flushed,
            markers: self.markers,
            stats: self.stats,
        };
        Ok((recording, self.writer))
    }

    /// `at`, or the furthest point [`RecorderConfig::max_gap`] allows past the head.
    fn within_max_gap(&self, at: CallTime) -> u64 {
        at.samples().min(self.head.saturating_add(self.max_gap))
    }

    fn add_marker(&mut self, at: CallTime, kind: MarkerKind) -> Marker {
        let marker = Marker { at, kind };
        self.markers.push(marker.clone());
        marker
    }

    /// Moves every sample before `target` from the ring to the pending bytes, silencing paused
    /// spans, and flushes whenever a flush interval's worth is pending.
    fn commit_until(&mut self, target: u64) -> Result<(), RecorderError> {
        let ring_len = self.ring.len() as u64;
        while self.committed < target {
            let (silenced, boundary) = self.pause_at(self.committed);
            let index = self.committed & (ring_len - 1);
            let pending_samples = self.pending.len() as u64 / BYTES_PER_SAMPLE;
            let run = (target - self.committed)
                .min(ring_len - index)
                .min(boundary - self.committed)
                .min(self.flush_every.saturating_sub(pending_samples).max(1));
            // `run` stops at the ring's end, so the range is in bounds.
            for slot in &mut self.ring[index as usize..(index + run) as usize] {
                let [left, right] = std::mem::take(slot);
                let [left, right] = if silenced { [0, 0] } else { [left, right] };
                self.pending.extend_from_slice(&left.to_le_bytes());
                self.pending.extend_from_slice(&right.to_le_bytes());
            }
            self.committed += run;
            if self.pending.len() as u64 / BYTES_PER_SAMPLE >= self.flush_every {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Whether `position` is inside a pause, and the next position where that may change.
    fn pause_at(&mut self, position: u64) -> (bool, u64) {
        while let Some(pause) = self.pauses.front() {
            if position < pause.start {
                return (false, pause.start);
            }
            if position < pause.end {
                return (true, pause.end);
            }
            self.pauses.pop_front();
        }
        (false, u64::MAX)
    }

    /// Hands the pending audio to the writer, states the new sizes in the header, and flushes.
    fn flush(&mut self) -> Result<(), RecorderError> {
        self.write_pending()?;
        let data_len = self.data_len(self.flushed)?;
        let data_end = self.base + wav::HEADER_LEN + u64::from(data_len);
        wav::patch_sizes(&mut self.writer, self.base, data_len, 0, data_end)?;
        self.writer.flush()?;
        Ok(())
    }

    /// Appends the pending audio to the file (the writer sits at the end of the audio).
    fn write_pending(&mut self) -> Result<(), RecorderError> {
        let samples = self.pending.len() as u64 / BYTES_PER_SAMPLE;
        self.data_len(self.flushed + samples)?;
        self.writer.write_all(&self.pending)?;
        self.pending.clear();
        self.flushed += samples;
        Ok(())
    }

    /// Size of the data chunk for `samples`, refused beyond what RIFF sizes can state (with
    /// room left for the marker chunks).
    fn data_len(&self, samples: u64) -> Result<u32, RecorderError> {
        const ROOM: u64 = 1 << 20;
        let bytes = samples * BYTES_PER_SAMPLE;
        if bytes > u64::from(u32::MAX) - wav::HEADER_LEN - ROOM {
            return Err(RecorderError::TooLong);
        }
        u32::try_from(bytes).map_err(|_| RecorderError::TooLong)
    }
}

impl<W: Write + Seek> std::fmt::Debug for Recorder<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("committed", &self.committed)
            .field("head", &self.head)
            .field("flushed", &self.flushed)
            .field("paused", &self.paused)
            .field("markers", &self.markers.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}
