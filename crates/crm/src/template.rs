//! Text with `{customer.first_name}`-style placeholders, filled from a map of variables.
//!
//! A placeholder is `{` a name of letters, digits, `_` and `.` `}`. An unknown name stays
//! visible as `{?customer.first_name}`, so the agent sees that something is missing instead of
//! reading a sentence with a hole. `{{` and `}}` write literal braces; any other `{` is kept as
//! written.

use std::collections::BTreeMap;

/// Fills `text`'s placeholders from `vars`.
pub fn render_template(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['{', '}']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push('{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push('}');
            rest = after;
        } else if let Some((name, after)) = placeholder(tail) {
            match vars.get(name) {
                Some(value) => out.push_str(value),
                None => {
                    out.push_str("{?");
                    out.push_str(name);
                    out.push('}');
                }
            }
            rest = after;
        } else {
            // A lone brace: keep it. Braces are ASCII, so the slice is on a char boundary.
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// `{name}` at the start of `text`: the name and what follows the `}`.
fn placeholder(text: &str) -> Option<(&str, &str)> {
    let body = text.strip_prefix('{')?;
    let end = body.find('}')?;
    let name = &body[..end];
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    valid.then(|| (name, &body[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vars() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("customer.first_name".to_owned(), "Ada".to_owned()),
            ("call.number".to_owned(), "+33123456789".to_owned()),
        ])
    }

    #[test]
    fn known_variables_are_substituted() {
        let text = "Hello {customer.first_name}, you called from {call.number}.";
        assert_eq!(
            render_template(text, &vars()),
            "Hello Ada, you called from +33123456789."
        );
    }

    #[test]
    fn unknown_variables_stay_visible() {
        assert_eq!(
            render_template("Plan: {customer.plan}", &vars()),
            "Plan: {?customer.plan}"
        );
    }

    #[test]
    fn doubled_and_stray_braces_are_literal() {
        assert_eq!(
            render_template("{{x}} { y } {} }", &vars()),
            "{x} { y } {} }"
        );
        assert_eq!(render_template("é{", &vars()), "é{");
    }

    proptest! {
        #[test]
        fn text_without_braces_is_unchanged(text in "[^{}]*") {
            prop_assert_eq!(render_template(&text, &vars()), text);
        }

        #[test]
        fn any_text_renders_without_panicking(text in "\\PC*") {
            let _ = render_template(&text, &vars());
        }
    }
}
