//! The node kinds beyond play and menu, each driven through a session as the server would.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{drain, flow, origin};
use ivr::{Action, Event, Flow, FlowEvent, HttpMethod, LocalTime, Prompt, Session, Skill, Vars};

/// A flow with the given nodes, starting at the first.
fn nodes(body: &str) -> Arc<Flow> {
    let start = body
        .trim_start()
        .split(':')
        .next()
        .expect("split yields at least one part");
    flow(&format!(
        "name: t\nlanguage: en\nstart: {start}\nnodes:\n{body}"
    ))
}

fn vars(pairs: &[(&str, &str)]) -> Vars {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The id of the playback the actions start, if any.
fn played(actions: &[Action]) -> Option<ivr::PlayId> {
    actions.iter().rev().find_map(|a| match a {
        Action::Play { id, .. } => Some(*id),
        _ => None,
    })
}

fn keys(session: &mut Session, keys: &str) -> Vec<Action> {
    let mut all = Vec::new();
    for key in keys.chars() {
        session.handle_event(origin(), Event::Digit(key));
        all.extend(drain(session));
    }
    all
}

fn last_non_log(actions: &[Action]) -> Option<&Action> {
    actions.iter().rev().find(|a| !matches!(a, Action::Log(_)))
}

const COLLECT: &str = "  account:
    collect:
      prompt: [menu]
      into: account
      min: 4
      max: 6
      validate: luhn
      retries: 1
      invalid_prompt: [invalid-option]
      on_invalid: bye
      on_timeout: sales
    next: sales
  sales:
    queue: sales
  bye:
    play: [goodbye]
    next: hangup
";

#[test]
fn collect_ends_at_max_length_and_checks_luhn() {
    let mut s = Session::start(nodes(COLLECT), origin(), Vars::new());
    drain(&mut s);
    // Six keys reach `max`: "799273" fails Luhn, so the caller is asked again.
    let actions = keys(&mut s, "799273");
    assert!(actions.contains(&Action::Log(FlowEvent::InvalidEntry {
        node: "account".into()
    })));
    assert_eq!(s.current_node(), Some("account"));
}

#[test]
fn collect_ends_at_the_terminator_and_keeps_the_entry() {
    let mut s = Session::start(nodes(COLLECT), origin(), Vars::new());
    drain(&mut s);
    keys(&mut s, "4242#");
    assert_eq!(s.vars().get("account").map(String::as_str), Some("4242"));
    assert!(s.is_finished());
}

#[test]
fn collect_refuses_an_entry_shorter_than_min() {
    let mut s = Session::start(nodes(COLLECT), origin(), Vars::new());
    drain(&mut s);
    let actions = keys(&mut s, "42#");
    assert!(actions.contains(&Action::Log(FlowEvent::InvalidEntry {
        node: "account".into()
    })));
    assert!(s.vars().get("account").is_none());
}

#[test]
fn collect_goes_to_on_invalid_when_every_try_is_refused() {
    let mut s = Session::start(nodes(COLLECT), origin(), Vars::new());
    drain(&mut s);
    keys(&mut s, "1111#");
    let actions = keys(&mut s, "1112#");
    assert!(actions.contains(&common::entered("bye")));
}

#[test]
fn collect_inter_digit_timeout_ends_the_entry() {
    let t0 = origin();
    let mut s = Session::start(nodes(COLLECT), t0, Vars::new());
    drain(&mut s);
    for key in "4242".chars() {
        s.handle_event(t0, Event::Digit(key));
    }
    let deadline = s.poll_timeout().expect("waiting for the next key");
    assert_eq!(deadline, t0 + Duration::from_secs(3));
    s.handle_timeout(deadline);
    assert_eq!(s.vars().get("account").map(String::as_str), Some("4242"));
}

#[test]
fn collect_silence_goes_to_on_timeout_after_the_retries() {
    let mut s = Session::start(nodes(COLLECT), origin(), Vars::new());
    let mut actions = drain(&mut s);
    for _ in 0..2 {
        s.handle_event(origin(), Event::PromptFinished(played(&actions).unwrap()));
        let deadline = s.poll_timeout().unwrap();
        s.handle_timeout(deadline);
        actions = drain(&mut s);
    }
    assert!(actions.contains(&common::entered("sales")));
}

#[test]
fn collect_validates_with_a_regex() {
    let f = nodes(
        "  pin:
    collect:
      prompt: [menu]
      into: pin
      validate: { regex: \"[0-9]{4}\" }
      retries: 0
      on_invalid: hangup
    next: sales
  sales:
    queue: sales
",
    );
    let mut s = Session::start(Arc::clone(&f), origin(), Vars::new());
    drain(&mut s);
    keys(&mut s, "12345#");
    assert!(
        s.vars().get("pin").is_none(),
        "anchored: five digits do not match"
    );
    let mut s = Session::start(f, origin(), Vars::new());
    drain(&mut s);
    keys(&mut s, "1234#");
    assert_eq!(s.vars().get("pin").map(String::as_str), Some("1234"));
}

#[test]
fn set_fills_variables_from_others() {
    let f = nodes(
        "  a:
    set: { greeting: \"Hello ${name}\", tier: gold }
    next: b
  b:
    play: [{ tts: \"${greeting}, you are ${tier}\" }]
    next: hangup
",
    );
    let mut s = Session::start(f, origin(), vars(&[("name", "Ada")]));
    let actions = drain(&mut s);
    let Some(Action::Play { prompts, .. }) =
        actions.iter().find(|a| matches!(a, Action::Play { .. }))
    else {
        panic!("plays")
    };
    assert_eq!(prompts, &[Prompt::Text("Hello Ada, you are gold".into())]);
}

const CONDITION: &str = "  a:
    condition:
      if: 'caller_number starts_with \"+33\" and not (balance < 100)'
      then: sales
      else: support
  sales:
    queue: sales
  support:
    queue: support
";

fn queue_of(actions: &[Action]) -> &str {
    match last_non_log(actions) {
        Some(Action::Queue { queue, .. }) => queue,
        other => panic!("not queued: {other:?}"),
    }
}

#[test]
fn condition_takes_then_when_it_holds() {
    let mut s = Session::start(
        nodes(CONDITION),
        origin(),
        vars(&[("caller_number", "+33612"), ("balance", "150")]),
    );
    assert_eq!(queue_of(&drain(&mut s)), "sales");
}

#[test]
fn condition_takes_else_otherwise() {
    let mut s = Session::start(
        nodes(CONDITION),
        origin(),
        vars(&[("caller_number", "+33612"), ("balance", "99")]),
    );
    let actions = drain(&mut s);
    assert_eq!(queue_of(&actions), "support");
    assert!(actions.contains(&Action::Log(FlowEvent::Branch {
        node: "a".into(),
        branch: "else"
    })));
}

const HOURS: &str = "  a:
    hours:
      when: [{ days: mon-fri, from: \"09:00\", to: \"18:00\" }]
      holidays: [2026-12-25]
      open: sales
      closed: support
      holiday: bye
  sales:
    queue: sales
  support:
    queue: support
  bye:
    hangup:
";

fn at(time: &str) -> Vec<Action> {
    let mut s =
        Session::start_with_time(nodes(HOURS), origin(), Vars::new(), LocalTime::parse(time));
    drain(&mut s)
}

#[test]
fn hours_are_open_on_a_weekday_within_the_range() {
    assert_eq!(queue_of(&at("2026-11-25T09:00")), "sales");
}

#[test]
fn hours_are_closed_at_the_closing_minute_and_on_weekends() {
    assert_eq!(queue_of(&at("2026-11-25T18:00")), "support");
    assert_eq!(queue_of(&at("2026-11-28T10:00")), "support");
}

#[test]
fn hours_take_the_holiday_branch_on_a_holiday() {
    assert_eq!(last_non_log(&at("2026-12-25T10:00")), Some(&Action::Hangup));
}

#[test]
fn hours_without_a_local_time_are_closed() {
    let mut s = Session::start(nodes(HOURS), origin(), Vars::new());
    assert_eq!(queue_of(&drain(&mut s)), "support");
}

#[test]
fn language_changes_prompts_and_adds_its_skill_to_the_queue() {
    let f = Arc::new(
        Flow::load(
            "name: t\nlanguage: en\nstart: fr\nnodes:
  fr:
    language: fr
    next: hello
  hello:
    play: [welcome]
    next: q
  q:
    queue: { name: sales, skills: { \"product:cards\": 4 } }
",
            &common::catalog().with_prompts("fr", ["welcome"]),
        )
        .unwrap(),
    );
    let mut s = Session::start(f, origin(), Vars::new());
    let actions = drain(&mut s);
    let Some(Action::Play { id, language, .. }) =
        actions.iter().find(|a| matches!(a, Action::Play { .. }))
    else {
        panic!("plays")
    };
    assert_eq!(&**language, "fr");
    s.handle_event(origin(), Event::PromptFinished(*id));
    let actions = drain(&mut s);
    let Some(Action::Queue { skills, .. }) = last_non_log(&actions) else {
        panic!("queued")
    };
    assert_eq!(
        skills,
        &[
            Skill {
                name: "product:cards".into(),
                level: 4
            },
            Skill {
                name: "language:fr".into(),
                level: 1
            }
        ]
    );
}

#[test]
fn a_prompt_missing_in_a_language_the_flow_switches_to_is_refused() {
    let errors = Flow::load(
        "name: t\nlanguage: en\nstart: fr\nnodes:\n  fr:\n    language: fr\n    next: hello\n  hello:\n    play: [welcome]\n    next: hangup\n",
        &common::catalog(),
    )
    .unwrap_err();
    let messages: Vec<String> = errors.into_iter().map(|e| e.to_string()).collect();
    assert_eq!(
        messages,
        ["line 9, column 12: prompt \"welcome\" is not recorded in language \"fr\""]
    );
}

const HTTP: &str = "  ask:
    http:
      method: POST
      url: \"https://crm.example/c?n=${caller_number}\"
      body: { phone: \"${caller_number}\" }
      timeout: 2s
      map: { name: customer.name, orders: customer.orders.0 }
      on_failure: support
    next: sales
  sales:
    queue: sales
  support:
    queue: support
";

fn http_session() -> (Session, ivr::RequestId) {
    let mut s = Session::start(nodes(HTTP), origin(), vars(&[("caller_number", "+331\"x")]));
    let actions = drain(&mut s);
    let Some(Action::HttpRequest {
        id,
        method,
        url,
        body,
        timeout,
    }) = last_non_log(&actions)
    else {
        panic!("asks: {actions:?}")
    };
    assert_eq!(*method, HttpMethod::Post);
    assert_eq!(url, "https://crm.example/c?n=+331\"x");
    assert_eq!(
        body.as_deref(),
        Some(r#"{"phone":"+331\"x"}"#),
        "quotes are escaped"
    );
    assert_eq!(*timeout, Duration::from_secs(2));
    (s, *id)
}

#[test]
fn http_maps_fields_of_the_answer_into_variables() {
    let (mut s, id) = http_session();
    let body = r#"{"customer":{"name":"Ada","orders":[12,13]}}"#.to_owned();
    s.handle_event(
        origin(),
        Event::HttpResponse {
            id,
            status: 200,
            body,
        },
    );
    assert_eq!(queue_of(&drain(&mut s)), "sales");
    assert_eq!(s.vars().get("name").map(String::as_str), Some("Ada"));
    assert_eq!(s.vars().get("orders").map(String::as_str), Some("12"));
}

#[test]
fn http_takes_the_failure_branch_on_an_error_status() {
    let (mut s, id) = http_session();
    s.handle_event(
        origin(),
        Event::HttpResponse {
            id,
            status: 503,
            body: String::new(),
        },
    );
    assert_eq!(queue_of(&drain(&mut s)), "support");
}

#[test]
fn http_takes_the_failure_branch_when_the_answer_is_not_json() {
    let (mut s, id) = http_session();
    s.handle_event(
        origin(),
        Event::HttpResponse {
            id,
            status: 200,
            body: "<html>".into(),
        },
    );
    assert_eq!(queue_of(&drain(&mut s)), "support");
}

#[test]
fn http_gives_up_by_itself_at_its_timeout_even_if_keys_are_pressed() {
    let (mut s, _) = http_session();
    let deadline = s.poll_timeout().expect("the request has a deadline");
    s.handle_event(origin(), Event::Digit('1'));
    assert_eq!(s.poll_timeout(), Some(deadline));
    s.handle_timeout(deadline);
    let actions = drain(&mut s);
    assert!(actions.contains(&Action::Log(FlowEvent::HttpFailed { node: "ask".into() })));
    assert_eq!(queue_of(&actions), "support");
}

#[test]
fn http_ignores_an_answer_to_another_request() {
    let (mut s, id) = http_session();
    let other = ivr::RequestId(id.0 + 1);
    s.handle_event(origin(), Event::HttpFailed { id: other });
    assert!(drain(&mut s).is_empty());
    assert_eq!(s.current_node(), Some("ask"));
}

#[test]
fn transfer_fills_the_number_and_ends_the_flow() {
    let f = nodes("  t:\n    transfer: \"${manager}\"\n");
    let mut s = Session::start(f, origin(), vars(&[("manager", "+33 1 40 00")]));
    let actions = drain(&mut s);
    assert_eq!(
        last_non_log(&actions),
        Some(&Action::Transfer {
            number: "+3314000".into()
        })
    );
    assert!(s.is_finished());
}

#[test]
fn transfer_to_an_unusable_number_hangs_up() {
    let f = nodes("  t:\n    transfer: \"${manager}\"\n");
    let mut s = Session::start(f, origin(), Vars::new());
    assert_eq!(last_non_log(&drain(&mut s)), Some(&Action::Hangup));
}

#[test]
fn voicemail_records_after_its_prompt() {
    let f = nodes("  v:\n    voicemail: { mailbox: sales, prompt: [goodbye], max: 30s }\n");
    let mut s = Session::start(f, origin(), Vars::new());
    let actions = drain(&mut s);
    s.handle_event(origin(), Event::PromptFinished(played(&actions).unwrap()));
    assert_eq!(
        last_non_log(&drain(&mut s)),
        Some(&Action::Voicemail {
            mailbox: "sales".into(),
            max_duration: Duration::from_secs(30)
        })
    );
    assert!(s.is_finished());
}

const SURVEY: &str = "  q:
    queue: { name: sales, after_call: csat }
  csat:
    survey: { prompt: [menu], retries: 1 }
    next: bye
  bye:
    play: [goodbye]
    next: hangup
";

#[test]
fn a_queue_with_after_call_waits_for_the_agent_then_runs_the_survey() {
    let mut s = Session::start(nodes(SURVEY), origin(), Vars::new());
    assert_eq!(queue_of(&drain(&mut s)), "sales");
    assert!(!s.is_finished());
    keys(&mut s, "3");
    assert_eq!(s.current_node(), Some("q"), "keys in queue are not answers");
    s.handle_event(origin(), Event::AgentHungUp);
    drain(&mut s);
    let actions = keys(&mut s, "4");
    assert!(actions.contains(&Action::SurveyAnswer {
        survey: "csat".into(),
        score: 4
    }));
    assert_eq!(s.current_node(), Some("bye"));
}

#[test]
fn a_survey_refuses_keys_outside_1_to_5_and_stores_nothing_after_its_tries() {
    let mut s = Session::start(nodes(SURVEY), origin(), Vars::new());
    drain(&mut s);
    s.handle_event(origin(), Event::AgentHungUp);
    drain(&mut s);
    let actions = keys(&mut s, "09");
    assert!(
        !actions
            .iter()
            .any(|a| matches!(a, Action::SurveyAnswer { .. }))
    );
    assert_eq!(s.current_node(), Some("bye"));
}

#[test]
fn say_items_become_prompts_with_values_and_unsayable_ones_are_left_out() {
    let f = nodes(
        "  a:
    play: [welcome, { number: \"${n}\" }, { digits: \"${acct}\" }, { date: \"${d}\" }, { number: \"${bad}\" }]
    next: hangup
",
    );
    let mut s = Session::start(
        f,
        origin(),
        vars(&[
            ("n", "1500"),
            ("acct", "12 34"),
            ("d", "2026-12-01"),
            ("bad", "lots"),
        ]),
    );
    let actions = drain(&mut s);
    let Some(Action::Play { prompts, .. }) =
        actions.iter().find(|a| matches!(a, Action::Play { .. }))
    else {
        panic!("plays")
    };
    assert_eq!(
        prompts,
        &[
            Prompt::Recorded("welcome".into()),
            Prompt::Number(1500),
            Prompt::Digits("1234".into()),
            Prompt::Date(ivr::Date::new(2026, 12, 1).unwrap()),
        ]
    );
    assert!(actions.contains(&Action::Log(FlowEvent::PromptSkipped { node: "a".into() })));
}

#[test]
fn condition_reads_the_local_time() {
    let f = nodes(
        "  a:
    condition: { if: 'now.weekday == \"wed\" and now.time < \"12:30\" and now.hour > 9', then: sales, else: support }
  sales:
    queue: sales
  support:
    queue: support
",
    );
    let start = |time: &str| {
        let mut s = Session::start_with_time(
            Arc::clone(&f),
            origin(),
            Vars::new(),
            LocalTime::parse(time),
        );
        queue_of(&drain(&mut s)).to_owned()
    };
    assert_eq!(start("2026-11-25T10:15"), "sales");
    assert_eq!(start("2026-11-25T12:30"), "support");
    assert_eq!(start("2026-11-26T10:15"), "support");
}

#[test]
fn a_reload_serves_new_calls_and_leaves_running_ones_on_their_version() {
    let v1 = "name: t\nlanguage: en\nstart: m\nnodes:\n  m:\n    menu: { prompt: menu, options: { \"1\": q }, on_failure: hangup }\n  q:\n    queue: sales\n";
    let v2 = v1.replace("queue: sales", "queue: support");
    let mut in_service = flow(v1);
    let mut running = Session::start(Arc::clone(&in_service), origin(), Vars::new());
    drain(&mut running);

    let refused = Flow::reload(&mut in_service, "name: t\n", &common::catalog());
    assert!(refused.is_err());
    Flow::reload(&mut in_service, &v2, &common::catalog()).unwrap();

    assert_eq!(queue_of(&keys(&mut running, "1")), "sales");
    let mut new_call = Session::start(in_service, origin(), Vars::new());
    drain(&mut new_call);
    assert_eq!(queue_of(&keys(&mut new_call, "1")), "support");
}
