//! Agent scripts: pages of text with questions whose answers choose the next page and are
//! saved into ticket fields. Loaded from JSON or YAML and checked before use; run by
//! [`ScriptRun`], which records the path taken and the answers. Versions are the store's job.
//!
//! ```
//! use std::collections::BTreeMap;
//! use crm::{Script, ScriptRun, Step};
//! let script = Script::from_yaml(r#"
//! pages:
//!   - id: greet
//!     text: "Hello {customer.first_name}, is this about your order?"
//!     questions:
//!       - key: about_order
//!         label: About an order?
//!         type: choice
//!         options:
//!           - { value: "yes", label: "Yes", next: order }
//!           - { value: "no", label: "No", next: other }
//!   - id: order
//!     text: Ask for the order number.
//!     questions: [{ key: order_no, label: Order number, type: text, saves_to: order_number }]
//!   - id: other
//!     text: Ask what it is about.
//! "#)?;
//! let mut run = ScriptRun::start(std::sync::Arc::new(script));
//! let vars = BTreeMap::from([("customer.first_name".to_owned(), "Ada".to_owned())]);
//! assert!(run.render(&vars).unwrap().text.starts_with("Hello Ada"));
//! assert_eq!(run.answer("about_order", "yes")?, Step::Page("order".into()));
//! assert_eq!(run.answer("order_no", "A-1234")?, Step::Finished);
//! assert_eq!(run.path(), ["greet", "order"]);
//! # Ok::<(), crm::ScriptError>(())
//! ```

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::custom_field::FieldKey;
use crate::template::render_template;
use crate::typed_text::{finite_number, shown, yes_no};

/// Most pages one run may visit: scripts may loop ("anything else?"), but not forever.
pub const MAX_PATH: usize = 500;
/// Longest text answer, in characters.
pub const MAX_TEXT_ANSWER: usize = 2000;

/// Errors loading a script or running it; each names the page or question.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// The JSON or YAML could not be read as a script.
    #[error("cannot read the script: {0}")]
    Syntax(String),
    /// A script needs pages.
    #[error("the script has no pages")]
    NoPages,
    /// Page ids are 1 to 64 of letters, digits, `_` and `-`.
    #[error("page id {0:?} must be 1 to 64 letters, digits, _ or -")]
    BadPageId(String),
    /// Two pages share an id.
    #[error("page {0:?} is defined twice")]
    DuplicatePage(String),
    /// A `next` names no page.
    #[error("page {page:?} leads to unknown page {target:?}")]
    UnknownTarget {
        /// The page with the link.
        page: String,
        /// The missing page.
        target: String,
    },
    /// No path from the first page reaches it.
    #[error("page {0:?} cannot be reached from the first page")]
    Unreachable(String),
    /// A question key used twice in the script, or empty.
    #[error("page {page:?}: question key {key:?} is empty or used twice")]
    BadQuestionKey {
        /// The page.
        page: String,
        /// The key.
        key: String,
    },
    /// A choice without options, or with an option value twice.
    #[error("page {page:?}, question {key:?}: {reason}")]
    BadOptions {
        /// The page.
        page: String,
        /// The question.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// The answered question is not on the current page.
    #[error("question {key:?} is not on page {page:?}")]
    NotOnPage {
        /// The current page.
        page: String,
        /// The key given.
        key: String,
    },
    /// The answer does not fit the question.
    #[error("question {key:?}: {reason}")]
    BadAnswer {
        /// The question.
        key: String,
        /// Why the answer was refused.
        reason: String,
    },
    /// Moving on while questions of the page are unanswered.
    #[error("page {page:?} still has unanswered questions: {keys:?}")]
    Unanswered {
        /// The current page.
        page: String,
        /// The unanswered keys.
        keys: Vec<String>,
    },
    /// The run reached its end.
    #[error("the script is finished")]
    Finished,
    /// The run visited [`MAX_PATH`] pages.
    #[error("the script visited {MAX_PATH} pages; it is looping")]
    TooLong,
}

/// A checked script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ScriptSpec", into = "ScriptSpec")]
pub struct Script {
    pages: Vec<Page>,
    index: HashMap<String, usize>,
}

/// The stored form of a script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScriptSpec {
    /// Pages; the first is where a run starts.
    pub pages: Vec<Page>,
}

