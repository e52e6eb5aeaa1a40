//! Rate limits shared by every instance: GCRA (the generic cell rate
//! algorithm of ATM networks, ITU-T I.371; the one `governor` implements
//! in process) as one Lua script, so a check and its update are atomic in
//! Redis and every instance counts against the same allowance.
//!
//! Semantics match [`governor`]'s quota `with_period(period)
//! .allow_burst(burst)`: `burst` at once, then one more per `period`. Keys
//! expire when their allowance has refilled, so Redis holds only active
//! counters. When Redis is unreachable the caller falls back to its
//! in-process limiter (limits then count per instance until it returns).

use crate::cluster::{LUA_NOW_MS, RedisLink};
use crate::ids::UserId;
use crate::services::limits::{Action, InProcessLimits, LimitStore};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// `KEYS[1]`: the counter (its theoretical arrival time, ms);
/// `ARGV[1]`: period (ms); `ARGV[2]`: burst. Returns 0 when allowed, else
/// the ms to wait.
static GCRA: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(&format!(
        r"{LUA_NOW_MS}
local period = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + period
local allow_at = new_tat - burst * period
if now < allow_at then return allow_at - now end
redis.call('SET', KEYS[1], new_tat, 'PX', math.max(1, new_tat - now))
return 0"
    ))
});

/// Counts one event against `key`'s allowance of `burst` per `period`
/// each (see the module docs).
///
/// # Errors
/// When Redis fails (the caller falls back to in-process counting).
pub async fn check(
    link: &RedisLink,
    key: &str,
    burst: u32,
    period: Duration,
) -> redis::RedisResult<Result<(), Duration>> {
    let period_ms = u64::try_from(period.as_millis()).unwrap_or(u64::MAX).max(1);
    let key = key.to_owned();
    let wait: u64 = link
        .run("checking a rate limit", |mut conn| async move {
            GCRA.key(key)
                .arg(period_ms)
                .arg(burst.max(1))
                .invoke_async(&mut conn)
                .await
        })
        .await?;
    Ok(if wait == 0 {
        Ok(())
    } else {
        Err(Duration::from_millis(wait))
    })
}

/// Per-user write limits in Redis (`{namespace}:limit:{action}:{user}`),
/// falling back to [`InProcessLimits`] while Redis is unreachable.
#[derive(Debug)]
pub struct RedisLimits {
    link: Arc<RedisLink>,
    fallback: InProcessLimits,
}

impl RedisLimits {
    /// Limits kept in the Redis of `link`.
    pub fn new(link: Arc<RedisLink>) -> Self {
        Self {
            link,
            fallback: InProcessLimits::default(),
        }
    }
}

#[async_trait::async_trait]
impl LimitStore for RedisLimits {
    async fn check(&self, user: UserId, action: Action) -> Result<(), Duration> {
        let (burst, every) = action.quota();
        let key = self.link.key(&format!("limit:{action:?}:{}", user.0));
        match check(&self.link, &key, burst, every).await {
            Ok(verdict) => verdict,
            Err(_) => self.fallback.check(user, action).await,
        }
    }

    fn sweep(&self) {
        self.fallback.sweep();
    }
}
