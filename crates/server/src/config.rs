//! The server's settings: read from a TOML file by `plateau serve`, built in code by
//! `plateau demo`. Every key has a default, so an empty file is a valid configuration;
//! `plateau.example.toml` at the repository root documents each key (a test keeps the two in
//! step). Loading has no side effects: directories are created by [`crate::launch`].
//!
//! Durations are written with a unit (`"30s"`, `"500ms"`, `"5m"`).

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Why a configuration was refused. Messages name the key (`sip.udp_port`) and say why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The text is not valid TOML, or a key has the wrong type or is unknown.
    #[error("{0}")]
    Parse(String),
    /// A value is of the right type but not acceptable.
    #[error("{key}: {why}")]
    Invalid {
        /// The dotted key.
        key: &'static str,
        /// Why it was refused.
        why: String,
    },
}

fn invalid(key: &'static str, why: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        why: why.into(),
    }
}

/// Everything `plateau serve` needs to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the database (by default), recordings and prompts live.
    pub data_dir: PathBuf,
    /// `sqlite:///path/plateau.db` or `postgres://user@host/db`; default
    /// `sqlite://<data_dir>/plateau.db`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// How long calls in progress may go on after SIGTERM before they are cut.
    #[serde(with = "duration_text")]
    pub drain_timeout: Duration,
    /// SIP signalling.
    pub sip: SipConfig,
    /// RTP media.
    pub rtp: RtpConfig,
    /// The HTTP API.
    pub http: HttpConfig,
    /// Limits on what arrives from outside.
    pub limits: LimitsConfig,
    /// The prompts played to callers.
    pub prompts: PromptsConfig,
    /// Agents' states.
    pub agents: AgentsConfig,
    /// The SIP trunk outbound calls go through (callbacks, transfers to numbers); none:
    /// callbacks are not offered and transfers to numbers are refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trunk: Option<TrunkConfig>,
    /// The browser softphone (WebRTC media socket, ICE servers for the browsers).
    pub webrtc: crate::webphone::WebRtcConfig,
    /// The floor's figures: service-level and short-abandon thresholds.
    pub floor: crate::floor::FloorConfig,
}

/// The SIP trunk (a carrier or a PBX) that outbound calls go through, over UDP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrunkConfig {
    /// Where INVITEs go: `IP:PORT`, or a SIP URI with an IP host (`sip:192.0.2.7:5060`).
    pub proxy: String,
    /// The domain put in Request-URIs and To (`sip:+33...@<domain>`); default: the proxy's
    /// address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The number calls show (From), unless the tenant has its own in `from_numbers`.
    pub from_number: String,
    /// The number shown per tenant (by the tenant's slug).
    pub from_numbers: std::collections::BTreeMap<String, String>,
    /// Digest credentials, answered to a 401/407 from the trunk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The password going with `username`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Outbound calls in progress at once; more are refused (a callback is retried later).
    pub max_calls: u32,
    /// How long an outbound call may ring before it is cancelled (no answer).
    #[serde(with = "duration_text")]
    pub ring_timeout: Duration,
    /// Callbacks: dial attempts before giving up (every queue).
    pub callback_attempts: u32,
    /// Callbacks: the pause between two attempts (every queue).
    #[serde(with = "duration_text")]
    pub callback_retry_delay: Duration,
}

impl Default for TrunkConfig {
    fn default() -> Self {
        TrunkConfig {
            proxy: String::new(),
            domain: None,
            from_number: "anonymous".to_owned(),
            from_numbers: std::collections::BTreeMap::new(),
            username: None,
            password: None,
            max_calls: 30,
            ring_timeout: Duration::from_secs(30),
            callback_attempts: 3,
            callback_retry_delay: Duration::from_secs(120),
        }
    }
}

impl TrunkConfig {
    /// The proxy's address, from `proxy` (`IP:PORT`, `sip:IP[:PORT]`; port 5060 by default).
    pub fn proxy_addr(&self) -> Option<std::net::SocketAddr> {
        let text = self.proxy.trim();
        let text = text.strip_prefix("sip:").unwrap_or(text);
        let text = text.split(';').next().unwrap_or_default();
        if let Ok(addr) = text.parse() {
            return Some(addr);
        }
        let ip: IpAddr = text
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok()?;
        Some(std::net::SocketAddr::new(ip, 5060))
    }

