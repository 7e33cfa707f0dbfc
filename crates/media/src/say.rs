//! Numbers, digit strings, durations and ordinals as lists of prompt names.
//!
//! Spoken numbers are built from a small fixed set of recorded words ("twenty", "one",
//! "hundred", "thousand"...) the way Asterisk's `digits/` prompts are. Each language's rules
//! live in its own file; what they may emit is listed, with the text to synthesize for each
//! name, by [`catalogue`] — the server generates that set with a speech synthesizer at first
//! start, and a test checks that nothing here emits a name outside it.
//!
//! ```
//! use media::prompt::Language;
//! use media::say;
//!
//! assert_eq!(say::number(Language::English, 21), ["digits/20", "digits/1"]);
//! assert_eq!(say::spell_number(Language::French, 81), "quatre-vingt-un");
//! ```

mod english;
mod french;
mod names;

use std::time::Duration;

use crate::prompt::{Language, PromptText};

/// What cannot be said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SayError {
    /// A digit string holds a character that has no prompt (letters, punctuation other than the
    /// separators `space - . ( ) /`).
    #[error("cannot say {0:?} in a digit string")]
    Unsayable(char),
}

/// Grammatical gender of the noun a number counts, which French marks on "un"/"une".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Gender {
    /// "un", "vingt-et-un" (English ignores gender).
    #[default]
    Masculine,
    /// "une", "vingt-et-une".
    Feminine,
}

/// Every prompt name [`number`], [`ordinal`], [`digits`] and [`duration`] can emit in
/// `language`, with the text to synthesize for it.
pub fn catalogue(language: Language) -> &'static [PromptText] {
    match language {
        Language::English => english::CATALOGUE,
        Language::French => french::CATALOGUE,
    }
}

/// A cardinal number, e.g. 2,021 → "two thousand twenty-one".
pub fn number(language: Language, n: u32) -> Vec<&'static str> {
    number_of(language, n, Gender::Masculine)
}

/// A cardinal number counting a noun of the given gender ("vingt-et-une minutes").
pub fn number_of(language: Language, n: u32, gender: Gender) -> Vec<&'static str> {
    let mut out = Vec::with_capacity(8);
    match language {
        Language::English => english::number(n, &mut out),
        Language::French => french::number(n, gender, &mut out),
    }
    out
}

/// An ordinal number, e.g. 21 → "twenty-first", "vingt-et-unième" (French masculine).
pub fn ordinal(language: Language, n: u32) -> Vec<&'static str> {
    let mut out = number(language, n);
    if let Some(last) = out.last_mut() {
        *last = match language {
            Language::English => english::ordinal_of(last),
            Language::French => french::ordinal_of(last, n),
        };
    }
    out
}

/// A digit string said one digit at a time (a phone or account number). Spaces and the
/// separators `- . ( ) /` are skipped; `*`, `#` and `+` have their own prompts.
pub fn digits(language: Language, text: &str) -> Result<Vec<&'static str>, SayError> {
    let _ = language; // The digit prompts share their names across languages; their texts differ.
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let name = match c {
            '0'..='9' => names::DIGITS[(c as u8 - b'0') as usize],
            '*' => names::STAR,
            '#' => names::POUND,
            '+' => names::PLUS,
            ' ' | '-' | '.' | '(' | ')' | '/' => continue,
            other => return Err(SayError::Unsayable(other)),
        };
        out.push(name);
    }
    Ok(out)
}

/// A duration in hours, minutes and seconds (fractions of a second dropped), leaving out the
/// parts that are zero: "2 minutes 30 seconds", "1 hour"; zero is "0 seconds".
pub fn duration(language: Language, duration: Duration) -> Vec<&'static str> {
    let total = duration.as_secs();
    let hours = u32::try_from(total / 3_600).unwrap_or(u32::MAX);
    let parts = [
        (hours, names::HOUR, names::HOURS),
        ((total / 60 % 60) as u32, names::MINUTE, names::MINUTES),
        ((total % 60) as u32, names::SECOND, names::SECONDS),
    ];
    let mut out = Vec::with_capacity(12);
    for (count, singular, plural) in parts {
        if count > 0 {
            push_count(language, count, singular, plural, &mut out);
        }
    }
    if out.is_empty() {
        push_count(language, 0, names::SECOND, names::SECONDS, &mut out);
    }
    out
}

/// `count` followed by the unit, in the unit's gender and number. Hours, minutes and seconds
/// are all feminine in French.
fn push_count(
    language: Language,
    count: u32,
    singular: &'static str,
    plural: &'static str,
    out: &mut Vec<&'static str>,
) {
    out.extend(number_of(language, count, Gender::Feminine));
    let is_plural = match language {
        Language::English => count != 1,
        // French: zero and one take the singular ("zéro seconde", "une minute").
        Language::French => count > 1,
    };
    out.push(if is_plural { plural } else { singular });
}

/// A number written out the way the prompts say it: "twenty-one", "deux-cent-un", "quatre-vingts
/// millions" (French in the 1990 spelling, hyphens between all numeral words). For logs, tests,
/// and a speech synthesizer when a prompt set is incomplete.
pub fn spell_number(language: Language, n: u32) -> String {
    spell(language, &number(language, n))
}

/// An ordinal written out: "twenty-first", "vingt-et-unième".
pub fn spell_ordinal(language: Language, n: u32) -> String {
    spell(language, &ordinal(language, n))
}

fn spell(language: Language, names: &[&str]) -> String {
    let table = catalogue(language);
    let text = |name: &str| {
        table
            .iter()
            .find(|p| p.name == name)
            .map_or(name, |p| p.text)
            .to_owned()
    };
    let mut out = String::new();
    let mut previous: Option<&str> = None;
    for &name in names {
        if let Some(previous) = previous {
            out.push_str(match language {
                Language::English => english::separator(previous, name),
                Language::French => french::separator(previous, name),
            });
        }
        out.push_str(&text(name));
        previous = Some(name);
    }
    out
}
