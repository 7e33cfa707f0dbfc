//! Shared by the media tests: a media service on 127.0.0.1, and fake phones — plain UDP
//! sockets sending and receiving RTP built with `media::rtp`.
#![allow(dead_code)] // each test file uses part of it

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use media::Frame;
use media::bridge::LegConfig;
use media::dtmf::{Digit, EventPayload};
use media::g711::Codec;
use media::rtp::{RtpBuilder, RtpHeader, RtpPacket};
use media::tones::goertzel::Goertzel;
use media::tones::{Tone, ToneGenerator};
use plateau::media::{
    CallRef, LegMedia, MediaConfig, MediaEvent, MediaEventEnvelope, MediaHandle, MediaService,
    RtpPorts,
};
use tokio::net::UdpSocket;
use tokio::sync::mpsc::UnboundedReceiver;

pub const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// The longest any test waits for something that should come; reaching it fails the test.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A media service and its event stream, with ports from `range` on 127.0.0.1.
pub struct Harness {
    pub service: MediaService,
    pub events: UnboundedReceiver<MediaEventEnvelope>,
    pub ports: RtpPorts,
}

impl Harness {
    pub fn new(config: MediaConfig, range: std::ops::RangeInclusive<u16>) -> Harness {
        let (service, events) = MediaService::new(config, tokio::runtime::Handle::current());
        let ports = RtpPorts::new(LOCALHOST, range).expect("port range");
        Harness {
            service,
            events,
            ports,
        }
    }

    /// Starts call `id` whose caller is `peer`.
    pub fn call(&self, id: u64, peer: &Peer) -> MediaHandle {
        let socket = self.ports.allocate().expect("a free port");
        let media = peer.media();
        self.service.start_call(CallRef(id), socket, media)
    }

    /// The next event, failing the test after [`PATIENCE`].
    pub async fn next_event(&mut self) -> MediaEvent {
        let envelope = tokio::time::timeout(PATIENCE, self.events.recv())
            .await
            .expect("an event in time")
            .expect("the event channel is open");
        envelope.event
    }

    /// Skips events until one matches, failing the test after [`PATIENCE`].
    pub async fn wait_for(&mut self, wanted: impl Fn(&MediaEvent) -> bool) -> MediaEvent {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let envelope = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .expect("the awaited event in time")
                .expect("the event channel is open");
            if wanted(&envelope.event) {
                return envelope.event;
            }
        }
    }
}

/// A fake phone: one UDP socket, an outgoing RTP stream, a codec.
pub struct Peer {
    pub socket: UdpSocket,
    pub config: LegConfig,
    /// Where our RTP goes (the media task's port for this leg).
    pub target: Option<SocketAddr>,
    ssrc: u32,
    seq: u16,
    ts: u32,
}