/// One page: text for the agent to say, questions to ask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// Unique id, used in links and in the recorded path.
    pub id: String,
    /// Text with `{variables}`.
    pub text: String,
    /// Questions, answered in any order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
    /// Where to go once answered, unless a chosen option says otherwise; none ends the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// A question on a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Unique in the script.
    pub key: String,
    /// What the agent asks, with `{variables}`.
    pub label: String,
    /// What kind of answer.
    #[serde(flatten)]
    pub kind: QuestionKind,
    /// The ticket field the answer is saved to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saves_to: Option<FieldKey>,
}

/// The kind of answer a question takes. JSON/YAML: `type: choice` with `options`, or `type:
/// text`, `number`, `yes_no`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// One of the options; an option may lead to a page.
    Choice {
        /// The options.
        options: Vec<ChoiceOption>,
    },
    /// Free text.
    Text,
    /// A number.
    Number,
    /// Yes or no.
    YesNo,
}

/// An option of a choice question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChoiceOption {
    /// What is stored.
    pub value: String,
    /// What the agent sees.
    pub label: String,
    /// The page this answer leads to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl Script {
    /// Checks pages: ids well formed and unique, links to existing pages, every page reachable
    /// from the first, question keys unique in the script, choices with distinct options.
    pub fn new(pages: Vec<Page>) -> Result<Script, ScriptError> {
        if pages.is_empty() {
            return Err(ScriptError::NoPages);
        }
        let mut index = HashMap::with_capacity(pages.len());
        for (i, page) in pages.iter().enumerate() {
            let ok = (1..=64).contains(&page.id.len())
                && page
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !ok {
                return Err(ScriptError::BadPageId(page.id.chars().take(80).collect()));
            }
            if index.insert(page.id.clone(), i).is_some() {
                return Err(ScriptError::DuplicatePage(page.id.clone()));
            }
        }
        let mut keys = Vec::new();
        for page in &pages {
            for target in links(page) {
                if !index.contains_key(target) {
                    return Err(ScriptError::UnknownTarget {
                        page: page.id.clone(),
                        target: target.to_owned(),
                    });
                }
            }
            for q in &page.questions {
                if q.key.trim().is_empty() || keys.contains(&q.key.as_str()) {
                    return Err(ScriptError::BadQuestionKey {
                        page: page.id.clone(),
                        key: q.key.clone(),
                    });
                }
                keys.push(q.key.as_str());
                if let QuestionKind::Choice { options } = &q.kind {
                    check_options(page, q, options)?;
                }
            }
        }
        let mut reached = vec![false; pages.len()];
        let mut queue = VecDeque::from([0usize]);
        while let Some(i) = queue.pop_front() {
            if std::mem::replace(&mut reached[i], true) {
                continue;
            }
            queue.extend(links(&pages[i]).filter_map(|t| index.get(t).copied()));
        }
        if let Some(i) = reached.iter().position(|r| !r) {
            return Err(ScriptError::Unreachable(pages[i].id.clone()));
        }
        Ok(Script { pages, index })
    }

    /// Reads and checks a JSON script (`{"pages": [...]}`).
    pub fn from_json(text: &str) -> Result<Script, ScriptError> {
        let spec: ScriptSpec =
            serde_json::from_str(text).map_err(|e| ScriptError::Syntax(e.to_string()))?;
        Script::new(spec.pages)
    }

    /// Reads and checks a YAML script (same shape as JSON).
    pub fn from_yaml(text: &str) -> Result<Script, ScriptError> {
        let spec: ScriptSpec =
            serde_saphyr::from_str(text).map_err(|e| ScriptError::Syntax(e.to_string()))?;
        Script::new(spec.pages)
    }

    /// The pages, first is the start.
    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    /// The page with `id`.
    pub fn page(&self, id: &str) -> Option<&Page> {
        self.index.get(id).and_then(|&i| self.pages.get(i))
    }
}

impl TryFrom<ScriptSpec> for Script {
    type Error = ScriptError;
    fn try_from(spec: ScriptSpec) -> Result<Self, Self::Error> {
        Script::new(spec.pages)
    }
}

impl From<Script> for ScriptSpec {
    fn from(s: Script) -> ScriptSpec {
        ScriptSpec { pages: s.pages }
    }
}

