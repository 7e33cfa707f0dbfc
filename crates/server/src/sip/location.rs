//! The location service: each address-of-record's bindings (contacts with their expiry, and
//! where the REGISTER really came from), kept in memory by the switchboard and persisted
//! through the log writer; and where a request to an agent's phone goes.
//!
//! Where INVITEs to a binding go (the NAT rule): over the TCP connection the REGISTER came on
//! when it came over TCP (no connection left: unreachable until the phone registers again);
//! over UDP, to the Contact's address when its host is an IP address equal to the REGISTER's
//! source address (the phone is not behind NAT, and may listen on a port other than the one
//! it sent from), and otherwise to the REGISTER's source address and port — the mapping a NAT
//! keeps open, which is also right for a Contact naming a private address, an address of
//! another network, or a host name (we resolve no names).

use std::collections::HashMap;
use std::net::SocketAddr;

use sip::Uri;
use sip::transaction::{ConnectionId, Peer};
use store::{NewRegistration, Registration, Transport, UserId};

/// The `q` of a browser softphone binding: above any a REGISTER may carry (1000).
const WEBPHONE_Q: u16 = 1001;

/// One binding of an address-of-record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binding {
    /// The Contact URI as registered (the key of the binding).
    pub(crate) contact: String,
    /// The same, parsed: the Request-URI of requests to it.
    pub(crate) uri: Uri,
    /// When it lapses (unix ms).
    pub(crate) expires_at_ms: i64,
    /// Its `q` (thousandths; 1000 when not given).
    pub(crate) q: u16,
    /// Where the REGISTER came from.
    pub(crate) source: SocketAddr,
    /// Over what.
    pub(crate) transport: Transport,
    /// The TCP connection it came on, while it is open.
    pub(crate) connection: Option<ConnectionId>,
    /// The REGISTER's Call-ID and CSeq.
    pub(crate) call_id: String,
    pub(crate) cseq: u32,
    /// `+sip.instance` and `reg-id` (RFC 5626).
    pub(crate) instance: Option<String>,
    pub(crate) reg_id: Option<u32>,
    /// The phone's User-Agent.
    pub(crate) user_agent: Option<String>,
    /// When it was last written (unix ms); the latest wins among equal `q`.
    pub(crate) updated_ms: i64,
    /// The expiry the store holds for it (0: not stored yet).
    pub(crate) stored_expires_at_ms: i64,
}

impl Binding {
    /// Seconds left at `now_ms` (0 once lapsed).
    pub(crate) fn remaining_secs(&self, now_ms: i64) -> u64 {
        u64::try_from((self.expires_at_ms - now_ms).max(0) / 1000).unwrap_or(0)
    }

    fn is_live(&self, now_ms: i64) -> bool {
        self.expires_at_ms > now_ms
    }

    /// Where requests to this binding go (see the module doc), if it can be reached.
    pub(crate) fn peer(&self) -> Option<Peer> {
        match self.transport {
            Transport::Udp => Some(Peer::udp(self.udp_destination())),
            Transport::Tcp => self
                .connection
                .map(|connection| Peer::tcp(self.source, connection)),
            // Not served yet: no TLS or WebSocket transport.
            Transport::Tls | Transport::Ws | Transport::Wss => None,
        }
    }

    fn udp_destination(&self) -> SocketAddr {
        if let Uri::Sip(uri) = &self.uri
            && let Some(ip) = uri.host.ip()
            && ip == self.source.ip()
        {
            return SocketAddr::new(ip, uri.port.unwrap_or(5060));
        }
        self.source
    }

    fn to_row(&self, tenant_user: UserId, aor: &str) -> NewRegistration {
        NewRegistration {
            user_id: tenant_user,
            aor: aor.to_owned(),
            contact: self.contact.clone(),
            expires_at_ms: self.expires_at_ms,
            source: self.source,
            transport: self.transport,
            call_id: self.call_id.clone(),
            cseq: self.cseq,
            instance: self.instance.clone(),
            reg_id: self.reg_id,
            user_agent: self.user_agent.clone(),
        }
    }

    fn from_row(row: &NewRegistration, updated_ms: i64) -> Option<Binding> {
        let uri: Uri = row.contact.parse().ok()?;
        Some(Binding {
            contact: row.contact.clone(),
            uri,
            expires_at_ms: row.expires_at_ms,
            q: 1000,
            source: row.source,
            transport: row.transport,
            connection: None,
            call_id: row.call_id.clone(),
            cseq: row.cseq,
            instance: row.instance.clone(),
            reg_id: row.reg_id,
            user_agent: row.user_agent.clone(),
            updated_ms,
            stored_expires_at_ms: row.expires_at_ms,
        })
    }
}

