//! Agents' phones: each registers with digest authentication (SIPp `register.xml`), then
//! answers calls as its scenario says (a SIPp uas on the port it registered).

use std::time::Duration;

use super::Workspace;
use super::ports::{free_media_port, free_udp_port};
use super::server::Server;
use super::sipp::{Sipp, SippOutcome, SippProcess};

/// How long a phone may take to register.
const REGISTER_BOUND: Duration = Duration::from_secs(20);

/// Registrations last an hour: longer than any test.
const EXPIRES_SECS: u32 = 3_600;

/// What an agent's phone does with calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Answers, talks for this long, hangs up (`agent_hangs_up.xml`).
    HangsUpAfter(Duration),
    /// Answers and talks until the other side hangs up (`agent_waits_bye.xml`).
    WaitsForBye,
    /// Answers 486 Busy Here (`agent_busy.xml`).
    Busy,
    /// Rings until the server cancels (`agent_no_answer.xml`).
    NeverAnswers,
}

/// A registered phone, taking calls.
#[derive(Debug)]
pub struct Phone {
    /// The agent's extension.
    pub extension: String,
    process: SippProcess,
}

impl Phone {
    /// Its SIP port (the registered Contact).
    pub fn port(&self) -> u16 {
        self.process.port()
    }

    /// Stops it once its calls are over (killed after `bound`).
    pub async fn quit(self, bound: Duration) -> SippOutcome {
        self.process.quit(bound).await
    }

    /// Kills it.
    pub async fn kill(self) -> SippOutcome {
        self.process.kill().await
    }
}

/// Writes the REGISTER injection file for one extension.
fn credentials_csv(ws: &Workspace, extension: &str, password: &str) -> std::path::PathBuf {
    let path = ws.sipp_dir().join(format!("register-{extension}.csv"));
    std::fs::write(
        &path,
        format!(
            "SEQUENTIAL\n{extension};[authentication username={extension} password={password}]\n"
        ),
    )
    .expect("injection file");
    path
}

/// Registers `extension` with its demo password from a free port, then starts its phone on
/// that port; returns once the phone listens. `run` labels the traces (a test may register
/// the same extension twice).
pub async fn register_phone(
    ws: &Workspace,
    server: &Server,
    extension: &str,
    behaviour: Behaviour,
    run: &str,
) -> Phone {
    let port = free_udp_port();
    register(ws, server, extension, port, run).await;
    let (scenario, pause) = match behaviour {
        Behaviour::HangsUpAfter(talk) => ("agent_hangs_up.xml", Some(talk)),
        Behaviour::WaitsForBye => ("agent_waits_bye.xml", None),
        Behaviour::Busy => ("agent_busy.xml", None),
        Behaviour::NeverAnswers => ("agent_no_answer.xml", None),
    };
    let mut phone = Sipp::new(ws, &format!("{run}-phone-{extension}"), scenario)
        .port(port)
        .media_port(free_media_port())
        .auto_answer()
        .timeout(Duration::from_secs(600));
    if let Some(pause) = pause {
        phone = phone.pause(pause);
    }
    let process = phone.spawn();
    process.ready().await;
    Phone {
        extension: extension.to_owned(),
        process,
    }
}

/// One REGISTER with digest auth of `extension` for Contact `127.0.0.1:port`, sent from that
/// port; fails the test unless it ends in 200.
pub async fn register(ws: &Workspace, server: &Server, extension: &str, port: u16, run: &str) {
    let password = server.agent(extension).password.clone();
    register_with(ws, server, (extension, &password), port, run).await;
}

/// [`register`] with the given credentials (the supervisor's, who is no demo agent).
pub async fn register_with(
    ws: &Workspace,
    server: &Server,
    (extension, password): (&str, &str),
    port: u16,
    run: &str,
) {
    let csv = credentials_csv(ws, extension, password);
    let outcome = Sipp::new(ws, &format!("{run}-register-{extension}"), "register.xml")
        .port(port)
        .remote(server.sip)
        .inf(&csv)
        .key("contact_port", port)
        .key("expires", EXPIRES_SECS)
        .calls(1)
        .recv_timeout(Duration::from_secs(5))
        .timeout(REGISTER_BOUND)
        .run()
        .await;
    outcome.assert_passed(1);
}