    /// The domain of Request-URIs.
    pub fn domain(&self) -> String {
        match (&self.domain, self.proxy_addr()) {
            (Some(domain), _) => domain.clone(),
            (None, Some(addr)) => addr.to_string(),
            (None, None) => String::new(),
        }
    }

    /// The number shown for calls of tenant `slug`.
    pub fn from_number_for(&self, slug: &str) -> &str {
        self.from_numbers.get(slug).unwrap_or(&self.from_number)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.proxy_addr().is_none() {
            return Err(invalid(
                "trunk.proxy",
                "expected IP:PORT or sip:IP:PORT, such as 192.0.2.7:5060",
            ));
        }
        if let Some(domain) = &self.domain
            && domain.parse::<IpAddr>().is_err()
            && !is_host_name(domain)
        {
            return Err(invalid(
                "trunk.domain",
                "expected a host name or an address",
            ));
        }
        let number_ok = |n: &str| {
            !n.is_empty()
                && n.len() <= 32
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '+')
        };
        if !number_ok(&self.from_number) || !self.from_numbers.values().all(|n| number_ok(n)) {
            return Err(invalid(
                "trunk.from_number",
                "numbers are digits with an optional leading +",
            ));
        }
        if self.username.is_some() != self.password.is_some() {
            return Err(invalid(
                "trunk.password",
                "username and password go together",
            ));
        }
        if self.max_calls == 0 {
            return Err(invalid("trunk.max_calls", "must be at least 1"));
        }
        if self.ring_timeout < Duration::from_secs(1)
            || self.ring_timeout > Duration::from_secs(300)
        {
            return Err(invalid("trunk.ring_timeout", "must be between 1s and 5m"));
        }
        if self.callback_attempts == 0 {
            return Err(invalid("trunk.callback_attempts", "must be at least 1"));
        }
        if self.callback_retry_delay > Duration::from_secs(86_400) {
            return Err(invalid("trunk.callback_retry_delay", "must be at most 24h"));
        }
        Ok(())
    }
}

/// SIP signalling settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SipConfig {
    /// Address the UDP and TCP transports listen on.
    pub bind: IpAddr,
    /// UDP port (0: any free port).
    pub udp_port: u16,
    /// TCP port (0: any free port; when both are 0, TCP takes UDP's port if it can).
    pub tcp_port: u16,
    /// The domain of agents' addresses-of-record (`sip:1001@<domain>`).
    pub domain: String,
    /// The digest realm; default: the domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// Host or address put in our Contact headers and SDP (`c=`) for peers to reach us;
    /// default: the address the peer's request arrived on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_address: Option<String>,
    /// Largest SIP message accepted on TCP, in bytes (UDP is bounded by the datagram).
    pub max_message_size: usize,
    /// Registrations asking for less are answered 423 Interval Too Brief.
    #[serde(with = "duration_text")]
    pub min_expires: Duration,
    /// Registrations asking for more are shortened to this.
    #[serde(with = "duration_text")]
    pub max_expires: Duration,
    /// Expiry given to registrations that ask for none.
    #[serde(with = "duration_text")]
    pub default_expires: Duration,
}

/// RTP settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RtpConfig {
    /// Address the RTP sockets bind.
    pub ip: IpAddr,
    /// Lowest port handed out (RTP uses even ports; the odd one above is kept for RTCP).
    pub port_min: u16,
    /// Highest port handed out.
    pub port_max: u16,
}

/// HTTP API settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Address the API listens on.
    pub bind: IpAddr,
    /// Port (0: any free port).
    pub port: u16,
    /// Whether `/metrics` answers without a token (for a Prometheus scraper on a private
    /// network); when false it needs a supervisor's or an admin's token.
    pub metrics_public: bool,
    /// Whether the session cookie is marked `Secure` (sent over HTTPS only): set it when the
    /// pages are served through an HTTPS proxy.
    pub secure_cookies: bool,
    /// A web session unused this long ends (the agent logs in again).
    #[serde(with = "duration_text")]
    pub session_idle_timeout: Duration,
}

