//! The Prometheus metrics the server exposes at `/metrics`, as one cheap-to-clone [`Metrics`]
//! handle that every part updates (atomics underneath: no lock on the hot path but the label
//! lookup of a family).
//!
//! | name | type | labels | updated by |
//! |---|---|---|---|
//! | `plateau_calls_active` | gauge | | the switchboard |
//! | `plateau_calls_queued` | gauge | | the switchboard |
//! | `plateau_agents` | gauge | `state` (acd state names) | the switchboard |
//! | `plateau_sip_messages_total` | counter | `direction` (`in`/`out`), `method`, `status` (empty for requests) | the SIP transports |
//! | `plateau_rtp_packets_total` | counter | `direction` (`in`/`out`) | read at scrape from the media totals ([`Metrics::set_rtp_source`]) |
//! | `plateau_errors_total` | counter | `kind` | anyone |
//! | `plateau_log_batches_total`, `plateau_log_rows_total` | counter | | the log writer |
//! | `plateau_log_errors_total` | counter | | the log writer (failed attempts, retried) |
//! | `plateau_log_rejected_total` | counter | | the log writer (rows the store refused) |
//! | `plateau_log_full_total` | counter | | writers that found the log queue full |
//! | `plateau_ivr_http_requests_total` | counter | `outcome` (`ok`, `status`, `timeout`, `error`, `too_large`, `not_json`, `busy`) | the IVR `http` node's client |
//!
//! Label values that come from the network are bounded: a method Plateau does not know is
//! counted as `other`, so no peer can grow the families without limit.

use std::fmt;
use std::sync::{Arc, OnceLock};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// The `Content-Type` of [`Metrics::encode`]'s output (Prometheus text format 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Which way a message or packet went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Received.
    In,
    /// Sent.
    Out,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// RTP packet totals over every call since start, read at each scrape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RtpTotals {
    /// Packets received.
    pub packets_in: u64,
    /// Packets sent.
    pub packets_out: u64,
}

