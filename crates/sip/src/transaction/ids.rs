//! Branch ids, tags and Call-IDs from a generator the caller seeds: the engine holds no global
//! RNG, and a test with a fixed seed produces the same messages every run.
//!
//! Uniqueness is what RFC 3261 asks of these values (§8.1.1.7, §19.3), not secrecy; the
//! server seeds the generator from the OS once at start, so values differ across restarts.

/// A SplitMix64 generator (Steele, Lea, Flood 2014): tiny, fast, and every seed gives a
/// full-period sequence, so no two values repeat within 2^64 draws.
#[derive(Debug, Clone)]
pub struct IdGenerator {
    state: u64,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl IdGenerator {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> IdGenerator {
        IdGenerator { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn push_hex(&mut self, out: &mut String, digits: usize) {
        let mut bits = self.next_u64();
        for _ in 0..digits.min(16) {
            out.push(char::from(HEX[(bits & 0xf) as usize]));
            bits >>= 4;
        }
    }

    /// A fresh RFC 3261 branch: the magic cookie and 16 hex digits.
    pub fn branch(&mut self) -> String {
        let mut out = String::with_capacity(23);
        out.push_str(crate::header::MAGIC_COOKIE);
        self.push_hex(&mut out, 16);
        out
    }

    /// A fresh From/To tag (12 hex digits, 48 bits: §19.3 asks for at least 32).
    pub fn tag(&mut self) -> String {
        let mut out = String::with_capacity(12);
        self.push_hex(&mut out, 12);
        out
    }

    /// A fresh Call-ID: 32 hex digits `@ host`.
    pub fn call_id(&mut self, host: &str) -> String {
        let mut out = String::with_capacity(33 + host.len());
        self.push_hex(&mut out, 16);
        self.push_hex(&mut out, 16);
        if !host.is_empty() {
            out.push('@');
            out.push_str(host);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{Transport, Via};
    use crate::host::Host;

    #[test]
    fn branches_carry_the_magic_cookie_and_parse_as_rfc3261() {
        let mut ids = IdGenerator::new(7);
        let branch = ids.branch();
        let via = Via::new(Transport::Udp, Host::parse("h").unwrap(), None, &branch);
        let parsed = Via::parse(&via.to_string()).unwrap();
        assert_eq!(parsed.rfc3261_branch(), Some(branch.as_str()));
    }

    #[test]
    fn the_same_seed_gives_the_same_ids() {
        let (mut a, mut b) = (IdGenerator::new(42), IdGenerator::new(42));
        assert_eq!(a.tag(), b.tag());
        assert_eq!(a.call_id("pbx"), b.call_id("pbx"));
        assert_ne!(a.tag(), a.tag());
    }

    #[test]
    fn call_ids_are_valid_header_values() {
        let mut ids = IdGenerator::new(1);
        let id = ids.call_id("pbx.example.com");
        assert!(crate::header::is_call_id(&id), "{id}");
    }
}
