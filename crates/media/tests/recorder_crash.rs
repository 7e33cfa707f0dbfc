//! A recording cut off by a crash is a valid WAV up to the last flush, for sox and for hound.
//!
//! Needs Debian's `sox`; the test fails (it does not skip) when sox is missing.
// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

use std::f64::consts::PI;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use media::Frame;
use media::recorder::{CallTime, Channel, Recorder, RecorderConfig};

fn tone(freq: f64, k: u64) -> Frame {
    let mut frame = Frame::SILENCE;
    for (n, s) in frame.samples.iter_mut().enumerate() {
        let t = (k * 160 + n as u64) as f64 / 8_000.0;
        *s = (8_000.0 * (2.0 * PI * freq * t).sin()).round() as i16;
    }
    frame
}

/// A fresh file for the recording, as the server would open one. Tests may do IO; the crate
/// itself never opens files.
#[allow(clippy::disallowed_types)]
fn create(path: &Path) -> std::fs::File {
    std::fs::File::create(path).unwrap()
}

fn scratch_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("plateau-media-{name}-{}.wav", std::process::id()))
}

fn sox(args: &[&str]) -> String {
    let output = Command::new("sox")
        .args(args)
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run sox ({error}): install Debian's `sox` package (apt-get install sox)")
        });
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "sox {args:?} failed: {text}");
    text
}

/// Records 3.5 s of a two-party call, flushing every second, then "crashes": the recorder is
/// leaked without `finish`, so nothing after the last periodic flush reaches the file.
fn record_then_crash(path: &Path) {
    let config = RecorderConfig {
        flush_every: Duration::from_secs(1),
        ..RecorderConfig::default()
    };
    let mut recorder = Recorder::new(create(path), config).unwrap();
    for k in 0..175 {
        let at = CallTime::from_samples(k * 160);
        recorder.push(Channel::Caller, at, &tone(400.0, k)).unwrap();
        recorder.push(Channel::Agent, at, &tone(900.0, k)).unwrap();
    }
    std::mem::forget(recorder);
}

#[test]
fn a_crashed_recording_is_readable_by_sox_up_to_the_last_flush() {
    let path = scratch_path("crash-sox");
    record_then_crash(&path);
    let file = path.to_str().unwrap();

    let duration: f64 = sox(&["--i", "-D", file]).trim().parse().unwrap();
    assert!(
        (3.0..3.5).contains(&duration),
        "sox --i reports {duration} s"
    );
    let info = sox(&["--i", file]);
    assert!(
        info.contains("Channels       : 2") && info.contains("Sample Rate    : 8000"),
        "{info}"
    );

    let stat = sox(&[file, "-n", "stat"]);
    let length: f64 = stat
        .lines()
        .find_map(|line| line.strip_prefix("Length (seconds):"))
        .unwrap_or_else(|| panic!("no length in sox stat output: {stat}"))
        .trim()
        .parse()
        .unwrap();
    assert!(length >= 3.0, "sox stat reads {length} s");
    let rms: f64 = stat
        .lines()
        .find_map(|l| l.strip_prefix("RMS     amplitude:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        rms > 0.1,
        "the audio is there, not just a header (RMS {rms})"
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_crashed_recording_is_readable_by_hound_to_its_last_sample() {
    let path = scratch_path("crash-hound");
    record_then_crash(&path);
    let mut reader = hound::WavReader::open(&path).unwrap();
    assert!(reader.duration() >= 24_000, "{} samples", reader.duration());
    let samples: Vec<i16> = reader.samples().collect::<Result<_, _>>().unwrap();
    assert_eq!(samples.len() as u32, reader.duration() * 2);
    // Left is the caller, right the agent, right up to the end of what was flushed.
    let last_left = samples[samples.len() - 2];
    let last_right = samples[samples.len() - 1];
    let n = samples.len() / 2 - 1;
    assert_eq!(last_left, tone(400.0, n as u64 / 160).samples[n % 160]);
    assert_eq!(last_right, tone(900.0, n as u64 / 160).samples[n % 160]);
    std::fs::remove_file(&path).unwrap();
}