type RtpSource = Box<dyn Fn() -> RtpTotals + Send + Sync>;

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct SipLabels {
    direction: &'static str,
    method: &'static str,
    status: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

/// The server's metrics; clones share the same values.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    calls_active: Gauge,
    calls_queued: Gauge,
    agents: Family<StateLabel, Gauge>,
    sip_messages: Family<SipLabels, Counter>,
    errors: Family<KindLabel, Counter>,
    log_batches: Counter,
    log_rows: Counter,
    log_errors: Counter,
    log_rejected: Counter,
    log_full: Counter,
    ivr_http: Family<OutcomeLabel, Counter>,
    rtp_source: Arc<OnceLock<RtpSource>>,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric at zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let calls_active = Gauge::default();
        let calls_queued = Gauge::default();
        let agents = Family::<StateLabel, Gauge>::default();
        let sip_messages = Family::<SipLabels, Counter>::default();
        let errors = Family::<KindLabel, Counter>::default();
        let log_batches = Counter::default();
        let log_rows = Counter::default();
        let log_errors = Counter::default();
        let log_rejected = Counter::default();
        let log_full = Counter::default();
        let ivr_http = Family::<OutcomeLabel, Counter>::default();
        let rtp_source: Arc<OnceLock<RtpSource>> = Arc::default();

        registry.register(
            "plateau_calls_active",
            "Calls in progress",
            calls_active.clone(),
        );
        registry.register(
            "plateau_calls_queued",
            "Calls waiting in a queue",
            calls_queued.clone(),
        );
        registry.register("plateau_agents", "Agents by state", agents.clone());
        registry.register(
            "plateau_sip_messages",
            "SIP messages by direction, method and response status",
            sip_messages.clone(),
        );
        registry.register("plateau_errors", "Errors by kind", errors.clone());
        registry.register(
            "plateau_log_batches",
            "Interaction-log batches committed",
            log_batches.clone(),
        );
        registry.register(
            "plateau_log_rows",
            "Interaction-log rows committed",
            log_rows.clone(),
        );
        registry.register(
            "plateau_log_errors",
            "Failed interaction-log writes (retried)",
            log_errors.clone(),
        );
        registry.register(
            "plateau_log_rejected",
            "Interaction-log rows the store refused",
            log_rejected.clone(),
        );
        registry.register(
            "plateau_log_full",
            "Entries refused because the log queue was full",
            log_full.clone(),
        );
        registry.register(
            "plateau_ivr_http_requests",
            "HTTP requests of IVR flows by outcome",
            ivr_http.clone(),
        );
        registry.register_collector(Box::new(RtpCollector {
            source: Arc::clone(&rtp_source),
        }));

        // The common series appear from the first scrape, so dashboards and `rate()` see
        // zeros, not gaps.
        for state in acd::AgentStateKind::ALL {
            agents
                .get_or_create(&StateLabel {
                    state: state.as_str(),
                })
                .set(0);
        }
        for direction in [Direction::In, Direction::Out] {
            for method in ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER"] {
                sip_messages
                    .get_or_create(&SipLabels {
                        direction: direction.as_str(),
                        method,
                        status: None,
                    })
                    .inc_by(0);
            }
        }
        errors
            .get_or_create(&KindLabel { kind: "log_write" })
            .inc_by(0);
        Metrics {
            inner: Arc::new(Inner {
                registry,
                calls_active,
                calls_queued,
                agents,
                sip_messages,
                errors,
                log_batches,
                log_rows,
                log_errors,
                log_rejected,
                log_full,
                ivr_http,
                rtp_source,
            }),
        }
    }

    /// The metrics in Prometheus text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail, and our collector only writes.
        let _ =
            prometheus_client::encoding::prometheus_text::encode(&mut text, &self.inner.registry);
        text
    }

    /// Sets the number of calls in progress.
    pub fn set_calls_active(&self, calls: i64) {
        self.inner.calls_active.set(calls);
    }

    /// Sets the number of calls waiting in queues.
    pub fn set_calls_queued(&self, calls: i64) {
        self.inner.calls_queued.set(calls);
    }

    /// Sets how many agents are in `state`.
    pub fn set_agents(&self, state: acd::AgentStateKind, agents: i64) {
        self.inner
            .agents
            .get_or_create(&StateLabel {
                state: state.as_str(),
            })
            .set(agents);
    }

    /// Counts a SIP request.
    pub fn sip_request(&self, direction: Direction, method: &sip::Method) {
        self.sip_message(direction, method, None);
    }

    /// Counts a SIP response to a request of `method` (its CSeq method).
    pub fn sip_response(&self, direction: Direction, method: &sip::Method, status: u16) {
        self.sip_message(direction, method, Some(status));
    }

    fn sip_message(&self, direction: Direction, method: &sip::Method, status: Option<u16>) {
        let method = match method {
            sip::Method::Other(_) => "other",
            known => known_method(known.as_str()),
        };
        self.inner
            .sip_messages
            .get_or_create(&SipLabels {
                direction: direction.as_str(),
                method,
                status,
            })
            .inc();
    }

    /// Counts an error of `kind` (a fixed name such as `sip_parse`, `log_write`).
    pub fn error(&self, kind: &'static str) {
        self.inner.errors.get_or_create(&KindLabel { kind }).inc();
    }

    /// Counts an IVR HTTP request that ended with `outcome` (a fixed name: `ok`, `status`,
    /// `timeout`...).
    pub fn ivr_http(&self, outcome: &'static str) {
        self.inner
            .ivr_http
            .get_or_create(&OutcomeLabel { outcome })
            .inc();
    }

    /// Where `plateau_rtp_packets_total` is read from at each scrape (the media service's
    /// totals). Set once; later calls are ignored. Until set, the counters read zero.
    pub fn set_rtp_source(&self, source: impl Fn() -> RtpTotals + Send + Sync + 'static) {
        let _ = self.inner.rtp_source.set(Box::new(source));
    }

    pub(crate) fn log_committed(&self, rows: u64) {
        self.inner.log_batches.inc();
        self.inner.log_rows.inc_by(rows);
    }

    pub(crate) fn log_write_failed(&self) {
        self.inner.log_errors.inc();
        self.error("log_write");
    }

    pub(crate) fn log_rejected(&self, rows: u64) {
        self.inner.log_rejected.inc_by(rows);
    }

    pub(crate) fn log_full(&self) {
        self.inner.log_full.inc();
    }

    /// Interaction-log batches committed so far (tests and the shutdown report read it).
    pub fn log_batches(&self) -> u64 {
        self.inner.log_batches.get()
    }

    /// Interaction-log rows committed so far.
    pub fn log_rows(&self) -> u64 {
        self.inner.log_rows.get()
    }

    /// Failed interaction-log write attempts so far.
    pub fn log_errors(&self) -> u64 {
        self.inner.log_errors.get()
    }

    /// Interaction-log rows refused by the store so far.
    pub fn log_rejected_rows(&self) -> u64 {
        self.inner.log_rejected.get()
    }

    /// Entries refused so far because the log queue was full.
    pub fn log_full_count(&self) -> u64 {
        self.inner.log_full.get()
    }
}

