//! SIPp processes: building the command line, running with bounds, reading the results.
//!
//! Every run is bounded three ways: SIPp's own `-timeout` (with `-timeout_error`, so reaching it
//! is a failure), `-recv_timeout` for a peer that never answers (set per run), and
//! `timeout -s KILL` around the process, so that even a SIPp stuck past its own timers, or
//! orphaned by a test process that died, goes away. Each run writes, under the workspace's
//! `sipp/` directory, `<label>.stat.csv` (`-trace_stat`, a row a second), `<label>.messages.log`
//! (`-trace_msg`), `<label>.errors.log` (`-trace_err`) and `<label>.screen` (its stdout).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use tokio::process::{Child, Command};

use super::Workspace;
use super::ports::{free_udp_port, wait_until_udp_bound};

/// Default bound on a SIPp run (its `-timeout`).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// How much longer than its `-timeout` a SIPp may live before `timeout -s KILL` ends it.
const KILL_GRACE: Duration = Duration::from_secs(15);

/// A scenario file of `tests/sipp/`.
pub fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sipp")
        .join(name)
}

/// Fails the test, with how to fix it, when `sipp` cannot be run.
pub fn require_sipp() {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let checked = CHECKED.get_or_init(|| {
        match std::process::Command::new("sipp")
            .arg("-v")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .output()
        {
            Ok(out) if String::from_utf8_lossy(&out.stdout).contains("SIPp v3") => Ok(()),
            Ok(out) => Err(format!(
                "`sipp -v` printed no SIPp 3 version: {}",
                String::from_utf8_lossy(&out.stdout)
            )),
            Err(e) => Err(format!("cannot run `sipp`: {e}")),
        }
    });
    if let Err(why) = checked {
        panic!(
            "{why}\nThe end-to-end tests need SIPp 3.x: `apt-get install sip-tester` \
             (scripts/install-test-deps.sh does it)."
        );
    }
}

/// A SIPp command line being built.
#[derive(Debug, Clone)]
pub struct Sipp {
    label: String,
    dir: PathBuf,
    scenario: PathBuf,
    port: u16,
    args: Vec<String>,
    remote: Option<SocketAddr>,
    timeout: Duration,
}

