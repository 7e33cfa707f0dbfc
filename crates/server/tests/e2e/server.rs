//! `plateau demo` as a child process: started on port 0, read from its output, stopped with
//! SIGTERM or killed with SIGKILL, restarted on the same data directory.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

use super::Workspace;
use super::api::Api;

/// The RTP ports the tests' servers use: below the kernel's ephemeral range, where SIPp's
/// ports come from. Servers of tests running at once share it: the server skips ports taken.
pub const RTP_PORTS: &str = "20000-29999";

/// How long a start may take before the test fails (the first start synthesises nothing:
/// the tests use the bundled prompts).
const START_BOUND: Duration = Duration::from_secs(60);

/// How long a SIGTERM stop may take: the drain waits up to 30 s for calls still up.
const STOP_BOUND: Duration = Duration::from_secs(60);

/// A demo agent as the banner shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAgent {
    /// SIP extension, also the digest username.
    pub extension: String,
    /// The password (SIP digest and web).
    pub password: String,
}

/// A running `plateau demo`.
pub struct Server {
    child: Child,
    /// SIP over UDP.
    pub sip: SocketAddr,
    /// SIP over TCP.
    pub sip_tcp: SocketAddr,
    /// The HTTP API.
    pub http: SocketAddr,
    /// The admin's API token.
    pub token: String,
    /// The five demo agents, extension order.
    pub agents: Vec<DemoAgent>,
    /// The demo supervisor (`sophie`, 1901): a phone, in no queue.
    pub supervisor: DemoAgent,
    /// The supervisor's API token.
    pub supervisor_token: String,
    /// Where its stderr (the tracing log) goes.
    pub log_path: PathBuf,
    /// Everything it printed on stdout.
    stdout: JoinHandle<String>,
    banner: Vec<String>,
}

impl Server {
    /// Starts `plateau demo` on the workspace's data directory (created and seeded at the
    /// first start, reused after) and waits for its banner.
    pub async fn start(ws: &Workspace) -> Server {
        Server::start_with_args(ws, &[]).await
    }

    /// [`Server::start`] with more arguments for `plateau demo` (`--trunk 127.0.0.1:5070`).
    pub async fn start_with_args(ws: &Workspace, extra: &[String]) -> Server {
        let logs = ws.logs_dir();
        let starts = std::fs::read_dir(&logs).map(|d| d.count()).unwrap_or(0);
        let log_path = logs.join(format!("plateau-{}.log", starts + 1));
        let log_file = std::fs::File::create(&log_path).expect("server log file");
        let rust_log = std::env::var("PLATEAU_E2E_LOG").unwrap_or_else(|_| "info".to_owned());
        let mut child = Command::new(env!("CARGO_BIN_EXE_plateau"))
            .arg("demo")
            .arg("--data-dir")
            .arg(ws.data_dir())
            .args(["--sip-port", "0", "--http-port", "0", "--bind", "127.0.0.1"])
            .args(["--rtp-ports", RTP_PORTS, "--prompts", "bundled"])
            .args(extra)
            .env("RUST_LOG", rust_log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .expect("plateau starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let banner = tokio::time::timeout(START_BOUND, async {
            let mut banner = Vec::new();
            while let Ok(Some(line)) = lines.next_line().await {
                let last = line.starts_with("Press Ctrl-C");
                banner.push(line);
                if last {
                    break;
                }
            }
            banner
        })
        .await
        .unwrap_or_default();
        let complete = banner.last().is_some_and(|l| l.starts_with("Press Ctrl-C"));
        if !complete {
            let _ = child.start_kill();
            panic!(
                "plateau demo printed no complete banner within {START_BOUND:?}:\n{}\n--- log ---\n{}",
                banner.join("\n"),
                std::fs::read_to_string(&log_path).unwrap_or_default()
            );
        }
        let stdout = tokio::spawn(async move {
            let mut rest = String::new();
            let _ = lines.into_inner().read_to_string(&mut rest).await;
            rest
        });
        let listening = banner
            .iter()
            .find_map(|l| l.strip_prefix("listening "))
            .expect("a `listening ...` line");
        let address = |key: &str| -> SocketAddr {
            listening
                .split(' ')
                .find_map(|field| field.strip_prefix(&format!("{key}=")))
                .unwrap_or_else(|| panic!("{key}= in {listening:?}"))
                .parse()
                .expect("a socket address")
        };
        let token = banner
            .iter()
            .find_map(|l| l.trim().strip_prefix("Token"))
            .and_then(|rest| rest.split_whitespace().next())
            .expect("a Token line")
            .to_owned();
        let agents = banner_agents(&banner);
        assert_eq!(agents.len(), 5, "five demo agents in {banner:?}");
        let (supervisor, supervisor_token) = banner_supervisor(&banner);
        Server {
            sip: address("sip_udp"),
            sip_tcp: address("sip_tcp"),
            http: address("http"),
            child,
            token,
            agents,
            supervisor,
            supervisor_token,
            log_path,
            stdout,
            banner,
        }
    }

