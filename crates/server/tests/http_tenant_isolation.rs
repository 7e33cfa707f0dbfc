//! Tenant isolation, as a property: whatever sequence of API calls tenant A's admin makes
//! against the ids and names of tenant B's customers, tickets, orders, products, dispositions,
//! scripts and articles, no answer carries B's data and B's rows are the same afterwards.

mod http_support;

use std::net::SocketAddr;

use http_support::{Tenant, TestPlane, launch_with, make_tenant, request, test_config};
use plateau::launch::Running;
use proptest::prelude::*;
use serde_json::json;
use store::{Scope, TenantStore};

/// Text planted in every row of B: an answer to A that contains it leaked.
const MARK: &str = "Zebulon";

/// B's rows, by id.
#[derive(Debug, Clone)]
struct Rows {
    customer: i64,
    other_customer: i64,
    ticket: i64,
    order: i64,
    product: i64,
    disposition: i64,
    article: i64,
    call: String,
}

struct World {
    runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
    http: SocketAddr,
    a_token: String,
    b: TenantStore,
    rows: Rows,
}

fn world() -> World {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("test setup");
    let dir = tempfile::tempdir().expect("test setup");
    let (running, a, b) = runtime.block_on(async {
        let running = launch_with(test_config(dir.path()), TestPlane::default()).await;
        let a = make_tenant(running.store(), "a").await;
        let b = make_tenant(running.store(), "b").await;
        (running, a, b)
    });
    let http = running.addresses().http;
    let rows = runtime.block_on(seed_b(&running, &b, http));
    // The server runs on the runtime's workers for the whole test binary.
    Box::leak(Box::new(running));
    World {
        runtime,
        _dir: dir,
        http,
        a_token: a.admin.1.clone(),
        b: b.store,
        rows,
    }
}

/// B's rows, made through the API with B's admin token.
async fn seed_b(running: &Running, b: &Tenant, http: SocketAddr) -> Rows {
    let token = b.admin.1.as_str();
    let post = async |path: &str, body: serde_json::Value| {
        let reply = request(http, "POST", path, Some(token), Some(&body.to_string())).await;
        assert!(reply.status < 300, "{path}: {}", reply.text());
        reply.json()
    };
    let customer = post(
        "/api/v1/customers",
        json!({"first_name": MARK, "last_name": "B", "phones": ["+33699999999"], "external_id": "B-1"}),
    )
    .await;
    let other = post(
        "/api/v1/customers",
        json!({"first_name": MARK, "last_name": "Twin", "phones": ["+33699999998"]}),
    )
    .await;
    let call =
        http_support::log_answered_call(running.log_writer(), b, 1_700_000_000_000, "+33699999999")
            .await;
    let ticket = post(
        "/api/v1/tickets",
        json!({"subject": format!("{MARK} outage"), "customer_id": customer["id"], "interaction_id": call.to_string()}),
    )
    .await;
    let product = post(
        "/api/v1/products",
        json!({"sku": "B-SKU", "name": MARK, "unit_price_minor": 100, "currency": "EUR"}),
    )
    .await;
    let order = post(
        &format!("/api/v1/tickets/{}/orders", ticket["id"]),
        json!({"currency": "EUR", "lines": [{"sku": "B-SKU", "quantity": 1}]}),
    )
    .await;
    let disposition = post(
        "/api/v1/queues/sales/dispositions",
        json!({"code": "b-sale", "label": MARK}),
    )
    .await;
    let article = post(
        "/api/v1/kb",
        json!({"title": format!("{MARK} tariffs"), "body": MARK}),
    )
    .await;
    let script = request(
        http,
        "PUT",
        "/api/v1/scripts/zebulon",
        Some(token),
        Some(&json!({"body": format!("pages: [{{id: a, text: {MARK}}}]")}).to_string()),
    )
    .await;
    assert_eq!(script.status, 200, "{}", script.text());
    let id = |v: &serde_json::Value| v["id"].as_i64().expect("id");
    Rows {
        customer: id(&customer),
        other_customer: id(&other),
        ticket: id(&ticket),
        order: id(&order),
        product: id(&product),
        disposition: id(&disposition),
        article: id(&article),
        call: call.to_string(),
    }
}

/// Everything of B's that A could try to read or change, as text.
async fn snapshot(b: &TenantStore, rows: &Rows) -> String {
    let customer = b
        .customer(store::CustomerId(rows.customer))
        .await
        .expect("read");
    let other = b
        .customer(store::CustomerId(rows.other_customer))
        .await
        .expect("read");
    let ticket = b
        .ticket_detail(store::TicketId(rows.ticket))
        .await
        .expect("read");
    let order = b.order(store::OrderId(rows.order)).await.expect("read");
    let products = b.products(true).await.expect("read");
    let queue = b
        .queue_by_name("sales")
        .await
        .expect("read")
        .expect("queue");
    let dispositions = b
        .dispositions(&Scope::Queue(queue.id), true)
        .await
        .expect("read");
    let required = b.disposition_required(queue.id).await.expect("read");
    let article = b
        .kb_article(store::KbArticleId(rows.article))
        .await
        .expect("read");
    let scripts = b.scripts().await.expect("read");
    let mut versions = Vec::new();
    for s in &scripts {
        versions.push(b.script_versions(s.id).await.expect("read"));
    }
    let fields = b.custom_field_defs().await.expect("read");
    let policies = b.sla_policies().await.expect("read");
    format!(
        "{customer:?}{other:?}{ticket:?}{order:?}{products:?}{dispositions:?}{required}\
         {article:?}{scripts:?}{versions:?}{fields:?}{policies:?}"
    )
}

