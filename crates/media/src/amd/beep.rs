//! The beep at the end of an answering machine's greeting: a sustained pure tone, usually
//! between 400 and 2000 Hz, after which the machine records. A dialer that wants to leave a
//! message starts playing it when the beep ends.
//!
//! Each 20 ms frame is measured with [`SingleTone`]; a beep is a run of frames that are each a
//! pure tone, loud enough, in the frequency band, all at the same frequency, lasting at least
//! `min_duration`. It is reported when it ends.

use std::time::Duration;

use crate::frame::{FRAME_MS, Frame};
use crate::tones::level::dbm0_to_power;
use crate::tones::single_tone::SingleTone;

/// Beep detector settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeepConfig {
    /// Lowest beep frequency, Hz.
    pub min_freq_hz: f32,
    /// Highest beep frequency, Hz.
    pub max_freq_hz: f32,
    /// Share of a frame's power the tone must carry (0–1).
    pub min_purity: f32,
    /// Weakest beep, in dBm0.
    pub min_level_dbm0: f32,
    /// Largest relative frequency drift within one beep.
    pub max_drift: f32,
    /// Shortest beep.
    pub min_duration: Duration,
}

impl Default for BeepConfig {
    fn default() -> Self {
        BeepConfig {
            min_freq_hz: 300.0,
            max_freq_hz: 2_500.0,
            min_purity: 0.9,
            min_level_dbm0: -40.0,
            max_drift: 0.02,
            min_duration: Duration::from_millis(120),
        }
    }
}

/// A beep heard.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beep {
    /// Media time at which the beep ended (the frame after its last tone frame).
    pub end: Duration,
    /// How long it lasted (whole frames).
    pub duration: Duration,
    /// Its frequency in Hz.
    pub freq_hz: f32,
}

/// Finds beeps frame by frame.
#[derive(Debug, Clone)]
pub struct BeepDetector {
    config: BeepConfig,
    min_power: f32,
    frames: u64,
    /// (first frame, frequency of the first frame, frames so far) of the tone under way.
    run: Option<(u64, f32, u64)>,
}

impl BeepDetector {
    /// A detector that has heard nothing yet.
    pub fn new(config: BeepConfig) -> BeepDetector {
        BeepDetector {
            config,
            min_power: dbm0_to_power(f64::from(config.min_level_dbm0)) as f32,
            frames: 0,
            run: None,
        }
    }

    /// Listens to the next frame; returns a beep when one has just ended.
    pub fn handle_frame(&mut self, frame: &Frame) -> Option<Beep> {
        let index = self.frames;
        self.frames += 1;
        let tone = SingleTone::measure(&frame.samples).filter(|t| {
            t.power >= self.min_power
                && t.purity >= self.config.min_purity
                && (self.config.min_freq_hz..=self.config.max_freq_hz).contains(&t.freq_hz)
        });
        match (tone, self.run) {
            (Some(tone), Some((first, freq, count)))
                if (tone.freq_hz - freq).abs() <= self.config.max_drift * freq =>
            {
                self.run = Some((first, freq, count + 1));
                None
            }
            (tone, _) => {
                let ended = self.end_run(index);
                self.run = tone.map(|t| (index, t.freq_hz, 1));
                ended
            }
        }
    }

    /// Reports a beep still sounding at the end of the stream.
    pub fn flush(&mut self) -> Option<Beep> {
        self.end_run(self.frames)
    }

    fn end_run(&mut self, end_frame: u64) -> Option<Beep> {
        let (_, freq_hz, count) = self.run.take()?;
        let duration = frames_to_time(count);
        (duration >= self.config.min_duration).then(|| Beep {
            end: frames_to_time(end_frame),
            duration,
            freq_hz,
        })
    }
}

fn frames_to_time(frames: u64) -> Duration {
    Duration::from_millis(frames.saturating_mul(u64::from(FRAME_MS)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tones::{Tone, ToneGenerator};

    fn frames(tone: Tone, count: usize) -> Vec<Frame> {
        let mut generator = ToneGenerator::new(tone);
        (0..count).map(|_| generator.next_frame()).collect()
    }

    fn beeps(input: &[Frame]) -> Vec<Beep> {
        let mut detector = BeepDetector::new(BeepConfig::default());
        let mut found: Vec<Beep> = input
            .iter()
            .filter_map(|f| detector.handle_frame(f))
            .collect();
        found.extend(detector.flush());
        found
    }

    #[test]
    fn a_1_khz_beep_is_reported_when_it_ends() {
        let mut input = vec![Frame::SILENCE; 10];
        input.extend(frames(
            Tone::beep_of(1_000.0, Duration::from_millis(400), -15.0),
            20,
        ));
        input.extend(vec![Frame::SILENCE; 10]);
        let found = beeps(&input);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].end, Duration::from_millis(600));
        assert_eq!(found[0].duration, Duration::from_millis(400));
        assert!((found[0].freq_hz - 1_000.0).abs() < 2.0);
    }

    #[test]
    fn a_short_blip_is_not_a_beep() {
        let found = beeps(&frames(
            Tone::beep_of(850.0, Duration::from_millis(60), -15.0),
            10,
        ));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn dual_tones_and_low_hum_are_not_beeps() {
        assert!(
            beeps(&frames(
                Tone::continuous(&[(440.0, -15.0), (480.0, -15.0)]),
                30
            ))
            .is_empty()
        );
        assert!(beeps(&frames(Tone::continuous(&[(100.0, -10.0)]), 30)).is_empty());
    }

    #[test]
    fn a_frequency_jump_splits_tones() {
        let mut input = frames(Tone::continuous(&[(600.0, -15.0)]), 10);
        input.extend(frames(Tone::continuous(&[(1_200.0, -15.0)]), 10));
        let found = beeps(&input);
        assert_eq!(found.len(), 2, "{found:?}");
    }
}