/// The pages a page may lead to.
fn links(page: &Page) -> impl Iterator<Item = &str> {
    let from_options = page.questions.iter().flat_map(|q| match &q.kind {
        QuestionKind::Choice { options } => {
            options.iter().filter_map(|o| o.next.as_deref()).collect()
        }
        _ => Vec::new(),
    });
    page.next.as_deref().into_iter().chain(from_options)
}

fn check_options(page: &Page, q: &Question, options: &[ChoiceOption]) -> Result<(), ScriptError> {
    let bad = |reason: String| ScriptError::BadOptions {
        page: page.id.clone(),
        key: q.key.clone(),
        reason,
    };
    if options.is_empty() {
        return Err(bad("a choice needs options".into()));
    }
    for (i, o) in options.iter().enumerate() {
        if options[..i].iter().any(|p| p.value == o.value) {
            return Err(bad(format!("option {:?} appears twice", o.value)));
        }
    }
    Ok(())
}

/// An answer as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum AnswerValue {
    /// The chosen option's value.
    Choice(String),
    /// Text.
    Text(String),
    /// A finite number.
    Number(f64),
    /// Yes (`true`) or no.
    YesNo(bool),
}

impl AnswerValue {
    /// The answer as text for a ticket field (`yes`/`no` for yes-no questions).
    pub fn to_text(&self) -> String {
        match self {
            AnswerValue::Choice(s) | AnswerValue::Text(s) => s.clone(),
            AnswerValue::Number(n) => n.to_string(),
            AnswerValue::YesNo(b) => if *b { "yes" } else { "no" }.to_owned(),
        }
    }
}

/// One answer given during a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The page it was given on.
    pub page: String,
    /// The question.
    pub key: String,
    /// The answer.
    pub value: AnswerValue,
    /// The ticket field to save it to.
    pub saves_to: Option<FieldKey>,
}

/// What happened after an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Questions of this page are still unanswered.
    Stay,
    /// The run moved to this page.
    Page(String),
    /// The run is over.
    Finished,
}

/// A page ready to show: variables substituted.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedPage {
    /// The page id.
    pub id: String,
    /// Its text.
    pub text: String,
    /// Its questions with labels (and option labels) rendered.
    pub questions: Vec<Question>,
}

/// One agent going through a script during a contact. Sans-IO: the server feeds answers in
/// and stores `path()` and `answers()` with the contact and the ticket.
#[derive(Debug, Clone)]
pub struct ScriptRun {
    script: Arc<Script>,
    current: Option<usize>,
    path: Vec<String>,
    answers: Vec<Answer>,
    /// Index in `answers` of the first answer given on the current page visit.
    visit_start: usize,
}

impl ScriptRun {
    /// Starts on the script's first page.
    pub fn start(script: Arc<Script>) -> ScriptRun {
        let path = script
            .pages
            .first()
            .map(|p| p.id.clone())
            .into_iter()
            .collect();
        ScriptRun {
            current: (!script.pages.is_empty()).then_some(0),
            script,
            path,
            answers: Vec::new(),
            visit_start: 0,
        }
    }

    /// The page the agent is on; `None` once finished.
    pub fn current_page(&self) -> Option<&Page> {
        self.current.and_then(|i| self.script.pages.get(i))
    }

    /// The current page with `vars` substituted; `None` once finished.
    pub fn render(&self, vars: &BTreeMap<String, String>) -> Option<RenderedPage> {
        let page = self.current_page()?;
        let mut questions = page.questions.clone();
        for q in &mut questions {
            q.label = render_template(&q.label, vars);
            if let QuestionKind::Choice { options } = &mut q.kind {
                for o in options {
                    o.label = render_template(&o.label, vars);
                }
            }
        }
        Some(RenderedPage {
            id: page.id.clone(),
            text: render_template(&page.text, vars),
            questions,
        })
    }

    /// Records the answer to question `key` of the current page (replacing an earlier answer
    /// on this visit). Once every question of the page is answered, moves on: to the page of
    /// the first chosen option (in question order) that has one, else to the page's `next`,
    /// else the run is finished.
    pub fn answer(&mut self, key: &str, raw: &str) -> Result<Step, ScriptError> {
        let page = self.current_page().ok_or(ScriptError::Finished)?;
        let question = page
            .questions
            .iter()
            .find(|q| q.key == key)
            .ok_or_else(|| ScriptError::NotOnPage {
                page: page.id.clone(),
                key: key.to_owned(),
            })?;
        let value = parse_answer(question, raw)?;
        let answer = Answer {
            page: page.id.clone(),
            key: key.to_owned(),
            value,
            saves_to: question.saves_to.clone(),
        };
        let earlier = self
            .answers
            .get_mut(self.visit_start..)
            .and_then(|visit| visit.iter_mut().find(|a| a.key == key));
        match earlier {
            Some(earlier) => *earlier = answer,
            None => self.answers.push(answer),
        }
        if self.unanswered().is_empty() {
            self.advance()
        } else {
            Ok(Step::Stay)
        }
    }

