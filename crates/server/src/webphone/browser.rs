//! One browser's peer connection: a str0m [`Rtc`] in ICE-lite mode (the browser does the
//! checks; we only answer them), DTLS-SRTP, one audio m-line with PCMU/PCMA. Sans-IO: the
//! gateway feeds datagrams and time, sends the [`BrowserOutput::Transmit`]s and relays the
//! [`BrowserOutput::Audio`].
//!
//! str0m's rule is kept here in one place: after every mutation ([`BrowserLeg::handle_receive`],
//! [`BrowserLeg::handle_timeout`], [`BrowserLeg::send_audio`]) the engine is drained to its
//! next timeout, which [`BrowserLeg::timeout`] then gives.
//!
//! The browser leg negotiates no telephone-event: the browser's keypad is sent as a
//! `phone_dtmf` frame on the events socket and the gateway plays RFC 4733 toward the
//! switchboard itself.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use media::g711;
use str0m::change::SdpOffer;
use str0m::format::Codec as RtcCodec;
use str0m::media::{Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc, RtcConfig};

/// How long the engine may sleep at most (str0m's "not happening" is far away).
const MAX_SLEEP: Duration = Duration::from_secs(1);

/// Why a browser's offer was refused.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// The SDP did not parse.
    #[error("unreadable offer: {0}")]
    Offer(String),
    /// str0m refused it (no common codec, no ICE credentials...).
    #[error("offer refused: {0}")]
    Refused(String),
}

/// What the gateway does after driving a leg.
#[derive(Debug)]
pub enum BrowserOutput {
    /// A datagram for the media socket.
    Transmit {
        /// Where it goes.
        destination: SocketAddr,
        /// The bytes.
        contents: Vec<u8>,
    },
    /// ICE and DTLS are up: the browser can take calls.
    Connected,
    /// Audio from the browser (one packet's payload).
    Audio {
        /// Its codec.
        codec: g711::Codec,
        /// The G.711 bytes.
        payload: Arc<[u8]>,
    },
    /// The peer connection is over (ICE gave up, DTLS closed).
    Gone,
}

/// Packets and bytes of the browser leg, each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LegCounters {
    /// Audio packets from the browser.
    pub packets_in: u64,
    /// Audio packets to the browser.
    pub packets_out: u64,
    /// Audio payload bytes from the browser.
    pub bytes_in: u64,
    /// Audio payload bytes to the browser.
    pub bytes_out: u64,
}

/// One browser's peer connection; see the module doc.
#[derive(Debug)]
pub struct BrowserLeg {
    rtc: Rtc,
    mid: Option<Mid>,
    timeout: Instant,
    media_time: u64,
    connected: bool,
    gone: bool,
    /// Packet counters.
    pub counters: LegCounters,
}

impl BrowserLeg {
    /// Takes the browser's (non-trickle) offer; our one candidate is `candidate` (the media
    /// socket's public address). Returns the leg and the SDP answer.
    pub fn accept(
        now: Instant,
        offer: &str,
        candidate: SocketAddr,
    ) -> Result<(BrowserLeg, String), BrowserError> {
        let offer =
            SdpOffer::from_sdp_string(offer).map_err(|e| BrowserError::Offer(e.to_string()))?;
        let mut rtc = RtcConfig::new()
            .set_ice_lite(true)
            .clear_codecs()
            .enable_pcmu(true, false)
            .enable_pcma(true, false)
            .build(now);
        let candidate =
            Candidate::host(candidate, "udp").map_err(|e| BrowserError::Refused(e.to_string()))?;
        rtc.add_local_candidate(candidate);
        let answer = rtc
            .sdp_api()
            .accept_offer(offer)
            .map_err(|e| BrowserError::Refused(e.to_string()))?;
        let mut leg = BrowserLeg {
            rtc,
            mid: None,
            timeout: now,
            media_time: 0,
            connected: false,
            gone: false,
            counters: LegCounters::default(),
        };
        // The audio m-line is known from the offer; MediaAdded confirms it while draining.
        let mut out = Vec::new();
        leg.drain(now, &mut out);
        Ok((leg, answer.to_sdp_string()))
    }

