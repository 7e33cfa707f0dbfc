//! Web passwords: hashed with Argon2id (RustCrypto `argon2`, default parameters, random salt) into
//! a PHC string. A plain password never reaches the database: the user API only accepts a
//! [`PasswordHash`], which can only be made by hashing.
//!
//! Hashing and verifying take tens of milliseconds of CPU on purpose; async callers should run
//! them off the runtime's worker threads (as [`crate::TenantStore::verify_password`] does).

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc};

use crate::error::{Error, Result};

/// An Argon2id PHC string (`$argon2id$v=19$...`). Its `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Hashes `password` with a fresh random salt.
    pub fn hash(password: &str) -> Result<PasswordHash> {
        let hash = Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|e| Error::PasswordHash(e.to_string()))?;
        Ok(PasswordHash(hash.to_string()))
    }

    /// Takes a PHC string read back from storage, checking that it parses.
    pub fn from_phc(phc: &str) -> Result<PasswordHash> {
        phc::PasswordHash::new(phc).map_err(|e| Error::corrupt("password_hash", e))?;
        Ok(PasswordHash(phc.to_owned()))
    }

    /// Whether `password` is the one hashed (in constant time with respect to the password).
    pub fn verify(&self, password: &str) -> bool {
        match phc::PasswordHash::new(&self.0) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }

    /// The PHC string, for storage.
    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hashed_password_verifies_and_others_do_not() {
        let hash = PasswordHash::hash("correct horse").unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$"));
        assert!(hash.verify("correct horse"));
        assert!(!hash.verify("correct horse "));
        assert!(!hash.verify(""));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        let a = PasswordHash::hash("pw").unwrap();
        let b = PasswordHash::hash("pw").unwrap();
        assert_ne!(a.as_phc(), b.as_phc());
    }

    #[test]
    fn debug_output_hides_the_hash() {
        let hash = PasswordHash::hash("pw").unwrap();
        assert!(!format!("{hash:?}").contains("argon2"));
    }

    #[test]
    fn stored_hashes_are_checked_when_read_back() {
        let hash = PasswordHash::hash("pw").unwrap();
        assert!(PasswordHash::from_phc(hash.as_phc()).unwrap().verify("pw"));
        assert!(PasswordHash::from_phc("not a phc string").is_err());
    }
}
