//! The end-to-end harness: the real `plateau` binary as an operator runs it, peers that speak
//! SIP and RTP as real phones do (SIPp), and the HTTP API to see what the server logged.
//!
//! - [`server`]: `plateau demo` as a child process on a temporary data directory, SIP and HTTP
//!   on port 0; the bound addresses, the agents' passwords and the API token are read from what
//!   it prints. Killed (SIGKILL) or stopped (SIGTERM) and restarted on the same directory.
//! - [`sipp`]: SIPp processes on 127.0.0.1 with the scenarios of `tests/sipp/`, each bounded
//!   three ways (`timeout -s KILL`, SIPp's `-timeout` and `-recv_timeout`), their exit codes,
//!   the last row of their `-trace_stat` CSV and their `-trace_msg` message log.
//! - [`api`]: the calls, events, CDRs, agents and recordings the API serves.
//! - [`phones`]: agents' phones: a SIPp REGISTER with digest auth, then a SIPp answerer on the
//!   port registered.
//! - [`ports`]: free ports for SIPp, found by binding port 0.
//! - [`tone_phone`]: the audio end of a SIPp phone: the test's own RTP socket sending a tone
//!   and measuring which tones it hears.
//! - [`browser`]: headless Chromium through `playwright-core` running the node scripts of
//!   `tests/browser/` against the pages the server serves.
//! - [`checks`]: what the issue asks of every call (events in order, a complete CDR, a
//!   recording of the right length, audio both ways, replies in order, offers to the agent
//!   idle longest), and waiting for calls to reach a phase, shared by the tests.
//!
//! Nothing here sleeps to let something start: the server's addresses come from its output
//! once bound, a SIPp phone is used once its port is seen bound. SIPp is required: a missing
//! `sipp` fails the test with a message, never skips it.
//!
//! `PLATEAU_E2E_KEEP=1` keeps each test's directory (data, server logs, SIPp traces) and
//! prints where it is.

// Helpers outside #[test] functions fail the test by panicking: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

pub mod api;
pub mod browser;
pub mod checks;
pub mod phones;
pub mod ports;
pub mod server;
pub mod sipp;
pub mod tone_phone;

use std::path::{Path, PathBuf};

/// One test's directory: `data/` for the server, `logs/` for its stderr, `sipp/` for SIPp's
/// traces. Removed at the end unless `PLATEAU_E2E_KEEP` is set.
pub struct Workspace {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl Workspace {
    /// A new directory named after the test.
    pub fn new(test: &str) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix(&format!("plateau-e2e-{test}-"))
            .tempdir()
            .expect("a temporary directory");
        let path = dir.path().to_path_buf();
        for sub in ["data", "logs", "sipp"] {
            std::fs::create_dir_all(path.join(sub)).expect("workspace subdirectory");
        }
        let dir = if std::env::var_os("PLATEAU_E2E_KEEP").is_some() {
            eprintln!("e2e {test}: keeping {}", dir.keep().display());
            None
        } else {
            Some(dir)
        };
        Workspace { dir, path }
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.path.join("data")
    }

    /// Where server logs go.
    pub fn logs_dir(&self) -> PathBuf {
        self.path.join("logs")
    }

    /// Where SIPp writes its traces.
    pub fn sipp_dir(&self) -> PathBuf {
        self.path.join("sipp")
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
    }
}
