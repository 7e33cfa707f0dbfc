//! `[webrtc]`: where the browser softphone's media socket listens and what the browsers are
//! told about ICE. There is no TURN server inside Plateau (str0m has none): when agents sit
//! behind NATs that block UDP to the server, deploy one (coturn) beside it and list it in
//! `ice_servers`; the browsers relay through it and the server stays ICE-lite.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

/// The browser softphone's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebRtcConfig {
    /// Whether browsers may use the softphone at all.
    pub enabled: bool,
    /// The address the one media socket binds (every browser's DTLS-SRTP arrives there);
    /// when it is unspecified and `public_ip` is not set, loopback (a demo on one machine).
    pub bind: IpAddr,
    /// Its UDP port; 0: any (tests).
    pub port: u16,
    /// The address written in our ICE candidate; default: `bind` when it is a concrete
    /// address, else 127.0.0.1 (a laptop demo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<IpAddr>,
    /// STUN/TURN servers handed to the browsers (`RTCPeerConnection`'s `iceServers`).
    pub ice_servers: Vec<IceServer>,
}

/// One entry of the browser's `iceServers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IceServer {
    /// `stun:host:port`, `turn:host:port?transport=udp`, ...
    pub urls: Vec<String>,
    /// TURN username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// TURN credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

impl Default for WebRtcConfig {
    fn default() -> Self {
        WebRtcConfig {
            enabled: true,
            bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port: 0,
            public_ip: None,
            ice_servers: Vec::new(),
        }
    }
}

impl WebRtcConfig {
    /// The address our ICE candidate names.
    pub fn candidate_ip(&self) -> IpAddr {
        match self.public_ip {
            Some(ip) => ip,
            None if !self.bind.is_unspecified() => self.bind,
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_candidate_is_loopback_when_bound_to_every_address() {
        assert_eq!(
            WebRtcConfig::default().candidate_ip(),
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        );
    }

    #[test]
    fn a_public_ip_wins_over_the_bound_address() {
        let config = WebRtcConfig {
            bind: "10.0.0.5".parse().expect("literal"),
            public_ip: Some("203.0.113.9".parse().expect("literal")),
            ..WebRtcConfig::default()
        };
        assert_eq!(config.candidate_ip().to_string(), "203.0.113.9");
    }

    #[test]
    fn ice_servers_are_read_from_toml() {
        let config: WebRtcConfig = toml::from_str(
            "port = 3478\n[[ice_servers]]\nurls = [\"turn:turn.example:3478\"]\nusername = \"u\"\ncredential = \"p\"\n",
        )
        .expect("valid");
        assert_eq!(config.port, 3478);
        assert_eq!(config.ice_servers[0].username.as_deref(), Some("u"));
    }
}