    /// Moves on from a page whose questions are all answered (or that has none).
    pub fn proceed(&mut self) -> Result<Step, ScriptError> {
        let page = self.current_page().ok_or(ScriptError::Finished)?;
        let keys = self.unanswered();
        if !keys.is_empty() {
            return Err(ScriptError::Unanswered {
                page: page.id.clone(),
                keys,
            });
        }
        self.advance()
    }

    /// Page ids visited, in order, starting with the first page.
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// Answers given, in order; a page visited twice has its answers twice.
    pub fn answers(&self) -> &[Answer] {
        &self.answers
    }

    /// The latest answer for each ticket field, to write into the ticket.
    pub fn ticket_fields(&self) -> BTreeMap<FieldKey, AnswerValue> {
        self.answers
            .iter()
            .filter_map(|a| Some((a.saves_to.clone()?, a.value.clone())))
            .collect()
    }

    /// Whether the run reached its end.
    pub fn is_finished(&self) -> bool {
        self.current.is_none()
    }

    fn unanswered(&self) -> Vec<String> {
        let visit = self.answers.get(self.visit_start..).unwrap_or_default();
        self.current_page()
            .map(|p| {
                p.questions
                    .iter()
                    .filter(|q| !visit.iter().any(|a| a.key == q.key))
                    .map(|q| q.key.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn advance(&mut self) -> Result<Step, ScriptError> {
        let Some(page) = self.current_page() else {
            return Err(ScriptError::Finished);
        };
        let visit = self.answers.get(self.visit_start..).unwrap_or_default();
        let chosen = page.questions.iter().find_map(|q| {
            let QuestionKind::Choice { options } = &q.kind else {
                return None;
            };
            let answer = visit.iter().find(|a| a.key == q.key)?;
            let AnswerValue::Choice(value) = &answer.value else {
                return None;
            };
            options.iter().find(|o| &o.value == value)?.next.clone()
        });
        let Some(next) = chosen.or_else(|| page.next.clone()) else {
            self.current = None;
            return Ok(Step::Finished);
        };
        if self.path.len() >= MAX_PATH {
            return Err(ScriptError::TooLong);
        }
        // Links were checked when the script was loaded.
        let index = self
            .script
            .index
            .get(&next)
            .copied()
            .ok_or(ScriptError::UnknownTarget {
                page: page.id.clone(),
                target: next.clone(),
            })?;
        self.current = Some(index);
        self.visit_start = self.answers.len();
        self.path.push(next.clone());
        Ok(Step::Page(next))
    }
}

fn parse_answer(question: &Question, raw: &str) -> Result<AnswerValue, ScriptError> {
    let text = raw.trim();
    let bad = |reason: String| ScriptError::BadAnswer {
        key: question.key.clone(),
        reason,
    };
    match &question.kind {
        QuestionKind::Choice { options } => options
            .iter()
            .find(|o| o.value == text)
            .map(|o| AnswerValue::Choice(o.value.clone()))
            .ok_or_else(|| bad(format!("{} is not one of the options", shown(text)))),
        QuestionKind::Text if text.is_empty() => Err(bad("empty answer".into())),
        QuestionKind::Text if text.chars().count() > MAX_TEXT_ANSWER => {
            Err(bad(format!("longer than {MAX_TEXT_ANSWER} characters")))
        }
        QuestionKind::Text => Ok(AnswerValue::Text(text.to_owned())),
        QuestionKind::Number => finite_number(text)
            .map(AnswerValue::Number)
            .ok_or_else(|| bad(format!("{} is not a number", shown(text)))),
        QuestionKind::YesNo => yes_no(text)
            .map(AnswerValue::YesNo)
            .ok_or_else(|| bad(format!("{} is not yes or no", shown(text)))),
    }
}

#[cfg(test)]
mod tests;
