//! Every failure of an API request as one [`ApiError`], turned into an HTTP status and a JSON
//! body `{"error": "<code>", "message": "<text>"}` in one place.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::control::ControlError;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No token, or not a live one.
    #[error("a valid bearer token or session cookie is required")]
    Unauthorized,
    /// The token's user may not do this.
    #[error("your role may not {0}")]
    Forbidden(&'static str),
    /// A web login with a wrong username or password (one answer for both).
    #[error("wrong username or password")]
    InvalidCredentials,
    /// Too many failed logins from this address or for this username; try again later.
    #[error("too many failed logins; try again later")]
    Throttled,
    /// A login without tenant for a username several tenants have.
    #[error("this username exists in several tenants: give the tenant")]
    TenantRequired,
    /// A request authenticated by the session cookie without its `X-CSRF-Token`, or a
    /// cross-origin WebSocket upgrade.
    #[error("missing or wrong X-CSRF-Token (or cross-origin request)")]
    Csrf,
    /// Nothing of this tenant by that id (other tenants' rows are "not found" too).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The request is valid but the current state refuses it.
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than the configured limit.
    #[error("request body too large")]
    PayloadTooLarge,
    /// The body's `Content-Type` is not one this route reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The request is well formed but its content is refused (422): `code` replaces
    /// `unprocessable` as the `error`, and `details`' fields are added to the body (a flow's
    /// errors with their lines, the reasons accepted...).
    #[error("{message}")]
    Unprocessable {
        /// The `error` field.
        code: &'static str,
        /// The `message` field.
        message: String,
        /// More fields of the body.
        details: serde_json::Map<String, serde_json::Value>,
    },
    /// A part of the server needed for the answer is not available (control plane, store).
    #[error("{0}")]
    Unavailable(String),
    /// A fault on our side; the details are logged, not sent.
    #[error("internal error")]
    Internal,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: String,
    #[serde(flatten)]
    details: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            ApiError::Throttled => (StatusCode::TOO_MANY_REQUESTS, "throttled"),
            ApiError::TenantRequired => (StatusCode::BAD_REQUEST, "tenant_required"),
            ApiError::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            ApiError::Unprocessable { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = self.to_string();
        let details = match self {
            ApiError::Unprocessable { details, .. } => details,
            _ => serde_json::Map::new(),
        };
        let body = Json(ErrorBody {
            error: code,
            message,
            details,
        });
        let mut response = (status, body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl From<store::Error> for ApiError {
    fn from(error: store::Error) -> Self {
        match error {
            store::Error::NotFound(_) => ApiError::NotFound("resource"),
            store::Error::Invalid { what, why } => ApiError::BadRequest(format!("{what}: {why}")),
            store::Error::Duplicate(key) => ApiError::Conflict(format!("{key} already exists")),
            store::Error::Conflict(entity) => ApiError::Conflict(format!(
                "the {entity} was changed by someone else; read it again"
            )),
            store::Error::MissingReference => ApiError::Unprocessable {
                code: "unknown_reference",
                message: "a referenced row does not exist".to_owned(),
                details: serde_json::Map::new(),
            },
            store::Error::Database(e) => {
                tracing::error!(error = %e, "store unavailable");
                ApiError::Unavailable("the database is unavailable".to_owned())
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::Internal
            }
        }
    }
}

impl From<ControlError> for ApiError {
    fn from(error: ControlError) -> Self {
        ApiError::Unavailable(format!("live state: {error}"))
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest(rejection.body_text())
        }
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::PathRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}