/// What a REGISTER does to an address-of-record's bindings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// Add a binding, or refresh the one with the same contact.
    Upsert(Box<Binding>),
    /// Remove the binding with this contact.
    Remove(String),
    /// Remove every binding (`Contact: *`).
    RemoveAll,
}

/// The bindings of one address-of-record.
#[derive(Debug, Clone)]
struct Aor {
    bindings: Vec<Binding>,
}

/// Every address-of-record with bindings.
#[derive(Debug, Default)]
pub(crate) struct Location {
    aors: HashMap<String, Aor>,
    by_user: HashMap<UserId, String>,
}

impl Location {
    pub(crate) fn new() -> Location {
        Location::default()
    }

    /// Takes the bindings read from the store at start (those of TCP connections are not
    /// reachable until their phones register again).
    pub(crate) fn load(&mut self, rows: &[Registration]) {
        for row in rows {
            let Some(binding) = Binding::from_row(&row.binding, row.updated_at_ms) else {
                tracing::warn!(aor = %row.binding.aor, "stored binding with an unreadable contact; skipped");
                continue;
            };
            let aor = self.aor_mut(row.binding.user_id, &row.binding.aor);
            aor.bindings.push(binding);
        }
    }

    fn aor_mut(&mut self, user: UserId, aor: &str) -> &mut Aor {
        // A refresh finds both entries in place: no key is copied then (this runs for every
        // REGISTER).
        if self.by_user.get(&user).is_none_or(|known| known != aor) {
            self.by_user.insert(user, aor.to_owned());
        }
        if !self.aors.contains_key(aor) {
            self.aors.insert(
                aor.to_owned(),
                Aor {
                    bindings: Vec::new(),
                },
            );
        }
        self.aors
            .get_mut(aor)
            .expect("invariant: the entry was inserted just above if it was missing")
    }

    /// Applies a REGISTER's changes at `now_ms`; returns the rows to persist (removed
    /// bindings written with `expires_at_ms = now_ms`, which makes them lapse).
    ///
    /// A refresh that changes only the expiry (and the Call-ID, CSeq or User-Agent, which
    /// nothing reads back) is written only when the stored expiry would lapse before half
    /// of the newly granted period: a restart still finds every binding live, phones that
    /// refresh every few seconds cost no database write, and those refreshed at the usual
    /// half-period are written every time.
    pub(crate) fn apply(
        &mut self,
        user: UserId,
        aor: &str,
        changes: Vec<Change>,
        now_ms: i64,
    ) -> Vec<NewRegistration> {
        let entry = self.aor_mut(user, aor);
        entry.bindings.retain(|b| b.is_live(now_ms));
        let mut rows = Vec::with_capacity(changes.len());
        for change in changes {
            match change {
                Change::Upsert(binding) => {
                    let mut binding = *binding;
                    let existing = entry
                        .bindings
                        .iter_mut()
                        .find(|b| b.contact == binding.contact);
                    let half_way = now_ms + (binding.expires_at_ms - now_ms) / 2;
                    let persist = existing.as_ref().is_none_or(|old| {
                        old.source != binding.source
                            || old.transport != binding.transport
                            || old.instance != binding.instance
                            || old.reg_id != binding.reg_id
                            || old.stored_expires_at_ms < half_way
                    });
                    if persist {
                        binding.stored_expires_at_ms = binding.expires_at_ms;
                        rows.push(binding.to_row(user, aor));
                    } else if let Some(old) = existing.as_ref() {
                        binding.stored_expires_at_ms = old.stored_expires_at_ms;
                    }
                    match existing {
                        Some(existing) => *existing = binding,
                        None => entry.bindings.push(binding),
                    }
                }
                Change::Remove(contact) => {
                    if let Some(at) = entry.bindings.iter().position(|b| b.contact == contact) {
                        let mut gone = entry.bindings.remove(at);
                        gone.expires_at_ms = now_ms;
                        rows.push(gone.to_row(user, aor));
                    }
                }
                Change::RemoveAll => {
                    for mut gone in entry.bindings.drain(..) {
                        gone.expires_at_ms = now_ms;
                        rows.push(gone.to_row(user, aor));
                    }
                }
            }
        }
        if entry.bindings.is_empty() {
            self.aors.remove(aor);
            self.by_user.remove(&user);
        }
        rows
    }