impl Sipp {
    /// A run of `scenario` (a file of `tests/sipp/`, or a path) on 127.0.0.1 from a free port,
    /// its traces named `label`.
    pub fn new(ws: &Workspace, label: &str, scenario_file: impl AsRef<Path>) -> Sipp {
        require_sipp();
        let path = scenario_file.as_ref();
        let scenario = if path.is_absolute() {
            path.to_path_buf()
        } else {
            scenario(&path.to_string_lossy())
        };
        assert!(scenario.exists(), "no scenario {}", scenario.display());
        Sipp {
            label: label.to_owned(),
            dir: ws.sipp_dir(),
            scenario,
            port: free_udp_port(),
            args: Vec::new(),
            remote: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    fn arg(mut self, flag: &str, value: impl ToString) -> Sipp {
        self.args.push(flag.to_owned());
        self.args.push(value.to_string());
        self
    }

    /// The SIP port (`-p`); a free one by default.
    pub fn port(mut self, port: u16) -> Sipp {
        self.port = port;
        self
    }

    /// The SIP port it will use.
    pub fn sip_port(&self) -> u16 {
        self.port
    }

    /// The media port (`-mp`; SIPp also binds the port two above), on 127.0.0.1.
    pub fn media_port(self, port: u16) -> Sipp {
        self.arg("-mp", port).arg("-mi", "127.0.0.1")
    }

    /// Where calls go (a uac), or where to send requests.
    pub fn remote(mut self, addr: SocketAddr) -> Sipp {
        self.remote = Some(addr);
        self
    }

    /// The Request-URI user (`-s`).
    pub fn service(self, user: &str) -> Sipp {
        self.arg("-s", user)
    }

    /// Stop after this many calls (`-m`).
    pub fn calls(self, count: u32) -> Sipp {
        self.arg("-m", count)
    }

    /// Start `count` calls every `period` (`-r`, `-rp`).
    pub fn rate(self, count: u32, period: Duration) -> Sipp {
        self.arg("-r", count)
            .arg("-rp", format!("{}ms", period.as_millis()))
    }

    /// At most this many calls at once (`-l`).
    pub fn limit(self, calls: u32) -> Sipp {
        self.arg("-l", calls)
    }

    /// The length of the scenarios' `<pause/>` (`-d`).
    pub fn pause(self, length: Duration) -> Sipp {
        self.arg("-d", length.as_millis())
    }

    /// A `[key]` for the scenario (`-key`).
    pub fn key(self, key: &str, value: impl ToString) -> Sipp {
        self.arg("-key", key).arg_value(value)
    }

    fn arg_value(mut self, value: impl ToString) -> Sipp {
        self.args.push(value.to_string());
        self
    }

    /// An injection file (`-inf`).
    pub fn inf(self, csv: &Path) -> Sipp {
        self.arg("-inf", csv.display())
    }

    /// A call fails when an expected message does not come within `bound` (`-recv_timeout`).
    pub fn recv_timeout(self, bound: Duration) -> Sipp {
        self.arg("-recv_timeout", bound.as_millis())
    }

    /// The whole run fails past `bound` (`-timeout`, default 120 s), and is killed 15 s later.
    pub fn timeout(mut self, bound: Duration) -> Sipp {
        self.timeout = bound;
        self
    }

    /// Answers OPTIONS, INFO, NOTIFY and UPDATE with 200 outside the scenario (`-aa`), as
    /// a phone answers the registrar's keepalives.
    pub fn auto_answer(mut self) -> Sipp {
        self.args.push("-aa".to_owned());
        self
    }

    /// SIP over TCP, one connection per call (`-t t1`).
    pub fn tcp(self) -> Sipp {
        self.arg("-t", "t1")
    }

    fn file(&self, suffix: &str) -> PathBuf {
        self.dir.join(format!("{}.{suffix}", self.label))
    }

    /// Starts it.
    pub fn spawn(self) -> SippProcess {
        let files = SippFiles {
            stats: self.file("stat.csv"),
            messages: self.file("messages.log"),
            errors: self.file("errors.log"),
            screen: self.file("screen"),
        };
        let screen = std::fs::File::create(&files.screen).expect("SIPp screen file");
        let kill_after = self.timeout + KILL_GRACE;
        let mut command = Command::new("timeout");
        command
            .args(["-s", "KILL", &format!("{}s", kill_after.as_secs())])
            .arg("sipp")
            .arg("-sf")
            .arg(&self.scenario)
            .args(["-i", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-cp", &free_udp_port().to_string()])
            .args(["-buff_size", "4194304", "-nostdin"])
            .args(["-timeout", &format!("{}s", self.timeout.as_secs())])
            .arg("-timeout_error")
            .args(["-trace_stat", "-fd", "1", "-stf"])
            .arg(&files.stats)
            .args(["-trace_msg", "-message_file"])
            .arg(&files.messages)
            .args(["-trace_err", "-error_file"])
            .arg(&files.errors)
            .args(&self.args);
        if let Some(remote) = self.remote {
            command.arg(remote.to_string());
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(screen)
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("timeout(1) and sipp start");
        SippProcess {
            child,
            label: self.label,
            port: self.port,
            files,
        }
    }

    /// Runs it to the end.
    pub async fn run(self) -> SippOutcome {
        self.spawn().wait().await
    }
}

#[derive(Debug, Clone)]
struct SippFiles {
    stats: PathBuf,
    messages: PathBuf,
    errors: PathBuf,
    screen: PathBuf,
}

/// A SIPp running.
#[derive(Debug)]
pub struct SippProcess {
    child: Child,
    label: String,
    port: u16,
    files: SippFiles,
}

impl SippProcess {
    /// Its SIP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Returns once it holds its SIP port (an answerer is then ready for calls).
    pub async fn ready(&self) {
        wait_until_udp_bound(self.port, Duration::from_secs(10)).await;
    }

    /// Waits for it to end by itself.
    pub async fn wait(mut self) -> SippOutcome {
        let status = self.child.wait().await.expect("SIPp is reaped");
        self.outcome(status)
    }

    /// Asks it to stop placing or taking calls and to exit once its calls are over (SIGUSR1,
    /// SIPp's smooth exit); kills it if that takes longer than `bound`.
    pub async fn quit(mut self, bound: Duration) -> SippOutcome {
        if let Some(sipp) = self.sipp_pid() {
            let _ = Command::new("kill")
                .args(["-USR1", &sipp.to_string()])
                .status()
                .await;
        }
        let status = match tokio::time::timeout(bound, self.child.wait()).await {
            Ok(status) => status.expect("SIPp is reaped"),
            Err(_) => {
                let _ = self.child.start_kill();
                self.kill_sipp();
                self.child.wait().await.expect("SIPp is reaped")
            }
        };
        self.outcome(status)
    }

    /// Kills it at once.
    pub async fn kill(mut self) -> SippOutcome {
        self.kill_sipp();
        let _ = self.child.start_kill();
        let status = self.child.wait().await.expect("SIPp is reaped");
        self.outcome(status)
    }

    /// The sipp process, the child of `timeout`.
    fn sipp_pid(&self) -> Option<u32> {
        let pid = self.child.id()?;
        let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
        children.split_whitespace().next()?.parse().ok()
    }

    fn kill_sipp(&self) {
        if let Some(sipp) = self.sipp_pid() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &sipp.to_string()])
                .status();
        }
    }

    fn outcome(&self, status: ExitStatus) -> SippOutcome {
        SippOutcome {
            label: self.label.clone(),
            status,
            stats: Stats::read(&self.files.stats),
            errors: read_errors(&self.files.errors),
            messages: self.files.messages.clone(),
            screen: self.files.screen.clone(),
        }
    }
}

/// How a SIPp run ended.
#[derive(Debug, Clone)]
pub struct SippOutcome {
    /// The run's label.
    pub label: String,
    /// Its exit status (0: every call passed; 1: some failed; 137: killed).
    pub status: ExitStatus,
    /// The last row of its `-trace_stat` CSV.
    pub stats: Stats,
    /// What it logged as errors, without SIPp's harmless noise.
    pub errors: String,
    /// Its `-trace_msg` file.
    pub messages: PathBuf,
    /// Its screen (stdout) file.
    pub screen: PathBuf,
}

impl SippOutcome {
    /// Fails the test unless SIPp exited 0 with `calls` successful calls and none failed.
    pub fn assert_passed(&self, calls: u64) {
        let report = self.report();
        assert_eq!(self.status.code(), Some(0), "{report}");
        assert_eq!(self.stats.failed(), 0, "{report}");
        assert_eq!(self.stats.successful(), calls, "{report}");
    }

    /// Its figures and errors, to print when an assertion fails.
    pub fn report(&self) -> String {
        format!(
            "SIPp {}: exit {:?}, {} successful, {} failed, {} retransmissions\nerrors:\n{}\n\
             messages: {}",
            self.label,
            self.status.code(),
            self.stats.successful(),
            self.stats.failed(),
            self.stats.retransmissions(),
            self.errors,
            self.messages.display()
        )
    }

    /// The messages it sent and received.
    pub fn messages(&self) -> Vec<TracedMessage> {
        read_messages(&self.messages)
    }
}

/// One row of SIPp's statistics, by column name.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    fields: HashMap<String, String>,
}

impl Stats {
    /// The last row of a `-trace_stat` CSV (empty if SIPp wrote none).
    pub fn read(path: &Path) -> Stats {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let Some(header) = lines.next() else {
            return Stats::default();
        };
        let Some(last) = lines.next_back() else {
            return Stats::default();
        };
        Stats {
            fields: header
                .split(';')
                .zip(last.split(';'))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    /// A counter column (0 when absent).
    pub fn count(&self, column: &str) -> u64 {
        self.fields
            .get(column)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Calls that passed, since the start.
    pub fn successful(&self) -> u64 {
        self.count("SuccessfulCall(C)")
    }

    /// Calls that failed, since the start.
    pub fn failed(&self) -> u64 {
        self.count("FailedCall(C)")
    }

    /// Retransmissions, since the start.
    pub fn retransmissions(&self) -> u64 {
        self.count("Retransmissions(C)")
    }

    /// Calls created (placed or received), since the start.
    pub fn created(&self) -> u64 {
        self.count("TotalCallCreated")
    }
}

/// SIPp's error log without the lines it writes on every exit.
fn read_errors(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .replace("The following events occurred:", "")
        .split_inclusive('\n')
        .flat_map(|l| l.split_inclusive("Operation not permitted)"))
        .filter(|l| !l.contains("Failed to delete FD from epoll") && !l.trim().is_empty())
        .collect()
}

/// One message of a `-trace_msg` file.
#[derive(Debug, Clone)]
pub struct TracedMessage {
    /// Sent by SIPp (else received).
    pub sent: bool,
    /// The message.
    pub text: String,
}

impl TracedMessage {
    /// Its first line.
    pub fn start_line(&self) -> &str {
        self.text.lines().next().unwrap_or("")
    }

    /// A response's status code.
    pub fn status(&self) -> Option<u16> {
        self.start_line()
            .strip_prefix("SIP/2.0 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
    }

    /// The value of the first header named `name` (or its compact form `compact`).
    pub fn header(&self, name: &str, compact: Option<&str>) -> Option<&str> {
        self.text
            .lines()
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .find_map(|line| {
                let (field, value) = line.split_once(':')?;
                let field = field.trim();
                let matches = field.eq_ignore_ascii_case(name)
                    || compact.is_some_and(|c| field.eq_ignore_ascii_case(c));
                matches.then(|| value.trim())
            })
    }

    /// Its Call-ID.
    pub fn call_id(&self) -> Option<&str> {
        self.header("Call-ID", Some("i"))
    }

    /// The method of its CSeq.
    pub fn cseq_method(&self) -> Option<&str> {
        self.header("CSeq", None)?.split_whitespace().nth(1)
    }
}

/// The messages of a `-trace_msg` file, in order.
pub fn read_messages(path: &Path) -> Vec<TracedMessage> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut messages = Vec::new();
    for block in text.split("\n-----------------------------------------------") {
        let mut lines = block.lines().skip_while(|l| !l.contains(" message "));
        let Some(what) = lines.next() else { continue };
        let sent = what.contains("message sent");
        let body: Vec<&str> = lines.skip_while(|l| l.trim().is_empty()).collect();
        if body.is_empty() {
            continue;
        }
        messages.push(TracedMessage {
            sent,
            text: body.join("\r\n"),
        });
    }
    messages
}
