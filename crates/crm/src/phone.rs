//! Phone numbers normalised to E.164 (`+33123456789`), the one form customers are stored and
//! looked up by, so the caller ID of an inbound call finds the customer whatever way the number
//! was typed in the CRM.
//!
//! Parsing and validation use `phonenumber` (Google's libphonenumber metadata): a national
//! number needs the region it was written in (`01 23 45 67 89` in FR), international forms
//! (`+33…`, `0033…` from FR) carry their own country code.

use std::fmt;
use std::str::FromStr;
use std::sync::Once;

use phonenumber::Mode;
use phonenumber::country::Id as CountryId;
use serde::{Deserialize, Serialize};

/// Longest raw text accepted; an E.164 number has at most 15 digits, and formatting adds a few
/// separators. Longer text is not a phone number, and it bounds the parser's work.
const MAX_RAW_LEN: usize = 40;

/// Compiled patterns `phonenumber` keeps (it keeps 100 by default, one LRU cache for all
/// regions). A single GB number touches more than 100, so with the default every GB number
/// recompiled them: ~130 µs a number instead of ~50. 1024 holds a few dozen countries' worth.
const REGEX_CACHE: usize = 1024;

static REGEX_CACHE_SIZED: Once = Once::new();

/// Why text is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing but spaces.
    #[error("empty phone number")]
    Empty,
    /// Longer than any phone number written with separators.
    #[error("too long to be a phone number")]
    TooLong,
    /// A character other than digits, `+`, spaces, `.`, `-`, `/` and parentheses.
    #[error("unexpected character {0:?} in phone number")]
    BadCharacter(char),
    /// The region is not two letters or not a region with phone numbers.
    #[error("unknown region {0:?}")]
    UnknownRegion(String),
    /// The parser refused it (too short, too long, bad country code...).
    #[error("not a phone number: {0}")]
    Unparsable(String),
    /// Well formed but not a number that can be assigned (wrong length or unassigned range).
    #[error("not a valid number for its country")]
    Invalid,
}

/// A region a national number is written in: a two-letter ISO 3166 code such as `FR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region {
    code: [u8; 2],
    id: CountryId,
}

impl Region {
    /// The code, upper case (`"FR"`).
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are stored (checked in `from_str`).
        std::str::from_utf8(&self.code).unwrap_or("??")
    }
}

impl FromStr for Region {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || PhoneError::UnknownRegion(s.chars().take(8).collect());
        let bytes: [u8; 2] = s.trim().as_bytes().try_into().map_err(|_| unknown())?;
        if !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(unknown());
        }
        let code = bytes.map(|b| b.to_ascii_uppercase());
        let text = std::str::from_utf8(&code).map_err(|_| unknown())?;
        let id = CountryId::from_str(text).map_err(|_| unknown())?;
        Ok(Region { code, id })
    }
}

