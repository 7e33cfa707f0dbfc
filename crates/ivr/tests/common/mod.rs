//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Instant;

use ivr::{Flow, KnownNames};

pub const DEMO: &str = include_str!("../flows/demo.yaml");

/// Prompts and queues the test flows may name.
pub fn catalog() -> KnownNames {
    KnownNames::new()
        .with_prompts(
            "en",
            [
                "welcome",
                "call-recorded",
                "menu",
                "invalid-option",
                "no-input",
                "goodbye",
            ],
        )
        .with_queues(["sales", "support"])
}

/// Loads a flow that must be valid.
pub fn flow(source: &str) -> Arc<Flow> {
    match Flow::load(source, &catalog()) {
        Ok(flow) => Arc::new(flow),
        Err(errors) => panic!("flow refused:\n{errors}"),
    }
}

/// The errors of a flow that must be refused, as displayed.
pub fn errors(source: &str) -> Vec<String> {
    match Flow::load(source, &catalog()) {
        Ok(_) => panic!("flow accepted"),
        Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
    }
}

/// An arbitrary origin for simulated time; only differences from it matter.
#[allow(clippy::disallowed_methods)] // tests need some `Instant` to start from
pub fn origin() -> Instant {
    Instant::now()
}

use ivr::{Action, FlowEvent, PlayId, Prompt, Session};

/// Every action the session has ready.
pub fn drain(session: &mut Session) -> Vec<Action> {
    std::iter::from_fn(|| session.poll_action()).collect()
}

pub fn play(id: u64, prompts: &[&str], barge_in: bool) -> Action {
    Action::Play {
        id: PlayId(id),
        language: "en".into(),
        prompts: prompts
            .iter()
            .map(|p| Prompt::Recorded((*p).into()))
            .collect(),
        barge_in,
    }
}

pub fn entered(node: &str) -> Action {
    Action::Log(FlowEvent::NodeEntered { node: node.into() })
}

pub fn digit(digit: char) -> Action {
    Action::Log(FlowEvent::Digit { digit })
}

pub fn choice(node: &str, option: char) -> Action {
    Action::Log(FlowEvent::MenuChoice {
        node: node.into(),
        option,
    })
}

pub fn queue(queue: &str, priority: Option<u8>) -> Action {
    Action::Queue {
        queue: queue.into(),
        priority,
        skills: Vec::new(),
        callback: false,
    }
}
