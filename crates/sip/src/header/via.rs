//! Via (RFC 3261 §20.42, §18.2.1; RFC 3581 `rport`): where a response goes back, and the
//! branch that names the transaction.

use std::fmt;
use std::net::IpAddr;

use crate::error::SyntaxError;
use crate::host::{Host, parse_port};
use crate::params::{Params, parse_header_params};
use crate::scan::{Cursor, is_ws};

/// The prefix of every RFC 3261 branch (§8.1.1.7); without it a transaction layer falls back
/// to RFC 2543 matching (§17.2.3).
pub const MAGIC_COOKIE: &str = "z9hG4bK";

/// The transport of a Via's sent-protocol.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP
    Udp,
    /// TCP
    Tcp,
    /// TLS over TCP
    Tls,
    /// SCTP
    Sctp,
    /// TLS over SCTP
    TlsSctp,
    /// WebSocket (RFC 7118)
    Ws,
    /// Secure WebSocket (RFC 7118)
    Wss,
    /// Any other transport token, upper-cased.
    Other(String),
}

impl Transport {
    /// Parses a transport token, case-insensitively.
    pub fn parse(s: &str) -> Transport {
        const KNOWN: [Transport; 7] = [
            Transport::Udp,
            Transport::Tcp,
            Transport::Tls,
            Transport::Sctp,
            Transport::TlsSctp,
            Transport::Ws,
            Transport::Wss,
        ];
        KNOWN
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .unwrap_or_else(|| Transport::Other(s.to_ascii_uppercase()))
    }

