//! Per-client-IP log-in limiting: at most [`IP_ATTEMPTS`] attempts per
//! [`IP_WINDOW`] from one address (GCRA from the `governor` crate: the burst
//! is the window's allowance and it refills evenly). The per-account lock
//! lives in the database (see [`super::accounts`]).

use crate::error::AppError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// Log-in attempts allowed per IP address per [`IP_WINDOW`].
pub const IP_ATTEMPTS: u32 = 25;
/// The window for [`IP_ATTEMPTS`]: 5 minutes.
pub const IP_WINDOW: Duration = Duration::from_secs(300);

/// Keyed limiter of attempts by client IP (log-ins, sign-ups, "Forgot
/// password?"): in process, or shared by every instance through Redis
/// ([`LoginThrottle::shared`]).
#[derive(Debug)]
pub struct LoginThrottle {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    attempts: u32,
    period: Duration,
    /// The Redis link and this limiter's key prefix, when shared.
    redis: Option<(std::sync::Arc<crate::cluster::RedisLink>, &'static str)>,
}

impl LoginThrottle {
    /// `attempts` per `window` per IP.
    pub fn new(attempts: u32, window: Duration) -> Self {
        let burst = NonZeroU32::new(attempts.max(1)).unwrap_or(NonZeroU32::MIN);
        let period = window / burst.get();
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            limiter: RateLimiter::keyed(quota),
            attempts: burst.get(),
            period,
            redis: None,
        }
    }

    /// A limiter with the same allowance counted in Redis (see
    /// [`LoginThrottle::shared`]).
    #[must_use]
    pub fn to_shared(
        &self,
        link: std::sync::Arc<crate::cluster::RedisLink>,
        name: &'static str,
    ) -> Self {
        Self::new(self.attempts, self.period * self.attempts).shared(link, name)
    }

    /// The same limits counted in Redis under `{namespace}:{name}:{ip}`, shared
    /// by every instance; this process's counters are the fallback while
    /// Redis is unreachable.
    #[must_use]
    pub fn shared(
        mut self,
        link: std::sync::Arc<crate::cluster::RedisLink>,
        name: &'static str,
    ) -> Self {
        self.redis = Some((link, name));
        self
    }

    /// Counts one attempt from `ip` (IPv6 clients by their /64, see
    /// [`client_key`]).
    ///
    /// # Errors
    /// `RateLimited` with the seconds until the next attempt is allowed.
    pub async fn check(&self, ip: IpAddr) -> Result<(), AppError> {
        let key = client_key(ip);
        if let Some((link, name)) = &self.redis {
            let redis_key = link.key(&format!("{name}:{key}"));
            if let Ok(verdict) =
                crate::cluster::limits::check(link, &redis_key, self.attempts, self.period).await
            {
                return verdict.map_err(|wait| AppError::RateLimited {
                    retry_after_s: wait.as_secs().max(1),
                });
            }
        }
        self.limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::RateLimited {
                retry_after_s: wait.as_secs().max(1),
            }
        })
    }

    /// Forgets addresses whose allowance has fully refilled (bounds memory);
    /// call periodically.
    pub fn sweep(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// The key a client IP is limited by: IPv4 addresses (and IPv4-mapped
/// IPv6 ones) as they are, IPv6 addresses by their /64 prefix, since one
/// subscriber usually gets a whole /64 (RFC 6177 §2) and could otherwise
/// rotate through 2^64 addresses.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !((1_u128 << 64) - 1),
            )),
        },
    }
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(IP_ATTEMPTS, IP_WINDOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn allows_the_burst_then_refuses_with_a_wait() {
        let t = LoginThrottle::default();
        let ip: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..IP_ATTEMPTS {
            assert!(t.check(ip).await.is_ok());
        }
        match t.check(ip).await {
            Err(AppError::RateLimited { retry_after_s }) => {
                assert!((1..=12).contains(&retry_after_s))
            }
            other => panic!("expected RateLimited, got {other:?}"),
        }
        // Other addresses are unaffected.
        assert!(t.check([10, 0, 0, 2].into()).await.is_ok());
    }

    #[tokio::test]
    async fn ipv6_clients_share_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().expect("ip");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(other));
        assert_eq!(
            client_key("::ffff:10.0.0.1".parse().expect("ip")),
            IpAddr::from([10, 0, 0, 1])
        );
        let t = LoginThrottle::new(2, Duration::from_secs(60));
        assert!(t.check(a).await.is_ok());
        assert!(t.check(b).await.is_ok());
        assert!(
            t.check("2001:db8:1:2::9".parse().expect("ip"))
                .await
                .is_err()
        );
        assert!(t.check(other).await.is_ok());
    }
}
