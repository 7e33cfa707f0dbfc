//! The interpreter: one caller walking the demo flow (and a few small ones).

mod common;

use std::time::{Duration, Instant};

use common::{DEMO, choice, digit, drain, entered, flow, origin, play, queue};
use ivr::{Action, Event, FlowEvent, PlayId, Session, Vars};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The demo with the welcome prompt played out: the menu prompt (play 1) is playing.
fn at_menu() -> (Session, Instant) {
    let now = origin();
    let mut session = Session::start(flow(DEMO), now, Vars::new());
    drain(&mut session);
    session.handle_event(now, Event::PromptFinished(PlayId(0)));
    drain(&mut session);
    (session, now)
}

/// The demo waiting for a key after the menu prompt ended.
fn waiting_at_menu() -> (Session, Instant) {
    let (mut session, now) = at_menu();
    session.handle_event(now, Event::PromptFinished(PlayId(1)));
    assert!(drain(&mut session).is_empty());
    (session, now)
}

#[test]
fn start_logs_entry_and_plays_the_welcome_without_barge_in() {
    let mut session = Session::start(flow(DEMO), origin(), Vars::new());
    assert_eq!(
        drain(&mut session),
        [
            Action::Log(FlowEvent::IvrEntered {
                flow: "demo".into()
            }),
            entered("welcome"),
            play(0, &["welcome", "call-recorded"], false),
        ]
    );
    assert_eq!(session.current_node(), Some("welcome"));
    assert_eq!(session.poll_timeout(), None);
}

#[test]
fn welcome_end_leads_to_the_menu_prompt_with_barge_in() {
    let now = origin();
    let mut session = Session::start(flow(DEMO), now, Vars::new());
    drain(&mut session);
    session.handle_event(now, Event::PromptFinished(PlayId(0)));
    assert_eq!(
        drain(&mut session),
        [entered("main"), play(1, &["menu"], true)]
    );
}

#[test]
fn menu_timer_starts_only_after_its_prompt_ends() {
    let (mut session, now) = at_menu();
    assert_eq!(session.poll_timeout(), None);
    session.handle_event(now + secs(3), Event::PromptFinished(PlayId(1)));
    assert_eq!(session.poll_timeout(), Some(now + secs(8)));
}

#[test]
fn pressing_1_after_the_prompt_queues_to_sales() {
    let (mut session, now) = waiting_at_menu();
    session.handle_event(now + secs(2), Event::Digit('1'));
    assert_eq!(
        drain(&mut session),
        [
            digit('1'),
            choice("main", '1'),
            entered("sales"),
            queue("sales", None)
        ]
    );
    assert!(session.is_finished());
    assert_eq!(session.poll_timeout(), None);
}

#[test]
fn pressing_2_during_the_prompt_stops_it_and_queues_to_support() {
    let (mut session, now) = at_menu();
    session.handle_event(now, Event::Digit('2'));
    assert_eq!(
        drain(&mut session),
        [
            digit('2'),
            Action::StopPlayback { id: PlayId(1) },
            choice("main", '2'),
            entered("support"),
            queue("support", Some(0)),
        ]
    );
    assert!(session.is_finished());
}

#[test]
fn timer_does_not_fire_before_its_deadline() {
    let (mut session, now) = waiting_at_menu();
    session.handle_timeout(now + secs(4));
    assert!(drain(&mut session).is_empty());
    assert_eq!(session.poll_timeout(), Some(now + secs(5)));
}

#[test]
fn no_input_plays_the_no_input_prompt_then_asks_again() {
    let (mut session, now) = waiting_at_menu();
    session.handle_timeout(now + secs(5));
    assert_eq!(
        drain(&mut session),
        [
            Action::Log(FlowEvent::NoInput {
                node: "main".into()
            }),
            play(2, &["no-input", "menu"], true),
        ]
    );
    assert_eq!(session.poll_timeout(), None);
}

#[test]
fn no_input_on_every_try_takes_the_failure_branch() {
    let (mut session, mut now) = waiting_at_menu();
    // First try plus two retries.
    for retry in 0..2 {
        now += secs(5);
        session.handle_timeout(now);
        drain(&mut session);
        session.handle_event(now, Event::PromptFinished(PlayId(2 + retry)));
    }
    now += secs(5);
    session.handle_timeout(now);
    assert_eq!(
        drain(&mut session),
        [
            Action::Log(FlowEvent::NoInput {
                node: "main".into()
            }),
            Action::Log(FlowEvent::MenuFailed {
                node: "main".into()
            }),
            entered("goodbye"),
            play(4, &["goodbye"], false),
        ]
    );
    session.handle_event(now, Event::PromptFinished(PlayId(4)));
    assert_eq!(drain(&mut session), [Action::Hangup]);
    assert!(session.is_finished());
}

