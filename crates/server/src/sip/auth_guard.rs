//! The throttle on failed digest authentications, against password guessing.
//!
//! Failures are counted in a sliding window per source address and per username. A source
//! with `threshold` failures in the window is throttled for the cooling period: its requests
//! are answered 403 without their credentials being looked at. A username with `threshold`
//! failures (from any sources) is throttled too, but only toward sources that have failed
//! for it themselves: a guesser spreading over many addresses gets one try per address, while
//! the agent's own phone, which has not failed, still registers — a lock-out of a user by
//! someone who merely knows the name is not possible.
//!
//! Memory is bounded: at most [`MAX_TRACKED`] sources and as many usernames are tracked;
//! when a table is full, expired entries are dropped, and if none has expired the oldest
//! quarter goes.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Entries per table at most.
pub(crate) const MAX_TRACKED: usize = 65_536;

/// Settings of the guard.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GuardConfig {
    /// Failures in the window that throttle.
    pub(crate) threshold: u32,
    /// The sliding window.
    pub(crate) window: Duration,
    /// How long throttling lasts.
    pub(crate) cooldown: Duration,
}

/// One source's or username's failures.
#[derive(Debug, Default)]
struct Record {
    failures: VecDeque<Instant>,
    throttled_until: Option<Instant>,
    last: Option<Instant>,
}

impl Record {
    fn is_throttled(&self, now: Instant) -> bool {
        self.throttled_until.is_some_and(|until| now < until)
    }

    fn recent(&mut self, now: Instant, window: Duration) -> usize {
        while self
            .failures
            .front()
            .is_some_and(|&at| now.saturating_duration_since(at) >= window)
        {
            self.failures.pop_front();
        }
        self.failures.len()
    }

    /// Records a failure; true when it starts a throttle.
    fn fail(&mut self, now: Instant, config: &GuardConfig) -> bool {
        self.last = Some(now);
        let threshold = config.threshold.max(1) as usize;
        self.recent(now, config.window);
        self.failures.push_back(now);
        while self.failures.len() > threshold {
            self.failures.pop_front();
        }
        if self.failures.len() >= threshold && !self.is_throttled(now) {
            self.throttled_until = Some(now + config.cooldown);
            return true;
        }
        false
    }

    fn expired(&self, now: Instant, config: &GuardConfig) -> bool {
        let quiet = self
            .last
            .is_none_or(|at| now.saturating_duration_since(at) >= config.window);
        quiet && !self.is_throttled(now)
    }
}

/// A table of records with bounded size.
#[derive(Debug)]
struct Table<K> {
    records: HashMap<K, Record>,
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn new() -> Table<K> {
        Table {
            records: HashMap::new(),
        }
    }

    fn get<Q>(&self, key: &Q) -> Option<&Record>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.records.get(key)
    }

    fn entry(&mut self, key: K, now: Instant, config: &GuardConfig) -> &mut Record {
        if !self.records.contains_key(&key) && self.records.len() >= MAX_TRACKED {
            self.sweep(now, config);
            if self.records.len() >= MAX_TRACKED {
                self.evict_oldest();
            }
        }
        self.records.entry(key).or_default()
    }

    fn sweep(&mut self, now: Instant, config: &GuardConfig) {
        self.records.retain(|_, r| !r.expired(now, config));
    }

    fn evict_oldest(&mut self) {
        let mut ages: Vec<(Option<Instant>, K)> = self
            .records
            .iter()
            .map(|(k, r)| (r.last, k.clone()))
            .collect();
        ages.sort_unstable_by_key(|(last, _)| *last);
        for (_, key) in ages.into_iter().take(MAX_TRACKED / 4) {
            self.records.remove(&key);
        }
    }
}

/// What the guard says about a request before its credentials are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Go on and verify.
    Verify,
    /// Refuse with 403: the source is throttled.
    SourceThrottled,
    /// Refuse with 403: the username is throttled and this source has failed for it.
    UserThrottled,
}

/// What recording a failure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Failure {
    /// The source became throttled with this failure.
    pub(crate) source_throttled: bool,
    /// The username became throttled with this failure.
    pub(crate) user_throttled: bool,
    /// The request should be refused (403) rather than challenged again.
    pub(crate) refuse: bool,
}

