//! Answering-machine detection on synthetic calls: people answering with a short greeting
//! ("hello?" then silence) and machines playing a long greeting then a beep, spoken by
//! espeak-ng in English and French and resampled to 8 kHz by sox, through G.711 µ-law.
//! Prints the confusion table (run with `--nocapture` to see it).
#![allow(clippy::print_stdout)] // the confusion table is this test's report

mod dtmf_support;

use std::time::Duration;

use dtmf_support::{
    Utterance, fixture_dir, frames, set_level, silence, synthesize, ulaw_round_trip,
};
use media::amd::{Amd, AmdConfig, AmdEvent, AmdStatus};
use media::comfort_noise::ComfortNoise;
use media::tones::{Tone, ToneGenerator};

const HUMAN_TEXTS: [(&str, &str); 22] = [
    ("hello?", "en"),
    ("yes?", "en"),
    ("hello", "en-us"),
    ("hi there", "en"),
    ("yeah?", "en-us"),
    ("hello, who is this?", "en"),
    ("hi, who's calling?", "en-us"),
    ("speaking.", "en"),
    ("good morning!", "en"),
    ("hey, what's up?", "en-us"),
    ("hello, John speaking", "en"),
    ("allô ?", "fr"),
    ("oui ?", "fr"),
    ("allô, oui ?", "fr"),
    ("bonjour !", "fr"),
    ("oui, allô ?", "fr"),
    ("c'est qui ?", "fr"),
    ("allô, bonjour", "fr"),
    ("Marie, j'écoute.", "fr"),
    ("oui, bonjour ?", "fr"),
    ("yes, hello?", "en"),
    ("hello? hello?", "en"),
];

const MACHINE_TEXTS: [(&str, &str); 11] = [
    (
        "Hi, you've reached the voicemail of John Smith. I can't take your call right now, please leave a message after the tone.",
        "en",
    ),
    (
        "Hello, this is Sarah. Sorry I missed your call. Leave your name and number and I'll get back to you as soon as I can.",
        "en-us",
    ),
    (
        "The person you are calling is not available. Please leave a message after the tone.",
        "en",
    ),
    (
        "Thank you for calling Acme Plumbing. Our office is closed. Please leave a detailed message and we will call you back tomorrow.",
        "en-us",
    ),
    (
        "Hey, it's Mike, I'm probably out fishing. You know what to do.",
        "en",
    ),
    (
        "You have reached five five five, one two three four. Nobody is available to take your call. Please leave a message.",
        "en-us",
    ),
    (
        "Bonjour, vous êtes bien sur la messagerie de Marie Dupont. Je ne suis pas disponible, laissez-moi un message après le bip sonore.",
        "fr",
    ),
    (
        "Bonjour, vous êtes sur le répondeur de la famille Martin. Laissez un message, nous vous rappellerons.",
        "fr",
    ),
    (
        "Votre correspondant n'est pas joignable pour le moment. Laissez un message après le signal sonore.",
        "fr",
    ),
    (
        "Cabinet du docteur Bernard, bonjour. Le cabinet est fermé. Pour une urgence, composez le quinze.",
        "fr",
    ),
    (
        "Salut, c'est Paul. Je ne peux pas répondre, rappelle-moi plus tard ou laisse un message.",
        "fr",
    ),
];

/// Two renditions of each text: voice variant, speed, pitch.
const STYLES: [(&str, u32, u32); 2] = [("", 165, 50), ("+f3", 145, 70)];
const FR_STYLES: [(&str, u32, u32); 2] = [("+m3", 160, 40), ("+f2", 150, 75)];

struct Call {
    human: bool,
    samples: Vec<i16>,
    /// Where the beep ends (machines), in samples.
    beep_end: Option<usize>,
    beep_hz: f64,
    label: String,
}

fn voice_style(voice: &str, i: usize) -> (String, u32, u32) {
    let styles = if voice == "fr" { FR_STYLES } else { STYLES };
    let (variant, speed, pitch) = styles[i % styles.len()];
    (format!("{voice}{variant}"), speed, pitch)
}

fn build_calls() -> Vec<Call> {
    let dir = fixture_dir("amd");
    let mut utterances = Vec::new();
    for (text, voice) in HUMAN_TEXTS {
        for i in 0..2 {
            let (voice, speed, pitch) = voice_style(voice, i);
            utterances.push(Utterance::new(text, &voice, speed, pitch));
        }
    }
    let humans = utterances.len();
    for (text, voice) in MACHINE_TEXTS {
        for i in 0..4 {
            let (voice, speed, pitch) = voice_style(voice, i);
            // Machines speak a little faster or slower than people, too.
            utterances.push(Utterance::new(
                text,
                &voice,
                speed + 10 * (i as u32 % 3),
                pitch,
            ));
        }
    }
    let recordings = synthesize(&dir, &utterances);
    let _ = std::fs::remove_dir_all(&dir);

    let mut calls = Vec::new();
    for (n, (utterance, speech)) in utterances.iter().zip(recordings).enumerate() {
        let human = n < humans;
        let mut speech = speech;
        set_level(&mut speech, -16.0 - (n % 4) as f64 * 3.0);
        // 0.3–1 s before the first word (some people answer and wait a moment).
        let lead_ms = 300 + (n as u64 * 137) % 700;
        let mut samples = silence(lead_ms);
        samples.extend(&speech);
        let mut beep_end = None;
        let mut beep_hz = 0.0;
        if human {
            samples.extend(silence(3_000));
        } else {
            samples.extend(silence(300 + (n as u64 * 71) % 400));
            beep_hz = if n % 2 == 0 { 1_000.0 } else { 850.0 };
            let beep_ms = 300 + (n as u64 * 53) % 200;
            let mut beep = vec![0i16; (beep_ms * 8) as usize];
            ToneGenerator::new(Tone::beep_of(
                beep_hz,
                Duration::from_millis(beep_ms),
                -12.0 - (n % 3) as f64 * 4.0,
            ))
            .fill(&mut beep);
            samples.extend(beep);
            beep_end = Some(samples.len());
            samples.extend(silence(2_000));
        }
        // Half the calls carry line noise under the audio.
        if n % 2 == 1 {
            let mut noise = ComfortNoise::new(-60.0, n as u64);
            for chunk in samples.chunks_mut(160) {
                let frame = noise.next_frame();
                for (s, v) in chunk.iter_mut().zip(frame.samples) {
                    *s = s.saturating_add(v);
                }
            }
        }
        ulaw_round_trip(&mut samples);
        let label = format!(
            "{:?} ({}, {} wpm, pitch {})",
            utterance.text, utterance.voice, utterance.speed, utterance.pitch
        );
        calls.push(Call {
            human,
            samples,
            beep_end,
            beep_hz,
            label,
        });
    }
    calls
}