/// Limits on input, so that no peer can make the server grow without bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Simultaneous SIP TCP connections from one source address.
    pub tcp_connections_per_source: u32,
    /// Failed digest authentications from one source or for one user, within
    /// `auth_failure_window`, after which the source is refused without checking.
    pub auth_failures_before_throttle: u32,
    /// The sliding window the failures are counted in.
    #[serde(with = "duration_text")]
    pub auth_failure_window: Duration,
    /// How long a throttled source is refused.
    #[serde(with = "duration_text")]
    pub throttle_cooldown: Duration,
    /// Largest HTTP request body, in bytes.
    pub http_body_max: usize,
    /// Entries the interaction-log writer may have waiting; past it, writers are told the
    /// log is full.
    pub log_queue: usize,
}

/// Where the prompts played to callers come from. They live in `<data_dir>/prompts/<lang>/`;
/// at start, the ones Plateau needs and does not find there are made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PromptsConfig {
    /// How missing prompts are made: `auto` (espeak-ng when on the `PATH`, else the
    /// recordings bundled in the binary), `espeak` (espeak-ng or fail), `bundled`.
    pub source: PromptSource,
    /// Languages to prepare (ISO 639-1 codes Plateau has prompts for: `en`, `fr`).
    pub languages: Vec<String>,
}

/// Agents' states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentsConfig {
    /// The reason codes an agent may give for not ready (every tenant); the API refuses
    /// others with 422. Empty: any code. Not ready without a reason (`not_ready`) and the
    /// engine's own `missed_offers` are always taken.
    pub not_ready_reasons: Vec<String>,
}

/// The longest not-ready reason code.
pub const MAX_REASON: usize = 64;

impl Default for AgentsConfig {
    fn default() -> Self {
        AgentsConfig {
            not_ready_reasons: ["break", "lunch", "training", "coaching", "meeting"]
                .map(str::to_owned)
                .to_vec(),
        }
    }
}

impl AgentsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let bad = self.not_ready_reasons.iter().find(|code| {
            code.is_empty() || code.len() > MAX_REASON || code.chars().any(char::is_control)
        });
        match bad {
            Some(code) => Err(invalid(
                "agents.not_ready_reasons",
                format!("{code:?}: a code is 1 to {MAX_REASON} printable characters"),
            )),
            None => Ok(()),
        }
    }

    /// Whether an agent may give `reason` for not ready.
    pub fn accepts(&self, reason: &str) -> bool {
        self.not_ready_reasons.is_empty()
            || reason == NO_REASON
            || reason == acd::MISSED_OFFERS
            || self.not_ready_reasons.iter().any(|code| code == reason)
    }

    /// The codes the `acd` is given: the configured ones and the one used when none is given
    /// (empty: any code).
    pub fn acd_reasons(&self) -> Vec<String> {
        let mut codes = self.not_ready_reasons.clone();
        if !codes.is_empty() && !codes.iter().any(|c| c == NO_REASON) {
            codes.push(NO_REASON.to_owned());
        }
        codes
    }
}

/// The not-ready reason recorded when an agent gives none.
pub const NO_REASON: &str = "not_ready";

/// How missing prompts are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptSource {
    /// espeak-ng when on the `PATH`, else the bundled recordings.
    Auto,
    /// espeak-ng, or fail.
    Espeak,
    /// The recordings bundled in the binary.
    Bundled,
}

impl PromptSource {
    /// The media layer's name for it.
    pub fn to_media(self) -> crate::media::prompts::PromptSource {
        match self {
            PromptSource::Auto => crate::media::prompts::PromptSource::Auto,
            PromptSource::Espeak => crate::media::prompts::PromptSource::Espeak,
            PromptSource::Bundled => crate::media::prompts::PromptSource::Bundled,
        }
    }
}

