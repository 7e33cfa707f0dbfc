//! The prompt library the IVR and the queues play from, and the hold music.
//!
//! Prompts live as WAV files under `<data-dir>/prompts/<language>/<name>.wav`; names with a
//! `/` (`digits/7`) are subdirectories. The names Plateau needs are those of
//! [`media::prompt::standard::catalogue`] and [`media::say::catalogue`] ([`catalogue`]);
//! a deployment may record its own voice under the same names, and add prompts of its own
//! for its flows (every WAV found is loaded).
//!
//! At first start [`install`] fills in whatever is missing: spoken by `espeak-ng` when it is
//! on the `PATH` (its 22.05 kHz output is resampled to 8 kHz by the media crate's loader,
//! trimmed of leading and trailing silence, normalised to a −6 dBFS peak, and stored as
//! 8 kHz 16-bit mono), otherwise copied from the WAVs bundled in the binary
//! (`crates/server/assets/prompts`, made by `scripts/make-bundled-prompts.sh` with the same
//! settings). Then [`load_library`] decodes them all once; a catalogue name missing for a
//! language is an error that names it.
//!
//! Hold music: the WAVs of `<data-dir>/moh/` in name order, or, without any, a synthetic
//! piece made here ([`hold_music`]).

mod bundled;
mod bundled_files;
pub mod hold_music;
mod synthesis;

use std::path::{Path, PathBuf};

use media::music_on_hold::{MohError, Playlist};
use media::prompt::{Language, Prompt, PromptError, PromptLibrary, PromptText};

pub use bundled::bundled_library;

/// Why prompts could not be prepared or loaded.
#[derive(Debug, thiserror::Error)]
pub enum PromptsError {
    /// Reading or writing a file or directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A WAV file could not be decoded.
    #[error("{}: {source}", path.display())]
    Decode {
        /// The file.
        path: PathBuf,
        /// Why.
        source: PromptError,
    },
    /// Prompts the catalogue needs are missing for a language.
    #[error("missing prompts for language {language}: {}", names.join(", "))]
    Missing {
        /// The language code.
        language: &'static str,
        /// The names missing.
        names: Vec<String>,
    },
    /// `espeak-ng` was asked for and is not on the `PATH`.
    #[error("espeak-ng is not installed (or not on the PATH)")]
    SynthesizerMissing,
    /// `espeak-ng` failed on one prompt.
    #[error("synthesizing {language}/{name} failed: {reason}")]
    Synthesis {
        /// The language code.
        language: &'static str,
        /// The prompt.
        name: String,
        /// What went wrong.
        reason: String,
    },
    /// A WAV file could not be written.
    #[error("{}: {source}", path.display())]
    Wav {
        /// The file.
        path: PathBuf,
        /// Why.
        source: hound::Error,
    },
    /// The hold music has no audio.
    #[error("hold music: {0}")]
    HoldMusic(#[from] MohError),
}

/// Where missing prompts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptSource {
    /// `espeak-ng` if it is on the `PATH`, else the bundled recordings.
    Auto,
    /// `espeak-ng`, or fail with [`PromptsError::SynthesizerMissing`].
    Espeak,
    /// The recordings bundled in the binary.
    Bundled,
}

/// What [`install`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Installed {
    /// Prompts already present.
    pub present: usize,
    /// Prompts spoken by `espeak-ng`.
    pub synthesized: usize,
    /// Prompts copied from the bundled recordings.
    pub copied: usize,
}

/// Every prompt Plateau needs in `language`, with its text: the standard announcements,
/// then the words numbers, digits and durations are said with.
pub fn catalogue(language: Language) -> impl Iterator<Item = PromptText> {
    media::prompt::standard::catalogue(language)
        .iter()
        .chain(media::say::catalogue(language))
        .copied()
}

/// The directory of one language's prompts.
pub fn language_dir(data_dir: &Path, language: Language) -> PathBuf {
    data_dir.join("prompts").join(language.code())
}

/// The file of one prompt.
pub fn prompt_path(data_dir: &Path, language: Language, name: &str) -> PathBuf {
    let mut path = language_dir(data_dir, language);
    path.extend(name.split('/'));
    path.set_extension("wav");
    path
}

/// Writes every catalogue prompt of `languages` missing under `data_dir`, from `source`.
/// Prompts already there (generated earlier or recorded by the deployment) are kept.
pub fn install(
    data_dir: &Path,
    languages: &[Language],
    source: PromptSource,
) -> Result<Installed, PromptsError> {
    let mut installed = Installed::default();
    let mut missing = Vec::new();
    for &language in languages {
        for prompt in catalogue(language) {
            if prompt_path(data_dir, language, prompt.name).is_file() {
                installed.present += 1;
            } else {
                missing.push((language, prompt));
            }
        }
    }
    if missing.is_empty() {
        return Ok(installed);
    }
    let use_espeak = match source {
        PromptSource::Bundled => false,
        PromptSource::Espeak if !synthesis::available() => {
            return Err(PromptsError::SynthesizerMissing);
        }
        PromptSource::Espeak => true,
        PromptSource::Auto => synthesis::available(),
    };
    if use_espeak {
        synthesis::synthesize_all(data_dir, &missing)?;
        installed.synthesized = missing.len();
    } else {
        for (language, prompt) in &missing {
            bundled::copy(data_dir, *language, prompt.name)?;
        }
        installed.copied = missing.len();
    }
    Ok(installed)
}

