//! Tone descriptions (frequencies, levels, cadence) and the generator that turns them into
//! frames: phase-continuous across frames, with the cadence counted in samples, never read
//! from a clock.

use std::time::Duration;

use super::level::dbm0_to_amplitude;
use crate::SAMPLE_RATE;
use crate::dtmf::Digit;
use crate::frame::Frame;

/// One sine of a tone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToneComponent {
    /// Frequency in Hz.
    pub freq_hz: f64,
    /// Level of this sine alone, in dBm0.
    pub level_dbm0: f64,
}

/// One step of a cadence: the tone sounds (`on`) or is silent for `duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CadenceStep {
    /// Whether the tone sounds during this step.
    pub on: bool,
    /// How long the step lasts.
    pub duration: Duration,
}

/// A tone: a sum of sines switched on and off by a cadence.
#[derive(Debug, Clone, PartialEq)]
pub struct Tone {
    components: Vec<ToneComponent>,
    cadence: Vec<CadenceStep>,
    repeat: bool,
}

impl Tone {
    /// A tone that sounds without end.
    pub fn continuous(components: &[(f64, f64)]) -> Tone {
        Tone::cadenced(components, &[], true)
    }

    /// A tone switched by `cadence`, given as (on?, milliseconds) steps; repeated when `repeat`,
    /// otherwise silent (and finished) after the last step. An empty cadence means always on.
    pub fn cadenced(components: &[(f64, f64)], cadence: &[(bool, u64)], repeat: bool) -> Tone {
        Tone {
            components: components
                .iter()
                .map(|&(freq_hz, level_dbm0)| ToneComponent {
                    freq_hz,
                    level_dbm0,
                })
                .collect(),
            cadence: cadence
                .iter()
                .map(|&(on, ms)| CadenceStep {
                    on,
                    duration: Duration::from_millis(ms),
                })
                .collect(),
            repeat,
        }
    }

    /// Endless silence.
    pub fn silence() -> Tone {
        Tone::continuous(&[])
    }

    /// The common "beep": 1 kHz for 200 ms at −10 dBm0, once.
    pub fn beep() -> Tone {
        Tone::beep_of(1_000.0, Duration::from_millis(200), -10.0)
    }

    /// A single burst of one frequency.
    pub fn beep_of(freq_hz: f64, duration: Duration, level_dbm0: f64) -> Tone {
        Tone {
            components: vec![ToneComponent {
                freq_hz,
                level_dbm0,
            }],
            cadence: vec![CadenceStep { on: true, duration }],
            repeat: false,
        }
    }

    /// The recording warning tone: 1400 Hz for 0.5 s every 15 s (the North American
    /// convention; the UK uses the same tone every 60 s), at −19 dBm0.
    pub fn recording_warning() -> Tone {
        Tone::cadenced(&[(1_400.0, -19.0)], &[(true, 500), (false, 14_500)], true)
    }

    /// One DTMF digit sounding for `duration`, then silence. `level_dbm0` is the mean of the
    /// two sines' levels and `twist_db` the high-group level minus the low-group level, so
    /// the low sine is at `level − twist/2` and the high one at `level + twist/2`.
    pub fn dtmf(digit: Digit, duration: Duration, level_dbm0: f64, twist_db: f64) -> Tone {
        let (low, high) = digit.frequencies();
        Tone::dtmf_at(
            f64::from(low),
            f64::from(high),
            duration,
            level_dbm0 - twist_db / 2.0,
            level_dbm0 + twist_db / 2.0,
        )
    }

    /// A dual tone at explicit frequencies and levels, for one burst (used to build DTMF with
    /// frequency errors).
    pub fn dtmf_at(
        low_hz: f64,
        high_hz: f64,
        duration: Duration,
        low_dbm0: f64,
        high_dbm0: f64,
    ) -> Tone {
        Tone {
            components: vec![
                ToneComponent {
                    freq_hz: low_hz,
                    level_dbm0: low_dbm0,
                },
                ToneComponent {
                    freq_hz: high_hz,
                    level_dbm0: high_dbm0,
                },
            ],
            cadence: vec![CadenceStep { on: true, duration }],
            repeat: false,
        }
    }

    /// The sines that make up the tone.
    pub fn components(&self) -> &[ToneComponent] {
        &self.components
    }

    /// The cadence steps (empty: always on).
    pub fn cadence(&self) -> &[CadenceStep] {
        &self.cadence
    }

