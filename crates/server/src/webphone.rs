//! The browser softphone: a WebRTC ↔ SIP gateway inside the binary.
//!
//! A browser logged in as an agent opens one peer connection (str0m, ICE-lite, DTLS-SRTP,
//! PCMU/PCMA + telephone-event) over the events WebSocket; the gateway then stands in for the
//! agent's phone toward the switchboard, as an ordinary SIP phone on loopback. Signalling frames
//! from the browser (`rtc_*`, `phone_*`) arrive through [`WebPhone::client_message`]; the socket's
//! close through [`WebPhone::disconnected`].
//!
//! | file | what |
//! |---|---|
//! | `browser.rs` | one browser's str0m peer connection (sans-IO) |
//! | `sip_phone.rs` | the SIP user agent on loopback that stands in for the browsers (sans-IO) |
//! | `gateway.rs` | the task: sockets, demultiplexing, the relay between both |
//! | `api.rs` | `GET /api/v1/webphone` (sessions and packet counters), `/webphone/config` |
//! | `config.rs` | `[webrtc]` |
//!
//! Frames, browser → server: `rtc_offer {sdp}` (non-trickle), `phone_answer`, `phone_hangup`,
//! `phone_hold {on}`, `phone_dtmf {digit}`, `rtc_close`. Server → browser: `rtc_answer {sdp,
//! ice_servers}`, `phone_ringing {interaction, from, queue}`, `phone_connected {interaction}`,
//! `phone_ended {interaction, reason}`, `phone_closed {reason}` (the peer connection is over:
//! `replaced` by a newer one of the same agent, `disconnected`, `server_stopped`),
//! `phone_error {message}`.

pub mod api;
pub mod browser;
mod config;
mod gateway;
pub mod sip_phone;

pub use config::{IceServer, WebRtcConfig};
pub use gateway::SessionStats;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde_json::Value;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::control::ControlHandle;

use crate::http::auth::Caller;

/// What the gateway task is asked by the events sockets.
#[derive(Debug)]
pub enum Request {
    /// A frame from a browser.
    Message {
        /// Who sent it.
        caller: Caller,
        /// The events socket it came on.
        connection: u64,
        /// The frame.
        msg: Value,
        /// Frames back to that socket.
        sink: mpsc::Sender<Value>,
    },
    /// An events socket closed.
    Disconnected {
        /// Whose socket.
        caller: Caller,
        /// Which socket.
        connection: u64,
    },
    /// The sessions' figures.
    Stats {
        /// The answer.
        reply: oneshot::Sender<Vec<SessionStats>>,
    },
}

/// Frames the gateway may have waiting.
const INBOX: usize = 1_024;

/// Starts the gateway: binds the media socket of `config` and two loopback sockets (SIP and
/// RTP toward the switchboard), and runs until `stop`. Returns the handle for the HTTP state,
/// the task and the media socket's address.
pub async fn spawn(
    config: &WebRtcConfig,
    control: ControlHandle,
    stop: CancellationToken,
) -> io::Result<(WebPhone, JoinHandle<()>, SocketAddr)> {
    // ICE wants answers from the address the browser checked: with no public address set,
    // the candidate is loopback, and so is the socket (otherwise the kernel would answer a
    // browser on this machine from its LAN address).
    let bind = if config.bind.is_unspecified() && config.public_ip.is_none() {
        config.candidate_ip()
    } else {
        config.bind
    };
    let media = UdpSocket::bind((bind, config.port)).await?;
    let media_local = media.local_addr()?;
    let candidate = SocketAddr::new(config.candidate_ip(), media_local.port());
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let sip = UdpSocket::bind((loopback, 0)).await?;
    let sip_local = sip.local_addr()?;
    let rtp = UdpSocket::bind((loopback, 0)).await?;
    let rtp_local = rtp.local_addr()?;
    let sockets = gateway::Sockets {
        media,
        candidate,
        sip,
        sip_local,
        rtp,
    };
    let seed = u64::from(sip_local.port()) << 16 | u64::from(rtp_local.port());
    let gateway = gateway::Gateway::new(config.clone(), control, &sockets, rtp_local, seed);
    let (inbox, requests) = mpsc::channel(INBOX);
    let task = tokio::spawn(gateway.run(sockets, requests, stop));
    tracing::info!(media = %media_local, %candidate, "browser phone gateway started");
    Ok((WebPhone::new(inbox), task, media_local))
}

/// A cheap handle on the gateway task; cloned into the HTTP state.
#[derive(Debug, Clone)]
pub struct WebPhone {
    inbox: Option<mpsc::Sender<Request>>,
}

impl WebPhone {
    /// A handle that refuses every session (no gateway running): browsers get `phone_error`.
    pub fn disabled() -> WebPhone {
        WebPhone { inbox: None }
    }

    /// A handle sending to the gateway's `inbox`.
    pub fn new(inbox: mpsc::Sender<Request>) -> WebPhone {
        WebPhone { inbox: Some(inbox) }
    }

    /// Hands a browser's `rtc_*` / `phone_*` frame to the gateway. Never blocks: when the
    /// gateway is absent or overloaded, the browser is told so on `sink`.
    pub fn client_message(
        &self,
        caller: &Caller,
        connection: u64,
        msg: Value,
        sink: mpsc::Sender<Value>,
    ) {
        let Some(inbox) = &self.inbox else {
            let _ = sink.try_send(error_frame("the browser phone is not enabled"));
            return;
        };
        let request = Request::Message {
            caller: caller.clone(),
            connection,
            msg,
            sink: sink.clone(),
        };
        if inbox.try_send(request).is_err() {
            let _ = sink.try_send(error_frame("the browser phone is busy; try again"));
        }
    }

    /// Every browser session with its packet counters (empty when the gateway is off).
    pub async fn stats(&self) -> Vec<SessionStats> {
        let Some(inbox) = &self.inbox else {
            return Vec::new();
        };
        let (reply, answer) = oneshot::channel();
        if inbox.send(Request::Stats { reply }).await.is_err() {
            return Vec::new();
        }
        tokio::time::timeout(Duration::from_secs(5), answer)
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default()
    }

    /// Whether a gateway runs behind this handle.
    pub fn is_enabled(&self) -> bool {
        self.inbox.is_some()
    }

    /// Tells the gateway an events socket closed: its session (if any) ends.
    pub fn disconnected(&self, caller: &Caller, connection: u64) {
        if let Some(inbox) = &self.inbox {
            let _ = inbox.try_send(Request::Disconnected {
                caller: caller.clone(),
                connection,
            });
        }
    }
}

/// `{"type":"phone_error","message":…}`.
pub fn error_frame(message: &str) -> Value {
    serde_json::json!({"type": "phone_error", "message": message})
}
