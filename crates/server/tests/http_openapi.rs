//! The OpenAPI document: served without a token, OpenAPI 3.1 with the bearer scheme, and in
//! step with the router both ways (every documented operation is served, no method is served
//! on a documented path that the document does not list, and routes are only added through
//! the documenting macro).

mod http_support;

use http_support::{Tenant, TestPlane, get, launch_with, make_tenant, request, test_config};
use plateau::launch::Running;
use serde_json::Value;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn fixture() -> (tempfile::TempDir, Running, Tenant) {
    let dir = tempfile::tempdir().expect("test setup");
    let running = launch_with(test_config(dir.path()), TestPlane::default()).await;
    let tenant = make_tenant(running.store(), "a").await;
    (dir, running, tenant)
}

async fn document(running: &Running) -> Value {
    let reply = get(running.addresses().http, "/api/v1/openapi.json", None).await;
    assert_eq!(reply.status, 200);
    reply.json()
}

/// `path` with each `{param}` replaced by a value of the right shape.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            "{id}" if path.starts_with("/api/v1/calls") => "0123456789abcdef0123456789abcdef",
            "{interaction_id}" => "0123456789abcdef0123456789abcdef",
            "{priority}" => "normal",
            s if s.starts_with('{') => "1",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn the_document_is_openapi_3_1_with_the_bearer_scheme() {
    let (_dir, running, _) = fixture().await;
    let doc = document(&running).await;
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/api/v1/calls",
        "/api/v1/customers/lookup",
        "/api/v1/tickets/{id}/escalate",
        "/api/v1/openapi.json",
        "/healthz",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
    // Every operation names its responses, and every $ref points at a schema it defines.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().expect("name");
        assert!(schemas.contains_key(name), "schema {name} is defined");
    }
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let (_dir, running, tenant) = fixture().await;
    let doc = document(&running).await;
    let http = running.addresses().http;
    let token = tenant.admin.1.as_str();
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        for method in METHODS.iter().filter(|m| operations.get(**m).is_some()) {
            let body = (*method != "get" && *method != "delete").then_some("{}");
            let reply = request(
                http,
                &method.to_uppercase(),
                &concrete(path),
                Some(token),
                body,
            )
            .await;
            assert_ne!(reply.status, 405, "{method} {path} is routed");
            if reply.status == 404 {
                assert_ne!(
                    reply.json()["message"],
                    "route not found",
                    "{method} {path} is routed"
                );
            }
            assert!(
                reply.status < 500 || reply.status == 503,
                "{method} {path}: {}",
                reply.status
            );
        }
    }
}

#[tokio::test]
async fn no_method_is_served_that_the_document_does_not_list() {
    let (_dir, running, tenant) = fixture().await;
    let doc = document(&running).await;
    let http = running.addresses().http;
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        for method in METHODS.iter().filter(|m| operations.get(**m).is_none()) {
            let reply = request(
                http,
                &method.to_uppercase(),
                &concrete(path),
                Some(&tenant.admin.1),
                None,
            )
            .await;
            assert_eq!(reply.status, 405, "{method} {path} is not served");
        }
    }
}

#[test]
fn routes_are_only_added_through_the_documenting_macro() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![dir.join("http.rs")];
    for entry in std::fs::read_dir(dir.join("http")).expect("src/http") {
        files.push(entry.expect("entry").path());
    }
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        for undocumented in [".route(", ".route_service(", ".nest_service("] {
            assert!(
                !text.contains(undocumented),
                "{} adds a route with {undocumented}: use routes! so it is documented",
                file.display()
            );
        }
    }
}
