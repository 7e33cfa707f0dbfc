//! The prompts of a deployment, found by language and name.

use std::collections::HashMap;
use std::io::Read;

use super::{Prompt, PromptError};

/// Prompts keyed by language code (`"en"`) and name (`"queue/you-are-number"`).
///
/// Built once at start (the server reads the files and hands in readers), then shared
/// read-only between calls; the prompts themselves are reference-counted.
#[derive(Debug, Default, Clone)]
pub struct PromptLibrary {
    languages: HashMap<String, HashMap<String, Prompt>>,
}

impl PromptLibrary {
    /// An empty library.
    pub fn new() -> PromptLibrary {
        PromptLibrary::default()
    }

    /// Adds (or replaces) a prompt.
    pub fn insert(&mut self, language: &str, name: &str, prompt: Prompt) {
        self.languages
            .entry(language.to_owned())
            .or_default()
            .insert(name.to_owned(), prompt);
    }

    /// Decodes a WAV file and adds it; the error names the prompt that failed.
    pub fn load_wav(
        &mut self,
        language: &str,
        name: &str,
        reader: impl Read,
    ) -> Result<(), PromptError> {
        let prompt = Prompt::from_wav(reader).map_err(|error| match error {
            PromptError::Unreadable(reason) => {
                PromptError::Unreadable(format!("{language}/{name}: {reason}"))
            }
            PromptError::Unsupported(reason) => {
                PromptError::Unsupported(format!("{language}/{name}: {reason}"))
            }
            other => other,
        })?;
        self.insert(language, name, prompt);
        Ok(())
    }

    /// The prompt, or [`PromptError::Missing`] naming what was asked for.
    pub fn get(&self, language: &str, name: &str) -> Result<&Prompt, PromptError> {
        self.languages
            .get(language)
            .and_then(|prompts| prompts.get(name))
            .ok_or_else(|| PromptError::Missing {
                language: language.to_owned(),
                name: name.to_owned(),
            })
    }

    /// True if the prompt is loaded.
    pub fn contains(&self, language: &str, name: &str) -> bool {
        self.get(language, name).is_ok()
    }

    /// The names among `wanted` that are not loaded for `language` (what the server must still
    /// synthesize or report).
    pub fn missing<'a>(
        &self,
        language: &str,
        wanted: impl IntoIterator<Item = &'a str>,
    ) -> Vec<&'a str> {
        wanted
            .into_iter()
            .filter(|name| !self.contains(language, name))
            .collect()
    }

    /// Number of prompts across all languages.
    pub fn len(&self) -> usize {
        self.languages.values().map(HashMap::len).sum()
    }

    /// True when nothing is loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_prompt_error_names_language_and_prompt() {
        let mut library = PromptLibrary::new();
        library.insert("en", "welcome", Prompt::from_samples(&[1; 160]));
        let error = library.get("fr", "welcome").unwrap_err().to_string();
        assert!(
            error.contains("\"fr\"") && error.contains("\"welcome\""),
            "{error}"
        );
        assert!(library.get("en", "welcome").is_ok());
    }

    #[test]
    fn missing_lists_the_names_not_loaded() {
        let mut library = PromptLibrary::new();
        library.insert("en", "a", Prompt::from_samples(&[]));
        assert_eq!(library.missing("en", ["a", "b", "c"]), vec!["b", "c"]);
        assert_eq!(library.len(), 1);
    }
}
