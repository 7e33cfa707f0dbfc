//! `plateau demo` killed with SIGKILL during a call, then started again on the same data
//! directory: the agent's registration is still there, and the call that was up is closed in
//! the log with `ended{cause: server_stopped}`.

mod sip_support;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use sip::StatusCode;
use sip_support::{Phone, Rtp};
use store::{EventKind, Store};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A `plateau demo` child process and the SIP address it printed.
struct Demo {
    child: Child,
    sip: SocketAddr,
}

async fn start_demo(data: &Path, log: &Path) -> Demo {
    let log = std::fs::File::create(log).expect("log file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .arg("demo")
        .arg("--data-dir")
        .arg(data)
        .args(["--sip-port", "0", "--http-port", "0", "--bind", "127.0.0.1"])
        .args(["--rtp-ports", "40000-40999", "--prompts", "bundled"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("plateau starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let listening = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.strip_prefix("listening ") {
                return Some(rest.to_owned());
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .expect("a listening line");
    // Keep reading so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let sip = listening
        .split(' ')
        .find_map(|f| f.strip_prefix("sip_udp="))
        .and_then(|a| a.parse().ok())
        .expect("sip_udp address");
    Demo { child, sip }
}

/// The demo password of `extension`, from the file the demo keeps them in.
fn password(data: &Path, extension: &str) -> String {
    let text = std::fs::read_to_string(data.join("demo-passwords")).expect("passwords file");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{extension} ")))
        .expect("the extension's password")
        .trim()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_keeps_bindings_and_closes_the_calls_it_had() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = start_demo(&data, &dir.path().join("first.log")).await;

    let phone = Phone::udp(first.sip).await;
    let ok = phone
        .register("1001", &password(&data, "1001"), Some(600))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "registered before the kill");
    let caller = Phone::udp(first.sip).await;
    let rtp = Rtp::new().await;
    let _call = caller.call("+33100000000", "+33610000030", rtp.local).await;
    // The call is up (answered, in the menu) when the server dies.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut first = first;
    first.child.start_kill().expect("SIGKILL");
    first.child.wait().await.expect("reaped");

    let second_log = dir.path().join("second.log");
    let mut second = start_demo(&data, &second_log).await;
    let log = std::fs::read_to_string(&second_log).unwrap();
    assert!(
        log.contains("bindings=1"),
        "the restarted switchboard loaded the binding:\n{log}"
    );
    // Stop it cleanly (SIGTERM), then read what the store holds.
    let pid = second.child.id().expect("pid").to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill -TERM");
    let status = tokio::time::timeout(Duration::from_secs(60), second.child.wait())
        .await
        .expect("the server stops")
        .unwrap();
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");

    let store = Store::open(&format!("sqlite://{}", data.join("plateau.db").display()))
        .await
        .unwrap();
    let tenant = store.tenants().await.unwrap()[0].id;
    let t = store.tenant(tenant).await.unwrap();
    let bindings = t.live_registrations(plateau::log::now_ms()).await.unwrap();
    assert!(
        bindings
            .iter()
            .any(|r| r.binding.aor.starts_with("sip:1001@")),
        "the binding is still stored: {bindings:?}"
    );
    let calls = t
        .interactions(&store::InteractionQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(calls.len(), 1);
    let events = t.events(calls[0].id).await.unwrap();
    let ended = events
        .iter()
        .find(|e| e.kind == EventKind::Ended)
        .expect("the interrupted call is closed");
    assert_eq!(ended.data["cause"], "server_stopped");
    store.close().await;
}
