//! Properties: loading never panics whatever the input, and a refused flow says where; a session
//! never panics and never spins whatever happens on the call, and a caller who then stays silent
//! always leaves the flow (queue, hangup, transfer, voicemail).

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use common::{DEMO, catalog, origin};
use ivr::{
    Action, AnyNames, Date, Event, Flow, FlowErrors, LocalTime, PlayId, RequestId, Session, Vars,
};

const EXAMPLE: &str = include_str!("../../../docs/ivr-example.yaml");

/// Most actions one event may cause: far above any real step, far below a spin.
const MAX_ACTIONS_PER_EVENT: usize = 2_000;
use proptest::prelude::*;

/// Errors, when there are some, point inside the file.
fn check_positions(source: &str, result: Result<Flow, FlowErrors>) -> Result<(), TestCaseError> {
    if let Err(errors) = result {
        prop_assert!(!errors.errors().is_empty());
        let lines = source.lines().count() + 1;
        for e in errors.errors() {
            prop_assert!(
                e.line >= 1 && e.line <= lines,
                "{e} (file has {lines} lines)"
            );
            prop_assert!(e.column >= 1, "{e}");
        }
    }
    Ok(())
}

/// Edits that turn a valid flow into a plausible broken one.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    Replace { at: usize, c: char },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let snippet = prop_oneof![
        Just(":".to_owned()),
        Just(" ".to_owned()),
        Just("\n".to_owned()),
        Just("  ".to_owned()),
        Just("\t".to_owned()),
        Just("- ".to_owned()),
        Just("{".to_owned()),
        Just("]".to_owned()),
        Just("\"".to_owned()),
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("!!str ".to_owned()),
        Just("---\n".to_owned()),
        Just("hangup".to_owned()),
        Just("main".to_owned()),
        "[a-z0-9#*]{1,6}",
    ];
    prop_oneof![
        (any::<usize>(), 1usize..20).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), snippet).prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<usize>(), any::<char>()).prop_map(|(at, c)| Mutation::Replace { at, c }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
    ]
}

