//! Per-user rate limits on every kind of write, generous for people and
//! tight for scripts. Each [`Action`] has a GCRA quota (the `governor`
//! crate: a burst that refills evenly); going over answers
//! `AppError::TooFast { retry_after_s }`, which the server sends as 429
//! with `Retry-After` and the page shows as "You're doing that too fast;
//! try again in 20 seconds."
//!
//! The counters live behind [`LimitStore`], in this process by default
//! ([`InProcessLimits`]); issue I moves them to Redis for many instances.

use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// A kind of write, each with its own quota (see [`Action::quota`] and the
/// table in README.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Creating a post.
    Post,
    /// Sharing a post.
    Share,
    /// Commenting or replying.
    Comment,
    /// Reacting to a post (or changing the reaction).
    Reaction,
    /// Editing or deleting a post, comment or message.
    Edit,
    /// Sending a friend request.
    FriendRequest,
    /// Following, unfollowing, blocking, unblocking, accepting, declining,
    /// cancelling or ending a friendship.
    Follow,
    /// Sending a chat message.
    Message,
    /// Creating, renaming, joining or leaving a group or room, adding or
    /// removing members.
    GroupChange,
    /// Uploading a photo or starting a video upload.
    Upload,
    /// Profile, photo alt text and settings changes.
    Profile,
}

impl Action {
    /// Every action, for tables and sweeps.
    pub const ALL: [Self; 11] = [
        Self::Post,
        Self::Share,
        Self::Comment,
        Self::Reaction,
        Self::Edit,
        Self::FriendRequest,
        Self::Follow,
        Self::Message,
        Self::GroupChange,
        Self::Upload,
        Self::Profile,
    ];

    /// `(burst, one more every)`: at most `burst` at once, then one per
    /// period. E.g. posts: 10 at once, then one every 30 s (120 an hour).
    pub fn quota(self) -> (u32, Duration) {
        let s = Duration::from_secs;
        match self {
            Self::Post => (10, s(30)),
            Self::Share => (10, s(30)),
            Self::Comment => (20, s(6)),
            Self::Reaction => (60, s(1)),
            Self::Edit => (30, s(2)),
            Self::FriendRequest => (20, s(180)),
            Self::Follow => (30, s(20)),
            Self::Message => (30, s(1)),
            Self::GroupChange => (20, s(10)),
            Self::Upload => (20, s(10)),
            Self::Profile => (20, s(10)),
        }
    }

    /// What the action is, for README's table and logs.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Post => "posts",
            Self::Share => "shares",
            Self::Comment => "comments and replies",
            Self::Reaction => "reactions",
            Self::Edit => "edits and deletions",
            Self::FriendRequest => "friend requests",
            Self::Follow => "follows, blocks and friendship answers",
            Self::Message => "chat messages",
            Self::GroupChange => "group and room changes",
            Self::Upload => "photo and video uploads",
            Self::Profile => "profile and settings changes",
        }
    }
}

/// Where the counters live. Implementations must be atomic per key.
#[async_trait::async_trait]
pub trait LimitStore: Send + Sync + std::fmt::Debug {
    /// Counts one `action` by `user`; `Err(wait)` when over its quota.
    async fn check(&self, user: UserId, action: Action) -> Result<(), Duration>;

    /// Forgets idle counters (bounds memory); called every few minutes.
    fn sweep(&self) {}
}

/// Counters in this process (`governor` keyed by user, one limiter per
/// action).
#[derive(Debug)]
pub struct InProcessLimits {
    limiters: HashMap<Action, DefaultKeyedRateLimiter<UserId>>,
}

impl Default for InProcessLimits {
    fn default() -> Self {
        let limiters = Action::ALL
            .into_iter()
            .map(|action| {
                let (burst, every) = action.quota();
                let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
                let quota = Quota::with_period(every)
                    .unwrap_or_else(|| Quota::per_second(burst))
                    .allow_burst(burst);
                (action, RateLimiter::keyed(quota))
            })
            .collect();
        Self { limiters }
    }
}

#[async_trait::async_trait]
impl LimitStore for InProcessLimits {
    async fn check(&self, user: UserId, action: Action) -> Result<(), Duration> {
        let Some(limiter) = self.limiters.get(&action) else {
            return Ok(());
        };
        limiter
            .check_key(&user)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    fn sweep(&self) {
        for limiter in self.limiters.values() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// A store that never refuses (`HEARTH_RATE_LIMITS=off`, for load tests
/// and the integration tests that aren't about limits).
#[derive(Debug, Default)]
pub struct NoLimits;

#[async_trait::async_trait]
impl LimitStore for NoLimits {
    async fn check(&self, _user: UserId, _action: Action) -> Result<(), Duration> {
        Ok(())
    }
}

/// The rate limits in force. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Limits(Arc<dyn LimitStore>);

impl Default for Limits {
    fn default() -> Self {
        Self(Arc::new(InProcessLimits::default()))
    }
}

impl Limits {
    /// Limits kept in `store`.
    pub fn new(store: Arc<dyn LimitStore>) -> Self {
        Self(store)
    }

    /// No limits at all.
    pub fn off() -> Self {
        Self(Arc::new(NoLimits))
    }

    /// Counts one `action` by `user`.
    ///
    /// # Errors
    /// `TooFast { retry_after_s }` when over the action's quota.
    pub async fn check(&self, user: UserId, action: Action) -> AppResult<()> {
        self.0.check(user, action).await.map_err(|wait| {
            tracing::info!(user = %user, action = action.describe(), "rate limited");
            AppError::TooFast {
                retry_after_s: wait.as_secs().max(1),
            }
        })
    }

    /// Forgets idle counters.
    pub fn sweep(&self) {
        self.0.sweep();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_burst_is_allowed_then_refused_with_a_wait_per_user_and_action() {
        let limits = Limits::default();
        let (burst, every) = Action::Post.quota();
        for _ in 0..burst {
            limits.check(UserId(1), Action::Post).await.expect("burst");
        }
        match limits.check(UserId(1), Action::Post).await {
            Err(AppError::TooFast { retry_after_s }) => {
                assert!(retry_after_s >= 1 && retry_after_s <= every.as_secs());
            }
            other => panic!("expected TooFast, got {other:?}"),
        }
        // Other people and other actions are unaffected.
        limits
            .check(UserId(2), Action::Post)
            .await
            .expect("other user");
        limits
            .check(UserId(1), Action::Comment)
            .await
            .expect("other action");
        Limits::off()
            .check(UserId(1), Action::Post)
            .await
            .expect("off");
    }

    #[test]
    fn every_action_has_a_sane_quota() {
        for a in Action::ALL {
            let (burst, every) = a.quota();
            assert!(burst >= 10, "{a:?}");
            assert!(every >= Duration::from_secs(1), "{a:?}");
        }
    }
}
