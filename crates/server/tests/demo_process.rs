//! The real `plateau demo` process: it starts on free ports, prints where it listens and how to
//! log in, serves the API, drains and exits 0 on SIGTERM, and a second start on the same data
//! directory reuses the demo tenant and its passwords.

mod http_support;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;

use http_support::get;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

/// A running demo and what it printed up to its banner's last line.
struct Demo {
    child: Child,
    banner: Vec<String>,
    stderr: JoinHandle<String>,
}

async fn start(data_dir: &Path) -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args([
            "demo",
            "--sip-port",
            "0",
            "--http-port",
            "0",
            "--bind",
            "127.0.0.1",
        ])
        .args([
            "--rtp-ports",
            "40000-40099",
            "--prompts",
            "bundled",
            "--data-dir",
        ])
        .arg(data_dir)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("plateau starts");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let mut banner = Vec::new();
    while let Some(line) = lines.next_line().await.expect("test setup") {
        let last = line.starts_with("Press Ctrl-C");
        banner.push(line);
        if last {
            break;
        }
    }
    assert!(
        banner.last().is_some_and(|l| l.starts_with("Press Ctrl-C")),
        "no banner: {banner:?}\n{}",
        stderr.await.expect("test setup")
    );
    Demo {
        child,
        banner,
        stderr,
    }
}

impl Demo {
    /// The value after `key=` on the `listening` line.
    fn address(&self, key: &str) -> SocketAddr {
        let line = self
            .banner
            .iter()
            .find(|l| l.starts_with("listening "))
            .expect("listening line");
        line.split(' ')
            .find_map(|field| field.strip_prefix(&format!("{key}=")))
            .expect("address field")
            .parse()
            .expect("socket address")
    }

    fn token(&self) -> String {
        self.banner
            .iter()
            .find_map(|l| l.trim().strip_prefix("Token"))
            .and_then(|rest| rest.split_whitespace().next())
            .expect("token line")
            .to_owned()
    }

    /// The agents' lines: extension, name, password.
    fn agents(&self) -> Vec<String> {
        self.banner
            .iter()
            .map(|l| l.trim())
            .filter(|l| l.starts_with("100"))
            .map(str::to_owned)
            .collect()
    }

    /// Sends SIGTERM; the exit code and the logs.
    async fn terminate(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().expect("running").to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .expect("test setup");
        assert!(killed.success());
        let status = self.child.wait().await.expect("test setup");
        (status.code(), self.stderr.await.expect("test setup"))
    }
}

#[tokio::test]
async fn the_demo_serves_then_drains_and_exits_0_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let demo = start(dir.path()).await;
    assert_eq!(demo.agents().len(), 5, "{:?}", demo.banner);
    assert_eq!(demo.address("sip_udp").ip().to_string(), "127.0.0.1");
    assert_ne!(demo.address("sip_tcp").port(), 0);
    let http = demo.address("http");

    assert_eq!(get(http, "/healthz", None).await.status, 200);
    let calls = get(http, "/api/v1/calls", Some(&demo.token())).await;
    assert_eq!(calls.status, 200, "{}", calls.text());

    let (code, logs) = demo.terminate().await;
    assert_eq!(code, Some(0), "{logs}");
    assert!(logs.contains("drained"), "{logs}");
    assert!(logs.contains("stopped"), "{logs}");
}

#[tokio::test]
async fn a_second_demo_start_reuses_the_tenant_and_its_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path()).await;
    let agents = first.agents();
    let first_token = first.token();
    let (code, _) = first.terminate().await;
    assert_eq!(code, Some(0));

    let second = start(dir.path()).await;
    assert_eq!(second.agents(), agents);
    let token = second.token();
    assert_ne!(token, first_token, "the token is rotated at each start");
    let http = second.address("http");
    assert_eq!(
        get(http, "/api/v1/calls", Some(&first_token)).await.status,
        401
    );
    assert_eq!(get(http, "/api/v1/calls", Some(&token)).await.status, 200);
    let (code, logs) = second.terminate().await;
    assert_eq!(code, Some(0));
    assert!(logs.contains("demo tenant reused"), "{logs}");
}
