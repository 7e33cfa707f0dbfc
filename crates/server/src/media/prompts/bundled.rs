//! The prompts bundled in the binary, for machines without `espeak-ng`: 8 kHz 16-bit mono
//! WAVs made once by `scripts/make-bundled-prompts.sh` (espeak-ng and sox) and committed
//! under `crates/server/assets/prompts/`; `bundled_files.rs` (written by the same script)
//! lists them for `include_bytes!`.

use std::path::Path;

use media::prompt::{Language, Prompt, PromptLibrary};

use super::bundled_files::BUNDLED;
use super::{PromptsError, check_complete, prompt_path};

/// The WAV bytes of a bundled prompt.
fn bytes(language: Language, name: &str) -> Option<&'static [u8]> {
    BUNDLED
        .iter()
        .find(|&&(code, bundled, _)| code == language.code() && bundled == name)
        .map(|&(_, _, bytes)| bytes)
}

/// Writes the bundled recording of `name` to its place under `data_dir`.
pub(super) fn copy(data_dir: &Path, language: Language, name: &str) -> Result<(), PromptsError> {
    let missing = || PromptsError::Missing {
        language: language.code(),
        names: vec![name.to_owned()],
    };
    let bytes = bytes(language, name).ok_or_else(missing)?;
    let path = prompt_path(data_dir, language, name);
    let io_error = |path: &Path, source| PromptsError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
    }
    let partial = path.with_extension("wav.partial");
    std::fs::write(&partial, bytes).map_err(|e| io_error(&partial, e))?;
    std::fs::rename(&partial, &path).map_err(|e| io_error(&path, e))
}

/// Every bundled prompt, decoded, checked complete for both languages.
pub fn bundled_library() -> Result<PromptLibrary, PromptsError> {
    let mut library = PromptLibrary::new();
    for &(code, name, bytes) in BUNDLED {
        let prompt = Prompt::from_wav(bytes).map_err(|source| PromptsError::Decode {
            path: Path::new("bundled").join(code).join(name),
            source,
        })?;
        library.insert(code, name, prompt);
    }
    check_complete(&library, &Language::ALL)?;
    Ok(library)
}