    /// Whether the datagram from `source` belongs to this leg (ICE credentials, DTLS/SRTP
    /// of its 5-tuple): how one socket serves every browser.
    pub fn accepts(
        &self,
        now: Instant,
        source: SocketAddr,
        local: SocketAddr,
        contents: &[u8],
    ) -> bool {
        let Ok(contents) = contents.try_into() else {
            return false;
        };
        let input = Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source,
                destination: local,
                contents,
            },
        );
        self.rtc.accepts(&input)
    }

    /// A datagram for this leg.
    pub fn handle_receive(
        &mut self,
        now: Instant,
        source: SocketAddr,
        local: SocketAddr,
        contents: &[u8],
        out: &mut Vec<BrowserOutput>,
    ) {
        let Ok(contents) = contents.try_into() else {
            return;
        };
        let input = Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source,
                destination: local,
                contents,
            },
        );
        if self.rtc.handle_input(input).is_err() {
            self.gone = true;
        }
        self.drain(now, out);
    }

    /// Time passed.
    pub fn handle_timeout(&mut self, now: Instant, out: &mut Vec<BrowserOutput>) {
        if now >= self.timeout {
            if self.rtc.handle_input(Input::Timeout(now)).is_err() {
                self.gone = true;
            }
            self.drain(now, out);
        }
    }

    /// Sends one packet's worth of G.711 to the browser, in a codec it negotiated
    /// (transcoded when `codec` is not one of them).
    pub fn send_audio(
        &mut self,
        now: Instant,
        codec: g711::Codec,
        payload: &[u8],
        out: &mut Vec<BrowserOutput>,
    ) {
        let Some(mid) = self.mid else {
            return;
        };
        if !self.connected {
            return;
        }
        let Some(writer) = self.rtc.writer(mid) else {
            return;
        };
        let params: Vec<_> = writer
            .payload_params()
            .map(|p| (p.pt(), p.spec().codec))
            .collect();
        let wanted = rtc_codec(codec);
        let (pt, data): (_, Arc<[u8]>) = match params.iter().find(|(_, c)| *c == wanted) {
            Some((pt, _)) => (*pt, Arc::from(payload)),
            None => {
                let Some((pt, other)) = params
                    .iter()
                    .find_map(|(pt, c)| g711_codec(*c).map(|g| (*pt, g)))
                else {
                    return;
                };
                let mut converted = vec![0u8; payload.len()];
                codec.transcode_into(other, payload, &mut converted);
                (pt, Arc::from(converted))
            }
        };
        let time = MediaTime::new(self.media_time, Frequency::EIGHT_KHZ);
        self.media_time = self.media_time.wrapping_add(payload.len() as u64);
        let length = data.len() as u64;
        if writer.write(pt, now, time, data).is_ok() {
            self.counters.packets_out += 1;
            self.counters.bytes_out += length;
        }
        self.drain(now, out);
    }

    /// When [`BrowserLeg::handle_timeout`] is next due.
    pub fn timeout(&self) -> Instant {
        self.timeout
    }

    /// Whether ICE and DTLS are up.
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// Closes the peer connection (a replaced or abandoned session).
    pub fn close(&mut self, now: Instant, out: &mut Vec<BrowserOutput>) {
        self.rtc.disconnect();
        self.drain(now, out);
    }

    fn drain(&mut self, now: Instant, out: &mut Vec<BrowserOutput>) {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(at)) => {
                    self.timeout = at.min(now + MAX_SLEEP);
                    break;
                }
                Ok(Output::Transmit(transmit)) => out.push(BrowserOutput::Transmit {
                    destination: transmit.destination,
                    contents: transmit.contents.to_vec(),
                }),
                Ok(Output::Event(event)) => self.on_event(event, out),
                Err(_) => {
                    self.gone = true;
                    self.timeout = now + MAX_SLEEP;
                    break;
                }
            }
        }
        if (self.gone || !self.rtc.is_alive()) && !matches!(out.last(), Some(BrowserOutput::Gone)) {
            self.gone = true;
            out.push(BrowserOutput::Gone);
        }
    }

    fn on_event(&mut self, event: Event, out: &mut Vec<BrowserOutput>) {
        match event {
            Event::Connected => {
                self.connected = true;
                out.push(BrowserOutput::Connected);
            }
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) | Event::Closed => {
                self.gone = true;
            }
            Event::MediaAdded(added) if added.kind == MediaKind::Audio => {
                self.mid = Some(added.mid);
            }
            Event::MediaData(data) => {
                let Some(codec) = g711_codec(data.params.spec().codec) else {
                    return;
                };
                self.counters.packets_in += 1;
                self.counters.bytes_in += data.data.len() as u64;
                out.push(BrowserOutput::Audio {
                    codec,
                    payload: data.data,
                });
            }
            _ => {}
        }
    }
}

fn g711_codec(codec: RtcCodec) -> Option<g711::Codec> {
    match codec {
        RtcCodec::PCMU => Some(g711::Codec::Pcmu),
        RtcCodec::PCMA => Some(g711::Codec::Pcma),
        _ => None,
    }
}

fn rtc_codec(codec: g711::Codec) -> RtcCodec {
    match codec {
        g711::Codec::Pcmu => RtcCodec::PCMU,
        g711::Codec::Pcma => RtcCodec::PCMA,
    }
}

#[cfg(test)]
mod tests {
    use str0m::change::SdpAnswer;
    use str0m::media::Direction;

    use super::*;

    // The tests drive both peers on a simulated clock from this origin.
    #[allow(clippy::disallowed_methods)]
    fn origin() -> Instant {
        Instant::now()
    }

    const BROWSER: &str = "127.0.0.1:50000";
    const SERVER: &str = "127.0.0.1:40000";

    fn addr(s: &str) -> SocketAddr {
        s.parse().expect("literal")
    }

    /// A browser (str0m as the offerer) and our leg, exchanging datagrams in memory.
    struct Pair {
        now: Instant,
        browser: Rtc,
        mid: Mid,
        leg: BrowserLeg,
        heard_by_browser: usize,
        heard_by_server: usize,
        browser_connected: bool,
        pending: Vec<Vec<u8>>,
    }

