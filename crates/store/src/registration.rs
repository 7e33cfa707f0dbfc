//! The SIP location service: bindings of an address-of-record (AOR) to contacts, with where the
//! REGISTER really came from (source address and transport), because behind NAT that, not the
//! Contact URI, is where INVITEs must go. Bindings are persisted so a restart keeps them.
//!
//! The registrar (in the server) decides; this stores. Writes come in batches
//! ([`TenantStore::upsert_registrations`]) so 10,000 REGISTERs a second cost a few transactions.

use std::collections::HashMap;
use std::net::SocketAddr;

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::db::{Store, get, get_parsed, insert_chunked};
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::tenant::TenantStore;
use crate::text_enum::text_enum;

/// The transport a REGISTER arrived on (and responses and INVITEs go back on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
    /// TLS over TCP.
    Tls,
    /// WebSocket.
    Ws,
    /// Secure WebSocket.
    Wss,
}

text_enum!(Transport, "transport",
    Udp => "udp",
    Tcp => "tcp",
    Tls => "tls",
    Ws => "ws",
    Wss => "wss",
);

/// A binding to write (insert, or refresh the one with the same AOR and contact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegistration {
    /// The authenticated user the binding belongs to.
    pub user_id: UserId,
    /// The address-of-record (`sip:1001@plateau.local`).
    pub aor: String,
    /// The Contact URI as registered.
    pub contact: String,
    /// When the binding lapses (unix ms).
    pub expires_at_ms: i64,
    /// Where the REGISTER came from: requests to this contact go there.
    pub source: SocketAddr,
    /// The transport it came on.
    pub transport: Transport,
    /// The REGISTER's Call-ID.
    pub call_id: String,
    /// The REGISTER's CSeq number.
    pub cseq: u32,
    /// `+sip.instance` (RFC 5626), if given.
    pub instance: Option<String>,
    /// `reg-id` (RFC 5626), if given.
    pub reg_id: Option<u32>,
    /// The User-Agent header, if given.
    pub user_agent: Option<String>,
}

/// A stored binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The binding as written.
    pub binding: NewRegistration,
    /// When it was last written (unix ms).
    pub updated_at_ms: i64,
}

macro_rules! registration_columns {
    () => {
        "user_id, aor, contact, expires_at_ms, source, transport, call_id, cseq, instance, \
         reg_id, user_agent, updated_at_ms"
    };
}

impl Registration {
    fn from_row(row: &AnyRow) -> Result<Self> {
        let reg_id: Option<i64> = get(row, "reg_id")?;
        Ok(Registration {
            binding: NewRegistration {
                user_id: UserId(get(row, "user_id")?),
                aor: get(row, "aor")?,
                contact: get(row, "contact")?,
                expires_at_ms: get(row, "expires_at_ms")?,
                source: get_parsed(row, "source")?,
                transport: get_parsed(row, "transport")?,
                call_id: get(row, "call_id")?,
                cseq: crate::db::get_u32(row, "cseq")?,
                instance: get(row, "instance")?,
                reg_id: reg_id
                    .map(u32::try_from)
                    .transpose()
                    .map_err(|e| Error::corrupt("reg_id", e))?,
                user_agent: get(row, "user_agent")?,
            },
            updated_at_ms: get(row, "updated_at_ms")?,
        })
    }
}