#[test]
fn invalid_key_plays_the_invalid_prompt_then_asks_again() {
    let (mut session, now) = waiting_at_menu();
    session.handle_event(now, Event::Digit('7'));
    assert_eq!(
        drain(&mut session),
        [
            digit('7'),
            Action::Log(FlowEvent::InvalidInput {
                node: "main".into(),
                digit: '7'
            }),
            play(2, &["invalid-option", "menu"], true),
        ]
    );
    session.handle_event(now, Event::Digit('1'));
    assert_eq!(
        drain(&mut session),
        [
            digit('1'),
            Action::StopPlayback { id: PlayId(2) },
            choice("main", '1'),
            entered("sales"),
            queue("sales", None),
        ]
    );
}

#[test]
fn keys_during_a_prompt_without_barge_in_are_logged_and_ignored() {
    let now = origin();
    let mut session = Session::start(flow(DEMO), now, Vars::new());
    drain(&mut session);
    session.handle_event(now, Event::Digit('1'));
    assert_eq!(drain(&mut session), [digit('1')]);
    session.handle_event(now, Event::PromptFinished(PlayId(0)));
    assert_eq!(
        drain(&mut session),
        [entered("main"), play(1, &["menu"], true)]
    );
}

#[test]
fn a_late_finish_of_a_stopped_prompt_is_ignored() {
    let (mut session, now) = waiting_at_menu();
    session.handle_event(now, Event::Digit('7'));
    drain(&mut session);
    // Prompt 1 already ended; prompt 2 plays. A stale report must not start the timer early.
    session.handle_event(now, Event::PromptFinished(PlayId(1)));
    assert!(drain(&mut session).is_empty());
    assert_eq!(session.poll_timeout(), None);
}

#[test]
fn characters_that_are_not_phone_keys_are_ignored() {
    let (mut session, now) = waiting_at_menu();
    session.handle_event(now, Event::Digit('x'));
    assert!(drain(&mut session).is_empty());
    assert_eq!(session.current_node(), Some("main"));
}

#[test]
fn hangup_node_ends_the_call() {
    let source = "name: x\nlanguage: en\nstart: bye\nnodes:\n  bye:\n    play: goodbye\n    next: end\n  end:\n    hangup:\n";
    let now = origin();
    let mut session = Session::start(flow(source), now, Vars::new());
    drain(&mut session);
    session.handle_event(now, Event::PromptFinished(PlayId(0)));
    assert_eq!(drain(&mut session), [entered("end"), Action::Hangup]);
    assert!(session.is_finished());
}

#[test]
fn goto_jumps_without_waiting() {
    let source =
        "name: x\nlanguage: en\nstart: a\nnodes:\n  a:\n    goto: b\n  b:\n    queue: sales\n";
    let mut session = Session::start(flow(source), origin(), Vars::new());
    let actions = drain(&mut session);
    assert_eq!(
        actions[1..],
        [entered("a"), entered("b"), queue("sales", None)]
    );
}

#[test]
fn a_key_barging_into_a_play_answers_the_next_menu() {
    let source = "name: x\nlanguage: en\nstart: intro\nnodes:\n  intro:\n    play: { prompts: [welcome], barge_in: true }\n    next: main\n  main:\n    menu:\n      prompt: menu\n      options: { \"1\": sales }\n      on_failure: hangup\n  sales:\n    queue: sales\n";
    let now = origin();
    let mut session = Session::start(flow(source), now, Vars::new());
    drain(&mut session);
    session.handle_event(now, Event::Digit('1'));
    assert_eq!(
        drain(&mut session),
        [
            digit('1'),
            Action::StopPlayback { id: PlayId(0) },
            entered("main"),
            choice("main", '1'),
            entered("sales"),
            queue("sales", None),
        ]
    );
}

#[test]
fn events_after_the_end_are_ignored() {
    let (mut session, now) = waiting_at_menu();
    session.handle_event(now, Event::Digit('1'));
    drain(&mut session);
    session.handle_event(now, Event::Digit('2'));
    session.handle_event(now, Event::PromptFinished(PlayId(1)));
    session.handle_timeout(now + secs(60));
    assert!(drain(&mut session).is_empty());
}

#[test]
fn vars_and_language_are_kept() {
    let vars = Vars::from([("caller_number".to_owned(), "+33100000001".to_owned())]);
    let session = Session::start(flow(DEMO), origin(), vars);
    assert_eq!(
        session.vars().get("caller_number").map(String::as_str),
        Some("+33100000001")
    );
    assert_eq!(session.language(), "en");
    assert_eq!(
        session.vars().get(ivr::LANGUAGE).map(String::as_str),
        Some("en")
    );
}
