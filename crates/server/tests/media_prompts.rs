//! The prompt library: spoken by espeak-ng at first start (installed for the tests: missing,
//! the test fails), or copied from the bundled recordings; then loaded whole, a missing
//! prompt being an error that names it. And the hold music.

use std::time::Duration;

use media::prompt::Language;
use plateau::media::prompts::{
    Installed, PromptSource, PromptsError, bundled_library, catalogue, install, load_hold_music,
    load_library, prompt_path,
};

fn catalogue_len() -> usize {
    Language::ALL.iter().map(|&l| catalogue(l).count()).sum()
}

#[test]
fn espeak_speaks_every_catalogue_prompt_into_the_data_dir() {
    let data = tempfile::tempdir().unwrap();
    let installed = install(data.path(), &Language::ALL, PromptSource::Espeak)
        .expect("espeak-ng must be installed for this test (scripts/install-test-deps.sh)");
    assert_eq!(installed.synthesized, catalogue_len());
    let library = load_library(data.path(), &Language::ALL).unwrap();
    assert_eq!(library.len(), catalogue_len());
    for language in Language::ALL {
        for prompt in catalogue(language) {
            let audio = library.get(language.code(), prompt.name).unwrap();
            assert!(
                audio.duration() >= Duration::from_millis(100),
                "{}/{} is {:?}",
                language.code(),
                prompt.name,
                audio.duration()
            );
        }
    }
    let spec = hound::WavReader::open(prompt_path(data.path(), Language::French, "menu"))
        .unwrap()
        .spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (8_000, 1, 16)
    );
}

#[test]
fn the_bundled_prompts_cover_the_whole_catalogue() {
    let library = bundled_library().expect("rerun scripts/make-bundled-prompts.sh");
    assert_eq!(library.len(), catalogue_len());
}

#[test]
fn bundled_prompts_are_installed_without_a_synthesizer_and_load() {
    let data = tempfile::tempdir().unwrap();
    let installed = install(data.path(), &Language::ALL, PromptSource::Bundled).unwrap();
    assert_eq!(installed.copied, catalogue_len());
    let library = load_library(data.path(), &Language::ALL).unwrap();
    assert_eq!(library.len(), catalogue_len());
}

#[test]
fn prompts_already_there_are_kept() {
    let data = tempfile::tempdir().unwrap();
    install(data.path(), &[Language::English], PromptSource::Bundled).unwrap();
    let again = install(data.path(), &[Language::English], PromptSource::Bundled).unwrap();
    assert_eq!(
        again,
        Installed {
            present: catalogue(Language::English).count(),
            synthesized: 0,
            copied: 0
        }
    );
}

#[test]
fn a_missing_prompt_is_named_in_the_error() {
    let data = tempfile::tempdir().unwrap();
    install(data.path(), &[Language::French], PromptSource::Bundled).unwrap();
    std::fs::remove_file(prompt_path(data.path(), Language::French, "digits/7")).unwrap();
    let error = load_library(data.path(), &[Language::French]).unwrap_err();
    assert!(
        matches!(&error, PromptsError::Missing { language: "fr", names } if names == &["digits/7"]),
        "{error}"
    );
    assert!(error.to_string().contains("digits/7"));
}

#[test]
fn without_music_files_the_synthetic_piece_is_the_hold_music() {
    let data = tempfile::tempdir().unwrap();
    let playlist = load_hold_music(data.path()).unwrap();
    assert_eq!(playlist.tracks(), 1);
    assert_eq!(playlist.duration(), Duration::from_secs(24));
}
