//! The `plateau` server: all the IO (sockets, timers, files) around the sans-IO engines.
//!
//! The binary (`src/main.rs`) is thin; what tests, benches and examples drive lives here.
//!
//! Dependencies: `tokio` runs the tasks and sockets; `media` does the audio work of the data
//! plane; `hound` writes the 8 kHz prompt WAVs the synthesizer's output is turned into;
//! `getrandom` draws the random initial SSRC, sequence number and timestamp RFC 3550 asks for;
//! `core_affinity` (dev only) pins the media load generator's threads to cores.
//! `axum` 0.8 serves the HTTP API (only the http1/json/query features); `tokio-util` gives
//! the cancellation tokens of the stop sequence and streams recording files; `prometheus-client`
//! keeps the metrics (the official Rust client, no global registry); `toml` + `serde` read the
//! configuration; `humantime` reads durations (`"30s"`) and writes RFC 3339 times;
//! `tracing-subscriber` formats the logs; `bytes` carries SIP messages from the transports to
//! the `sip` crate without copies; `socket2` (already under tokio) sets the SIP UDP socket's
//! buffer sizes, which tokio does not expose; `jiff` turns the clock into a tenant's local
//! time (its time-zone database bundled, so a machine without tzdata gives the same answer).
//! `reqwest` 0.12 is the IVR `http` node's client (no default features: rustls with `ring`
//! and webpki roots, so it builds with a C compiler only — no cmake, no aws-lc — and no
//! system proxy lookup).
//! `utoipa` 5 + `utoipa-axum` 0.2 generate the OpenAPI 3.1 document from the handlers
//! themselves (routes are only added through `routes!`, so none goes undocumented; 6/0.3 were
//! out but unproven here); `phonenumber` (already under `crm`) reads the country of a tenant's
//! numbers, the region national numbers are read in; `proptest` (dev) drives the tenant
//! isolation property test.
//! `str0m` 0.25 (pinned `=0.25.0`, sans-IO WebRTC: ICE-lite, DTLS-SRTP, many peers on one
//! socket) is the browser softphone's media stack, with its `aws-lc-rs` crypto backend: the
//! registry mirror here lacks `str0m-rust-crypto`/`str0m-openssl` 0.7 (0.25's), and
//! `aws-lc-sys` builds with gcc alone (no cmake, no clang).
//! `rust-embed` 8 puts the web pages (`static/`) inside the binary, so one file deploys the
//! whole server and no front-end server or build step is needed.
//! axum's `ws` feature serves the live-event WebSocket (`/api/v1/events`; tungstenite
//! underneath, pure Rust); `tokio-tungstenite` 0.29 (the version axum uses, so one copy) and
//! `futures-util` (dev) are the WebSocket client of the tests and of `examples/ws_load.rs`.
//! `kpi` computes the floor's figures (service level, ASA, AHT...) from the interaction log.
#![warn(missing_docs)]

pub mod call;
pub mod config;
pub mod control;
pub mod custom_fields;
pub mod events;
pub mod floor;
pub mod http;
pub mod launch;
pub mod log;
pub mod media;
pub mod metrics;
pub mod redact;
pub mod shutdown;
mod sip;
pub mod webphone;
