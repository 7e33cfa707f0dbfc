//! Voice activity detection: is someone speaking in this frame? From two cheap features, the
//! frame's energy and its zero-crossing rate, against a noise floor that follows the line.
//!
//! A frame is *active* when it is clearly louder than the noise floor (`speech_margin_db`), or
//! moderately louder (`weak_margin_db`) with a zero-crossing rate unlike the noise's — the
//! unvoiced sounds (s, f, ch) at the edges of words are quiet but hiss, while voiced sounds
//! cross zero far less often than hiss does. Never active below `min_speech_dbov`.
//!
//! Speech starts after `onset` of consecutive active frames (a click is not speech) and ends
//! after `hangover` without one (the pauses between words do not end it). The noise floor
//! drops at once to quieter frames and rises slowly (`floor_rise_db_per_s`), so a louder line
//! is learned in seconds while speech itself barely moves it.
//!
//! Times are media time since the detector was created (20 ms per frame handed in).
//!
//! ```
//! use media::vad::{Vad, VadConfig, VadEvent};
//! use media::Frame;
//!
//! let mut vad = Vad::new(VadConfig::default());
//! vad.handle_frame(&Frame::SILENCE);
//! assert!(!vad.is_speech());
//! while let Some(event) = vad.poll_event() {
//!     match event {
//!         VadEvent::SpeechStarted { at } | VadEvent::SpeechEnded { at } => println!("{at:?}"),
//!     }
//! }
//! ```

use std::collections::VecDeque;
use std::time::Duration;

use crate::FRAME_MS;
use crate::frame::Frame;

/// Level assumed for digital silence (dBov), so that the floor stays finite.
const SILENCE_DBOV: f64 = -100.0;

/// VAD settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadConfig {
    /// A frame this far above the noise floor is active, in dB.
    pub speech_margin_db: f64,
    /// A frame this far above the floor is active if its zero-crossing rate differs from the
    /// noise's by `zcr_difference` or more.
    pub weak_margin_db: f64,
    /// Zero-crossing rate difference (crossings per sample) that marks a weak frame as speech.
    pub zcr_difference: f64,
    /// Frames quieter than this are never active, in dBov.
    pub min_speech_dbov: f64,
    /// How fast the noise floor may rise, in dB per second.
    pub floor_rise_db_per_s: f64,
    /// Consecutive active time needed before speech starts.
    pub onset: Duration,
    /// Inactive time after which speech ends.
    pub hangover: Duration,
}

impl Default for VadConfig {
    fn default() -> Self {
        VadConfig {
            speech_margin_db: 10.0,
            weak_margin_db: 4.0,
            zcr_difference: 0.15,
            min_speech_dbov: -55.0,
            floor_rise_db_per_s: 2.0,
            onset: Duration::from_millis(40),
            hangover: Duration::from_millis(300),
        }
    }
}

/// Speech boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VadEvent {
    /// Speech began at the start of the first active frame.
    SpeechStarted {
        /// Media time.
        at: Duration,
    },
    /// Speech ended at the end of the last active frame (reported `hangover` later).
    SpeechEnded {
        /// Media time.
        at: Duration,
    },
}

/// The two features of one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameFeatures {
    /// Energy level in dBov (−100 for digital silence).
    pub dbov: f64,
    /// Zero crossings per sample (0–1).
    pub zcr: f64,
}

impl FrameFeatures {
    /// Measures a frame.
    pub fn of(frame: &Frame) -> FrameFeatures {
        let crossings = frame
            .samples
            .windows(2)
            .filter(|pair| (pair[0] < 0) != (pair[1] < 0))
            .count();
        FrameFeatures {
            dbov: frame.dbov().max(SILENCE_DBOV),
            zcr: crossings as f64 / (frame.samples.len() - 1) as f64,
        }
    }
}

/// Frame-by-frame voice activity detector.
#[derive(Debug, Clone)]
pub struct Vad {
    config: VadConfig,
    onset_frames: u32,
    hangover_frames: u32,
    frames: u64,
    floor_dbov: Option<f64>,
    noise_zcr: f64,
    speaking: bool,
    active_run: u32,
    inactive_run: u32,
    last_active_end: u64,
    events: VecDeque<VadEvent>,
}

