//! Settings of the media tasks, with the defaults a deployment starts from.

use std::time::Duration;

use media::jitter_buffer::JitterBufferConfig;
use media::music_on_hold::Playlist;
use media::recorder::RecorderConfig;

/// How every call's media task behaves.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// Silence from a leg (not on hold) after which [`super::MediaEvent::RtpTimeout`] is
    /// reported; `None` turns the check off. Default 60 s.
    pub rtp_timeout: Option<Duration>,
    /// How the recorder flushes and tolerates reordering (flush every second by default).
    pub recorder: RecorderConfig,
    /// Playout buffer of the caller's audio before bridging (for in-band DTMF and recording).
    pub jitter_buffer: JitterBufferConfig,
    /// How many late 20 ms frames of locally played audio are sent back to back after the
    /// task was held up; beyond that the stream skips ahead (its timestamps still follow the
    /// clock) rather than flood the phone's jitter buffer. Default 3.
    pub max_catch_up_frames: u32,
    /// What a held leg hears until a [`super::MediaCommand::StartMoh`] names a playlist;
    /// `None` is silence.
    pub default_hold_music: Option<Playlist>,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            rtp_timeout: Some(Duration::from_secs(60)),
            recorder: RecorderConfig::default(),
            jitter_buffer: JitterBufferConfig::default(),
            max_catch_up_frames: 3,
            default_hold_music: None,
        }
    }
}