    /// The token as written in a Via.
    pub fn as_str(&self) -> &str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
            Transport::Sctp => "SCTP",
            Transport::TlsSctp => "TLS-SCTP",
            Transport::Ws => "WS",
            Transport::Wss => "WSS",
            Transport::Other(name) => name,
        }
    }

    /// True for transports that deliver reliably (no retransmission timers needed).
    pub fn is_reliable(&self) -> bool {
        !matches!(self, Transport::Udp)
    }

    /// The port a sent-by without port means (RFC 3261 §18.2.2, RFC 7118 §5.2).
    pub fn default_port(&self) -> u16 {
        match self {
            Transport::Tls | Transport::TlsSctp => 5061,
            Transport::Ws => 80,
            Transport::Wss => 443,
            _ => 5060,
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Via value: `SIP/2.0/UDP host:port;branch=...;received=...;rport=...`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Via {
    /// Protocol name, `SIP`.
    pub protocol_name: String,
    /// Protocol version, `2.0`.
    pub protocol_version: String,
    /// Transport.
    pub transport: Transport,
    /// Host of the sent-by.
    pub host: Host,
    /// Port of the sent-by, if written.
    pub port: Option<u16>,
    /// Parameters in order (branch, received, rport, maddr, ttl and any other).
    pub params: Params,
}

impl Via {
    /// A `SIP/2.0` Via with a branch (pass one starting with [`MAGIC_COOKIE`]).
    pub fn new(transport: Transport, host: Host, port: Option<u16>, branch: &str) -> Via {
        let mut params = Params::new();
        params.set("branch", Some(branch));
        Via {
            protocol_name: "SIP".to_owned(),
            protocol_version: "2.0".to_owned(),
            transport,
            host,
            port,
            params,
        }
    }

    /// Parses one Via value (linear whitespace allowed around `/`, `:`, `;` and `=`).
    pub fn parse(s: &str) -> Result<Via, SyntaxError> {
        let mut c = Cursor::new(s);
        c.skip_ws();
        let protocol_name = c.token().ok_or(SyntaxError("invalid sent-protocol"))?;
        if !c.separator(b'/') {
            return Err(SyntaxError("invalid sent-protocol"));
        }
        let protocol_version = c.token().ok_or(SyntaxError("invalid sent-protocol"))?;
        if !c.separator(b'/') {
            return Err(SyntaxError("invalid sent-protocol"));
        }
        let transport = c.token().ok_or(SyntaxError("invalid transport"))?;
        if !c.skip_ws() {
            return Err(SyntaxError("missing sent-by"));
        }
        let host_text = if c.peek() == Some(b'[') {
            let start = c.rest();
            let inner = c.take_while(|b| b != b']' && !is_ws(b) && b != b';');
            if !c.eat(b']') {
                return Err(SyntaxError("unterminated IPv6 reference"));
            }
            start.get(..=inner.len()).unwrap_or("")
        } else {
            c.take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        };
        let host = Host::parse(host_text)?;
        let port = if c.separator(b':') {
            Some(parse_port(c.take_while(|b| b.is_ascii_digit()))?)
        } else {
            None
        };
        let params = parse_header_params(&mut c)?;
        c.skip_ws();
        if !c.at_end() {
            return Err(SyntaxError("unexpected text after parameters"));
        }
        let via = Via {
            protocol_name: protocol_name.to_owned(),
            protocol_version: protocol_version.to_owned(),
            transport: Transport::parse(transport),
            host,
            port,
            params,
        };
        via.check_params()?;
        Ok(via)
    }

    fn check_params(&self) -> Result<(), SyntaxError> {
        for p in &self.params {
            let value = p.value.as_deref();
            let ok = match p.name.to_ascii_lowercase().as_str() {
                "branch" => value.is_some_and(|v| !v.starts_with('"')),
                "received" => value.is_some_and(|v| Host::parse_ip(v).is_ok()),
                "rport" => value.is_none_or(|v| parse_port(v).is_ok()),
                "ttl" => value.is_some_and(|v| v.parse::<u8>().is_ok()),
                "maddr" => value.is_some_and(|v| Host::parse(v).is_ok()),
                _ => true,
            };
            if !ok {
                return Err(SyntaxError("invalid Via parameter"));
            }
        }
        Ok(())
    }

    /// The branch parameter, whatever its form.
    pub fn branch(&self) -> Option<&str> {
        self.params.value("branch")
    }

    /// The branch if it is an RFC 3261 transaction identifier: the magic cookie followed by
    /// at least one more character. `None` means the transaction layer must match this
    /// request the RFC 2543 way (§17.2.3); RFC 4475 §3.2.1 sends a bare `z9hG4bK`.
    pub fn rfc3261_branch(&self) -> Option<&str> {
        self.branch()
            .filter(|b| b.len() > MAGIC_COOKIE.len() && b.starts_with(MAGIC_COOKIE))
    }

    /// The `received` address.
    pub fn received(&self) -> Option<IpAddr> {
        self.params
            .value("received")
            .and_then(|v| Host::parse_ip(v).ok())
    }

    /// `Some(None)` for a bare `rport` (a request asking for it), `Some(Some(port))` once
    /// filled in (RFC 3581).
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params
            .get("rport")
            .map(|v| v.and_then(|p| parse_port(p).ok()))
    }

    /// The `maddr` parameter.
    pub fn maddr(&self) -> Option<&str> {
        self.params.value("maddr")
    }

    /// The `ttl` parameter.
    pub fn ttl(&self) -> Option<u8> {
        self.params.value("ttl").and_then(|v| v.parse().ok())
    }

    /// The sent-by port, or the transport's default.
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or_else(|| self.transport.default_port())
    }

    /// Sets `received` (RFC 3261 §18.2.1, written without brackets for IPv6 as the RFC's
    /// grammar has it).
    pub fn set_received(&mut self, ip: IpAddr) {
        self.params.set("received", Some(&ip.to_string()));
    }

    /// Fills in `rport` with the source port (RFC 3581 §4).
    pub fn set_rport(&mut self, port: u16) {
        self.params.set("rport", Some(&port.to_string()));
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Pieces rather than one `write!`: the layer writes a Via for every request received.
        f.write_str(&self.protocol_name)?;
        f.write_str("/")?;
        f.write_str(&self.protocol_version)?;
        f.write_str("/")?;
        fmt::Display::fmt(&self.transport, f)?;
        f.write_str(" ")?;
        fmt::Display::fmt(&self.host, f)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        fmt::Display::fmt(&self.params, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_around_separators_is_legal() {
        let via = Via::parse("SIP  /   2.0 /UDP     192.0.2.2;branch=390skdjuw").unwrap();
        assert_eq!(via.transport, Transport::Udp);
        assert_eq!(via.host, Host::Ipv4("192.0.2.2".parse().unwrap()));
        assert_eq!(via.branch(), Some("390skdjuw"));
        assert_eq!(via.rfc3261_branch(), None);
        let via =
            Via::parse("SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8")
                .unwrap();
        assert_eq!(via.rfc3261_branch(), Some("z9hG4bK9ikj8"));
    }

    #[test]
    fn rport_with_and_without_value() {
        let via = Via::parse("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport").unwrap();
        assert_eq!(via.rport(), Some(None));
        assert_eq!(via.port, Some(5070));
        let mut via = via;
        via.set_rport(40000);
        via.set_received("192.0.2.7".parse().unwrap());
        assert_eq!(via.rport(), Some(Some(40000)));
        let again = Via::parse(&via.to_string()).unwrap();
        assert_eq!(again, via);
    }

    #[test]
    fn ipv6_sent_by_and_received_in_both_forms() {
        let via = Via::parse(
            "SIP/2.0/UDP [2001:db8::9:1]:5060;received=[2001:db8::9:255];branch=z9hG4bKas3",
        )
        .unwrap();
        assert_eq!(via.received(), Some("2001:db8::9:255".parse().unwrap()));
        let via =
            Via::parse("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3")
                .unwrap();
        assert_eq!(via.received(), Some("2001:db8::9:255".parse().unwrap()));
        assert_eq!(via.port_or_default(), 5060);
    }

    #[test]
    fn bare_magic_cookie_is_not_an_rfc3261_branch() {
        let via = Via::parse("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK").unwrap();
        assert_eq!(via.branch(), Some("z9hG4bK"));
        assert_eq!(via.rfc3261_branch(), None);
    }

    #[test]
    fn malformed_vias_are_rejected() {
        for bad in [
            "SIP/2.0/UDP 192.0.2.15;;",
            ";",
            "SIP/2.0 host",
            "SIP/2.0/UDP",
            "SIP/2.0/UDP host;received=host.example.com",
            "SIP/2.0/UDP host;ttl=300",
            "SIP/2.0/UDP host:99999",
            "SIP/2.0/UDP host junk",
        ] {
            assert!(Via::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_transports_are_kept() {
        let via = Via::parse("SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en").unwrap();
        assert_eq!(via.transport, Transport::Other("UNKNOWN".into()));
        assert_eq!(Transport::parse("sctp"), Transport::Sctp);
    }
}
