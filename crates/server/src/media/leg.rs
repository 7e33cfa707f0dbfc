//! One call leg as the media task sees it: its socket, where its RTP goes, what it
//! negotiated, our stream toward it, its counters and the statistics of what it sends.
//!
//! # Symmetric RTP
//! Phones behind NAT announce a private address in their SDP, and their packets arrive from
//! the NAT's public one. So the address from the SDP is only where we start sending: the
//! first valid RTP packet received on the leg's port (version 2, a payload type the leg
//! negotiated) *latches* the leg to its source, and from then on we send there and accept
//! packets only from there (others are dropped and counted), until a re-INVITE gives a new
//! address and the latch starts again. This is what rtpengine, Asterisk (`rtp_symmetric`)
//! and FreeSWITCH do; it trusts whoever speaks first, which on a port just opened for one
//! call is the phone in all but deliberate attacks.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::bridge::{LegConfig, LegCounters};
use media::g711::Codec;
use media::quality::{CallQuality, EModel};
use media::rtp::RtpPacket;
use media::stats::ReceiverStats;

use super::commands::{LegMedia, LegReport};
use super::live::{LiveLeg, MediaTotals};
use super::pacing::OutStream;
use super::rtp_ports::{Lease, RtpSocket};

pub(super) struct Leg {
    pub(super) socket: tokio::net::UdpSocket,
    local: SocketAddr,
    /// Holds the port until the leg is dropped (or handed over).
    lease: Lease,
    remote: SocketAddr,
    latched: bool,
    pub(super) config: LegConfig,
    pub(super) out: OutStream,
    pub(super) counters: LegCounters,
    /// Counters already added to the server totals.
    published: LegCounters,
    send_failures: u64,
    stats: Option<ReceiverStats>,
    /// When RTP was last received (or the leg started), for the RTP timeout.
    pub(super) last_heard: Instant,
    pub(super) timeout_reported: bool,
}

impl Leg {
    pub(super) fn new(
        socket: tokio::net::UdpSocket,
        local: SocketAddr,
        lease: Lease,
        media: LegMedia,
        out: OutStream,
        now: Instant,
    ) -> Leg {
        Leg {
            socket,
            local,
            lease,
            remote: media.remote,
            latched: false,
            config: media.config,
            out,
            counters: LegCounters::default(),
            published: LegCounters::default(),
            send_failures: 0,
            stats: None,
            last_heard: now,
            timeout_reported: false,
        }
    }

    /// The leg's socket and media as they stand, for another call's media task to take
    /// over (an attended transfer): the phone keeps sending to the same port, and the new
    /// task latches to it again.
    pub(super) fn into_socket(self) -> io::Result<(RtpSocket, LegMedia)> {
        let socket = self.socket.into_std()?;
        let media = LegMedia {
            remote: self.remote,
            config: self.config,
        };
        Ok((RtpSocket::from_parts(socket, self.local, self.lease), media))
    }

    /// A re-INVITE: new address (latched anew) and payload types.
    pub(super) fn update(&mut self, media: LegMedia) {
        self.remote = media.remote;
        self.latched = false;
        self.config = media.config;
    }

    /// Whether a datagram from `source` is the leg's RTP; latches on the first valid packet.
    pub(super) fn accept(&mut self, source: SocketAddr, packet: &[u8]) -> bool {
        if self.latched {
            return source == self.remote;
        }
        let valid = RtpPacket::parse(packet).is_ok_and(|p| self.negotiated(p.payload_type()));
        if valid {
            if source != self.remote {
                tracing::debug!(sdp = %self.remote, %source, "RTP latched to its source");
            }
            self.remote = source;
            self.latched = true;
        }
        valid
    }

    /// The codec of an audio payload type of this leg (its negotiated type, or a static
    /// G.711 type).
    pub(super) fn audio_codec(&self, payload_type: u8) -> Option<Codec> {
        if payload_type == self.config.payload_type {
            Some(self.config.codec)
        } else {
            Codec::from_payload_type(payload_type)
        }
    }

    fn negotiated(&self, payload_type: u8) -> bool {
        self.audio_codec(payload_type).is_some()
            || self.config.telephone_event == Some(payload_type)
    }

    /// Counts a received packet and feeds the reception statistics.
    pub(super) fn received(&mut self, now: Instant, packet: &RtpPacket<'_>, live: &LiveLeg) {
        self.counters.packets_in += 1;
        self.counters.bytes_in += packet.as_bytes().len() as u64;
        live.publish_in(&self.counters);
        self.last_heard = now;
        self.timeout_reported = false;
        let ssrc = packet.ssrc();
        let stats = match &mut self.stats {
            Some(stats) if stats.ssrc() == ssrc => stats,
            slot => slot.insert(ReceiverStats::new(ssrc, 8_000)),
        };
        stats.on_rtp(now, packet);
    }

    /// Counts a datagram received and not used.
    pub(super) fn dropped(&mut self, live: &LiveLeg) {
        self.counters.dropped += 1;
        live.publish_dropped(&self.counters);
    }

    /// Sends a packet to the leg without waiting: a full socket buffer drops it (counted).
    pub(super) fn send(&mut self, packet: &[u8], live: &LiveLeg) {
        match self.socket.try_send_to(packet, self.remote) {
            Ok(_) => {
                self.counters.packets_out += 1;
                self.counters.bytes_out += packet.len() as u64;
                live.publish_out(&self.counters);
            }
            Err(e) => {
                self.send_failures += 1;
                if e.kind() != io::ErrorKind::WouldBlock && self.send_failures == 1 {
                    tracing::warn!(remote = %self.remote, error = %e, "RTP send failed");
                }
            }
        }
    }

    /// Whether the leg has been silent for `timeout` (and this silence not yet reported).
    pub(super) fn timed_out(&self, now: Instant, timeout: Duration) -> bool {
        !self.timeout_reported && now.saturating_duration_since(self.last_heard) >= timeout
    }

    /// Adds what was counted since the last call to the server totals.
    pub(super) fn publish_totals(&mut self, totals: &MediaTotals) {
        totals.add_delta(&self.published, &self.counters);
        self.published = self.counters;
    }

    pub(super) fn report(&self) -> LegReport {
        LegReport {
            counters: self.counters,
            send_failures: self.send_failures,
            quality: self
                .stats
                .as_ref()
                .map(|stats| CallQuality::assess(stats, None, Duration::ZERO, &EModel::G711_PLC)),
            remote: self.remote,
            local: self.local,
        }
    }
}
