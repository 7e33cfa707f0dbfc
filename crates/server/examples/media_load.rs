//! Media load generator: K bridged and recorded calls through real media tasks (no SIP), each
//! side a fake phone sending 20 ms packets (50 per second) with some loss; prints one table
//! row with the media thread's CPU time per relayed packet.
//!
//! Two threads, pinned to different cores: the media thread runs every call's task on a
//! current-thread tokio runtime (the server's data plane, measured), the peer thread plays
//! all the phones with plain non-blocking sockets (the harness, not measured). CPU time is
//! the media thread's own, read from `/proc/thread-self/schedstat` (nanoseconds on CPU),
//! over the measuring window after a one-second warm-up; it includes the send system calls,
//! whose loopback delivery to the peer sockets the kernel runs on the sender's core.
//!
//! `cargo run --release -p plateau --example media_load -- --calls 300 --seconds 10`
//! (options: `--loss 0.01`, `--media-core 0`, `--peer-core 1`, `--header`).
#![allow(clippy::print_stdout)] // a benchmark prints its table

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use media::bridge::{LegConfig, LegId};
use media::g711::Codec;
use media::rtp::{RtpBuilder, RtpHeader};
use media::tones::{Tone, ToneGenerator};
use plateau::media::{
    CallRef, LegMedia, MediaCommand, MediaConfig, MediaEvent, MediaHandle, MediaService, RtpPorts,
};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const FRAME: Duration = Duration::from_millis(20);
/// The 20 ms period is cut into this many slots, each sending for its share of the calls.
const SLOTS: usize = 20;

struct Options {
    calls: usize,
    seconds: u64,
    loss: f64,
    media_core: usize,
    peer_core: usize,
    header: bool,
}

fn options() -> Options {
    let mut options = Options {
        calls: 100,
        seconds: 10,
        loss: 0.01,
        media_core: 0,
        peer_core: 1,
        header: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).map(String::as_str).unwrap_or_default();
        match args[i].as_str() {
            "--calls" => options.calls = value.parse().expect("--calls N"),
            "--seconds" => options.seconds = value.parse().expect("--seconds N"),
            "--loss" => options.loss = value.parse().expect("--loss FRACTION"),
            "--media-core" => options.media_core = value.parse().expect("--media-core N"),
            "--peer-core" => options.peer_core = value.parse().expect("--peer-core N"),
            "--header" => {
                options.header = true;
                i += 1;
                continue;
            }
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    options
}

fn pin(core: usize) {
    if !core_affinity::set_for_current(core_affinity::CoreId { id: core }) {
        eprintln!("media_load: could not pin a thread to core {core}");
    }
}

/// Nanoseconds this thread has been on a CPU.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The kernel's count of UDP datagrams dropped for a full receive buffer.
fn udp_rcvbuf_errors() -> u64 {
    let snmp = std::fs::read_to_string("/proc/net/snmp").unwrap_or_default();
    let mut lines = snmp.lines().filter(|l| l.starts_with("Udp:"));
    let (Some(names), Some(values)) = (lines.next(), lines.next()) else {
        return 0;
    };
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .find(|(name, _)| *name == "RcvbufErrors")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0)
}

enum Control {
    Mark(mpsc::Sender<(u64, u64)>),
    Stop(mpsc::Sender<Outcome>),
}

struct Outcome {
    recordings: usize,
    recorded_bytes: u64,
}

