//! Pages of lists. Lists are keyset-paginated: a page holds at most `limit` rows and names the
//! cursor of the next one (`next`), which the client passes back (`before` for lists newest
//! first, `after` for lists by id); `next` is `null` on the last page. Cursors are row ids, so
//! a row added meanwhile neither repeats nor hides another.

use super::error::ApiError;

/// Rows per page when the client does not say.
pub const DEFAULT_LIMIT: u32 = 50;

/// `limit` checked against `1..=max`, [`DEFAULT_LIMIT`] (or `max`, if smaller) when absent.
pub fn limit(given: Option<u32>, max: u32) -> Result<u32, ApiError> {
    match given {
        None => Ok(DEFAULT_LIMIT.min(max)),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {max}"
        ))),
    }
}

/// Text that must be 1 to `max` characters, none of them control characters, once trimmed.
pub fn text(what: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max || trimmed.chars().any(char::is_control)
    {
        return Err(ApiError::BadRequest(format!(
            "{what} must be 1 to {max} printable characters"
        )));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_the_range_are_refused() {
        assert_eq!(limit(None, 500).unwrap(), DEFAULT_LIMIT);
        assert_eq!(limit(None, 20).unwrap(), 20);
        assert_eq!(limit(Some(7), 500).unwrap(), 7);
        assert!(limit(Some(0), 500).is_err());
        assert!(limit(Some(501), 500).is_err());
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(text("name", "  Ada ", 10).unwrap(), "Ada");
        assert!(text("name", "   ", 10).is_err());
        assert!(text("name", "a\u{7}b", 10).is_err());
        assert!(text("name", &"x".repeat(11), 10).is_err());
    }
}
