//! RTP port allocation: one even port per call leg from a configured range, by binding.
//!
//! RTP goes on even ports and RTCP on the odd port above (RFC 3550 §11), so only even ports
//! are handed out and `port + 1` is never given to another leg; Plateau does not bind the
//! RTCP port (reports are not needed yet; peers' RTCP to it is refused by the kernel, and
//! RTCP multiplexed on the RTP port is recognised and dropped by the media task).
//!
//! A port is free when no leg of ours holds it *and* the kernel lets us bind it: ports taken
//! by other programs are skipped. Allocation goes round the range from where it last stopped,
//! so a port just released is reused last (late packets of the old call land nowhere).
//! The [`RtpSocket`] handed out owns the port: dropping it returns the port to the pool.
//! When every port is taken, [`RtpPortError::Exhausted`] comes back: the switchboard answers
//! 503 (new call) or 480 (offer to an agent).

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, PoisonError};

/// Why no port could be had.
#[derive(Debug, thiserror::Error)]
pub enum RtpPortError {
    /// The range holds no even port.
    #[error("RTP port range {start}-{end} holds no even port")]
    EmptyRange {
        /// First port of the range.
        start: u16,
        /// Last port of the range.
        end: u16,
    },
    /// Every port of the range is in use.
    #[error("no free RTP port in {start}-{end}")]
    Exhausted {
        /// First port of the range.
        start: u16,
        /// Last port of the range.
        end: u16,
    },
    /// Binding failed for a reason other than the port being taken (address not local,
    /// permission...).
    #[error("cannot bind RTP socket on {addr}: {source}")]
    Bind {
        /// The address tried.
        addr: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
}

#[derive(Debug)]
struct Pool {
    /// One flag per even port of the range: held by one of our legs.
    taken: Vec<bool>,
    in_use: usize,
    /// Where the next search starts.
    cursor: usize,
}

/// The even ports of a range on one local address, shared by every call. Cloning shares
/// the pool.
#[derive(Debug, Clone)]
pub struct RtpPorts {
    ip: IpAddr,
    first: u16,
    last: u16,
    pool: Arc<Mutex<Pool>>,
}

impl RtpPorts {
    /// The even ports of `range` on `ip` (the address put into SDP, or one that reaches it).
    pub fn new(ip: IpAddr, range: RangeInclusive<u16>) -> Result<RtpPorts, RtpPortError> {
        let (start, end) = (*range.start(), *range.end());
        let first = start.saturating_add(start % 2);
        if start > end || first > end || first == 0 {
            return Err(RtpPortError::EmptyRange { start, end });
        }
        let count = usize::from((end - first) / 2) + 1;
        Ok(RtpPorts {
            ip,
            first,
            last: first + 2 * (count as u16 - 1),
            pool: Arc::new(Mutex::new(Pool {
                taken: vec![false; count],
                in_use: 0,
                cursor: 0,
            })),
        })
    }

    /// The local address sockets are bound on.
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// Number of ports the range offers.
    pub fn capacity(&self) -> usize {
        usize::from((self.last - self.first) / 2) + 1
    }

    /// Ports held by legs now.
    pub fn in_use(&self) -> usize {
        self.lock().in_use
    }

    /// Binds a UDP socket on the next free even port.
    pub fn allocate(&self) -> Result<RtpSocket, RtpPortError> {
        let mut pool = self.lock();
        let count = pool.taken.len();
        for step in 0..count {
            let index = (pool.cursor + step) % count;
            if pool.taken[index] {
                continue;
            }
            let port = self.first + 2 * index as u16;
            let addr = SocketAddr::new(self.ip, port);
            match UdpSocket::bind(addr) {
                Ok(socket) => {
                    socket
                        .set_nonblocking(true)
                        .map_err(|source| RtpPortError::Bind { addr, source })?;
                    pool.taken[index] = true;
                    pool.in_use += 1;
                    pool.cursor = (index + 1) % count;
                    return Ok(RtpSocket {
                        socket,
                        local: addr,
                        lease: Box::new(PortLease {
                            pool: Arc::clone(&self.pool),
                            index,
                        }),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
                Err(source) => return Err(RtpPortError::Bind { addr, source }),
            }
        }
        Err(RtpPortError::Exhausted {
            start: self.first,
            end: self.last,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pool> {
        // The pool holds flags only; a panic elsewhere cannot leave them half-updated.
        self.pool.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Gives the port back when dropped.
#[derive(Debug)]
struct PortLease {
    pool: Arc<Mutex<Pool>>,
    index: usize,
}

impl Drop for PortLease {
    fn drop(&mut self) {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(taken) = pool.taken.get_mut(self.index)
            && *taken
        {
            *taken = false;
            pool.in_use -= 1;
        }
    }
}

/// A bound, non-blocking RTP socket and the port it holds.
#[derive(Debug)]
pub struct RtpSocket {
    socket: UdpSocket,
    local: SocketAddr,
    lease: Lease,
}

/// Keeps a port taken; boxed so that a media task can hand a leg's socket back as an
/// [`RtpSocket`] (an attended transfer moves it to another call's task).
pub(super) type Lease = Box<dyn std::fmt::Debug + Send + Sync>;

impl RtpSocket {
    /// The address bound (its port goes into the SDP).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The port bound.
    pub fn port(&self) -> u16 {
        self.local.port()
    }

    /// The socket, and the lease to keep alive as long as it is used.
    pub(super) fn into_parts(self) -> (UdpSocket, SocketAddr, Lease) {
        (self.socket, self.local, self.lease)
    }

    /// Puts a socket taken apart with [`RtpSocket::into_parts`] together again.
    pub(super) fn from_parts(socket: UdpSocket, local: SocketAddr, lease: Lease) -> RtpSocket {
        RtpSocket {
            socket,
            local,
            lease,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn only_even_ports_are_handed_out() {
        let ports = RtpPorts::new(LOCALHOST, 23_001..=23_011).unwrap();
        assert_eq!(ports.capacity(), 5);
        let sockets: Vec<_> = (0..3).map(|_| ports.allocate().unwrap()).collect();
        assert!(sockets.iter().all(|s| s.port() % 2 == 0));
    }

    #[test]
    fn a_dropped_socket_returns_its_port() {
        let ports = RtpPorts::new(LOCALHOST, 23_100..=23_103).unwrap();
        let a = ports.allocate().unwrap();
        let b = ports.allocate().unwrap();
        assert_eq!(ports.in_use(), 2);
        assert!(matches!(
            ports.allocate(),
            Err(RtpPortError::Exhausted { .. })
        ));
        drop(a);
        assert_eq!(ports.in_use(), 1);
        let c = ports.allocate().unwrap();
        assert_ne!(c.port(), b.port());
    }

    #[test]
    fn ports_taken_by_others_are_skipped() {
        let ports = RtpPorts::new(LOCALHOST, 23_200..=23_203).unwrap();
        let outsider = UdpSocket::bind((LOCALHOST, 23_200)).unwrap();
        let socket = ports.allocate().unwrap();
        assert_eq!(socket.port(), 23_202);
        drop(outsider);
    }

    #[test]
    fn a_range_without_even_ports_is_refused() {
        assert!(matches!(
            RtpPorts::new(LOCALHOST, 23_301..=23_301),
            Err(RtpPortError::EmptyRange { .. })
        ));
        let (high, low) = (23_310, 23_300);
        assert!(matches!(
            RtpPorts::new(LOCALHOST, high..=low),
            Err(RtpPortError::EmptyRange { .. })
        ));
    }
}
