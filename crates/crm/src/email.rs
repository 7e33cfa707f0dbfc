//! Email addresses: trimmed, domain lower-cased, shape checked. Not a full RFC 5322 parser:
//! the aim is to catch typos in imports and forms, and to compare addresses reliably (the
//! local part stays as typed because some servers treat it case-sensitively).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why text is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing but spaces.
    #[error("empty email address")]
    Empty,
    /// No `@`, or nothing before or after it.
    #[error("email address needs a name, an @ and a domain")]
    MissingParts,
    /// Spaces, control characters or a second `@`.
    #[error("unexpected character {0:?} in email address")]
    BadCharacter(char),
    /// The domain has no dot, an empty label or a label starting or ending with `-`.
    #[error("email domain is not a domain name")]
    BadDomain,
    /// Over 254 bytes in all, or a local part over 64 bytes.
    #[error("email address too long")]
    TooLong,
}

/// A checked email address with a lower-case domain.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Checks and normalises `raw` (see the module doc).
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(EmailError::Empty);
        }
        if text.len() > 254 {
            return Err(EmailError::TooLong);
        }
        if let Some(c) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::BadCharacter(c));
        }
        let (local, domain) = text.rsplit_once('@').ok_or(EmailError::MissingParts)?;
        if local.is_empty() || domain.is_empty() {
            return Err(EmailError::MissingParts);
        }
        if local.contains('@') {
            return Err(EmailError::BadCharacter('@'));
        }
        if local.len() > 64 {
            return Err(EmailError::TooLong);
        }
        let domain = domain.to_lowercase();
        let label_ok = |label: &str| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        if !domain.contains('.') || !domain.split('.').all(label_ok) {
            return Err(EmailError::BadDomain);
        }
        Ok(Email(format!("{local}@{domain}")))
    }

    /// The address, like `"Ada@example.com"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_is_lowercased_and_local_part_kept() {
        let e = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "Ada.Lovelace@example.com");
    }

    #[test]
    fn addresses_without_both_parts_are_refused() {
        assert_eq!(Email::parse("ada"), Err(EmailError::MissingParts));
        assert_eq!(Email::parse("@example.com"), Err(EmailError::MissingParts));
        assert_eq!(Email::parse("ada@"), Err(EmailError::MissingParts));
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
    }

    #[test]
    fn domains_need_a_dot_and_clean_labels() {
        for raw in [
            "a@localhost",
            "a@example..com",
            "a@-x.com",
            "a@x_y.com",
            "a@.com",
        ] {
            assert_eq!(Email::parse(raw), Err(EmailError::BadDomain), "{raw}");
        }
    }

    #[test]
    fn spaces_and_second_at_signs_are_refused() {
        assert_eq!(
            Email::parse("a b@x.com"),
            Err(EmailError::BadCharacter(' '))
        );
        assert_eq!(
            Email::parse("a@b@x.com"),
            Err(EmailError::BadCharacter('@'))
        );
    }

    #[test]
    fn loading_normalises_like_parsing() {
        let e: Email = serde_json::from_str("\"x@EXAMPLE.org\"").unwrap();
        assert_eq!(e.as_str(), "x@example.org");
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }
}