impl PromptsConfig {
    /// The languages, as the media layer knows them (validated codes only).
    pub fn languages(&self) -> Vec<media::prompt::Language> {
        self.languages
            .iter()
            .filter_map(|code| media::prompt::Language::from_code(code))
            .collect()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("plateau-data"),
            database_url: None,
            drain_timeout: Duration::from_secs(30),
            sip: SipConfig::default(),
            rtp: RtpConfig::default(),
            http: HttpConfig::default(),
            limits: LimitsConfig::default(),
            prompts: PromptsConfig::default(),
            agents: AgentsConfig::default(),
            trunk: None,
            webrtc: crate::webphone::WebRtcConfig::default(),
            floor: crate::floor::FloorConfig::default(),
        }
    }
}

impl Default for SipConfig {
    fn default() -> Self {
        SipConfig {
            bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            udp_port: 5060,
            tcp_port: 5060,
            domain: "plateau.local".to_owned(),
            realm: None,
            public_address: None,
            max_message_size: 65_536,
            min_expires: Duration::from_secs(60),
            max_expires: Duration::from_secs(3_600),
            default_expires: Duration::from_secs(600),
        }
    }
}

impl Default for RtpConfig {
    fn default() -> Self {
        RtpConfig {
            ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port_min: 20_000,
            port_max: 29_999,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port: 8080,
            metrics_public: true,
            secure_cookies: false,
            session_idle_timeout: Duration::from_secs(12 * 3_600),
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            tcp_connections_per_source: 32,
            auth_failures_before_throttle: 10,
            auth_failure_window: Duration::from_secs(60),
            throttle_cooldown: Duration::from_secs(300),
            http_body_max: 64 * 1024,
            log_queue: 65_536,
        }
    }
}

impl Default for PromptsConfig {
    fn default() -> Self {
        PromptsConfig {
            source: PromptSource::Auto,
            languages: vec!["en".to_owned(), "fr".to_owned()],
        }
    }
}

impl Config {
    /// Parses and validates a configuration file's text.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Reads, parses and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::from_toml(&text)
    }

    /// Checks every value a type cannot check; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.data_dir.as_os_str().is_empty() {
            return Err(invalid("data_dir", "must not be empty"));
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database_url",
                "expected sqlite:///path/file.db or postgres://user@host/db",
            ));
        }
        if self.drain_timeout > Duration::from_secs(3_600) {
            return Err(invalid("drain_timeout", "must be at most 1h"));
        }
        self.sip.validate()?;
        self.rtp.validate()?;
        self.limits.validate()?;
        if let Some(trunk) = &self.trunk {
            trunk.validate()?;
        }
        let sip_tcp = (self.sip.bind, self.sip.tcp_port);
        if self.http.port != 0 && self.http.port == sip_tcp.1 && overlap(self.http.bind, sip_tcp.0)
        {
            return Err(invalid(
                "http.port",
                format!("{} is already sip.tcp_port", self.http.port),
            ));
        }
        self.agents.validate()?;
        if self.prompts.languages.is_empty() {
            return Err(invalid("prompts.languages", "name at least one language"));
        }
        if let Some(code) = self
            .prompts
            .languages
            .iter()
            .find(|code| media::prompt::Language::from_code(code).is_none())
        {
            return Err(invalid(
                "prompts.languages",
                format!("no prompts in {code:?}: use en or fr"),
            ));
        }
        Ok(())
    }

    /// The database to open.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("plateau.db").display()),
        }
    }

    /// Where recordings are written: `<data_dir>/recordings` (the layout
    /// [`crate::media::recording_path`] writes).
    pub fn recordings_dir(&self) -> PathBuf {
        self.data_dir.join("recordings")
    }

    /// The file of a recording whose stored path is `stored`.
    ///
    /// The store keeps recording paths relative to the data directory, under `recordings/`
    /// (`recordings/<tenant>/<yyyy>/<mm>/<dd>/<id>.wav`). `None` for a path that is absolute,
    /// climbs with `..`, or is not under `recordings/`: such a row was not written by Plateau
    /// and is not served.
    pub fn recording_file(&self, stored: &str) -> Option<PathBuf> {
        let mut components = Path::new(stored).components();
        if components.next() != Some(Component::Normal("recordings".as_ref())) {
            return None;
        }
        let mut file = self.recordings_dir();
        let mut depth = 0;
        for component in components {
            match component {
                Component::Normal(part) => {
                    file.push(part);
                    depth += 1;
                }
                Component::CurDir => {}
                _ => return None,
            }
        }
        (depth > 0).then_some(file)
    }
}