/// Confusion table `[truth][verdict]` (truth 0 human, 1 machine; verdict 0 human, 1 machine,
/// 2 not sure), the misclassified calls, and the beep mistakes.
struct Outcome {
    table: [[usize; 3]; 2],
    wrong: Vec<String>,
    beep_errors: Vec<String>,
}

impl Outcome {
    fn accuracy(&self) -> f64 {
        let total: usize = self.table.iter().flatten().sum();
        (self.table[0][0] + self.table[1][1]) as f64 / total as f64
    }

    fn print(&self, name: &str) {
        let total: usize = self.table.iter().flatten().sum();
        println!("AMD confusion table, {name} ({total} calls, rows = truth, columns = verdict)");
        println!(
            "{:<10} {:>6} {:>8} {:>8}",
            "", "HUMAN", "MACHINE", "NOTSURE"
        );
        println!(
            "{:<10} {:>6} {:>8} {:>8}",
            "human", self.table[0][0], self.table[0][1], self.table[0][2]
        );
        println!(
            "{:<10} {:>6} {:>8} {:>8}",
            "machine", self.table[1][0], self.table[1][1], self.table[1][2]
        );
        println!(
            "accuracy {:.1}% (NOTSURE counted wrong)",
            self.accuracy() * 100.0
        );
        for line in &self.wrong {
            println!("  misclassified: {line}");
        }
    }
}

fn classify(calls: &[Call], config: AmdConfig) -> Outcome {
    let mut outcome = Outcome {
        table: [[0; 3]; 2],
        wrong: Vec::new(),
        beep_errors: Vec::new(),
    };
    for call in calls {
        let mut amd = Amd::new(config);
        for frame in frames(&call.samples) {
            amd.handle_frame(&frame);
        }
        let events: Vec<AmdEvent> = std::iter::from_fn(|| amd.poll_event()).collect();
        let result = amd
            .result()
            .expect("AMD always decides within its analysis time");
        let verdict = match result.status {
            AmdStatus::Human => 0,
            AmdStatus::Machine => 1,
            AmdStatus::NotSure => 2,
        };
        outcome.table[usize::from(!call.human)][verdict] += 1;
        if verdict != usize::from(!call.human) {
            outcome.wrong.push(format!(
                "{} → {:?} {}",
                call.label, result.status, result.cause
            ));
        }
        let beeps: Vec<_> = events
            .iter()
            .filter_map(|e| {
                if let AmdEvent::BeepDetected(b) = e {
                    Some(*b)
                } else {
                    None
                }
            })
            .collect();
        match call.beep_end {
            None if !beeps.is_empty() => outcome.beep_errors.push(format!(
                "{}: beep heard from a human: {beeps:?}",
                call.label
            )),
            Some(end) if result.status == AmdStatus::Machine => {
                let ok = beeps.len() == 1
                    && (beeps[0].end.as_secs_f64() - end as f64 / 8_000.0).abs() <= 0.040
                    && (f64::from(beeps[0].freq_hz) - call.beep_hz).abs() <= call.beep_hz * 0.01;
                if !ok {
                    outcome.beep_errors.push(format!(
                        "{}: beep ending at {:.3} s, heard {beeps:?}",
                        call.label,
                        end as f64 / 8_000.0
                    ));
                }
            }
            _ => {}
        }
    }
    outcome
}

#[test]
fn humans_and_machines_are_told_apart_and_beeps_are_heard() {
    let calls = build_calls();
    let humans = calls.iter().filter(|c| c.human).count();
    assert!(
        humans >= 40 && calls.len() - humans >= 40,
        "need at least 40 of each"
    );

    let asterisk = classify(&calls, AmdConfig::asterisk());
    asterisk.print("Asterisk app_amd defaults (3 words)");
    let plateau = classify(&calls, AmdConfig::default());
    plateau.print("Plateau defaults (4 words)");

    assert!(
        plateau.accuracy() >= 0.95,
        "accuracy {:.1}% below 95%",
        plateau.accuracy() * 100.0
    );
    let machines = plateau.table[1][1];
    println!(
        "beeps: {} of {machines} machines' beeps heard at their end (±40 ms), none from people",
        machines - plateau.beep_errors.len()
    );
    assert!(
        plateau.beep_errors.is_empty(),
        "{}",
        plateau.beep_errors.join("\n")
    );
}
