//! In-band DTMF detection: finds key presses in the audio itself, for trunks and phones that
//! do not send RFC 4733 events.
//!
//! # How it listens
//! Every 2.5 ms (20 samples) the detector looks at the last 102 samples (12.75 ms) through a
//! Hann window and measures the eight DTMF frequencies with the Goertzel filter. A window
//! *shows* a key when:
//! - the strongest row and column tones are each above `min_level_dbm0`;
//! - the twist (column level − row level) lies within Q.24's limits plus a measurement
//!   allowance;
//! - the two tones carry at least `min_purity` of the window's power (speech and music spread
//!   their power over many frequencies; a key is two pure sines);
//! - the column tone's second harmonic is weak (voices are rich in harmonics). The row tone's
//!   harmonic (1394–1882 Hz) is not checked: in a 12.75 ms window it cannot be told apart from
//!   the column tone next to it, and the purity check already counts its power.
//!
//! A run of windows showing the same key is a candidate press; gaps of up to
//! `max_interruption` inside it are bridged (Q.24: a break of 10 ms or less does not split a
//! digit). The candidate is judged on its *steady* windows (those within 1.5 dB of its
//! strongest), looking at up to its first 100 ms:
//! - both tones' frequencies, measured from the phase turn between successive steady windows,
//!   must be within `max_frequency_deviation` of nominal;
//! - the twist must hold still (within `max_twist_spread_db`): a key is two fixed sines, while a
//!   voice that happens to look like one glides;
//! - the press must last at least `min_duration`.
//!
//! # Tolerances (ITU-T Q.24, and where this detector stands)
//! - Frequency: Q.24 asks to accept ±1.5% and reject ±3.5%. The phase-based measurement is
//!   good to about 0.1%, so the cut is set at ±2%, leaving the band beyond to talk-off.
//! - Twist: with twist = high-group level − low-group level, Q.24 (and Bellcore) accept from
//!   −8 dB ("normal" twist: the line loses the high frequencies) to +4 dB ("reverse" twist).
//!   The detector accepts those plus 2 dB for measurement error.
//! - Duration: Q.24 lets a receiver reject tones under 40 ms and requires it to reject tones
//!   under 23 ms. Plateau's issue asks for 20 ms tones to be detected, so the default
//!   `min_duration` is 15 ms, and talk-off is kept away by the purity, harmonic, frequency and
//!   steadiness checks rather than by length. Set `min_duration` to 23–40 ms for strict Q.24
//!   behaviour.
//! - Level: each tone from −36 dBm0 by default (Q.24 operating ranges go down to −25 or
//!   −30 dBm0 per tone, twist included; non-operation is required below −55 dBm0).
//! - Line noise counts against purity: keys at −25 dBm0 are all found over white noise at
//!   −50 dBov; at −45 dBov the weakest (−8 dB twist and 1.5% off) start to be missed.
//!
//! Times are media time: the duration of audio handed in since the detector was created.

use std::collections::VecDeque;
use std::time::Duration;

use super::digit::{Digit, HIGH_GROUP_HZ, LOW_GROUP_HZ};
use crate::SAMPLE_RATE;
use crate::frame::Frame;
use crate::tones::goertzel::{Goertzel, Phasor};
use crate::tones::level::dbm0_to_power;

/// Analysis window length in samples (12.75 ms).
const WINDOW: usize = 102;
/// Hop between windows in samples (2.5 ms).
const HOP: usize = 20;
/// Steady windows are within this share (1.5 dB) of the candidate's strongest window.
const STEADY_SHARE: f32 = 0.7;
/// A window at least half covered by the tone shows about a quarter of the full power
/// (Hann-weighted amplitude ½): its centre lies inside the tone, so such windows measure the
/// tone's duration.
const COVERED_SHARE: f32 = 0.25;
/// Windows a candidate is judged on (100 ms); a longer press is judged on its start.
const JUDGED_WINDOWS: usize = 40;
/// Windows remembered before a candidate starts, to find where its tone began.
const LOOKBACK: usize = 8;

