//! Presence shared by every instance: open tabs per user and instance in
//! Redis, so a person with one tab on each of two instances is online once,
//! and goes offline only when both are closed (after the grace period).
//!
//! Keys, after the namespace (every change is one Lua script, atomic in
//! Redis):
//! - `presence:tabs:{user}`: hash, instance → open tabs there;
//! - `presence:instance:{instance}`: set of users with tabs there;
//! - `presence:online`: set of users online (including those in
//!   their grace period);
//! - `presence:leaving`: sorted set, user → when their last tab
//!   closed (ms, Redis's clock);
//! - `instances`: sorted set, instance → last heartbeat.
//!
//! Transitions: a tab opening adds the user to `online`; only the instance
//! whose `SADD` added them announces "online". The last tab closing puts
//! the user in `leaving`; every instance runs [`RedisPresence::tick`] every
//! [`TICK`], and the one whose script removes a user from `online` after
//! the grace period announces "offline". An instance that stops sending
//! heartbeats for [`STALE_AFTER`] (it crashed) is reaped by the others: its
//! tabs are removed and its users with no other tab go offline at the next
//! tick, within a minute of the crash. After a Redis outage (or restart,
//! which loses everything) each instance writes its counts back
//! ([`RedisPresence::resync`]).
//!
//! The scripts build key names from their arguments, which a Redis Cluster
//! would refuse; Hearth expects one Redis server (or a primary with
//! replicas).

use crate::cluster::{LUA_NOW_MS, RedisLink};
use crate::ids::UserId;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// How often each instance heartbeats, reaps dead instances and ends
/// grace periods.
pub const TICK: Duration = Duration::from_secs(5);
/// An instance without a heartbeat for this long is taken for dead.
pub const STALE_AFTER: Duration = Duration::from_secs(30);

/// Lua: the sum of `u`'s open tabs over every instance.
const LUA_TOTAL: &str = "local function total(u)
  local s = 0
  for _, v in ipairs(redis.call('HVALS', P .. ':presence:tabs:' .. u)) do s = s + tonumber(v) end
  return s
end";

/// A script whose `KEYS[1]` is the namespace (`P` in the Lua).
fn script(body: &str) -> redis::Script {
    redis::Script::new(&format!(
        "local P = KEYS[1]\n{LUA_NOW_MS}\n{LUA_TOTAL}\n{body}"
    ))
}

/// ARGV: instance, user. Returns 1 if the user came online.
static OPEN: LazyLock<redis::Script> = LazyLock::new(|| {
    script(
        "local inst, u = ARGV[1], ARGV[2]
redis.call('HINCRBY', P .. ':presence:tabs:' .. u, inst, 1)
redis.call('SADD', P .. ':presence:instance:' .. inst, u)
redis.call('ZREM', P .. ':presence:leaving', u)
return redis.call('SADD', P .. ':presence:online', u)",
    )
});

/// ARGV: instance, user. Starts the grace period when no tab is left.
static CLOSE: LazyLock<redis::Script> = LazyLock::new(|| {
    script(
        "local inst, u = ARGV[1], ARGV[2]
local n = redis.call('HINCRBY', P .. ':presence:tabs:' .. u, inst, -1)
if n <= 0 then
  redis.call('HDEL', P .. ':presence:tabs:' .. u, inst)
  redis.call('SREM', P .. ':presence:instance:' .. inst, u)
end
if total(u) <= 0 then redis.call('ZADD', P .. ':presence:leaving', now, u) end
return 0",
    )
});

/// ARGV: instance, stale ms, grace ms. Heartbeats, reaps dead instances,
/// then ends due grace periods; returns the users who went offline.
static TICK_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
    script(
        "local me, stale, grace = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZADD', P .. ':instances', now, me)
for _, inst in ipairs(redis.call('ZRANGEBYSCORE', P .. ':instances', '-inf', now - stale)) do
  redis.call('ZREM', P .. ':instances', inst)
  local set = P .. ':presence:instance:' .. inst
  for _, u in ipairs(redis.call('SMEMBERS', set)) do
    redis.call('HDEL', P .. ':presence:tabs:' .. u, inst)
    if total(u) <= 0 then redis.call('ZADD', P .. ':presence:leaving', now - grace, u) end
  end
  redis.call('DEL', set)
end
local gone = {}
for _, u in ipairs(redis.call('ZRANGEBYSCORE', P .. ':presence:leaving', '-inf', now - grace, 'LIMIT', 0, 1000)) do
  redis.call('ZREM', P .. ':presence:leaving', u)
  if total(u) <= 0 and redis.call('SREM', P .. ':presence:online', u) == 1 then
    gone[#gone + 1] = u
  end
end
return gone",
    )
});