fn apply(source: &str, mutation: &Mutation) -> String {
    let mut chars: Vec<char> = source.chars().collect();
    let mut lines: Vec<&str> = source.lines().collect();
    match mutation {
        Mutation::Delete { at, len } => {
            let at = at % (chars.len() + 1);
            let end = (at + len).min(chars.len());
            chars.drain(at..end);
        }
        Mutation::Insert { at, text } => {
            let at = at % (chars.len() + 1);
            chars.splice(at..at, text.chars());
        }
        Mutation::Replace { at, c } => {
            if !chars.is_empty() {
                let at = at % chars.len();
                chars[at] = *c;
            }
        }
        Mutation::DuplicateLine { line } => {
            let line = line % lines.len();
            lines.insert(line, lines[line]);
            return lines.join("\n");
        }
        Mutation::SwapLines { a, b } => {
            let (a, b) = (a % lines.len(), b % lines.len());
            lines.swap(a, b);
            return lines.join("\n");
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #[test]
    fn loading_arbitrary_text_never_panics(source in any::<String>()) {
        check_positions(&source, Flow::load(&source, &catalog()))?;
    }

    #[test]
    fn loading_yaml_like_text_never_panics(source in "[a-z0-9:{}\\[\\],\"' \n#&*!|>-]{0,300}") {
        check_positions(&source, Flow::load(&source, &catalog()))?;
    }

    #[test]
    fn loading_a_mutated_valid_flow_never_panics(mutations in prop::collection::vec(mutation(), 1..6)) {
        let source = mutations.iter().fold(DEMO.to_owned(), |s, m| apply(&s, m));
        check_positions(&source, Flow::load(&source, &catalog()))?;
    }

    #[test]
    fn a_mutated_example_loads_or_is_refused_with_positions(
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let source = mutations.iter().fold(EXAMPLE.to_owned(), |s, m| apply(&s, m));
        check_positions(&source, Flow::load(&source, &AnyNames))?;
    }
}

// ---- Generated valid flows ----

const KEYS: &[char] = &[
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D',
];
const MAX_NODES: usize = 8;
const MAX_RETRIES: u32 = 3;

/// A node with raw numbers for its links; `render` maps them so that links taken without a key
/// press only go forward (no silent loop), while menu options may go anywhere.
#[derive(Debug, Clone)]
enum Shape {
    Play {
        barge_in: bool,
        next: usize,
    },
    Menu {
        options: Vec<(usize, usize)>,
        on_failure: usize,
        retries: u32,
        error_prompts: bool,
    },
    Goto(usize),
    Queue(Option<u8>),
    Hangup,
    Collect {
        next: usize,
        on_invalid: usize,
        on_timeout: usize,
        luhn: bool,
    },
    Set(usize),
    Condition {
        test: usize,
        then: usize,
        otherwise: usize,
    },
    Hours {
        open: usize,
        closed: usize,
    },
    Language(usize),
    Http {
        next: usize,
        on_failure: usize,
    },
    /// A queue that continues after the call, to `after_call`.
    QueueThen(usize),
    Survey(usize),
    Transfer,
    Voicemail,
}

/// Conditions for generated `condition` nodes.
const TESTS: &[&str] = &[
    "caller_number starts_with \"+33\"",
    "x == 1 or not (now.hour < 12)",
    "name",
    "now.weekday == \"sat\" and x > -3",
];

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        (any::<bool>(), any::<usize>()).prop_map(|(barge_in, next)| Shape::Play { barge_in, next }),
        (
            prop::collection::vec((any::<usize>(), any::<usize>()), 1..5),
            any::<usize>(),
            0..=MAX_RETRIES,
            any::<bool>()
        )
            .prop_map(
                |(options, on_failure, retries, error_prompts)| Shape::Menu {
                    options,
                    on_failure,
                    retries,
                    error_prompts
                }
            ),
        any::<usize>().prop_map(Shape::Goto),
        prop::option::of(0u8..=100).prop_map(Shape::Queue),
        Just(Shape::Hangup),
        (
            any::<usize>(),
            any::<usize>(),
            any::<usize>(),
            any::<bool>()
        )
            .prop_map(|(next, on_invalid, on_timeout, luhn)| Shape::Collect {
                next,
                on_invalid,
                on_timeout,
                luhn
            }),
        any::<usize>().prop_map(Shape::Set),
        (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(test, then, otherwise)| {
            Shape::Condition {
                test,
                then,
                otherwise,
            }
        }),
        (any::<usize>(), any::<usize>()).prop_map(|(open, closed)| Shape::Hours { open, closed }),
        any::<usize>().prop_map(Shape::Language),
        (any::<usize>(), any::<usize>())
            .prop_map(|(next, on_failure)| Shape::Http { next, on_failure }),
        any::<usize>().prop_map(Shape::QueueThen),
        any::<usize>().prop_map(Shape::Survey),
        Just(Shape::Transfer),
        Just(Shape::Voicemail),
    ]
}

