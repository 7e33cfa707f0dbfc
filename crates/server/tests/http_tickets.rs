//! Tickets, orders, dispositions, scripts, SLA and the knowledge base through the API over a
//! real server and SQLite store.

mod http_support;

use std::net::SocketAddr;

use http_support::{
    Reply, Tenant, TestPlane, get, launch_with, log_answered_call, make_tenant, request,
    test_config,
};
use plateau::launch::Running;
use serde_json::{Value, json};
use store::InteractionId;

struct Fixture {
    _dir: tempfile::TempDir,
    running: Running,
    http: SocketAddr,
    a: Tenant,
}

const T0: i64 = 1_700_000_000_000;

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("test setup");
    let running = launch_with(test_config(dir.path()), TestPlane::default()).await;
    let a = make_tenant(running.store(), "a").await;
    Fixture {
        http: running.addresses().http,
        _dir: dir,
        running,
        a,
    }
}

async fn send(f: &Fixture, method: &str, path: &str, token: &str, body: Value) -> Reply {
    request(f.http, method, path, Some(token), Some(&body.to_string())).await
}

fn agent(f: &Fixture) -> &str {
    &f.a.agents[0].1
}

fn admin(f: &Fixture) -> &str {
    &f.a.admin.1
}

async fn new_ticket(f: &Fixture, body: Value) -> Value {
    let reply = send(f, "POST", "/api/v1/tickets", agent(f), body).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()
}

async fn call(f: &Fixture, caller: &str) -> InteractionId {
    log_answered_call(f.running.log_writer(), &f.a, T0, caller).await
}