/// Detector settings; `Default` is the behaviour documented on the module.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InbandConfig {
    /// Weakest tone (each of the two) accepted, in dBm0.
    pub min_level_dbm0: f32,
    /// Largest accepted excess of the high-group tone over the low-group tone, in dB.
    pub max_reverse_twist_db: f32,
    /// Largest accepted excess of the low-group tone over the high-group tone, in dB.
    pub max_normal_twist_db: f32,
    /// Largest change of twist across a press's steady part, in dB.
    pub max_twist_spread_db: f32,
    /// Share of a window's power the two tones must carry (0–1).
    pub min_purity: f32,
    /// Largest second-harmonic power of the column tone relative to the tone itself (0–1).
    pub max_second_harmonic: f32,
    /// Largest accepted relative frequency error of either tone.
    pub max_frequency_deviation: f32,
    /// Shortest press reported.
    pub min_duration: Duration,
    /// Longest break inside a press that does not split it.
    pub max_interruption: Duration,
}

impl Default for InbandConfig {
    fn default() -> Self {
        InbandConfig {
            min_level_dbm0: -36.0,
            max_reverse_twist_db: 4.0 + 2.0,
            max_normal_twist_db: 8.0 + 2.0,
            max_twist_spread_db: 1.5,
            min_purity: 0.85,
            max_second_harmonic: 0.1,
            max_frequency_deviation: 0.02,
            min_duration: Duration::from_millis(15),
            max_interruption: Duration::from_millis(10),
        }
    }
}

/// A key press found in the audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InbandDigit {
    /// The key.
    pub digit: Digit,
    /// When the tone started, in media time since the detector was created.
    pub start: Duration,
    /// How long the tone lasted (to about ±2.5 ms).
    pub duration: Duration,
}

/// The eight tone measurements of one window.
#[derive(Debug, Clone, Copy, Default)]
struct Spectrum {
    rows: [Phasor; 4],
    cols: [Phasor; 4],
    row_powers: [f32; 4],
    col_powers: [f32; 4],
}

impl Spectrum {
    fn key_power(&self, row: usize, col: usize) -> f32 {
        self.row_powers[row] + self.col_powers[col]
    }
}

/// A window that shows a key, as kept for judging the candidate.
#[derive(Debug, Clone, Copy)]
struct Sighting {
    index: u64,
    power: f32,
    twist_db: f32,
    row: Phasor,
    col: Phasor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Pending,
    Accepted,
    Rejected,
}

/// A run of windows showing one key.
#[derive(Debug, Clone)]
struct Candidate {
    row: usize,
    col: usize,
    first: u64,
    last: u64,
    max_power: f32,
    sightings: Vec<Sighting>,
    verdict: Verdict,
    /// Key power in the windows just before `first`, oldest first.
    before: [f32; LOOKBACK],
    last_covered: u64,
}

/// Finds DTMF key presses in 8 kHz audio.
///
/// ```
/// use media::dtmf::{Digit, InbandConfig, InbandDetector};
/// use media::tones::{Tone, ToneGenerator};
/// use std::time::Duration;
///
/// let mut detector = InbandDetector::new(InbandConfig::default());
/// let mut key = ToneGenerator::new(Tone::dtmf(Digit::Seven, Duration::from_millis(60), -10.0, 0.0));
/// for _ in 0..10 {
///     detector.handle_frame(&key.next_frame());
/// }
/// let press = detector.poll_event().unwrap();
/// assert_eq!(press.digit, Digit::Seven);
/// ```
#[derive(Debug, Clone)]
pub struct InbandDetector {
    config: InbandConfig,
    min_tone_power: f32,
    max_gap_windows: u64,
    window_fn: [f32; WINDOW],
    power_scale: f32,
    window_square_sum: f32,
    rows: [Goertzel; 4],
    cols: [Goertzel; 4],
    /// Rows then columns, run in one pass.
    bank: [Goertzel; 8],
    col_harmonics: [Goertzel; 4],
    ring: [f32; WINDOW],
    ring_pos: usize,
    samples_seen: u64,
    since_window: usize,
    windows: u64,
    /// Spectra of the last windows, newest at `windows − 1`.
    recent: [Spectrum; LOOKBACK],
    candidate: Option<Candidate>,
    /// A spare sightings buffer, so that candidates do not allocate once warmed up.
    spare: Vec<Sighting>,
    events: VecDeque<InbandDigit>,
}

