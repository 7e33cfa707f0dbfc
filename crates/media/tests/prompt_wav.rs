//! Loading prompts from WAV files of every common format, resampling them to 8 kHz, and
//! refusing broken files without panicking.
// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

use std::f64::consts::PI;
use std::io::Cursor;

use hound::{SampleFormat, WavSpec, WavWriter};
use media::prompt::{Prompt, PromptError, PromptLibrary};
use media::tones::goertzel::Goertzel;
use proptest::prelude::*;

/// A WAV of `seconds` of a sine at `freq` Hz and `amplitude` (fraction of full scale), on the
/// first channel; other channels carry `other_channels` times the same signal.
fn sine_wav(
    spec: WavSpec,
    freq: f64,
    amplitude: f64,
    seconds: f64,
    other_channels: f64,
) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    let mut writer = WavWriter::new(&mut bytes, spec).expect("valid spec");
    let frames = (f64::from(spec.sample_rate) * seconds) as usize;
    for n in 0..frames {
        let x = amplitude * (2.0 * PI * freq * n as f64 / f64::from(spec.sample_rate)).sin();
        for channel in 0..spec.channels {
            let x = if channel == 0 { x } else { x * other_channels };
            match spec.sample_format {
                SampleFormat::Float => writer.write_sample(x as f32).expect("in memory"),
                SampleFormat::Int => {
                    let full_scale = f64::from(1_u32 << (spec.bits_per_sample - 1));
                    writer
                        .write_sample((x * full_scale).round() as i32)
                        .expect("in memory");
                }
            }
        }
    }
    writer.finalize().expect("in memory");
    bytes.into_inner()
}

fn spec(
    channels: u16,
    sample_rate: u32,
    bits_per_sample: u16,
    sample_format: SampleFormat,
) -> WavSpec {
    WavSpec {
        channels,
        sample_rate,
        bits_per_sample,
        sample_format,
    }
}

fn samples(prompt: &Prompt) -> Vec<f32> {
    prompt
        .frames()
        .iter()
        .flat_map(|f| f.samples)
        .map(f32::from)
        .collect()
}

/// Mean power of the `freq` component, in dB relative to a full-scale sine.
fn tone_db(prompt: &Prompt, freq: f32) -> f64 {
    let samples = samples(prompt);
    // Leave out the padded last frame.
    let body = &samples[..samples.len() - 160];
    let power = Goertzel::new(freq, 8_000).tone_power(body);
    10.0 * (f64::from(power) / (32_768.0_f64.powi(2) / 2.0)).log10()
}

const HALF_SCALE_DB: f64 = -6.02;

#[test]
fn every_common_format_decodes_to_the_same_tone() {
    let formats = [
        (8, SampleFormat::Int),
        (16, SampleFormat::Int),
        (24, SampleFormat::Int),
        (32, SampleFormat::Int),
        (32, SampleFormat::Float),
    ];
    for (bits, format) in formats {
        for rate in [8_000, 16_000, 22_050, 44_100, 48_000] {
            let wav = sine_wav(spec(1, rate, bits, format), 1_000.0, 0.5, 0.5, 1.0);
            let prompt = Prompt::from_wav(Cursor::new(wav)).unwrap();
            let case = format!("{bits}-bit {format:?} at {rate} Hz");
            assert!(
                (24..=26).contains(&prompt.len()),
                "{case}: {} frames for 0.5 s",
                prompt.len()
            );
            let level = tone_db(&prompt, 1_000.0);
            assert!(
                (level - HALF_SCALE_DB).abs() < 0.5,
                "{case}: 1 kHz at {level:.2} dB"
            );
        }
    }
}

#[test]
fn stereo_is_downmixed_by_averaging() {
    // Left at half scale, right silent: the mono mix is at quarter scale.
    let wav = sine_wav(
        spec(2, 44_100, 16, SampleFormat::Int),
        1_000.0,
        0.5,
        0.5,
        0.0,
    );
    let prompt = Prompt::from_wav(Cursor::new(wav)).unwrap();
    let level = tone_db(&prompt, 1_000.0);
    assert!(
        (level - (HALF_SCALE_DB - 6.02)).abs() < 0.5,
        "{level:.2} dB"
    );
}

#[test]
fn opposite_channels_cancel_in_the_downmix() {
    let wav = sine_wav(
        spec(2, 16_000, 16, SampleFormat::Int),
        1_000.0,
        0.5,
        0.3,
        -1.0,
    );
    let prompt = Prompt::from_wav(Cursor::new(wav)).unwrap();
    assert!(prompt.frames().iter().all(|f| f.rms() < 2.0));
}

#[test]
fn frequencies_above_4_khz_are_filtered_not_folded() {
    // Without an anti-aliasing filter, 5 kHz would come out as 3 kHz at 8 kHz (and 4.6 kHz
    // as 3.4 kHz).
    for rate in [16_000, 44_100, 48_000] {
        for (freq, alias_freq) in [(5_000.0, 3_000.0), (4_600.0, 3_400.0)] {
            let wav = sine_wav(spec(1, rate, 16, SampleFormat::Int), freq, 0.5, 0.5, 1.0);
            let prompt = Prompt::from_wav(Cursor::new(wav)).unwrap();
            let alias = tone_db(&prompt, alias_freq);
            assert!(
                alias < HALF_SCALE_DB - 50.0,
                "{freq} Hz at {rate} Hz: alias at {alias:.1} dB"
            );
        }
    }
}

