//! The session description as data (RFC 4566 §5), and its printing.
//!
//! Values are kept as text where RFC 4566 leaves them open (addresses, attribute values,
//! repeat times), so that nothing received is lost and printing gives back what was parsed.
//! Typed readings live in [`super::MediaView`], [`super::RtpMap`] and [`super::Direction`].

use std::fmt;
use std::net::IpAddr;

use super::{MediaView, ParseError};

/// A parsed SDP body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// `o=`.
    pub origin: Origin,
    /// `s=`; empty when the line was absent or blank (printed as `s= `).
    pub session_name: String,
    /// `i=`.
    pub information: Option<String>,
    /// `u=`.
    pub uri: Option<String>,
    /// `e=` lines.
    pub emails: Vec<String>,
    /// `p=` lines.
    pub phones: Vec<String>,
    /// Session-level `c=`.
    pub connection: Option<Connection>,
    /// Session-level `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `t=` lines with their `r=` lines; never empty after parsing.
    pub timings: Vec<Timing>,
    /// `z=`, kept as text.
    pub time_zones: Option<String>,
    /// Session-level `k=`.
    pub key: Option<String>,
    /// Session-level `a=` lines, in order.
    pub attributes: Vec<Attribute>,
    /// `m=` sections, in order.
    pub media: Vec<MediaDescription>,
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Username, `-` when none.
    pub username: String,
    /// Session id (digits in practice, kept as text).
    pub session_id: String,
    /// Session version, incremented on each change.
    pub session_version: u64,
    /// `IN`.
    pub net_type: String,
    /// `IP4` or `IP6`.
    pub addr_type: String,
    /// The originator's address.
    pub address: String,
}

/// `c=<nettype> <addrtype> <connection-address>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// `IN`.
    pub net_type: String,
    /// `IP4` or `IP6`.
    pub addr_type: String,
    /// Address as written, possibly with `/ttl` or `/count` for multicast.
    pub address: String,
}

impl Connection {
    /// An `IN IP4` / `IN IP6` connection for `ip`.
    pub fn for_ip(ip: IpAddr) -> Connection {
        Connection {
            net_type: "IN".into(),
            addr_type: addr_type(ip).into(),
            address: ip.to_string(),
        }
    }

    /// The address as an IP literal, when it is one of the stated family (no host names, no
    /// multicast suffixes).
    pub fn ip(&self) -> Option<IpAddr> {
        if !self.net_type.eq_ignore_ascii_case("IN") {
            return None;
        }
        let ip: IpAddr = self.address.parse().ok()?;
        let family_matches = match ip {
            IpAddr::V4(_) => self.addr_type.eq_ignore_ascii_case("IP4"),
            IpAddr::V6(_) => self.addr_type.eq_ignore_ascii_case("IP6"),
        };
        family_matches.then_some(ip)
    }
}

pub(crate) fn addr_type(ip: IpAddr) -> &'static str {
    match ip {
        IpAddr::V4(_) => "IP4",
        IpAddr::V6(_) => "IP6",
    }
}

/// `b=<bwtype>:<bandwidth>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bandwidth {
    /// `AS`, `CT`, `TIAS`...
    pub kind: String,
    /// Kilobits per second (bits for TIAS).
    pub value: u64,
}

/// `t=<start> <stop>` and its `r=` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// NTP start time, 0 for unbounded.
    pub start: u64,
    /// NTP stop time, 0 for unbounded.
    pub stop: u64,
    /// `r=` lines, kept as text.
    pub repeats: Vec<String>,
}

/// `a=<name>` or `a=<name>:<value>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Attribute name.
    pub name: String,
    /// Value after the first `:`, absent for property attributes (`a=sendrecv`).
    pub value: Option<String>,
}

impl Attribute {
    /// A property attribute (`a=name`).
    pub fn property(name: &str) -> Attribute {
        Attribute {
            name: name.to_owned(),
            value: None,
        }
    }

    /// A value attribute (`a=name:value`).
    pub fn value(name: &str, value: impl Into<String>) -> Attribute {
        Attribute {
            name: name.to_owned(),
            value: Some(value.into()),
        }
    }
}

