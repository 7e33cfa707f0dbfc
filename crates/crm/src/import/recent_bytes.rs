//! Remembers the last bytes handed to the CSV parser, so the reader can tell whether a record
//! ended with a newline. The `csv` crate reports where it *started looking* for a record, which
//! is before any blank lines it skipped; counting back from the record's end needs to know if
//! that end was a `\n`.

use std::io::{self, Read};

/// Bytes kept: more than the CSV parser's read-ahead buffer, so the byte just before its
/// position is always still here.
pub(super) const KEPT: usize = 2 * super::CSV_BUFFER;

/// A reader that keeps the last [`KEPT`] bytes it returned.
pub(super) struct RecentBytes<R> {
    inner: R,
    ring: Box<[u8; KEPT]>,
    total: u64,
}

impl<R: Read> RecentBytes<R> {
    pub(super) fn new(inner: R) -> Self {
        RecentBytes {
            inner,
            ring: Box::new([0; KEPT]),
            total: 0,
        }
    }

    /// The byte at `offset` from the start of the input, if read and still kept.
    pub(super) fn byte_at(&self, offset: u64) -> Option<u8> {
        let kept_from = self.total.saturating_sub(KEPT as u64);
        if offset < kept_from || offset >= self.total {
            return None;
        }
        let at = usize::try_from(offset % KEPT as u64).ok()?;
        self.ring.get(at).copied()
    }
}

impl<R: Read> Read for RecentBytes<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let fresh = buf.get(..n).unwrap_or_default();
        // Only the tail of a read larger than the ring can matter.
        let skip = fresh.len().saturating_sub(KEPT);
        let mut offset = self.total + skip as u64;
        let mut rest = fresh.get(skip..).unwrap_or_default();
        while !rest.is_empty() {
            let at = usize::try_from(offset % KEPT as u64).unwrap_or(0);
            let room = KEPT - at;
            let (now, later) = rest.split_at(room.min(rest.len()));
            if let Some(slot) = self.ring.get_mut(at..at + now.len()) {
                slot.copy_from_slice(now);
            }
            offset += now.len() as u64;
            rest = later;
        }
        self.total += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_bytes_are_kept_across_the_ring_boundary() {
        let data: Vec<u8> = (0..KEPT * 3 + 17).map(|i| (i % 251) as u8).collect();
        let mut r = RecentBytes::new(&data[..]);
        let mut buf = vec![0; 5000];
        while r.read(&mut buf).unwrap() > 0 {}
        let total = data.len() as u64;
        assert_eq!(r.byte_at(total - 1), Some(data[data.len() - 1]));
        assert_eq!(
            r.byte_at(total - KEPT as u64),
            Some(data[data.len() - KEPT])
        );
        assert_eq!(r.byte_at(total - KEPT as u64 - 1), None);
        assert_eq!(r.byte_at(total), None);
    }
}
