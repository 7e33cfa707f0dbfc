//! Answering-machine detection (AMD) for outbound calls: tells a person ("hello?" then waits)
//! from a machine (a long greeting, then a beep), with the parameters and decision logic of
//! Asterisk's `AMD()` application, and then listens for the end-of-greeting beep.
//!
//! Each 20 ms frame is *silence* when its mean absolute sample is below `silence_threshold`
//! (Asterisk's measure, same default 256). Then, frame by frame:
//! - past `total_analysis_time` with no decision: NOTSURE (`TOOLONG`);
//! - silence from the start reaching `initial_silence`: MACHINE (`INITIALSILENCE`) — a person
//!   who answers says something;
//! - once a greeting has begun (a first word of `min_word_length` of voice), silence reaching
//!   `after_greeting_silence`: HUMAN — a person stops and waits for an answer;
//! - voice in the greeting adding up to `greeting`: MACHINE (`LONGGREETING`);
//! - one stretch of voice reaching `maximum_word_length`: MACHINE (`MAXWORDLENGTH`);
//! - the `maximum_number_of_words`-th word: MACHINE (`MAXWORDS`). A word is `min_word_length`
//!   of voice after at least `between_words_silence` of silence (so, as in Asterisk, a word
//!   that starts the call with no silence before it is not counted).
//!
//! Defaults are `app_amd.c`'s compiled-in values except one: `maximum_number_of_words` is 4
//! here, against 3 in `app_amd.c` (and 2 in Asterisk's sample `amd.conf`). Asterisk counts a new
//! word after any 50 ms pause, stop consonants included, so a short human greeting such as
//! "hello, who is this?" already makes three words; with 3, ten of 44 synthetic human
//! greetings in `tests/amd_espeak.rs` were called machines, with 4 none (machines are caught
//! by their long greeting either way). [`AmdConfig::asterisk`] gives Asterisk's exact defaults.
//!
//! After a MACHINE or NOTSURE decision the detector keeps listening for the beep (see
//! [`beep`]) until `beep_timeout` of media time, and reports [`AmdEvent::BeepDetected`] when a
//! beep ends — the moment to start speaking a message.
//!
//! ```
//! use media::amd::{Amd, AmdConfig, AmdEvent, AmdStatus};
//! use media::Frame;
//!
//! let mut amd = Amd::new(AmdConfig::default());
//! for _ in 0..125 {
//!     amd.handle_frame(&Frame::SILENCE); // 2.5 s of nothing after answer
//! }
//! let Some(AmdEvent::Decided(result)) = amd.poll_event() else { panic!() };
//! assert_eq!(result.status, AmdStatus::Machine);
//! assert_eq!(result.cause.to_string(), "INITIALSILENCE-2500-2500");
//! ```

pub mod beep;

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use crate::frame::{FRAME_MS, Frame};
use beep::{Beep, BeepConfig, BeepDetector};

/// AMD settings (Asterisk `AMD()` arguments, in the same order, plus the beep watch).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmdConfig {
    /// Longest silence before the greeting.
    pub initial_silence: Duration,
    /// Longest greeting (total voice) a person gives.
    pub greeting: Duration,
    /// Silence after the greeting that means a person is waiting.
    pub after_greeting_silence: Duration,
    /// Time to decide; NOTSURE after it.
    pub total_analysis_time: Duration,
    /// Shortest voice that counts as a word.
    pub min_word_length: Duration,
    /// Shortest silence that separates words.
    pub between_words_silence: Duration,
    /// Word count that means a machine.
    pub maximum_number_of_words: u32,
    /// Mean absolute sample value (0–32767) below which a frame is silence.
    pub silence_threshold: u16,
    /// Longest single stretch of voice a person says.
    pub maximum_word_length: Duration,
    /// How long (media time from the start) to listen for a beep after a MACHINE or NOTSURE
    /// decision; zero disables beep detection.
    pub beep_timeout: Duration,
    /// What a beep is.
    pub beep: BeepConfig,
}

impl Default for AmdConfig {
    fn default() -> Self {
        AmdConfig {
            initial_silence: Duration::from_millis(2_500),
            greeting: Duration::from_millis(1_500),
            after_greeting_silence: Duration::from_millis(800),
            total_analysis_time: Duration::from_millis(5_000),
            min_word_length: Duration::from_millis(100),
            between_words_silence: Duration::from_millis(50),
            maximum_number_of_words: 4,
            silence_threshold: 256,
            maximum_word_length: Duration::from_millis(5_000),
            beep_timeout: Duration::from_secs(30),
            beep: BeepConfig::default(),
        }
    }
}

