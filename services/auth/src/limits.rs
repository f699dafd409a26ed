//! Per-key rate limits: a token bucket per key, so one caller (a runaway feed, a scraping script,
//! a stolen key) cannot take the service from everyone else. Refusals say when to come back.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A rate and how much of it may be spent at once.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// Sustained units per second.
    pub per_second: f64,
    /// Units that may be spent at once after a quiet spell.
    pub burst: f64,
}

impl Rate {
    pub fn validate(&self, name: &str) -> Result<(), String> {
        if !(self.per_second.is_finite() && self.per_second > 0.0) {
            return Err(format!("`{name}.per_second` must be above 0"));
        }
        if !(self.burst.is_finite() && self.burst >= 1.0) {
            return Err(format!("`{name}.burst` must be at least 1"));
        }
        Ok(())
    }
}

/// Token buckets keyed by a caller's key id. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct RateLimiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets kept before idle (full) ones are dropped.
const MAX_BUCKETS: usize = 100_000;

impl RateLimiter {
    pub fn new(rate: Rate) -> Self {
        Self { rate, buckets: Mutex::new(HashMap::new()) }
    }

    /// Spends `cost` units of `key`'s bucket now, or says how long until it could.
    pub fn try_take(&self, key: &str, cost: f64) -> Result<(), Duration> {
        self.try_take_at(key, cost, Instant::now())
    }

    fn try_take_at(&self, key: &str, cost: f64, now: Instant) -> Result<(), Duration> {
        let rate = self.rate;
        let cost = cost.min(rate.burst);
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(key) {
            buckets.retain(|_, bucket| refilled(*bucket, rate, now) < rate.burst);
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket { tokens: rate.burst, updated: now });
        let tokens = refilled(*bucket, rate, now);
        if tokens >= cost {
            *bucket = Bucket { tokens: tokens - cost, updated: now };
            Ok(())
        } else {
            *bucket = Bucket { tokens, updated: now };
            Err(Duration::from_secs_f64((cost - tokens) / rate.per_second))
        }
    }

    /// Waits until `cost` units can be spent, then spends them (backpressure for streams).
    pub async fn take(&self, key: &str, cost: f64) {
        while let Err(wait) = self.try_take(key, cost) {
            tokio::time::sleep(wait).await;
        }
    }
}

fn refilled(bucket: Bucket, rate: Rate, now: Instant) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
    (bucket.tokens + elapsed * rate.per_second).min(rate.burst)
}

/// Whole seconds to put in `Retry-After` (at least 1).
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

/// `status` with `retry-after` metadata saying when to come back (every surface's refusals over a
/// limit go through here).
pub fn status_with_retry_after(mut status: tonic::Status, wait: Duration) -> tonic::Status {
    if let Ok(value) = retry_after_secs(wait).to_string().parse() {
        status.metadata_mut().insert("retry-after", value);
    }
    status
}

/// Adds `Retry-After` to an HTTP refusal over a limit.
pub fn add_retry_after_header(response: &mut axum::response::Response, wait: Duration) {
    response.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after_secs(wait).into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_rate_and_each_key_has_its_own_bucket() {
        let limiter = RateLimiter::new(Rate { per_second: 2.0, burst: 3.0 });
        let start = Instant::now();
        for _ in 0..3 {
            limiter.try_take_at("a", 1.0, start).unwrap();
        }
        let wait = limiter.try_take_at("a", 1.0, start).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(limiter.try_take_at("b", 1.0, start).is_ok(), "another key is not held back");
        assert!(limiter.try_take_at("a", 1.0, start + Duration::from_millis(500)).is_ok());
        assert!(limiter.try_take_at("a", 1.0, start + Duration::from_millis(500)).is_err());
        assert!(limiter.try_take_at("a", 3.0, start + Duration::from_secs(10)).is_ok(), "refilled to the burst");
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(2_100)), 3);
    }

    #[test]
    fn a_cost_above_the_burst_is_charged_as_the_burst() {
        let limiter = RateLimiter::new(Rate { per_second: 10.0, burst: 100.0 });
        assert!(limiter.try_take("big", 1_000.0).is_ok());
        assert!(limiter.try_take("big", 1.0).is_err());
    }

    #[test]
    fn bad_rates_are_refused() {
        assert!(Rate { per_second: 0.0, burst: 1.0 }.validate("limits.requests").is_err());
        assert!(Rate { per_second: 1.0, burst: 0.5 }.validate("limits.requests").is_err());
        assert!(Rate { per_second: f64::NAN, burst: 1.0 }.validate("limits.requests").is_err());
    }
}
