//! The rate limit: one token bucket per party for requests signed in with a token the node has
//! accepted, one per client address (see `client_address.rs`) for everything else. A token is
//! charged to its party only once it has been seen to work (the first request with it is
//! charged to the address), so made-up tokens cannot open fresh buckets. Buckets of keys that
//! have been quiet long enough to be full again, and parties learnt from tokens long ago, are
//! evicted at most once a minute, so the tables do not grow with every address ever seen.

use std::{
    collections::HashMap,
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    extract::{Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use redline_node::Node;
use sha2::{Digest, Sha256};

use crate::{client_address::ClientOrigin, error, metrics::HttpMetrics};

/// How often quiet keys are evicted.
const EVICTION_INTERVAL: Duration = Duration::from_secs(60);
/// How long a token seen to work is charged to its party before it is checked again.
const KNOWN_TOKEN_LIFETIME: Duration = Duration::from_secs(600);
/// The most tokens remembered at once; past it the table starts again from empty.
const MAXIMUM_KNOWN_TOKENS: usize = 100_000;

/// Whose bucket a request is charged to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum RateLimitKey {
    Party(String),
    Address(IpAddr),
}

/// The keyed limiter and what it learnt about tokens.
pub(crate) struct PartyOrAddressLimiter {
    limiter: DefaultKeyedRateLimiter<RateLimitKey>,
    node: Arc<Node>,
    metrics: Arc<HttpMetrics>,
    /// SHA-256 of a token the node accepted → its party, and when that was learnt.
    known_tokens: Mutex<HashMap<[u8; 32], (String, Instant)>>,
    last_eviction: Mutex<Instant>,
}

impl PartyOrAddressLimiter {
    /// A limiter allowing `per_second` requests a second per key with bursts of `burst`;
    /// `None` when `per_second` is 0 (no limit).
    pub(crate) fn new(
        node: Arc<Node>,
        metrics: Arc<HttpMetrics>,
        per_second: u64,
        burst: u32,
    ) -> Option<Self> {
        let nanoseconds = 1_000_000_000u64.checked_div(per_second)?;
        let period = Duration::from_nanos(nanoseconds.max(1));
        let quota = Quota::with_period(period)?.allow_burst(NonZeroU32::new(burst.max(1))?);
        Some(Self {
            limiter: RateLimiter::keyed(quota),
            node,
            metrics,
            known_tokens: Mutex::new(HashMap::new()),
            last_eviction: Mutex::new(Instant::now()),
        })
    }

    /// The key of a request: its token's party if the token is known, else its address.
    fn key_of(&self, token_digest: Option<&[u8; 32]>, address: IpAddr) -> RateLimitKey {
        let party = token_digest.and_then(|digest| {
            let known = self.known_tokens.lock().ok()?;
            let (party, learnt_at) = known.get(digest)?;
            (learnt_at.elapsed() < KNOWN_TOKEN_LIFETIME).then(|| party.clone())
        });
        party.map_or(RateLimitKey::Address(address), RateLimitKey::Party)
    }

    /// Charges one request to `key`; the whole seconds to wait when its bucket is empty.
    fn charge(&self, key: &RateLimitKey) -> Result<(), u64> {
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.limiter.clock().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }

    /// After a request with a token the node did not refuse: asks the node whose it is (the
    /// node remembers tokens it verified, so this costs no second Argon2 run) and remembers it.
    async fn learn_token(&self, token: &str, digest: [u8; 32]) {
        let Ok(party) = self.node.authenticate(token).await else {
            return;
        };
        if let Ok(mut known) = self.known_tokens.lock() {
            if known.len() >= MAXIMUM_KNOWN_TOKENS {
                known.clear();
            }
            known.insert(digest, (party.as_str().to_string(), Instant::now()));
        }
    }

    /// Evicts quiet buckets and stale tokens, at most once per [`EVICTION_INTERVAL`].
    fn evict_if_due(&self) {
        let Ok(mut last) = self.last_eviction.lock() else {
            return;
        };
        if last.elapsed() < EVICTION_INTERVAL {
            return;
        }
        *last = Instant::now();
        drop(last);
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
        if let Ok(mut known) = self.known_tokens.lock() {
            known.retain(|_, (_, learnt_at)| learnt_at.elapsed() < KNOWN_TOKEN_LIFETIME);
        }
    }
}

/// Middleware: charges the request to its party or its client address; 429 with `Retry-After`
/// when that bucket is empty.
pub(crate) async fn limit_rate(
    State(limiter): State<Arc<PartyOrAddressLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    limiter.evict_if_due();
    let Some(origin) = request.extensions().get::<ClientOrigin>().copied() else {
        return next.run(request).await;
    };
    let token = bearer_token(&request);
    let digest = token.as_deref().map(digest_of);
    let key = limiter.key_of(digest.as_ref(), origin.address);
    if let Err(wait_time) = limiter.charge(&key) {
        limiter.metrics.count_rate_limited();
        return error::rate_limited(tower_governor::GovernorError::TooManyRequests {
            wait_time,
            headers: None,
        });
    }
    let response = next.run(request).await;
    if let (Some(token), Some(digest), RateLimitKey::Address(_)) = (token, digest, &key)
        && response.status().is_success()
    {
        limiter.learn_token(&token, digest).await;
    }
    response.into_response()
}

/// The bearer token of a request, when it looks like a redline API token.
fn bearer_token(request: &Request) -> Option<String> {
    let text = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let token = text
        .strip_prefix("Bearer ")
        .or_else(|| text.strip_prefix("bearer "))?
        .trim();
    (token.starts_with("rl_") && token.len() <= 256).then(|| token.to_string())
}

fn digest_of(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separate_keys_have_separate_buckets_and_an_empty_one_says_how_long_to_wait() {
        let limiter =
            RateLimiter::keyed(Quota::per_second(NonZeroU32::MIN).allow_burst(NonZeroU32::MIN));
        let first = RateLimitKey::Address("192.0.2.1".parse().expect("address"));
        let second = RateLimitKey::Party("EE".into());
        assert!(limiter.check_key(&first).is_ok());
        assert!(limiter.check_key(&first).is_err());
        assert!(limiter.check_key(&second).is_ok());
        assert_eq!(limiter.len(), 2);
    }

    #[test]
    fn tokens_that_do_not_look_like_redline_tokens_are_not_keys() {
        let request = |value: &str| {
            axum::http::Request::builder()
                .header(header::AUTHORIZATION, value)
                .body(axum::body::Body::empty())
                .expect("request builds")
        };
        assert_eq!(
            bearer_token(&request("Bearer rl_abc_def")).as_deref(),
            Some("rl_abc_def")
        );
        assert_eq!(bearer_token(&request("Bearer something")), None);
        assert_eq!(bearer_token(&request("Basic rl_abc_def")), None);
    }

    #[tokio::test]
    async fn quiet_buckets_are_evicted() {
        let limiter = RateLimiter::keyed(
            Quota::with_period(Duration::from_millis(1))
                .expect("period")
                .allow_burst(NonZeroU32::MIN),
        );
        let key = RateLimitKey::Address("192.0.2.1".parse().expect("address"));
        assert!(limiter.check_key(&key).is_ok());
        tokio::time::sleep(Duration::from_millis(20)).await;
        limiter.retain_recent();
        assert_eq!(limiter.len(), 0);
    }
}
