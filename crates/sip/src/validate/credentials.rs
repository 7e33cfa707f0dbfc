//! Whether a request carries credentials the server can verify, or must be challenged
//! (RFC 3261 §22.3; RFC 4475 §3.3.7: an unknown scheme earns a fresh challenge). Parsing and
//! checking the credentials themselves is [`crate::auth`]'s work.

use crate::header_name::HeaderName;
use crate::headers::Headers;

/// What to do about a request's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsCheck<'a> {
    /// No credentials in a known scheme: answer 401/407 with a challenge.
    Challenge,
    /// Verify this header value (the first one in a known scheme).
    Verify(&'a str),
}

/// Looks at `header` (Authorization, or Proxy-Authorization at a proxy) for a value whose
/// scheme is one of `schemes` (compared without case, e.g. `["Digest"]`).
pub fn check_credentials<'a>(
    headers: &'a Headers,
    header: &HeaderName,
    schemes: &[&str],
) -> CredentialsCheck<'a> {
    headers
        .get_all(header)
        .filter_map(|v| v.to_str())
        .find(|v| {
            let scheme = v.split([' ', '\t']).next().unwrap_or_default();
            schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme))
        })
        .map_or(CredentialsCheck::Challenge, CredentialsCheck::Verify)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_scheme_is_challenged_known_is_verified() {
        let mut h = Headers::new();
        h.push(
            HeaderName::Authorization,
            "NoOneKnowsThisScheme opaque-data=here",
        );
        assert_eq!(
            check_credentials(&h, &HeaderName::Authorization, &["Digest"]),
            CredentialsCheck::Challenge
        );
        h.push(HeaderName::Authorization, "digest username=\"a\"");
        assert_eq!(
            check_credentials(&h, &HeaderName::Authorization, &["Digest"]),
            CredentialsCheck::Verify("digest username=\"a\"")
        );
    }

    #[test]
    fn no_credentials_is_challenged() {
        assert_eq!(
            check_credentials(&Headers::new(), &HeaderName::Authorization, &["Digest"]),
            CredentialsCheck::Challenge
        );
    }
}