#[test]
fn the_telephone_band_passes_the_resampler() {
    for freq in [300.0, 3_000.0, 3_400.0] {
        let wav = sine_wav(
            spec(1, 48_000, 16, SampleFormat::Int),
            f64::from(freq),
            0.5,
            0.5,
            1.0,
        );
        let prompt = Prompt::from_wav(Cursor::new(wav)).unwrap();
        let level = tone_db(&prompt, freq);
        assert!(
            (level - HALF_SCALE_DB).abs() < 0.5,
            "{freq} Hz at {level:.2} dB"
        );
    }
}

#[test]
fn an_8_khz_16_bit_file_is_kept_sample_for_sample() {
    let wav = sine_wav(spec(1, 8_000, 16, SampleFormat::Int), 440.0, 0.3, 0.1, 1.0);
    let expected: Vec<i16> = hound::WavReader::new(Cursor::new(&wav))
        .unwrap()
        .samples()
        .map(Result::unwrap)
        .collect();
    let prompt = Prompt::from_wav(Cursor::new(wav)).unwrap();
    let decoded: Vec<i16> = prompt.frames().iter().flat_map(|f| f.samples).collect();
    assert_eq!(&decoded[..expected.len()], &expected[..]);
}

#[test]
fn an_empty_wav_is_an_empty_prompt() {
    let wav = sine_wav(spec(1, 44_100, 16, SampleFormat::Int), 440.0, 0.3, 0.0, 1.0);
    assert!(Prompt::from_wav(Cursor::new(wav)).unwrap().is_empty());
}

#[test]
fn bytes_that_are_not_a_wav_are_unreadable() {
    for bytes in [
        &b""[..],
        b"RIFF",
        b"RIFF\x24\0\0\0WAVE",
        b"OggS\0\x02 not a wav at all",
    ] {
        let error = Prompt::from_wav(Cursor::new(bytes)).unwrap_err();
        assert!(
            matches!(error, PromptError::Unreadable(_)),
            "{bytes:?}: {error:?}"
        );
    }
}

/// A canonical 44-byte header (PCM, mono, 8 kHz, 16-bit) with some fields patched.
fn patched_header(patch: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut wav = sine_wav(spec(1, 8_000, 16, SampleFormat::Int), 440.0, 0.3, 0.1, 1.0);
    assert_eq!(&wav[12..16], b"fmt ");
    assert_eq!(&wav[36..40], b"data", "hound wrote the canonical layout");
    patch(&mut wav);
    wav
}

#[test]
fn a_law_files_are_unsupported() {
    let wav = patched_header(|wav| {
        wav[20..22].copy_from_slice(&6_u16.to_le_bytes()); // WAVE_FORMAT_ALAW
        wav[34..36].copy_from_slice(&8_u16.to_le_bytes());
        wav[32..34].copy_from_slice(&1_u16.to_le_bytes());
        wav[28..32].copy_from_slice(&8_000_u32.to_le_bytes());
    });
    let error = Prompt::from_wav(Cursor::new(wav)).unwrap_err();
    assert!(
        matches!(
            error,
            PromptError::Unsupported(_) | PromptError::Unreadable(_)
        ),
        "{error:?}"
    );
}

#[test]
fn absurd_sample_rates_are_unsupported() {
    for rate in [0_u32, 1, 1_000_000] {
        let wav = patched_header(|wav| {
            wav[24..28].copy_from_slice(&rate.to_le_bytes());
            wav[28..32].copy_from_slice(&(rate.wrapping_mul(2)).to_le_bytes());
        });
        assert!(Prompt::from_wav(Cursor::new(wav)).is_err(), "{rate} Hz");
    }
}

#[test]
fn a_truncated_file_is_unreadable() {
    let wav = sine_wav(spec(2, 44_100, 24, SampleFormat::Int), 440.0, 0.3, 0.2, 1.0);
    let cut = &wav[..wav.len() - 1_001];
    assert!(matches!(
        Prompt::from_wav(Cursor::new(cut)),
        Err(PromptError::Unreadable(_))
    ));
}

#[test]
fn library_load_errors_name_the_prompt() {
    let mut library = PromptLibrary::new();
    let error = library
        .load_wav("fr", "queue/you-are-number", Cursor::new(b"garbage"))
        .unwrap_err();
    assert!(
        error.to_string().contains("fr/queue/you-are-number"),
        "{error}"
    );
    assert!(library.is_empty());
}

fn any_valid_wav() -> impl Strategy<Value = Vec<u8>> {
    let formats = vec![
        (8, SampleFormat::Int),
        (16, SampleFormat::Int),
        (24, SampleFormat::Int),
        (32, SampleFormat::Int),
        (32, SampleFormat::Float),
    ];
    (
        prop::sample::select(formats),
        1_u16..=2,
        prop::sample::select(vec![8_000_u32, 22_050, 48_000]),
    )
        .prop_map(|((bits, format), channels, rate)| {
            sine_wav(spec(channels, rate, bits, format), 700.0, 0.4, 0.05, 0.5)
        })
}

proptest! {
    #[test]
    fn truncated_wavs_never_panic(wav in any_valid_wav(), cut in 0.0..1.0_f64) {
        let len = (wav.len() as f64 * cut) as usize;
        let _ = Prompt::from_wav(Cursor::new(&wav[..len]));
    }

    #[test]
    fn corrupted_headers_never_panic(wav in any_valid_wav(), flips in prop::collection::vec((0_usize..80, any::<u8>()), 1..6)) {
        let mut wav = wav;
        for (at, byte) in flips {
            if let Some(b) = wav.get_mut(at) {
                *b = byte;
            }
        }
        let _ = Prompt::from_wav(Cursor::new(wav));
    }

    #[test]
    fn garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = Prompt::from_wav(Cursor::new(&bytes));
        let mut riff = b"RIFF\xff\xff\xff\xffWAVE".to_vec();
        riff.extend_from_slice(&bytes);
        let _ = Prompt::from_wav(Cursor::new(riff));
    }
}
