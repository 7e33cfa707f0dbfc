//! The gateway task: owns the WebRTC media socket (every browser), the loopback SIP socket
//! and the loopback RTP socket (every call), the browsers' [`BrowserLeg`]s and the
//! [`SipPhone`]; relays signalling between the events sockets and SIP, and audio between
//! SRTP and plain RTP. One task, so a call's SIP and media order is total and no lock is held.
//!
//! Datagrams on the media socket go to the leg whose `Rtc::accepts` them (str0m's
//! demultiplexing); RTP on the loopback socket goes to the call whose negotiated remote
//! address (the switchboard media task's socket) it came from.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use media::dtmf::{Digit, DtmfSender, SenderConfig};
use media::g711;
use media::rtp::{RtpBuilder, RtpHeader, RtpPacket};
use serde_json::{Value, json};
use store::{TenantId, UserId};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::browser::{BrowserLeg, BrowserOutput, LegCounters};
use super::sip_phone::{PhoneEvent, SipPhone};
use super::{Request, WebRtcConfig, error_frame};
use crate::control::{Command, ControlHandle};

/// Longest datagram read.
const DATAGRAM_MAX: usize = 2_048;

/// How long a key press lasts toward the switchboard.
const DTMF_LENGTH: Duration = Duration::from_millis(120);

/// One browser session's figures (`GET /api/v1/webphone`).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SessionStats {
    /// The agent's tenant (the API shows a tenant its own sessions only).
    #[serde(skip)]
    pub tenant: i64,
    /// The agent.
    pub agent: i64,
    /// Their login.
    pub username: String,
    /// Whether ICE and DTLS are up.
    pub connected: bool,
    /// The interaction of the call in progress, if any.
    pub interaction: Option<String>,
    /// Audio packets from the browser.
    pub packets_in: u64,
    /// Audio packets to the browser.
    pub packets_out: u64,
    /// Audio payload bytes from the browser.
    pub bytes_in: u64,
    /// Audio payload bytes to the browser.
    pub bytes_out: u64,
}

struct Session {
    tenant: TenantId,
    username: String,
    connection: u64,
    sink: mpsc::Sender<Value>,
    leg: BrowserLeg,
}

/// The plain-RTP side of an answered call.
struct Relay {
    remote: SocketAddr,
    codec: g711::Codec,
    payload_type: u8,
    telephone_event: Option<u8>,
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    dtmf: Option<DtmfSender>,
}

/// The sockets and their addresses.
pub(crate) struct Sockets {
    pub(crate) media: UdpSocket,
    pub(crate) candidate: SocketAddr,
    pub(crate) sip: UdpSocket,
    pub(crate) sip_local: SocketAddr,
    pub(crate) rtp: UdpSocket,
}

/// The gateway's state; see the module doc.
pub(crate) struct Gateway {
    config: WebRtcConfig,
    control: ControlHandle,
    phone: SipPhone,
    sessions: HashMap<UserId, Session>,
    /// The session each browser address was last demultiplexed to.
    by_source: HashMap<SocketAddr, UserId>,
    relays: HashMap<UserId, Relay>,
    /// A leg's outputs, reused between calls.
    outputs: Vec<BrowserOutput>,
}

impl Gateway {
    pub(crate) fn new(
        config: WebRtcConfig,
        control: ControlHandle,
        sockets: &Sockets,
        rtp_local: SocketAddr,
        seed: u64,
    ) -> Gateway {
        Gateway {
            config,
            control,
            phone: SipPhone::new(sockets.sip_local, rtp_local, seed),
            sessions: HashMap::new(),
            by_source: HashMap::new(),
            relays: HashMap::new(),
            outputs: Vec::new(),
        }
    }