    /// Seeds the demo (a first start, stopped at once), changes both demo queues' settings in
    /// the store as an administrator would, then starts the server that the test uses.
    pub async fn start_with_queues(
        ws: &Workspace,
        tune: impl Fn(&mut store::QueueSettings),
    ) -> Server {
        Server::start_edited(ws, async |demo: &store::TenantStore| {
            for name in store::demo::DEMO_QUEUES {
                let queue = demo
                    .queue_by_name(name)
                    .await
                    .expect("queues")
                    .expect("a demo queue");
                let mut settings = queue.settings.clone();
                tune(&mut settings);
                demo.update_queue(queue.id, &settings)
                    .await
                    .expect("queue settings updated");
            }
        })
        .await
    }

    /// Seeds the demo (a first start, stopped at once), lets `edit` change the demo tenant's
    /// rows as an administrator would (queues, skills, flows, numbers), then starts the server
    /// that the test uses.
    pub async fn start_edited(
        ws: &Workspace,
        edit: impl AsyncFnOnce(&store::TenantStore),
    ) -> Server {
        Server::start_edited_with_args(ws, &[], edit).await
    }

    /// [`Server::start_edited`], the server that the test uses started with `extra`
    /// arguments.
    pub async fn start_edited_with_args(
        ws: &Workspace,
        extra: &[String],
        edit: impl AsyncFnOnce(&store::TenantStore),
    ) -> Server {
        let seeding = Server::start(ws).await;
        let status = seeding.stop().await;
        assert!(status.success(), "the seeding start stopped with {status}");
        let url = format!("sqlite://{}", ws.data_dir().join("plateau.db").display());
        let db = store::Store::open(&url).await.expect("the demo database");
        let demo = db
            .tenant_by_slug(store::demo::DEMO_TENANT)
            .await
            .expect("tenants")
            .expect("the demo tenant");
        let demo = db.tenant(demo.id).await.expect("the demo tenant's store");
        edit(&demo).await;
        db.close().await;
        Server::start_with_args(ws, extra).await
    }

    /// The API, with the admin's token.
    pub fn api(&self) -> Api {
        Api::new(self.http, &self.token)
    }

    /// The API, with the supervisor's token.
    pub fn supervisor_api(&self) -> Api {
        Api::new(self.http, &self.supervisor_token)
    }

    /// The agent with this extension.
    pub fn agent(&self, extension: &str) -> &DemoAgent {
        self.agents
            .iter()
            .find(|a| a.extension == extension)
            .unwrap_or_else(|| panic!("no demo agent {extension}"))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("the server is running")
    }

    /// Its log (stderr) so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// What it printed when it started.
    pub fn banner(&self) -> &[String] {
        &self.banner
    }

    /// SIGKILL, as a crash or an OOM killer would; returns once the process is gone.
    pub async fn kill(mut self) {
        self.child.start_kill().expect("SIGKILL sent");
        let status = self.child.wait().await.expect("the server is reaped");
        assert!(!status.success(), "a killed server exits on a signal");
        let _ = self.stdout.await;
    }

    /// SIGTERM: the server drains and exits; its exit status.
    pub async fn stop(mut self) -> ExitStatus {
        let pid = self.pid().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM sent to {pid}");
        let status = tokio::time::timeout(STOP_BOUND, self.child.wait()).await;
        let Ok(status) = status else {
            let _ = self.child.start_kill();
            panic!(
                "plateau did not stop within {STOP_BOUND:?} of SIGTERM:\n{}",
                self.log()
            );
        };
        let _ = self.stdout.await;
        status.expect("the server is reaped")
    }
}

/// The supervisor's lines of the banner: `Supervisor 1901      Sophie Roux    password`, then
/// `Supervisor token <token> (...)`.
fn banner_supervisor(banner: &[String]) -> (DemoAgent, String) {
    let token = banner
        .iter()
        .find_map(|l| l.trim().strip_prefix("Supervisor token"))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a `Supervisor token` line")
        .to_owned();
    let supervisor = banner
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|words| words.first() == Some(&"Supervisor") && words.get(1) != Some(&"token"))
        .and_then(|words| {
            Some(DemoAgent {
                extension: (*words.get(1)?).to_owned(),
                password: (*words.last()?).to_owned(),
            })
        })
        .expect("a `Supervisor` line");
    (supervisor, token)
}

/// The agents' lines of the banner: `1001       Alice Martin   password`.
fn banner_agents(banner: &[String]) -> Vec<DemoAgent> {
    banner
        .iter()
        .skip_while(|l| !l.trim_start().starts_with("Agents"))
        .skip(1)
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .take_while(|words| {
            words
                .first()
                .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
        })
        .filter_map(|words| {
            Some(DemoAgent {
                extension: (*words.first()?).to_owned(),
                password: (*words.last()?).to_owned(),
            })
        })
        .collect()
}