impl AmdConfig {
    /// Asterisk `app_amd.c`'s compiled-in defaults (three words), for behaviour identical to
    /// an Asterisk dialer's.
    pub fn asterisk() -> AmdConfig {
        AmdConfig {
            maximum_number_of_words: 3,
            ..AmdConfig::default()
        }
    }
}

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AmdStatus {
    /// A person answered.
    Human,
    /// An answering machine or voicemail answered.
    Machine,
    /// No decision within the analysis time.
    NotSure,
}

/// Why the verdict was reached; displays as Asterisk's `AMDCAUSE` (durations in ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AmdCause {
    /// `INITIALSILENCE-<silence>-<limit>`: nobody spoke.
    InitialSilence {
        /// Silence heard.
        silence: Duration,
        /// The `initial_silence` limit.
        limit: Duration,
    },
    /// `HUMAN-<silence>-<limit>`: a short greeting, then silence.
    Human {
        /// Silence heard after the greeting.
        silence: Duration,
        /// The `after_greeting_silence` limit.
        limit: Duration,
    },
    /// `LONGGREETING-<voice>-<limit>`: the greeting went on too long.
    LongGreeting {
        /// Voice heard.
        voice: Duration,
        /// The `greeting` limit.
        limit: Duration,
    },
    /// `MAXWORDLENGTH-<word>`: one stretch of voice went on too long.
    MaxWordLength {
        /// Length of the stretch.
        word: Duration,
    },
    /// `MAXWORDS-<words>-<limit>`: too many words.
    MaxWords {
        /// Words heard.
        words: u32,
        /// The `maximum_number_of_words` limit.
        limit: u32,
    },
    /// `TOOLONG-<total>`: out of analysis time.
    TooLong {
        /// Time analysed.
        total: Duration,
    },
}

impl fmt::Display for AmdCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: &Duration| d.as_millis();
        match self {
            AmdCause::InitialSilence { silence, limit } => {
                write!(f, "INITIALSILENCE-{}-{}", ms(silence), ms(limit))
            }
            AmdCause::Human { silence, limit } => write!(f, "HUMAN-{}-{}", ms(silence), ms(limit)),
            AmdCause::LongGreeting { voice, limit } => {
                write!(f, "LONGGREETING-{}-{}", ms(voice), ms(limit))
            }
            AmdCause::MaxWordLength { word } => write!(f, "MAXWORDLENGTH-{}", ms(word)),
            AmdCause::MaxWords { words, limit } => write!(f, "MAXWORDS-{words}-{limit}"),
            AmdCause::TooLong { total } => write!(f, "TOOLONG-{}", ms(total)),
        }
    }
}

/// A decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmdResult {
    /// HUMAN, MACHINE or NOTSURE.
    pub status: AmdStatus,
    /// Why.
    pub cause: AmdCause,
    /// Media time of the decision.
    pub at: Duration,
}

/// What the detector reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AmdEvent {
    /// The verdict (exactly once).
    Decided(AmdResult),
    /// A machine's beep just ended: leave the message now.
    BeepDetected(Beep),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    InitialSilence,
    Greeting,
}

/// The answering-machine detector; feed it the called party's audio from the moment of answer.
#[derive(Debug, Clone)]
pub struct Amd {
    config: AmdConfig,
    frames: u64,
    phase: Phase,
    in_word: bool,
    words: u32,
    voice_ms: u64,
    word_ms: u64,
    silence_ms: u64,
    result: Option<AmdResult>,
    beep: BeepDetector,
    beep_found: bool,
    events: VecDeque<AmdEvent>,
}

impl Amd {
    /// A detector at the moment of answer.
    pub fn new(config: AmdConfig) -> Amd {
        Amd {
            config,
            frames: 0,
            phase: Phase::InitialSilence,
            // As in Asterisk: a call that opens straight on voice does not count a word until
            // a pause has been heard.
            in_word: true,
            words: 0,
            voice_ms: 0,
            word_ms: 0,
            silence_ms: 0,
            result: None,
            beep: BeepDetector::new(config.beep),
            beep_found: false,
            events: VecDeque::new(),
        }
    }