impl Vad {
    /// A detector that has heard nothing yet; the first frame sets the noise floor.
    pub fn new(config: VadConfig) -> Vad {
        let frames = |d: Duration| {
            u32::try_from(d.as_millis().div_ceil(u128::from(FRAME_MS))).unwrap_or(u32::MAX)
        };
        Vad {
            config,
            onset_frames: frames(config.onset).max(1),
            hangover_frames: frames(config.hangover),
            frames: 0,
            floor_dbov: None,
            noise_zcr: 0.5,
            speaking: false,
            active_run: 0,
            inactive_run: 0,
            last_active_end: 0,
            events: VecDeque::new(),
        }
    }

    /// Classifies the next frame; returns whether speech is under way after it.
    pub fn handle_frame(&mut self, frame: &Frame) -> bool {
        let features = FrameFeatures::of(frame);
        let active = self.is_active(features);
        self.adapt(features, active);
        let index = self.frames;
        self.frames += 1;
        if active {
            self.active_run += 1;
            self.inactive_run = 0;
            self.last_active_end = self.frames;
            if !self.speaking && self.active_run >= self.onset_frames {
                self.speaking = true;
                let first = index + 1 - u64::from(self.active_run);
                self.events.push_back(VadEvent::SpeechStarted {
                    at: frames_to_time(first),
                });
            }
        } else {
            self.active_run = 0;
            self.inactive_run += 1;
            if self.speaking && self.inactive_run > self.hangover_frames {
                self.speaking = false;
                self.events.push_back(VadEvent::SpeechEnded {
                    at: frames_to_time(self.last_active_end),
                });
            }
        }
        self.speaking
    }

    /// Whether speech is under way.
    pub fn is_speech(&self) -> bool {
        self.speaking
    }

    /// The current noise floor estimate in dBov (`None` before the first frame).
    pub fn noise_floor_dbov(&self) -> Option<f64> {
        self.floor_dbov
    }

    /// The next speech boundary.
    pub fn poll_event(&mut self) -> Option<VadEvent> {
        self.events.pop_front()
    }

    fn is_active(&self, features: FrameFeatures) -> bool {
        let Some(floor) = self.floor_dbov else {
            return false;
        };
        if features.dbov < self.config.min_speech_dbov {
            return false;
        }
        let above = features.dbov - floor;
        above >= self.config.speech_margin_db
            || (above >= self.config.weak_margin_db
                && (features.zcr - self.noise_zcr).abs() >= self.config.zcr_difference)
    }

    fn adapt(&mut self, features: FrameFeatures, active: bool) {
        let rise = self.config.floor_rise_db_per_s * f64::from(FRAME_MS) / 1_000.0;
        let floor = match self.floor_dbov {
            None => features.dbov,
            // Quieter than the floor: that is the noise, follow it quickly.
            Some(floor) if features.dbov < floor => floor + 0.5 * (features.dbov - floor),
            Some(floor) => (floor + rise).min(features.dbov),
        };
        self.floor_dbov = Some(floor);
        if !active && features.dbov - floor < self.config.weak_margin_db {
            self.noise_zcr += 0.05 * (features.zcr - self.noise_zcr);
        }
    }
}

