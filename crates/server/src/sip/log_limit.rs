//! A budget for log lines about bad input, so that a flood of garbage cannot flood the logs:
//! each rejected message is counted in the metrics, but only the first few per second are
//! described in the log, and the next line says how many went unlogged.

use std::time::{Duration, Instant};

/// Lines allowed per window.
const LINES_PER_WINDOW: u32 = 20;
/// The window.
const WINDOW: Duration = Duration::from_secs(1);

/// Decides whether a line about bad input may be written now.
#[derive(Debug)]
pub(crate) struct LogLimit {
    window_start: Option<Instant>,
    written: u32,
    suppressed: u64,
}

impl LogLimit {
    pub(crate) fn new() -> LogLimit {
        LogLimit {
            window_start: None,
            written: 0,
            suppressed: 0,
        }
    }

    /// `Some(n)` when a line may be written, `n` being how many were suppressed before it;
    /// `None` when this one must be suppressed.
    pub(crate) fn allow(&mut self, now: Instant) -> Option<u64> {
        let fresh = self
            .window_start
            .is_none_or(|start| now.saturating_duration_since(start) >= WINDOW);
        if fresh {
            self.window_start = Some(now);
            self.written = 0;
        }
        if self.written >= LINES_PER_WINDOW {
            self.suppressed += 1;
            return None;
        }
        self.written += 1;
        Some(std::mem::take(&mut self.suppressed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_past_the_budget_are_suppressed_and_counted_on_the_next_window() {
        let t0 = Instant::now();
        let mut limit = LogLimit::new();
        for _ in 0..LINES_PER_WINDOW {
            assert_eq!(limit.allow(t0), Some(0));
        }
        assert_eq!(limit.allow(t0), None);
        assert_eq!(limit.allow(t0), None);
        assert_eq!(limit.allow(t0 + WINDOW), Some(2));
    }
}
