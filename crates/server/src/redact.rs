//! Personal data masked in logs by type: a phone number, a person's name or a recording's path
//! is wrapped in [`Redacted`] wherever it meets `tracing`, and only the masked form is ever
//! formatted (`Display` and `Debug` alike).
//!
//! ```
//! use plateau::redact;
//! let caller = "+33612345678";
//! tracing::info!(caller = %redact::phone(caller), "call arrived");
//! assert_eq!(redact::phone(caller).to_string(), "***78");
//! ```
//!
//! The masks keep what an operator needs to tell two entries apart without identifying anyone:
//! the last two digits of a number, the initial of a name, the extension of a file. Lengths are
//! not kept.

use std::fmt;
use std::path::Path;

/// A value that is formatted masked.
pub struct Redacted<T>(T);

/// How a kind of personal data is masked.
pub trait Redact {
    /// Writes the masked form.
    fn write_masked(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

/// A phone number (or any address a caller gave: a SIP user part).
pub struct Phone<'a>(&'a str);
/// A person's name.
pub struct Name<'a>(&'a str);
/// A file path that reveals who or what (a recording).
pub struct FilePath<'a>(&'a Path);

/// Masks a phone number: `***78`.
pub fn phone(number: &str) -> Redacted<Phone<'_>> {
    Redacted(Phone(number))
}

/// Masks a name: `A***`.
pub fn name(name: &str) -> Redacted<Name<'_>> {
    Redacted(Name(name))
}

/// Masks a path: `***.wav`.
pub fn path(path: &Path) -> Redacted<FilePath<'_>> {
    Redacted(FilePath(path))
}

impl Redact for Phone<'_> {
    fn write_masked(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits: Vec<char> = self.0.chars().filter(char::is_ascii_digit).collect();
        // A number too short to keep two digits of is masked whole.
        match digits.as_slice() {
            [.., a, b] if digits.len() > 4 => write!(f, "***{a}{b}"),
            _ => f.write_str("***"),
        }
    }
}

impl Redact for Name<'_> {
    fn write_masked(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.chars().find(|c| c.is_alphanumeric()) {
            Some(initial) => write!(f, "{initial}***"),
            None => f.write_str("***"),
        }
    }
}

impl Redact for FilePath<'_> {
    fn write_masked(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let extension = self.0.extension().and_then(|e| e.to_str());
        match extension {
            Some(ext) if ext.len() <= 5 && ext.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                write!(f, "***.{ext}")
            }
            _ => f.write_str("***"),
        }
    }
}

impl<T: Redact> fmt::Display for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_masked(f)
    }
}

impl<T: Redact> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_masked(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_only_their_last_two_digits() {
        assert_eq!(phone("+33612345678").to_string(), "***78");
        assert_eq!(format!("{:?}", phone("sip:0612345678@x")), "***78");
    }

    #[test]
    fn short_numbers_are_masked_whole() {
        assert_eq!(phone("1001").to_string(), "***");
        assert_eq!(phone("anonymous").to_string(), "***");
    }

    #[test]
    fn names_keep_their_initial() {
        assert_eq!(name("Chloé Durand").to_string(), "C***");
        assert_eq!(name("").to_string(), "***");
    }

    #[test]
    fn paths_keep_their_extension() {
        let p = Path::new("recordings/1/2026/01/02/0123.wav");
        assert_eq!(path(p).to_string(), "***.wav");
        assert_eq!(path(Path::new("/etc/secret")).to_string(), "***");
    }
}