/// Whether two bind addresses can clash (equal, or either is the wildcard).
fn overlap(a: IpAddr, b: IpAddr) -> bool {
    a == b || a.is_unspecified() || b.is_unspecified()
}

impl SipConfig {
    /// The digest realm.
    pub fn realm(&self) -> &str {
        self.realm.as_deref().unwrap_or(&self.domain)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !is_host_name(&self.domain) {
            return Err(invalid(
                "sip.domain",
                "expected a host name such as plateau.local",
            ));
        }
        if let Some(realm) = &self.realm
            && (realm.is_empty()
                || realm.contains(['"', '\\'])
                || realm.chars().any(char::is_control))
        {
            return Err(invalid(
                "sip.realm",
                "must be non-empty, without quotes, backslashes or control characters",
            ));
        }
        if let Some(host) = &self.public_address
            && host.parse::<IpAddr>().is_err()
            && !is_host_name(host)
        {
            return Err(invalid(
                "sip.public_address",
                "expected an IP address or a host name",
            ));
        }
        if !(1_024..=1_048_576).contains(&self.max_message_size) {
            return Err(invalid(
                "sip.max_message_size",
                "must be between 1024 and 1048576 bytes",
            ));
        }
        if self.min_expires.is_zero() {
            return Err(invalid("sip.min_expires", "must be more than 0s"));
        }
        if self.min_expires > self.max_expires {
            return Err(invalid(
                "sip.max_expires",
                "must be at least sip.min_expires",
            ));
        }
        if self.default_expires < self.min_expires || self.default_expires > self.max_expires {
            return Err(invalid(
                "sip.default_expires",
                "must lie between sip.min_expires and sip.max_expires",
            ));
        }
        Ok(())
    }
}

impl RtpConfig {
    /// The ports handed out.
    pub fn ports(&self) -> std::ops::RangeInclusive<u16> {
        self.port_min..=self.port_max
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.port_min < 1_024 {
            return Err(invalid(
                "rtp.port_min",
                "must be at least 1024 (ports below are privileged)",
            ));
        }
        if self.port_max < self.port_min.saturating_add(1) {
            return Err(invalid(
                "rtp.port_max",
                "must be above rtp.port_min (each leg takes an even port and the odd one above)",
            ));
        }
        Ok(())
    }
}

impl LimitsConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let positive: [(&'static str, u64); 4] = [
            (
                "limits.tcp_connections_per_source",
                self.tcp_connections_per_source.into(),
            ),
            (
                "limits.auth_failures_before_throttle",
                self.auth_failures_before_throttle.into(),
            ),
            ("limits.http_body_max", self.http_body_max as u64),
            ("limits.log_queue", self.log_queue as u64),
        ];
        if let Some((key, _)) = positive.iter().find(|(_, value)| *value == 0) {
            return Err(invalid(key, "must be more than 0"));
        }
        if self.auth_failure_window.is_zero() {
            return Err(invalid(
                "limits.auth_failure_window",
                "must be more than 0s",
            ));
        }
        Ok(())
    }
}

/// Letters, digits, dots and dashes, not starting or ending with a dot or dash.
fn is_host_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !name.starts_with(['.', '-'])
        && !name.ends_with(['.', '-'])
}

