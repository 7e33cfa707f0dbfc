//! Which of our addresses to write in Via, Contact and SDP for a given peer.
//!
//! A server bound to the wildcard address does not know which of its addresses a datagram
//! arrived on. The rule: a configured `sip.public_address` (an IP) wins; then a specific bind
//! address; otherwise the kernel's routing table is asked which source address it would use
//! toward the peer (a UDP socket is connected to the peer — no packet is sent — and its local
//! address read), and the answer is cached per peer address. On loopback that gives
//! 127.0.0.1, on a LAN the interface address the phone can reach.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

/// Peers remembered before the cache is cleared (bounded memory).
const MAX_CACHED: usize = 4096;

/// Our address toward each peer.
#[derive(Debug)]
pub(crate) struct LocalAddresses {
    fixed: Option<IpAddr>,
    cache: HashMap<IpAddr, IpAddr>,
}

impl LocalAddresses {
    /// `public` (from `sip.public_address`, when it is an IP) or `bind` (when not the
    /// wildcard) fix the answer; otherwise it is looked up per peer.
    pub(crate) fn new(public: Option<&str>, bind: IpAddr) -> LocalAddresses {
        let fixed = public
            .and_then(|p| p.parse::<IpAddr>().ok())
            .or_else(|| (!bind.is_unspecified()).then_some(bind));
        LocalAddresses {
            fixed,
            cache: HashMap::new(),
        }
    }

    /// Our address as `peer` should see it.
    pub(crate) fn toward(&mut self, peer: IpAddr) -> IpAddr {
        if let Some(ip) = self.fixed {
            return ip;
        }
        if let Some(ip) = self.cache.get(&peer) {
            return *ip;
        }
        let ip = route_source(peer).unwrap_or(match peer {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
        if self.cache.len() >= MAX_CACHED {
            self.cache.clear();
        }
        self.cache.insert(peer, ip);
        ip
    }
}

/// The source address the kernel would use toward `peer`.
fn route_source(peer: IpAddr) -> Option<IpAddr> {
    let any: SocketAddr = match peer {
        IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(any).ok()?;
    // Connecting a UDP socket only picks a route; the discard port is never written to.
    socket.connect((peer, 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_peers_see_the_loopback_address() {
        let mut local = LocalAddresses::new(None, IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        assert_eq!(
            local.toward(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        );
    }

    #[test]
    fn a_public_address_wins() {
        let mut local = LocalAddresses::new(Some("192.0.2.7"), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(
            local.toward(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            "192.0.2.7".parse::<IpAddr>().unwrap()
        );
    }
}
