//! Reading yes/no answers and numbers typed by people, shared by CSV imports, custom fields
//! and script answers so the three accept the same spellings; and quoting refused text in
//! error messages.

/// Reads a yes/no answer: `yes y true 1 oui x` or `no n false 0 non`, any case. `x` is a
/// ticked box in a spreadsheet.
pub(crate) fn yes_no(text: &str) -> Option<bool> {
    const YES: [&str; 6] = ["yes", "y", "true", "1", "oui", "x"];
    const NO: [&str; 5] = ["no", "n", "false", "0", "non"];
    let text = text.trim();
    if YES.iter().any(|w| w.eq_ignore_ascii_case(text)) {
        Some(true)
    } else if NO.iter().any(|w| w.eq_ignore_ascii_case(text)) {
        Some(false)
    } else {
        None
    }
}

/// Reads a finite decimal number; a lone comma is taken as the decimal mark, as in much of
/// Europe's spreadsheets. `inf` and `NaN` are refused.
pub(crate) fn finite_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let owned;
    let text = if text.contains(',') && !text.contains('.') {
        owned = text.replacen(',', ".", 1);
        owned.as_str()
    } else {
        text
    };
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Quotes a refused value for an error message, cut short so a huge cell stays readable.
pub(crate) fn shown(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head:?}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_and_no_have_several_spellings() {
        for yes in ["YES", "y", "True", "1", "oui", "x"] {
            assert_eq!(yes_no(yes), Some(true), "{yes}");
        }
        for no in ["no", "N", "false", "0", "Non"] {
            assert_eq!(yes_no(no), Some(false), "{no}");
        }
        assert_eq!(yes_no("maybe"), None);
    }

    #[test]
    fn numbers_accept_a_decimal_comma_but_not_infinities() {
        assert_eq!(finite_number(" 3,5 "), Some(3.5));
        assert_eq!(finite_number("-1e3"), Some(-1000.0));
        assert_eq!(finite_number("1,000.5"), None);
        assert_eq!(finite_number("inf"), None);
        assert_eq!(finite_number("NaN"), None);
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        assert_eq!(shown("abc"), "\"abc\"");
        assert!(shown(&"x".repeat(100)).ends_with('…'));
    }
}
