//! `collect`: gather several keys into a variable (an account number, a PIN, a date of birth).
//!
//! ```yaml
//! account:
//!   collect:
//!     prompt: [enter-account]
//!     into: account                   # the variable that receives the keys
//!     min: 8                          # fewest keys accepted; default 1
//!     max: 16                         # the entry ends by itself at this length
//!     terminator: "#"                 # ends the entry early; default "#"
//!     timeout: 5s                     # for the first key, after the prompt; default 5s
//!     inter_digit_timeout: 3s         # between keys; ends the entry; default 3s
//!     validate: luhn                  # or { regex: "^[0-9]{8}$" }
//!     retries: 2                      # default 2
//!     invalid_prompt: [invalid-entry]
//!     no_input_prompt: [no-input]
//!     on_invalid: agent               # every try refused
//!     on_timeout: agent               # every try silent; default: on_invalid
//!   next: check
//! ```
//!
//! A key during the prompt stops it and starts the entry. Keys typed ahead in an earlier
//! barge-in prompt start the entry too.

use std::fmt;
use std::time::Duration;

use regex_lite::{Regex, RegexBuilder};

use crate::action::FlowEvent;
use crate::dtmf;
use crate::error::FlowError;
use crate::fields::Fields;
use crate::flow::Target;
use crate::loader::Loader;
use crate::nodes::menu::{DEFAULT_RETRIES, DEFAULT_TIMEOUT, MAX_RETRIES, TIMEOUT_RANGE};
use crate::nodes::{Behaviour, Input, Step};
use crate::prompt::PromptItem;
use crate::session::Cx;
use crate::template;
use crate::values;
use crate::yaml::{Value, Yaml};

pub(crate) const KIND: &str = "collect";

/// Longest entry a flow may ask for.
pub(crate) const MAX_LENGTH: u32 = 32;
const DEFAULT_INTER_DIGIT: Duration = Duration::from_secs(3);
/// Longest regex source accepted, and the most memory and nesting a compiled one may take:
/// bounds on what compiling an uploaded flow may cost (regex-lite's own default allows 10 MiB
/// per regex). Entries are at most 32 keys, so honest patterns are far below.
const MAX_PATTERN: usize = 256;
const MAX_COMPILED_BYTES: usize = 64 * 1024;
const MAX_NESTING: u32 = 16;

/// Settings of a `collect` node.
#[derive(Debug, Clone, PartialEq)]
pub struct Collect {
    /// Played when asking; a key interrupts it.
    pub prompt: Vec<PromptItem>,
    /// The variable that receives the keys.
    pub into: String,
    /// Fewest keys accepted.
    pub min: usize,
    /// The entry ends at this many keys.
    pub max: usize,
    /// The key that ends the entry early (not kept), if any.
    pub terminator: Option<char>,
    /// Wait for the first key once the prompt has ended.
    pub timeout: Duration,
    /// Wait between keys; running out ends the entry.
    pub inter_digit_timeout: Duration,
    /// Check on the entry.
    pub validation: Validation,
    /// Tries after the first.
    pub retries: u32,
    /// Before asking again after a refused entry.
    pub invalid_prompt: Vec<PromptItem>,
    /// Before asking again after silence.
    pub no_input_prompt: Vec<PromptItem>,
    /// Where the caller goes with a valid entry.
    pub next: Target,
    /// Where the caller goes when every try was refused.
    pub on_invalid: Target,
    /// Where the caller goes when every try was silent.
    pub on_timeout: Target,
}

/// How an entry is checked beyond its length.
#[derive(Debug, Clone, PartialEq)]
pub enum Validation {
    /// Any keys.
    None,
    /// The Luhn checksum of card and many account numbers.
    Luhn,
    /// The whole entry must match.
    Regex(Pattern),
}

/// A compiled regular expression that compares by its source.
#[derive(Clone)]
pub struct Pattern(Regex);

impl Pattern {
    /// The expression as written.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.as_str())
    }
}

