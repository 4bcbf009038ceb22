//! The portal's settings and its in-memory rate limiters.
//!
//! Per network address the limits live in this process's memory only, keyed by the address
//! (IPv6 by its /64 prefix), never written to the database or the log; they reset when the
//! server restarts.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Sweep idle addresses once the limiter tracks this many.
const LIMITER_SWEEP_AT: usize = 4096;

/// How many requests of one kind one key may make within a sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window: Duration,
}

impl RateLimit {
    pub const fn new(max: u32, window: Duration) -> Self {
        RateLimit { max, window }
    }
}

/// The portal's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalConfig {
    /// The address the public reaches the site at (`https://xxgk.example.gov.cn`), which the QR
    /// codes encode. `None`: taken from the request's `Host` header.
    pub public_base_url: Option<String>,
    /// Submissions per network address (default 3 per 10 minutes) before that sender must solve
    /// a proof of work for each further one (issue 13, finding 5: a sender is slowed, nobody
    /// else is refused).
    pub submissions_per_address: RateLimit,
    /// Submissions per unit from everyone (default 20 per hour): crossing it alerts the staff
    /// (an audit entry) but refuses nobody.
    pub submissions_per_unit: RateLimit,
    /// Leading zero bits of the proof of work (default 16: about 65,000 SHA-256 hashes, a
    /// second or so in a browser).
    pub proof_bits: u32,
    /// Receipt-code lookups per network address (default 30 per 10 minutes).
    pub lookups_per_address: RateLimit,
    /// Behind a reverse proxy: the client is the last address of `X-Forwarded-For`. Only
    /// enable when a proxy sets it, or any client could pick its own address.
    pub trust_forwarded_for: bool,
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            public_base_url: None,
            submissions_per_address: RateLimit::new(3, Duration::from_secs(10 * 60)),
            submissions_per_unit: RateLimit::new(20, Duration::from_secs(60 * 60)),
            proof_bits: 16,
            lookups_per_address: RateLimit::new(30, Duration::from_secs(10 * 60)),
            trust_forwarded_for: false,
        }
    }
}

impl PortalConfig {
    /// The defaults, with `RECTIFY_PUBLIC_BASE_URL` and `RECTIFY_TRUST_FORWARDED_FOR=1` from the
    /// environment, so that `rectify serve` can be configured without new flags.
    pub fn from_env() -> Self {
        let base = std::env::var("RECTIFY_PUBLIC_BASE_URL").ok().map(|u| u.trim().trim_end_matches('/').to_owned());
        PortalConfig {
            public_base_url: base.filter(|u| u.starts_with("http://") || u.starts_with("https://")),
            trust_forwarded_for: std::env::var("RECTIFY_TRUST_FORWARDED_FOR").is_ok_and(|v| v == "1"),
            ..PortalConfig::default()
        }
    }
}

/// The portal's share of the application state: its settings and the in-memory limiters.
#[derive(Debug, Clone)]
pub(crate) struct Portal {
    pub(crate) config: Arc<PortalConfig>,
    pub(crate) submissions: Arc<Limiter>,
    pub(crate) lookups: Arc<Limiter>,
    /// Proof-of-work challenges already spent, until they expire.
    pub(crate) spent: Arc<SpentChallenges>,
}

impl Portal {
    pub(crate) fn new(config: PortalConfig) -> Self {
        Portal { config: Arc::new(config), submissions: Arc::default(), lookups: Arc::default(), spent: Arc::default() }
    }
}

impl Default for Portal {
    fn default() -> Self {
        Portal::new(PortalConfig::from_env())
    }
}

/// Sliding-window counters per network address, in memory only.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    hits: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl Limiter {
    /// Counts a request of `key` unless it already made `limit.max` within the window; on
    /// refusal, how long until the oldest of them expires.
    pub(crate) fn hit(&self, key: IpAddr, limit: RateLimit, now: Instant) -> Result<(), Duration> {
        let mut hits = self.hits.lock().unwrap_or_else(PoisonError::into_inner);
        let live = |t: &Instant| now.saturating_duration_since(*t) < limit.window;
        if hits.len() >= LIMITER_SWEEP_AT {
            hits.retain(|_, queue| queue.back().is_some_and(live));
        }
        let queue = hits.entry(key).or_default();
        while queue.front().is_some_and(|t| !live(t)) {
            queue.pop_front();
        }
        if queue.len() >= limit.max as usize {
            let oldest = queue.front().map_or(Duration::ZERO, |t| now.saturating_duration_since(*t));
            return Err(limit.window.saturating_sub(oldest));
        }
        queue.push_back(now);
        Ok(())
    }
}

/// How long a proof-of-work challenge stays valid.
pub(crate) const CHALLENGE_MAX_AGE: Duration = Duration::from_secs(10 * 60);

/// The proof-of-work challenges used within their lifetime, in memory: a challenge is spent once.
/// With several app servers a challenge could be spent once on each; the work is still paid for
/// every server, so the cost stays bounded.
#[derive(Debug, Default)]
pub(crate) struct SpentChallenges {
    spent: Mutex<HashMap<String, Instant>>,
}

impl SpentChallenges {
    /// Marks `challenge` as spent; `false` when it already was.
    pub(crate) fn spend(&self, challenge: &str, now: Instant) -> bool {
        let mut spent = self.spent.lock().unwrap_or_else(PoisonError::into_inner);
        if spent.len() >= LIMITER_SWEEP_AT {
            spent.retain(|_, at| now.saturating_duration_since(*at) < CHALLENGE_MAX_AGE);
        }
        spent.insert(challenge.to_owned(), now).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_slides_and_keeps_keys_apart() {
        let limiter = Limiter::default();
        let limit = RateLimit::new(2, Duration::from_secs(60));
        let (a, b) = (IpAddr::from([192, 0, 2, 1]), IpAddr::from([192, 0, 2, 2]));
        let t0 = Instant::now();
        assert!(limiter.hit(a, limit, t0).is_ok());
        assert!(limiter.hit(a, limit, t0 + Duration::from_secs(10)).is_ok());
        let wait = limiter.hit(a, limit, t0 + Duration::from_secs(20)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(40), "until the first hit leaves the window");
        assert!(limiter.hit(b, limit, t0 + Duration::from_secs(20)).is_ok(), "another address is not limited");
        assert!(limiter.hit(a, limit, t0 + Duration::from_secs(61)).is_ok(), "the first hit expired");
    }
}