    impl Pair {
        fn new() -> Pair {
            let now = origin();
            let mut browser = RtcConfig::new()
                .clear_codecs()
                .enable_pcmu(true, false)
                .build(now);
            let candidate = Candidate::host(addr(BROWSER), "udp").expect("host candidate");
            browser.add_local_candidate(candidate);
            let mut change = browser.sdp_api();
            let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
            let (offer, pending) = change.apply().expect("an offer");
            let (leg, answer) =
                BrowserLeg::accept(now, &offer.to_sdp_string(), addr(SERVER)).expect("accepted");
            let answer = SdpAnswer::from_sdp_string(&answer).expect("our answer parses");
            browser
                .sdp_api()
                .accept_answer(pending, answer)
                .expect("answer accepted");
            Pair {
                now,
                browser,
                mid,
                leg,
                heard_by_browser: 0,
                heard_by_server: 0,
                browser_connected: false,
                pending: Vec::new(),
            }
        }

        /// Drains the browser after a mutation (str0m's rule), keeping its datagrams.
        fn drain_browser(&mut self, to_server: &mut Vec<Vec<u8>>) {
            loop {
                match self.browser.poll_output().expect("browser runs") {
                    Output::Timeout(_) => break,
                    Output::Transmit(t) => to_server.push(t.contents.to_vec()),
                    Output::Event(Event::Connected) => self.browser_connected = true,
                    Output::Event(Event::MediaData(_)) => self.heard_by_browser += 1,
                    Output::Event(_) => {}
                }
            }
        }

        /// Moves every datagram both ways, then advances the clock by 5 ms.
        fn step(&mut self, out: &mut Vec<BrowserOutput>) {
            let mut to_server = Vec::new();
            self.drain_browser(&mut to_server);
            for datagram in to_server.drain(..) {
                assert!(
                    self.leg
                        .accepts(self.now, addr(BROWSER), addr(SERVER), &datagram)
                );
                self.leg
                    .handle_receive(self.now, addr(BROWSER), addr(SERVER), &datagram, out);
            }
            let mut to_browser = Vec::new();
            for output in out.drain(..) {
                match output {
                    BrowserOutput::Transmit { contents, .. } => to_browser.push(contents),
                    BrowserOutput::Audio { .. } => self.heard_by_server += 1,
                    BrowserOutput::Connected | BrowserOutput::Gone => {}
                }
            }
            for datagram in to_browser {
                let input = Input::Receive(
                    self.now,
                    Receive {
                        proto: Protocol::Udp,
                        source: addr(SERVER),
                        destination: addr(BROWSER),
                        contents: datagram.as_slice().try_into().expect("a datagram"),
                    },
                );
                self.browser.handle_input(input).expect("browser takes it");
                self.drain_browser(&mut to_server);
            }
            self.pending.append(&mut to_server);
            self.now += Duration::from_millis(5);
            self.browser
                .handle_input(Input::Timeout(self.now))
                .expect("browser ticks");
            let mut later = Vec::new();
            self.drain_browser(&mut later);
            self.pending.append(&mut later);
            for datagram in std::mem::take(&mut self.pending) {
                self.leg
                    .handle_receive(self.now, addr(BROWSER), addr(SERVER), &datagram, out);
            }
            self.leg.handle_timeout(self.now, out);
        }

        fn connect(&mut self) {
            let mut out = Vec::new();
            for _ in 0..400 {
                self.step(&mut out);
                if self.leg.is_connected() && self.browser_connected {
                    return;
                }
            }
            panic!("ICE/DTLS did not come up");
        }
    }

    #[test]
    fn an_unreadable_offer_is_refused() {
        let garbage = "v=0\r\nthis is not sdp";
        assert!(BrowserLeg::accept(origin(), garbage, addr(SERVER)).is_err());
    }

    #[test]
    fn a_browser_connects_over_ice_lite_and_dtls() {
        let mut pair = Pair::new();
        pair.connect();
        assert!(pair.leg.is_connected());
    }

    #[test]
    fn audio_flows_both_ways_and_is_counted() {
        let mut pair = Pair::new();
        pair.connect();
        let mut out = Vec::new();
        let payload = [0xFFu8; 160];
        for n in 0..50u64 {
            let writer = pair.browser.writer(pair.mid).expect("audio writer");
            let pt = writer.payload_params().next().expect("PCMU").pt();
            let time = MediaTime::new(n * 160, Frequency::EIGHT_KHZ);
            writer
                .write(pt, pair.now, time, payload.to_vec())
                .expect("written");
            let mut to_server = Vec::new();
            pair.drain_browser(&mut to_server);
            pair.pending.append(&mut to_server);
            pair.leg
                .send_audio(pair.now, g711::Codec::Pcma, &payload, &mut out);
            pair.step(&mut out);
        }
        for _ in 0..20 {
            pair.step(&mut out);
        }
        assert!(pair.heard_by_server > 0, "browser → server");
        assert!(pair.heard_by_browser > 0, "server → browser");
        assert!(pair.leg.counters.packets_in > 0);
        assert_eq!(pair.leg.counters.packets_out, 50);
    }
}