    /// Runs until `stop` or the last handle is dropped.
    pub(crate) async fn run(
        mut self,
        sockets: Sockets,
        mut inbox: mpsc::Receiver<Request>,
        stop: CancellationToken,
    ) {
        let mut media_buf = vec![0u8; DATAGRAM_MAX];
        let mut sip_buf = vec![0u8; 65_536];
        let mut rtp_buf = vec![0u8; DATAGRAM_MAX];
        loop {
            let deadline = self.deadline();
            tokio::select! {
                () = stop.cancelled() => break,
                request = inbox.recv() => match request {
                    Some(request) => self.on_request(Instant::now(), &sockets, request),
                    None => break,
                },
                received = sockets.media.recv_from(&mut media_buf) => {
                    if let Ok((len, source)) = received
                        && let Some(contents) = media_buf.get(..len)
                    {
                        self.on_media(Instant::now(), &sockets, source, contents);
                    }
                }
                received = sockets.sip.recv_from(&mut sip_buf) => {
                    if let Ok((len, source)) = received
                        && let Some(contents) = sip_buf.get(..len)
                    {
                        let now = Instant::now();
                        self.phone.handle_datagram(now, Bytes::copy_from_slice(contents), source);
                        self.after_phone(&sockets);
                    }
                }
                received = sockets.rtp.recv_from(&mut rtp_buf) => {
                    if let Ok((len, source)) = received
                        && let Some(contents) = rtp_buf.get(..len)
                    {
                        self.on_rtp(Instant::now(), &sockets, source, contents);
                    }
                }
                () = tokio::time::sleep_until(deadline.into()) => self.on_timeout(Instant::now(), &sockets),
            }
        }
        let now = Instant::now();
        let users: Vec<UserId> = self.sessions.keys().copied().collect();
        for user in users {
            self.close(now, &sockets, user, Some("server_stopped"));
        }
    }

    fn deadline(&self) -> Instant {
        let far = Instant::now() + Duration::from_secs(1);
        let legs = self.sessions.values().map(|s| s.leg.timeout());
        let dtmf = self
            .relays
            .values()
            .filter_map(|r| r.dtmf.as_ref().and_then(DtmfSender::poll_timeout));
        legs.chain(dtmf)
            .chain(self.phone.poll_timeout())
            .fold(far, Instant::min)
    }

    fn on_timeout(&mut self, now: Instant, sockets: &Sockets) {
        self.phone.handle_timeout(now);
        self.after_phone(sockets);
        let users: Vec<UserId> = self.sessions.keys().copied().collect();
        for user in users {
            if let Some(session) = self.sessions.get_mut(&user) {
                let mut out = std::mem::take(&mut self.outputs);
                session.leg.handle_timeout(now, &mut out);
                self.outputs = out;
                self.after_leg(now, sockets, user);
            }
        }
        self.send_dtmf(now, sockets);
    }

    fn on_media(&mut self, now: Instant, sockets: &Sockets, source: SocketAddr, contents: &[u8]) {
        // The browser last seen at this address first (its leg still checks the datagram),
        // then every leg: a new browser, or one whose address changed.
        let known = self.by_source.get(&source).copied().filter(|user| {
            self.sessions
                .get(user)
                .is_some_and(|s| s.leg.accepts(now, source, sockets.candidate, contents))
        });
        let found = known.or_else(|| {
            self.sessions
                .iter()
                .find(|(_, s)| s.leg.accepts(now, source, sockets.candidate, contents))
                .map(|(user, _)| *user)
        });
        let Some(user) = found else {
            tracing::debug!(%source, len = contents.len(), "media datagram of no browser session; dropped");
            return;
        };
        if known.is_none() {
            self.by_source.retain(|_, u| *u != user);
            self.by_source.insert(source, user);
        }
        if let Some(session) = self.sessions.get_mut(&user) {
            let mut out = std::mem::take(&mut self.outputs);
            session
                .leg
                .handle_receive(now, source, sockets.candidate, contents, &mut out);
            self.outputs = out;
            self.after_leg(now, sockets, user);
        }
    }