impl InbandDetector {
    /// A detector that has heard nothing yet.
    pub fn new(config: InbandConfig) -> InbandDetector {
        let mut window_fn = [0f32; WINDOW];
        for (n, w) in window_fn.iter_mut().enumerate() {
            let phase = 2.0 * std::f32::consts::PI * n as f32 / (WINDOW - 1) as f32;
            *w = 0.5 - 0.5 * phase.cos();
        }
        let window_sum: f32 = window_fn.iter().sum();
        let window_square_sum = window_fn.iter().map(|w| w * w).sum();
        let gap_samples = duration_to_samples(config.max_interruption) + WINDOW as u64 / 2;
        InbandDetector {
            config,
            min_tone_power: dbm0_to_power(f64::from(config.min_level_dbm0)) as f32,
            max_gap_windows: gap_samples.div_ceil(HOP as u64),
            window_fn,
            // A sine of amplitude A gives |DFT| = A/2 · Σw; its mean power is A²/2.
            power_scale: 2.0 / (window_sum * window_sum),
            window_square_sum,
            rows: LOW_GROUP_HZ.map(|f| Goertzel::new(f, SAMPLE_RATE)),
            cols: HIGH_GROUP_HZ.map(|f| Goertzel::new(f, SAMPLE_RATE)),
            bank: std::array::from_fn(|i| {
                let freq = if i < 4 {
                    LOW_GROUP_HZ[i]
                } else {
                    HIGH_GROUP_HZ[i - 4]
                };
                Goertzel::new(freq, SAMPLE_RATE)
            }),
            col_harmonics: HIGH_GROUP_HZ.map(|f| Goertzel::new(2.0 * f, SAMPLE_RATE)),
            ring: [0.0; WINDOW],
            ring_pos: 0,
            samples_seen: 0,
            since_window: 0,
            windows: 0,
            recent: [Spectrum::default(); LOOKBACK],
            candidate: None,
            spare: Vec::with_capacity(JUDGED_WINDOWS),
            events: VecDeque::new(),
        }
    }

    /// Listens to the next 20 ms.
    pub fn handle_frame(&mut self, frame: &Frame) {
        self.handle_samples(&frame.samples);
    }

    /// Listens to the next samples (any count).
    pub fn handle_samples(&mut self, samples: &[i16]) {
        for &sample in samples {
            self.ring[self.ring_pos] = f32::from(sample);
            self.ring_pos = (self.ring_pos + 1) % WINDOW;
            self.samples_seen += 1;
            self.since_window += 1;
            if self.samples_seen >= WINDOW as u64 && self.since_window >= HOP {
                self.since_window = 0;
                self.analyse_window();
            }
        }
    }

    /// Closes a press still sounding (call at the end of the stream).
    pub fn flush(&mut self) {
        self.finish_candidate();
    }

    /// The next key press found.
    pub fn poll_event(&mut self) -> Option<InbandDigit> {
        self.events.pop_front()
    }

    /// The key currently sounding, once its tone has passed every check (before it ends and
    /// is reported): lets a prompt stop as soon as a key goes down.
    pub fn current_digit(&self) -> Option<Digit> {
        self.candidate
            .as_ref()
            .filter(|c| c.verdict == Verdict::Accepted)
            .and_then(|c| Digit::from_row_col(c.row, c.col))
    }

    fn analyse_window(&mut self) {
        let index = self.windows;
        self.windows += 1;
        let mut block = [0f32; WINDOW];
        let mut energy = 0f32;
        for (n, slot) in block.iter_mut().enumerate() {
            let value = self.ring[(self.ring_pos + n) % WINDOW] * self.window_fn[n];
            energy += value * value;
            *slot = value;
        }
        let total_power = energy / self.window_square_sum;
        // Quiet windows show no key and cannot be part of one: skip the filters.
        let spectrum = if total_power >= 2.0 * self.min_tone_power {
            self.spectrum(&block)
        } else {
            Spectrum::default()
        };
        self.recent[usize::try_from(index % LOOKBACK as u64).unwrap_or(0)] = spectrum;
        match self.sighting(index, &block, &spectrum, total_power) {
            Some((row, col, sighting)) => self.extend_candidate(row, col, sighting),
            None => self.miss(index, &spectrum),
        }
    }