    /// Binds a browser softphone: the gateway's `contact` (reached at `source`) for `user`
    /// under `aor`, beside any registered phone. In memory only (the gateway's sessions die
    /// with the process), never lapsing until [`Location::unbind_webphone`], and rung before
    /// any registered phone (`q` above the 1.0 a REGISTER can ask for) while it lives.
    pub(crate) fn bind_webphone(
        &mut self,
        user: UserId,
        aor: &str,
        contact: &str,
        source: SocketAddr,
        now_ms: i64,
    ) -> bool {
        let Ok(uri) = contact.parse::<Uri>() else {
            return false;
        };
        let binding = Binding {
            contact: contact.to_owned(),
            uri,
            expires_at_ms: i64::MAX,
            q: WEBPHONE_Q,
            source,
            transport: Transport::Udp,
            connection: None,
            call_id: String::new(),
            cseq: 0,
            instance: None,
            reg_id: None,
            user_agent: Some("plateau-webphone".to_owned()),
            updated_ms: now_ms,
            stored_expires_at_ms: i64::MAX,
        };
        let entry = self.aor_mut(user, aor);
        entry.bindings.retain(|b| b.contact != binding.contact);
        entry.bindings.push(binding);
        true
    }

    /// Removes the browser softphone binding `contact` of `user`.
    pub(crate) fn unbind_webphone(&mut self, user: UserId, contact: &str) {
        let Some(aor) = self.by_user.get(&user).cloned() else {
            return;
        };
        if let Some(entry) = self.aors.get_mut(&aor) {
            entry.bindings.retain(|b| b.contact != contact);
            if entry.bindings.is_empty() {
                self.aors.remove(&aor);
                self.by_user.remove(&user);
            }
        }
    }

    /// The live bindings of `aor`.
    pub(crate) fn bindings(&self, aor: &str, now_ms: i64) -> Vec<&Binding> {
        self.aors
            .get(aor)
            .map(|a| a.bindings.iter().filter(|b| b.is_live(now_ms)).collect())
            .unwrap_or_default()
    }

    /// The binding to ring for `user`: the reachable live one with the highest `q`, the
    /// latest among equals.
    pub(crate) fn target(&self, user: UserId, now_ms: i64) -> Option<(&Binding, Peer)> {
        let aor = self.aors.get(self.by_user.get(&user)?)?;
        aor.bindings
            .iter()
            .filter(|b| b.is_live(now_ms))
            .filter_map(|b| b.peer().map(|peer| (b, peer)))
            .max_by_key(|(b, _)| (b.q, b.updated_ms))
    }

    /// Whether `user` has a live binding.
    pub(crate) fn is_registered(&self, user: UserId, now_ms: i64) -> bool {
        self.by_user
            .get(&user)
            .and_then(|aor| self.aors.get(aor))
            .is_some_and(|a| a.bindings.iter().any(|b| b.is_live(now_ms)))
    }

    /// A TCP connection closed: its bindings cannot be reached until they register again.
    pub(crate) fn connection_closed(&mut self, connection: ConnectionId) {
        for aor in self.aors.values_mut() {
            for binding in &mut aor.bindings {
                if binding.connection == Some(connection) {
                    binding.connection = None;
                }
            }
        }
    }

    /// Forgets lapsed bindings (housekeeping).
    pub(crate) fn sweep(&mut self, now_ms: i64) {
        self.aors.retain(|_, aor| {
            aor.bindings.retain(|b| b.is_live(now_ms));
            !aor.bindings.is_empty()
        });
        let aors = &self.aors;
        self.by_user.retain(|_, aor| aors.contains_key(aor));
    }