/// The YAML of a flow whose nodes are `shapes`, keeping only nodes reachable from the first.
fn render(shapes: &[Shape]) -> String {
    let n = shapes.len();
    // Index `n` stands for the built-in `hangup`.
    let forward = |i: usize, raw: usize| i + 1 + raw % (n - i);
    // A menu's options with their keys, the first of each key kept.
    let keyed = |options: &[(usize, usize)]| -> Vec<(char, usize)> {
        let mut used = BTreeSet::new();
        options
            .iter()
            .map(|&(key, to)| (KEYS[key % KEYS.len()], to % (n + 1)))
            .filter(|&(key, _)| used.insert(key))
            .collect()
    };
    let links = |i: usize| -> Vec<usize> {
        match &shapes[i] {
            Shape::Play { next, .. } => vec![forward(i, *next)],
            Shape::Goto(to) => vec![forward(i, *to)],
            Shape::Menu {
                options,
                on_failure,
                ..
            } => keyed(options)
                .into_iter()
                .map(|(_, to)| to)
                .chain([forward(i, *on_failure)])
                .collect(),
            Shape::Collect {
                next,
                on_invalid,
                on_timeout,
                ..
            } => vec![
                next % (n + 1),
                on_invalid % (n + 1),
                forward(i, *on_timeout),
            ],
            Shape::Set(next) | Shape::Language(next) | Shape::Survey(next) => {
                vec![forward(i, *next)]
            }
            Shape::Condition {
                then, otherwise, ..
            } => vec![forward(i, *then), forward(i, *otherwise)],
            Shape::Hours { open, closed } => vec![forward(i, *open), forward(i, *closed)],
            Shape::Http { next, on_failure } => vec![forward(i, *next), forward(i, *on_failure)],
            Shape::QueueThen(after) => vec![forward(i, *after)],
            Shape::Queue(_) | Shape::Hangup | Shape::Transfer | Shape::Voicemail => vec![],
        }
    };
    let mut reached = BTreeSet::from([0]);
    let mut todo = vec![0];
    while let Some(i) = todo.pop() {
        for to in links(i) {
            if to < n && reached.insert(to) {
                todo.push(to);
            }
        }
    }
    let name = |i: usize| {
        if i == n {
            "hangup".to_owned()
        } else {
            format!("n{i}")
        }
    };
    let mut out = String::from("name: generated\nlanguage: en\nstart: n0\nnodes:\n");
    for &i in &reached {
        let _ = writeln!(out, "  n{i}:");
        match &shapes[i] {
            Shape::Play { barge_in, .. } => {
                let _ = writeln!(
                    out,
                    "    play: {{ prompts: [welcome], barge_in: {barge_in} }}"
                );
                let _ = writeln!(out, "    next: {}", name(links(i)[0]));
            }
            Shape::Goto(_) => {
                let _ = writeln!(out, "    goto: {}", name(links(i)[0]));
            }
            Shape::Menu {
                options,
                on_failure,
                retries,
                error_prompts,
            } => {
                let _ = writeln!(
                    out,
                    "    menu:\n      prompt: [menu]\n      timeout: 2s\n      retries: {retries}"
                );
                if *error_prompts {
                    let _ = writeln!(
                        out,
                        "      invalid_prompt: invalid-option\n      no_input_prompt: no-input"
                    );
                }
                let _ = writeln!(out, "      options:");
                for (key, to) in keyed(options) {
                    let _ = writeln!(out, "        \"{key}\": {}", name(to));
                }
                let _ = writeln!(out, "      on_failure: {}", name(forward(i, *on_failure)));
            }
            Shape::Queue(Some(p)) => {
                let _ = writeln!(out, "    queue: {{ name: sales, priority: {p} }}");
            }
            Shape::Queue(None) => {
                let _ = writeln!(out, "    queue: support");
            }
            Shape::Hangup => {
                let _ = writeln!(out, "    hangup:");
            }
            Shape::Collect { luhn, .. } => {
                let l = links(i);
                let validate = if *luhn {
                    "luhn"
                } else {
                    "{ regex: \"[0-9]*\" }"
                };
                let _ = writeln!(
                    out,
                    "    collect:\n      prompt: [menu]\n      into: x\n      min: 2\n      max: 5\n      \
                     timeout: 2s\n      validate: {validate}\n      on_invalid: {}\n      on_timeout: {}\n    \
                     next: {}",
                    name(l[1]),
                    name(l[2]),
                    name(l[0])
                );
            }
            Shape::Set(_) => {
                let _ = writeln!(out, "    set: {{ x: \"${{x}}1\", name: Ada }}");
                let _ = writeln!(out, "    next: {}", name(links(i)[0]));
            }
            Shape::Condition { test, .. } => {
                let l = links(i);
                let _ = writeln!(
                    out,
                    "    condition: {{ if: '{}', then: {}, else: {} }}",
                    TESTS[test % TESTS.len()],
                    name(l[0]),
                    name(l[1])
                );
            }
            Shape::Hours { .. } => {
                let l = links(i);
                let _ = writeln!(
                    out,
                    "    hours:\n      when: [{{ days: mon-fri, from: \"09:00\", to: \"17:00\" }}]\n      \
                     holidays: [2026-11-26]\n      open: {}\n      closed: {}",
                    name(l[0]),
                    name(l[1])
                );
            }
            Shape::Language(_) => {
                let _ = writeln!(out, "    language: en\n    next: {}", name(links(i)[0]));
            }
            Shape::Http { .. } => {
                let l = links(i);
                let _ = writeln!(
                    out,
                    "    http:\n      url: \"https://crm.example/${{x}}\"\n      timeout: 1s\n      \
                     map: {{ name: customer.name, x: customer.tier }}\n      on_failure: {}\n    next: {}",
                    name(l[1]),
                    name(l[0])
                );
            }
            Shape::QueueThen(_) => {
                let _ = writeln!(
                    out,
                    "    queue: {{ name: sales, skills: [\"language:en\"], after_call: {} }}",
                    name(links(i)[0])
                );
            }
            Shape::Survey(_) => {
                let _ = writeln!(
                    out,
                    "    survey: {{ prompt: [menu] }}\n    next: {}",
                    name(links(i)[0])
                );
            }
            Shape::Transfer => {
                let _ = writeln!(out, "    transfer: \"${{x}}\"");
            }
            Shape::Voicemail => {
                let _ = writeln!(out, "    voicemail: {{ mailbox: sales, prompt: goodbye }}");
            }
        }
    }
    out
}

