//! `plateau ivr simulate` walks the documented example flow and prints one node per line.

use std::path::PathBuf;
use std::process::Command;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/ivr-example.yaml")
}

fn simulate(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["ivr", "simulate"])
        .arg(example())
        .args(args)
        .output()
        .expect("the plateau binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn nodes(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter_map(|line| line.split_once(':').map(|(node, _)| node))
        .filter(|node| *node != "outcome")
        .collect()
}

#[test]
fn a_french_caller_in_office_hours_reaches_support_then_the_survey() {
    let (ok, stdout, stderr) = simulate(&[
        "--digits",
        "1,7,9,9,2,7,3,9,8,7,1,3,#,5",
        "--var",
        "caller_number=+33140000000",
        "--time",
        "2026-11-25T10:00",
    ]);
    assert!(ok, "{stderr}");
    assert_eq!(
        nodes(&stdout),
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
        ],
        "{stdout}"
    );
    assert!(stdout.contains("survey csat answer 5"), "{stdout}");
    assert!(stdout.contains("[language:fr ≥ 1]"), "{stdout}");
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("outcome: hung up"),
        "{stdout}"
    );
}

#[test]
fn a_call_on_sunday_takes_the_closed_branch_to_voicemail() {
    let (ok, stdout, stderr) = simulate(&["--digits", "2", "--time", "2026-11-29T10:00"]);
    assert!(ok, "{stderr}");
    assert_eq!(
        nodes(&stdout),
        [
            "choose_language",
            "english",
            "office",
            "closed_message",
            "voicemail"
        ],
        "{stdout}"
    );
    assert!(stdout.contains("office: branch closed\n"), "{stdout}");
    assert!(
        stdout.ends_with("outcome: voicemail for customer-care\n"),
        "{stdout}"
    );
}

#[test]
fn a_gold_customer_found_by_the_crm_goes_to_the_priority_queue() {
    let (ok, stdout, stderr) = simulate(&[
        "--digits",
        "2",
        "--time",
        "2026-11-25T10:00",
        "--http-body",
        r#"{"customer":{"name":"Ada","tier":"gold"}}"#,
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("greet: play tts \"Hello Ada.\""),
        "{stdout}"
    );
    assert!(stdout.contains("vip_queue:"), "{stdout}");
}

#[test]
fn a_refused_flow_prints_its_errors_and_fails() {
    let dir = std::env::temp_dir().join(format!("plateau-ivr-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "name: x\nlanguage: en\nstart: a\nnodes:\n  a:\n    gotoo: a\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["ivr", "simulate"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 6, column 5"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}