/// Method names as `&'static str`, so the label needs no allocation per message.
fn known_method(name: &str) -> &'static str {
    const KNOWN: [&str; 14] = [
        "INVITE",
        "ACK",
        "BYE",
        "CANCEL",
        "OPTIONS",
        "REGISTER",
        "PRACK",
        "SUBSCRIBE",
        "NOTIFY",
        "PUBLISH",
        "INFO",
        "REFER",
        "MESSAGE",
        "UPDATE",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == name)
        .unwrap_or("other")
}

/// Reads the RTP totals at scrape time.
struct RtpCollector {
    source: Arc<OnceLock<RtpSource>>,
}

impl fmt::Debug for RtpCollector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RtpCollector").finish_non_exhaustive()
    }
}

impl Collector for RtpCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), fmt::Error> {
        let totals = self.source.get().map(|read| read()).unwrap_or_default();
        let mut family = encoder.encode_descriptor(
            "plateau_rtp_packets",
            "RTP packets by direction, over every call",
            None,
            prometheus_client::metrics::MetricType::Counter,
        )?;
        for (direction, packets) in [
            (Direction::In, totals.packets_in),
            (Direction::Out, totals.packets_out),
        ] {
            let labels = [("direction", direction.as_str())];
            let counter = ConstCounter::new(packets);
            counter.encode(family.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_metric_is_exposed() {
        let metrics = Metrics::new();
        metrics.sip_request(Direction::In, &sip::Method::Invite);
        metrics.error("test");
        let text = metrics.encode();
        for name in [
            "plateau_calls_active",
            "plateau_calls_queued",
            "plateau_agents{state=\"available\"}",
            "plateau_sip_messages_total{direction=\"in\",method=\"INVITE\"",
            "plateau_rtp_packets_total{direction=\"in\"}",
            "plateau_errors_total{kind=\"test\"}",
            "plateau_log_batches_total",
            "plateau_log_rows_total",
        ] {
            assert!(text.contains(name), "{name} missing from\n{text}");
        }
    }

    #[test]
    fn unknown_methods_share_one_label() {
        let metrics = Metrics::new();
        for method in ["FOO", "BAR"] {
            metrics.sip_request(Direction::In, &sip::Method::Other(method.to_owned()));
        }
        let text = metrics.encode();
        assert!(text.contains("method=\"other\",status=\"\"} 2"), "{text}");
        assert!(!text.contains("FOO"));
    }

    #[test]
    fn rtp_totals_are_read_from_the_source_at_scrape() {
        let metrics = Metrics::new();
        metrics.set_rtp_source(|| RtpTotals {
            packets_in: 7,
            packets_out: 9,
        });
        let text = metrics.encode();
        assert!(
            text.contains("plateau_rtp_packets_total{direction=\"in\"} 7"),
            "{text}"
        );
        assert!(
            text.contains("plateau_rtp_packets_total{direction=\"out\"} 9"),
            "{text}"
        );
    }

    #[test]
    fn responses_carry_their_status() {
        let metrics = Metrics::new();
        metrics.sip_response(Direction::Out, &sip::Method::Register, 401);
        assert!(
            metrics
                .encode()
                .contains("direction=\"out\",method=\"REGISTER\",status=\"401\"} 1")
        );
    }
}
