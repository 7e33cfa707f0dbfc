//! Fax and modem tones: tells the server that the far end is a machine that wants to talk
//! T.30 fax or V-series modem, not a person.
//!
//! - **CNG** (calling tone, T.30): 1100 Hz ±38 Hz, 0.5 s on, 3 s off, sent by a calling fax.
//!   Reported once a burst has lasted `cng_min`.
//! - **CED / ANS** (answer tone, T.30 / V.25): 2100 Hz ±15 Hz for 2.6–4 s, sent by an
//!   answering fax or modem. Reported once it has lasted `ced_min` (0.6 s by default: no
//!   voice holds one pure frequency that long).
//! - **ANSam** (V.8): the same 2100 Hz amplitude-modulated at 15 Hz with 20% depth. Told from
//!   plain ANS by the envelope: the 2100 Hz amplitude is measured every 5 ms and the Goertzel
//!   filter, run on that envelope at 15 Hz, gives the modulation depth. (Phase reversals every
//!   450 ms, which mark echo-canceller disabling, are not looked for.)
//!
//! Every 20 ms frame is measured as a [`SingleTone`]: a tone frame is pure, loud enough and in
//! one of the two frequency bands. Speech and DTMF are not pure tones and never qualify.
//! Times are media time since the detector was created.

use std::collections::VecDeque;
use std::time::Duration;

use crate::SAMPLE_RATE;
use crate::frame::{FRAME_MS, FRAME_SAMPLES, Frame};
use crate::tones::goertzel::Goertzel;
use crate::tones::level::dbm0_to_power;
use crate::tones::single_tone::SingleTone;

/// Envelope samples per frame (one every 5 ms).
const ENVELOPE_PER_FRAME: usize = 4;
/// Envelope sample rate, Hz.
const ENVELOPE_RATE: u32 = 1_000 / (FRAME_MS / ENVELOPE_PER_FRAME as u32);
/// ANSam modulation frequency, Hz.
const ANSAM_MODULATION_HZ: f32 = 15.0;

/// Which tone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaxTone {
    /// 1100 Hz calling tone of a fax that is calling.
    Cng,
    /// 2100 Hz answer tone (T.30 CED, V.25 ANS) of a fax or modem that answered.
    Ced,
    /// 2100 Hz answer tone with 15 Hz amplitude modulation (V.8 ANSam).
    AnsAm,
}

/// A tone heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaxToneEvent {
    /// Which tone.
    pub tone: FaxTone,
    /// Media time at which the tone began.
    pub start: Duration,
    /// Media time at which it was recognised.
    pub at: Duration,
}

/// Detector settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaxToneConfig {
    /// CNG burst length needed.
    pub cng_min: Duration,
    /// CED length needed.
    pub ced_min: Duration,
    /// Weakest tone, dBm0.
    pub min_level_dbm0: f32,
    /// Share of a frame's power the tone must carry (0–1).
    pub min_purity: f32,
    /// Modulation depth above which a 2100 Hz tone is ANSam (ANSam has 0.2, ANS none).
    pub ansam_min_depth: f32,
}

