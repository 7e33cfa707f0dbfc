//! Self-validating nonces: the server keeps no per-challenge state, any node holding the secret
//! can check a nonce, and a restart loses nothing.
//!
//! Layout before hex encoding (41 bytes, 82 hex digits):
//! `issued` (u64 seconds since the UNIX epoch, big-endian) · `offered` (one bit per algorithm
//! the challenge offered, so that a client cannot pick one the server did not offer) ·
//! 16 random bytes from the caller · the first 16 bytes of HMAC-SHA-256(secret, the 25 bytes
//! before it · realm). Binding the realm stops a nonce issued for one tenant's realm being used
//! in another's.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::{Algorithm, hex};

const HEAD_LEN: usize = 8 + 1 + RANDOM_LEN;
const RANDOM_LEN: usize = 16;
const MAC_LEN: usize = 16;
const NONCE_LEN: usize = HEAD_LEN + MAC_LEN;

/// What a valid nonce says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NonceInfo {
    /// Issue time, whole seconds since the UNIX epoch.
    pub issued: u64,
    offered: u8,
}

impl NonceInfo {
    pub(crate) fn offered(&self, algorithm: Algorithm) -> bool {
        self.offered & bit(algorithm) != 0
    }
}

fn bit(algorithm: Algorithm) -> u8 {
    1 << algorithm.rank()
}

/// Issues and opens nonces with one server secret.
#[derive(Clone)]
pub(crate) struct NonceKey {
    mac: Hmac<Sha256>,
}

impl NonceKey {
    pub(crate) fn new(secret: &[u8]) -> NonceKey {
        NonceKey {
            mac: Hmac::new_from_slice(secret).expect("HMAC accepts keys of any length"),
        }
    }

    pub(crate) fn issue(
        &self,
        issued: u64,
        offered: &[Algorithm],
        random: [u8; RANDOM_LEN],
        realm: &str,
    ) -> String {
        let mut bytes = Vec::with_capacity(NONCE_LEN);
        bytes.extend_from_slice(&issued.to_be_bytes());
        bytes.push(offered.iter().fold(0, |mask, a| mask | bit(*a)));
        bytes.extend_from_slice(&random);
        let tag = self.tag(&bytes, realm);
        bytes.extend_from_slice(tag.get(..MAC_LEN).unwrap_or(&tag));
        hex::encode(&bytes)
    }

    /// Checks the MAC; `None` for anything this key did not issue for `realm`.
    pub(crate) fn open(&self, nonce: &str, realm: &str) -> Option<NonceInfo> {
        let bytes = hex::decode(nonce)?;
        if bytes.len() != NONCE_LEN {
            return None;
        }
        let (head, tag) = bytes.split_at(HEAD_LEN);
        let mut mac = self.mac.clone();
        mac.update(head);
        mac.update(realm.as_bytes());
        mac.verify_truncated_left(tag).ok()?;
        let (issued, rest) = head.split_first_chunk::<8>()?;
        Some(NonceInfo {
            issued: u64::from_be_bytes(*issued),
            offered: *rest.first()?,
        })
    }

    fn tag(&self, head: &[u8], realm: &str) -> Vec<u8> {
        let mut mac = self.mac.clone();
        mac.update(head);
        mac.update(realm.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_nonce_opens_with_its_time_and_offer() {
        let key = NonceKey::new(b"secret");
        let nonce = key.issue(1234, &[Algorithm::Sha256], [9; 16], "realm");
        let info = key.open(&nonce, "realm").expect("own nonce opens");
        assert_eq!(info.issued, 1234);
        assert!(info.offered(Algorithm::Sha256));
        assert!(!info.offered(Algorithm::Md5));
    }

    #[test]
    fn nonce_does_not_open_for_another_realm() {
        let key = NonceKey::new(b"secret");
        let nonce = key.issue(1234, &[Algorithm::Md5], [9; 16], "tenant-a");
        assert_eq!(key.open(&nonce, "tenant-b"), None);
    }

    #[test]
    fn flipped_time_bit_breaks_the_mac() {
        let key = NonceKey::new(b"secret");
        let nonce = key.issue(1234, &[Algorithm::Md5], [9; 16], "r");
        let forged = format!("{}{}", "f", nonce.get(1..).unwrap_or_default());
        assert_eq!(key.open(&forged, "r"), None);
    }
}
