use super::*;

const SALES: &str = r#"
pages:
  - id: greet
    text: "Hello {customer.first_name}, this is {agent.name}."
    questions:
      - key: reason
        label: "What is the call about, {customer.first_name}?"
        type: choice
        saves_to: call_reason
        options:
          - { value: upgrade, label: "Upgrade {customer.plan}", next: offer }
          - { value: billing, label: Billing, next: billing }
          - { value: other, label: Other }
    next: wrap
  - id: offer
    text: Present the Gold plan.
    questions:
      - { key: accepted, label: Accepted?, type: yes_no, saves_to: sale }
      - { key: lines, label: How many lines?, type: number }
    next: wrap
  - id: billing
    text: Check the last invoice.
    questions:
      - { key: invoice, label: Invoice number, type: text, saves_to: invoice_no }
    next: wrap
  - id: wrap
    text: Anything else?
"#;

fn sales() -> Arc<Script> {
    Arc::new(Script::from_yaml(SALES).unwrap())
}

fn vars() -> BTreeMap<String, String> {
    BTreeMap::from([("customer.first_name".to_owned(), "Ada".to_owned())])
}

#[test]
fn a_choice_branches_and_answers_land_in_ticket_fields() {
    let mut run = ScriptRun::start(sales());
    assert_eq!(
        run.answer("reason", "upgrade"),
        Ok(Step::Page("offer".into()))
    );
    assert_eq!(run.answer("accepted", "yes"), Ok(Step::Stay));
    assert_eq!(run.answer("lines", "2"), Ok(Step::Page("wrap".into())));
    assert_eq!(run.proceed(), Ok(Step::Finished));
    assert!(run.is_finished());
    assert_eq!(run.path(), ["greet", "offer", "wrap"]);
    let fields = run.ticket_fields();
    assert_eq!(
        fields[&FieldKey::new("call_reason").unwrap()],
        AnswerValue::Choice("upgrade".into())
    );
    assert_eq!(
        fields[&FieldKey::new("sale").unwrap()],
        AnswerValue::YesNo(true)
    );
    assert_eq!(fields.len(), 2);
    assert_eq!(run.answers().len(), 3);
    assert_eq!(run.answers()[2].value, AnswerValue::Number(2.0));
}

#[test]
fn an_option_without_a_link_follows_the_pages_next() {
    let mut run = ScriptRun::start(sales());
    assert_eq!(run.answer("reason", "other"), Ok(Step::Page("wrap".into())));
}

#[test]
fn a_page_without_next_finishes_the_run() {
    let mut run = ScriptRun::start(sales());
    run.answer("reason", "billing").unwrap();
    run.answer("invoice", "F-2026-001").unwrap();
    assert_eq!(run.proceed(), Ok(Step::Finished));
    assert_eq!(run.answer("reason", "other"), Err(ScriptError::Finished));
    assert_eq!(run.render(&vars()), None);
}

#[test]
fn answering_again_on_the_same_page_replaces_the_answer() {
    let mut run = ScriptRun::start(sales());
    run.answer("reason", "upgrade").unwrap();
    run.answer("accepted", "yes").unwrap();
    run.answer("accepted", "no").unwrap();
    assert_eq!(run.answers().len(), 2);
    assert_eq!(run.answers()[1].value, AnswerValue::YesNo(false));
}

#[test]
fn proceeding_with_unanswered_questions_names_them() {
    let mut run = ScriptRun::start(sales());
    run.answer("reason", "upgrade").unwrap();
    run.answer("lines", "1").unwrap();
    assert_eq!(
        run.proceed(),
        Err(ScriptError::Unanswered {
            page: "offer".into(),
            keys: vec!["accepted".into()]
        })
    );
}

#[test]
fn answers_must_fit_their_question_and_page() {
    let mut run = ScriptRun::start(sales());
    assert!(matches!(
        run.answer("reason", "refund"),
        Err(ScriptError::BadAnswer { .. })
    ));
    assert!(matches!(
        run.answer("accepted", "yes"),
        Err(ScriptError::NotOnPage { .. })
    ));
    run.answer("reason", "upgrade").unwrap();
    assert!(matches!(
        run.answer("lines", "two"),
        Err(ScriptError::BadAnswer { .. })
    ));
    assert!(matches!(
        run.answer("lines", "inf"),
        Err(ScriptError::BadAnswer { .. })
    ));
    assert!(matches!(
        run.answer("accepted", "maybe"),
        Err(ScriptError::BadAnswer { .. })
    ));
    assert_eq!(run.path(), ["greet", "offer"]);
}