    fn spectrum(&self, block: &[f32; WINDOW]) -> Spectrum {
        let phasors = Goertzel::dft_bank(&self.bank, block);
        let mut spectrum = Spectrum::default();
        for i in 0..4 {
            spectrum.rows[i] = phasors[i];
            spectrum.cols[i] = phasors[i + 4];
            spectrum.row_powers[i] = phasors[i].norm_sqr() * self.power_scale;
            spectrum.col_powers[i] = phasors[i + 4].norm_sqr() * self.power_scale;
        }
        spectrum
    }

    /// Whether the window shows a key, and which.
    fn sighting(
        &self,
        index: u64,
        block: &[f32; WINDOW],
        spectrum: &Spectrum,
        total_power: f32,
    ) -> Option<(usize, usize, Sighting)> {
        let strongest = |powers: &[f32; 4]| {
            (0..4).fold(0, |best, i| if powers[i] > powers[best] { i } else { best })
        };
        let (row, col) = (
            strongest(&spectrum.row_powers),
            strongest(&spectrum.col_powers),
        );
        let (row_power, col_power) = (spectrum.row_powers[row], spectrum.col_powers[col]);
        if row_power < self.min_tone_power || col_power < self.min_tone_power {
            return None;
        }
        let twist_db = 10.0 * (col_power / row_power).log10();
        if twist_db > self.config.max_reverse_twist_db
            || -twist_db > self.config.max_normal_twist_db
        {
            return None;
        }
        if row_power + col_power < self.config.min_purity * total_power {
            return None;
        }
        let harmonic = self.col_harmonics[col].power(block) * self.power_scale;
        if harmonic > self.config.max_second_harmonic * col_power {
            return None;
        }
        let sighting = Sighting {
            index,
            power: row_power + col_power,
            twist_db,
            row: spectrum.rows[row],
            col: spectrum.cols[col],
        };
        Some((row, col, sighting))
    }

    /// A window that shows no key: it may still carry the edge of the candidate's tone, or end
    /// the candidate after a long enough gap.
    fn miss(&mut self, index: u64, spectrum: &Spectrum) {
        let Some(candidate) = self.candidate.as_mut() else {
            return;
        };
        if candidate.last_covered + 1 == index
            && spectrum.key_power(candidate.row, candidate.col)
                >= COVERED_SHARE * candidate.max_power
        {
            candidate.last_covered = index;
        }
        if index - candidate.last > self.max_gap_windows {
            self.finish_candidate();
        }
    }

    fn extend_candidate(&mut self, row: usize, col: usize, sighting: Sighting) {
        let same_key = self
            .candidate
            .as_ref()
            .is_some_and(|c| c.row == row && c.col == col);
        if !same_key {
            self.finish_candidate();
            let mut before = [0f32; LOOKBACK];
            for (back, slot) in before.iter_mut().rev().enumerate() {
                // `back` windows before this one; the ring holds this window too, so skip it.
                let index = sighting.index.checked_sub(back as u64 + 1);
                *slot = index.map_or(0.0, |i| {
                    self.recent[(i % LOOKBACK as u64) as usize].key_power(row, col)
                });
            }
            let mut sightings = std::mem::take(&mut self.spare);
            sightings.clear();
            self.candidate = Some(Candidate {
                row,
                col,
                first: sighting.index,
                last: sighting.index,
                max_power: 0.0,
                sightings,
                verdict: Verdict::Pending,
                before,
                last_covered: sighting.index,
            });
        }
        let Some(candidate) = self.candidate.as_mut() else {
            return;
        };
        candidate.last = sighting.index;
        candidate.last_covered = sighting.index;
        candidate.max_power = candidate.max_power.max(sighting.power);
        if candidate.verdict == Verdict::Pending {
            candidate.sightings.push(sighting);
            if candidate.sightings.len() >= JUDGED_WINDOWS {
                candidate.verdict =
                    judge(&self.config, &self.rows[row], &self.cols[col], candidate);
            }
        }
    }

    fn finish_candidate(&mut self) {
        let Some(mut candidate) = self.candidate.take() else {
            return;
        };
        if candidate.verdict == Verdict::Pending {
            candidate.verdict = judge(
                &self.config,
                &self.rows[candidate.row],
                &self.cols[candidate.col],
                &candidate,
            );
        }
        let accepted = candidate.verdict == Verdict::Accepted;
        let press = accepted.then(|| self.press(&candidate)).flatten();
        self.spare = std::mem::take(&mut candidate.sightings);
        if let Some(press) = press.filter(|p| p.duration >= self.config.min_duration) {
            self.events.push_back(press);
        }
    }

