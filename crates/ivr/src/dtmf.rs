//! The keys of a phone keypad as DTMF sends them (RFC 4733 events 0–15).

/// Keys in the order a keypad lists them, for messages.
pub(crate) const KEYS_TEXT: &str = "0-9, *, #, A-D";

/// The key `c` stands for, upper-casing a–d; `None` if it is not a key.
pub fn normalize(c: char) -> Option<char> {
    let c = c.to_ascii_uppercase();
    matches!(c, '0'..='9' | '*' | '#' | 'A'..='D').then_some(c)
}

/// The key written as `text` in a flow file: exactly one key character.
pub(crate) fn key(text: &str) -> Option<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if !c.is_ascii_lowercase() => normalize(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keypad_keys_are_keys() {
        for c in "0123456789*#ABCD".chars() {
            assert_eq!(key(&c.to_string()), Some(c));
        }
    }

    #[test]
    fn other_text_is_not_a_key() {
        for text in ["", "10", "E", "a", " 1", "x"] {
            assert_eq!(key(text), None, "{text:?}");
        }
    }

    #[test]
    fn received_lowercase_letters_are_normalized() {
        assert_eq!(normalize('d'), Some('D'));
        assert_eq!(normalize('e'), None);
    }
}
