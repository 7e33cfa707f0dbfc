//! Prompts: what a node asks the media layer to play.

use std::fmt;
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::error::FlowError;
use crate::values;
use crate::yaml::{Value, Yaml};

/// One item to play. The server looks a recorded prompt up by name in the call's language.
///
/// Later kinds of item (text to speech, saying a number, a date) become further variants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Prompt {
    /// A recorded prompt, by name (`welcome`, `menu`).
    Recorded(Arc<str>),
}

impl fmt::Display for Prompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Prompt::Recorded(name) => f.write_str(name),
        }
    }
}

/// A prompt list: one name or a list of names, each known to the catalog in `language`.
///
/// A prompt the catalog does not know is reported but kept, so the rest of the flow is still
/// checked.
pub(crate) fn read_list(
    y: &Yaml,
    what: &str,
    language: &str,
    catalog: &dyn Catalog,
    errors: &mut Vec<FlowError>,
) -> Option<Vec<Prompt>> {
    let items: Vec<&Yaml> = match &y.value {
        Value::Sequence(items) => items.iter().collect(),
        Value::Scalar { .. } if !y.is_null() => vec![y],
        _ => Vec::new(),
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
        let Some(name) = values::text(item, &format!("each prompt of {what}"), errors) else {
            complete = false;
            continue;
        };
        if !catalog.has_prompt(language, name) {
            errors.push(FlowError::at(
                item.pos,
                format!("prompt \"{name}\" is not recorded in language \"{language}\""),
            ));
        }
        prompts.push(Prompt::Recorded(name.into()));
    }
    complete.then_some(prompts)
}
