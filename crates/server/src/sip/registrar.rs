//! The registrar (RFC 3261 §10.3): REGISTER with digest authentication, expiries, several
//! contacts per address-of-record, `Contact: *` to remove them all.
//!
//! Order of the checks, cheapest and least telling first: the auth guard (a throttled source
//! gets 403 without its credentials being read), the domain (which tenant), the credentials
//! (401 with a fresh challenge when absent, wrong or for an unknown user — the same answer for
//! both, so usernames cannot be probed; 401 `stale=true` for an expired nonce; 403 when the
//! credentials are another user's or the user is disabled), then the contacts (423 with
//! `Min-Expires` for a too brief expiry, 400 for `*` without `Expires: 0`). A REGISTER that
//! changes bindings is answered only once the change is durable (the switchboard holds the
//! 200 until the log writer's ack); one without contacts is a query, answered at once, and so
//! is a refresh the store need not hear of (see [`Location::apply`]: the stored expiry still
//! covers half of the new period).
//!
//! Expiry of each contact: its `expires` parameter, else the `Expires` header, else
//! `sip.default_expires`; 0 removes the binding; longer than `sip.max_expires` is shortened.
//!
//! Digest: MD5 only is offered. RFC 8760 lets a server list SHA-256 first, but SIPp and many
//! desk phones answer the first challenge whatever its algorithm, and fail on SHA-256; the
//! store keeps both HA1s, so offering SHA-256 is one line once the phones in use support it.
//! The nonce secret is kept in `<data_dir>/sip-nonce.key`, so nonces stay valid across a
//! restart.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use sip::auth::{Algorithm, Credentials, Ha1, Lookup, Verdict, Verifier, VerifierConfig};
use sip::header::Contacts;
use sip::transaction::Peer;
use sip::validate::{CredentialsCheck, check_credentials};
use sip::{HeaderName, Request, Response, StatusCode, Uri};
use store::{NewRegistration, TenantId, Transport, UserId};

use super::auth_guard::{AuthGuard, Check, GuardConfig};
use super::location::{Binding, Change, Location};
use super::log_limit::LogLimit;
use super::random::RandomPool;
use crate::metrics::Metrics;

/// The digest algorithms offered in challenges (see the module doc).
const OFFERED: &[Algorithm] = &[Algorithm::Md5];

/// A SIP account as the registrar needs it (from the store, cached).
#[derive(Debug, Clone)]
pub(crate) struct SipAccount {
    /// The user owning the extension.
    pub(crate) user: UserId,
    /// HA1 for MD5.
    pub(crate) md5: Ha1,
    /// HA1 for SHA-256.
    pub(crate) sha256: Ha1,
    /// A disabled user is refused even with the right secret.
    pub(crate) enabled: bool,
}

/// What the registrar asks of the directory.
pub(crate) trait Accounts {
    /// The tenant whose agents register under `domain` (the To URI's host).
    fn tenant_for_domain(&self, domain: &str) -> Option<TenantId>;
    /// The account of extension `username` in `tenant`.
    fn account(&self, tenant: TenantId, username: &str) -> Option<&SipAccount>;
}

/// The registrar's settings.
#[derive(Debug, Clone)]
pub(crate) struct RegistrarConfig {
    /// The digest realm.
    pub(crate) realm: String,
    /// The domain of addresses-of-record (`sip:1001@<domain>`).
    pub(crate) domain: String,
    /// Shortest expiry accepted (seconds).
    pub(crate) min_expires: u32,
    /// Longest expiry granted (seconds).
    pub(crate) max_expires: u32,
    /// Expiry of a contact that asks for none (seconds).
    pub(crate) default_expires: u32,
    /// The auth guard's settings.
    pub(crate) guard: GuardConfig,
}