impl Peer {
    pub async fn new(codec: Codec, telephone_event: Option<u8>, ssrc: u32) -> Peer {
        let socket = UdpSocket::bind((LOCALHOST, 0)).await.expect("peer socket");
        Peer {
            socket,
            config: LegConfig {
                codec,
                payload_type: codec.payload_type(),
                telephone_event,
            },
            target: None,
            ssrc,
            seq: 1_000,
            ts: 80_000,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.socket.local_addr().expect("peer address")
    }

    /// What our SDP would say.
    pub fn media(&self) -> LegMedia {
        LegMedia {
            remote: self.addr(),
            config: self.config,
        }
    }

    /// Sends one 20 ms frame of audio (or, if `dropped`, only moves the stream on, as if the
    /// network lost it).
    pub async fn send_frame(&mut self, frame: &Frame, dropped: bool) {
        let mut payload = [0u8; 160];
        self.config.codec.encode_into(&frame.samples, &mut payload);
        let header = RtpHeader {
            marker: false,
            payload_type: self.config.payload_type,
            sequence_number: self.seq,
            timestamp: self.ts,
            ssrc: self.ssrc,
        };
        self.seq = self.seq.wrapping_add(1);
        self.ts = self.ts.wrapping_add(160);
        if !dropped {
            self.send_packet(header, &payload).await;
        }
    }

    /// Sends an RFC 4733 key press of `frames` × 20 ms: a marked start, updates, and the end
    /// three times, all with the event's timestamp; the audio stream moves on meanwhile.
    pub async fn send_key(&mut self, digit: Digit, frames: u16) {
        let pt = self
            .config
            .telephone_event
            .expect("telephone-event negotiated");
        let start_ts = self.ts;
        let mut interval = tokio::time::interval(Duration::from_millis(20));
        for n in 1..=frames {
            interval.tick().await;
            let end = n == frames;
            let repeats = if end { 3 } else { 1 };
            for _ in 0..repeats {
                let payload = EventPayload {
                    event: digit.event_code(),
                    end,
                    volume: 10,
                    duration: n * 160,
                };
                let header = RtpHeader {
                    marker: n == 1,
                    payload_type: pt,
                    sequence_number: self.seq,
                    timestamp: start_ts,
                    ssrc: self.ssrc,
                };
                self.seq = self.seq.wrapping_add(1);
                self.send_packet(header, &payload.to_bytes()).await;
            }
        }
        self.ts = self.ts.wrapping_add(u32::from(frames) * 160);
    }

    async fn send_packet(&self, header: RtpHeader, payload: &[u8]) {
        let mut buf = [0u8; 256];
        let len = RtpBuilder::new(header, payload)
            .write(&mut buf)
            .expect("packet fits");
        let target = self.target.expect("peer has a target");
        self.socket
            .send_to(&buf[..len], target)
            .await
            .expect("peer send");
    }

    /// The next RTP packet received, or `None` after `wait`.
    pub async fn recv(&self, wait: Duration) -> Option<Received> {
        let mut buf = [0u8; 2_048];
        let (len, _) = tokio::time::timeout(wait, self.socket.recv_from(&mut buf))
            .await
            .ok()?
            .ok()?;
        let packet = RtpPacket::parse(&buf[..len]).expect("valid RTP from the server");
        Some(Received {
            at: tokio::time::Instant::now(),
            marker: packet.marker(),
            payload_type: packet.payload_type(),
            sequence_number: packet.sequence_number(),
            timestamp: packet.timestamp(),
            ssrc: packet.ssrc(),
            payload: packet.payload().to_vec(),
        })
    }

    /// Every packet received until `quiet` passes without one.
    pub async fn recv_all(&self, quiet: Duration) -> Vec<Received> {
        let mut packets = Vec::new();
        while let Some(packet) = self.recv(quiet).await {
            packets.push(packet);
        }
        packets
    }
}

/// A packet a peer received.
#[derive(Debug, Clone)]
pub struct Received {
    pub at: tokio::time::Instant,
    pub marker: bool,
    pub payload_type: u8,
    pub sequence_number: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub payload: Vec<u8>,
}

/// Frames of a continuous sine at `freq` Hz, −10 dBm0.
pub fn tone_frames(freq: f64, frames: usize) -> Vec<Frame> {
    let mut generator = ToneGenerator::new(Tone::continuous(&[(freq, -10.0)]));
    (0..frames).map(|_| generator.next_frame()).collect()
}

/// Mean power of `freq` in `samples` relative to the block's total, in dB (0 for a pure
/// tone at that frequency, very negative when absent).
pub fn tone_share_db(samples: &[i16], freq: f32) -> f64 {
    let x: Vec<f32> = samples.iter().map(|&s| f32::from(s)).collect();
    let tone = f64::from(Goertzel::new(freq, 8_000).tone_power(&x));
    let total = x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64;
    10.0 * (tone.max(1e-9) / total.max(1e-9)).log10()
}

/// Decodes received payloads with `codec`, in order.
pub fn decode(codec: Codec, packets: &[Received]) -> Vec<i16> {
    let mut samples = Vec::new();
    for packet in packets {
        let mut pcm = vec![0i16; packet.payload.len()];
        codec.decode_into(&packet.payload, &mut pcm);
        samples.extend(pcm);
    }
    samples
}

/// Asserts that packets form one stream: same SSRC, sequence numbers +1, timestamps +160.
pub fn assert_continuous(packets: &[Received]) {
    for pair in packets.windows(2) {
        assert_eq!(pair[1].ssrc, pair[0].ssrc, "one SSRC");
        assert_eq!(
            pair[1].sequence_number,
            pair[0].sequence_number.wrapping_add(1),
            "consecutive sequence numbers"
        );
        assert_eq!(
            pair[1].timestamp,
            pair[0].timestamp.wrapping_add(160),
            "timestamps 160 apart"
        );
    }
}