impl Collect {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let next = node.require("next", loader.errors());
        let next = loader.target(next, "continues to", true);
        let mut fields = loader.body(KIND, body)?;
        let prompt = fields
            .require("prompt", loader.errors())
            .and_then(|y| loader.prompts(y, "\"prompt\""));
        let into = fields.require("into", loader.errors()).and_then(|y| {
            let what = loader.what("into");
            let name = values::text(y, &what, loader.errors())?;
            if template::is_var_name(name) {
                Some(name.to_owned())
            } else {
                let message = format!("{what} must be a variable name, not \"{name}\"");
                loader.errors().push(FlowError::at(y.pos, message));
                None
            }
        });
        let number = |loader: &mut Loader<'_>, y: Option<&Yaml>, field, default, min| match y {
            Some(y) => {
                values::whole_number(y, &loader.what(field), min..=MAX_LENGTH, loader.errors())
            }
            None => Some(default),
        };
        let max_at = fields.take("max");
        let max = number(loader, max_at, "max", MAX_LENGTH, 1);
        let min_at = fields.take("min");
        let min = number(loader, min_at, "min", 1, 0);
        if let (Some(lo), Some(hi), Some(y)) = (min, max, min_at)
            && lo > hi
        {
            let message = format!("\"min\" ({lo}) is more than \"max\" ({hi})");
            loader.errors().push(FlowError::at(y.pos, message));
        }
        let terminator = match fields.take("terminator") {
            None => Some(Some('#')),
            Some(y) if y.is_null() => Some(None),
            Some(y) => match y.scalar().and_then(dtmf::key) {
                Some(key) => Some(Some(key)),
                None => {
                    let message = format!(
                        "{} must be a phone key ({}), or nothing for none",
                        loader.what("terminator"),
                        dtmf::KEYS_TEXT
                    );
                    loader.errors().push(FlowError::at(y.pos, message));
                    None
                }
            },
        };
        let duration = |loader: &mut Loader<'_>, y: Option<&Yaml>, field, default| match y {
            Some(y) => values::duration(y, &loader.what(field), TIMEOUT_RANGE, loader.errors()),
            None => Some(default),
        };
        let timeout_at = fields.take("timeout");
        let timeout = duration(loader, timeout_at, "timeout", DEFAULT_TIMEOUT);
        let inter_at = fields.take("inter_digit_timeout");
        let inter_digit_timeout =
            duration(loader, inter_at, "inter_digit_timeout", DEFAULT_INTER_DIGIT);
        let validation = match fields.take("validate") {
            Some(y) => validation(loader, y),
            None => Some(Validation::None),
        };
        let retries = match fields.take("retries") {
            Some(y) => {
                values::whole_number(y, &loader.what("retries"), 0..=MAX_RETRIES, loader.errors())
            }
            None => Some(DEFAULT_RETRIES),
        };
        let invalid_at = fields.take("invalid_prompt");
        let invalid_prompt = loader.optional_prompts(invalid_at, "\"invalid_prompt\"");
        let no_input_at = fields.take("no_input_prompt");
        let no_input_prompt = loader.optional_prompts(no_input_at, "\"no_input_prompt\"");
        let on_invalid = fields.require("on_invalid", loader.errors());
        let on_invalid = loader.target(on_invalid, "sends refused entries to", true);
        let on_timeout = match fields.take("on_timeout") {
            Some(y) => loader.target(Some(y), "sends silent callers to", false),
            None => {
                // Silence then takes the invalid branch: an edge without input.
                if let Some(t) = &on_invalid {
                    loader.edge(t.dest, false);
                }
                on_invalid.clone()
            }
        };
        fields.finish(loader.errors());
        Some(Collect {
            prompt: prompt?,
            into: into?,
            min: usize::try_from(min?).ok()?,
            max: usize::try_from(max?).ok()?,
            terminator: terminator?,
            timeout: timeout?,
            inter_digit_timeout: inter_digit_timeout?,
            validation: validation?,
            retries: retries?,
            invalid_prompt: invalid_prompt?,
            no_input_prompt: no_input_prompt?,
            next: next?,
            on_invalid: on_invalid?,
            on_timeout: on_timeout?,
        })
    }
}