/// ARGV: instance, then user, tabs pairs. Replaces this instance's counts;
/// returns the users who were not online before.
static RESYNC: LazyLock<redis::Script> = LazyLock::new(|| {
    script(
        "local inst = ARGV[1]
local set = P .. ':presence:instance:' .. inst
for _, u in ipairs(redis.call('SMEMBERS', set)) do
  redis.call('HDEL', P .. ':presence:tabs:' .. u, inst)
  if total(u) <= 0 then redis.call('ZADD', P .. ':presence:leaving', now, u) end
end
redis.call('DEL', set)
local came = {}
for i = 2, #ARGV, 2 do
  local u = ARGV[i]
  redis.call('HSET', P .. ':presence:tabs:' .. u, inst, ARGV[i + 1])
  redis.call('SADD', set, u)
  redis.call('ZREM', P .. ':presence:leaving', u)
  if redis.call('SADD', P .. ':presence:online', u) == 1 then came[#came + 1] = u end
end
if #ARGV > 1 then redis.call('ZADD', P .. ':instances', now, inst) end
return came",
    )
});

/// Presence counts in Redis (see the module docs).
#[derive(Debug)]
pub struct RedisPresence {
    link: Arc<RedisLink>,
}

fn users(ids: Vec<i64>) -> Vec<UserId> {
    ids.into_iter().map(UserId).collect()
}

impl RedisPresence {
    /// Presence on `link`.
    pub fn new(link: Arc<RedisLink>) -> Self {
        Self { link }
    }

    /// The link (to register for reconnections).
    pub fn link(&self) -> &Arc<RedisLink> {
        &self.link
    }

    fn instance(&self) -> u64 {
        self.link.instance().0
    }

    /// A tab of `user` opened here; whether they came online (no tab and
    /// no grace period anywhere before).
    ///
    /// # Errors
    /// When Redis fails.
    pub async fn open(&self, user: UserId) -> redis::RedisResult<bool> {
        let (inst, ns) = (self.instance(), self.link.namespace().to_owned());
        let added: i64 = self
            .link
            .run("presence", |mut c| async move {
                OPEN.key(ns)
                    .arg(inst)
                    .arg(user.0)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(added == 1)
    }

    /// A tab of `user` closed here.
    ///
    /// # Errors
    /// When Redis fails.
    pub async fn close(&self, user: UserId) -> redis::RedisResult<()> {
        let (inst, ns) = (self.instance(), self.link.namespace().to_owned());
        self.link
            .run("presence", |mut c| async move {
                CLOSE
                    .key(ns)
                    .arg(inst)
                    .arg(user.0)
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await
            .map(drop)
    }

    /// Whether each of `who` is online.
    ///
    /// # Errors
    /// When Redis fails.
    pub async fn online(&self, who: &[UserId]) -> redis::RedisResult<Vec<bool>> {
        if who.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = who.iter().map(|u| u.0).collect();
        let key = self.link.key("presence:online");
        let flags: Vec<i64> = self
            .link
            .run("presence", |mut c| async move {
                redis::cmd("SMISMEMBER")
                    .arg(key)
                    .arg(ids)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(flags.into_iter().map(|f| f == 1).collect())
    }

    /// The periodic work of [`TICK`]: heartbeat, reap dead instances, end
    /// due grace periods of `grace`. Returns who went offline (this
    /// instance announces them).
    ///
    /// # Errors
    /// When Redis fails.
    pub async fn tick(&self, grace: Duration) -> redis::RedisResult<Vec<UserId>> {
        let (inst, ns) = (self.instance(), self.link.namespace().to_owned());
        let stale = STALE_AFTER.as_millis() as u64;
        let grace = grace.as_millis() as u64;
        let gone: Vec<i64> = self
            .link
            .run("presence", |mut c| async move {
                TICK_SCRIPT
                    .key(ns)
                    .arg(inst)
                    .arg(stale)
                    .arg(grace)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(users(gone))
    }

    /// Replaces this instance's counts with `tabs` (after an outage, or
    /// empty when shutting down); returns who was not online before.
    ///
    /// # Errors
    /// When Redis fails.
    pub async fn resync(&self, tabs: &[(UserId, u32)]) -> redis::RedisResult<Vec<UserId>> {
        let (inst, ns) = (self.instance(), self.link.namespace().to_owned());
        let pairs: Vec<i64> = tabs
            .iter()
            .flat_map(|(u, n)| [u.0, i64::from(*n)])
            .collect();
        let came: Vec<i64> = self
            .link
            .run("presence", |mut c| async move {
                RESYNC
                    .key(ns)
                    .arg(inst)
                    .arg(pairs)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(users(came))
    }

    /// Leaves the cluster (graceful shutdown): this instance's tabs are
    /// removed (their users start their grace period unless they have tabs
    /// elsewhere) and its heartbeat is dropped.
    ///
    /// # Errors
    /// When Redis fails.
    pub async fn leave(&self) -> redis::RedisResult<()> {
        self.resync(&[]).await?;
        let inst = self.instance();
        let key = self.link.key("instances");
        self.link
            .run("presence", |mut c| async move {
                redis::cmd("ZREM")
                    .arg(key)
                    .arg(inst)
                    .query_async::<i64>(&mut c)
                    .await
            })
            .await
            .map(drop)
    }
}