/// Decodes every WAV under `<data_dir>/prompts/<language>/` for `languages`, and checks that
/// each has the whole catalogue.
pub fn load_library(
    data_dir: &Path,
    languages: &[Language],
) -> Result<PromptLibrary, PromptsError> {
    let mut library = PromptLibrary::new();
    for &language in languages {
        let root = language_dir(data_dir, language);
        let mut files = Vec::new();
        wav_files(&root, &mut files)?;
        for file in files {
            let Some(name) = prompt_name(&root, &file) else {
                continue;
            };
            let bytes = read(&file)?;
            let prompt =
                Prompt::from_wav(bytes.as_slice()).map_err(|source| PromptsError::Decode {
                    path: file.clone(),
                    source,
                })?;
            library.insert(language.code(), &name, prompt);
        }
    }
    check_complete(&library, languages)?;
    Ok(library)
}

/// Fails naming every catalogue prompt `library` lacks for `languages`.
pub fn check_complete(library: &PromptLibrary, languages: &[Language]) -> Result<(), PromptsError> {
    for &language in languages {
        let names: Vec<&str> = catalogue(language).map(|p| p.name).collect();
        let missing = library.missing(language.code(), names);
        if !missing.is_empty() {
            return Err(PromptsError::Missing {
                language: language.code(),
                names: missing.into_iter().map(str::to_owned).collect(),
            });
        }
    }
    Ok(())
}

/// The hold music under `<data_dir>/moh/` (every WAV, in name order), or the synthetic piece
/// if there is none.
pub fn load_hold_music(data_dir: &Path) -> Result<Playlist, PromptsError> {
    let dir = data_dir.join("moh");
    let mut files = Vec::new();
    if dir.is_dir() {
        wav_files(&dir, &mut files)?;
    }
    files.sort();
    let mut tracks = Vec::with_capacity(files.len());
    for file in files {
        let bytes = read(&file)?;
        let track = Prompt::from_wav(bytes.as_slice()).map_err(|source| PromptsError::Decode {
            path: file.clone(),
            source,
        })?;
        tracks.push(track);
    }
    if tracks.is_empty() {
        tracks.push(hold_music::synthetic_piece());
    }
    Ok(Playlist::new(tracks)?)
}

fn read(path: &Path) -> Result<Vec<u8>, PromptsError> {
    std::fs::read(path).map_err(|source| PromptsError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Collects the `.wav` files under `dir`, recursively; a missing directory holds none.
fn wav_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PromptsError> {
    let io_error = |source| PromptsError::Io {
        path: dir.to_owned(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(e)),
    };
    for entry in entries {
        let path = entry.map_err(io_error)?.path();
        if path.is_dir() {
            wav_files(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("wav"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// `digits/7` for `<root>/digits/7.wav`.
fn prompt_name(root: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(root).ok()?.with_extension("");
    let parts: Option<Vec<&str>> = relative
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect();
    Some(parts?.join("/"))
}

/// Writes 8 kHz mono 16-bit samples as a WAV, through a temporary file renamed into place
/// so that a crash never leaves half a prompt under its real name.
fn write_wav(path: &Path, samples: &[i16]) -> Result<(), PromptsError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| PromptsError::Io {
            path: parent.to_owned(),
            source,
        })?;
    }
    let partial = path.with_extension("wav.partial");
    let wav_error = |source| PromptsError::Wav {
        path: partial.clone(),
        source,
    };
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: media::SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&partial, spec).map_err(wav_error)?;
    for &sample in samples {
        writer.write_sample(sample).map_err(wav_error)?;
    }
    writer.finalize().map_err(wav_error)?;
    std::fs::rename(&partial, path).map_err(|source| PromptsError::Io {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_a_slash_are_subdirectories() {
        let path = prompt_path(Path::new("/d"), Language::French, "digits/7");
        assert_eq!(path, Path::new("/d/prompts/fr/digits/7.wav"));
        assert_eq!(
            prompt_name(Path::new("/d/prompts/fr"), &path).as_deref(),
            Some("digits/7")
        );
    }

    #[test]
    fn the_catalogue_has_standard_prompts_and_number_words() {
        let names: Vec<&str> = catalogue(Language::English).map(|p| p.name).collect();
        assert!(names.contains(&"welcome"));
        assert!(names.contains(&"digits/7"));
    }
}