/// The failure counts per source and per username.
#[derive(Debug)]
pub(crate) struct AuthGuard {
    config: GuardConfig,
    sources: Table<IpAddr>,
    users: Table<String>,
    /// Sources that failed for a username (those a throttled username refuses).
    tried: Table<(IpAddr, String)>,
}

impl AuthGuard {
    pub(crate) fn new(config: GuardConfig) -> AuthGuard {
        AuthGuard {
            config,
            sources: Table::new(),
            users: Table::new(),
            tried: Table::new(),
        }
    }

    /// Whether a request from `source` (for `user`, when known) may be verified.
    pub(crate) fn check(&self, now: Instant, source: IpAddr, user: Option<&str>) -> Check {
        if self
            .sources
            .get(&source)
            .is_some_and(|r| r.is_throttled(now))
        {
            return Check::SourceThrottled;
        }
        if let Some(user) = user {
            let user_throttled = self.users.get(user).is_some_and(|r| r.is_throttled(now));
            if user_throttled
                && self
                    .tried
                    .get(&(source, user.to_owned()))
                    .is_some_and(|r| !r.expired(now, &self.config))
            {
                return Check::UserThrottled;
            }
        }
        Check::Verify
    }

    /// Counts a failed authentication from `source` for `user`.
    pub(crate) fn fail(&mut self, now: Instant, source: IpAddr, user: &str) -> Failure {
        let config = self.config;
        let source_throttled = self.sources.entry(source, now, &config).fail(now, &config);
        let user_throttled = self
            .users
            .entry(user.to_owned(), now, &config)
            .fail(now, &config);
        self.tried
            .entry((source, user.to_owned()), now, &config)
            .fail(now, &config);
        let refuse = self.check(now, source, Some(user)) != Check::Verify;
        Failure {
            source_throttled,
            user_throttled,
            refuse,
        }
    }

    /// Drops what has expired (housekeeping).
    pub(crate) fn sweep(&mut self, now: Instant) {
        let config = self.config;
        self.sources.sweep(now, &config);
        self.users.sweep(now, &config);
        self.tried.sweep(now, &config);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> AuthGuard {
        AuthGuard::new(GuardConfig {
            threshold: 3,
            window: Duration::from_secs(60),
            cooldown: Duration::from_secs(300),
        })
    }

    fn t0() -> Instant {
        Instant::now()
    }

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn a_source_is_throttled_at_the_threshold_and_released_after_the_cooldown() {
        let mut g = guard();
        let t = t0();
        assert!(!g.fail(t, A, "1001").refuse);
        assert!(!g.fail(t, A, "1002").refuse);
        let third = g.fail(t, A, "1003");
        assert!(third.source_throttled && third.refuse);
        assert_eq!(g.check(t, A, Some("1004")), Check::SourceThrottled);
        assert_eq!(g.check(t, B, Some("1004")), Check::Verify);
        assert_eq!(
            g.check(t + Duration::from_secs(301), A, Some("1004")),
            Check::Verify
        );
    }

    #[test]
    fn failures_outside_the_window_do_not_count() {
        let mut g = guard();
        let t = t0();
        g.fail(t, A, "1001");
        g.fail(t, A, "1001");
        let later = t + Duration::from_secs(61);
        assert!(!g.fail(later, A, "1001").source_throttled);
        assert_eq!(g.check(later, A, None), Check::Verify);
    }

    #[test]
    fn a_throttled_user_is_still_verified_from_a_source_that_never_failed() {
        let mut g = guard();
        let t = t0();
        let sources: Vec<IpAddr> = (1..=3)
            .map(|i| IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, i)))
            .collect();
        for &source in &sources {
            g.fail(t, source, "1001");
        }
        assert_eq!(g.check(t, sources[0], Some("1001")), Check::UserThrottled);
        assert_eq!(g.check(t, A, Some("1001")), Check::Verify);
        assert_eq!(g.check(t, sources[0], Some("1002")), Check::Verify);
    }
}