/// What to do with a REGISTER.
#[derive(Debug)]
pub(crate) enum Decision {
    /// Answer now.
    Respond(Response),
    /// The bindings changed (already in the location service): persist `rows`, then send
    /// `response`.
    Persist {
        /// The tenant the rows belong to.
        tenant: TenantId,
        /// The bindings to write.
        rows: Vec<NewRegistration>,
        /// The 200, to send once they are durable.
        response: Response,
    },
}

/// Everything one REGISTER is judged with.
pub(crate) struct Register<'a> {
    /// The request.
    pub(crate) request: &'a Request,
    /// Where it came from.
    pub(crate) source: &'a Peer,
    /// Our To tag for the response.
    pub(crate) tag: &'a str,
    /// Monotonic now (the guard).
    pub(crate) now: Instant,
    /// Wall-clock now since the UNIX epoch (nonces).
    pub(crate) wall: Duration,
    /// The same, in unix ms (bindings).
    pub(crate) now_ms: i64,
}

/// The registrar.
#[derive(Debug)]
pub(crate) struct Registrar {
    config: RegistrarConfig,
    verifier: Verifier,
    guard: AuthGuard,
    random: RandomPool,
    log_limit: LogLimit,
    metrics: Metrics,
}

impl Registrar {
    /// A registrar whose nonces are made with `secret`.
    pub(crate) fn new(config: RegistrarConfig, secret: &[u8], metrics: Metrics) -> Registrar {
        Registrar {
            verifier: Verifier::new(secret, VerifierConfig::default()),
            guard: AuthGuard::new(config.guard),
            config,
            random: RandomPool::new(),
            log_limit: LogLimit::new(),
            metrics,
        }
    }

    /// The address-of-record of `user` (an extension): `sip:<user>@<domain>`.
    pub(crate) fn aor(&self, user: &str) -> String {
        format!("sip:{user}@{}", self.config.domain)
    }

    /// Judges a REGISTER and applies its changes to `location`.
    pub(crate) fn register(
        &mut self,
        reg: &Register<'_>,
        accounts: &dyn Accounts,
        location: &mut Location,
    ) -> Decision {
        let request = reg.request;
        let respond = |status| Response::for_request(request, status, Some(reg.tag));
        let Ok(to) = request.headers.to() else {
            return Decision::Respond(respond(StatusCode::BAD_REQUEST));
        };
        let Uri::Sip(to_uri) = &to.uri else {
            return Decision::Respond(respond(StatusCode::BAD_REQUEST));
        };
        let Some(user) = to_uri.user.as_deref() else {
            return Decision::Respond(respond(StatusCode::NOT_FOUND));
        };
        let source_ip = reg.source.addr.ip();
        match self.guard.check(reg.now, source_ip, Some(user)) {
            Check::Verify => {}
            refused => {
                self.metrics.error("sip_auth_throttled");
                self.note(reg.now, source_ip, user, "refused: throttled", refused);
                return Decision::Respond(forbidden(request, reg.tag, "Too many failed attempts"));
            }
        }
        let Some(tenant) = accounts.tenant_for_domain(&to_uri.host.to_string()) else {
            return Decision::Respond(respond(StatusCode::NOT_FOUND));
        };
        let account = match self.authenticate(reg, user, accounts.account(tenant, user)) {
            Ok(account) => account,
            Err(response) => return Decision::Respond(*response),
        };
        let aor = format!("sip:{user}@{}", self.config.domain);
        let changes = match self.changes(reg) {
            Ok(changes) => changes,
            Err(response) => return Decision::Respond(*response),
        };
        if changes.is_empty() {
            let mut response = respond(StatusCode::OK);
            list_bindings(&mut response, location, &aor, reg.now_ms);
            return Decision::Respond(response);
        }
        let rows = location.apply(account, &aor, changes, reg.now_ms);
        let mut response = respond(StatusCode::OK);
        list_bindings(&mut response, location, &aor, reg.now_ms);
        if rows.is_empty() {
            // A refresh the store need not hear of (see `Location::apply`).
            return Decision::Respond(response);
        }
        Decision::Persist {
            tenant,
            rows,
            response,
        }
    }