    fn on_rtp(&mut self, now: Instant, sockets: &Sockets, source: SocketAddr, contents: &[u8]) {
        let Some(user) = self
            .relays
            .iter()
            .find(|(_, r)| r.remote == source)
            .map(|(user, _)| *user)
        else {
            return;
        };
        let Ok(packet) = RtpPacket::parse(contents) else {
            return;
        };
        let Some(relay) = self.relays.get(&user) else {
            return;
        };
        // Telephone-events toward the browser are not played: the agent hears in-band audio.
        if Some(packet.payload_type()) == relay.telephone_event {
            return;
        }
        let codec = g711::Codec::from_payload_type(packet.payload_type()).unwrap_or(relay.codec);
        if let Some(session) = self.sessions.get_mut(&user) {
            let mut out = std::mem::take(&mut self.outputs);
            session
                .leg
                .send_audio(now, codec, packet.payload(), &mut out);
            self.outputs = out;
            self.after_leg(now, sockets, user);
        }
    }

    /// Acts on what a leg produced.
    fn after_leg(&mut self, now: Instant, sockets: &Sockets, user: UserId) {
        let outputs = std::mem::take(&mut self.outputs);
        let mut gone = false;
        for output in &outputs {
            match output {
                BrowserOutput::Transmit {
                    destination,
                    contents,
                } => {
                    let _ = sockets.media.try_send_to(contents, *destination);
                }
                BrowserOutput::Connected => self.on_connected(now, sockets, user),
                BrowserOutput::Audio { codec, payload } => {
                    self.relay_to_switchboard(sockets, user, *codec, payload);
                }
                BrowserOutput::Gone => gone = true,
            }
        }
        let mut outputs = outputs;
        outputs.clear();
        self.outputs = outputs;
        if gone {
            self.close(now, sockets, user, Some("disconnected"));
        }
    }

    fn on_connected(&mut self, now: Instant, sockets: &Sockets, user: UserId) {
        let Some(session) = self.sessions.get(&user) else {
            return;
        };
        self.phone.set_present(now, user, true);
        let bound = self.control.try_send(Command::BindWebPhone {
            tenant: session.tenant,
            agent: user,
            contact: self.phone.contact(user),
            source: sockets.sip_local,
        });
        if !bound {
            let _ = session
                .sink
                .try_send(error_frame("the call server is busy; reconnect the phone"));
        }
        tracing::info!(agent = user.0, "browser phone connected");
    }

    fn relay_to_switchboard(
        &mut self,
        sockets: &Sockets,
        user: UserId,
        codec: g711::Codec,
        payload: &[u8],
    ) {
        let Some(relay) = self.relays.get_mut(&user) else {
            return;
        };
        let mut converted;
        let payload = if codec == relay.codec {
            payload
        } else {
            converted = vec![0u8; payload.len()];
            codec.transcode_into(relay.codec, payload, &mut converted);
            converted.as_slice()
        };
        let header = RtpHeader {
            marker: false,
            payload_type: relay.payload_type,
            sequence_number: relay.sequence,
            timestamp: relay.timestamp,
            ssrc: relay.ssrc,
        };
        relay.sequence = relay.sequence.wrapping_add(1);
        relay.timestamp = relay
            .timestamp
            .wrapping_add(u32::try_from(payload.len()).unwrap_or(160));
        let mut packet = [0u8; DATAGRAM_MAX];
        if let Ok(len) = RtpBuilder::new(header, payload).write(&mut packet)
            && let Some(bytes) = packet.get(..len)
        {
            let _ = sockets.rtp.try_send_to(bytes, relay.remote);
        }
    }

    fn send_dtmf(&mut self, now: Instant, sockets: &Sockets) {
        for relay in self.relays.values_mut() {
            let (Some(sender), Some(pt)) = (relay.dtmf.as_mut(), relay.telephone_event) else {
                continue;
            };
            while let Some(event) = sender.poll_packet(now) {
                let payload = event.payload.to_bytes();
                let header = RtpHeader {
                    marker: event.marker,
                    payload_type: pt,
                    sequence_number: relay.sequence,
                    timestamp: event.timestamp,
                    ssrc: relay.ssrc,
                };
                relay.sequence = relay.sequence.wrapping_add(1);
                let mut packet = [0u8; 64];
                if let Ok(len) = RtpBuilder::new(header, &payload).write(&mut packet)
                    && let Some(bytes) = packet.get(..len)
                {
                    let _ = sockets.rtp.try_send_to(bytes, relay.remote);
                }
            }
        }
    }