impl TryFrom<String> for Region {
    type Error = PhoneError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Region> for String {
    fn from(r: Region) -> String {
        r.as_str().to_owned()
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A phone number in E.164 form: `+`, country code, national number, digits only.
///
/// Serialised as the plain string. Deserialising checks the shape (`+` and 2 to 15 digits,
/// the first not 0) but not the numbering plan, so rows stored by an older metadata version
/// still load.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct E164(String);

impl E164 {
    /// The number, like `"+33123456789"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for E164 {
    type Error = PhoneError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        let digits = s.strip_prefix('+').ok_or(PhoneError::Invalid)?;
        let shaped = (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if shaped {
            Ok(E164(s))
        } else {
            Err(PhoneError::Invalid)
        }
    }
}

impl From<E164> for String {
    fn from(n: E164) -> String {
        n.0
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Normalises a phone number as people type it to E.164.
///
/// `default_region` is the country a national number (`01 23 45 67 89`) belongs to and whose
/// international prefix (`00` in FR, `011` in US) introduces a foreign number. Separators
/// (spaces, dots, dashes, slashes, parentheses) are ignored; letters and extensions are
/// refused. The number must be valid for its country, not only well formed.
pub fn normalize_phone(raw: &str, default_region: Region) -> Result<E164, PhoneError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(PhoneError::Empty);
    }
    if text.len() > MAX_RAW_LEN {
        return Err(PhoneError::TooLong);
    }
    for (at, c) in text.char_indices() {
        let ok = match c {
            '0'..='9' | ' ' | '.' | '-' | '/' | '(' | ')' => true,
            '+' => at == 0,
            _ => false,
        };
        if !ok {
            return Err(PhoneError::BadCharacter(c));
        }
    }
    // "+44 (0)20 ..." shows the trunk prefix dialled at home; it is not part of the number.
    let owned;
    let text = if text.contains("(0)") {
        owned = text.replace("(0)", "");
        owned.as_str()
    } else {
        text
    };
    // phonenumber 0.3.10 mangles some "+…" numbers when given a default region (with US,
    // "+33123456789" loses a digit), and a "+" number needs none.
    let region = if text.starts_with('+') {
        None
    } else {
        Some(default_region.id)
    };
    REGEX_CACHE_SIZED.call_once(|| {
        if let Ok(mut cache) = phonenumber::metadata::DATABASE.cache().lock() {
            cache.set_capacity(REGEX_CACHE);
        }
    });
    let number =
        phonenumber::parse(region, text).map_err(|e| PhoneError::Unparsable(e.to_string()))?;
    if !phonenumber::is_valid(&number) {
        return Err(PhoneError::Invalid);
    }
    Ok(E164(number.format().mode(Mode::E164).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fr() -> Region {
        "fr".parse().unwrap()
    }

    #[test]
    fn french_national_format_gets_the_country_code() {
        let n = normalize_phone("01 23 45 67 89", fr()).unwrap();
        assert_eq!(n.as_str(), "+33123456789");
        assert_eq!(
            normalize_phone("06.12.34.56.78", fr()).unwrap().as_str(),
            "+33612345678"
        );
    }

    #[test]
    fn international_forms_ignore_the_default_region() {
        let us: Region = "US".parse().unwrap();
        for raw in [
            "+33 1 23 45 67 89",
            "+33 (0)1 23 45 67 89",
            "+33-1-23-45-67-89",
            "+33123456789",
        ] {
            assert_eq!(
                normalize_phone(raw, us).unwrap().as_str(),
                "+33123456789",
                "{raw}"
            );
        }
    }

    #[test]
    fn the_regions_international_prefix_is_understood() {
        assert_eq!(
            normalize_phone("0033 1 23 45 67 89", fr())
                .unwrap()
                .as_str(),
            "+33123456789"
        );
        let us: Region = "US".parse().unwrap();
        assert_eq!(
            normalize_phone("011 44 20 7946 0958", us).unwrap().as_str(),
            "+442079460958"
        );
        assert_eq!(
            normalize_phone("(201) 555-0123", us).unwrap().as_str(),
            "+12015550123"
        );
        assert_eq!(
            normalize_phone("1 201 555 0123", us).unwrap().as_str(),
            "+12015550123"
        );
    }

    #[test]
    fn letters_and_stray_symbols_are_refused_with_the_character() {
        assert_eq!(
            normalize_phone("01 23 45 67 8x", fr()),
            Err(PhoneError::BadCharacter('x'))
        );
        assert_eq!(
            normalize_phone("01+23", fr()),
            Err(PhoneError::BadCharacter('+'))
        );
        assert_eq!(normalize_phone("  ", fr()), Err(PhoneError::Empty));
    }

    #[test]
    fn wrong_lengths_are_invalid() {
        assert!(normalize_phone("01 23 45", fr()).is_err());
        assert!(normalize_phone("01 23 45 67 89 01", fr()).is_err());
        assert!(normalize_phone("12", fr()).is_err());
    }

    #[test]
    fn regions_must_be_known_two_letter_codes() {
        assert!("FRA".parse::<Region>().is_err());
        assert!("ZZ".parse::<Region>().is_err());
        assert!("1A".parse::<Region>().is_err());
        assert_eq!("gb".parse::<Region>().unwrap().to_string(), "GB");
    }

    #[test]
    fn e164_serialises_as_a_plain_string_and_checks_shape_on_load() {
        let n = normalize_phone("01 23 45 67 89", fr()).unwrap();
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(json, "\"+33123456789\"");
        assert_eq!(serde_json::from_str::<E164>(&json).unwrap(), n);
        assert!(serde_json::from_str::<E164>("\"0123\"").is_err());
        assert!(serde_json::from_str::<E164>("\"+12a\"").is_err());
    }

    proptest! {
        #[test]
        fn normalising_twice_gives_the_same_number(raw in "[+]?[0-9 .()-]{0,24}") {
            if let Ok(once) = normalize_phone(&raw, fr()) {
                prop_assert_eq!(normalize_phone(once.as_str(), fr()), Ok(once.clone()));
                let us: Region = "US".parse().unwrap();
                prop_assert_eq!(normalize_phone(once.as_str(), us), Ok(once));
            }
        }

        #[test]
        fn any_text_is_answered_without_panicking(raw in "\\PC{0,50}") {
            let _ = normalize_phone(&raw, fr());
        }
    }
}
