//! The IVR `http` node's client: a flow asks a web service (a CRM lookup by the caller's
//! number, a self-service balance) and branches on the answer.
//!
//! The session emits [`ivr::Action::HttpRequest`] (URL and JSON body already filled in with
//! the flow's variables); the request runs in a task of its own, never on the switchboard,
//! bounded by the node's timeout. Its result comes back to the switchboard as an input
//! ([`IvrHttp::join_next`]) and becomes [`ivr::Event::HttpResponse`] or
//! [`ivr::Event::HttpFailed`]; the node then goes to `next` or `on_failure`.
//!
//! Rules, so that a flow cannot hurt the server or leak what it carries:
//! - only `http://` and `https://` URLs; redirects are not followed (a 3xx is a failure);
//! - the answer's body is read up to [`MAX_BODY`]; longer is a failure;
//! - a 2xx answer must be JSON (or empty): anything else is a failure (`not_json`); a status
//!   outside 200–299 is handed to the node, which fails it;
//! - at most [`MAX_IN_FLIGHT`] requests at once; past it a request fails at once (`busy`);
//! - every request is logged as an `ivr_http` event (`status` or `error`, and `ms`), never
//!   with its URL or body (they may hold the caller's number), and counted in
//!   `plateau_ivr_http_requests_total{outcome}`.
//!
//! The request carries `Accept: application/json`, `Content-Type: application/json` with a
//! body, and `X-Plateau-Interaction: <id>` so the service can tie its log to the call.

use std::time::{Duration, Instant};

use ivr::{Event, HttpMethod, RequestId};
use store::{InteractionId, NewEvent};
use tokio::task::{JoinError, JoinSet};

use super::switchboard::Board;
use crate::media::CallRef;

/// Requests of all calls that may be in flight at once.
pub(crate) const MAX_IN_FLIGHT: usize = 256;

/// The largest answer body read.
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// Sent as `User-Agent`.
const USER_AGENT: &str = concat!("plateau/", env!("CARGO_PKG_VERSION"));

/// Why a request gave no usable answer (the `error` of the `ivr_http` event and the
/// `outcome` label of the counter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No answer within the node's timeout.
    Timeout,
    /// The service could not be reached (refused, DNS, TLS).
    Connect,
    /// The answer's body is larger than [`MAX_BODY`].
    TooLarge,
    /// A 2xx answer whose body is not JSON.
    NotJson,
    /// The URL is not an `http(s)://` URL once filled in.
    InvalidUrl,
    /// Too many requests in flight.
    Busy,
    /// Anything else (the connection dropped mid-answer...).
    Error,
}

impl Failure {
    fn as_str(self) -> &'static str {
        match self {
            Failure::Timeout => "timeout",
            Failure::Connect => "connect",
            Failure::TooLarge => "too_large",
            Failure::NotJson => "not_json",
            Failure::InvalidUrl => "invalid_url",
            Failure::Busy => "busy",
            Failure::Error => "error",
        }
    }

    fn from_reqwest(error: &reqwest::Error) -> Failure {
        if error.is_timeout() {
            Failure::Timeout
        } else if error.is_connect() {
            Failure::Connect
        } else if error.is_builder() {
            Failure::InvalidUrl
        } else {
            Failure::Error
        }
    }
}

/// A request that ended.
#[derive(Debug)]
pub(crate) struct HttpDone {
    call: CallRef,
    request: RequestId,
    /// The status and (for a 2xx) the body, or why none.
    result: Result<(u16, String), Failure>,
    elapsed: Duration,
}

/// One request, as the session asked for it.
#[derive(Debug)]
pub(crate) struct HttpAsk {
    /// The node's request.
    pub(crate) request: RequestId,
    /// Its method.
    pub(crate) method: HttpMethod,
    /// Its URL.
    pub(crate) url: String,
    /// Its JSON body.
    pub(crate) body: Option<String>,
    /// The node's timeout.
    pub(crate) timeout: Duration,
}

/// The client and the requests in flight; owned by the switchboard.
#[derive(Debug)]
pub(crate) struct IvrHttp {
    /// `None` if the client could not be built (logged): every request then fails.
    client: Option<reqwest::Client>,
    in_flight: JoinSet<HttpDone>,
}

impl IvrHttp {
    pub(crate) fn new() -> IvrHttp {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .inspect_err(|error| {
                tracing::error!(%error, "no HTTP client: the IVR's http nodes will fail");
            })
            .ok();
        IvrHttp {
            client,
            in_flight: JoinSet::new(),
        }
    }

    /// Whether no request is in flight (then [`IvrHttp::join_next`] would end at once).
    pub(crate) fn is_empty(&self) -> bool {
        self.in_flight.is_empty()
    }

