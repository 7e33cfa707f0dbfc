//! `http`: ask a web service (a CRM lookup, a balance) and keep fields of its JSON answer in
//! variables. Sans-IO: the node emits [`crate::Action::HttpRequest`] and waits for
//! [`crate::Event::HttpResponse`] or [`crate::Event::HttpFailed`]; it gives up by itself after
//! `timeout`.
//!
//! ```yaml
//! lookup:
//!   http:
//!     method: POST                    # GET (default), POST or PUT
//!     url: "https://crm.example/api/lookup?phone=${caller_number}"
//!     body: { phone: "${caller_number}", line: "${called_number}" }   # a JSON object of texts
//!     timeout: 3s                     # default 3s, 100ms to 30s
//!     map: { customer_name: name, vip: account.vip }   # variable: field path in the answer
//!     on_failure: main                # error, timeout, status not 2xx, or not JSON
//!   next: greet
//! ```
//!
//! A path names nested fields with dots; a number picks an array item (`orders.0.id`). Texts
//! are kept as they are, numbers and booleans as written, objects and arrays as JSON; a field
//! the answer lacks leaves its variable unset.

use std::time::Duration;

use serde_json::Value as Json;

use crate::action::{Action, FlowEvent, HttpMethod};
use crate::error::FlowError;
use crate::fields::{self, Fields};
use crate::flow::Target;
use crate::loader::Loader;
use crate::nodes::{Behaviour, Input, Step};
use crate::session::Cx;
use crate::template::{self, Template};
use crate::values;
use crate::yaml::Yaml;

pub(crate) const KIND: &str = "http";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
const TIMEOUT_RANGE: std::ops::RangeInclusive<Duration> =
    Duration::from_millis(100)..=Duration::from_secs(30);

/// Settings of an `http` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Http {
    /// The method.
    pub method: HttpMethod,
    /// The URL, with variables.
    pub url: Template,
    /// Fields of the JSON object sent as the body, with variables.
    pub body: Vec<(String, Template)>,
    /// How long to wait for the answer.
    pub timeout: Duration,
    /// Variable names and the paths of the answer's fields they take.
    pub map: Vec<(String, String)>,
    /// Where the caller goes with an answer.
    pub next: Target,
    /// Where the caller goes when the request fails.
    pub on_failure: Target,
}

impl Http {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let next = node.require("next", loader.errors());
        let next = loader.target(next, "continues to", false);
        let mut fields = loader.body(KIND, body)?;
        let method = match fields.take("method") {
            Some(y) => match y.scalar().map(|m| m.trim().to_ascii_uppercase()).as_deref() {
                Some("GET") => Some(HttpMethod::Get),
                Some("POST") => Some(HttpMethod::Post),
                Some("PUT") => Some(HttpMethod::Put),
                _ => {
                    let message = format!("{} must be GET, POST or PUT", loader.what("method"));
                    loader.errors().push(FlowError::at(y.pos, message));
                    None
                }
            },
            None => Some(HttpMethod::Get),
        };
        let url = fields.require("url", loader.errors()).and_then(|y| {
            let url = loader.template(y, "\"url\"")?;
            let text = url.to_string();
            if text.starts_with("http://") || text.starts_with("https://") {
                Some(url)
            } else {
                let message = format!("{} must start with http:// or https://", loader.what("url"));
                loader.errors().push(FlowError::at(y.pos, message));
                None
            }
        });
        let json_body = match fields.take("body") {
            Some(y) => pairs(loader, y, "body", |loader, v, name| {
                loader.template(v, name)
            }),
            None => Some(Vec::new()),
        };
        let timeout = match fields.take("timeout") {
            Some(y) => values::duration(y, &loader.what("timeout"), TIMEOUT_RANGE, loader.errors()),
            None => Some(DEFAULT_TIMEOUT),
        };
        let map = match fields.take("map") {
            Some(y) => pairs(loader, y, "map", |loader, v, name| {
                let what = format!("{name} of node \"{}\"", loader.node_name());
                values::text(v, &what, loader.errors()).map(str::to_owned)
            }),
            None => Some(Vec::new()),
        };
        let on_failure = fields.require("on_failure", loader.errors());
        let on_failure = loader.target(on_failure, "sends failures to", false);
        fields.finish(loader.errors());
        Some(Http {
            method: method?,
            url: url?,
            body: json_body?,
            timeout: timeout?,
            map: map?,
            next: next?,
            on_failure: on_failure?,
        })
    }
}