/// Something happening on the call.
#[derive(Debug, Clone)]
enum CallEvent {
    Key(char),
    /// The current prompt ends.
    PromptEnds,
    /// A report for some playback, probably not the current one.
    StaleFinish(u64),
    /// Time passes and the server checks the timer.
    Wait(u16),
    /// The web service answers the pending request (or a stale one) with one of `BODIES`.
    HttpAnswer {
        status: u16,
        body: usize,
        stale: bool,
    },
    /// The web service fails.
    HttpFails,
    /// The agent hangs up.
    AgentHangsUp,
    /// The server gives the local time: day of the week from Monday, minute of the day.
    Clock {
        day: u8,
        minute: u16,
    },
}

const BODIES: &[&str] = &[
    r#"{"customer":{"name":"Ada","tier":"gold"}}"#,
    r#"{"customer":null}"#,
    "not json",
    "[1,2,3]",
    "",
];

fn call_event() -> impl Strategy<Value = CallEvent> {
    prop_oneof![
        prop::sample::select(&['0', '1', '2', '5', '9', '*', '#', 'A', 'd', 'x', ' '][..])
            .prop_map(CallEvent::Key),
        Just(CallEvent::PromptEnds),
        (0u64..10).prop_map(CallEvent::StaleFinish),
        any::<u16>().prop_map(CallEvent::Wait),
    ]
}

/// Every kind of event, for flows using every kind of node.
fn rich_call_event() -> impl Strategy<Value = CallEvent> {
    prop_oneof![
        4 => call_event(),
        1 => (prop::sample::select(&[200u16, 204, 404, 500][..]), 0..BODIES.len(), any::<bool>())
            .prop_map(|(status, body, stale)| CallEvent::HttpAnswer { status, body, stale }),
        1 => Just(CallEvent::HttpFails),
        1 => Just(CallEvent::AgentHangsUp),
        1 => (0u8..7, 0u16..1440).prop_map(|(day, minute)| CallEvent::Clock { day, minute }),
    ]
}

/// What the test knows of the session from its actions, checking them as they come.
#[derive(Default)]
struct Observer {
    playing: Option<PlayId>,
    last_play: Option<PlayId>,
    request: Option<RequestId>,
    /// The last action that took the call out of the flow (a queue may be left for a survey).
    exit: Option<Action>,
    terminal: Option<Action>,
}

impl Observer {
    fn take(&mut self, session: &mut Session) -> Result<(), TestCaseError> {
        let mut count = 0;
        while let Some(action) = session.poll_action() {
            count += 1;
            prop_assert!(
                count <= MAX_ACTIONS_PER_EVENT,
                "the session spins: {action:?}"
            );
            prop_assert!(
                self.terminal.is_none(),
                "{action:?} after {:?}",
                self.terminal
            );
            match &action {
                Action::Play { id, .. } => {
                    prop_assert!(self.last_play < Some(*id), "play ids grow");
                    prop_assert!(
                        self.playing.is_none(),
                        "a new play while {:?} plays",
                        self.playing
                    );
                    self.playing = Some(*id);
                    self.last_play = Some(*id);
                }
                Action::StopPlayback { id } => {
                    prop_assert_eq!(self.playing, Some(*id));
                    self.playing = None;
                }
                Action::Queue { .. }
                | Action::Hangup
                | Action::Transfer { .. }
                | Action::Voicemail { .. } => {
                    prop_assert!(
                        self.playing.is_none(),
                        "the flow ends with a prompt playing"
                    );
                    self.exit = Some(action.clone());
                }
                Action::HttpRequest { id, .. } => self.request = Some(*id),
                Action::SurveyAnswer { score, .. } => prop_assert!((1..=5).contains(score)),
                Action::Log(_) => {}
            }
        }
        if session.is_finished() && self.terminal.is_none() {
            prop_assert!(self.exit.is_some(), "finished without leaving the flow");
            self.terminal = self.exit.clone();
        }
        prop_assert_eq!(session.is_finished(), self.terminal.is_some());
        Ok(())
    }
}