fn frames_to_time(frames: u64) -> Duration {
    Duration::from_millis(frames.saturating_mul(u64::from(FRAME_MS)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comfort_noise::ComfortNoise;
    use crate::tones::{Tone, ToneGenerator};

    /// A voiced-speech stand-in: a 140 Hz buzz with harmonics, for `ms`.
    fn buzz(ms: u64, level: f64) -> Vec<Frame> {
        let harmonics: Vec<(f64, f64)> = (1..=12)
            .map(|k| (140.0 * f64::from(k), level - 2.0 * f64::from(k)))
            .collect();
        let mut generator = ToneGenerator::new(Tone::continuous(&harmonics));
        (0..ms / 20).map(|_| generator.next_frame()).collect()
    }

    fn noise(ms: u64, dbov: f64, seed: u64) -> Vec<Frame> {
        let mut noise = ComfortNoise::new(dbov, seed);
        (0..ms / 20).map(|_| noise.next_frame()).collect()
    }

    /// Mixes two equal-length frame lists.
    fn mix(a: &[Frame], b: &[Frame]) -> Vec<Frame> {
        a.iter()
            .zip(b)
            .map(|(x, y)| {
                let mut frame = x.clone();
                for (s, t) in frame.samples.iter_mut().zip(y.samples) {
                    *s = s.saturating_add(t);
                }
                frame
            })
            .collect()
    }

    fn run(vad: &mut Vad, frames: &[Frame]) -> Vec<VadEvent> {
        for frame in frames {
            vad.handle_frame(frame);
        }
        std::iter::from_fn(|| vad.poll_event()).collect()
    }

    #[test]
    fn steady_noise_is_not_speech() {
        let mut vad = Vad::new(VadConfig::default());
        assert_eq!(run(&mut vad, &noise(5_000, -45.0, 1)), vec![]);
    }

    #[test]
    fn speech_in_noise_starts_and_ends_at_its_edges() {
        let mut vad = Vad::new(VadConfig::default());
        let mut frames = noise(1_000, -55.0, 2);
        let background = noise(1_000, -55.0, 3);
        frames.extend(mix(&buzz(1_000, -20.0), &background));
        frames.extend(noise(1_000, -55.0, 4));
        let events = run(&mut vad, &frames);
        assert_eq!(
            events,
            vec![
                VadEvent::SpeechStarted {
                    at: Duration::from_millis(1_000)
                },
                VadEvent::SpeechEnded {
                    at: Duration::from_millis(2_000)
                },
            ]
        );
    }

    #[test]
    fn short_pauses_do_not_end_speech() {
        let mut vad = Vad::new(VadConfig::default());
        let mut frames = noise(400, -60.0, 5);
        for _ in 0..3 {
            frames.extend(buzz(300, -20.0));
            frames.extend(noise(200, -60.0, 6));
        }
        frames.extend(noise(600, -60.0, 7));
        let events = run(&mut vad, &frames);
        assert_eq!(events.len(), 2, "{events:?}");
    }

    #[test]
    fn a_click_is_not_speech() {
        let mut vad = Vad::new(VadConfig::default());
        let mut frames = noise(400, -60.0, 8);
        frames.extend(buzz(20, -10.0));
        frames.extend(noise(400, -60.0, 9));
        assert_eq!(run(&mut vad, &frames), vec![]);
    }

    #[test]
    fn louder_line_noise_is_learned() {
        let mut vad = Vad::new(VadConfig::default());
        let mut frames = noise(1_000, -65.0, 10);
        frames.extend(noise(30_000, -45.0, 11));
        run(&mut vad, &frames);
        assert!(!vad.is_speech());
        let floor = vad.noise_floor_dbov().unwrap();
        assert!((floor + 45.0).abs() < 3.0, "{floor}");
    }

    #[test]
    fn hiss_after_silence_counts_when_it_differs_from_the_noise() {
        // A quiet low rumble as noise, then a hissy (high zero-crossing) sound 6 dB above it.
        let mut vad = Vad::new(VadConfig::default());
        let rumble: Vec<Frame> = {
            let mut generator = ToneGenerator::new(Tone::continuous(&[(120.0, -48.0)]));
            (0..50).map(|_| generator.next_frame()).collect()
        };
        let hiss: Vec<Frame> = {
            let mut generator = ToneGenerator::new(Tone::continuous(&[(3_000.0, -42.0)]));
            (0..10).map(|_| generator.next_frame()).collect()
        };
        let mut frames = rumble.clone();
        frames.extend(mix(&hiss, &rumble[..10]));
        let events = run(&mut vad, &frames);
        assert_eq!(
            events,
            vec![VadEvent::SpeechStarted {
                at: Duration::from_secs(1)
            }]
        );
    }

    #[test]
    fn digital_silence_is_not_speech() {
        let mut vad = Vad::new(VadConfig::default());
        let frames = vec![Frame::SILENCE; 100];
        assert_eq!(run(&mut vad, &frames), vec![]);
        assert_eq!(vad.noise_floor_dbov(), Some(-100.0));
    }
}
