//! Random bytes from the operating system's generator, fetched a few kilobytes at a time:
//! every digest challenge needs 16 fresh bytes and every call an SDP session id, and one
//! `getrandom` call per kilobyte instead of per use keeps that off the REGISTER budget.

/// Bytes fetched per refill.
const POOL: usize = 4096;

/// A buffer of random bytes, refilled from `getrandom` when used up.
#[derive(Debug)]
pub(crate) struct RandomPool {
    bytes: Box<[u8; POOL]>,
    used: usize,
}

impl RandomPool {
    /// An empty pool (filled on first use).
    pub(crate) fn new() -> RandomPool {
        RandomPool {
            bytes: Box::new([0; POOL]),
            used: POOL,
        }
    }

    /// `N` random bytes. Fails only when the operating system's generator does.
    pub(crate) fn take<const N: usize>(&mut self) -> Result<[u8; N], getrandom::Error> {
        const { assert!(N <= POOL) };
        if self.used + N > POOL {
            getrandom::fill(&mut self.bytes[..])?;
            self.used = 0;
        }
        let mut out = [0; N];
        out.copy_from_slice(&self.bytes[self.used..self.used + N]);
        // Never hand the same bytes out twice.
        self.bytes[self.used..self.used + N].fill(0);
        self.used += N;
        Ok(out)
    }

    /// A random `u64`.
    pub(crate) fn u64(&mut self) -> Result<u64, getrandom::Error> {
        self.take::<8>().map(u64::from_le_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_differ_and_span_refills() {
        let mut pool = RandomPool::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..(2 * POOL / 16) {
            assert!(seen.insert(pool.take::<16>().unwrap()));
        }
    }
}