#[test]
fn rendering_substitutes_text_labels_and_options() {
    let run = ScriptRun::start(sales());
    let page = run.render(&vars()).unwrap();
    assert_eq!(page.text, "Hello Ada, this is {?agent.name}.");
    assert_eq!(page.questions[0].label, "What is the call about, Ada?");
    let QuestionKind::Choice { options } = &page.questions[0].kind else {
        panic!()
    };
    assert_eq!(options[0].label, "Upgrade {?customer.plan}");
}

#[test]
fn json_and_yaml_give_the_same_script() {
    let json = serde_json::to_string(&*sales()).unwrap();
    assert_eq!(Script::from_json(&json).unwrap(), *sales());
}

fn load_error(yaml: &str) -> ScriptError {
    Script::from_yaml(yaml).unwrap_err()
}

#[test]
fn links_to_missing_pages_are_refused_naming_the_page() {
    let e = load_error("pages:\n- {id: a, text: x, next: b}\n");
    assert_eq!(
        e,
        ScriptError::UnknownTarget {
            page: "a".into(),
            target: "b".into()
        }
    );
    let e = load_error(
        "pages:\n- id: a\n  text: x\n  questions:\n  - {key: q, label: Q, type: choice, options: [{value: v, label: V, next: zz}]}\n",
    );
    assert_eq!(
        e,
        ScriptError::UnknownTarget {
            page: "a".into(),
            target: "zz".into()
        }
    );
}

#[test]
fn unreachable_pages_are_refused() {
    let e = load_error("pages:\n- {id: a, text: x}\n- {id: b, text: y}\n");
    assert_eq!(e, ScriptError::Unreachable("b".into()));
}

#[test]
fn duplicate_ids_and_keys_are_refused() {
    assert_eq!(
        load_error("pages:\n- {id: a, text: x, next: a}\n- {id: a, text: y}\n"),
        ScriptError::DuplicatePage("a".into())
    );
    let e = load_error(
        "pages:\n- id: a\n  text: x\n  next: b\n  questions: [{key: q, label: Q, type: text}]\n- id: b\n  text: y\n  questions: [{key: q, label: Q, type: number}]\n",
    );
    assert_eq!(
        e,
        ScriptError::BadQuestionKey {
            page: "b".into(),
            key: "q".into()
        }
    );
}

#[test]
fn malformed_choices_and_ids_are_refused() {
    let e = load_error(
        "pages:\n- id: a\n  text: x\n  questions: [{key: q, label: Q, type: choice, options: []}]\n",
    );
    assert!(matches!(e, ScriptError::BadOptions { .. }));
    let e = load_error(
        "pages:\n- id: a\n  text: x\n  questions: [{key: q, label: Q, type: choice, options: [{value: v, label: A}, {value: v, label: B}]}]\n",
    );
    assert!(matches!(e, ScriptError::BadOptions { .. }));
    assert_eq!(
        load_error("pages:\n- {id: 'a b', text: x}\n"),
        ScriptError::BadPageId("a b".into())
    );
    assert_eq!(load_error("pages: []\n"), ScriptError::NoPages);
    assert!(matches!(load_error("pages: {"), ScriptError::Syntax(_)));
    assert!(matches!(
        load_error("pages:\n- id: a\n  text: x\n  questions: [{key: q, label: Q, type: rating}]\n"),
        ScriptError::Syntax(_)
    ));
}

#[test]
fn a_looping_script_stops_at_the_path_limit() {
    let script =
        Arc::new(Script::from_json(r#"{"pages":[{"id":"a","text":"again","next":"a"}]}"#).unwrap());
    let mut run = ScriptRun::start(script);
    for _ in 1..MAX_PATH {
        assert_eq!(run.proceed(), Ok(Step::Page("a".into())));
    }
    assert_eq!(run.proceed(), Err(ScriptError::TooLong));
}

#[test]
fn revisited_pages_record_their_answers_again() {
    let script = Script::from_json(
        r#"{"pages":[{"id":"a","text":"x","questions":[{"key":"more","label":"More?","type":"yes_no"}],"next":"b"},
                     {"id":"b","text":"y","next":"a"}]}"#,
    )
    .unwrap();
    let mut run = ScriptRun::start(Arc::new(script));
    run.answer("more", "yes").unwrap();
    run.proceed().unwrap();
    assert_eq!(run.answer("more", "no"), Ok(Step::Page("b".into())));
    assert_eq!(run.answers().len(), 2);
    assert_eq!(run.path(), ["a", "b", "a", "b"]);
}
