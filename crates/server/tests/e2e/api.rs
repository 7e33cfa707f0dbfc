//! The server's HTTP API as the tests read it: calls with their CDRs and events, live RTP
//! counters, agents, recordings, metrics. Requests go through `http_support`'s client.

use std::net::SocketAddr;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::http_support::{Reply, request};

/// A call as `GET /api/v1/calls` lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct Call {
    pub id: String,
    pub caller: String,
    pub dialed: String,
    pub created_at_ms: i64,
    pub ended_at_ms: Option<i64>,
    pub open: bool,
    pub cdr: Option<Cdr>,
}

/// A call's CDR, derived by the server from its events.
#[derive(Debug, Clone, Deserialize)]
pub struct Cdr {
    pub queue: Option<String>,
    pub agent: Option<String>,
    pub arrived_at_ms: i64,
    pub queued_at_ms: Option<i64>,
    pub answered_at_ms: Option<i64>,
    pub ended_at_ms: Option<i64>,
    pub wait_ms: Option<i64>,
    pub talk_ms: Option<i64>,
    pub hold_ms: i64,
    pub end_cause: Option<String>,
    pub abandoned: bool,
    pub offers: u32,
    pub digits: String,
    pub recording_url: Option<String>,
    /// The caller asked to be called back.
    #[serde(default)]
    pub callback: bool,
    #[serde(default)]
    pub callback_failed_attempts: u32,
}

/// One event of a call.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub seq: i64,
    pub at_ms: i64,
    pub kind: String,
    pub data: Value,
}

impl Event {
    /// A string field of the event's data.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.data.get(key).and_then(Value::as_str)
    }
}

/// `GET /api/v1/calls/{id}`.
#[derive(Debug, Clone, Deserialize)]
pub struct CallDetail {
    #[serde(flatten)]
    pub call: Call,
    pub events: Vec<Event>,
    pub live_status: String,
    pub live: Option<Live>,
}

impl CallDetail {
    /// The kinds of its events, in log order.
    pub fn kinds(&self) -> Vec<&str> {
        self.events.iter().map(|e| e.kind.as_str()).collect()
    }

    /// Its events of one kind.
    pub fn events_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| e.kind == kind)
    }

    /// The first event of a kind.
    pub fn first(&self, kind: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.kind == kind)
    }
}

/// A call up: where it is and its legs' counters.
#[derive(Debug, Clone, Deserialize)]
pub struct Live {
    pub phase: String,
    /// The queue it waits in or was answered from (after an overflow, the new one).
    pub queue: Option<i64>,
    pub agent: Option<i64>,
    pub legs: Vec<LiveLeg>,
    /// The caller booked a callback.
    #[serde(default)]
    pub callback: bool,
}

impl Live {
    /// The leg with this role (`caller` or `agent`).
    pub fn leg(&self, role: &str) -> Option<&Counters> {
        self.legs
            .iter()
            .find(|l| l.role == role)
            .map(|l| &l.counters)
    }
}

/// One leg of a live call.
#[derive(Debug, Clone, Deserialize)]
pub struct LiveLeg {
    pub role: String,
    pub counters: Counters,
}

/// A leg's RTP counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct Counters {
    pub packets_in: u64,
    pub bytes_in: u64,
    pub packets_out: u64,
    pub bytes_out: u64,
    pub dropped: u64,
}

/// An agent with its live state.
#[derive(Debug, Clone, Deserialize)]
pub struct Agent {
    pub id: i64,
    pub username: String,
    pub extension: Option<String>,
    pub state: Option<String>,
    pub reason: Option<String>,
    pub registered: bool,
    pub interaction: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CallPage {
    calls: Vec<Call>,
    next_before: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AgentList {
    agents: Vec<Agent>,
}

/// The API of one server, with a bearer token.
#[derive(Debug, Clone)]
pub struct Api {
    addr: SocketAddr,
    token: String,
}

impl Api {
    /// The API at `addr`, as the holder of `token`.
    pub fn new(addr: SocketAddr, token: &str) -> Api {
        Api {
            addr,
            token: token.to_owned(),
        }
    }

    async fn send(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        request(self.addr, method, path, Some(&self.token), body).await
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> T {
        let reply = self.send("GET", path, None).await;
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.text());
        serde_json::from_slice(&reply.body)
            .unwrap_or_else(|e| panic!("GET {path}: {e}: {}", reply.text()))
    }

    /// Every call the server logged, newest first.
    pub async fn calls(&self) -> Vec<Call> {
        let mut calls = Vec::new();
        let mut path = "/api/v1/calls?limit=500".to_owned();
        loop {
            let page: CallPage = self.get_json(&path).await;
            calls.extend(page.calls);
            match page.next_before {
                Some(before) => path = format!("/api/v1/calls?limit=500&before={before}"),
                None => return calls,
            }
        }
    }

    /// One call with its events, CDR and live counters.
    pub async fn call(&self, id: &str) -> CallDetail {
        self.get_json(&format!("/api/v1/calls/{id}")).await
    }

    /// Every call with its events, oldest first.
    pub async fn call_details(&self) -> Vec<CallDetail> {
        let mut details = Vec::new();
        for call in self.calls().await.iter().rev() {
            details.push(self.call(&call.id).await);
        }
        details
    }

    /// The agents with their live state.
    pub async fn agents(&self) -> Vec<Agent> {
        self.get_json::<AgentList>("/api/v1/agents").await.agents
    }

    /// The agent with this extension.
    pub async fn agent(&self, extension: &str) -> Agent {
        self.agents()
            .await
            .into_iter()
            .find(|a| a.extension.as_deref() == Some(extension))
            .unwrap_or_else(|| panic!("no agent with extension {extension}"))
    }

    /// Sets an agent's state (`ready`, `not_ready`, `logged_out`) as a supervisor would.
    pub async fn set_agent_state(&self, extension: &str, state: &str) -> Agent {
        let agent = self.agent(extension).await;
        let body = serde_json::json!({ "state": state }).to_string();
        let path = format!("/api/v1/agents/{}/state", agent.id);
        let reply = self.send("PUT", &path, Some(&body)).await;
        assert_eq!(reply.status, 200, "PUT {path} {body}: {}", reply.text());
        serde_json::from_slice(&reply.body).expect("an agent")
    }

    /// A recording's bytes, from the URL in a CDR.
    pub async fn recording(&self, url: &str) -> Vec<u8> {
        let reply = self.send("GET", url, None).await;
        assert_eq!(reply.status, 200, "GET {url}: {}", reply.text());
        assert_eq!(
            reply.header("content-type"),
            Some("audio/wav"),
            "GET {url} content type"
        );
        reply.body
    }

    /// The queues with their live counts, as `GET /api/v1/queues` serves them.
    pub async fn queues(&self) -> Vec<serde_json::Value> {
        let list: serde_json::Value = self.get_json("/api/v1/queues").await;
        list["queues"].as_array().cloned().unwrap_or_default()
    }

    /// The queue named `name` from [`Api::queues`].
    pub async fn queue(&self, name: &str) -> serde_json::Value {
        self.queues()
            .await
            .into_iter()
            .find(|q| q["name"] == name)
            .unwrap_or_else(|| panic!("no queue {name}"))
    }

    /// The Prometheus text.
    pub async fn metrics(&self) -> String {
        let reply = self.send("GET", "/metrics", None).await;
        assert_eq!(reply.status, 200, "GET /metrics: {}", reply.text());
        reply.text()
    }
}
