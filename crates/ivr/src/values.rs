//! Reading scalar values: names, durations, whole numbers, yes/no flags.
//!
//! Each reader reports a problem at the value's position and returns `None`; `what` names the
//! value in messages, such as `"timeout" of node "main"`.

use std::ops::RangeInclusive;
use std::time::Duration;

use crate::error::{FlowError, Position};
use crate::expr::Expr;
use crate::template::Template;
use crate::yaml::{Value, Yaml};

/// A non-empty single value.
pub(crate) fn text<'y>(y: &'y Yaml, what: &str, errors: &mut Vec<FlowError>) -> Option<&'y str> {
    match y.scalar() {
        Some(text) if !y.is_null() && !text.trim().is_empty() => Some(text),
        _ => {
            errors.push(FlowError::at(
                y.pos,
                format!("{what} must be a name, not {}", y.shape()),
            ));
            None
        }
    }
}

/// Where the character `offset` of a scalar's text is in the file. Exact for text on one line
/// (plain or quoted); for block scalars it points into the first line.
pub(crate) fn position_in(y: &Yaml, offset: usize) -> Position {
    let quoted = matches!(&y.value, Value::Scalar { plain: false, .. });
    Position {
        line: y.pos.line,
        column: y.pos.column + offset + usize::from(quoted),
    }
}

/// Text with `${variable}` holes.
pub(crate) fn template(y: &Yaml, what: &str, errors: &mut Vec<FlowError>) -> Option<Template> {
    let text = match y.scalar() {
        Some(text) if !y.is_null() => text,
        _ => {
            errors.push(FlowError::at(
                y.pos,
                format!("{what} must be a text, not {}", y.shape()),
            ));
            return None;
        }
    };
    match Template::parse(text) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(FlowError::at(
                position_in(y, e.offset),
                format!("{what}: {}", e.message),
            ));
            None
        }
    }
}

/// A condition (see [`crate::expr`]); errors point at the offending character.
pub(crate) fn condition(y: &Yaml, what: &str, errors: &mut Vec<FlowError>) -> Option<Expr> {
    let text = text(y, what, errors)?;
    match Expr::parse(text) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.push(FlowError::at(
                position_in(y, e.offset),
                format!("{what}: {}", e.message),
            ));
            None
        }
    }
}

/// A duration written with its unit: `500ms`, `5s`, `2m`.
pub(crate) fn duration(
    y: &Yaml,
    what: &str,
    range: RangeInclusive<Duration>,
    errors: &mut Vec<FlowError>,
) -> Option<Duration> {
    let Some(value) = y.scalar().and_then(parse_duration) else {
        errors.push(FlowError::at(
            y.pos,
            format!("{what} must be a duration such as 5s or 1500ms"),
        ));
        return None;
    };
    if !range.contains(&value) {
        errors.push(FlowError::at(
            y.pos,
            format!(
                "{what} must be between {} and {}, not {}",
                show_duration(*range.start()),
                show_duration(*range.end()),
                show_duration(value)
            ),
        ));
        return None;
    }
    Some(value)
}

fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    let amount: u64 = digits.parse().ok()?;
    match unit.trim() {
        "ms" => Some(Duration::from_millis(amount)),
        "s" => Some(Duration::from_secs(amount)),
        "m" | "min" => amount.checked_mul(60).map(Duration::from_secs),
        _ => None,
    }
}

/// How to write `d` in a flow file, in the units administrators think of timeouts in.
pub(crate) fn show_duration(d: Duration) -> String {
    if d.subsec_millis() != 0 || d.as_secs() == 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs())
    }
}

/// A whole number within `range`.
pub(crate) fn whole_number(
    y: &Yaml,
    what: &str,
    range: RangeInclusive<u32>,
    errors: &mut Vec<FlowError>,
) -> Option<u32> {
    let value = y.scalar().and_then(|t| t.trim().parse::<u32>().ok());
    match value {
        Some(v) if range.contains(&v) => Some(v),
        _ => {
            let written = y.scalar().map(|t| format!(", not {t}")).unwrap_or_default();
            errors.push(FlowError::at(
                y.pos,
                format!(
                    "{what} must be a whole number from {} to {}{written}",
                    range.start(),
                    range.end()
                ),
            ));
            None
        }
    }
}

/// `true` or `false`.
pub(crate) fn flag(y: &Yaml, what: &str, errors: &mut Vec<FlowError>) -> Option<bool> {
    match y.scalar().map(str::trim) {
        Some("true" | "True" | "TRUE") => Some(true),
        Some("false" | "False" | "FALSE") => Some(false),
        _ => {
            errors.push(FlowError::at(
                y.pos,
                format!("{what} must be true or false"),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(parse_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_duration("1500ms"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration("99999999999999999999s"), None);
    }

    #[test]
    fn durations_show_in_seconds_or_milliseconds() {
        assert_eq!(show_duration(Duration::from_secs(60)), "60s");
        assert_eq!(show_duration(Duration::from_secs(5)), "5s");
        assert_eq!(show_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(show_duration(Duration::ZERO), "0ms");
    }
}
