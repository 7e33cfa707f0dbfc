//! Audio fixtures shared by the signal tests (`dtmf_*`, `amd_*`, `fax_*`, `vad_*`): speech
//! synthesised with espeak-ng and resampled to 8 kHz with sox (both Debian packages; a missing
//! tool fails the test, it never skips), synthetic music, the G.711 round trip, and framing.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use media::comfort_noise::NoiseSource;
use media::g711::Codec;
use media::tones::level::dbm0_to_amplitude;
use media::{FRAME_SAMPLES, Frame};

/// One utterance to synthesise.
#[derive(Debug, Clone)]
pub struct Utterance {
    pub text: String,
    /// espeak-ng voice, e.g. `en`, `en-us+f3`, `fr+m2`.
    pub voice: String,
    /// Words per minute.
    pub speed: u32,
    /// Pitch 0–99.
    pub pitch: u32,
}

impl Utterance {
    pub fn new(text: &str, voice: &str, speed: u32, pitch: u32) -> Utterance {
        Utterance {
            text: text.to_owned(),
            voice: voice.to_owned(),
            speed,
            pitch,
        }
    }
}

/// Fails loudly when a tool the test needs is missing.
pub fn require_tool(tool: &str) {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    assert!(
        found,
        "`{tool}` is required by this test: install the Debian package (apt-get install espeak-ng sox)"
    );
}

/// A fresh directory for this test's generated files, under cargo's test scratch directory.
pub fn fixture_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("signals-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create fixture dir");
    dir
}

/// Synthesises every utterance (a few at a time) and returns 8 kHz mono samples for each.
pub fn synthesize(dir: &Path, utterances: &[Utterance]) -> Vec<Vec<i16>> {
    require_tool("espeak-ng");
    require_tool("sox");
    let mut out = Vec::with_capacity(utterances.len());
    for (batch_index, batch) in utterances.chunks(8).enumerate() {
        let mut children = Vec::new();
        for (i, utterance) in batch.iter().enumerate() {
            let stem = dir.join(format!("u{batch_index}_{i}"));
            let raw = stem.with_extension("22k.wav");
            let narrow = stem.with_extension("8k.wav");
            // espeak-ng writes 22.05 kHz; sox resamples to 8 kHz mono 16-bit and lowers the
            // level 6 dB so that the resampler's overshoot cannot clip.
            let script = format!(
                "espeak-ng -v '{}' -s {} -p {} -w '{}' \"$0\" && sox -V1 '{}' -r 8000 -c 1 -b 16 '{}' vol 0.5",
                utterance.voice,
                utterance.speed,
                utterance.pitch,
                raw.display(),
                raw.display(),
                narrow.display()
            );
            let child = Command::new("sh")
                .arg("-c")
                .arg(script)
                .arg(&utterance.text)
                .spawn()
                .expect("spawn espeak-ng/sox");
            children.push((child, narrow));
        }
        for (mut child, narrow) in children {
            let status = child.wait().expect("wait for espeak-ng/sox");
            assert!(
                status.success(),
                "espeak-ng/sox failed for {}",
                narrow.display()
            );
            out.push(read_wav(&narrow));
        }
    }
    out
}

/// Reads a 16-bit mono 8 kHz WAV file.
pub fn read_wav(path: &Path) -> Vec<i16> {
    let mut reader = hound::WavReader::open(path).expect("open wav");
    let spec = reader.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (8_000, 1, 16),
        "{}",
        path.display()
    );
    reader
        .samples::<i16>()
        .map(|s| s.expect("wav sample"))
        .collect()
}

/// Scales samples so that their active-speech RMS (frames above −50 dBov) sits at `dbm0`.
pub fn set_level(samples: &mut [i16], dbm0: f64) {
    let active: Vec<f64> = samples
        .chunks(FRAME_SAMPLES)
        .map(|c| c.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / c.len() as f64)
        .filter(|&power| power > 10f64.powf(-5.0) * f64::from(i16::MAX).powi(2))
        .collect();
    if active.is_empty() {
        return;
    }
    let rms = (active.iter().sum::<f64>() / active.len() as f64).sqrt();
    let target = dbm0_to_amplitude(dbm0) / 2f64.sqrt();
    let gain = target / rms;
    for s in samples.iter_mut() {
        *s = (f64::from(*s) * gain).round().clamp(-32768.0, 32767.0) as i16;
    }
}

