//! Loading flows: the demo loads; bad flows are refused with every error, each at its place.

mod common;

use std::time::Duration;

use common::{DEMO, catalog, errors, flow};
use ivr::{AnyNames, Dest, Flow, FlowError, KnownNames, NodeKind, PromptItem};

fn bad(name: &str) -> &'static str {
    match name {
        "references" => include_str!("flows/bad/references.yaml"),
        "fields" => include_str!("flows/bad/fields.yaml"),
        "values" => include_str!("flows/bad/values.yaml"),
        "graph" => include_str!("flows/bad/graph.yaml"),
        "syntax" => include_str!("flows/bad/syntax.yaml"),
        _ => panic!("no such test flow"),
    }
}

#[test]
fn demo_flow_loads_with_its_settings() {
    let demo = flow(DEMO);
    assert_eq!(demo.name(), "demo");
    assert_eq!(demo.language(), "en");
    let names: Vec<&str> = demo.nodes().iter().map(|n| n.name()).collect();
    assert_eq!(names, ["welcome", "main", "sales", "support", "goodbye"]);
    assert_eq!(demo.start(), demo.find("welcome").unwrap());

    let main = demo.node(demo.find("main").unwrap()).unwrap();
    assert_eq!(main.position().line, 8);
    let NodeKind::Menu(menu) = main.kind() else {
        panic!("main is a menu")
    };
    assert_eq!(menu.timeout, Duration::from_secs(5));
    assert_eq!(menu.retries, 2);
    assert_eq!(menu.prompt, [PromptItem::Recorded("menu".into())]);
    assert_eq!(
        menu.options[&'1'].dest,
        Dest::Node(demo.find("sales").unwrap())
    );
    assert_eq!(
        menu.options[&'2'].dest,
        Dest::Node(demo.find("support").unwrap())
    );
    assert_eq!(
        menu.on_failure.dest,
        Dest::Node(demo.find("goodbye").unwrap())
    );

    let support = demo.node(demo.find("support").unwrap()).unwrap();
    let NodeKind::Queue(queue) = support.kind() else {
        panic!("support is a queue")
    };
    assert_eq!((&*queue.name, queue.priority), ("support", Some(0)));

    let goodbye = demo.node(demo.find("goodbye").unwrap()).unwrap();
    let NodeKind::Play(play) = goodbye.kind() else {
        panic!("goodbye plays")
    };
    assert_eq!(play.next.dest, Dest::Hangup);
    assert!(!play.barge_in);
}

#[test]
fn the_docs_first_example_is_the_demo_flow() {
    let doc = include_str!("../../../docs/ivr.md");
    let start = doc.find("```yaml\n").unwrap() + "```yaml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    assert_eq!(&doc[start..end], DEMO);
}

#[test]
fn the_docs_describe_every_node_kind() {
    let doc = include_str!("../../../docs/ivr.md");
    let kinds = [
        "play",
        "menu",
        "collect",
        "set",
        "condition",
        "hours",
        "language",
        "http",
        "goto",
        "queue",
        "transfer",
        "voicemail",
        "survey",
        "hangup",
    ];
    for kind in kinds {
        assert!(
            doc.contains(&format!("\n### `{kind}`\n")),
            "no section for {kind}"
        );
    }
}

#[test]
fn unknown_links_are_reported_with_suggestions_and_no_cascade() {
    assert_eq!(
        errors(bad("references")),
        [
            "line 7, column 11: node \"welcome\" continues to unknown node \"mian\" (did you mean \"main\"?)",
            "line 11, column 35: node \"main\" sends \"3\" to unknown node \"billing\"",
            "line 12, column 19: node \"main\" sends failures to unknown node \"goodby\"",
        ]
    );
}

#[test]
fn unknown_missing_and_doubled_fields_and_kinds_are_all_reported() {
    assert_eq!(
        errors(bad("fields")),
        [
            "line 4, column 1: unknown field \"colour\" in the flow",
            "line 6, column 3: play node \"welcome\" is missing \"next\"",
            "line 8, column 5: unknown field \"nxt\" in play node \"welcome\" (did you mean \"next\"?)",
            "line 10, column 5: menu in node \"main\" is missing \"on_failure\"",
            "line 12, column 7: unknown field \"timout\" in menu in node \"main\" (did you mean \"timeout\"?)",
            "line 15, column 5: unknown node kind \"queu\" in node \"sales\" (did you mean \"queue\"?)",
            "line 18, column 5: node \"both\" has more than one kind: \"play\" and \"goto\"",
        ]
    );
}