/// The media thread: starts the calls, answers measurement marks, stops the calls.
fn media_thread(
    core: usize,
    peers: Vec<(SocketAddr, SocketAddr)>,
    data_dir: PathBuf,
    ready: mpsc::Sender<Vec<(SocketAddr, SocketAddr)>>,
    mut control: tokio::sync::mpsc::UnboundedReceiver<Control>,
) {
    pin(core);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let config = MediaConfig {
            rtp_timeout: None,
            ..MediaConfig::default()
        };
        let (service, mut events) = MediaService::new(config, tokio::runtime::Handle::current());
        let ports = RtpPorts::new(LOCALHOST, 10_000..=19_999).expect("port range");
        let leg = |remote| LegMedia {
            remote,
            config: LegConfig::new(Codec::Pcma),
        };
        let mut handles: Vec<MediaHandle> = Vec::new();
        let mut locals = Vec::new();
        for (n, &(caller, agent)) in peers.iter().enumerate() {
            let socket = ports.allocate().expect("a port for the caller");
            let handle = service.start_call(CallRef(n as u64), socket, leg(caller));
            let agent_socket = ports.allocate().expect("a port for the agent");
            locals.push((handle.local_addr(), agent_socket.local_addr()));
            handle
                .send(MediaCommand::ConnectAgent {
                    socket: agent_socket,
                    media: leg(agent),
                })
                .expect("connect");
            let path = data_dir.join(format!("call-{n}.wav"));
            handle
                .send(MediaCommand::StartRecording { path })
                .expect("record");
            handles.push(handle);
        }
        // Let every task take its commands before the phones start (a caller's packet that
        // comes before its agent is connected is not relayed, and would count as lost).
        tokio::time::sleep(Duration::from_millis(500)).await;
        ready.send(locals).expect("main thread waits");
        let relayed = |handles: &[MediaHandle]| -> u64 {
            handles
                .iter()
                .map(|h| {
                    let live = h.live();
                    live.leg(LegId::A).snapshot().packets_out
                        + live.leg(LegId::B).snapshot().packets_out
                })
                .sum()
        };
        while let Some(command) = control.recv().await {
            match command {
                Control::Mark(reply) => {
                    let _ = reply.send((thread_cpu_ns(), relayed(&handles)));
                }
                Control::Stop(reply) => {
                    for handle in &handles {
                        let _ = handle.send(MediaCommand::Stop);
                    }
                    let mut outcome = Outcome {
                        recordings: 0,
                        recorded_bytes: 0,
                    };
                    let mut stopped = 0;
                    while stopped < handles.len() {
                        let Some(envelope) = events.recv().await else {
                            break;
                        };
                        if let MediaEvent::Stopped(report) = envelope.event {
                            stopped += 1;
                            if let Some(recording) = report.recording
                                && recording.outcome.is_ok()
                            {
                                outcome.recordings += 1;
                                outcome.recorded_bytes +=
                                    std::fs::metadata(&recording.path).map_or(0, |m| m.len());
                            }
                        }
                    }
                    let _ = reply.send(outcome);
                    return;
                }
            }
        }
    });
}

/// One phone: its socket, where it sends, its stream.
struct Phone {
    socket: UdpSocket,
    target: SocketAddr,
    seq: u16,
    ts: u32,
    ssrc: u32,
    sent: u64,
    received: u64,
}

/// The peer thread: every 20 ms each phone sends a packet (a share are "lost" instead), and
/// reads what the media thread relayed to it.
fn peer_thread(
    core: usize,
    mut phones: Vec<Phone>,
    loss: f64,
    stop: &AtomicBool,
) -> (u64, u64, Duration) {
    pin(core);
    let mut payload = [0u8; 160];
    let mut tone = ToneGenerator::new(Tone::continuous(&[(440.0, -12.0)]));
    Codec::Pcma.encode_into(&tone.next_frame().samples, &mut payload);
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    let loss_threshold = (loss.clamp(0.0, 1.0) * u32::MAX as f64) as u32;
    let mut packet = [0u8; 256];
    let mut inbox = [0u8; 2_048];
    let start = Instant::now();
    let mut worst_lateness = Duration::ZERO;
    let mut tick: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        let slot = (tick % SLOTS as u64) as usize;
        let due = start + FRAME / SLOTS as u32 * u32::try_from(tick).unwrap_or(u32::MAX);
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        } else {
            worst_lateness = worst_lateness.max(now - due);
        }
        for phone in phones.iter_mut().skip(slot).step_by(SLOTS) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let header = RtpHeader {
                marker: false,
                payload_type: 8,
                sequence_number: phone.seq,
                timestamp: phone.ts,
                ssrc: phone.ssrc,
            };
            phone.seq = phone.seq.wrapping_add(1);
            phone.ts = phone.ts.wrapping_add(160);
            if (rng >> 32) as u32 >= loss_threshold {
                let len = RtpBuilder::new(header, &payload)
                    .write(&mut packet)
                    .expect("packet fits");
                if phone.socket.send_to(&packet[..len], phone.target).is_ok() {
                    phone.sent += 1;
                }
            }
            while phone.socket.recv_from(&mut inbox).is_ok() {
                phone.received += 1;
            }
        }
        tick += 1;
    }
    // Collect what is still in flight (the media thread may be behind): until 300 ms pass
    // without a packet, or 5 s in all.
    let give_up = Instant::now() + Duration::from_secs(5);
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let mut got = 0;
        for phone in &mut phones {
            while phone.socket.recv_from(&mut inbox).is_ok() {
                phone.received += 1;
                got += 1;
            }
        }
        if got == 0 || Instant::now() > give_up {
            break;
        }
    }
    let sent = phones.iter().map(|p| p.sent).sum();
    let received = phones.iter().map(|p| p.received).sum();
    (sent, received, worst_lateness)
}