    /// Analyses the next 20 ms of the called party's audio. A lost or comfort-noise frame can
    /// be handed in as [`Frame::SILENCE`].
    pub fn handle_frame(&mut self, frame: &Frame) {
        self.frames += 1;
        let now = Duration::from_millis(self.frames * u64::from(FRAME_MS));
        if self.result.is_none()
            && let Some((status, cause)) = self.judge(frame, now)
        {
            let result = AmdResult {
                status,
                cause,
                at: now,
            };
            self.result = Some(result);
            self.events.push_back(AmdEvent::Decided(result));
        }
        // The beep detector hears every frame so that its clock is the call's; only beeps
        // ending while we listen for one are reported.
        let beep = self.beep.handle_frame(frame);
        if self.listening_for_beep(now)
            && let Some(beep) = beep
        {
            self.beep_found = true;
            self.events.push_back(AmdEvent::BeepDetected(beep));
        }
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<AmdEvent> {
        self.events.pop_front()
    }

    /// The verdict, once reached.
    pub fn result(&self) -> Option<AmdResult> {
        self.result
    }

    fn listening_for_beep(&self, now: Duration) -> bool {
        !self.beep_found
            && now <= self.config.beep_timeout
            && self.result.is_some_and(|r| r.status != AmdStatus::Human)
    }

    /// Updates the word logic with one frame; returns the verdict when it is reached.
    fn judge(&mut self, frame: &Frame, now: Duration) -> Option<(AmdStatus, AmdCause)> {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let frame_ms = u64::from(FRAME_MS);
        let config = self.config;
        if now >= config.total_analysis_time {
            return Some((AmdStatus::NotSure, AmdCause::TooLong { total: now }));
        }
        let mean_abs = frame
            .samples
            .iter()
            .map(|&s| u64::from(s.unsigned_abs()))
            .sum::<u64>()
            / frame.samples.len() as u64;
        if mean_abs < u64::from(config.silence_threshold) {
            self.silence_ms += frame_ms;
            if self.silence_ms >= ms(config.between_words_silence) {
                self.in_word = false;
                self.word_ms = 0;
            }
            let silence = Duration::from_millis(self.silence_ms);
            if self.phase == Phase::InitialSilence && silence >= config.initial_silence {
                let cause = AmdCause::InitialSilence {
                    silence,
                    limit: config.initial_silence,
                };
                return Some((AmdStatus::Machine, cause));
            }
            if self.phase == Phase::Greeting && silence >= config.after_greeting_silence {
                let cause = AmdCause::Human {
                    silence,
                    limit: config.after_greeting_silence,
                };
                return Some((AmdStatus::Human, cause));
            }
        } else {
            self.silence_ms = 0;
            self.word_ms += frame_ms;
            self.voice_ms += frame_ms;
            if self.word_ms >= ms(config.min_word_length) && !self.in_word {
                self.words += 1;
                self.in_word = true;
            }
            if self.word_ms >= ms(config.maximum_word_length) {
                let cause = AmdCause::MaxWordLength {
                    word: Duration::from_millis(self.word_ms),
                };
                return Some((AmdStatus::Machine, cause));
            }
            if self.words >= config.maximum_number_of_words {
                let cause = AmdCause::MaxWords {
                    words: self.words,
                    limit: config.maximum_number_of_words,
                };
                return Some((AmdStatus::Machine, cause));
            }
            if self.phase == Phase::Greeting && self.voice_ms >= ms(config.greeting) {
                let cause = AmdCause::LongGreeting {
                    voice: Duration::from_millis(self.voice_ms),
                    limit: config.greeting,
                };
                return Some((AmdStatus::Machine, cause));
            }
            if self.word_ms >= ms(config.min_word_length) {
                self.phase = Phase::Greeting;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tones::{Tone, ToneGenerator};

    /// Voice stand-in: a harmonic buzz well above the silence threshold.
    fn voice(ms: u64) -> Vec<Frame> {
        let mut generator = ToneGenerator::new(Tone::continuous(&[
            (150.0, -12.0),
            (300.0, -15.0),
            (450.0, -18.0),
        ]));
        (0..ms / 20).map(|_| generator.next_frame()).collect()
    }

    fn silence(ms: u64) -> Vec<Frame> {
        vec![Frame::SILENCE; (ms / 20) as usize]
    }

    fn run(config: AmdConfig, parts: &[Vec<Frame>]) -> (Option<AmdResult>, Vec<AmdEvent>) {
        let mut amd = Amd::new(config);
        for frame in parts.iter().flatten() {
            amd.handle_frame(frame);
        }
        (
            amd.result(),
            std::iter::from_fn(|| amd.poll_event()).collect(),
        )
    }

    fn decide(parts: &[Vec<Frame>]) -> AmdResult {
        run(AmdConfig::default(), parts).0.unwrap()
    }

    #[test]
    fn hello_then_silence_is_human() {
        let result = decide(&[silence(400), voice(500), silence(1_000)]);
        assert_eq!(result.status, AmdStatus::Human);
        assert_eq!(result.cause.to_string(), "HUMAN-800-800");
        assert_eq!(result.at, Duration::from_millis(1_700));
    }

    #[test]
    fn nothing_said_is_initial_silence_machine() {
        let result = decide(&[silence(3_000)]);
        assert_eq!(result.status, AmdStatus::Machine);
        assert_eq!(
            result.cause,
            AmdCause::InitialSilence {
                silence: Duration::from_millis(2_500),
                limit: Duration::from_millis(2_500)
            }
        );
    }

    #[test]
    fn long_greeting_is_machine() {
        let result = decide(&[silence(200), voice(2_000)]);
        assert_eq!(result.status, AmdStatus::Machine);
        assert_eq!(result.cause.to_string(), "LONGGREETING-1500-1500");
    }

    #[test]
    fn many_words_are_machine() {
        let word_and_pause = [voice(200), silence(100)];
        let parts: Vec<Vec<Frame>> = std::iter::once(silence(200))
            .chain(word_and_pause.iter().cloned().cycle().take(10))
            .collect();
        let result = decide(&parts);
        assert_eq!(result.status, AmdStatus::Machine);
        assert_eq!(result.cause, AmdCause::MaxWords { words: 4, limit: 4 });
    }

    #[test]
    fn a_word_with_no_pause_before_it_is_not_counted() {
        // Voice from the first frame: the first word is not counted, as in Asterisk.
        let parts = [
            voice(200),
            silence(100),
            voice(200),
            silence(100),
            voice(200),
            silence(900),
        ];
        let (result, _) = run(AmdConfig::asterisk(), &parts);
        let result = result.unwrap();
        assert_eq!(result.status, AmdStatus::Human, "{result:?}");
    }

    #[test]
    fn one_endless_word_is_machine_when_the_greeting_limit_is_lifted() {
        let config = AmdConfig {
            greeting: Duration::from_secs(10),
            maximum_word_length: Duration::from_millis(3_000),
            ..AmdConfig::default()
        };
        let (result, _) = run(config, &[silence(100), voice(4_000)]);
        assert_eq!(result.unwrap().cause.to_string(), "MAXWORDLENGTH-3000");
    }

    #[test]
    fn undecided_is_not_sure_after_total_analysis_time() {
        let config = AmdConfig {
            greeting: Duration::from_secs(10),
            maximum_number_of_words: 100,
            ..AmdConfig::default()
        };
        let parts: Vec<Vec<Frame>> = std::iter::once(silence(200))
            .chain([voice(300), silence(400)].into_iter().cycle().take(20))
            .collect();
        let (result, _) = run(config, &parts);
        let result = result.unwrap();
        assert_eq!(result.status, AmdStatus::NotSure);
        assert_eq!(result.cause.to_string(), "TOOLONG-5000");
    }

    #[test]
    fn decision_is_reported_once() {
        let (_, events) = run(AmdConfig::default(), &[silence(10_000)]);
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, AmdEvent::Decided(_)))
                .count(),
            1
        );
    }

    #[test]
    fn beep_after_a_machine_greeting_is_reported() {
        let mut beep =
            ToneGenerator::new(Tone::beep_of(1_000.0, Duration::from_millis(400), -12.0));
        let beep_frames: Vec<Frame> = (0..20).map(|_| beep.next_frame()).collect();
        let (result, events) = run(
            AmdConfig::default(),
            &[
                silence(500),
                voice(3_000),
                silence(300),
                beep_frames,
                silence(500),
            ],
        );
        assert_eq!(result.unwrap().status, AmdStatus::Machine);
        let beeps: Vec<&Beep> = events
            .iter()
            .filter_map(|e| {
                if let AmdEvent::BeepDetected(b) = e {
                    Some(b)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(beeps.len(), 1, "{events:?}");
        assert_eq!(beeps[0].end, Duration::from_millis(4_200));
    }

    #[test]
    fn no_beep_is_listened_for_after_a_human() {
        let mut beep =
            ToneGenerator::new(Tone::beep_of(1_000.0, Duration::from_millis(400), -12.0));
        let beep_frames: Vec<Frame> = (0..20).map(|_| beep.next_frame()).collect();
        let (_, events) = run(
            AmdConfig::default(),
            &[
                silence(300),
                voice(400),
                silence(1_000),
                beep_frames,
                silence(200),
            ],
        );
        assert!(
            events.iter().all(|e| matches!(e, AmdEvent::Decided(_))),
            "{events:?}"
        );
    }
}
