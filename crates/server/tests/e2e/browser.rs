//! Headless Chromium driven by `playwright-core` (npm, pinned in `tests/browser/package.json`),
//! for the tests of the pages the binary serves. Each browser test is a node script under
//! `tests/browser/` that gets the server's addresses and credentials in environment variables,
//! does what a user does, prints one JSON line of findings per check on stdout and exits non-zero
//! on the first failed expectation; the Rust test reads the findings and checks the server side
//! (API, RTP counters, events).
//!
//! Chromium is Debian's (`/usr/bin/chromium`, installed by `scripts/install-test-deps.sh` with
//! `npm ci` in `tests/browser/`); a missing browser or module fails the test, never skips it.
//! Fake media devices play a WAV file as the microphone
//! (`--use-file-for-fake-audio-capture`), so the browser sends real audio.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command;

/// The directory of the browser scripts and their `node_modules`.
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Fails the test with a message when node, the module or chromium is missing.
pub fn require_browser() {
    let module = scripts_dir().join("node_modules/playwright-core");
    assert!(
        module.is_dir(),
        "playwright-core is not installed in {}: run scripts/install-test-deps.sh",
        scripts_dir().display()
    );
    assert!(
        Path::new(chromium()).exists(),
        "{} is missing: run scripts/install-test-deps.sh",
        chromium()
    );
}

/// Debian's chromium, or `PLATEAU_CHROMIUM`.
pub fn chromium() -> &'static str {
    static PATH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        std::env::var("PLATEAU_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
    })
}

/// What a browser script printed and how it ended.
#[derive(Debug)]
pub struct ScriptRun {
    /// Exit status success.
    pub ok: bool,
    /// One parsed JSON value per stdout line that parsed as JSON.
    pub findings: Vec<serde_json::Value>,
    /// Everything it printed on stdout and stderr, for failure messages.
    pub output: String,
}

impl ScriptRun {
    /// The first finding whose `"check"` field is `name`.
    pub fn finding(&self, name: &str) -> Option<&serde_json::Value> {
        self.findings
            .iter()
            .find(|f| f.get("check").and_then(|c| c.as_str()) == Some(name))
    }
}

/// Runs `tests/browser/<script>` with node, `env` added to its environment (plus
/// `PLATEAU_CHROMIUM` and `PLATEAU_ARTIFACTS` = `artifacts`), killed after `bound`.
pub async fn run_script(
    script: &str,
    env: &[(&str, String)],
    artifacts: &Path,
    bound: Duration,
) -> ScriptRun {
    require_browser();
    std::fs::create_dir_all(artifacts).expect("artifacts directory");
    let mut command = Command::new("node");
    command
        .arg(scripts_dir().join(script))
        .current_dir(scripts_dir())
        .env("PLATEAU_CHROMIUM", chromium())
        .env("PLATEAU_ARTIFACTS", artifacts)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("node runs (install nodejs)");
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let collect = async {
        let (mut out, mut err) = (String::new(), String::new());
        let _ = tokio::join!(
            stdout.read_to_string(&mut out),
            stderr.read_to_string(&mut err)
        );
        let status = child.wait().await.expect("node exit status");
        (status, out, err)
    };
    let (status, out, err) = tokio::time::timeout(bound, collect)
        .await
        .unwrap_or_else(|_| panic!("browser script {script} still running after {bound:?}"));
    let findings = out
        .lines()
        .filter_map(|line| serde_json::from_str(line.trim()).ok())
        .collect();
    ScriptRun {
        ok: status.success(),
        findings,
        output: format!("--- stdout\n{out}\n--- stderr\n{err}"),
    }
}

/// Where a browser test writes its screenshots: the committed `docs/screenshots/` when
/// `PLATEAU_UPDATE_SCREENSHOTS` is set (to refresh the README's pictures), else the test's own
/// directory, so an ordinary test run never changes the source tree.
pub fn screenshots_dir(ws: &super::Workspace) -> PathBuf {
    let dir = if std::env::var_os("PLATEAU_UPDATE_SCREENSHOTS").is_some() {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
    } else {
        ws.path().join("screenshots")
    };
    std::fs::create_dir_all(&dir).expect("screenshots directory");
    dir
}