fn validation(loader: &mut Loader<'_>, y: &Yaml) -> Option<Validation> {
    let what = loader.what("validate");
    if let Value::Mapping(_) = &y.value {
        let mut fields = Fields::read(y, what.clone(), y.pos, loader.errors())?;
        let source = fields.require("regex", loader.errors());
        fields.finish(loader.errors());
        let source = values::text(source?, &what, loader.errors());
        let source = source?;
        if source.len() > MAX_PATTERN {
            let message = format!("{what}: the regex is longer than {MAX_PATTERN} characters");
            loader.errors().push(FlowError::at(y.pos, message));
            return None;
        }
        // Anchored so the whole entry must match, as an administrator expects.
        let anchored = format!("^(?:{source})$");
        let compiled = RegexBuilder::new(&anchored)
            .size_limit(MAX_COMPILED_BYTES)
            .nest_limit(MAX_NESTING)
            .build();
        return match compiled {
            Ok(regex) => Some(Validation::Regex(Pattern(regex))),
            Err(e) => {
                let message = format!("{what}: the regex does not compile: {e}");
                loader.errors().push(FlowError::at(y.pos, message));
                None
            }
        };
    }
    match y.scalar().map(str::trim) {
        Some("luhn") => Some(Validation::Luhn),
        Some("none") => Some(Validation::None),
        _ => {
            let message = format!("{what} must be luhn, none, or {{ regex: \"...\" }}");
            loader.errors().push(FlowError::at(y.pos, message));
            None
        }
    }
}

/// Whether `digits` passes the Luhn checksum (ISO/IEC 7812-1).
pub(crate) fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(d) = c.to_digit(10) else {
            return false;
        };
        sum += if i % 2 == 1 {
            let doubled = d * 2;
            if doubled > 9 { doubled - 9 } else { doubled }
        } else {
            d
        };
    }
    !digits.is_empty() && sum % 10 == 0
}

impl Validation {
    fn accepts(&self, entry: &str) -> bool {
        match self {
            Validation::None => true,
            Validation::Luhn => luhn(entry),
            Validation::Regex(p) => p.0.is_match(entry),
        }
    }
}

impl Collect {
    fn ask(&self, cx: &mut Cx<'_>, before: &[PromptItem]) -> Step {
        cx.entry().clear();
        if !cx.play_items(&[before, &self.prompt], true) {
            cx.wait_for_input(self.timeout);
        }
        Step::Wait
    }

    fn key(&self, cx: &mut Cx<'_>, digit: char) -> Step {
        if Some(digit) == self.terminator {
            return self.complete(cx);
        }
        cx.entry().push(digit);
        if cx.entry().chars().count() >= self.max {
            return self.complete(cx);
        }
        cx.wait_for_input(self.inter_digit_timeout);
        Step::Wait
    }

    fn complete(&self, cx: &mut Cx<'_>) -> Step {
        let entry = std::mem::take(cx.entry());
        if entry.chars().count() >= self.min && self.validation.accepts(&entry) {
            cx.set_var(&self.into, entry);
            return Step::Go(self.next.dest);
        }
        cx.log(FlowEvent::InvalidEntry {
            node: cx.node_name(),
        });
        cx.clear_type_ahead();
        self.retry(cx, &self.invalid_prompt, &self.on_invalid)
    }

    fn retry(&self, cx: &mut Cx<'_>, before: &[PromptItem], failure: &Target) -> Step {
        let attempt = cx.attempt() + 1;
        cx.set_attempt(attempt);
        if attempt > self.retries {
            return Step::Go(failure.dest);
        }
        self.ask(cx, before)
    }
}

impl Behaviour for Collect {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        if !cx.has_type_ahead() {
            return self.ask(cx, &[]);
        }
        while let Some(digit) = cx.take_type_ahead() {
            let step = self.key(cx, digit);
            if step != Step::Wait {
                return step;
            }
        }
        Step::Wait
    }

    fn handle(&self, cx: &mut Cx<'_>, input: Input<'_>) -> Step {
        match input {
            Input::PromptFinished if cx.entry().is_empty() => {
                cx.wait_for_input(self.timeout);
                Step::Wait
            }
            Input::Digit(digit) => self.key(cx, digit),
            Input::Timeout if cx.entry().is_empty() => {
                cx.log(FlowEvent::NoInput {
                    node: cx.node_name(),
                });
                self.retry(cx, &self.no_input_prompt, &self.on_timeout)
            }
            Input::Timeout => self.complete(cx),
            _ => Step::Wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::luhn;

    #[test]
    fn luhn_accepts_valid_numbers() {
        assert!(luhn("79927398713"));
        assert!(luhn("4539578763621486"));
    }

    #[test]
    fn luhn_refuses_a_changed_digit_and_non_digits() {
        assert!(!luhn("79927398710"));
        assert!(!luhn("7992739871x"));
        assert!(!luhn(""));
    }
}
