//! Issue 5, must-show 2 (closed hours): a flow's `hours` node sends callers to its `open`,
//! `closed` or `holiday` branch by the tenant's local time. The tenant is put in
//! Pacific/Kiritimati (UTC+14) so that for most of the day its date is not the UTC date, and
//! three numbers run three flows: one open every day, one open only on a weekday that is not
//! today's there, one whose holidays are today's (and tomorrow's, in case the call crosses
//! midnight) local dates. SIPp calls each number; the interaction log must show the branch.

mod e2e;
mod http_support;

use std::time::Duration;

use e2e::Workspace;
use e2e::checks::{assert_events_in_order, by_caller, calls_ended};
use e2e::ports::free_media_port;
use e2e::server::Server;
use e2e::sipp::Sipp;

const ZONE: &str = "Pacific/Kiritimati";

/// Number, flow name, caller's number prefix (SIPp appends the call number, 1), and the branch
/// its call must take.
const CASES: [(&str, &str, &str, &str); 3] = [
    ("+33100000101", "hours-open", "+3362000001", "open"),
    ("+33100000102", "hours-closed", "+3362000002", "closed"),
    ("+33100000103", "hours-holiday", "+3362000003", "holiday"),
];

/// A flow whose business-hours node has `when` and `holidays`, each branch a different prompt
/// then the hang-up.
fn flow(name: &str, when: &str, holidays: &str) -> String {
    format!(
        "name: {name}
language: en
start: office
nodes:
  office:
    hours:
      when: {when}
      holidays: {holidays}
      open: opened
      closed: closed_message
      holiday: holiday_message
  opened:
    play: [welcome]
    next: hangup
  closed_message:
    play: [goodbye]
    next: hangup
  holiday_message:
    play: [please-hold]
    next: hangup
"
    )
}

fn weekday_name(day: jiff::civil::Weekday) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.to_monday_zero_offset() as usize]
}

/// Seeds the demo, sets the zone, installs the three flows on their numbers.
async fn install_flows(ws: &Workspace) {
    let seeding = Server::start(ws).await;
    assert!(seeding.stop().await.success(), "the seeding start stopped");
    let url = format!("sqlite://{}", ws.data_dir().join("plateau.db").display());
    let db = store::Store::open(&url).await.expect("the demo database");
    let demo = db
        .tenant_by_slug(store::demo::DEMO_TENANT)
        .await
        .expect("tenants")
        .expect("the demo tenant");
    db.set_tenant_time_zone(demo.id, ZONE)
        .await
        .expect("time zone set");
    let tenant = db.tenant(demo.id).await.expect("the demo tenant's store");

    let local = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get(ZONE).expect("zone"));
    let today = local.date();
    let tomorrow = today.tomorrow().expect("a date after today");
    // Three days on, so that neither today nor tomorrow (a call crossing midnight) is open.
    let other_day = weekday_name(today.weekday().wrapping_add(3));
    let all_week = r#"[{ days: mon-sun, from: "00:00", to: "24:00" }]"#;
    let flows = [
        flow("hours-open", all_week, "[]"),
        flow(
            "hours-closed",
            &format!(r#"[{{ days: {other_day}, from: "00:00", to: "24:00" }}]"#),
            "[]",
        ),
        flow("hours-holiday", all_week, &format!("[{today}, {tomorrow}]")),
    ];
    for ((number, name, _, _), source) in CASES.iter().zip(&flows) {
        let saved = tenant
            .save_flow(name, source, 1, true)
            .await
            .expect("flow saved");
        tenant
            .set_number(number, saved.flow_id, 1)
            .await
            .expect("number set");
    }
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_take_the_open_closed_or_holiday_branch_by_the_tenants_local_time() {
    let ws = Workspace::new("business-hours");
    install_flows(&ws).await;
    let server = Server::start(&ws).await;
    for (number, name, caller, _) in CASES {
        let outcome = Sipp::new(&ws, name, "caller_until_bye.xml")
            .remote(server.sip)
            .service(number)
            .media_port(free_media_port())
            .key("caller_prefix", caller)
            .calls(1)
            .limit(1)
            .recv_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(60))
            .run()
            .await;
        outcome.assert_passed(1);
    }

    // The server's BYE leaves before its `ended` event is durable: wait for the log.
    let calls = calls_ended(&server.api(), CASES.len()).await;
    assert_eq!(calls.len(), CASES.len(), "one interaction per call");
    for (_, name, caller, branch) in CASES {
        let call = by_caller(&calls, &format!("{caller}1"));
        assert_events_in_order(call, &["arrived", "ivr_entered", "ivr_branch", "ended"]);
        let taken = call.first("ivr_branch").expect("a branch event");
        assert_eq!(taken.text("node"), Some("office"), "{name}");
        assert_eq!(taken.text("branch"), Some(branch), "{name}");
        assert_eq!(call.events_of("ivr_branch").count(), 1, "{name}");
    }
    let status = server.stop().await;
    assert!(status.success(), "the server stopped cleanly: {status}");
}