#[tokio::test]
async fn an_escalated_ticket_appears_in_tier_twos_list_with_its_reason() {
    let f = fixture().await;
    let ticket = new_ticket(&f, json!({"subject": "No dial tone", "priority": "high"})).await;
    assert_eq!(
        (ticket["state"].as_str(), ticket["tier"].as_u64()),
        (Some("new"), Some(1))
    );
    let id = ticket["id"].as_i64().expect("id");
    let opened = send(
        &f,
        "POST",
        &format!("/api/v1/tickets/{id}/transitions"),
        agent(&f),
        json!({"action": "open"}),
    )
    .await;
    assert_eq!(opened.json()["state"], "open");
    let escalated = send(
        &f,
        "POST",
        &format!("/api/v1/tickets/{id}/escalate"),
        agent(&f),
        json!({"tier": 2, "reason": "line test needed"}),
    )
    .await;
    assert_eq!(escalated.status, 200, "{}", escalated.text());
    assert_eq!(escalated.json()["state"], "escalated");

    let tier2 = get(f.http, "/api/v1/tickets?tier=2", Some(agent(&f)))
        .await
        .json();
    assert_eq!(tier2["tickets"][0]["id"], id);
    let tier1 = get(f.http, "/api/v1/tickets?tier=1", Some(agent(&f)))
        .await
        .json();
    assert_eq!(tier1["tickets"], json!([]));

    let detail = get(f.http, &format!("/api/v1/tickets/{id}"), Some(agent(&f)))
        .await
        .json();
    let escalation = detail["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["kind"] == "escalated")
        .expect("an escalated event")
        .clone();
    assert_eq!(escalation["data"]["reason"], "line test needed");
    assert_eq!(escalation["data"]["tier"], 2);
}

#[tokio::test]
async fn escalating_to_a_lower_or_unknown_tier_is_refused() {
    let f = fixture().await;
    let id = new_ticket(&f, json!({"subject": "x", "tier": 2})).await["id"].clone();
    for tier in [1, 2, 4] {
        let reply = send(
            &f,
            "POST",
            &format!("/api/v1/tickets/{id}/escalate"),
            agent(&f),
            json!({"tier": tier, "reason": "r"}),
        )
        .await;
        assert_eq!(reply.status, 422, "tier {tier}");
    }
}

#[tokio::test]
async fn a_move_the_life_cycle_refuses_is_a_conflict() {
    let f = fixture().await;
    let id = new_ticket(&f, json!({"subject": "x"})).await["id"].clone();
    let reply = send(
        &f,
        "POST",
        &format!("/api/v1/tickets/{id}/transitions"),
        agent(&f),
        json!({"action": "close"}),
    )
    .await;
    assert_eq!(reply.status, 409);
}

#[tokio::test]
async fn a_decision_from_a_stale_state_is_a_conflict_and_changes_nothing() {
    let f = fixture().await;
    let id = new_ticket(&f, json!({"subject": "x"})).await["id"].clone();
    let path = format!("/api/v1/tickets/{id}/transitions");
    let first = send(
        &f,
        "POST",
        &path,
        agent(&f),
        json!({"action": "open", "expected_state": "new"}),
    )
    .await;
    assert_eq!(first.status, 200);
    // A second agent decided from "new" too, before seeing the first's move.
    let second = send(
        &f,
        "POST",
        &path,
        &f.a.agents[1].1,
        json!({"action": "wait_for_customer", "expected_state": "new"}),
    )
    .await;
    assert_eq!(second.status, 409);
    let now = get(f.http, &format!("/api/v1/tickets/{id}"), Some(agent(&f)))
        .await
        .json();
    assert_eq!(now["ticket"]["state"], "open");
}

#[tokio::test]
async fn a_contact_on_the_same_subject_is_attached_to_the_open_ticket() {
    let f = fixture().await;
    let customer = send(
        &f,
        "POST",
        "/api/v1/customers",
        agent(&f),
        json!({"first_name": "A", "last_name": "B", "phones": ["+33612345678"]}),
    )
    .await
    .json();
    let first = new_ticket(
        &f,
        json!({"subject": "Invoice", "customer_id": customer["id"]}),
    )
    .await;
    let contact = call(&f, "+33612345678").await;
    let again = send(
        &f,
        "POST",
        "/api/v1/tickets",
        agent(&f),
        json!({"subject": "invoice", "customer_id": customer["id"], "interaction_id": contact.to_string()}),
    )
    .await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["id"], first["id"]);
    let detail = get(
        f.http,
        &format!("/api/v1/tickets/{}", first["id"]),
        Some(agent(&f)),
    )
    .await
    .json();
    assert_eq!(detail["contacts"][0]["interaction_id"], contact.to_string());
}

#[tokio::test]
async fn notes_assignment_and_search() {
    let f = fixture().await;
    let id = new_ticket(&f, json!({"subject": "Modem blinking red"})).await["id"].clone();
    let note = send(
        &f,
        "POST",
        &format!("/api/v1/tickets/{id}/notes"),
        agent(&f),
        json!({"visibility": "internal", "text": "customer rebooted twice"}),
    )
    .await;
    assert_eq!(note.status, 201, "{}", note.text());
    assert_eq!(note.json()["data"]["visibility"], "internal");
    let bob = f.a.agents[1].0.0;
    let assigned = send(
        &f,
        "PUT",
        &format!("/api/v1/tickets/{id}/assignee"),
        agent(&f),
        json!({"user_id": bob}),
    )
    .await;
    assert_eq!(assigned.json()["assigned_user_id"], bob);
    let mine = get(
        f.http,
        &format!("/api/v1/tickets?assignee={bob}"),
        Some(agent(&f)),
    )
    .await
    .json();
    assert_eq!(mine["tickets"][0]["id"], id);
    let found = get(f.http, "/api/v1/tickets?q=reboot", Some(agent(&f)))
        .await
        .json();
    assert_eq!(found["tickets"][0]["id"], id);
    let nobody = send(
        &f,
        "PUT",
        &format!("/api/v1/tickets/{id}/assignee"),
        agent(&f),
        json!({"user_id": 999_999}),
    )
    .await;
    assert_eq!(nobody.status, 422);
}