/// The API calls A may make against B's rows: method, path, body.
fn calls(rows: &Rows) -> Vec<(String, String, Option<serde_json::Value>)> {
    let c = rows.customer;
    let c2 = rows.other_customer;
    let t = rows.ticket;
    let o = rows.order;
    let p = rows.product;
    let d = rows.disposition;
    let k = rows.article;
    let call = &rows.call;
    let get = |path: String| ("GET".to_owned(), path, None);
    let send =
        |method: &str, path: String, body: serde_json::Value| (method.to_owned(), path, Some(body));
    vec![
        get(format!("/api/v1/customers/{c}")),
        get("/api/v1/customers/lookup?number=%2B33699999999".to_owned()),
        get(format!("/api/v1/customers?q={MARK}")),
        get("/api/v1/customers".to_owned()),
        send(
            "PUT",
            format!("/api/v1/customers/{c}"),
            json!({"first_name": "X", "last_name": "Y"}),
        ),
        send(
            "POST",
            format!("/api/v1/customers/{c}/merge"),
            json!({"other": c2}),
        ),
        get(format!("/api/v1/tickets/{t}")),
        get(format!("/api/v1/tickets?customer={c}")),
        get(format!("/api/v1/tickets?q={MARK}")),
        send(
            "POST",
            format!("/api/v1/tickets/{t}/transitions"),
            json!({"action": "resolve"}),
        ),
        send(
            "POST",
            format!("/api/v1/tickets/{t}/escalate"),
            json!({"tier": 3, "reason": "r"}),
        ),
        send(
            "PUT",
            format!("/api/v1/tickets/{t}/assignee"),
            json!({"team": "x"}),
        ),
        send(
            "POST",
            format!("/api/v1/tickets/{t}/notes"),
            json!({"visibility": "internal", "text": "x"}),
        ),
        send(
            "POST",
            format!("/api/v1/tickets/{t}/interactions"),
            json!({"interaction_id": call}),
        ),
        send(
            "POST",
            format!("/api/v1/tickets/{t}/orders"),
            json!({"currency": "EUR", "lines": [{"sku": "B-SKU", "quantity": 1}]}),
        ),
        send(
            "POST",
            "/api/v1/tickets".to_owned(),
            json!({"subject": "s", "customer_id": c}),
        ),
        send(
            "POST",
            "/api/v1/tickets".to_owned(),
            json!({"subject": "s", "interaction_id": call}),
        ),
        get(format!("/api/v1/orders/{o}")),
        send(
            "PUT",
            format!("/api/v1/products/{p}"),
            json!({"sku": "B-SKU", "name": "n", "unit_price_minor": 1, "currency": "EUR"}),
        ),
        get("/api/v1/products?include_inactive=true".to_owned()),
        send(
            "PUT",
            format!("/api/v1/dispositions/{d}"),
            json!({"label": "l", "active": false}),
        ),
        send(
            "PUT",
            format!("/api/v1/calls/{call}/disposition"),
            json!({"disposition_id": d}),
        ),
        get(format!("/api/v1/calls/{call}/script")),
        send(
            "POST",
            format!("/api/v1/calls/{call}/script/answer"),
            json!({"key": "k", "value": "v"}),
        ),
        get("/api/v1/scripts/zebulon".to_owned()),
        send(
            "POST",
            "/api/v1/scripts/zebulon/activate".to_owned(),
            json!({"version": 1}),
        ),
        get(format!("/api/v1/kb/{k}")),
        get(format!("/api/v1/kb?q={MARK}")),
        send(
            "PUT",
            format!("/api/v1/kb/{k}"),
            json!({"title": "t", "body": "b"}),
        ),
        ("DELETE".to_owned(), format!("/api/v1/kb/{k}"), None),
        get("/api/v1/reports/fcr?from=2023-01-01T00:00:00Z&to=2027-01-01T00:00:00Z".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_call_with_tenant_as_token_reads_or_changes_tenant_bs_rows(
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..12)
    ) {
        let w = world_once();
        let menu = calls(&w.rows);
        let before = w.runtime.block_on(snapshot(&w.b, &w.rows));
        for pick in &picks {
            let (method, path, body) = &menu[pick.index(menu.len())];
            let body = body.as_ref().map(|b| b.to_string());
            let reply = w.runtime.block_on(request(w.http, method, path, Some(&w.a_token), body.as_deref()));
            prop_assert!(reply.status < 500, "{method} {path}: {}", reply.status);
            prop_assert!(!reply.text().contains(MARK), "{method} {path} leaked: {}", reply.text());
        }
        let after = w.runtime.block_on(snapshot(&w.b, &w.rows));
        prop_assert_eq!(before, after);
    }
}

/// One server and one tenant B for all the cases (each case checks B's rows before and
/// after its own calls).
fn world_once() -> &'static World {
    static WORLD: std::sync::OnceLock<World> = std::sync::OnceLock::new();
    WORLD.get_or_init(world)
}
