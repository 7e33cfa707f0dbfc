//! The worked example of `docs/ivr.md` (`docs/ivr-example.yaml`) loads against a catalog and
//! walks as the documentation says.

mod common;

use std::sync::Arc;

use common::origin;
use ivr::{
    Action, Flow, HttpReply, KnownNames, LocalTime, Outcome, Scenario, Skill, simulate_scenario,
};

const EXAMPLE: &str = include_str!("../../../docs/ivr-example.yaml");

const PROMPTS: &[&str] = &[
    "press-1-francais",
    "press-2-english",
    "closed",
    "leave-message",
    "enter-account",
    "invalid-account",
    "no-input",
    "account-number-is",
    "rate-the-call",
    "invalid-option",
    "goodbye",
];

fn catalog() -> KnownNames {
    KnownNames::new()
        .with_prompts("en", PROMPTS.iter().copied())
        .with_prompts("fr", PROMPTS.iter().copied())
        .with_queues(["support"])
}

fn example() -> Arc<Flow> {
    Arc::new(Flow::load(EXAMPLE, &catalog()).unwrap_or_else(|e| panic!("{e}")))
}

fn wednesday_morning() -> Option<LocalTime> {
    LocalTime::parse("2026-11-25T10:00")
}

fn queued(run: &ivr::Simulation) -> &Action {
    run.actions
        .iter()
        .find(|a| matches!(a, Action::Queue { .. }))
        .expect("the call was queued")
}

#[test]
fn the_example_loads_against_its_catalog() {
    let flow = example();
    assert_eq!(flow.name(), "bank");
}

#[test]
fn the_example_is_refused_when_a_french_prompt_is_missing() {
    let catalog = KnownNames::new()
        .with_prompts("en", PROMPTS.iter().copied())
        .with_prompts("fr", PROMPTS.iter().copied().filter(|p| *p != "goodbye"))
        .with_queues(["support"]);
    let errors = Flow::load(EXAMPLE, &catalog).unwrap_err();
    let messages: Vec<String> = errors.into_iter().map(|e| e.to_string()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].ends_with("prompt \"goodbye\" is not recorded in language \"fr\""),
        "{messages:?}"
    );
}

#[test]
fn a_french_caller_with_a_valid_account_number_is_queued_with_the_french_skill() {
    let scenario = Scenario {
        digits: "179927398713#4".chars().collect(),
        local_time: wednesday_morning(),
        ..Scenario::default()
    };
    let run = simulate_scenario(example(), &scenario, origin());
    let path: Vec<&str> = run.path.iter().map(|n| &**n).collect();
    assert_eq!(
        path,
        [
            "choose_language",
            "french",
            "office",
            "lookup",
            "account",
            "confirm",
            "support",
            "csat",
            "thanks"
        ]
    );
    let Action::Queue {
        skills, callback, ..
    } = queued(&run)
    else {
        unreachable!()
    };
    assert!(*callback);
    assert_eq!(
        skills,
        &[
            Skill {
                name: "product:banking".into(),
                level: 2
            },
            Skill {
                name: "language:fr".into(),
                level: 1
            },
        ]
    );
    assert_eq!(
        run.vars.get("account").map(String::as_str),
        Some("79927398713")
    );
    assert!(run.actions.contains(&Action::SurveyAnswer {
        survey: "csat".into(),
        score: 4
    }));
    assert_eq!(run.outcome, Outcome::HungUp);
}

#[test]
fn an_account_number_failing_luhn_is_asked_again() {
    let scenario = Scenario {
        digits: "279927398710#79927398713#".chars().collect(),
        local_time: wednesday_morning(),
        ..Scenario::default()
    };
    let run = simulate_scenario(example(), &scenario, origin());
    let invalid = run
        .actions
        .iter()
        .filter(|a| matches!(a, Action::Log(ivr::FlowEvent::InvalidEntry { .. })))
        .count();
    assert_eq!(invalid, 1);
    assert_eq!(
        run.vars.get("account").map(String::as_str),
        Some("79927398713")
    );
}

#[test]
fn the_crm_answer_fills_variables_and_a_gold_tier_skips_the_account_question() {
    let scenario = Scenario {
        digits: vec!['2'],
        vars: [("caller_number".to_owned(), "+33140000000".to_owned())].into(),
        local_time: wednesday_morning(),
        http: vec![HttpReply::Response {
            status: 200,
            body: r#"{"customer":{"name":"Ada","tier":"gold"}}"#.into(),
        }],
    };
    let run = simulate_scenario(example(), &scenario, origin());
    let request = run
        .actions
        .iter()
        .find_map(|a| match a {
            Action::HttpRequest { body, .. } => body.clone(),
            _ => None,
        })
        .expect("the CRM is asked");
    let body: serde_json::Value = serde_json::from_str(&request).unwrap();
    assert_eq!(body["phone"], "+33140000000");
    assert_eq!(
        run.vars.get("customer_name").map(String::as_str),
        Some("Ada")
    );
    assert!(run.path.iter().any(|n| &**n == "vip_queue"));
    assert!(!run.path.iter().any(|n| &**n == "account"));
}

#[test]
fn on_a_holiday_the_caller_hears_the_closed_message() {
    let scenario = Scenario {
        digits: vec!['2'],
        local_time: LocalTime::parse("2026-12-25T10:00"),
        ..Scenario::default()
    };
    let run = simulate_scenario(example(), &scenario, origin());
    assert!(run.path.iter().any(|n| &**n == "closed_message"));
    assert_eq!(
        run.outcome,
        Outcome::Voicemail {
            mailbox: "customer-care".into()
        }
    );
}