#[test]
fn bad_values_missing_prompts_and_unknown_queues_are_all_reported() {
    let catalog = KnownNames::new()
        .with_prompts("en", ["menu"])
        .with_queues(["sales", "support"]);
    let errors: Vec<String> = Flow::load(bad("values"), &catalog)
        .unwrap_err()
        .into_iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        errors,
        [
            "line 7, column 22: prompt \"unrecorded\" is not recorded in language \"en\"",
            "line 8, column 16: \"timeout\" of node \"main\" must be between 1s and 60s, not 90s",
            "line 9, column 16: \"retries\" of node \"main\" must be a whole number from 0 to 9, not 12",
            "line 10, column 30: option \"12\" of node \"main\" is not a phone key (0-9, *, #, A-D)",
            "line 10, column 45: option \"x\" of node \"main\" is not a phone key (0-9, *, #, A-D)",
            "line 13, column 12: queue \"salse\" does not exist",
            "line 15, column 39: \"priority\" of node \"support\" must be a whole number from 0 to 100, not 500",
        ]
    );
}

#[test]
fn unreachable_nodes_and_loops_without_input_are_reported() {
    assert_eq!(
        errors(bad("graph")),
        [
            "line 8, column 3: loop without input: a caller who presses nothing goes round \"main\" → \"sorry\" → \"main\" forever",
            "line 18, column 3: node \"orphan\" is never reached from the start node \"welcome\"",
            "line 21, column 3: node \"spin\" is never reached from the start node \"welcome\"",
            "line 21, column 3: loop without input: a caller who presses nothing goes round \"spin\" → \"spin\" forever",
        ]
    );
}

#[test]
fn yaml_syntax_error_is_reported_at_its_place() {
    assert_eq!(
        errors(bad("syntax")),
        ["line 7, column 9: YAML syntax: illegal placement of ':' indicator"]
    );
}

#[test]
fn error_fields_match_the_display() {
    let errors = Flow::load(bad("references"), &catalog()).unwrap_err();
    assert_eq!(
        errors.errors()[1],
        FlowError {
            line: 11,
            column: 35,
            message: "node \"main\" sends \"3\" to unknown node \"billing\"".into(),
        }
    );
}

#[test]
fn loop_through_a_menu_option_is_accepted() {
    let source = "name: x\nlanguage: en\nstart: main\nnodes:\n  main:\n    menu:\n      prompt: menu\n      options: { \"9\": again, \"*\": main }\n      on_failure: hangup\n  again:\n    play: menu\n    next: main\n";
    flow(source);
}

#[test]
fn hangup_is_a_reserved_node_name() {
    let source =
        "name: x\nlanguage: en\nstart: a\nnodes:\n  a:\n    goto: hangup\n  hangup:\n    hangup:\n";
    assert_eq!(
        errors(source),
        [
            "line 7, column 3: \"hangup\" is the built-in target that ends the call; give this node another name"
        ]
    );
}

#[test]
fn a_node_defined_twice_is_reported_with_the_first_line() {
    let source =
        "name: x\nlanguage: en\nstart: a\nnodes:\n  a:\n    goto: hangup\n  a:\n    goto: hangup\n";
    assert_eq!(
        errors(source),
        ["line 7, column 3: node \"a\" appears twice in \"nodes\" (first on line 5)"]
    );
}

#[test]
fn an_empty_node_is_reported_at_its_name() {
    let source = "name: x\nlanguage: en\nstart: a\nnodes:\n  a:\n    goto: b\n  b:\n";
    assert_eq!(
        errors(source),
        ["line 7, column 3: node \"b\" must be a mapping of fields, not nothing"]
    );
}

#[test]
fn missing_top_level_fields_are_all_reported() {
    assert_eq!(
        errors("name: x\n"),
        [
            "line 1, column 1: the flow is missing \"language\"",
            "line 1, column 1: the flow is missing \"start\"",
            "line 1, column 1: the flow is missing \"nodes\"",
        ]
    );
}

#[test]
fn durations_need_a_unit() {
    let source = "name: x\nlanguage: en\nstart: a\nnodes:\n  a:\n    menu:\n      prompt: menu\n      timeout: 5\n      options: { \"1\": hangup }\n      on_failure: hangup\n";
    assert_eq!(
        errors(source),
        ["line 8, column 16: \"timeout\" of node \"a\" must be a duration such as 5s or 1500ms"]
    );
}

#[test]
fn prompts_are_checked_in_the_flows_language() {
    let source =
        "name: x\nlanguage: fr\nstart: a\nnodes:\n  a:\n    play: welcome\n    next: hangup\n";
    assert_eq!(
        errors(source),
        ["line 6, column 11: prompt \"welcome\" is not recorded in language \"fr\""]
    );
    assert!(Flow::load(source, &AnyNames).is_ok());
}

#[test]
fn oversized_files_are_refused_before_parsing() {
    let source = "#".repeat(ivr::MAX_FLOW_BYTES + 1);
    assert_eq!(errors(&source).len(), 1);
}
