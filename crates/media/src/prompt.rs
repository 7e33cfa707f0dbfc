//! Recorded announcements, decoded once and kept as 8 kHz frames.
//!
//! A [`Prompt`] is a sound file (a WAV of any common format) turned into 20 ms [`Frame`]s at
//! load time, so that playing it costs a copy per frame and nothing else. The frames sit behind
//! an [`Arc`]: every caller hearing "please hold" shares one decoded copy.
//!
//! A [`PromptLibrary`] holds the prompts of a deployment keyed by language and name
//! (`"en"`, `"queue/you-are-number"`). The texts of the prompts Plateau itself needs (the IVR and
//! queue announcements in [`standard`], the words [`crate::say`] builds numbers from) are
//! catalogued per [`Language`] so the server can synthesize any that are missing.

pub(crate) mod catalogue;
mod decode;
mod library;
pub mod standard;

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

pub use catalogue::{Language, PromptText};
pub use library::PromptLibrary;

use crate::frame::{FRAME_MS, FRAME_SAMPLES, Frame};

/// Longest source audio a prompt may hold; a header claiming more is refused before decoding,
/// and a file holding more is refused while decoding (one hour of hold music is plenty).
pub const MAX_PROMPT_DURATION: Duration = Duration::from_secs(3_600);

/// Why a prompt could not be loaded or found.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    /// The bytes are not a readable WAV file (truncated, corrupt, or not a WAV at all).
    #[error("unreadable WAV: {0}")]
    Unreadable(String),
    /// The WAV is well formed but uses a format this loader does not decode.
    #[error("unsupported WAV format: {0}")]
    Unsupported(String),
    /// The audio is longer than [`MAX_PROMPT_DURATION`].
    #[error("prompt longer than {} s", MAX_PROMPT_DURATION.as_secs())]
    TooLong,
    /// Resampling to 8 kHz failed.
    #[error("cannot resample from {rate} Hz: {reason}")]
    Resample {
        /// The source sample rate.
        rate: u32,
        /// What the resampler reported.
        reason: String,
    },
    /// No prompt of that name was loaded for that language.
    #[error("no prompt {name:?} for language {language:?}")]
    Missing {
        /// The language code asked for.
        language: String,
        /// The prompt name asked for.
        name: String,
    },
}

/// A decoded announcement: 8 kHz frames, the last one padded with silence. Cloning is cheap.
#[derive(Clone, PartialEq, Eq)]
pub struct Prompt {
    frames: Arc<[Frame]>,
}

impl Prompt {
    /// Decodes a WAV file: 8/16/24/32-bit integer or 32-bit float PCM, any number of channels
    /// (averaged to mono), any sample rate (resampled to 8 kHz with an anti-aliasing filter).
    pub fn from_wav(reader: impl Read) -> Result<Prompt, PromptError> {
        decode::wav_to_8khz(reader).map(|samples| Prompt::from_samples(&samples))
    }

    /// Wraps 8 kHz mono samples; the last frame is padded with silence.
    pub fn from_samples(samples: &[i16]) -> Prompt {
        let frames: Vec<Frame> = samples
            .chunks(FRAME_SAMPLES)
            .map(|chunk| {
                let mut frame = Frame::SILENCE;
                frame.samples[..chunk.len()].copy_from_slice(chunk);
                frame
            })
            .collect();
        Prompt {
            frames: frames.into(),
        }
    }

    /// Wraps frames that are already 8 kHz.
    pub fn from_frames(frames: Vec<Frame>) -> Prompt {
        Prompt {
            frames: frames.into(),
        }
    }

    /// The frames, in playing order.
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    /// The frame at `index`, if the prompt is that long.
    pub fn frame(&self, index: usize) -> Option<&Frame> {
        self.frames.get(index)
    }

    /// Number of 20 ms frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// True for a prompt without audio.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Playing time (a whole number of frames).
    pub fn duration(&self) -> Duration {
        Duration::from_millis(u64::from(FRAME_MS) * self.frames.len() as u64)
    }
}

impl std::fmt::Debug for Prompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Prompt({} frames)", self.frames.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_frame_is_padded_with_silence() {
        let samples = vec![1_000_i16; FRAME_SAMPLES + 10];
        let prompt = Prompt::from_samples(&samples);
        assert_eq!(prompt.len(), 2);
        let last = prompt.frame(1).unwrap();
        assert!(last.samples[..10].iter().all(|&s| s == 1_000));
        assert!(last.samples[10..].iter().all(|&s| s == 0));
        assert_eq!(prompt.duration(), Duration::from_millis(40));
    }

    #[test]
    fn clones_share_the_frames() {
        let prompt = Prompt::from_samples(&[7; 800]);
        let copy = prompt.clone();
        assert!(std::ptr::eq(
            prompt.frames().as_ptr(),
            copy.frames().as_ptr()
        ));
    }
}
