//! Customers through the API over a real server and SQLite store: creation with numbers in
//! national format, screen pop, custom fields checked by `crm`, merge, lists and search.

mod http_support;

use std::net::SocketAddr;

use http_support::{Tenant, TestPlane, get, launch_with, make_tenant, request, test_config};
use plateau::launch::Running;
use serde_json::{Value, json};

struct Fixture {
    _dir: tempfile::TempDir,
    _running: Running,
    http: SocketAddr,
    a: Tenant,
    b: Tenant,
}

/// Tenant A answers on a French number (so national numbers are read as French); B has none.
async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("test setup");
    let running = launch_with(test_config(dir.path()), TestPlane::default()).await;
    let a = make_tenant(running.store(), "a").await;
    let b = make_tenant(running.store(), "b").await;
    let flow = a
        .store
        .save_flow("main", "name: main\n", 1, true)
        .await
        .expect("test setup");
    a.store
        .set_number("+33100000000", flow.flow_id, 1)
        .await
        .expect("test setup");
    Fixture {
        http: running.addresses().http,
        _dir: dir,
        _running: running,
        a,
        b,
    }
}

async fn post(f: &Fixture, path: &str, token: &str, body: Value) -> http_support::Reply {
    request(f.http, "POST", path, Some(token), Some(&body.to_string())).await
}

async fn create(f: &Fixture, token: &str, body: Value) -> Value {
    let reply = post(f, "/api/v1/customers", token, body).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()
}

