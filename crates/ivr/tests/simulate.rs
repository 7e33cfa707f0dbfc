//! Walking a flow without a call.

mod common;

use common::{DEMO, flow, origin};
use ivr::{Outcome, Vars, simulate};

fn path(digits: &[char]) -> (Vec<String>, Outcome, Vec<char>) {
    let run = simulate(flow(DEMO), digits, Vars::new(), origin());
    let path = run.path.iter().map(|n| n.to_string()).collect();
    (path, run.outcome, run.unused_digits)
}

#[test]
fn key_1_reaches_sales() {
    let (path, outcome, unused) = path(&['1']);
    assert_eq!(path, ["welcome", "main", "sales"]);
    assert_eq!(
        outcome,
        Outcome::Queued {
            queue: "sales".into(),
            priority: None
        }
    );
    assert!(unused.is_empty());
}

#[test]
fn a_wrong_key_then_2_reaches_support() {
    let (path, outcome, _) = path(&['9', '2']);
    assert_eq!(path, ["welcome", "main", "support"]);
    assert_eq!(
        outcome,
        Outcome::Queued {
            queue: "support".into(),
            priority: Some(0)
        }
    );
}

#[test]
fn silence_ends_in_goodbye_and_hangup() {
    let (path, outcome, _) = path(&[]);
    assert_eq!(path, ["welcome", "main", "goodbye"]);
    assert_eq!(outcome, Outcome::HungUp);
}

#[test]
fn keys_left_after_the_end_are_reported() {
    let (_, _, unused) = path(&['1', '2']);
    assert_eq!(unused, ['2']);
}

#[test]
fn the_walk_prints_one_line_per_step() {
    let run = simulate(flow(DEMO), &['1'], Vars::new(), origin());
    assert_eq!(
        run.to_string(),
        "  ivr_entered flow=demo\n\
         → welcome\n  play welcome, call-recorded [en]\n\
         → main\n  play menu [en, barge-in]\n  digit digit=1\n  menu_choice node=main option=1\n\
         → sales\n  queue sales\noutcome: queued on sales"
    );
}

#[test]
fn the_path_prints_one_line_per_node_with_what_happened_there() {
    let run = simulate(flow(DEMO), &['1'], Vars::new(), origin());
    assert_eq!(
        run.lines(),
        [
            "welcome: play welcome, call-recorded [en]",
            "main: play menu [en, barge-in]; key 1; choice 1",
            "sales: queue sales",
        ]
    );
}