    /// Tells browsers what the SIP side did.
    fn after_phone(&mut self, sockets: &Sockets) {
        while let Some(transmit) = self.phone.poll_transmit() {
            let _ = sockets.sip.try_send_to(&transmit.bytes, transmit.peer.addr);
        }
        while let Some(event) = self.phone.poll_event() {
            match event {
                PhoneEvent::Ringing {
                    user,
                    interaction,
                    from,
                } => self.tell(
                    user,
                    json!({"type": "phone_ringing", "interaction": interaction, "from": from, "queue": Value::Null}),
                ),
                PhoneEvent::Connected { user, interaction } => {
                    self.tell(user, json!({"type": "phone_connected", "interaction": interaction}));
                }
                PhoneEvent::Media { user, negotiated } => {
                    let codec = g711::Codec::from_name(negotiated.codec.encoding)
                        .unwrap_or(g711::Codec::Pcmu);
                    let previous = self.relays.remove(&user);
                    let (ssrc, sequence, timestamp) = match &previous {
                        Some(r) => (r.ssrc, r.sequence, r.timestamp),
                        None => (random_u32(), random_u32() as u16, random_u32()),
                    };
                    self.relays.insert(
                        user,
                        Relay {
                            remote: negotiated.remote,
                            codec,
                            payload_type: negotiated.payload_type,
                            telephone_event: negotiated.telephone_event,
                            ssrc,
                            sequence,
                            timestamp,
                            dtmf: previous.and_then(|r| r.dtmf),
                        },
                    );
                }
                PhoneEvent::Ended {
                    user,
                    interaction,
                    reason,
                } => {
                    self.relays.remove(&user);
                    self.tell(
                        user,
                        json!({"type": "phone_ended", "interaction": interaction, "reason": reason}),
                    );
                }
            }
        }
    }

    fn tell(&self, user: UserId, frame: Value) {
        if let Some(session) = self.sessions.get(&user) {
            let _ = session.sink.try_send(frame);
        }
    }

    fn on_request(&mut self, now: Instant, sockets: &Sockets, request: Request) {
        match request {
            Request::Message {
                caller,
                connection,
                msg,
                sink,
            } => {
                let user = caller.user_id;
                let kind = msg.get("type").and_then(Value::as_str).unwrap_or_default();
                let result = match kind {
                    "rtc_offer" => {
                        let sdp = msg.get("sdp").and_then(Value::as_str).unwrap_or_default();
                        self.open(now, sockets, &caller, connection, sdp, sink.clone())
                    }
                    "phone_answer" => self
                        .phone
                        .answer(now, user)
                        .map_err(|e| format!("cannot answer: {e}")),
                    "phone_hangup" => self
                        .phone
                        .hangup(now, user)
                        .map_err(|e| format!("cannot hang up: {e}")),
                    "phone_hold" => {
                        let on = msg.get("on").and_then(Value::as_bool).unwrap_or(true);
                        self.phone
                            .hold(now, user, on)
                            .map_err(|e| format!("cannot hold: {e}"))
                    }
                    "phone_dtmf" => self.dtmf(now, user, &msg),
                    "rtc_close" => {
                        self.close(now, sockets, user, None);
                        Ok(())
                    }
                    other => Err(format!("unknown message {other}")),
                };
                if let Err(message) = result {
                    let _ = sink.try_send(error_frame(&message));
                }
                self.after_phone(sockets);
            }
            Request::Disconnected { caller, connection } => {
                if self
                    .sessions
                    .get(&caller.user_id)
                    .is_some_and(|s| s.connection == connection)
                {
                    self.close(now, sockets, caller.user_id, None);
                }
            }
            Request::Stats { reply } => {
                let stats = self
                    .sessions
                    .iter()
                    .map(|(user, s)| {
                        stats(
                            *user,
                            s,
                            self.phone.call(*user).and_then(|c| c.interaction.clone()),
                        )
                    })
                    .collect();
                let _ = reply.send(stats);
            }
        }
    }