#[tokio::test]
async fn screen_pop_finds_a_customer_by_a_national_number() {
    let f = fixture().await;
    let agent = &f.a.agents[0].1;
    let ada = create(
        &f,
        agent,
        json!({"first_name": "Ada", "last_name": "Lovelace", "phones": ["01 23 45 67 89"]}),
    )
    .await;
    assert_eq!(ada["phones"], json!(["+33123456789"]));
    for number in ["01.23.45.67.89", "+33 1 23 45 67 89", "0033123456789"] {
        let reply = get(
            f.http,
            &format!(
                "/api/v1/customers/lookup?number={}",
                number.replace(' ', "%20").replace('+', "%2B")
            ),
            Some(agent),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let found = reply.json();
        assert_eq!(found["number"], "+33123456789");
        assert_eq!(found["customers"][0]["id"], ada["id"], "{number}");
    }
}

#[tokio::test]
async fn screen_pop_of_an_unknown_number_finds_nobody() {
    let f = fixture().await;
    let reply = get(
        f.http,
        "/api/v1/customers/lookup?number=0611223344",
        Some(&f.a.agents[0].1),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["customers"], json!([]));
}

#[tokio::test]
async fn a_national_number_without_a_region_is_a_bad_request() {
    let f = fixture().await;
    let reply = get(
        f.http,
        "/api/v1/customers/lookup?number=0611223344",
        Some(&f.b.agents[0].1),
    )
    .await;
    assert_eq!(reply.status, 400);
    let reply = get(
        f.http,
        "/api/v1/customers/lookup?number=0611223344&region=FR",
        Some(&f.b.agents[0].1),
    )
    .await;
    assert_eq!(reply.json()["number"], "+33611223344");
}

#[tokio::test]
async fn custom_fields_are_checked_and_stored_typed() {
    let f = fixture().await;
    let fields = json!({"fields": [
        {"key": "plan", "label": "Plan", "kind": {"type": "choice", "options": ["gold", "silver"]}, "required": true},
        {"key": "credit", "label": "Credit", "kind": {"type": "money", "currency": "EUR"}}
    ]});
    let agent = &f.a.agents[0].1;
    let refused = request(
        f.http,
        "PUT",
        "/api/v1/customer-fields",
        Some(agent),
        Some(&fields.to_string()),
    )
    .await;
    assert_eq!(refused.status, 403);
    let saved = request(
        f.http,
        "PUT",
        "/api/v1/customer-fields",
        Some(&f.a.admin.1),
        Some(&fields.to_string()),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.text());

    let bad = post(
        &f,
        "/api/v1/customers",
        agent,
        json!({"first_name": "Bo", "last_name": "B", "fields": {"plan": "bronze", "colour": "red"}}),
    )
    .await;
    assert_eq!(bad.status, 422);
    let errors = bad.json()["errors"].to_string();
    assert!(
        errors.contains("plan") && errors.contains("colour"),
        "{errors}"
    );

    let missing = post(
        &f,
        "/api/v1/customers",
        agent,
        json!({"first_name": "Bo", "last_name": "B", "fields": {"credit": "12.50"}}),
    )
    .await;
    assert_eq!(missing.status, 422, "plan is required");

    let good = create(
        &f,
        agent,
        json!({"first_name": "Bo", "last_name": "B", "fields": {"plan": "gold", "credit": "12.50"}}),
    )
    .await;
    assert_eq!(good["fields"]["plan"]["value"], "gold");
    assert_eq!(good["fields"]["credit"]["value"]["minor"], 1250);
}

#[tokio::test]
async fn a_taken_external_id_is_a_conflict() {
    let f = fixture().await;
    let agent = &f.a.agents[0].1;
    let body = json!({"external_id": "C-1", "first_name": "A", "last_name": "B"});
    create(&f, agent, body.clone()).await;
    let again = post(&f, "/api/v1/customers", agent, body).await;
    assert_eq!(again.status, 409);
}

#[tokio::test]
async fn after_a_merge_the_duplicates_number_pops_the_survivor() {
    let f = fixture().await;
    let agent = &f.a.agents[0].1;
    let keep = create(
        &f,
        agent,
        json!({"first_name": "Jean", "last_name": "Dupont", "phones": ["0102030405"]}),
    )
    .await;
    let dup = create(&f, agent, json!({"first_name": "J", "last_name": "Dupont", "phones": ["0607080910"], "emails": ["j@example.com"]})).await;
    let merged = post(
        &f,
        &format!("/api/v1/customers/{}/merge", keep["id"]),
        agent,
        json!({"other": dup["id"]}),
    )
    .await;
    assert_eq!(merged.status, 200, "{}", merged.text());
    let merged = merged.json();
    assert_eq!(merged["merged"], json!([dup["id"]]));
    assert!(merged["phones"].to_string().contains("+33607080910"));
    let popped = get(
        f.http,
        "/api/v1/customers/lookup?number=0607080910",
        Some(agent),
    )
    .await;
    assert_eq!(popped.json()["customers"][0]["id"], keep["id"]);
    let listed = get(f.http, "/api/v1/customers", Some(agent)).await.json();
    assert_eq!(listed["customers"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn the_list_pages_by_id_and_search_finds_by_name_prefix() {
    let f = fixture().await;
    let agent = &f.a.agents[0].1;
    for name in ["Martin", "Bernard", "Thomas"] {
        create(&f, agent, json!({"first_name": "Marie", "last_name": name})).await;
    }
    let first = get(f.http, "/api/v1/customers?limit=2", Some(agent))
        .await
        .json();
    assert_eq!(first["customers"].as_array().map(Vec::len), Some(2));
    let next = first["next"].as_i64().expect("a next page");
    let second = get(
        f.http,
        &format!("/api/v1/customers?limit=2&after={next}"),
        Some(agent),
    )
    .await
    .json();
    assert_eq!(second["customers"][0]["last_name"], "Thomas");
    assert_eq!(second["next"], Value::Null);

    let found = get(f.http, "/api/v1/customers?q=bern", Some(agent))
        .await
        .json();
    assert_eq!(found["customers"].as_array().map(Vec::len), Some(1));
    assert_eq!(found["customers"][0]["last_name"], "Bernard");
}

#[tokio::test]
async fn the_detail_shows_tickets_and_calls_from_the_customers_numbers() {
    let f = fixture().await;
    let agent = &f.a.agents[0].1;
    let ada = create(
        &f,
        agent,
        json!({"first_name": "Ada", "last_name": "L", "phones": ["+33612345678"]}),
    )
    .await;
    let call = http_support::log_answered_call(
        f._running.log_writer(),
        &f.a,
        1_700_000_000_000,
        "+33612345678",
    )
    .await;
    let ticket = post(
        &f,
        "/api/v1/tickets",
        agent,
        json!({"subject": "Router broken", "customer_id": ada["id"], "interaction_id": call.to_string()}),
    )
    .await;
    assert_eq!(ticket.status, 201, "{}", ticket.text());
    let detail = get(
        f.http,
        &format!("/api/v1/customers/{}", ada["id"]),
        Some(agent),
    )
    .await;
    assert_eq!(detail.status, 200);
    let detail = detail.json();
    assert_eq!(detail["tickets"][0]["subject"], "Router broken");
    assert_eq!(detail["calls"][0]["interaction_id"], call.to_string());
}

#[tokio::test]
async fn bad_customers_are_refused_with_4xx() {
    let f = fixture().await;
    let agent = &f.a.agents[0].1;
    for body in [
        json!({"first_name": "A", "last_name": "B", "phones": ["not a number"]}),
        json!({"first_name": "A", "last_name": "B", "emails": ["nope"]}),
        json!({"first_name": "A"}),
        json!({"first_name": "A", "last_name": "B", "extra": 1}),
    ] {
        let reply = post(&f, "/api/v1/customers", agent, body.clone()).await;
        assert!(
            (400..500).contains(&reply.status),
            "{body}: {}",
            reply.status
        );
    }
}

#[tokio::test]
async fn a_calls_screen_pop_shows_the_caller_and_their_open_tickets() {
    let f = fixture().await;
    let agent = &f.a.agents[0].1;
    let ada = create(
        &f,
        agent,
        json!({"first_name": "Ada", "last_name": "L", "phones": ["06 12 34 56 78"]}),
    )
    .await;
    let ticket = post(
        &f,
        "/api/v1/tickets",
        agent,
        json!({"subject": "Billing", "customer_id": ada["id"]}),
    )
    .await;
    assert_eq!(ticket.status, 201);
    let call = http_support::log_answered_call(
        f._running.log_writer(),
        &f.a,
        1_700_000_000_000,
        "+33612345678",
    )
    .await;
    let pop = get(
        f.http,
        &format!("/api/v1/calls/{call}/screen-pop"),
        Some(agent),
    )
    .await;
    assert_eq!(pop.status, 200, "{}", pop.text());
    let pop = pop.json();
    assert_eq!(pop["customers"][0]["id"], ada["id"]);
    assert_eq!(pop["open_tickets"][0]["subject"], "Billing");
    let other_tenant = get(
        f.http,
        &format!("/api/v1/calls/{call}/screen-pop"),
        Some(&f.b.agents[0].1),
    )
    .await;
    assert_eq!(other_tenant.status, 404);
}

#[tokio::test]
async fn a_search_by_a_national_number_finds_the_customer() {
    let f = fixture().await;
    let agent = &f.a.agents[0].1;
    let ada = create(
        &f,
        agent,
        json!({"first_name": "Ada", "last_name": "L", "phones": ["+33612345678"]}),
    )
    .await;
    let found = get(
        f.http,
        "/api/v1/customers?q=06%2012%2034%2056%2078",
        Some(agent),
    )
    .await
    .json();
    assert_eq!(found["customers"][0]["id"], ada["id"]);
}