/// Encodes to µ-law and decodes back, as a telephone call does.
pub fn ulaw_round_trip(samples: &mut [i16]) {
    for s in samples.iter_mut() {
        *s = Codec::Pcmu.decode(Codec::Pcmu.encode(*s));
    }
}

/// Cuts samples into frames, padding the last with silence.
pub fn frames(samples: &[i16]) -> Vec<Frame> {
    samples
        .chunks(FRAME_SAMPLES)
        .map(|chunk| {
            let mut frame = Frame::SILENCE;
            frame.samples[..chunk.len()].copy_from_slice(chunk);
            frame
        })
        .collect()
}

/// `ms` milliseconds of silence.
pub fn silence(ms: u64) -> Vec<i16> {
    vec![0; (ms * 8) as usize]
}

/// About a minute of synthetic music: chords and melodies of harmonic-rich notes, plucked
/// strings, sweeps and noise. Pure two-sine chords are left out on purpose: two pure sines at
/// DTMF frequencies *are* a DTMF digit.
pub fn music(seed: u64) -> Vec<i16> {
    let mut rng = NoiseSource::new(seed);
    let mut out: Vec<f64> = Vec::new();
    let note_hz = |semitones_from_a3: f64| 220.0 * 2f64.powf(semitones_from_a3 / 12.0);
    let rand_int = |rng: &mut NoiseSource, n: u64| rng.next_u64() % n;

    // Organ-like chords (harmonics 1–8, 1/k), 3 or 4 notes, 300–700 ms each.
    for _ in 0..40 {
        let root = rand_int(&mut rng, 24) as f64 - 5.0;
        let shape: &[f64] = if rand_int(&mut rng, 2) == 0 {
            &[0.0, 4.0, 7.0]
        } else {
            &[0.0, 3.0, 7.0, 10.0]
        };
        let len = 2_400 + rand_int(&mut rng, 3_200) as usize;
        let mut chunk = vec![0.0; len];
        for &interval in shape {
            let f0 = note_hz(root + interval);
            for k in 1..=8 {
                let f = f0 * k as f64;
                if f > 3_800.0 {
                    break;
                }
                let phase0 = rng.next_uniform() * std::f64::consts::PI;
                for (n, v) in chunk.iter_mut().enumerate() {
                    let envelope =
                        (n as f64 / 200.0).min(1.0) * (1.0 - n as f64 / len as f64).powf(0.3);
                    *v += 2_000.0 / k as f64
                        * envelope
                        * (2.0 * std::f64::consts::PI * f * n as f64 / 8_000.0 + phase0).sin();
                }
            }
        }
        out.extend(chunk);
    }
    // Plucked strings (Karplus–Strong), a melody of 200–400 ms notes.
    for _ in 0..60 {
        let f0 = note_hz(rand_int(&mut rng, 36) as f64 - 12.0);
        let period = (8_000.0 / f0).round().max(2.0) as usize;
        let mut delay: Vec<f64> = (0..period).map(|_| rng.next_uniform() * 12_000.0).collect();
        let len = 1_600 + rand_int(&mut rng, 1_600) as usize;
        for n in 0..len {
            let i = n % period;
            let next = delay[(i + 1) % period];
            let value = delay[i];
            delay[i] = 0.996 * 0.5 * (value + next);
            out.push(value);
        }
    }
    // Sweeps: a sawtooth-like sweep and a sine sweep across the telephone band.
    for harmonics in [1usize, 5] {
        let len = 16_000;
        let mut phase = 0.0f64;
        for n in 0..len {
            let f = 300.0 * (3_400.0f64 / 300.0).powf(n as f64 / len as f64);
            phase += 2.0 * std::f64::consts::PI * f / 8_000.0;
            let mut v = 0.0;
            for k in 1..=harmonics {
                if f * k as f64 > 3_900.0 {
                    break;
                }
                v += (phase * k as f64).sin() / k as f64;
            }
            out.push(6_000.0 * v);
        }
    }
    // Noise: white, then low-passed (a rumble), then drums (noise bursts).
    for n in 0..16_000 {
        let burst = if (n / 2_000) % 2 == 0 { 1.0 } else { 0.2 };
        out.push(4_000.0 * burst * rng.next_gaussian());
    }
    let mut low = 0.0;
    for _ in 0..16_000 {
        low = 0.95 * low + 0.05 * rng.next_gaussian() * 30_000.0;
        out.push(low);
    }
    out.into_iter()
        .map(|v| v.round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

/// A varied text corpus: English and French sentences, numbers read aloud.
pub fn talk_off_corpus() -> Vec<Utterance> {
    let english = [
        "Good morning, thank you for calling customer service. My name is Sarah, how can I help you today?",
        "I am calling about my invoice number four five seven two nine one, it was charged twice last month.",
        "Could you please confirm your date of birth and the first line of your address?",
        "The total comes to one hundred and twenty three dollars and forty seven cents, including tax.",
        "Seven, eight, nine, ten, eleven, twelve, thirteen, fourteen, fifteen, sixteen, seventeen.",
        "Please hold the line while I transfer you to the billing department. It should not take long.",
        "My phone number is five five five, three one four, two seven one eight. Call me back after six.",
        "We were wondering whether the engineer could come on Thursday afternoon instead of Monday morning.",
        "Hello? Hello? Can you hear me? The line is really bad, I will try calling again in a minute.",
        "Zero, one, two, three, four, five, six, seven, eight, nine, star, hash, pound.",
        "She sells sea shells by the sea shore, and the shells she sells are surely sea shells.",
        "Whoa, that is amazing! Wow! Really? Oh no, I do not believe it. Yes, yes, absolutely!",
    ];
    let french = [
        "Bonjour, vous êtes bien au service client, je m'appelle Julien, que puis-je faire pour vous ?",
        "Mon numéro de client est le quatre-vingt-dix-sept, soixante-douze, trente et un, quarante-huit.",
        "Je voudrais résilier mon abonnement, le prélèvement de ce mois-ci est beaucoup trop élevé.",
        "Un, deux, trois, quatre, cinq, six, sept, huit, neuf, dix, onze, douze, treize, quatorze.",
        "Pouvez-vous me rappeler demain matin entre neuf heures et midi, s'il vous plaît ?",
        "Allô ? Allô ? Je vous entends très mal, je crois que le réseau ne passe pas bien ici.",
        "Le montant total s'élève à mille deux cent quarante-trois euros et soixante-dix centimes.",
        "Ah bon ? Vraiment ? Oh là là, c'est incroyable ! Oui, oui, bien sûr, absolument !",
    ];
    let en_voices = [
        "en", "en-us", "en+f3", "en+m3", "en-us+f2", "en+m7", "en+f5",
    ];
    let fr_voices = ["fr", "fr+f2", "fr+m3", "fr+f4"];
    let mut corpus = Vec::new();
    for (i, text) in english.iter().enumerate() {
        let voice = en_voices[i % en_voices.len()];
        corpus.push(Utterance::new(
            text,
            voice,
            140 + (i as u32 * 13) % 60,
            20 + (i as u32 * 17) % 70,
        ));
        corpus.push(Utterance::new(
            text,
            en_voices[(i + 3) % en_voices.len()],
            175,
            85,
        ));
    }
    for (i, text) in french.iter().enumerate() {
        let voice = fr_voices[i % fr_voices.len()];
        corpus.push(Utterance::new(
            text,
            voice,
            150 + (i as u32 * 11) % 50,
            30 + (i as u32 * 23) % 60,
        ));
        corpus.push(Utterance::new(
            text,
            fr_voices[(i + 1) % fr_voices.len()],
            130,
            10,
        ));
    }
    corpus
}
