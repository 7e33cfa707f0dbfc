//! The languages Plateau speaks and the shape of a prompt's entry in a catalogue.

/// A language the built-in prompts and [`crate::say`] cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// English.
    English,
    /// French.
    French,
}

impl Language {
    /// Every supported language.
    pub const ALL: [Language; 2] = [Language::English, Language::French];

    /// The ISO 639-1 code, used as the language key of a [`super::PromptLibrary`].
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
        }
    }

    /// The language for an ISO 639-1 code (`"en"`, `"fr"`), ignoring case and a region suffix
    /// (`"fr-CA"`, `"en_GB"`).
    pub fn from_code(code: &str) -> Option<Language> {
        let primary = code.split(['-', '_']).next()?;
        Language::ALL
            .into_iter()
            .find(|language| language.code().eq_ignore_ascii_case(primary))
    }
}

/// One prompt of a catalogue: the name it is stored under and the words to synthesize for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptText {
    /// The prompt's name in a [`super::PromptLibrary`], e.g. `"digits/7"`.
    pub name: &'static str,
    /// What the prompt says, in the catalogue's language.
    pub text: &'static str,
}

/// Builds a catalogue entry; keeps the tables short.
pub(crate) const fn entry(name: &'static str, text: &'static str) -> PromptText {
    PromptText { name, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_with_region_and_case() {
        for language in Language::ALL {
            assert_eq!(Language::from_code(language.code()), Some(language));
        }
        assert_eq!(Language::from_code("fr-CA"), Some(Language::French));
        assert_eq!(Language::from_code("EN_gb"), Some(Language::English));
        assert_eq!(Language::from_code("de"), None);
        assert_eq!(Language::from_code(""), None);
    }
}
