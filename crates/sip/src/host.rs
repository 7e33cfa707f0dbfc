//! Hosts and host:port pairs (RFC 3261 §25 `hostport`), with IPv6 references in brackets as
//! RFC 5118 shows them: `[2001:db8::10]`, `[::ffff:192.0.2.1]`, `[2001:db8::10]:5070`.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::SyntaxError;
use crate::scan::parse_digits;

/// A host: a domain name (spelled as received) or an IP address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A domain name.
    Domain(String),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address (written in brackets).
    Ipv6(Ipv6Addr),
}

impl Host {
    /// Parses `hostname / IPv4address / IPv6reference`.
    pub fn parse(s: &str) -> Result<Host, SyntaxError> {
        if let Some(inner) = s.strip_prefix('[') {
            let inner = inner
                .strip_suffix(']')
                .ok_or(SyntaxError("unterminated IPv6 reference"))?;
            return inner
                .parse::<Ipv6Addr>()
                .map(Host::Ipv6)
                .map_err(|_| SyntaxError("invalid IPv6 address"));
        }
        if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return s
                .parse::<Ipv4Addr>()
                .map(Host::Ipv4)
                .map_err(|_| SyntaxError("invalid IPv4 address"));
        }
        if is_hostname(s) {
            Ok(Host::Domain(s.to_owned()))
        } else {
            Err(SyntaxError("invalid host"))
        }
    }

    /// Parses a bare IP address, the IPv6 form with or without brackets (the `received` and
    /// `maddr` parameters are written both ways in the wild; RFC 5118 §4.5).
    pub fn parse_ip(s: &str) -> Result<IpAddr, SyntaxError> {
        let bare = s
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .unwrap_or(s);
        bare.parse::<IpAddr>()
            .map_err(|_| SyntaxError("invalid IP address"))
    }

    /// The IP address, if the host is one.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Domain(_) => None,
            Host::Ipv4(ip) => Some(IpAddr::V4(*ip)),
            Host::Ipv6(ip) => Some(IpAddr::V6(*ip)),
        }
    }

    /// True for addresses a response or request must never be sent to: broadcast,
    /// multicast, unspecified (RFC 4475 §3.3.10 shows why a proxy checks this).
    pub fn is_broadcast_or_multicast(&self) -> bool {
        match self {
            Host::Domain(_) => false,
            Host::Ipv4(ip) => ip.is_broadcast() || ip.is_multicast() || ip.is_unspecified(),
            Host::Ipv6(ip) => ip.is_multicast() || ip.is_unspecified(),
        }
    }

    /// Compares as RFC 3261 §19.1.4 does: domain names without case.
    pub fn equivalent(&self, other: &Host) -> bool {
        match (self, other) {
            (Host::Domain(a), Host::Domain(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a == b,
        }
    }
}

impl From<IpAddr> for Host {
    fn from(ip: IpAddr) -> Host {
        match ip {
            IpAddr::V4(ip) => Host::Ipv4(ip),
            IpAddr::V6(ip) => Host::Ipv6(ip),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(name) => f.write_str(name),
            Host::Ipv4(ip) => write!(f, "{ip}"),
            Host::Ipv6(ip) => write!(f, "[{ip}]"),
        }
    }
}

/// `hostname = *( domainlabel "." ) toplabel [ "." ]`. Underscores are tolerated in labels
/// because real networks use them; a name of digits and dots only is an IPv4 address instead.
fn is_hostname(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.is_empty() || s.len() > 255 {
        return false;
    }
    let mut labels = s.split('.').peekable();
    while let Some(label) = labels.next() {
        let b = label.as_bytes();
        let (Some(first), Some(last)) = (b.first(), b.last()) else {
            return false;
        };
        if !first.is_ascii_alphanumeric() && *first != b'_' || *last == b'-' {
            return false;
        }
        if !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
        {
            return false;
        }
        if labels.peek().is_none() && !first.is_ascii_alphabetic() {
            return false;
        }
    }
    true
}

/// Parses `host [ ":" port ]`; the port is `None` when absent.
pub(crate) fn parse_hostport(s: &str) -> Result<(Host, Option<u16>), SyntaxError> {
    let (host, port) = if s.starts_with('[') {
        match s.find(']') {
            Some(end) => (s.get(..=end).unwrap_or(""), s.get(end + 1..).unwrap_or("")),
            None => return Err(SyntaxError("unterminated IPv6 reference")),
        }
    } else {
        match s.find(':') {
            Some(colon) => (s.get(..colon).unwrap_or(""), s.get(colon..).unwrap_or("")),
            None => (s, ""),
        }
    };
    let host = Host::parse(host)?;
    if port.is_empty() {
        return Ok((host, None));
    }
    let digits = port
        .strip_prefix(':')
        .ok_or(SyntaxError("unexpected text after host"))?;
    Ok((host, Some(parse_port(digits)?)))
}

/// `port = 1*DIGIT`, at most 65535.
pub(crate) fn parse_port(s: &str) -> Result<u16, SyntaxError> {
    parse_digits(s)
        .and_then(|p| u16::try_from(p).ok())
        .ok_or(SyntaxError("invalid port"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_references_need_brackets_and_take_ports_outside() {
        let (host, port) = parse_hostport("[2001:db8::10]:5070").unwrap();
        assert_eq!(host, Host::Ipv6("2001:db8::10".parse().unwrap()));
        assert_eq!(port, Some(5070));
        let (host, port) = parse_hostport("[2001:db8::10:5070]").unwrap();
        assert_eq!(host, Host::Ipv6("2001:db8::10:5070".parse().unwrap()));
        assert_eq!(port, None);
        assert!(parse_hostport("2001:db8::10").is_err());
    }

    #[test]
    fn ipv4_mapped_ipv6_is_an_ipv6_host() {
        let host = Host::parse("[::ffff:192.0.2.1]").unwrap();
        assert_eq!(host.to_string(), "[::ffff:192.0.2.1]");
    }

    #[test]
    fn three_colons_are_not_an_ipv6_address() {
        assert!(Host::parse("[2001:db8:::192.0.2.1]").is_err());
        assert!(Host::parse("[2001:db8::192.0.2.1]").is_ok());
    }

    #[test]
    fn hostnames_follow_the_label_grammar() {
        assert!(Host::parse("host5.example.com").is_ok());
        assert!(Host::parse("example.com.").is_ok());
        assert!(Host::parse("-bad.example.com").is_err());
        assert!(Host::parse("example.123").is_err());
        assert!(Host::parse("256.1.1.1").is_err());
        assert!(Host::parse("a..b").is_err());
    }

    #[test]
    fn received_accepts_ipv6_with_and_without_brackets() {
        assert_eq!(
            Host::parse_ip("[2001:db8::9:255]"),
            Host::parse_ip("2001:db8::9:255")
        );
        assert!(Host::parse_ip("2001:db8::9:255").is_ok());
    }

    #[test]
    fn broadcast_hosts_are_flagged() {
        assert!(
            Host::parse("255.255.255.255")
                .unwrap()
                .is_broadcast_or_multicast()
        );
        assert!(
            !Host::parse("192.0.2.1")
                .unwrap()
                .is_broadcast_or_multicast()
        );
    }
}
