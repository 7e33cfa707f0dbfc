//! Issue 6, must-show 3: the floor's figures follow DESIGN.md's definitions. A scripted day
//! on the `sales` queue — a call answered within the service-level threshold, one answered
//! beyond it, a short abandon and an abandon — then `GET /api/v1/floor` must give the figures
//! the definitions give for the calls as the log recorded them, and the `/wallboard` page in
//! chromium must show the same.
//!
//! The threshold T is lowered to 2 s (`plateau demo --service-level-secs 2`) so that "beyond
//! T" costs seconds: the second caller waits while the only agent is not ready, and the agent
//! is made ready once the queue reports a 3 s wait. Short abandons keep the default 5 s.

mod e2e;
mod http_support;

use std::time::Duration;

use e2e::Workspace;
use e2e::api::CallDetail;
use e2e::browser::run_script;
use e2e::phones::{Behaviour, register_phone};
use e2e::ports::free_media_port;
use e2e::server::Server;
use e2e::sipp::{Sipp, SippProcess};
use serde_json::Value;

/// The service-level threshold the server is started with, ms.
const T_MS: i64 = 2_000;
/// The default short-abandon threshold, ms.
const SHORT_MS: i64 = 5_000;

/// One caller of `caller_hangs_up.xml`: dials, presses 1 (sales) 6 s after the answer, hangs
/// up `hang_up_after` later.
fn caller(
    ws: &Workspace,
    server: &Server,
    label: &str,
    prefix: &str,
    hang_up_after: Duration,
) -> SippProcess {
    Sipp::new(ws, label, "caller_hangs_up.xml")
        .remote(server.sip)
        .service("+33100000000")
        .media_port(free_media_port())
        .key("caller_prefix", prefix)
        .calls(1)
        .limit(1)
        .pause(hang_up_after)
        .recv_timeout(Duration::from_secs(40))
        .timeout(Duration::from_secs(90))
        .spawn()
}