#[tokio::test]
async fn sla_due_times_follow_the_policy_and_pause_while_pending() {
    let f = fixture().await;
    let policy = send(
        &f,
        "PUT",
        "/api/v1/sla-policies/high",
        admin(&f),
        json!({"first_response_secs": 3600, "resolution_secs": 7200}),
    )
    .await;
    assert_eq!(policy.status, 200, "{}", policy.text());
    let ticket = new_ticket(&f, json!({"subject": "Outage", "priority": "high"})).await;
    let created = ticket["created_at_ms"].as_i64().expect("created");
    assert_eq!(
        ticket["sla"]["first_response_due"]["at_ms"],
        created + 3_600_000
    );
    assert_eq!(
        ticket["sla"]["resolution_due"]["at_ms"],
        created + 7_200_000
    );
    let id = ticket["id"].clone();
    let pending = send(
        &f,
        "POST",
        &format!("/api/v1/tickets/{id}/transitions"),
        agent(&f),
        json!({"action": "wait_for_customer"}),
    )
    .await
    .json();
    assert_eq!(pending["sla"]["resolution_due"], Value::Null, "paused");
    let back = send(
        &f,
        "POST",
        &format!("/api/v1/tickets/{id}/transitions"),
        agent(&f),
        json!({"action": "customer_replied"}),
    )
    .await
    .json();
    let due = back["sla"]["resolution_due"]["at_ms"]
        .as_i64()
        .expect("running again");
    assert!(due >= created + 7_200_000);
    let normal = new_ticket(&f, json!({"subject": "No policy"})).await;
    assert_eq!(normal["sla"]["first_response_due"], Value::Null);
}

#[tokio::test]
async fn an_order_on_a_ticket_is_priced_from_the_catalog() {
    let f = fixture().await;
    for (sku, price) in [("FIBRE-1G", 3999), ("ROUTER", 12900)] {
        let reply = send(
            &f,
            "POST",
            "/api/v1/products",
            admin(&f),
            json!({"sku": sku, "name": sku, "unit_price_minor": price, "currency": "EUR"}),
        )
        .await;
        assert_eq!(reply.status, 201, "{}", reply.text());
    }
    let refused = send(
        &f,
        "POST",
        "/api/v1/products",
        agent(&f),
        json!({"sku": "X", "name": "X", "unit_price_minor": 1, "currency": "EUR"}),
    )
    .await;
    assert_eq!(refused.status, 403);
    let id = new_ticket(&f, json!({"subject": "Upgrade"})).await["id"].clone();
    let order = send(
        &f,
        "POST",
        &format!("/api/v1/tickets/{id}/orders"),
        agent(&f),
        json!({"currency": "EUR", "lines": [{"sku": "FIBRE-1G", "quantity": 2}, {"sku": "ROUTER", "quantity": 1}]}),
    )
    .await;
    assert_eq!(order.status, 201, "{}", order.text());
    let order = order.json();
    assert_eq!(order["total_minor"], 2 * 3999 + 12900);
    assert_eq!(order["lines"][0]["total_minor"], 7998);
    assert_eq!(order["status"], "placed");
    let detail = get(f.http, &format!("/api/v1/tickets/{id}"), Some(agent(&f)))
        .await
        .json();
    assert_eq!(detail["orders"][0]["id"], order["id"]);

    for lines in [
        json!([{"sku": "NOPE", "quantity": 1}]),
        json!([{"sku": "ROUTER", "quantity": 0}]),
        json!([]),
    ] {
        let reply = send(
            &f,
            "POST",
            &format!("/api/v1/tickets/{id}/orders"),
            agent(&f),
            json!({"currency": "EUR", "lines": lines}),
        )
        .await;
        assert_eq!(reply.status, 422, "{lines}");
    }
    let usd = send(
        &f,
        "POST",
        &format!("/api/v1/tickets/{id}/orders"),
        agent(&f),
        json!({"currency": "USD", "lines": [{"sku": "ROUTER", "quantity": 1}]}),
    )
    .await;
    assert_eq!(usd.status, 422);
}