    /// Whether the cadence repeats.
    pub fn repeats(&self) -> bool {
        self.repeat
    }
}

/// Sample counts of a cadence, computed once.
#[derive(Debug, Clone)]
struct SampleCadence {
    steps: Vec<(bool, u64)>,
    period: u64,
}

impl SampleCadence {
    fn new(tone: &Tone) -> SampleCadence {
        let steps: Vec<(bool, u64)> = tone
            .cadence
            .iter()
            .map(|step| (step.on, duration_to_samples(step.duration)))
            .filter(|&(_, samples)| samples > 0)
            .collect();
        let period = steps.iter().map(|&(_, samples)| samples).sum();
        SampleCadence { steps, period }
    }

    /// Whether the tone sounds at `position` and for how many samples that stays true
    /// (`u64::MAX` for ever).
    fn state_at(&self, position: u64, repeat: bool) -> (bool, u64) {
        if self.period == 0 {
            // No cadence (or only zero-length steps): a cadence-less tone is always on.
            return (self.steps.is_empty(), u64::MAX);
        }
        if !repeat && position >= self.period {
            return (false, u64::MAX);
        }
        let mut offset = position % self.period;
        for &(on, samples) in &self.steps {
            if offset < samples {
                return (on, samples - offset);
            }
            offset -= samples;
        }
        (false, 1)
    }
}

fn duration_to_samples(duration: Duration) -> u64 {
    let samples = duration.as_nanos() * u128::from(SAMPLE_RATE) / 1_000_000_000;
    u64::try_from(samples).unwrap_or(u64::MAX)
}

/// A sine kept as a unit phasor turned by a fixed rotation each sample: no `sin()` per sample,
/// and the phase carries over from one frame to the next.
#[derive(Debug, Clone)]
struct Oscillator {
    amplitude: f64,
    omega: f64,
    step_re: f64,
    step_im: f64,
    re: f64,
    im: f64,
}

impl Oscillator {
    fn new(component: &ToneComponent) -> Oscillator {
        let omega = 2.0 * std::f64::consts::PI * component.freq_hz / f64::from(SAMPLE_RATE);
        Oscillator {
            amplitude: dbm0_to_amplitude(component.level_dbm0),
            omega,
            step_re: omega.cos(),
            step_im: omega.sin(),
            re: 1.0,
            im: 0.0,
        }
    }

    fn add_into(&mut self, out: &mut [f64]) {
        for acc in out.iter_mut() {
            *acc += self.amplitude * self.im;
            let re = self.re * self.step_re - self.im * self.step_im;
            self.im = self.re * self.step_im + self.im * self.step_re;
            self.re = re;
        }
        // Rounding makes the phasor drift off the unit circle; pull it back once per run.
        let norm = (self.re * self.re + self.im * self.im).sqrt();
        if norm > 0.0 {
            self.re /= norm;
            self.im /= norm;
        }
    }

    /// Advances the phase by `samples` without producing output (the tone is off).
    fn skip(&mut self, samples: u64) {
        let turn = (self.omega * samples as f64) % std::f64::consts::TAU;
        let (s, c) = turn.sin_cos();
        let re = self.re * c - self.im * s;
        self.im = self.re * s + self.im * c;
        self.re = re;
    }
}

/// Produces the frames of a [`Tone`], one after the other.
#[derive(Debug, Clone)]
pub struct ToneGenerator {
    tone: Tone,
    cadence: SampleCadence,
    oscillators: Vec<Oscillator>,
    position: u64,
}

impl ToneGenerator {
    /// A generator at the start of `tone`.
    pub fn new(tone: Tone) -> ToneGenerator {
        let cadence = SampleCadence::new(&tone);
        let oscillators = tone.components.iter().map(Oscillator::new).collect();
        ToneGenerator {
            tone,
            cadence,
            oscillators,
            position: 0,
        }
    }

    /// The tone being played.
    pub fn tone(&self) -> &Tone {
        &self.tone
    }

    /// The next 20 ms of the tone.
    pub fn next_frame(&mut self) -> Frame {
        let mut frame = Frame::SILENCE;
        self.fill(&mut frame.samples);
        frame
    }