/// Plays `events` on a call in `flow`, then keeps silent; the call must end within `bound` steps.
fn run_call(flow: Arc<Flow>, events: &[CallEvent], bound: usize) -> Result<(), TestCaseError> {
    let mut now = origin();
    // Office hours, so a flow with an `hours` node goes on past it.
    let open = LocalTime::parse("2026-11-25T10:00");
    let mut session = Session::start_with_time(flow, now, Vars::new(), open);
    let mut seen = Observer::default();
    seen.take(&mut session)?;
    for event in events {
        match event {
            CallEvent::Key(c) => session.handle_event(now, Event::Digit(*c)),
            CallEvent::PromptEnds => {
                if let Some(id) = seen.playing.take() {
                    session.handle_event(now, Event::PromptFinished(id));
                }
            }
            CallEvent::StaleFinish(id) => {
                if seen.playing != Some(PlayId(*id)) {
                    session.handle_event(now, Event::PromptFinished(PlayId(*id)));
                }
            }
            CallEvent::Wait(ms) => {
                now += Duration::from_millis(u64::from(*ms));
                session.handle_timeout(now);
            }
            CallEvent::HttpAnswer {
                status,
                body,
                stale,
            } => {
                let id = match (seen.request, stale) {
                    (Some(id), false) => id,
                    (Some(id), true) => RequestId(id.0.wrapping_add(7)),
                    (None, _) => RequestId(0),
                };
                let body = BODIES[*body].to_owned();
                session.handle_event(
                    now,
                    Event::HttpResponse {
                        id,
                        status: *status,
                        body,
                    },
                );
            }
            CallEvent::HttpFails => {
                let id = seen.request.unwrap_or(RequestId(0));
                session.handle_event(now, Event::HttpFailed { id });
            }
            CallEvent::AgentHangsUp => session.handle_event(now, Event::AgentHungUp),
            CallEvent::Clock { day, minute } => {
                // 2026-11-23 is a Monday; `day` < 7 and `minute` < 1440 by the strategy.
                let date = Date::new(2026, 11, 23 + day).expect("a date in that week");
                let (hour, minute) = ((minute / 60) as u8, (minute % 60) as u8);
                let time = LocalTime::new(date, hour, minute).expect("a time of day");
                session.set_local_time(time);
            }
        }
        seen.take(&mut session)?;
    }
    for _ in 0..bound {
        if session.is_finished() {
            break;
        }
        if let Some(id) = seen.playing.take() {
            session.handle_event(now, Event::PromptFinished(id));
        } else if let Some(deadline) = session.poll_timeout() {
            // Also how a pending HTTP request ends: the session gives up at its timeout.
            now = now.max(deadline);
            session.handle_timeout(now);
        } else if matches!(seen.exit, Some(Action::Queue { .. })) {
            // Waiting in a queue for the conversation to end (`after_call`).
            session.handle_event(now, Event::AgentHungUp);
        } else {
            prop_assert!(
                false,
                "stuck in {:?}: no prompt playing and no timer",
                session.current_node()
            );
        }
        seen.take(&mut session)?;
    }
    prop_assert!(
        matches!(
            seen.terminal,
            Some(
                Action::Queue { .. }
                    | Action::Hangup
                    | Action::Transfer { .. }
                    | Action::Voicemail { .. }
            )
        ),
        "silent caller still in {:?} after {bound} steps",
        session.current_node()
    );
    Ok(())
}

proptest! {
    #[test]
    fn generated_flows_load_and_every_call_ends_when_the_caller_goes_silent(
        shapes in prop::collection::vec(shape(), 1..=MAX_NODES),
        events in prop::collection::vec(rich_call_event(), 0..40),
    ) {
        let source = render(&shapes);
        let flow = match Flow::load(&source, &catalog()) {
            Ok(flow) => Arc::new(flow),
            Err(errors) => return Err(TestCaseError::fail(format!("{errors}\n{source}"))),
        };
        // Each node on the silent path: a prompt end, then per try a timeout and a re-ask.
        let bound = 2 * MAX_NODES * (MAX_RETRIES as usize + 2);
        run_call(flow, &events, bound)?;
    }

    #[test]
    fn demo_calls_end_whatever_happens_first(events in prop::collection::vec(call_event(), 0..60)) {
        run_call(Arc::new(Flow::load(DEMO, &catalog()).unwrap()), &events, 20)?;
    }

    #[test]
    fn example_calls_never_spin_and_end_whatever_happens_first(
        events in prop::collection::vec(rich_call_event(), 0..80),
    ) {
        let flow = Arc::new(Flow::load(EXAMPLE, &AnyNames).unwrap());
        // Fourteen nodes, each a few prompt ends and timeouts per try.
        run_call(flow, &events, 200)?;
    }
}