#[tokio::test]
async fn only_the_calls_agent_gives_its_disposition_from_the_queues_codes() {
    let f = fixture().await;
    let created = send(
        &f,
        "POST",
        "/api/v1/queues/sales/dispositions",
        admin(&f),
        json!({"code": "sale", "label": "Sale"}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let code = created.json()["id"].clone();
    let required = send(
        &f,
        "PUT",
        "/api/v1/queues/sales/disposition-required",
        admin(&f),
        json!({"required": true}),
    )
    .await;
    assert_eq!(required.status, 200);
    let listed = get(f.http, "/api/v1/queues/sales/dispositions", Some(agent(&f)))
        .await
        .json();
    assert_eq!(listed["required"], true);
    assert_eq!(listed["dispositions"][0]["code"], "sale");

    let contact = call(&f, "+33612345678").await;
    let path = format!("/api/v1/calls/{contact}/disposition");
    let other = send(
        &f,
        "PUT",
        &path,
        &f.a.agents[1].1,
        json!({"disposition_id": code}),
    )
    .await;
    assert_eq!(other.status, 404, "bob did not take the call");
    let given = send(
        &f,
        "PUT",
        &path,
        agent(&f),
        json!({"disposition_id": code, "notes": "2 lines"}),
    )
    .await;
    assert_eq!(given.status, 200, "{}", given.text());
    assert_eq!(given.json()["code"], "sale");

    send(
        &f,
        "PUT",
        &format!("/api/v1/dispositions/{code}"),
        admin(&f),
        json!({"label": "Sale", "active": false}),
    )
    .await;
    let inactive = send(&f, "PUT", &path, agent(&f), json!({"disposition_id": code})).await;
    assert_eq!(inactive.status, 422);
}

const SCRIPT: &str = r#"
pages:
  - id: greet
    text: "Hello {customer.first_name}, is this about your order?"
    questions:
      - key: about_order
        label: About an order?
        type: choice
        options:
          - { value: "yes", label: "Yes", next: order }
          - { value: "no", label: "No", next: other }
  - id: order
    text: Ask for the order number.
    questions: [{ key: order_no, label: Order number, type: text, saves_to: order_number }]
  - id: other
    text: Ask what it is about.
"#;

#[tokio::test]
async fn a_branching_script_saves_its_answers_into_the_ticket_and_stores_its_path() {
    let f = fixture().await;
    let saved = send(
        &f,
        "PUT",
        "/api/v1/scripts/welcome",
        admin(&f),
        json!({"body": SCRIPT}),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    let linked = send(
        &f,
        "PUT",
        "/api/v1/queues/sales/script",
        admin(&f),
        json!({"script": "welcome"}),
    )
    .await;
    assert_eq!(linked.status, 200);
    let bad = send(
        &f,
        "PUT",
        "/api/v1/scripts/broken",
        admin(&f),
        json!({"body": "pages: [{id: a, text: x, next: nowhere}]"}),
    )
    .await;
    assert_eq!(bad.status, 422);

    send(
        &f,
        "POST",
        "/api/v1/customers",
        agent(&f),
        json!({"first_name": "Ada", "last_name": "L", "phones": ["+33612345678"]}),
    )
    .await;
    let contact = call(&f, "+33612345678").await;
    let ticket = new_ticket(
        &f,
        json!({"subject": "Order", "interaction_id": contact.to_string()}),
    )
    .await;

    let page = get(
        f.http,
        &format!("/api/v1/calls/{contact}/script"),
        Some(agent(&f)),
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(
        page.json()["page"]["text"],
        "Hello Ada, is this about your order?"
    );
    let answer = format!("/api/v1/calls/{contact}/script/answer");
    let moved = send(
        &f,
        "POST",
        &answer,
        agent(&f),
        json!({"key": "about_order", "value": "yes"}),
    )
    .await
    .json();
    assert_eq!(moved["page"]["id"], "order");
    let wrong = send(
        &f,
        "POST",
        &answer,
        agent(&f),
        json!({"key": "about_order", "value": "yes"}),
    )
    .await;
    assert_eq!(wrong.status, 422, "not on this page");
    let done = send(
        &f,
        "POST",
        &answer,
        agent(&f),
        json!({"key": "order_no", "value": "A-1234"}),
    )
    .await
    .json();
    assert_eq!(done["finished"], true);
    assert_eq!(done["path"], json!(["greet", "order"]));

    let detail = get(
        f.http,
        &format!("/api/v1/tickets/{}", ticket["id"]),
        Some(agent(&f)),
    )
    .await
    .json();
    assert_eq!(detail["ticket"]["fields"]["order_number"], "A-1234");
    let script = f.a.store.scripts().await.expect("scripts")[0].id;
    let runs = f.a.store.script_runs(script, None).await.expect("runs");
    assert_eq!(runs[0].path, json!(["greet", "order"]));
    assert_eq!(runs[0].interaction_id, Some(contact));

    let other = get(
        f.http,
        &format!("/api/v1/calls/{contact}/script"),
        Some(&f.a.agents[1].1),
    )
    .await;
    assert_eq!(other.status, 404, "not bob's call");
}

#[tokio::test]
async fn knowledge_base_articles_are_found_by_words_of_their_text() {
    let f = fixture().await;
    let created = send(&f, "POST", "/api/v1/kb", admin(&f), json!({"title": "Fibre promo", "body": "Three months free on the 1 Gbit/s plan", "tags": ["promo"]})).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let refused = send(
        &f,
        "POST",
        "/api/v1/kb",
        agent(&f),
        json!({"title": "x", "body": "y"}),
    )
    .await;
    assert_eq!(refused.status, 403);
    let found = get(f.http, "/api/v1/kb?q=months%20free", Some(agent(&f)))
        .await
        .json();
    assert_eq!(found["articles"][0]["title"], "Fibre promo");
    let id = created.json()["id"].clone();
    let gone = request(
        f.http,
        "DELETE",
        &format!("/api/v1/kb/{id}"),
        Some(admin(&f)),
        None,
    )
    .await;
    assert_eq!(gone.status, 204);
    assert_eq!(
        get(f.http, &format!("/api/v1/kb/{id}"), Some(agent(&f)))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn fcr_counts_a_resolution_spoiled_by_a_further_contact() {
    let f = fixture().await;
    let customer = send(
        &f,
        "POST",
        "/api/v1/customers",
        agent(&f),
        json!({"first_name": "A", "last_name": "B"}),
    )
    .await
    .json();
    let first = call(&f, "+33611111111").await;
    let ticket = new_ticket(&f, json!({"subject": "Wifi", "customer_id": customer["id"], "interaction_id": first.to_string()})).await;
    let id = ticket["id"].clone();
    send(
        &f,
        "POST",
        &format!("/api/v1/tickets/{id}/transitions"),
        agent(&f),
        json!({"action": "resolve"}),
    )
    .await;
    let report = |from: &str, to: &str| format!("/api/v1/reports/fcr?from={from}&to={to}");
    let sup = &f.a.supervisor.1;
    let fcr = get(
        f.http,
        &report("2023-11-01T00:00:00Z", "2023-12-01T00:00:00Z"),
        Some(sup),
    )
    .await;
    assert_eq!(fcr.status, 200, "{}", fcr.text());
    assert_eq!(fcr.json()["with_resolved_ticket"], 1);
    assert_eq!(fcr.json()["resolved_first_time"], 1);
    assert_eq!(get(f.http, &report("x", "y"), Some(sup)).await.status, 400);
    assert_eq!(
        get(
            f.http,
            &report("2023-11-01T00:00:00Z", "2023-12-01T00:00:00Z"),
            Some(agent(&f))
        )
        .await
        .status,
        403
    );
}
