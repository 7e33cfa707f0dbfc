//! The OpenAPI 3.1 document of the API, generated from the code: every handler carries a
//! `#[utoipa::path]` attribute and every route is added through `utoipa_axum::routes!`, so a
//! route cannot exist without its entry (`tests/http_openapi.rs` checks both ways). Served at
//! `GET /api/v1/openapi.json` without a token; the document declares the bearer scheme every
//! other route (but `/healthz` and, when public, `/metrics`) requires.

use std::sync::Arc;

use axum::Extension;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

/// The document's fixed part; paths and schemas are added by the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Plateau API",
        description = "The contact center's HTTP API: calls, agents, queues, flows, customers, \
                       tickets, orders, dispositions, scripts and the knowledge base. Every \
                       route but the health check, the metrics and this document needs \
                       `Authorization: Bearer <token>`; rows of other tenants answer 404."
    ),
    security(("bearer" = [])),
    modifiers(&BearerScheme),
    components(schemas(ErrorJson))
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The body of every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorJson {
    /// A code: `unauthorized`, `forbidden`, `not_found`, `bad_request`, `conflict`...
    error: String,
    /// What went wrong, for people.
    message: String,
}

/// The errors any authenticated route may answer, listed once for the document.
#[derive(IntoResponses)]
#[allow(dead_code)] // Only its derived description is used.
pub enum Errors {
    /// Malformed request.
    #[response(status = 400)]
    BadRequest(ErrorJson),
    /// No valid token.
    #[response(status = 401)]
    Unauthorized(ErrorJson),
    /// The role may not do this.
    #[response(status = 403)]
    Forbidden(ErrorJson),
    /// No such row in the caller's tenant.
    #[response(status = 404)]
    NotFound(ErrorJson),
    /// The row's state refuses it, or it was changed meanwhile.
    #[response(status = 409)]
    Conflict(ErrorJson),
    /// Well formed but refused (a rule is broken).
    #[response(status = 422)]
    Unprocessable(ErrorJson),
}

/// The document, serialised once when the router is built.
#[derive(Debug, Clone)]
pub struct Served(Arc<String>);

impl Served {
    /// Serialises `document`.
    pub fn new(document: &utoipa::openapi::OpenApi) -> Self {
        let text = document.to_json().unwrap_or_else(|error| {
            tracing::error!(%error, "the OpenAPI document does not serialise");
            "{}".to_owned()
        });
        Served(Arc::new(text))
    }
}

/// `GET /api/v1/openapi.json`.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "This document (OpenAPI 3.1)", body = serde_json::Value))
)]
pub async fn document(Extension(served): Extension<Served>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        served.0.as_str().to_owned(),
    )
        .into_response()
}
