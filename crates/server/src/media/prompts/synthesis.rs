//! Speaking prompts with `espeak-ng`: one process per prompt writing a 22.05 kHz WAV to a
//! temporary file (its `--stdout` WAV header states no real length), decoded and resampled
//! to 8 kHz by [`Prompt::from_wav`], then trimmed, normalised and stored.
//!
//! A few prompts are spoken at once (one worker per core, at most four): each process takes
//! tens of milliseconds, and the ~160 prompts of two languages take a few seconds.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use media::prompt::{Language, Prompt, PromptText};

use super::{PromptsError, prompt_path, write_wav};

const PROGRAM: &str = "espeak-ng";
/// Words per minute: a little slower than espeak's 175, as telephone prompts are.
const SPEED: &str = "150";
/// Samples quieter than this (about −40 dBFS) at either end are silence to trim.
const SILENCE_THRESHOLD: i16 = 330;
/// Silence kept before and after the speech (20 ms).
const MARGIN: usize = 160;
/// Loudest sample after normalising: −6 dBFS.
const PEAK: f64 = 16_422.0;

/// True when `espeak-ng` can be run.
pub(super) fn available() -> bool {
    Command::new(PROGRAM)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Speaks every prompt of `work` into its file under `data_dir`.
pub(super) fn synthesize_all(
    data_dir: &Path,
    work: &[(Language, PromptText)],
) -> Result<(), PromptsError> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 4);
    let next = AtomicUsize::new(0);
    let failure = Mutex::new(None);
    std::thread::scope(|scope| {
        for worker in 0..workers {
            let (next, failure) = (&next, &failure);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(language, prompt)) = work.get(index) else {
                        return;
                    };
                    if let Err(e) = synthesize(data_dir, language, prompt, worker) {
                        // Stop every worker: one failure fails the whole installation.
                        next.store(work.len(), Ordering::Relaxed);
                        if let Ok(mut slot) = failure.lock() {
                            slot.get_or_insert(e);
                        }
                        return;
                    }
                }
            });
        }
    });
    match failure.into_inner() {
        Ok(Some(e)) => Err(e),
        _ => Ok(()),
    }
}

fn synthesize(
    data_dir: &Path,
    language: Language,
    prompt: PromptText,
    worker: usize,
) -> Result<(), PromptsError> {
    let failed = |reason: String| PromptsError::Synthesis {
        language: language.code(),
        name: prompt.name.to_owned(),
        reason,
    };
    let scratch_dir = data_dir.join("prompts");
    std::fs::create_dir_all(&scratch_dir).map_err(|source| PromptsError::Io {
        path: scratch_dir.clone(),
        source,
    })?;
    let scratch = scratch_dir.join(format!(".espeak-{}-{worker}.wav", std::process::id()));
    let output = Command::new(PROGRAM)
        .args(["-v", language.code(), "-s", SPEED, "-w"])
        .arg(&scratch)
        // The text is an argument of its own: never parsed by a shell.
        .arg(prompt.text)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| failed(e.to_string()))?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&scratch);
        return Err(failed(format!(
            "{}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let bytes = std::fs::read(&scratch).map_err(|e| failed(e.to_string()));
    let _ = std::fs::remove_file(&scratch);
    let decoded = Prompt::from_wav(bytes?.as_slice()).map_err(|e| failed(e.to_string()))?;
    let samples: Vec<i16> = decoded
        .frames()
        .iter()
        .flat_map(|frame| frame.samples)
        .collect();
    let shaped = trim_and_normalise(&samples);
    if shaped.is_empty() {
        return Err(failed("espeak-ng produced only silence".into()));
    }
    write_wav(&prompt_path(data_dir, language, prompt.name), &shaped)
}

/// Cuts the silence before and after the speech (keeping a short margin) and scales the
/// peak to −6 dBFS.
pub(super) fn trim_and_normalise(samples: &[i16]) -> Vec<i16> {
    let loud = |s: &i16| s.unsigned_abs() > SILENCE_THRESHOLD.unsigned_abs();
    let (Some(first), Some(last)) = (
        samples.iter().position(loud),
        samples.iter().rposition(loud),
    ) else {
        return Vec::new();
    };
    let start = first.saturating_sub(MARGIN);
    let end = (last + 1 + MARGIN).min(samples.len());
    let speech = samples.get(start..end).unwrap_or_default();
    let peak = speech.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
    let gain = PEAK / f64::from(peak.max(1));
    speech
        .iter()
        .map(|&s| (f64::from(s) * gain).round().clamp(-32_768.0, 32_767.0) as i16)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_around_speech_is_trimmed_to_a_margin() {
        let mut samples = vec![0_i16; 1_000];
        samples.extend(std::iter::repeat_n(8_000_i16, 400));
        samples.extend(vec![10_i16; 1_000]);
        let shaped = trim_and_normalise(&samples);
        assert_eq!(shaped.len(), 400 + 2 * MARGIN);
        assert_eq!(shaped[MARGIN], PEAK as i16);
    }

    #[test]
    fn pure_silence_gives_nothing() {
        assert!(trim_and_normalise(&[0; 800]).is_empty());
    }
}
