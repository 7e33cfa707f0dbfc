//! Prompts: what a node asks the media layer to play.
//!
//! A node holds [`PromptItem`]s as written in the flow; when it plays them, variables are filled
//! in and each becomes a [`Prompt`] in the [`crate::Action::Play`] the server performs.

use std::fmt;
use std::sync::Arc;

use crate::civil_time::Date;
use crate::error::{FlowError, Position};
use crate::fields;
use crate::session::Vars;
use crate::template::Template;
use crate::values;
use crate::yaml::{Value, Yaml};

/// One item to play, ready for the media layer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Prompt {
    /// A recorded prompt, by name (`welcome`, `menu`), looked up in the call's language.
    Recorded(Arc<str>),
    /// Text to speak with a speech synthesizer, variables filled in.
    Text(Arc<str>),
    /// A number said as a quantity ("one thousand five hundred"): `media::say::number`.
    Number(u32),
    /// A string of digits said one by one: `media::say::digits`.
    Digits(Arc<str>),
    /// A calendar date.
    Date(Date),
}

impl fmt::Display for Prompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Prompt::Recorded(name) => f.write_str(name),
            Prompt::Text(text) => write!(f, "tts \"{text}\""),
            Prompt::Number(n) => write!(f, "number {n}"),
            Prompt::Digits(d) => write!(f, "digits {d}"),
            Prompt::Date(d) => write!(f, "date {d}"),
        }
    }
}

/// One item of a prompt list as written in a flow file.
///
/// ```yaml
/// prompt: [balance-is, { number: "${balance}" }, euros, { tts: "Thank you ${name}" }]
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptItem {
    /// A recorded prompt's name.
    Recorded(Arc<str>),
    /// `{ tts: "..." }`: text to synthesize.
    Text(Template),
    /// `{ number: "${n}" }`: a whole number from 0 to 4,294,967,295.
    Number(Template),
    /// `{ digits: "${account}" }`: digits said one by one.
    Digits(Template),
    /// `{ date: "${due}" }`: a date written `YYYY-MM-DD`.
    Date(Template),
}

/// Keys of the items that say something other than a recorded prompt.
const SAY_KINDS: &[&str] = &["tts", "number", "digits", "date"];

impl PromptItem {
    /// The prompt to play with the call's variables, or `None` when the value cannot be said
    /// (a `number` that is not a number, an empty text).
    pub fn resolve(&self, vars: &Vars) -> Option<Prompt> {
        match self {
            PromptItem::Recorded(name) => Some(Prompt::Recorded(Arc::clone(name))),
            PromptItem::Text(t) => {
                let text = t.render(vars);
                (!text.trim().is_empty()).then(|| Prompt::Text(text.into()))
            }
            PromptItem::Number(t) => t.render(vars).trim().parse().ok().map(Prompt::Number),
            PromptItem::Digits(t) => {
                let text = t.render(vars);
                let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                let sayable = !digits.is_empty()
                    && digits
                        .chars()
                        .all(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | '+'));
                sayable.then(|| Prompt::Digits(digits.into()))
            }
            PromptItem::Date(t) => Date::parse(&t.render(vars)).map(Prompt::Date),
        }
    }
}

/// A prompt list: one item or a list of items. Recorded names are pushed to `recorded` with
/// their position, for the loader to check against the catalog in every language the flow
/// may speak.
pub(crate) fn read_list(
    y: &Yaml,
    what: &str,
    errors: &mut Vec<FlowError>,
    recorded: &mut Vec<(Arc<str>, Position)>,
) -> Option<Vec<PromptItem>> {
    let items: Vec<&Yaml> = match &y.value {
        Value::Sequence(items) => items.iter().collect(),
        Value::Mapping(_) => vec![y],
        Value::Scalar { .. } if !y.is_null() => vec![y],
        Value::Scalar { .. } => Vec::new(),
    };
    if items.is_empty() {
        errors.push(FlowError::at(
            y.pos,
            format!("{what} must name at least one prompt"),
        ));
        return None;
    }
    let mut prompts = Vec::with_capacity(items.len());
    let mut complete = true;
    for item in items {
        match read_item(item, what, errors, recorded) {
            Some(p) => prompts.push(p),
            None => complete = false,
        }
    }
    complete.then_some(prompts)
}

fn read_item(
    item: &Yaml,
    what: &str,
    errors: &mut Vec<FlowError>,
    recorded: &mut Vec<(Arc<str>, Position)>,
) -> Option<PromptItem> {
    if !matches!(item.value, Value::Mapping(_)) {
        let name: Arc<str> = values::text(item, &format!("each prompt of {what}"), errors)?.into();
        recorded.push((Arc::clone(&name), item.pos));
        return Some(PromptItem::Recorded(name));
    }
    let entries = fields::entries(item, "field", what, errors)?;
    let [entry] = entries.as_slice() else {
        errors.push(FlowError::at(
            item.pos,
            format!(
                "a prompt of {what} written as a mapping must have exactly one of: {}",
                SAY_KINDS.join(", ")
            ),
        ));
        return None;
    };
    let template = values::template(
        entry.value,
        &format!("\"{}\" in {what}", entry.name),
        errors,
    );
    match entry.name {
        "tts" => template.map(PromptItem::Text),
        "number" => template.map(PromptItem::Number),
        "digits" => template.map(PromptItem::Digits),
        "date" => template.map(PromptItem::Date),
        other => {
            errors.push(FlowError::at(
                entry.key.pos,
                format!(
                    "unknown prompt kind \"{other}\" in {what}{}; use a recorded prompt's name or one of: {}",
                    crate::suggest::hint(other, SAY_KINDS.iter().copied()),
                    SAY_KINDS.join(", ")
                ),
            ));
            None
        }
    }
}
