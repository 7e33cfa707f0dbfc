//! Free ports on 127.0.0.1 for SIPp, and waiting until a SIPp process holds its port.
//!
//! SIPp wants its ports on the command line, so the harness asks the kernel for a free one
//! (bind port 0, read it, release it) and hands it over. Another program could take it in
//! between; SIPp then fails to bind and exits at once with an error, which fails the test
//! loudly rather than quietly. Ports found this way are in the kernel's ephemeral range
//! (32768–60999 here), which the server's RTP range (20000–29999 in these tests) stays out of.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

const LOCALHOST: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// A UDP port nobody holds right now.
pub fn free_udp_port() -> u16 {
    let socket = UdpSocket::bind((LOCALHOST, 0)).expect("binding a UDP port");
    socket.local_addr().expect("bound address").port()
}

/// A media port for SIPp's `-mp`: SIPp binds it and the port two above (its video port), so
/// both must be free.
pub fn free_media_port() -> u16 {
    for _ in 0..100 {
        let audio = UdpSocket::bind((LOCALHOST, 0)).expect("binding a UDP port");
        let port = audio.local_addr().expect("bound address").port();
        if port
            .checked_add(2)
            .is_some_and(|video| UdpSocket::bind((LOCALHOST, video)).is_ok())
        {
            return port;
        }
    }
    panic!("no free pair of media ports after 100 tries");
}

/// Whether a UDP port on 127.0.0.1 is held by some process.
pub fn udp_port_taken(port: u16) -> bool {
    UdpSocket::bind((LOCALHOST, port)).is_err()
}

/// Waits (checking every 20 ms, up to `bound`) until something holds UDP `port`: a SIPp
/// answerer is ready for calls once its port is bound.
pub async fn wait_until_udp_bound(port: u16, bound: Duration) {
    let deadline = tokio::time::Instant::now() + bound;
    while !udp_port_taken(port) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "nothing bound UDP port {port} within {bound:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `127.0.0.1:port`.
pub fn local(port: u16) -> SocketAddr {
    SocketAddr::from((LOCALHOST, port))
}