    /// Checks the credentials; the account's user, or the response to send.
    fn authenticate(
        &mut self,
        reg: &Register<'_>,
        user: &str,
        account: Option<&SipAccount>,
    ) -> Result<UserId, Box<Response>> {
        let request = reg.request;
        let value =
            match check_credentials(&request.headers, &HeaderName::Authorization, &["Digest"]) {
                CredentialsCheck::Challenge => return Err(Box::new(self.challenge(reg, false))),
                CredentialsCheck::Verify(value) => value,
            };
        let verdict = match Credentials::parse(value) {
            Ok(credentials) => {
                if credentials
                    .as_digest()
                    .is_some_and(|d| d.username != user && !d.userhash)
                {
                    self.note(
                        reg.now,
                        reg.source.addr.ip(),
                        user,
                        "refused: credentials of another user",
                        Check::Verify,
                    );
                    return Err(Box::new(forbidden(
                        request,
                        reg.tag,
                        "Credentials of another user",
                    )));
                }
                let uri = request.uri.to_string();
                self.verifier.verify(
                    reg.wall,
                    "REGISTER",
                    &uri,
                    &credentials,
                    |who: &Lookup<'_>| {
                        let account = account.filter(|_| !who.userhash && who.username == user)?;
                        match who.algorithm {
                            Algorithm::Md5 => Some(account.md5.clone()),
                            Algorithm::Sha256 => Some(account.sha256.clone()),
                            _ => None,
                        }
                    },
                )
            }
            Err(_) => Verdict::Invalid(sip::auth::InvalidReason::NotDigest),
        };
        match verdict {
            Verdict::Ok => match account {
                Some(account) if account.enabled => Ok(account.user),
                _ => {
                    self.note(
                        reg.now,
                        reg.source.addr.ip(),
                        user,
                        "refused: user disabled",
                        Check::Verify,
                    );
                    Err(Box::new(forbidden(request, reg.tag, "Disabled")))
                }
            },
            Verdict::Stale => Err(Box::new(self.challenge(reg, true))),
            failed => {
                self.metrics.error("sip_auth_failed");
                let why = match &failed {
                    Verdict::Replay => "replayed nonce count",
                    Verdict::UnknownUser => "unknown user or wrong password",
                    _ => "wrong credentials",
                };
                let source = reg.source.addr.ip();
                let failure = self.guard.fail(reg.now, source, user);
                if failure.source_throttled {
                    tracing::warn!(
                        %source,
                        threshold = self.config.guard.threshold,
                        cooldown = ?self.config.guard.cooldown,
                        "source throttled: too many failed digest authentications"
                    );
                }
                if failure.user_throttled {
                    tracing::warn!(
                        user,
                        threshold = self.config.guard.threshold,
                        "username throttled toward the sources that failed for it"
                    );
                }
                self.note(reg.now, source, user, why, Check::Verify);
                if failure.refuse {
                    self.metrics.error("sip_auth_throttled");
                    Err(Box::new(forbidden(
                        request,
                        reg.tag,
                        "Too many failed attempts",
                    )))
                } else {
                    Err(Box::new(self.challenge(reg, false)))
                }
            }
        }
    }

    /// A 401 with a fresh nonce.
    fn challenge(&mut self, reg: &Register<'_>, stale: bool) -> Response {
        let Ok(random) = self.random.take::<16>() else {
            self.metrics.error("random");
            return Response::for_request(
                reg.request,
                StatusCode::SERVER_INTERNAL_ERROR,
                Some(reg.tag),
            );
        };
        let mut response =
            Response::for_request(reg.request, StatusCode::UNAUTHORIZED, Some(reg.tag));
        for challenge in
            self.verifier
                .challenge(reg.wall, &self.config.realm, OFFERED, random, stale)
        {
            response
                .headers
                .push(HeaderName::WwwAuthenticate, challenge.to_string());
        }
        response
    }

    /// The binding changes the REGISTER asks for, or the response refusing them.
    fn changes(&self, reg: &Register<'_>) -> Result<Vec<Change>, Box<Response>> {
        let request = reg.request;
        let refuse = |status| Box::new(Response::for_request(request, status, Some(reg.tag)));
        let header_expires = request
            .headers
            .expires()
            .map_err(|_| refuse(StatusCode::BAD_REQUEST))?;
        let contacts = request
            .headers
            .contacts()
            .map_err(|_| refuse(StatusCode::BAD_REQUEST))?;
        let addresses = match contacts {
            Contacts::Wildcard => {
                return if header_expires == Some(0) {
                    Ok(vec![Change::RemoveAll])
                } else {
                    Err(refuse(StatusCode::BAD_REQUEST))
                };
            }
            Contacts::Addresses(addresses) => addresses,
        };
        let transport = match reg.source.transport {
            sip::header::Transport::Tcp => Transport::Tcp,
            _ => Transport::Udp,
        };
        let call_id = request.headers.call_id().unwrap_or_default().to_owned();
        let cseq = request.headers.cseq().map(|c| c.seq).unwrap_or_default();
        let user_agent = request.headers.user_agent().map(str::to_owned);
        let mut changes = Vec::with_capacity(addresses.len());
        for address in addresses {
            let contact = address.uri.to_string();
            let expires = address
                .expires()
                .or(header_expires)
                .unwrap_or(self.config.default_expires);
            if expires == 0 {
                changes.push(Change::Remove(contact));
                continue;
            }
            if expires < self.config.min_expires {
                let mut response = *refuse(StatusCode::INTERVAL_TOO_BRIEF);
                response
                    .headers
                    .push(HeaderName::MinExpires, self.config.min_expires.to_string());
                return Err(Box::new(response));
            }
            let expires = expires.min(self.config.max_expires);
            changes.push(Change::Upsert(Box::new(Binding {
                contact,
                uri: address.uri.clone(),
                expires_at_ms: reg.now_ms + i64::from(expires) * 1000,
                q: address.q().map_or(1000, |q| q.thousandths()),
                source: reg.source.addr,
                transport,
                connection: reg.source.connection,
                call_id: call_id.clone(),
                cseq,
                instance: address.params.value("+sip.instance").map(str::to_owned),
                reg_id: address.params.value("reg-id").and_then(|v| v.parse().ok()),
                user_agent: user_agent.clone(),
                updated_ms: reg.now_ms,
                stored_expires_at_ms: 0,
            })));
        }
        Ok(changes)
    }

    /// One log line about a refused or failed REGISTER, within the log budget.
    fn note(&mut self, now: Instant, source: IpAddr, user: &str, why: &str, check: Check) {
        if let Some(suppressed) = self.log_limit.allow(now) {
            let throttle = match check {
                Check::Verify => None,
                Check::SourceThrottled => Some("source"),
                Check::UserThrottled => Some("user"),
            };
            tracing::info!(%source, user, why, throttle, suppressed, "REGISTER not accepted");
        }
    }

    /// Housekeeping: forgets expired failure records.
    pub(crate) fn sweep(&mut self, now: Instant) {
        self.guard.sweep(now);
    }
}

/// A 403 saying why.
fn forbidden(request: &Request, tag: &str, why: &str) -> Response {
    let mut response = Response::for_request(request, StatusCode::FORBIDDEN, Some(tag));
    response.reason = format!("Forbidden - {why}");
    response
}

/// Adds a Contact line per live binding of `aor`, with its remaining seconds.
fn list_bindings(response: &mut Response, location: &Location, aor: &str, now_ms: i64) {
    for binding in location.bindings(aor, now_ms) {
        response.headers.push(
            HeaderName::Contact,
            format!(
                "<{}>;expires={}",
                binding.contact,
                binding.remaining_secs(now_ms)
            ),
        );
    }
}