impl Default for FaxToneConfig {
    fn default() -> Self {
        FaxToneConfig {
            cng_min: Duration::from_millis(400),
            ced_min: Duration::from_millis(600),
            min_level_dbm0: -43.0,
            min_purity: 0.8,
            ansam_min_depth: 0.1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Band {
    Cng,
    Ced,
}

impl Band {
    fn of(freq_hz: f32) -> Option<Band> {
        // T.30: CNG 1100 ± 38 Hz, CED 2100 ± 15 Hz.
        if (1_062.0..=1_138.0).contains(&freq_hz) {
            Some(Band::Cng)
        } else if (2_085.0..=2_115.0).contains(&freq_hz) {
            Some(Band::Ced)
        } else {
            None
        }
    }
}

/// Listens for CNG, CED/ANS and ANSam.
#[derive(Debug, Clone)]
pub struct FaxToneDetector {
    config: FaxToneConfig,
    min_power: f32,
    ced_block: Goertzel,
    frames: u64,
    /// (band, first frame, frames so far, reported) of the tone under way.
    run: Option<(Band, u64, u64, bool)>,
    envelope: Vec<f32>,
    events: VecDeque<FaxToneEvent>,
}

impl FaxToneDetector {
    /// A detector that has heard nothing yet.
    pub fn new(config: FaxToneConfig) -> FaxToneDetector {
        FaxToneDetector {
            config,
            min_power: dbm0_to_power(f64::from(config.min_level_dbm0)) as f32,
            ced_block: Goertzel::new(2_100.0, SAMPLE_RATE),
            frames: 0,
            run: None,
            envelope: Vec::new(),
            events: VecDeque::new(),
        }
    }

    /// Listens to the next 20 ms.
    pub fn handle_frame(&mut self, frame: &Frame) {
        let index = self.frames;
        self.frames += 1;
        let mut samples = [0f32; FRAME_SAMPLES];
        for (x, &s) in samples.iter_mut().zip(&frame.samples) {
            *x = f32::from(s);
        }
        let band = SingleTone::measure_f32(&samples)
            .filter(|t| t.power >= self.min_power && t.purity >= self.config.min_purity)
            .and_then(|t| Band::of(t.freq_hz));
        let Some(band) = band else {
            self.run = None;
            self.envelope.clear();
            return;
        };
        let (first, count, reported) = match self.run {
            Some((running, first, count, reported)) if running == band => {
                (first, count + 1, reported)
            }
            _ => {
                self.envelope.clear();
                (index, 1, false)
            }
        };
        // The envelope is only needed until the tone is recognised; this also bounds it.
        if band == Band::Ced && !reported {
            for block in samples.chunks(FRAME_SAMPLES / ENVELOPE_PER_FRAME) {
                self.envelope.push(self.ced_block.tone_power(block).sqrt());
            }
        }
        let lasted = frames_to_time(count);
        let needed = match band {
            Band::Cng => self.config.cng_min,
            Band::Ced => self.config.ced_min,
        };
        let report = !reported && lasted >= needed;
        self.run = Some((band, first, count, reported || report));
        if report {
            let tone = match band {
                Band::Cng => FaxTone::Cng,
                Band::Ced if self.modulation_depth() >= self.config.ansam_min_depth => {
                    FaxTone::AnsAm
                }
                Band::Ced => FaxTone::Ced,
            };
            self.events.push_back(FaxToneEvent {
                tone,
                start: frames_to_time(first),
                at: frames_to_time(self.frames),
            });
        }
    }

    /// The next tone heard.
    pub fn poll_event(&mut self) -> Option<FaxToneEvent> {
        self.events.pop_front()
    }

    /// Depth of the 15 Hz amplitude modulation of the 2100 Hz envelope (0 for a steady tone).
    fn modulation_depth(&self) -> f32 {
        let n = self.envelope.len();
        if n == 0 {
            return 0.0;
        }
        let mean = self.envelope.iter().sum::<f32>() / n as f32;
        if mean <= 0.0 {
            return 0.0;
        }
        // Remove the mean so the DC term does not leak into the 15 Hz bin.
        let centred: Vec<f32> = self.envelope.iter().map(|e| e - mean).collect();
        let amplitude = Goertzel::new(ANSAM_MODULATION_HZ, ENVELOPE_RATE)
            .tone_power(&centred)
            .sqrt()
            * 2f32.sqrt();
        amplitude / mean
    }
}

fn frames_to_time(frames: u64) -> Duration {
    Duration::from_millis(frames.saturating_mul(u64::from(FRAME_MS)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tones::{Tone, ToneGenerator};

    fn listen(frames: impl IntoIterator<Item = Frame>) -> Vec<FaxToneEvent> {
        let mut detector = FaxToneDetector::new(FaxToneConfig::default());
        for frame in frames {
            detector.handle_frame(&frame);
        }
        std::iter::from_fn(|| detector.poll_event()).collect()
    }

    fn tone_frames(tone: Tone, ms: u64) -> Vec<Frame> {
        let mut generator = ToneGenerator::new(tone);
        (0..ms / 20).map(|_| generator.next_frame()).collect()
    }

    /// 2100 Hz with 15 Hz amplitude modulation of the given depth.
    fn ansam(ms: u64, depth: f64) -> Vec<Frame> {
        let amplitude = crate::tones::level::dbm0_to_amplitude(-12.0);
        let samples: Vec<i16> = (0..ms * 8)
            .map(|n| {
                let t = n as f64 / 8_000.0;
                let envelope = 1.0 + depth * (2.0 * std::f64::consts::PI * 15.0 * t).sin();
                (amplitude * envelope * (2.0 * std::f64::consts::PI * 2_100.0 * t).sin()) as i16
            })
            .collect();
        samples.chunks(160).filter_map(Frame::from_slice).collect()
    }

    #[test]
    fn cng_cadence_is_reported_per_burst() {
        let cng = Tone::cadenced(&[(1_100.0, -15.0)], &[(true, 500), (false, 3_000)], true);
        let events = listen(tone_frames(cng, 7_000));
        assert_eq!(
            events.iter().map(|e| e.tone).collect::<Vec<_>>(),
            vec![FaxTone::Cng, FaxTone::Cng]
        );
        assert_eq!(events[0].start, Duration::ZERO);
        assert_eq!(events[1].start, Duration::from_millis(3_500));
    }

    #[test]
    fn cng_off_by_30_hz_is_still_cng() {
        let events = listen(tone_frames(Tone::continuous(&[(1_130.0, -20.0)]), 600));
        assert_eq!(events.len(), 1);
    }

    #[test]
    fn ced_is_reported_after_600_ms() {
        let events = listen(tone_frames(Tone::continuous(&[(2_100.0, -12.0)]), 3_000));
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].tone, FaxTone::Ced);
        assert_eq!(events[0].at, Duration::from_millis(600));
    }

    #[test]
    fn modulated_answer_tone_is_ansam() {
        let events = listen(ansam(1_000, 0.2));
        assert_eq!(
            events.iter().map(|e| e.tone).collect::<Vec<_>>(),
            vec![FaxTone::AnsAm]
        );
    }

    #[test]
    fn short_or_off_frequency_tones_are_not_fax() {
        assert!(listen(tone_frames(Tone::continuous(&[(2_100.0, -12.0)]), 400)).is_empty());
        assert!(listen(tone_frames(Tone::continuous(&[(2_000.0, -12.0)]), 2_000)).is_empty());
        assert!(listen(tone_frames(Tone::continuous(&[(1_200.0, -12.0)]), 2_000)).is_empty());
    }

    #[test]
    fn quiet_tones_are_ignored() {
        assert!(listen(tone_frames(Tone::continuous(&[(2_100.0, -50.0)]), 2_000)).is_empty());
    }
}
