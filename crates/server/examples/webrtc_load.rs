//! Browser legs (DTLS-SRTP) the softphone gateway sustains: `PEERS` str0m offerers (the
//! "browsers") each connect to one of the gateway's [`BrowserLeg`]s, then both sides send one
//! 20 ms G.711 frame per tick for `SECONDS` of simulated time. Datagrams are handed over in
//! memory (no sockets, no pacing: the sans-IO legs run on a simulated clock as fast as the CPU
//! allows), and only the gateway side's calls are timed, so the figure is the gateway's CPU
//! per leg (ICE answers, DTLS, SRTP both ways, RTCP) without the kernel's UDP cost.
//!
//! ```text
//! cargo run --release -p plateau --example webrtc_load -- 200 10
//! ```
//! prints one Markdown table row: peers, handshake CPU ms per leg (offer accepted, ICE, DTLS), packets, µs per packet, µs of
//! CPU per leg-second and the legs one core would carry at that rate.
#![allow(clippy::print_stdout)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::g711;
use plateau::webphone::browser::{BrowserLeg, BrowserOutput};
use str0m::change::SdpAnswer;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc, RtcConfig};

const SERVER: &str = "127.0.0.1:40000";
const FRAME: Duration = Duration::from_millis(20);

struct Peer {
    browser: Rtc,
    mid: Mid,
    addr: SocketAddr,
    leg: BrowserLeg,
    connected: bool,
    to_server: Vec<Vec<u8>>,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let peers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let server: SocketAddr = SERVER.parse().expect("literal");
    let mut now = Instant::now();
    let mut gateway_cpu = Duration::ZERO;

    // Offers and answers.
    let mut all = Vec::with_capacity(peers);
    for n in 0..peers {
        let addr = SocketAddr::from(([127, 0, 0, 2], 10_000 + n as u16));
        let mut browser = RtcConfig::new()
            .clear_codecs()
            .enable_pcmu(true, false)
            .build(now);
        browser.add_local_candidate(Candidate::host(addr, "udp").expect("candidate"));
        let mut change = browser.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, pending) = change.apply().expect("offer");
        let started = Instant::now();
        let (leg, answer) =
            BrowserLeg::accept(now, &offer.to_sdp_string(), server).expect("accepted");
        gateway_cpu += started.elapsed();
        let answer = SdpAnswer::from_sdp_string(&answer).expect("answer");
        browser
            .sdp_api()
            .accept_answer(pending, answer)
            .expect("applied");
        all.push(Peer {
            browser,
            mid,
            addr,
            leg,
            connected: false,
            to_server: Vec::new(),
        });
    }

    // Handshakes.
    // The handshake's cost includes the offer's acceptance (certificate, ICE agent).
    let handshake_started = Duration::ZERO;
    let mut out = Vec::new();
    for _ in 0..2_000 {
        for peer in &mut all {
            gateway_cpu += exchange(peer, now, server, &mut out, &mut 0);
        }
        now += Duration::from_millis(5);
        if all.iter().all(|p| p.connected && p.leg.is_connected()) {
            break;
        }
    }
    let connected = all.iter().filter(|p| p.leg.is_connected()).count();
    let handshake = gateway_cpu - handshake_started;

    // Audio both ways, one frame per leg per tick.
    let frame = [0xFFu8; 160];
    let ticks = seconds * 1_000 / FRAME.as_millis() as u64;
    let audio_started = gateway_cpu;
    let mut heard = 0u64;
    for tick in 0..ticks {
        for peer in &mut all {
            if let Some(writer) = peer.browser.writer(peer.mid) {
                let pt = writer.payload_params().next().map(|p| p.pt());
                if let Some(pt) = pt {
                    let time = MediaTime::new(tick * 160, Frequency::EIGHT_KHZ);
                    let _ = writer.write(pt, now, time, frame.to_vec());
                }
            }
            drain_browser(peer, &mut heard);
            let started = Instant::now();
            peer.leg
                .send_audio(now, g711::Codec::Pcmu, &frame, &mut out);
            gateway_cpu += started.elapsed();
            gateway_cpu += exchange(peer, now, server, &mut out, &mut heard);
        }
        now += FRAME;
    }
    let audio = gateway_cpu - audio_started;
    let packets: u64 = all
        .iter()
        .map(|p| p.leg.counters.packets_in + p.leg.counters.packets_out)
        .sum();
    let leg_seconds = (connected as u64 * seconds).max(1);
    let per_leg_second = audio.as_secs_f64() * 1e6 / leg_seconds as f64;
    println!(
        "| {peers} | {connected} | {:.2} | {packets} | {:.2} | {:.0} | {:.0} |",
        handshake.as_secs_f64() * 1e3 / connected.max(1) as f64,
        audio.as_secs_f64() * 1e6 / packets.max(1) as f64,
        per_leg_second,
        1e6 / per_leg_second.max(1e-9),
    );
    let _ = heard;
}

/// Drains the browser after a mutation (str0m's rule): datagrams for the gateway are kept.
fn drain_browser(peer: &mut Peer, heard: &mut u64) {
    loop {
        match peer.browser.poll_output() {
            Ok(Output::Timeout(_)) | Err(_) => break,
            Ok(Output::Transmit(t)) => peer.to_server.push(t.contents.to_vec()),
            Ok(Output::Event(Event::Connected)) => peer.connected = true,
            Ok(Output::Event(Event::MediaData(_))) => *heard += 1,
            Ok(Output::Event(_)) => {}
        }
    }
}

/// Moves every pending datagram both ways for one peer; returns the gateway's CPU time.
fn exchange(
    peer: &mut Peer,
    now: Instant,
    server: SocketAddr,
    out: &mut Vec<BrowserOutput>,
    heard: &mut u64,
) -> Duration {
    drain_browser(peer, heard);
    let to_server = std::mem::take(&mut peer.to_server);
    let started = Instant::now();
    for datagram in &to_server {
        peer.leg
            .handle_receive(now, peer.addr, server, datagram, out);
    }
    peer.leg.handle_timeout(now, out);
    let mut to_browser = Vec::new();
    for output in out.drain(..) {
        if let BrowserOutput::Transmit { contents, .. } = output {
            to_browser.push(contents);
        }
    }
    let cpu = started.elapsed();
    for datagram in to_browser {
        let Ok(contents) = datagram.as_slice().try_into() else {
            continue;
        };
        let input = Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source: server,
                destination: peer.addr,
                contents,
            },
        );
        let _ = peer.browser.handle_input(input);
        drain_browser(peer, heard);
    }
    let _ = peer.browser.handle_input(Input::Timeout(now));
    drain_browser(peer, heard);
    cpu
}
