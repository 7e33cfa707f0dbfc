//! Properties: loading never panics whatever the input; a session never panics whatever happens
//! on the call, and a caller who then stays silent always ends in a queue or a hangup.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use common::{DEMO, catalog, origin};
use ivr::{Action, Event, Flow, FlowErrors, PlayId, Session, Vars};
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
}

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
            Shape::Queue(_) | Shape::Hangup => vec![],
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
}

fn call_event() -> impl Strategy<Value = CallEvent> {
    prop_oneof![
        prop::sample::select(&['0', '1', '2', '5', '9', '*', '#', 'A', 'd', 'x', ' '][..])
            .prop_map(CallEvent::Key),
        Just(CallEvent::PromptEnds),
        (0u64..10).prop_map(CallEvent::StaleFinish),
        any::<u16>().prop_map(CallEvent::Wait),
    ]
}

/// What the test knows of the session from its actions, checking them as they come.
#[derive(Default)]
struct Observer {
    playing: Option<PlayId>,
    last_play: Option<PlayId>,
    terminal: Option<Action>,
}

impl Observer {
    fn take(&mut self, session: &mut Session) -> Result<(), TestCaseError> {
        while let Some(action) = session.poll_action() {
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
                    self.terminal = Some(action.clone());
                }
                Action::HttpRequest { .. } | Action::SurveyAnswer { .. } | Action::Log(_) => {}
            }
        }
        prop_assert_eq!(session.is_finished(), self.terminal.is_some());
        Ok(())
    }
}

/// Plays `events` on a call in `flow`, then keeps silent; the call must end within `bound` steps.
fn run_call(flow: Arc<Flow>, events: &[CallEvent], bound: usize) -> Result<(), TestCaseError> {
    let mut now = origin();
    let mut session = Session::start(flow, now, Vars::new());
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
            now = now.max(deadline);
            session.handle_timeout(now);
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
        matches!(seen.terminal, Some(Action::Queue { .. } | Action::Hangup)),
        "silent caller still in {:?} after {bound} steps",
        session.current_node()
    );
    Ok(())
}

proptest! {
    #[test]
    fn generated_flows_load_and_every_call_ends_when_the_caller_goes_silent(
        shapes in prop::collection::vec(shape(), 1..=MAX_NODES),
        events in prop::collection::vec(call_event(), 0..40),
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
}