    /// The next request to end.
    pub(crate) async fn join_next(&mut self) -> Option<Result<HttpDone, JoinError>> {
        self.in_flight.join_next().await
    }

    /// Starts `ask` for `call`, or says at once why it cannot run.
    fn start(
        &mut self,
        call: CallRef,
        interaction: InteractionId,
        ask: HttpAsk,
    ) -> Result<(), Failure> {
        if self.in_flight.len() >= MAX_IN_FLIGHT {
            return Err(Failure::Busy);
        }
        let client = self.client.clone().ok_or(Failure::Error)?;
        let url = reqwest::Url::parse(&ask.url).map_err(|_| Failure::InvalidUrl)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Failure::InvalidUrl);
        }
        let method = match ask.method {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
        };
        let mut builder = client
            .request(method, url)
            .timeout(ask.timeout)
            .header(reqwest::header::ACCEPT, "application/json")
            .header("X-Plateau-Interaction", interaction.to_string());
        if let Some(body) = ask.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let (request, timeout) = (ask.request, ask.timeout);
        self.in_flight.spawn(async move {
            let started = Instant::now();
            let result = tokio::time::timeout(timeout, perform(builder))
                .await
                .unwrap_or(Err(Failure::Timeout));
            HttpDone {
                call,
                request,
                result,
                elapsed: started.elapsed(),
            }
        });
        Ok(())
    }
}

/// Sends the request and reads the answer within the limits.
async fn perform(builder: reqwest::RequestBuilder) -> Result<(u16, String), Failure> {
    let mut response = builder
        .send()
        .await
        .map_err(|e| Failure::from_reqwest(&e))?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        return Ok((status, String::new()));
    }
    if response
        .content_length()
        .is_some_and(|length| length > MAX_BODY as u64)
    {
        return Err(Failure::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Failure::from_reqwest(&e))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Failure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let body = String::from_utf8(body).map_err(|_| Failure::NotJson)?;
    if !body.trim().is_empty() && serde_json::from_str::<serde::de::IgnoredAny>(&body).is_err() {
        return Err(Failure::NotJson);
    }
    Ok((status, body))
}

impl Board {
    /// The call's flow asks for an HTTP request (from the session's actions: the session is
    /// told at once when it cannot run).
    pub(crate) fn ivr_http_request(&mut self, now: Instant, id: CallRef, ask: HttpAsk) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let (tenant, interaction, request) = (call.tenant, call.interaction, ask.request);
        let Err(failure) = self.ivr_http.start(id, interaction, ask) else {
            return;
        };
        tracing::warn!(interaction = %interaction, error = failure.as_str(), "ivr http request not sent");
        self.metrics.ivr_http(failure.as_str());
        let event =
            NewEvent::ivr_http_failed(interaction, crate::log::now_ms(), failure.as_str(), 0);
        self.log_event(tenant, event);
        if let Some(session) = self.calls.get_mut(&id).and_then(|c| c.ivr.as_mut()) {
            session.handle_event(now, Event::HttpFailed { id: request });
        }
    }

    /// A request ended: log it and tell the call's session (if the call is still up).
    pub(crate) fn ivr_http_done(&mut self, now: Instant, done: Result<HttpDone, JoinError>) {
        let done = match done {
            Ok(done) => done,
            // The session gives up by itself at its timeout.
            Err(error) => {
                self.metrics.ivr_http(Failure::Error.as_str());
                tracing::error!(%error, "an ivr http request's task failed");
                return;
            }
        };
        let ms = u64::try_from(done.elapsed.as_millis()).unwrap_or(u64::MAX);
        let outcome = match &done.result {
            Ok((status, _)) if (200..300).contains(status) => "ok",
            Ok(_) => "status",
            Err(failure) => failure.as_str(),
        };
        self.metrics.ivr_http(outcome);
        let Some(call) = self.calls.get(&done.call) else {
            return;
        };
        let (tenant, interaction) = (call.tenant, call.interaction);
        let at = crate::log::now_ms();
        let (log, event) = match done.result {
            Ok((status, body)) => (
                NewEvent::ivr_http_answered(interaction, at, status, ms),
                Event::HttpResponse {
                    id: done.request,
                    status,
                    body,
                },
            ),
            Err(failure) => (
                NewEvent::ivr_http_failed(interaction, at, failure.as_str(), ms),
                Event::HttpFailed { id: done.request },
            ),
        };
        tracing::debug!(interaction = %interaction, outcome, ms, "ivr http request done");
        self.log_event(tenant, log);
        self.ivr_event(now, done.call, event);
    }
}
