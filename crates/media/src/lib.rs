//! Media core for Plateau: RTP/RTCP, G.711, RFC 4733 and in-band DTMF, prompts, tones, music on
//! hold, bridge, mixer, recorder and detectors.
//!
//! Sans-IO: packets, audio and time go in; packets, events and audio frames come out. No sockets,
//! no clock, no files opened here (the server opens them and hands in readers and writers).
//!
//! Dependencies: `hound` 3.5 reads prompt WAVs (the recorder writes its own WAV header because it
//! rewrites sizes in place for crash safety and appends marker chunks); `rubato` 5.1 resamples
//! prompts to 8 kHz (FFT resampler, 2048-sample blocks: smaller sub-blocks lost 15 dB at 3 kHz);
//! `audio-codec-algorithms` 0.8 is only a test oracle for G.711.
#![warn(missing_docs)]

pub mod frame;

// Transport and codecs.
pub mod bridge;
pub mod g711;
pub mod jitter_buffer;
pub mod quality;
pub mod rtcp;
pub mod rtp;
pub mod stats;

// Signals in the audio.
pub mod amd;
pub mod comfort_noise;
pub mod dtmf;
pub mod fax_tone;
pub mod tones;
pub mod vad;

// Audio the server plays, mixes and keeps.
pub mod mixer;
pub mod music_on_hold;
pub mod playback;
pub mod prompt;
pub mod recorder;
pub mod say;

pub use frame::{FRAME_MS, FRAME_SAMPLES, Frame, SAMPLE_RATE};
