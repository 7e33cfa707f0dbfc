//! Load errors of the newer node kinds: each with its line, column and reason.

mod common;

use common::errors;

fn flow(body: &str) -> String {
    format!("name: t\nlanguage: en\nstart: a\nnodes:\n{body}")
}

#[test]
fn a_condition_that_does_not_parse_points_at_the_fault() {
    let source = flow("  a:\n    condition: { if: 'vip = \"yes\"', then: hangup, else: hangup }\n");
    assert_eq!(
        errors(&source),
        ["line 6, column 27: \"if\" of node \"a\": write \"==\" to compare"]
    );
}

#[test]
fn an_unclosed_variable_points_at_its_dollar() {
    let source = flow("  a:\n    play: [{ tts: \"Hi ${name\" }]\n    next: hangup\n");
    assert_eq!(
        errors(&source),
        ["line 6, column 23: \"tts\" in \"play\" of node \"a\": \"${\" is not closed by \"}\""]
    );
}

#[test]
fn collect_reports_bad_types_and_ranges_together() {
    let source = flow(
        "  a:
    collect:
      prompt: [menu]
      into: 9lives
      min: 5
      max: 4
      validate: { regex: \"[0-9\" }
      terminator: x
      on_invalid: hangup
    next: hangup
",
    );
    let errors = errors(&source);
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(
        errors[0].starts_with("line 8, column 13: \"into\" of node \"a\" must be a variable name"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("line 9, column 12: \"min\" (5) is more than \"max\" (4)"),
        "{errors:?}"
    );
    assert!(
        errors[2].starts_with(
            "line 11, column 17: \"validate\" of node \"a\": the regex does not compile"
        ),
        "{errors:?}"
    );
    assert!(
        errors[3]
            .starts_with("line 12, column 19: \"terminator\" of node \"a\" must be a phone key"),
        "{errors:?}"
    );
}

#[test]
fn hours_report_impossible_days_times_and_dates() {
    let source = flow(
        "  a:
    hours:
      when: [{ days: mon-fry, from: \"18:00\", to: \"09:00\" }]
      holidays: [2026-02-30]
      open: hangup
      closed: hangup
",
    );
    let errors = errors(&source);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].starts_with("line 7, column 22: \"days\""),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with(
            "line 7, column 50: in \"when\" of node \"a\", \"to\" must come after \"from\""
        ),
        "{errors:?}"
    );
    assert!(
        errors[2].starts_with("line 8, column 18: \"holidays\" of node \"a\" must list dates"),
        "{errors:?}"
    );
}

#[test]
fn http_reports_a_bad_method_url_and_map() {
    let source = flow(
        "  a:
    http:
      method: FETCH
      url: ftp://x
      map: [name]
      on_failure: hangup
    next: hangup
",
    );
    let errors = errors(&source);
    assert_eq!(
        errors,
        [
            "line 7, column 15: \"method\" of node \"a\" must be GET, POST or PUT",
            "line 8, column 12: \"url\" of node \"a\" must start with http:// or https://",
            "line 9, column 12: \"map\" of node \"a\" must be a mapping of names to values",
        ]
    );
}

#[test]
fn a_loop_through_http_and_condition_without_input_is_refused() {
    let source = flow(
        "  a:
    http: { url: \"https://x\", on_failure: b }
    next: b
  b:
    condition: { if: 'x == 1', then: a, else: hangup }
",
    );
    assert_eq!(
        errors(&source),
        [
            "line 5, column 3: loop without input: a caller who presses nothing goes round \"a\" → \"b\" → \"a\" forever"
        ]
    );
}

#[test]
fn a_loop_back_from_a_collect_entry_is_allowed() {
    let source = flow(
        "  a:
    collect: { prompt: [menu], into: x, on_invalid: hangup }
    next: a
",
    );
    assert!(ivr::Flow::load(&source, &common::catalog()).is_ok());
}

#[test]
fn an_unknown_kind_and_an_unknown_prompt_kind_are_named() {
    let source = flow(
        "  a:
    colect: {}
  b:
    play: [{ speak: hi }]
    next: hangup
",
    );
    let errors = errors(&source);
    assert!(errors[0].starts_with("line 6, column 5: unknown node kind \"colect\" in node \"a\" (did you mean \"collect\"?)"), "{errors:?}");
    assert!(
        errors[1].starts_with("line 8, column 14: unknown prompt kind \"speak\""),
        "{errors:?}"
    );
}

#[test]
fn a_transfer_to_words_is_refused() {
    let source = flow("  a:\n    transfer: the manager\n");
    assert_eq!(
        errors(&source),
        [
            "line 6, column 15: node \"a\" transfers to \"the manager\", which is not a phone number (digits, a leading +, * and #)"
        ]
    );
}

#[test]
fn every_bad_range_of_hours_is_reported_not_just_the_first() {
    let source = flow(
        "  a:
    hours:
      when:
        - { days: someday, from: \"09:00\", to: \"12:00\" }
        - { days: mon, from: \"25:00\", to: \"12:00\" }
      open: hangup
      closed: hangup
",
    );
    let errors = errors(&source);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("line 8, column 19: \"days\""),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("line 9, column 30: \"from\""),
        "{errors:?}"
    );
}

#[test]
fn a_regex_that_would_compile_too_large_is_refused() {
    let source = flow(
        "  a:
    collect: { prompt: [menu], into: x, validate: { regex: \"(a{100}){100}\" }, on_invalid: hangup }
    next: hangup
",
    );
    let errors = errors(&source);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("the regex does not compile"),
        "{errors:?}"
    );
}