impl TenantStore {
    /// Writes bindings in one transaction: each one inserted, or refreshed if its AOR already
    /// has that contact. When a batch holds the same binding twice, the later one wins.
    pub async fn upsert_registrations(
        &self,
        bindings: &[NewRegistration],
        now_ms: i64,
    ) -> Result<()> {
        // PostgreSQL refuses to touch one row twice in one statement: keep the last of each.
        let mut last: HashMap<(&str, &str), usize> = HashMap::with_capacity(bindings.len());
        for (i, b) in bindings.iter().enumerate() {
            last.insert((&b.aor, &b.contact), i);
        }
        let mut kept: Vec<&NewRegistration> = bindings
            .iter()
            .enumerate()
            .filter(|(i, b)| last.get(&(b.aor.as_str(), b.contact.as_str())) == Some(i))
            .map(|(_, b)| b)
            .collect();
        // A fixed order keeps concurrent writers (several nodes) from deadlocking.
        kept.sort_by(|a, b| (&a.aor, &a.contact).cmp(&(&b.aor, &b.contact)));

        let tid = self.tid();
        let mut tx = self.store.write().await?;
        insert_chunked(
            tx.conn(),
            "INSERT INTO registrations (tenant_id, updated_at_ms, user_id, aor, contact, \
             expires_at_ms, source, transport, call_id, cseq, instance, reg_id, user_agent) \
             VALUES {values} \
             ON CONFLICT (tenant_id, aor, contact) DO UPDATE SET \
             user_id = excluded.user_id, expires_at_ms = excluded.expires_at_ms, \
             source = excluded.source, transport = excluded.transport, \
             call_id = excluded.call_id, cseq = excluded.cseq, \
             instance = excluded.instance, reg_id = excluded.reg_id, \
             user_agent = excluded.user_agent, updated_at_ms = excluded.updated_at_ms",
            2,
            11,
            &kept,
            |q| q.bind(tid).bind(now_ms),
            |q, b| {
                q.bind(b.user_id.0)
                    .bind(&b.aor)
                    .bind(&b.contact)
                    .bind(b.expires_at_ms)
                    .bind(b.source.to_string())
                    .bind(b.transport.as_str())
                    .bind(&b.call_id)
                    .bind(i64::from(b.cseq))
                    .bind(b.instance.as_deref())
                    .bind(b.reg_id.map(i64::from))
                    .bind(b.user_agent.as_deref())
            },
        )
        .await?;
        tx.commit().await
    }

    /// Writes one binding (see [`TenantStore::upsert_registrations`]).
    pub async fn upsert_registration(&self, binding: &NewRegistration, now_ms: i64) -> Result<()> {
        self.upsert_registrations(std::slice::from_ref(binding), now_ms)
            .await
    }

    /// Removes one binding; whether it existed.
    pub async fn remove_registration(&self, aor: &str, contact: &str) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM registrations WHERE tenant_id = $1 AND aor = $2 AND contact = $3",
        )
        .bind(self.tid())
        .bind(aor)
        .bind(contact)
        .execute(self.store.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Removes every binding of an AOR (`Contact: *`); how many there were.
    pub async fn remove_registrations(&self, aor: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM registrations WHERE tenant_id = $1 AND aor = $2")
            .bind(self.tid())
            .bind(aor)
            .execute(self.store.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// The live bindings of an AOR (not expired at `now_ms`).
    pub async fn registrations(&self, aor: &str, now_ms: i64) -> Result<Vec<Registration>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            registration_columns!(),
            " FROM registrations WHERE tenant_id = $1 AND aor = $2 AND expires_at_ms > $3 \
             ORDER BY contact"
        ))
        .bind(self.tid())
        .bind(aor)
        .bind(now_ms)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Registration::from_row).collect()
    }

    /// The live bindings of a user's AORs.
    pub async fn user_registrations(
        &self,
        user_id: UserId,
        now_ms: i64,
    ) -> Result<Vec<Registration>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            registration_columns!(),
            " FROM registrations WHERE tenant_id = $1 AND user_id = $2 AND expires_at_ms > $3 \
             ORDER BY aor, contact"
        ))
        .bind(self.tid())
        .bind(user_id.0)
        .bind(now_ms)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Registration::from_row).collect()
    }

    /// Every live binding of the tenant (to rebuild the location service at start).
    pub async fn live_registrations(&self, now_ms: i64) -> Result<Vec<Registration>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            registration_columns!(),
            " FROM registrations WHERE tenant_id = $1 AND expires_at_ms > $2 \
             ORDER BY aor, contact"
        ))
        .bind(self.tid())
        .bind(now_ms)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Registration::from_row).collect()
    }
}

impl Store {
    /// Deletes bindings expired at `now_ms`, in every tenant (housekeeping: it returns only a
    /// count); how many went.
    pub async fn purge_expired_registrations(&self, now_ms: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM registrations WHERE expires_at_ms <= $1")
            .bind(now_ms)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports_round_trip_through_their_stored_names() {
        for t in ["udp", "tcp", "tls", "ws", "wss"] {
            assert_eq!(t.parse::<Transport>().unwrap().as_str(), t);
        }
        assert!("sctp".parse::<Transport>().is_err());
    }
}
