//! When a failed read is worth another try, and after how long. Writes are never retried
//! here: repeating a create could make a second metric.

use std::time::Duration;

use crate::error::ApiError;

/// Bounded exponential backoff for reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled for each later one.
    pub base: Duration,
    /// Longest wait between attempts, also the longest `Retry-After` honoured.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base: Duration::from_millis(400),
            max_delay: Duration::from_secs(15),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before attempt `attempts_made + 1` after `error`, or `None` to stop.
    /// Network failures, timeouts and 5xx back off exponentially; a 429 waits the seconds
    /// PostHog gives (if not longer than `max_delay`); anything else is final.
    pub fn delay(&self, attempts_made: u32, error: &ApiError) -> Option<Duration> {
        if attempts_made >= self.max_attempts {
            return None;
        }
        let backoff = || {
            let factor = 2u32.saturating_pow(attempts_made.saturating_sub(1));
            Some(self.base.saturating_mul(factor).min(self.max_delay))
        };
        match error {
            ApiError::Network { .. } | ApiError::Timeout { .. } | ApiError::Server { .. } => {
                backoff()
            }
            ApiError::Throttled {
                retry_after: Some(s),
            } => {
                let wait = Duration::from_secs(u64::from(*s));
                (wait <= self.max_delay).then_some(wait)
            }
            ApiError::Throttled { retry_after: None } => backoff(),
            _ => None,
        }
    }
}