/// A mapping from variable-like names to values read by `read`.
fn pairs<T>(
    loader: &mut Loader<'_>,
    y: &Yaml,
    field: &str,
    read: impl Fn(&mut Loader<'_>, &Yaml, &str) -> Option<T>,
) -> Option<Vec<(String, T)>> {
    let what = loader.what(field);
    let Some(entries) = fields::entries(y, "name", &what, loader.errors()) else {
        let message = format!("{what} must be a mapping of names to values");
        loader.errors().push(FlowError::at(y.pos, message));
        return None;
    };
    let mut out = Vec::new();
    let mut complete = true;
    for entry in entries {
        if !template::is_var_name(entry.name) {
            let message = format!(
                "\"{}\" in {what} is not a name (letters, digits, \"_\" and \".\")",
                entry.name
            );
            loader.errors().push(FlowError::at(entry.key.pos, message));
            complete = false;
            continue;
        }
        match read(
            loader,
            entry.value,
            &format!("\"{}\" in \"{field}\"", entry.name),
        ) {
            Some(v) => out.push((entry.name.to_owned(), v)),
            None => complete = false,
        }
    }
    complete.then_some(out)
}

/// The field at a dotted `path` of `json`.
fn field<'j>(json: &'j Json, path: &str) -> Option<&'j Json> {
    path.split('.').try_fold(json, |at, key| match at {
        Json::Object(map) => map.get(key),
        Json::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

impl Http {
    fn fail(&self, cx: &mut Cx<'_>) -> Step {
        cx.log(FlowEvent::HttpFailed {
            node: cx.node_name(),
        });
        Step::Go(self.on_failure.dest)
    }

    fn answer(&self, cx: &mut Cx<'_>, status: u16, body: &str) -> Step {
        if !(200..300).contains(&status) {
            return self.fail(cx);
        }
        if self.map.is_empty() {
            return Step::Go(self.next.dest);
        }
        let Ok(json) = serde_json::from_str::<Json>(body) else {
            return self.fail(cx);
        };
        for (var, path) in &self.map {
            let value = match field(&json, path) {
                None | Some(Json::Null) => continue,
                Some(Json::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            };
            cx.set_var(var, value);
        }
        Step::Go(self.next.dest)
    }
}

impl Behaviour for Http {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        let url = cx.render(&self.url);
        let body = (!self.body.is_empty()).then(|| {
            let object: serde_json::Map<String, Json> = self
                .body
                .iter()
                .map(|(name, value)| (name.clone(), Json::String(cx.render(value))))
                .collect();
            Json::Object(object).to_string()
        });
        let (method, timeout) = (self.method, self.timeout);
        cx.request(timeout, |id| Action::HttpRequest {
            id,
            method,
            url,
            body,
            timeout,
        });
        Step::Wait
    }

    fn handle(&self, cx: &mut Cx<'_>, input: Input<'_>) -> Step {
        match input {
            Input::HttpResponse { status, body } => self.answer(cx, status, body),
            Input::HttpFailed | Input::Timeout => self.fail(cx),
            // Keys pressed while waiting are kept for the next menu.
            Input::Digit(digit) => {
                cx.push_type_ahead(digit);
                Step::Wait
            }
            _ => Step::Wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_reach_nested_fields_and_array_items() {
        let json: Json = serde_json::from_str(r#"{"a":{"b":[{"c":7}]}}"#).unwrap();
        assert_eq!(field(&json, "a.b.0.c"), Some(&Json::from(7)));
        assert_eq!(field(&json, "a.x"), None);
        assert_eq!(field(&json, "a.b.9"), None);
    }
}
