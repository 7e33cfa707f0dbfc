//! WAV bytes to 8 kHz mono samples: hound reads the file, rubato changes the rate.
//!
//! rubato's FFT resampler is used because prompts are whole clips known in advance: it applies
//! a windowed-sinc anti-aliasing low-pass below the 4 kHz Nyquist of the target rate, and its
//! `process_all` trims the filter delay so that a prompt starts on its first sample.

use std::io::Read;

use hound::{SampleFormat, WavReader};
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler, WindowFunction};

use super::{MAX_PROMPT_DURATION, PromptError};
use crate::frame::SAMPLE_RATE;

/// Sample rates outside this range are refused: below it is not speech-grade audio, above it
/// no prompt needs, and both bounds keep a corrupt header from asking for absurd work.
const RATES: std::ops::RangeInclusive<u32> = 4_000..=192_000;
/// A header cannot make us reserve more than this many samples up front; a real file of that
/// size grows the buffer as it is read.
const INITIAL_CAPACITY_LIMIT: usize = 1 << 20;
/// Input block of the resampler's FFT; rubato rounds it to a size valid for the rate pair.
/// One block per chunk, and blocks this long, keep the filter's cutoff within 2–4% of 4 kHz
/// (with rubato's default 256-sample sub-blocks, 48 kHz input lost 15 dB at 3 kHz).
const RESAMPLER_CHUNK: usize = 2_048;

/// Decodes a whole WAV file into 8 kHz mono samples.
pub(super) fn wav_to_8khz(reader: impl Read) -> Result<Vec<i16>, PromptError> {
    let mut wav = WavReader::new(reader).map_err(from_hound)?;
    let spec = wav.spec();
    if spec.channels == 0 {
        return Err(PromptError::Unsupported("zero channels".into()));
    }
    if !RATES.contains(&spec.sample_rate) {
        return Err(PromptError::Unsupported(format!(
            "sample rate {} Hz",
            spec.sample_rate
        )));
    }
    let max_frames = u64::from(spec.sample_rate) * MAX_PROMPT_DURATION.as_secs();
    if u64::from(wav.duration()) > max_frames {
        return Err(PromptError::TooLong);
    }
    let channels = usize::from(spec.channels);
    let capacity = (wav.duration() as usize).min(INITIAL_CAPACITY_LIMIT);
    let mono = match (spec.sample_format, spec.bits_per_sample) {
        (SampleFormat::Int, bits @ (8 | 16 | 24 | 32)) => {
            let full_scale = f64::from(1_u32 << (bits - 1));
            let samples = wav
                .samples::<i32>()
                .map(|s| s.map(|s| (f64::from(s) / full_scale) as f32));
            downmix(samples, channels, capacity, max_frames)?
        }
        (SampleFormat::Float, 32) => downmix(wav.samples::<f32>(), channels, capacity, max_frames)?,
        (format, bits) => {
            return Err(PromptError::Unsupported(format!(
                "{bits}-bit {format:?} samples"
            )));
        }
    };
    let resampled = to_8khz(mono, spec.sample_rate)?;
    Ok(resampled.iter().map(|&x| to_i16(x)).collect())
}

/// Averages each group of `channels` interleaved samples into one.
fn downmix(
    samples: impl Iterator<Item = hound::Result<f32>>,
    channels: usize,
    capacity: usize,
    max_frames: u64,
) -> Result<Vec<f32>, PromptError> {
    let mut mono = Vec::with_capacity(capacity);
    let mut sum = 0.0_f32;
    let mut in_frame = 0;
    for sample in samples {
        sum += sample.map_err(from_hound)?;
        in_frame += 1;
        if in_frame == channels {
            if mono.len() as u64 >= max_frames {
                return Err(PromptError::TooLong);
            }
            mono.push(sum / channels as f32);
            sum = 0.0;
            in_frame = 0;
        }
    }
    Ok(mono)
}

fn to_8khz(mono: Vec<f32>, rate: u32) -> Result<Vec<f32>, PromptError> {
    if rate == SAMPLE_RATE || mono.is_empty() {
        return Ok(mono);
    }
    let resample_error = |reason: String| PromptError::Resample { rate, reason };
    let mut resampler = Fft::<f32>::new_custom(
        rate as usize,
        SAMPLE_RATE as usize,
        RESAMPLER_CHUNK,
        1,
        1,
        WindowFunction::BlackmanHarris2,
        FixedSync::Input,
    )
    .map_err(|e| resample_error(e.to_string()))?;
    let input = InterleavedSlice::new(&mono[..], 1, mono.len())
        .map_err(|e| resample_error(e.to_string()))?;
    let output = resampler
        .process_all(&input, mono.len(), None)
        .map_err(|e| resample_error(e.to_string()))?;
    Ok(output.take_data())
}

/// Float in [-1, 1) to 16-bit, saturating: a resampled peak may overshoot full scale.
fn to_i16(x: f32) -> i16 {
    // `as` saturates (and maps NaN to 0), which is the clipping wanted here.
    (x * 32_768.0).round() as i16
}

fn from_hound(error: hound::Error) -> PromptError {
    match error {
        hound::Error::Unsupported | hound::Error::TooWide => {
            PromptError::Unsupported(error.to_string())
        }
        other => PromptError::Unreadable(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overshoot_saturates_instead_of_wrapping() {
        assert_eq!(to_i16(1.2), i16::MAX);
        assert_eq!(to_i16(-1.2), i16::MIN);
        assert_eq!(to_i16(f32::NAN), 0);
        assert_eq!(to_i16(0.5), 16_384);
    }

    #[test]
    fn stereo_is_averaged() {
        let samples = [0.5_f32, -0.5, 1.0, 0.0].into_iter().map(Ok);
        assert_eq!(downmix(samples, 2, 0, 10).unwrap(), vec![0.0, 0.5]);
    }

    #[test]
    fn a_trailing_partial_frame_is_dropped() {
        let samples = [0.5_f32, 0.5, 0.25].into_iter().map(Ok);
        assert_eq!(downmix(samples, 2, 0, 10).unwrap(), vec![0.5]);
    }

    #[test]
    fn more_frames_than_allowed_is_too_long() {
        let samples = [0.0_f32; 4].into_iter().map(Ok);
        assert!(matches!(
            downmix(samples, 1, 0, 3),
            Err(PromptError::TooLong)
        ));
    }
}