fn main() {
    let options = options();
    let data_dir = std::env::temp_dir().join(format!("plateau-media-load-{}", std::process::id()));
    std::fs::create_dir_all(&data_dir).expect("recordings directory");

    let mut sockets = Vec::new();
    for _ in 0..options.calls * 2 {
        let socket = UdpSocket::bind((LOCALHOST, 0)).expect("peer socket");
        socket.set_nonblocking(true).expect("non-blocking");
        sockets.push(socket);
    }
    let peers: Vec<(SocketAddr, SocketAddr)> = sockets
        .chunks(2)
        .map(|pair| {
            (
                pair[0].local_addr().expect("address"),
                pair[1].local_addr().expect("address"),
            )
        })
        .collect();

    let (ready_tx, ready_rx) = mpsc::channel();
    let (control_tx, control_rx) = tokio::sync::mpsc::unbounded_channel();
    let media = {
        let data_dir = data_dir.clone();
        let core = options.media_core;
        std::thread::spawn(move || media_thread(core, peers, data_dir, ready_tx, control_rx))
    };
    let locals = ready_rx.recv().expect("calls started");
    let phones: Vec<Phone> = sockets
        .into_iter()
        .zip(locals.iter().flat_map(|&(a, b)| [a, b]))
        .enumerate()
        .map(|(n, (socket, target))| Phone {
            socket,
            target,
            seq: (n * 7) as u16,
            ts: (n as u32).wrapping_mul(1_000),
            ssrc: 0x5000_0000 + n as u32,
            sent: 0,
            received: 0,
        })
        .collect();

    let stop = Arc::new(AtomicBool::new(false));
    let peer = {
        let stop = Arc::clone(&stop);
        let (core, loss) = (options.peer_core, options.loss);
        std::thread::spawn(move || peer_thread(core, phones, loss, &stop))
    };
    let mark = || {
        let (tx, rx) = mpsc::channel();
        control_tx
            .send(Control::Mark(tx))
            .expect("media thread runs");
        rx.recv().expect("media thread answers")
    };
    let errors_before = udp_rcvbuf_errors();
    std::thread::sleep(Duration::from_secs(1));
    let (cpu_before, relayed_before) = mark();
    let window_start = Instant::now();
    std::thread::sleep(Duration::from_secs(options.seconds));
    let (cpu_after, relayed_after) = mark();
    let window = window_start.elapsed();
    stop.store(true, Ordering::Relaxed);
    let (sent, received, lateness) = peer.join().expect("peer thread");
    // Over the whole run; the count is the machine's, other programs' drops included.
    let errors = udp_rcvbuf_errors().saturating_sub(errors_before);
    let (tx, rx) = mpsc::channel();
    control_tx
        .send(Control::Stop(tx))
        .expect("media thread runs");
    let outcome = rx.recv().expect("media thread stops the calls");
    media.join().expect("media thread");
    let _ = std::fs::remove_dir_all(&data_dir);

    let relayed = relayed_after.saturating_sub(relayed_before);
    let cpu_ns = cpu_after.saturating_sub(cpu_before);
    let per_packet_us = cpu_ns as f64 / 1_000.0 / relayed.max(1) as f64;
    let core_share = cpu_ns as f64 / window.as_nanos() as f64 * 100.0;
    let loss = 100.0 * (1.0 - received as f64 / sent.max(1) as f64);
    if options.header {
        println!(
            "| calls | relayed pkt/s | media CPU µs/pkt | media core % | relay loss % | UDP rcvbuf errors | recordings | peer max lateness |"
        );
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    }
    println!(
        "| {} | {:.0} | {:.2} | {:.1} | {:.3} | {} | {}/{} ({:.1} MB) | {} ms |",
        options.calls,
        relayed as f64 / window.as_secs_f64(),
        per_packet_us,
        core_share,
        loss,
        errors,
        outcome.recordings,
        options.calls,
        outcome.recorded_bytes as f64 / 1e6,
        lateness.as_millis(),
    );
}
