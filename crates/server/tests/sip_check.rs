//! Runs the built `plateau sip check` on RFC 4475 messages and on RFC 5118-style IPv6
//! messages written to a temporary directory, checking its output and exit status.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn torture(name: &str) -> PathBuf {
    [
        env!("CARGO_MANIFEST_DIR"),
        "../../../shared/testdata/sip/rfc4475",
        &format!("{name}.dat"),
    ]
    .iter()
    .collect()
}

fn check(files: &[&Path]) -> (Option<i32>, String) {
    let Output { status, stdout, .. } = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["sip", "check"])
        .args(files)
        .output()
        .expect("plateau runs");
    (
        status.code(),
        String::from_utf8(stdout).expect("UTF-8 output"),
    )
}

/// A directory of its own for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("plateau-sip-check-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text.replace('\n', "\r\n")).expect("write message");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn valid_torture_messages_exit_zero() {
    let files = [torture("wsinv"), torture("esc01"), torture("unreason")];
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let (code, out) = check(&paths);
    assert_eq!(code, Some(0), "{out}");
    for file in &files {
        assert!(
            out.contains(&format!("{}: valid\n", file.display())),
            "{out}"
        );
    }
}

#[test]
fn an_invalid_request_prints_the_reason_and_the_response() {
    let file = torture("insuf");
    let (code, out) = check(&[&file]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains(&format!(
            "{}: invalid: Missing From, To, Call-ID\n",
            file.display()
        )),
        "{out}"
    );
    assert!(
        out.contains("\n    SIP/2.0 400 Bad Request - Missing From, To, Call-ID\n"),
        "{out}"
    );
    assert!(
        out.contains("\n    Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\n"),
        "{out}"
    );
    assert!(out.contains("\n    CSeq: 193942 INVITE\n"), "{out}");
}

#[test]
fn application_layer_rejections_show_their_status() {
    let (code, out) = check(&[&torture("unkscm"), &torture("bext01")]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("    SIP/2.0 416 Unsupported URI Scheme\n"),
        "{out}"
    );
    assert!(out.contains("    SIP/2.0 420 Bad Extension\n"), "{out}");
    assert!(
        out.contains("    Unsupported: nothingSupportsThis, nothingSupportsThisEither\n"),
        "{out}"
    );
}

#[test]
fn a_bad_response_is_reported_as_dropped() {
    let (code, out) = check(&[&torture("bigcode")]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("invalid: Invalid status line: invalid status code\n"),
        "{out}"
    );
    assert!(out.contains("no response"), "{out}");
}

#[test]
fn one_invalid_file_among_valid_ones_fails_the_run() {
    let (code, out) = check(&[&torture("wsinv"), &torture("badvers"), &torture("dblreq")]);
    assert_eq!(code, Some(1));
    assert_eq!(
        out.lines().filter(|l| l.ends_with(": valid")).count(),
        2,
        "{out}"
    );
    assert!(
        out.contains("    SIP/2.0 505 Version Not Supported\n"),
        "{out}"
    );
}

#[test]
fn proxy_mode_answers_max_forwards_zero_with_483() {
    let file = torture("zeromf");
    assert_eq!(check(&[&file]).0, Some(0));
    let out = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["sip", "check", "--proxy"])
        .arg(&file)
        .output()
        .expect("plateau runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("    SIP/2.0 483 Too Many Hops\n"));
}

#[test]
fn ipv6_references_are_understood() {
    let dir = TempDir::new("ipv6");
    let good = dir.write(
        "ipv6-good.sip",
        "REGISTER sip:[2001:db8::10] SIP/2.0
To: sip:user@example.com
From: sip:user@example.com;tag=81x2
Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111;received=[2001:db8::9:255]
Via: SIP/2.0/UDP [::ffff:192.0.2.1]:5070;branch=z9hG4bKas3-112;received=2001:db8::9:255
Call-ID: SSG9559905523997077@hlau_4100
Max-Forwards: 70
Contact: \"Caller\" <sip:caller@[2001:db8::9:1]:5070>;expires=3600
CSeq: 98176 REGISTER
Content-Length: 0

",
    );
    let bad = dir.write(
        "ipv6-bad.sip",
        "REGISTER sip:2001:db8::10 SIP/2.0
To: sip:user@example.com
From: sip:user@example.com;tag=81x2
Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111
Call-ID: SSG9559905523997077@hlau_4100
Max-Forwards: 70
CSeq: 98176 REGISTER
Content-Length: 0

",
    );
    let (code, out) = check(&[&good]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(&format!("{}: valid\n", good.display())),
        "{out}"
    );
    let (code, out) = check(&[&bad]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("invalid: Invalid request line: invalid Request-URI\n"),
        "{out}"
    );
    assert!(
        out.contains("\n    Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111\n"),
        "{out}"
    );
}

#[test]
fn an_unreadable_file_is_invalid() {
    let dir = TempDir::new("missing");
    let missing = dir.0.join("absent.sip");
    let (code, out) = check(&[&missing]);
    assert_eq!(code, Some(1));
    assert!(out.contains("invalid: cannot read"), "{out}");
}
