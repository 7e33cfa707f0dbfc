//! Plateau's own hold music: a 24-second loop of twelve chords in C major, a soft pad under a
//! plucked arpeggio, synthesized here so the demo needs no third-party recording.
//!
//! The notes lie between 145 Hz and 1.6 kHz, and only harmonics below 3.8 kHz are added (no
//! aliasing at 8 kHz), inside the telephone band; each chord fades in and out and each note ends in a short release, so
//! the loop point and the chord changes do not click. The peak is −9 dBFS, below the prompts.

use std::f64::consts::TAU;

use media::SAMPLE_RATE;
use media::prompt::Prompt;

/// Seconds per chord.
const CHORD_SECONDS: f64 = 2.0;
/// Arpeggio notes per chord (eighth notes at 120 beats per minute).
const NOTES_PER_CHORD: usize = 8;
/// The chords, as semitones above C4 of their three notes: C, Am, F, G, C, Em, F, G, Am, F,
/// Dm, G (a I–vi–IV–V turn, a variation, and a cadence leading back to the start).
const CHORDS: [[i32; 3]; 12] = [
    [0, 4, 7],
    [-3, 0, 4],
    [-7, -3, 0],
    [-5, -1, 2],
    [0, 4, 7],
    [-8, -5, -1],
    [-7, -3, 0],
    [-5, -1, 2],
    [-3, 0, 4],
    [-7, -3, 0],
    [-10, -7, -3],
    [-5, -1, 2],
];
/// Which chord note (octave up for 3) each eighth note plays.
const PATTERN: [usize; NOTES_PER_CHORD] = [0, 1, 2, 3, 2, 1, 2, 1];
/// Loudest sample: −9 dBFS.
const PEAK: f64 = 11_626.0;

/// Frequency of the note `semitones` above C4 (261.63 Hz).
fn note_hz(semitones: i32) -> f64 {
    261.625_565 * 2f64.powf(f64::from(semitones) / 12.0)
}

/// The whole loop, one [`Prompt`] to put in a playlist.
pub fn synthetic_piece() -> Prompt {
    let rate = f64::from(SAMPLE_RATE);
    let chord_len = (CHORD_SECONDS * rate) as usize;
    let note_len = chord_len / NOTES_PER_CHORD;
    let mut mix = vec![0.0_f64; chord_len * CHORDS.len()];
    for (c, chord) in CHORDS.iter().enumerate() {
        let start = c * chord_len;
        let segment = &mut mix[start..start + chord_len];
        pad(segment, chord, rate);
        for (n, &step) in PATTERN.iter().enumerate() {
            let semitones = match chord.get(step) {
                Some(&s) => s + 12,
                None => chord[0] + 24,
            };
            let from = n * note_len;
            pluck(
                &mut segment[from..from + note_len],
                note_hz(semitones),
                rate,
            );
        }
    }
    let peak = mix.iter().fold(0.0_f64, |m, &x| m.max(x.abs())).max(1e-9);
    let samples: Vec<i16> = mix
        .iter()
        .map(|&x| (x / peak * PEAK).round() as i16)
        .collect();
    Prompt::from_samples(&samples)
}

/// The chord's three notes, quiet, faded in over 0.3 s and out over 0.5 s.
fn pad(segment: &mut [f64], chord: &[i32; 3], rate: f64) {
    let len = segment.len() as f64;
    let (attack, release) = (0.3 * rate, 0.5 * rate);
    for (i, out) in segment.iter_mut().enumerate() {
        let t = i as f64 / rate;
        let x = i as f64;
        let envelope =
            raised_cosine((x / attack).min(1.0)) * raised_cosine(((len - x) / release).min(1.0));
        let tone: f64 = chord.iter().map(|&s| (TAU * note_hz(s) * t).sin()).sum();
        *out += 0.12 * envelope * tone;
    }
}

/// One plucked note: quick attack, exponential decay, a touch of second and third harmonic,
/// and a 15 ms release at its end.
fn pluck(segment: &mut [f64], hz: f64, rate: f64) {
    let len = segment.len() as f64;
    let (attack, release) = (0.005 * rate, 0.015 * rate);
    let below_nyquist = |k: f64, gain: f64| if k * hz < 3_800.0 { gain } else { 0.0 };
    let (second, third) = (below_nyquist(2.0, 0.3), below_nyquist(3.0, 0.1));
    for (i, out) in segment.iter_mut().enumerate() {
        let t = i as f64 / rate;
        let x = i as f64;
        let envelope = (x / attack).min(1.0) * (-t / 0.18).exp() * ((len - x) / release).min(1.0);
        let phase = TAU * hz * t;
        let tone = phase.sin() + second * (2.0 * phase).sin() + third * (3.0 * phase).sin();
        *out += 0.5 * envelope * tone;
    }
}

/// 0 → 1 along half a cosine, for fades without a corner.
fn raised_cosine(x: f64) -> f64 {
    0.5 - 0.5 * (std::f64::consts::PI * x.clamp(0.0, 1.0)).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use media::FRAME_SAMPLES;

    #[test]
    fn the_piece_loops_in_24_seconds_without_a_click() {
        let piece = synthetic_piece();
        assert_eq!(piece.duration().as_secs(), 24);
        let first = piece.frame(0).unwrap().samples[0];
        let last = piece.frame(piece.len() - 1).unwrap().samples[FRAME_SAMPLES - 1];
        assert!(first.abs() < 200 && last.abs() < 200, "{first} {last}");
    }

    #[test]
    fn the_piece_peaks_at_minus_9_dbfs() {
        let piece = synthetic_piece();
        let peak = piece
            .frames()
            .iter()
            .flat_map(|f| f.samples)
            .map(i16::unsigned_abs)
            .max()
            .unwrap();
        assert_eq!(peak, PEAK as u16);
    }
}