    /// Writes the next `out.len()` samples of the tone.
    pub fn fill(&mut self, out: &mut [i16]) {
        let mut acc = [0f64; 160];
        for chunk in out.chunks_mut(acc.len()) {
            let mut done = 0;
            while done < chunk.len() {
                let (on, run) = self.cadence.state_at(self.position, self.tone.repeat);
                let len = (chunk.len() - done).min(usize::try_from(run).unwrap_or(usize::MAX));
                let slot = &mut acc[done..done + len];
                slot.fill(0.0);
                for oscillator in &mut self.oscillators {
                    if on {
                        oscillator.add_into(slot);
                    } else {
                        oscillator.skip(len as u64);
                    }
                }
                done += len;
                self.position += len as u64;
            }
            for (sample, &value) in chunk.iter_mut().zip(acc.iter()) {
                *sample = value
                    .round()
                    .clamp(f64::from(i16::MIN), f64::from(i16::MAX))
                    as i16;
            }
        }
    }

    /// True once a non-repeating cadence has played out (an endless tone never finishes).
    pub fn is_finished(&self) -> bool {
        !self.tone.repeat && self.cadence.period > 0 && self.position >= self.cadence.period
    }

    /// Samples produced so far.
    pub fn position(&self) -> u64 {
        self.position
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tones::level::rms_to_dbm0;

    fn collect(generator: &mut ToneGenerator, frames: usize) -> Vec<i16> {
        (0..frames)
            .flat_map(|_| generator.next_frame().samples)
            .collect()
    }

    #[test]
    fn single_sine_has_its_level() {
        let mut generator = ToneGenerator::new(Tone::continuous(&[(1_000.0, -13.0)]));
        let frame = generator.next_frame();
        assert!((rms_to_dbm0(frame.rms()) + 13.0).abs() < 0.05);
    }

    #[test]
    fn phase_is_continuous_across_frames() {
        let mut generator = ToneGenerator::new(Tone::continuous(&[(437.0, -6.0)]));
        let samples = collect(&mut generator, 3);
        let amplitude = dbm0_to_amplitude(-6.0);
        for (n, &s) in samples.iter().enumerate() {
            let expected =
                amplitude * (2.0 * std::f64::consts::PI * 437.0 * n as f64 / 8_000.0).sin();
            assert!(
                (f64::from(s) - expected).abs() < 1.5,
                "sample {n}: {s} vs {expected}"
            );
        }
    }

    #[test]
    fn cadence_switches_on_sample_boundaries() {
        // 10 ms on, 15 ms off, repeated: 80 samples on, 120 off.
        let tone = Tone::cadenced(&[(1_000.0, -10.0)], &[(true, 10), (false, 15)], true);
        let mut generator = ToneGenerator::new(tone);
        let samples = collect(&mut generator, 5);
        for (n, &s) in samples.iter().enumerate() {
            if n % 200 >= 80 {
                assert_eq!(s, 0, "sample {n} should be silent");
            }
        }
        let burst_energy: i64 = samples[..80].iter().map(|&s| i64::from(s).abs()).sum();
        assert!(burst_energy > 0);
    }

    #[test]
    fn single_burst_finishes_then_stays_silent() {
        let mut generator = ToneGenerator::new(Tone::beep());
        let samples = collect(&mut generator, 15);
        assert!(generator.is_finished());
        assert!(samples[..1_600].iter().any(|&s| s != 0));
        assert!(samples[1_600..].iter().all(|&s| s == 0));
    }

    #[test]
    fn silence_is_silent_and_never_finishes() {
        let mut generator = ToneGenerator::new(Tone::silence());
        assert!(generator.next_frame().is_silent());
        assert!(!generator.is_finished());
    }

    #[test]
    fn loud_sums_saturate_instead_of_wrapping() {
        let mut generator = ToneGenerator::new(Tone::continuous(&[(500.0, 3.0), (700.0, 3.0)]));
        let samples = collect(&mut generator, 4);
        assert!(samples.contains(&i16::MAX) || samples.contains(&i16::MIN));
    }

    #[test]
    fn dtmf_tone_splits_level_by_twist() {
        let tone = Tone::dtmf(Digit::Five, Duration::from_millis(100), -10.0, 4.0);
        let levels: Vec<f64> = tone.components().iter().map(|c| c.level_dbm0).collect();
        assert_eq!(levels, vec![-12.0, -8.0]);
        assert_eq!(tone.components()[0].freq_hz, 770.0);
        assert_eq!(tone.components()[1].freq_hz, 1_336.0);
    }
}