/// Durations as text with a unit (`"30s"`, `"1m 30s"`, `"250ms"`).
mod duration_text {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&humantime::format_duration(*value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(deserializer)?;
        humantime::parse_duration(&text).map_err(|e| {
            serde::de::Error::custom(format!(
                "{e}: write a duration with a unit, such as \"30s\" or \"500ms\""
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_gives_the_defaults() {
        assert_eq!(Config::from_toml("").unwrap(), Config::default());
    }

    #[test]
    fn the_database_defaults_to_sqlite_in_the_data_dir() {
        let config = Config {
            data_dir: PathBuf::from("/var/lib/plateau"),
            ..Config::default()
        };
        assert_eq!(
            config.database_url(),
            "sqlite:///var/lib/plateau/plateau.db"
        );
        assert_eq!(
            config.recordings_dir(),
            PathBuf::from("/var/lib/plateau/recordings")
        );
    }

    #[test]
    fn durations_are_read_with_their_unit() {
        let config = Config::from_toml("drain_timeout = \"1m 30s\"\n").unwrap();
        assert_eq!(config.drain_timeout, Duration::from_secs(90));
        let err = Config::from_toml("drain_timeout = \"30\"\n").unwrap_err();
        assert!(err.to_string().contains("drain_timeout"), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let err = Config::from_toml("[sip]\nudp_prot = 5060\n").unwrap_err();
        assert!(err.to_string().contains("udp_prot"), "{err}");
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_key() {
        let err = Config::from_toml("[sip]\nudp_port = 70000\n").unwrap_err();
        assert!(err.to_string().contains("udp_port"), "{err}");
    }

    #[test]
    fn expiries_must_be_ordered() {
        let err = Config::from_toml("[sip]\nmin_expires = \"2h\"\n").unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    key: "sip.max_expires",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn the_rtp_range_must_hold_a_pair_of_ports() {
        let err = Config::from_toml("[rtp]\nport_min = 30000\nport_max = 30000\n").unwrap_err();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                key: "rtp.port_max",
                ..
            }
        ));
    }

    #[test]
    fn http_may_not_take_the_sip_tcp_port() {
        let err = Config::from_toml("[http]\nport = 5060\n").unwrap_err();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                key: "http.port",
                ..
            }
        ));
    }

    #[test]
    fn prompt_languages_must_be_known() {
        let err = Config::from_toml("[prompts]\nlanguages = [\"de\"]\n").unwrap_err();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                key: "prompts.languages",
                ..
            }
        ));
    }

    #[test]
    fn the_realm_defaults_to_the_domain() {
        let config = Config::from_toml("[sip]\ndomain = \"calls.example.org\"\n").unwrap();
        assert_eq!(config.sip.realm(), "calls.example.org");
    }

    #[test]
    fn stored_recording_paths_map_under_the_recordings_dir() {
        let config = Config {
            data_dir: PathBuf::from("/data"),
            ..Config::default()
        };
        assert_eq!(
            config.recording_file("recordings/1/2026/01/02/x.wav"),
            Some(PathBuf::from("/data/recordings/1/2026/01/02/x.wav"))
        );
        for bad in [
            "/etc/passwd",
            "recordings/../plateau.db",
            "plateau.db",
            "recordings",
            "",
        ] {
            assert_eq!(config.recording_file(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_trunk_section_is_read_with_its_defaults() {
        let config = Config::from_toml(
            "[trunk]\nproxy = \"sip:192.0.2.7:5070\"\nfrom_number = \"+33100000000\"\n",
        )
        .unwrap();
        let trunk = config.trunk.expect("a trunk");
        assert_eq!(trunk.proxy_addr(), Some("192.0.2.7:5070".parse().unwrap()));
        assert_eq!(trunk.domain(), "192.0.2.7:5070");
        assert_eq!(trunk.from_number_for("demo"), "+33100000000");
        assert_eq!(trunk.ring_timeout, Duration::from_secs(30));
        assert_eq!(trunk.callback_attempts, 3);
    }

    #[test]
    fn a_trunk_proxy_without_a_port_uses_5060() {
        let trunk = TrunkConfig {
            proxy: "192.0.2.7".to_owned(),
            ..TrunkConfig::default()
        };
        assert_eq!(trunk.proxy_addr(), Some("192.0.2.7:5060".parse().unwrap()));
    }

    #[test]
    fn bad_trunk_settings_are_refused_with_their_key() {
        for (text, key) in [
            ("proxy = \"carrier.example\"", "trunk.proxy"),
            (
                "proxy = \"192.0.2.7:5060\"\nusername = \"u\"",
                "trunk.password",
            ),
            (
                "proxy = \"192.0.2.7:5060\"\nmax_calls = 0",
                "trunk.max_calls",
            ),
            (
                "proxy = \"192.0.2.7:5060\"\nfrom_number = \"<sip:x>\"",
                "trunk.from_number",
            ),
        ] {
            let error = Config::from_toml(&format!("[trunk]\n{text}\n")).unwrap_err();
            assert!(error.to_string().starts_with(key), "{text}: {error}");
        }
    }
}