    fn open(
        &mut self,
        now: Instant,
        sockets: &Sockets,
        caller: &crate::http::auth::Caller,
        connection: u64,
        sdp: &str,
        sink: mpsc::Sender<Value>,
    ) -> Result<(), String> {
        let user = caller.user_id;
        // A newer offer replaces the agent's session; the old socket is told, unless it is
        // this one (a page renegotiating).
        if let Some(old) = self.sessions.get(&user) {
            let reason = if old.connection == connection {
                None
            } else {
                Some("replaced")
            };
            self.close(now, sockets, user, reason);
        }
        let (leg, answer) =
            BrowserLeg::accept(now, sdp, sockets.candidate).map_err(|e| e.to_string())?;
        let _ = sink.try_send(json!({
            "type": "rtc_answer",
            "sdp": answer,
            "ice_servers": self.config.ice_servers,
        }));
        self.sessions.insert(
            user,
            Session {
                tenant: caller.tenant.id(),
                username: caller.username.clone(),
                connection,
                sink,
                leg,
            },
        );
        Ok(())
    }

    fn dtmf(&mut self, now: Instant, user: UserId, msg: &Value) -> Result<(), String> {
        let digit = msg
            .get("digit")
            .and_then(Value::as_str)
            .and_then(|d| d.chars().next())
            .and_then(Digit::from_char)
            .ok_or("unknown digit")?;
        let relay = self.relays.get_mut(&user).ok_or("no call")?;
        if relay.telephone_event.is_none() {
            return Err("the call takes no RFC 4733 digits".into());
        }
        let sender = relay
            .dtmf
            .get_or_insert_with(|| DtmfSender::new(SenderConfig::default(), now, relay.timestamp));
        sender.send_digit(now, digit, DTMF_LENGTH);
        Ok(())
    }

    /// Ends `user`'s session: its call is hung up, its binding removed, the browser told.
    fn close(&mut self, now: Instant, sockets: &Sockets, user: UserId, reason: Option<&str>) {
        let Some(mut session) = self.sessions.remove(&user) else {
            return;
        };
        self.by_source.retain(|_, u| *u != user);
        self.phone.set_present(now, user, false);
        self.after_phone(sockets);
        let mut out = Vec::new();
        session.leg.close(now, &mut out);
        for output in out {
            if let BrowserOutput::Transmit {
                destination,
                contents,
            } = output
            {
                let _ = sockets.media.try_send_to(&contents, destination);
            }
        }
        let _ = self.control.try_send(Command::UnbindWebPhone {
            tenant: session.tenant,
            agent: user,
            contact: self.phone.contact(user),
        });
        if let Some(reason) = reason {
            let _ = session
                .sink
                .try_send(json!({"type": "phone_closed", "reason": reason}));
        }
        tracing::info!(agent = user.0, reason, "browser phone closed");
    }
}

fn stats(user: UserId, session: &Session, interaction: Option<String>) -> SessionStats {
    let LegCounters {
        packets_in,
        packets_out,
        bytes_in,
        bytes_out,
    } = session.leg.counters;
    SessionStats {
        tenant: session.tenant.0,
        agent: user.0,
        username: session.username.clone(),
        connected: session.leg.is_connected(),
        interaction,
        packets_in,
        packets_out,
        bytes_in,
        bytes_out,
    }
}

fn random_u32() -> u32 {
    let mut bytes = [0u8; 4];
    let _ = getrandom::fill(&mut bytes);
    u32::from_le_bytes(bytes)
}