    /// The press a candidate stands for: from the first to the last window covered by its tone.
    fn press(&self, candidate: &Candidate) -> Option<InbandDigit> {
        let threshold = COVERED_SHARE * candidate.max_power;
        let leading = candidate
            .before
            .iter()
            .rev()
            .take_while(|&&power| power >= threshold)
            .count() as u64;
        let first_covered = candidate.first.saturating_sub(leading);
        let windows = candidate.last_covered - first_covered + 1;
        // Window i spans samples [i·HOP, i·HOP + WINDOW); when half covered its centre is the
        // tone's edge, so the tone starts half a hop before the first covered centre.
        let start = (first_covered * HOP as u64 + WINDOW as u64 / 2).saturating_sub(HOP as u64 / 2);
        Some(InbandDigit {
            digit: Digit::from_row_col(candidate.row, candidate.col)?,
            start: samples_to_duration(start),
            duration: samples_to_duration(windows * HOP as u64),
        })
    }
}

/// Judges a candidate on its steady windows: stable twist, both frequencies within tolerance.
fn judge(config: &InbandConfig, row: &Goertzel, col: &Goertzel, candidate: &Candidate) -> Verdict {
    let floor = STEADY_SHARE
        * candidate
            .sightings
            .iter()
            .map(|s| s.power)
            .fold(0.0, f32::max);
    let steady = || candidate.sightings.iter().filter(|s| s.power >= floor);
    let (low, high) = steady().fold((f32::MAX, f32::MIN), |(lo, hi), s| {
        (lo.min(s.twist_db), hi.max(s.twist_db))
    });
    if high - low > config.max_twist_spread_db {
        return Verdict::Rejected;
    }
    let mut row_turns = Phasor::default();
    let mut col_turns = Phasor::default();
    let mut pairs = 0;
    for pair in candidate.sightings.windows(2) {
        let [earlier, later] = [pair[0], pair[1]];
        if later.index == earlier.index + 1 && earlier.power >= floor && later.power >= floor {
            row_turns = row_turns + later.row.mul_conj(earlier.row);
            col_turns = col_turns + later.col.mul_conj(earlier.col);
            pairs += 1;
        }
    }
    let limit = config.max_frequency_deviation;
    if pairs == 0
        || deviation(row, row_turns).abs() > limit
        || deviation(col, col_turns).abs() > limit
    {
        return Verdict::Rejected;
    }
    Verdict::Accepted
}

/// Relative frequency error of a tone from the summed phase turns between successive windows.
fn deviation(goertzel: &Goertzel, turns: Phasor) -> f32 {
    let expected = goertzel.omega() * HOP as f32;
    let offset = wrap_phase(turns.arg() - expected);
    let offset_hz = offset * SAMPLE_RATE as f32 / (2.0 * std::f32::consts::PI * HOP as f32);
    offset_hz / goertzel.freq_hz()
}

fn wrap_phase(phase: f32) -> f32 {
    use std::f32::consts::{PI, TAU};
    (phase + PI).rem_euclid(TAU) - PI
}

fn duration_to_samples(duration: Duration) -> u64 {
    let samples = duration.as_micros() * u128::from(SAMPLE_RATE) / 1_000_000;
    u64::try_from(samples).unwrap_or(u64::MAX)
}

