//! The audio end of a test phone whose SIP side is SIPp: a UDP socket of the test's own, named
//! in the SDP that SIPp sends (the scenario is written with its port), that sends a steady
//! tone as PCMU RTP every 20 ms and keeps what it hears, so that a test can say which tones
//! reach whom ([`TonePhone::level`], a Goertzel filter).
//!
//! The server's address is learnt from the packets it sends (it sends to the address in our
//! SDP from the start; a later call to the same phone comes from another port): until the
//! first, nothing is sent, as a phone that waits for media would.
//! RFC 4733 key presses can be sent in place of the tone ([`TonePhone::press`]).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use media::g711::Codec;
use media::rtp::{HEADER_LEN, RtpHeader, RtpPacket};
use tokio::net::UdpSocket;

/// Samples in 20 ms at 8 kHz.
const FRAME: usize = 160;
/// The tone's peak amplitude (three of them summed stay below full scale).
const AMPLITUDE: f64 = 6_000.0;
/// The telephone-event payload type the scenarios offer.
pub const TELEPHONE_EVENT: u8 = 101;

/// What the phone heard: frames with their arrival times.
type Heard = Arc<Mutex<Vec<(Instant, Vec<i16>)>>>;

/// A test phone's audio (see the module documentation).
pub struct TonePhone {
    port: u16,
    heard: Heard,
    keys: Arc<Mutex<Vec<u8>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TonePhone {
    /// Binds a socket on 127.0.0.1 and starts sending `frequency` once the server is heard.
    pub async fn start(frequency: f64) -> TonePhone {
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("an RTP socket");
        let port = socket.local_addr().expect("bound").port();
        let heard: Heard = Arc::default();
        let keys: Arc<Mutex<Vec<u8>>> = Arc::default();
        let task = tokio::spawn(run(
            socket,
            frequency,
            Arc::clone(&heard),
            Arc::clone(&keys),
        ));
        TonePhone {
            port,
            heard,
            keys,
            task,
        }
    }

    /// The RTP port to name in the SDP.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Sends an RFC 4733 press of `digit` (0–9) instead of 100 ms of tone.
    pub fn press(&self, digit: u8) {
        self.keys.lock().expect("keys").push(digit);
    }

    /// Frames heard since `since`.
    pub fn frames_since(&self, since: Instant) -> usize {
        self.heard
            .lock()
            .expect("heard")
            .iter()
            .filter(|(at, _)| *at >= since)
            .count()
    }

    /// Waits until `frames` frames were heard after `since` (at most `bound`).
    pub async fn wait_frames(&self, since: Instant, frames: usize, bound: Duration) {
        let deadline = tokio::time::Instant::now() + bound;
        while self.frames_since(since) < frames {
            assert!(
                tokio::time::Instant::now() < deadline,
                "port {}: {frames} frames heard within {bound:?} (got {})",
                self.port,
                self.frames_since(since)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The amplitude of `frequency` in what was heard after `since` (about the tone's peak
    /// amplitude when the tone is there, near 0 when not).
    pub fn level(&self, since: Instant, frequency: f64) -> f64 {
        let samples: Vec<i16> = self
            .heard
            .lock()
            .expect("heard")
            .iter()
            .filter(|(at, _)| *at >= since)
            .flat_map(|(_, frame)| frame.iter().copied())
            .collect();
        goertzel_amplitude(&samples, frequency)
    }
}

impl Drop for TonePhone {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The amplitude of the `frequency` component of `samples` (8 kHz), by the Goertzel filter.
pub fn goertzel_amplitude(samples: &[i16], frequency: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let n = samples.len() as f64;
    let w = 2.0 * std::f64::consts::PI * frequency / 8_000.0;
    let coefficient = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &x in samples {
        let s = f64::from(x) + coefficient * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    2.0 * power.max(0.0).sqrt() / n
}

async fn run(socket: UdpSocket, frequency: f64, heard: Heard, keys: Arc<Mutex<Vec<u8>>>) {
    let mut buffer = [0u8; 2_048];
    let mut server: Option<SocketAddr> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let mut stream = Stream::new(frequency);
    loop {
        tokio::select! {
            received = socket.recv_from(&mut buffer) => {
                let Ok((len, from)) = received else { continue };
                // A new leg (a second call to this phone) comes from a new port.
                server = Some(from);
                let Ok(packet) = RtpPacket::parse(&buffer[..len]) else { continue };
                if packet.payload_type() != 0 {
                    continue;
                }
                let mut samples = vec![0i16; packet.payload().len()];
                Codec::Pcmu.decode_into(packet.payload(), &mut samples);
                heard.lock().expect("heard").push((Instant::now(), samples));
            }
            _ = tick.tick() => {
                let Some(server) = server else { continue };
                let key = keys.lock().expect("keys").pop();
                for packet in stream.next(key) {
                    // A closed port on the other side (a leg hung up) is not the test's failure.
                    let _ = socket.send_to(&packet, server).await;
                }
            }
        }
    }
}

/// Our RTP stream: the tone, or a key press's telephone-events.
struct Stream {
    frequency: f64,
    phase: f64,
    sequence: u16,
    timestamp: u32,
    /// A key press under way: its digit and the frames sent so far.
    key: Option<(u8, u32)>,
}

impl Stream {
    fn new(frequency: f64) -> Stream {
        Stream {
            frequency,
            phase: 0.0,
            sequence: 1,
            timestamp: 160_000,
            key: None,
        }
    }

    fn header(&mut self, payload_type: u8, marker: bool, timestamp: u32) -> Vec<u8> {
        let mut packet = vec![0u8; HEADER_LEN];
        RtpHeader {
            marker,
            payload_type,
            sequence_number: self.sequence,
            timestamp,
            ssrc: 0x5e_1f_00 ^ self.frequency as u32,
        }
        .write(&mut packet)
        .expect("a header fits");
        self.sequence = self.sequence.wrapping_add(1);
        packet
    }

    /// The packets of the next 20 ms.
    fn next(&mut self, new_key: Option<u8>) -> Vec<Vec<u8>> {
        if self.key.is_none()
            && let Some(digit) = new_key
        {
            self.key = Some((digit, 0));
        }
        match self.key {
            Some((digit, sent)) => {
                // Five frames of the event (100 ms), the last one sent three times with E set.
                let frames = sent + 1;
                let end = frames >= 5;
                let duration = (frames * FRAME as u32) as u16;
                let event_ts = self.timestamp;
                let copies = if end { 3 } else { 1 };
                let mut out = Vec::new();
                for _ in 0..copies {
                    let mut packet = self.header(TELEPHONE_EVENT, sent == 0, event_ts);
                    let flags = if end { 0x80 | 10 } else { 10 };
                    packet.extend_from_slice(&[digit, flags]);
                    packet.extend_from_slice(&duration.to_be_bytes());
                    out.push(packet);
                }
                if end {
                    self.key = None;
                    self.timestamp = self.timestamp.wrapping_add(duration.into());
                } else {
                    self.key = Some((digit, frames));
                }
                out
            }
            None => {
                let timestamp = self.timestamp;
                let mut packet = self.header(0, false, timestamp);
                let step = 2.0 * std::f64::consts::PI * self.frequency / 8_000.0;
                for _ in 0..FRAME {
                    let sample = (self.phase.sin() * AMPLITUDE) as i16;
                    packet.push(Codec::Pcmu.encode(sample));
                    self.phase = (self.phase + step) % (2.0 * std::f64::consts::PI);
                }
                self.timestamp = self.timestamp.wrapping_add(FRAME as u32);
                vec![packet]
            }
        }
    }
}
