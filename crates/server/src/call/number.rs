//! The number a caller dialled, in the E.164 form numbers are stored in.
//!
//! Carriers and PBXs write the same number several ways: `+33100000000`, `0033100000000`
//! (international prefix 00), `33100000000` (no prefix at all), with visual separators
//! (`+33 1 00-00-00-00`, `tel:+33-1-00-00-00-00`). All of these become `+33100000000`: visual
//! separators are dropped, a leading `00` is read as `+`, and a number without `+` is taken
//! as international. National forms (`0100000000`) cannot be told from the country alone and
//! are not rewritten (they find no number, and the call is answered 404).

/// The E.164 form of a dialled user part or tel number, `None` when it is not a number.
pub(crate) fn normalize(dialled: &str) -> Option<String> {
    let mut digits = String::with_capacity(dialled.len() + 1);
    let mut plus = false;
    for (i, c) in dialled.chars().enumerate() {
        match c {
            '+' if i == 0 => plus = true,
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let international = if plus {
        digits.as_str()
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest
    } else {
        digits.as_str()
    };
    if international.is_empty() || international.len() > 15 || international.starts_with('0') {
        return None;
    }
    Some(format!("+{international}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_spellings_of_a_number_meet() {
        for dialled in [
            "+33100000000",
            "0033100000000",
            "33100000000",
            "+33 1 00-00-00-00",
            "+33.1.(00)000000",
        ] {
            assert_eq!(
                normalize(dialled).as_deref(),
                Some("+33100000000"),
                "{dialled}"
            );
        }
    }

    #[test]
    fn what_is_not_a_number_is_refused() {
        for dialled in [
            "",
            "+",
            "alice",
            "+33a",
            "0100000000",
            "+1234567890123456",
            "1+2",
        ] {
            assert_eq!(normalize(dialled), None, "{dialled}");
        }
    }
}