/// An `m=` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDescription {
    /// `audio`, `video`, `application`...
    pub kind: String,
    /// Transport port; 0 marks a rejected or disabled stream.
    pub port: u16,
    /// The `/<number of ports>` suffix.
    pub port_count: Option<u16>,
    /// `RTP/AVP`, `RTP/SAVP`, `UDP/TLS/RTP/SAVPF`...
    pub protocol: String,
    /// Formats: payload type numbers for RTP.
    pub formats: Vec<String>,
    /// Media-level `i=`.
    pub information: Option<String>,
    /// Media-level `c=` lines.
    pub connections: Vec<Connection>,
    /// Media-level `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// Media-level `k=`.
    pub key: Option<String>,
    /// Media-level `a=` lines, in order.
    pub attributes: Vec<Attribute>,
}

impl SessionDescription {
    /// Parses a body. See the module documentation for what is accepted.
    pub fn parse(body: &[u8]) -> Result<SessionDescription, ParseError> {
        super::parse::parse(body)
    }

    /// The body to send: lines in RFC 4566 order, CRLF-terminated.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }

    /// Typed views of the media sections, in order.
    pub fn media_views(&self) -> impl Iterator<Item = MediaView<'_>> {
        self.media
            .iter()
            .enumerate()
            .map(|(index, media)| MediaView::new(self, index, media))
    }

    /// The value of the first session-level attribute `name` (`Some("")` for a property).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        find_attribute(&self.attributes, name)
    }
}

pub(crate) fn find_attribute<'a>(attributes: &'a [Attribute], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .map(|a| a.value.as_deref().unwrap_or(""))
}

impl std::str::FromStr for SessionDescription {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<SessionDescription, ParseError> {
        SessionDescription::parse(text.as_bytes())
    }
}

impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.origin;
        f.write_str("v=0\r\n")?;
        write!(
            f,
            "o={} {} {} {} {} {}\r\n",
            o.username, o.session_id, o.session_version, o.net_type, o.addr_type, o.address
        )?;
        // RFC 4566 §5.3: a single space when there is no name, since `s=` must not be empty.
        let name = if self.session_name.is_empty() {
            " "
        } else {
            &self.session_name
        };
        write!(f, "s={name}\r\n")?;
        write_opt(f, 'i', self.information.as_deref())?;
        write_opt(f, 'u', self.uri.as_deref())?;
        for e in &self.emails {
            write!(f, "e={e}\r\n")?;
        }
        for p in &self.phones {
            write!(f, "p={p}\r\n")?;
        }
        if let Some(c) = &self.connection {
            c.fmt(f)?;
        }
        for b in &self.bandwidths {
            b.fmt(f)?;
        }
        if self.timings.is_empty() {
            f.write_str("t=0 0\r\n")?;
        }
        for t in &self.timings {
            write!(f, "t={} {}\r\n", t.start, t.stop)?;
            for r in &t.repeats {
                write!(f, "r={r}\r\n")?;
            }
        }
        write_opt(f, 'z', self.time_zones.as_deref())?;
        write_opt(f, 'k', self.key.as_deref())?;
        for a in &self.attributes {
            a.fmt(f)?;
        }
        for m in &self.media {
            m.fmt(f)?;
        }
        Ok(())
    }
}

fn write_opt(f: &mut fmt::Formatter<'_>, letter: char, value: Option<&str>) -> fmt::Result {
    match value {
        Some(v) => write!(f, "{letter}={v}\r\n"),
        None => Ok(()),
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "c={} {} {}\r\n",
            self.net_type, self.addr_type, self.address
        )
    }
}

impl fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b={}:{}\r\n", self.kind, self.value)
    }
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => write!(f, "a={}:{}\r\n", self.name, v),
            None => write!(f, "a={}\r\n", self.name),
        }
    }
}

impl fmt::Display for MediaDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m={} {}", self.kind, self.port)?;
        if let Some(count) = self.port_count {
            write!(f, "/{count}")?;
        }
        write!(f, " {}", self.protocol)?;
        for format in &self.formats {
            write!(f, " {format}")?;
        }
        f.write_str("\r\n")?;
        write_opt(f, 'i', self.information.as_deref())?;
        for c in &self.connections {
            c.fmt(f)?;
        }
        for b in &self.bandwidths {
            b.fmt(f)?;
        }
        write_opt(f, 'k', self.key.as_deref())?;
        for a in &self.attributes {
            a.fmt(f)?;
        }
        Ok(())
    }
}