/// `GET /api/v1/floor` once its totals count every contact of the scenario (bounded: the
/// figures arrive through the hub a moment after each commit).
async fn floor_once_settled(server: &Server, want: &Expected) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let reply = http_support::get(server.http, "/api/v1/floor", Some(&server.token)).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let floor: Value =
            serde_json::from_slice(&reply.body).unwrap_or_else(|e| panic!("floor JSON: {e}"));
        let total = &floor["total"];
        let settled = total["offered"] == want.offered
            && total["answered"] == want.answered
            && total["abandoned"] == want.abandoned;
        if settled || tokio::time::Instant::now() >= deadline {
            return floor;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `check` on the sales queue's live counts until it holds (bounded).
async fn until_queue(server: &Server, what: &str, check: impl Fn(&Value) -> bool) {
    let api = server.api();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if check(&api.queue("sales").await) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what} within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What DESIGN.md's definitions give for the logged calls of one queue.
#[derive(Debug, Default)]
struct Expected {
    offered: u64,
    answered: u64,
    within: u64,
    abandoned: u64,
    short: u64,
    answer_waits_ms: Vec<i64>,
}

impl Expected {
    fn from_calls(calls: &[CallDetail]) -> Expected {
        let mut e = Expected::default();
        for call in calls {
            let Some(queued) = call.first("queued") else {
                continue;
            };
            e.offered += 1;
            if let Some(answered) = call.first("answered") {
                let wait = answered.at_ms - queued.at_ms;
                e.answered += 1;
                e.within += u64::from(wait <= T_MS);
                e.answer_waits_ms.push(wait);
            } else if let Some(abandoned) = call.first("abandoned") {
                let wait = abandoned.at_ms - queued.at_ms;
                e.abandoned += 1;
                e.short += u64::from(wait < SHORT_MS);
            }
        }
        e
    }

    /// Answered within T ÷ (offered − short abandons).
    fn service_level(&self) -> f64 {
        self.within as f64 / (self.offered - self.short) as f64
    }

    /// (abandoned − short abandons) ÷ (offered − short abandons).
    fn abandonment_rate(&self) -> f64 {
        (self.abandoned - self.short) as f64 / (self.offered - self.short) as f64
    }

    /// Mean wait of the answered, seconds.
    fn asa_secs(&self) -> f64 {
        self.answer_waits_ms.iter().sum::<i64>() as f64 / self.answer_waits_ms.len() as f64 / 1000.0
    }
}

fn close(got: &Value, want: f64, what: &str) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what} is a number: {got}"));
    assert!((got - want).abs() < 1e-9, "{what}: {got} != {want}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_floor_and_the_wallboard_show_the_defined_figures_of_a_scripted_day() {
    let ws = Workspace::new("wallboard");
    let args = ["--service-level-secs".to_owned(), (T_MS / 1000).to_string()];
    let server = Server::start_edited_with_args(&ws, &args, async |demo: &store::TenantStore| {
        for name in store::demo::DEMO_QUEUES {
            let queue = demo.queue_by_name(name).await.unwrap().unwrap();
            let mut settings = queue.settings.clone();
            settings.wrap_up_secs = 1;
            demo.update_queue(queue.id, &settings).await.unwrap();
        }
    })
    .await;
    let api = server.api();
    for absent in ["1002", "1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    // Asked before any call: the day is seeded (empty) now, so every call below reaches the
    // figures through the live events, not the store.
    let reply = http_support::get(server.http, "/api/v1/floor", Some(&server.token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let floor: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(floor["total"]["offered"], 0, "{floor}");
    assert!(floor["total"]["service_level"].is_null(), "{floor}");
    let phone = register_phone(&ws, &server, "1001", Behaviour::WaitsForBye, "wallboard").await;
    api.set_agent_state("1001", "ready").await;

    // 1. Answered within T: the agent is ready when the caller chooses sales.
    caller(&ws, &server, "within", "+3364000", Duration::from_secs(6))
        .wait()
        .await
        .assert_passed(1);

    // 2. Answered beyond T: nobody ready until the caller has waited 3 s.
    until_queue(&server, "the agent back from wrap-up", |q| {
        q["agents"]["available"] == 1
    })
    .await;
    api.set_agent_state("1001", "not_ready").await;
    let late = caller(&ws, &server, "beyond", "+3364100", Duration::from_secs(12));
    until_queue(&server, "a 3 s wait", |q| {
        q["longest_wait_ms"].as_u64().is_some_and(|w| w >= 3_000)
    })
    .await;
    api.set_agent_state("1001", "ready").await;
    late.wait().await.assert_passed(1);

    // 3. A short abandon (2 s in queue) and an abandon (8 s), nobody ready.
    until_queue(&server, "the agent back from wrap-up", |q| {
        q["agents"]["available"] == 1
    })
    .await;
    api.set_agent_state("1001", "not_ready").await;
    let short = caller(&ws, &server, "short", "+3364200", Duration::from_secs(2));
    let long = caller(&ws, &server, "abandon", "+3364300", Duration::from_secs(8));
    let (short, long) = tokio::join!(short.wait(), long.wait());
    short.assert_passed(1);
    long.assert_passed(1);
    phone.quit(Duration::from_secs(10)).await;

    // What the definitions give for the calls as logged, and that the scenario made each case.
    let calls = api.call_details().await;
    let want = Expected::from_calls(&calls);
    assert_eq!(
        (
            want.offered,
            want.answered,
            want.within,
            want.abandoned,
            want.short
        ),
        (4, 2, 1, 2, 1),
        "the scenario's cases: {want:?}"
    );

    // The floor follows the log through the live hub, a moment after each commit: wait (bounded)
    // until it has seen every call's end, then compare every figure.
    let floor = floor_once_settled(&server, &want).await;
    let sales = floor["queues"]
        .as_array()
        .and_then(|qs| qs.iter().find(|q| q["queue"] == "sales"))
        .unwrap_or_else(|| panic!("sales in {floor}"));
    assert_eq!(sales["offered"], want.offered, "{sales}");
    assert_eq!(sales["answered"], want.answered, "{sales}");
    assert_eq!(sales["answered_within_threshold"], want.within, "{sales}");
    assert_eq!(sales["abandoned"], want.abandoned, "{sales}");
    assert_eq!(sales["short_abandoned"], want.short, "{sales}");
    close(
        &sales["service_level"],
        want.service_level(),
        "service level",
    );
    close(
        &sales["abandonment_rate"],
        want.abandonment_rate(),
        "abandonment rate",
    );
    close(&sales["asa_secs"], want.asa_secs(), "ASA");
    close(
        &sales["longest_answered_wait_secs"],
        *want.answer_waits_ms.iter().max().unwrap() as f64 / 1000.0,
        "longest answered wait",
    );
    close(&sales["service_level_threshold_secs"], 2.0, "T");
    assert_eq!(sales["handled"], 2, "both answered calls ended: {sales}");
    assert!(
        sales["aht_secs"].as_f64().is_some_and(|a| a > 0.0),
        "{sales}"
    );
    // The all-queues total counts the same four calls once.
    assert_eq!(floor["total"]["offered"], want.offered);
    close(
        &floor["total"]["service_level"],
        want.service_level(),
        "total SL",
    );
    // Support had nothing: its SL is unknown, not 0 or 100 %.
    let support = floor["queues"]
        .as_array()
        .and_then(|qs| qs.iter().find(|q| q["queue"] == "support"))
        .unwrap_or_else(|| panic!("support in {floor}"));
    assert_eq!(support["offered"], 0);
    assert!(support["service_level"].is_null(), "{support}");
    // The agent handled both answered calls.
    let agent = floor["agents"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["extension"] == "1001"))
        .unwrap_or_else(|| panic!("1001 in {floor}"));
    assert_eq!(agent["handled"], 2, "{agent}");

    // The series: the four calls are in the intervals they were offered in.
    let reply = http_support::get(
        server.http,
        "/api/v1/floor/intervals?interval=30",
        Some(&server.token),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let series: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(series["minutes"], 30);
    let offered: u64 = series["queues"]["sales"]
        .as_array()
        .map(|s| s.iter().filter_map(|i| i["offered"].as_u64()).sum())
        .unwrap_or(0);
    assert_eq!(offered, want.offered);
    let bad = http_support::get(
        server.http,
        "/api/v1/floor/intervals?interval=7",
        Some(&server.token),
    )
    .await;
    assert_eq!(bad.status, 400);

    // The same figures on the wallboard, in chromium, logged in as the demo admin.
    let (user, password) = server
        .banner()
        .iter()
        .find_map(|l| l.trim().strip_prefix("Web login"))
        .and_then(|rest| {
            let (user, password) = rest.split_once('/')?;
            Some((user.trim().to_owned(), password.trim().to_owned()))
        })
        .expect("a `Web login` line in the banner");
    let expected = serde_json::json!({
        "offered": want.offered,
        "answered": want.answered,
        "abandoned": want.abandoned,
        "short_abandoned": want.short,
        "service_level": want.service_level(),
        "abandonment_rate": want.abandonment_rate(),
        "asa": want.asa_secs(),
        "waiting": 0,
    });
    let screenshot = e2e::browser::screenshots_dir(&ws).join("wallboard.png");
    let run = run_script(
        "wallboard.mjs",
        &[
            ("PLATEAU_HTTP", format!("http://{}", server.http)),
            ("PLATEAU_USER", user),
            ("PLATEAU_PASSWORD", password),
            ("PLATEAU_QUEUE", "sales".to_owned()),
            ("PLATEAU_EXPECTED", expected.to_string()),
            ("PLATEAU_SCREENSHOT", screenshot.display().to_string()),
        ],
        &ws.path().join("browser"),
        Duration::from_secs(120),
    )
    .await;
    assert!(run.ok, "{}", run.output);
    for check in [
        "logged_in",
        "wallboard_figures",
        "wallboard_updates_itself",
        "wallboard_accessible",
        "screenshot",
        "supervisor_page",
    ] {
        let finding = run
            .finding(check)
            .unwrap_or_else(|| panic!("{check}: {}", run.output));
        assert_eq!(finding["ok"], true, "{check}: {finding}");
    }
}