    /// Number of addresses-of-record with bindings.
    pub(crate) fn len(&self) -> usize {
        self.aors.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(contact: &str, source: &str, expires_at_ms: i64) -> Binding {
        Binding {
            contact: contact.to_owned(),
            uri: contact.parse().unwrap(),
            expires_at_ms,
            q: 1000,
            source: source.parse().unwrap(),
            transport: Transport::Udp,
            connection: None,
            call_id: "c".into(),
            cseq: 1,
            instance: None,
            reg_id: None,
            user_agent: None,
            updated_ms: 0,
            stored_expires_at_ms: 0,
        }
    }

    const AOR: &str = "sip:1001@plateau.local";

    #[test]
    fn a_browser_phone_is_rung_before_a_registered_phone_until_unbound() {
        let mut location = Location::new();
        let user = UserId(7);
        let desk = binding("sip:1001@192.0.2.5:5070", "192.0.2.5:5070", 10_000_000);
        location.apply(user, AOR, vec![Change::Upsert(Box::new(desk))], 10);
        let gateway = "127.0.0.1:6000".parse().unwrap();
        assert!(location.bind_webphone(user, AOR, "sip:wp7@127.0.0.1:6000", gateway, 5));
        let (rung, peer) = location.target(user, 20).unwrap();
        assert_eq!(rung.contact, "sip:wp7@127.0.0.1:6000");
        assert_eq!(peer.addr, gateway);
        // Not swept; still rung first later on.
        location.sweep(5_000_000);
        assert_eq!(
            location.target(user, 5_000_000).unwrap().0.contact,
            "sip:wp7@127.0.0.1:6000"
        );
        location.unbind_webphone(user, "sip:wp7@127.0.0.1:6000");
        assert_eq!(
            location.target(user, 20).unwrap().0.contact,
            "sip:1001@192.0.2.5:5070"
        );
    }

    #[test]
    fn a_contact_on_the_source_address_is_reached_on_its_own_port() {
        let b = binding("sip:1001@192.0.2.5:5070", "192.0.2.5:40000", 10);
        assert_eq!(b.peer().unwrap().addr, "192.0.2.5:5070".parse().unwrap());
    }

    #[test]
    fn a_contact_behind_nat_is_reached_at_the_source() {
        let b = binding("sip:1001@10.0.0.7:5060", "203.0.113.9:31000", 10);
        assert_eq!(b.peer().unwrap().addr, "203.0.113.9:31000".parse().unwrap());
        let named = binding("sip:1001@phone.example.com", "203.0.113.9:31000", 10);
        assert_eq!(
            named.peer().unwrap().addr,
            "203.0.113.9:31000".parse().unwrap()
        );
    }

    #[test]
    fn refreshing_a_contact_replaces_it_and_removal_lapses_it() {
        let mut location = Location::new();
        let user = UserId(7);
        let rows = location.apply(
            user,
            AOR,
            vec![Change::Upsert(Box::new(binding(
                "sip:a@192.0.2.5",
                "192.0.2.5:5060",
                1_000,
            )))],
            0,
        );
        assert_eq!(rows.len(), 1);
        location.apply(
            user,
            AOR,
            vec![Change::Upsert(Box::new(binding(
                "sip:a@192.0.2.5",
                "192.0.2.5:5060",
                2_000,
            )))],
            0,
        );
        assert_eq!(location.bindings(AOR, 0).len(), 1);
        assert_eq!(location.bindings(AOR, 0)[0].expires_at_ms, 2_000);
        let rows = location.apply(user, AOR, vec![Change::RemoveAll], 5);
        assert_eq!(rows[0].expires_at_ms, 5);
        assert!(!location.is_registered(user, 5));
        assert_eq!(location.len(), 0);
    }

    #[test]
    fn a_refresh_is_written_only_when_the_stored_expiry_runs_short() {
        let mut location = Location::new();
        let user = UserId(7);
        let contact = "sip:a@192.0.2.5";
        let mut apply = |expires_at_ms, now_ms| {
            let b = binding(contact, "192.0.2.5:5060", expires_at_ms);
            location
                .apply(user, AOR, vec![Change::Upsert(Box::new(b))], now_ms)
                .len()
        };
        assert_eq!(apply(3_600_000, 0), 1, "a new binding is written");
        assert_eq!(apply(3_610_000, 10_000), 0, "stored until 3600 s: enough");
        assert_eq!(
            apply(5_400_000, 1_800_000),
            0,
            "half of the new period still stored"
        );
        assert_eq!(
            apply(5_500_000, 1_900_000),
            1,
            "stored expiry runs short: written"
        );
        let mut moved = binding(contact, "192.0.2.9:5060", 5_500_000);
        moved.updated_ms = 1;
        let rows = location.apply(user, AOR, vec![Change::Upsert(Box::new(moved))], 1_900_000);
        assert_eq!(rows.len(), 1, "a binding from another source is written");
    }

    #[test]
    fn the_highest_q_then_latest_binding_is_rung() {
        let mut location = Location::new();
        let user = UserId(7);
        let mut low = binding("sip:a@192.0.2.5", "192.0.2.5:5060", 1_000);
        low.q = 500;
        low.updated_ms = 9;
        let high = binding("sip:b@192.0.2.6", "192.0.2.6:5060", 1_000);
        location.apply(
            user,
            AOR,
            vec![
                Change::Upsert(Box::new(low)),
                Change::Upsert(Box::new(high)),
            ],
            0,
        );
        let (chosen, _) = location.target(user, 0).unwrap();
        assert_eq!(chosen.contact, "sip:b@192.0.2.6");
        assert!(location.target(user, 1_000).is_none());
    }
}