fn samples_to_duration(samples: u64) -> Duration {
    Duration::from_micros(samples.saturating_mul(1_000_000) / u64::from(SAMPLE_RATE))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tones::{Tone, ToneGenerator};

    /// Feeds `lead_in` samples of silence, the tone, then 200 ms of silence.
    fn detect(tone: Tone, lead_in: usize, config: InbandConfig) -> Vec<InbandDigit> {
        let mut detector = InbandDetector::new(config);
        detector.handle_samples(&vec![0; lead_in]);
        let mut generator = ToneGenerator::new(tone);
        while !generator.is_finished() {
            detector.handle_frame(&generator.next_frame());
        }
        for _ in 0..10 {
            detector.handle_frame(&Frame::SILENCE);
        }
        std::iter::from_fn(|| detector.poll_event()).collect()
    }

    fn off_frequency(digit: Digit, error: f64, ms: u64, level: f64) -> Tone {
        let (low, high) = digit.frequencies();
        Tone::dtmf_at(
            f64::from(low) * (1.0 + error),
            f64::from(high) * (1.0 + error),
            Duration::from_millis(ms),
            level,
            level,
        )
    }

    #[test]
    fn every_key_is_detected_with_its_duration() {
        for digit in Digit::ALL {
            let tone = Tone::dtmf(digit, Duration::from_millis(80), -10.0, 0.0);
            let found = detect(tone, 37, InbandConfig::default());
            assert_eq!(found.len(), 1, "{digit}: {found:?}");
            assert_eq!(found[0].digit, digit);
            let ms = found[0].duration.as_secs_f64() * 1_000.0;
            assert!((ms - 80.0).abs() <= 5.0, "{digit}: {ms} ms");
            let start_ms = found[0].start.as_secs_f64() * 1_000.0;
            assert!(
                (start_ms - 37.0 / 8.0).abs() <= 3.0,
                "{digit}: start {start_ms} ms"
            );
        }
    }

    #[test]
    fn tones_3_5_percent_off_are_rejected() {
        for digit in Digit::ALL {
            for error in [-0.035, 0.035] {
                let found = detect(
                    off_frequency(digit, error, 60, -10.0),
                    0,
                    InbandConfig::default(),
                );
                assert!(found.is_empty(), "{digit} at {error}: {found:?}");
            }
        }
    }

    #[test]
    fn short_off_frequency_tones_are_rejected_too() {
        for digit in Digit::ALL {
            let found = detect(
                off_frequency(digit, 0.035, 20, -10.0),
                13,
                InbandConfig::default(),
            );
            assert!(found.is_empty(), "{digit}: {found:?}");
        }
    }

    #[test]
    fn excessive_twist_is_rejected() {
        for twist in [9.0, -13.0] {
            let found = detect(
                Tone::dtmf(Digit::Five, Duration::from_millis(80), -10.0, twist),
                0,
                InbandConfig::default(),
            );
            assert!(found.is_empty(), "twist {twist}: {found:?}");
        }
    }

    #[test]
    fn quiet_tones_are_ignored() {
        let found = detect(
            Tone::dtmf(Digit::Eight, Duration::from_millis(100), -45.0, 0.0),
            0,
            InbandConfig::default(),
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn single_tone_is_not_a_key() {
        let tone = Tone::beep_of(697.0, Duration::from_millis(100), -10.0);
        assert!(detect(tone, 0, InbandConfig::default()).is_empty());
    }

    #[test]
    fn ten_ms_break_does_not_split_a_press() {
        let key = |ms| Tone::dtmf(Digit::Three, Duration::from_millis(ms), -20.0, 0.0);
        let mut detector = InbandDetector::new(InbandConfig::default());
        let mut samples = Vec::new();
        for (tone, ms) in [
            (key(50), 50),
            (Tone::silence(), 10),
            (key(50), 50),
            (Tone::silence(), 200),
        ] {
            let mut generator = ToneGenerator::new(tone);
            let mut chunk = vec![0i16; ms * 8];
            generator.fill(&mut chunk);
            samples.extend(chunk);
        }
        detector.handle_samples(&samples);
        let found: Vec<InbandDigit> = std::iter::from_fn(|| detector.poll_event()).collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].duration >= Duration::from_millis(100));
    }

    #[test]
    fn min_duration_can_be_made_strict() {
        let config = InbandConfig {
            min_duration: Duration::from_millis(40),
            ..InbandConfig::default()
        };
        let tone = Tone::dtmf(Digit::Zero, Duration::from_millis(20), -10.0, 0.0);
        assert!(detect(tone, 0, config).is_empty());
    }

    #[test]
    fn flush_reports_a_tone_still_sounding() {
        let mut detector = InbandDetector::new(InbandConfig::default());
        let mut generator =
            ToneGenerator::new(Tone::dtmf(Digit::D, Duration::from_secs(1), -10.0, 0.0));
        for _ in 0..10 {
            detector.handle_frame(&generator.next_frame());
        }
        assert_eq!(detector.current_digit(), Some(Digit::D));
        assert!(detector.poll_event().is_none());
        detector.flush();
        assert_eq!(detector.poll_event().map(|d| d.digit), Some(Digit::D));
    }
}
