//! Accounts: sign-up, log-in with throttling, and the current user.
//!
//! Passwords are hashed with Argon2id, m = 19,456 KiB, t = 2, p = 1 (the
//! OWASP Password Storage Cheat Sheet's first recommended configuration),
//! on tokio's blocking pool so hashing never stalls the async runtime.

use crate::db::entities::{profiles, retired_usernames, users};
use crate::error::{AppError, AppResult, on_unique};
use crate::ids::UserId;
use crate::models::CurrentUser;
use crate::services::throttle::LoginThrottle;
use crate::time_fmt::now_ms;
use crate::validation;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};
use std::net::IpAddr;

/// The "Deleted account" user (made by a migration): a deleted person's
/// messages stay in other people's conversations under it. It can't log
/// in, and lists and searches of people leave it out.
pub const GHOST_USER_ID: i64 = 0;

/// How long a deleted account's username stays taken: 30 days, in ms.
pub const USERNAME_RETIRED_MS: i64 = 30 * 24 * 3600 * 1000;

/// Failed log-ins in a row that lock an account.
pub const LOCK_AFTER_FAILURES: i32 = 3;
/// How long a locked account refuses log-ins, in ms (5 minutes).
pub const LOCK_MS: i64 = 5 * 60 * 1000;

/// What the sign-up form sends.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    /// 3–30 letters, digits, underscores.
    pub username: String,
    /// Any valid address; stored normalised.
    pub email: String,
    /// 1–60 characters.
    pub first_name: String,
    /// 1–60 characters.
    pub last_name: String,
    /// At least 10 characters, not containing the username.
    pub password: String,
    /// Must equal `password`.
    pub password_confirm: String,
}

fn argon2() -> Argon2<'static> {
    // Constant parameters; `Params::new` only fails on out-of-range values.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How long a password check waits for a hashing slot before the request
/// is answered `Busy` (503 with `Retry-After`).
pub const HASH_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Argon2 runs at most once per core at a time (each run takes 19 MiB and
/// a core for its duration): a flood of sign-ups or log-ins queues here
/// briefly and is then refused, instead of filling tokio's blocking pool
/// (up to 512 threads × 19 MiB).
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
    })
}

/// Runs Argon2 work `f` on the blocking pool in a hashing slot.
async fn in_hashing_slot<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> AppResult<T> {
    in_slot(hashing_slots(), HASH_WAIT, f).await
}

/// Runs `f` on the blocking pool once one of `slots` is free, waiting at
/// most `wait` for it; `Busy` (retry after `wait`, at least 1 s) if none
/// came free in time.
async fn in_slot<T: Send + 'static>(
    slots: &tokio::sync::Semaphore,
    wait: std::time::Duration,
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> AppResult<T> {
    let _slot = tokio::time::timeout(wait, slots.acquire())
        .await
        .map_err(|_| AppError::Busy {
            retry_after_s: Ord::max(wait.as_secs(), 1),
        })?
        .map_err(|e| anyhow::anyhow!("hashing slots closed: {e}"))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| anyhow::anyhow!("hashing task: {e}"))?
        .map_err(AppError::from)
}

/// Hashes `password` into a PHC string, on the blocking pool.
///
/// # Errors
/// `Busy` when every hashing slot stayed taken for [`HASH_WAIT`];
/// `Internal` if hashing fails (logged).
pub async fn hash_password(password: String) -> AppResult<String> {
    in_hashing_slot(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
    })
    .await
}

/// Checks `password` against a PHC `hash`, on the blocking pool.
///
/// # Errors
/// `Busy` when every hashing slot stayed taken for [`HASH_WAIT`];
/// `Internal` for a stored hash that doesn't parse (logged).
pub async fn verify_password(password: String, hash: String) -> AppResult<bool> {
    in_hashing_slot(move || {
        let parsed =
            PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("bad stored hash: {e}"))?;
        Ok(argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
}

/// A hash of a random password, verified against when the account is
/// unknown so both failures take the same time.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        argon2()
            .hash_password(b"no such account: timing equaliser", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Creates an account and its profile in one transaction, with the mail
/// asking to confirm the address queued in it (wake the job workers
/// after). A username retired by a deleted account is taken for 30 days.
///
/// # Errors
/// `Validation` naming the field for bad input, a taken username
/// (case-insensitive) or a taken email; `Internal` on database failure.
pub async fn sign_up(
    db: &DatabaseConnection,
    accounts: &crate::state::AccountSettings,
    input: SignUp,
) -> AppResult<users::Model> {
    let username = validation::username(&input.username)?;
    let email = validation::email(&input.email)?;
    let first_name = validation::name("first_name", "First name", &input.first_name)?;
    let last_name = validation::name("last_name", "Last name", &input.last_name)?;
    validation::password(&input.password, &input.password_confirm, &username)?;
    let key = validation::username_key(&username);

    let taken_username = || AppError::validation("username", "That username is taken.");
    let taken_email =
        || AppError::validation("email", "An account with that email already exists.");
    if users::Entity::find()
        .filter(users::Column::UsernameKey.eq(&key))
        .one(db)
        .await?
        .is_some()
        || retired_usernames::Entity::find_by_id(key.clone())
            .filter(retired_usernames::Column::FreeAtMs.gt(now_ms()))
            .one(db)
            .await?
            .is_some()
    {
        return Err(taken_username());
    }
    if users::Entity::find()
        .filter(users::Column::Email.eq(&email))
        .one(db)
        .await?
        .is_some()
    {
        return Err(taken_email());
    }

    let password_hash = hash_password(input.password).await?;
    let now = now_ms();
    let txn = crate::db::begin_write(db).await?;
    let user = users::ActiveModel {
        username: Set(username.clone()),
        username_key: Set(key),
        email: Set(email),
        first_name: Set(first_name.clone()),
        last_name: Set(last_name.clone()),
        password_hash: Set(password_hash),
        failed_logins: Set(0),
        locked_until_ms: Set(None),
        created_at_ms: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    // Lost a race with a concurrent sign-up for the same name or address.
    .map_err(|e| on_unique(e, taken_username()))?;
    profiles::ActiveModel {
        user_id: Set(user.id),
        display_name: Set(format!("{first_name} {last_name}")),
        bio: Set(String::new()),
        avatar_media_id: Set(None),
        cover_media_id: Set(None),
        updated_at_ms: Set(now),
    }
    .insert(&txn)
    .await?;
    crate::services::email::send_confirmation(&txn, accounts, &user).await?;
    txn.commit().await?;
    Ok(user)
}

/// Checks a log-in. `login` is a username (any case) or an email.
///
/// Order: the per-IP limit (every attempt counts), then the account lock
/// (an attempt reserved atomically, see [`guarded_attempt`]), then the
/// password. The third failure in a row locks the account for
/// 5 minutes; success clears the count (for an account with two-factor
/// on, only a right code does).
///
/// # Errors
/// `RateLimited { retry_after_s }` when the IP or the account is throttled;
/// `InvalidCredentials` for an unknown account or a wrong password (one
/// message for both); `Internal` on database failure.
pub async fn log_in<C: ConnectionTrait>(
    db: &C,
    throttle: &LoginThrottle,
    ip: Option<IpAddr>,
    login: &str,
    password: &str,
) -> AppResult<UserId> {
    if let Some(ip) = ip {
        throttle.check(ip).await?;
    }
    let Some(user) = find_by_login(db, login).await? else {
        let _ = verify_password(password.to_owned(), dummy_hash().to_owned()).await;
        return Err(AppError::InvalidCredentials);
    };

    // With two-factor on, a right password is half a log-in: the count is
    // cleared only once the code is right too.
    let on_success = if user.totp_enabled_at_ms.is_none() {
        AttemptEnd::Clear
    } else {
        AttemptEnd::Release
    };
    guarded_attempt(
        db,
        user.id,
        AppError::InvalidCredentials,
        on_success,
        verify_password(password.to_owned(), user.password_hash.clone()),
    )
    .await?;
    Ok(UserId(user.id))
}

/// The account `login` names: a username in any case, or an email address
/// (never the "Deleted account" user).
///
/// # Errors
/// `Internal` on database failure.
pub async fn find_by_login<C: ConnectionTrait>(
    db: &C,
    login: &str,
) -> AppResult<Option<users::Model>> {
    let login = login.trim();
    if login.is_empty() || login.len() > 254 {
        return Ok(None);
    }
    let filter = if login.contains('@') {
        users::Column::Email.eq(login.to_lowercase())
    } else {
        users::Column::UsernameKey.eq(validation::username_key(login))
    };
    Ok(users::Entity::find()
        .filter(filter)
        .filter(users::Column::Id.ne(GHOST_USER_ID))
        .one(db)
        .await?)
}

/// What a right secret does to the account's attempt count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptEnd {
    /// A whole log-in: the count and any lock are cleared.
    Clear,
    /// Half a log-in (the password of a two-factor account) or a check in
    /// settings: only this attempt's reservation is given back.
    Release,
}

/// Checks a secret of account `user` (a password or a two-factor code)
/// under the account lock, race-free: one attempt is reserved with a
/// conditional `UPDATE` *before* `check` runs (refused once
/// [`LOCK_AFTER_FAILURES`] attempts are failed or in flight, or while the
/// account is locked), so 25 parallel guesses get 3 tries, not 25. A wrong
/// secret keeps its reservation as a failure and the third locks the
/// account for [`LOCK_MS`]; a right one ends as `on_success` says.
///
/// # Errors
/// `RateLimited { retry_after_s }` while locked or when no attempt is
/// left; `wrong` for a wrong secret (or `RateLimited` when it locked the
/// account); whatever `check` fails with (the reservation is given back).
pub async fn guarded_attempt<C: ConnectionTrait>(
    db: &C,
    user: i64,
    wrong: AppError,
    on_success: AttemptEnd,
    check: impl std::future::Future<Output = AppResult<bool>>,
) -> AppResult<()> {
    let now = now_ms();
    let reserved = users::Entity::update_many()
        .col_expr(
            users::Column::FailedLogins,
            Expr::col(users::Column::FailedLogins).add(1),
        )
        .filter(users::Column::Id.eq(user))
        .filter(users::Column::FailedLogins.lt(LOCK_AFTER_FAILURES))
        .filter(
            sea_orm::Condition::any()
                .add(users::Column::LockedUntilMs.is_null())
                .add(users::Column::LockedUntilMs.lte(now)),
        )
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if !reserved {
        let until = users::Entity::find_by_id(user)
            .one(db)
            .await?
            .and_then(|u| u.locked_until_ms)
            .filter(|&t| t > now)
            // Every attempt is taken by requests still running: as good as
            // locked; the last of them to fail sets the lock.
            .unwrap_or(now + LOCK_MS);
        return Err(locked(until, now));
    }
    match check.await {
        Ok(true) => {
            let mut update = users::Entity::update_many().filter(users::Column::Id.eq(user));
            update = match on_success {
                AttemptEnd::Clear => update
                    .col_expr(users::Column::FailedLogins, Expr::value(0))
                    .col_expr(
                        users::Column::LockedUntilMs,
                        Expr::value(Option::<i64>::None),
                    ),
                AttemptEnd::Release => update
                    .col_expr(
                        users::Column::FailedLogins,
                        Expr::col(users::Column::FailedLogins).sub(1),
                    )
                    .filter(users::Column::FailedLogins.gt(0)),
            };
            update.exec(db).await?;
            Ok(())
        }
        Ok(false) => {
            // The reservation stands as the failure; the one that reaches
            // the limit locks the account and starts the count afresh.
            let until = now_ms() + LOCK_MS;
            let locked_now = users::Entity::update_many()
                .col_expr(users::Column::FailedLogins, Expr::value(0))
                .col_expr(users::Column::LockedUntilMs, Expr::value(Some(until)))
                .filter(users::Column::Id.eq(user))
                .filter(users::Column::FailedLogins.gte(LOCK_AFTER_FAILURES))
                .exec(db)
                .await?
                .rows_affected
                == 1;
            Err(if locked_now {
                locked(until, now_ms())
            } else {
                wrong
            })
        }
        Err(e) => {
            users::Entity::update_many()
                .col_expr(
                    users::Column::FailedLogins,
                    Expr::col(users::Column::FailedLogins).sub(1),
                )
                .filter(users::Column::Id.eq(user))
                .filter(users::Column::FailedLogins.gt(0))
                .exec(db)
                .await?;
            Err(e)
        }
    }
}

/// The account-lock answer: retry after what is left of the lock (at
/// least 1 s).
pub fn locked(until_ms: i64, now_ms: i64) -> AppError {
    let ms = u64::try_from(until_ms - now_ms).unwrap_or(0);
    AppError::RateLimited {
        retry_after_s: Ord::max(ms.div_ceil(1000), 1),
    }
}

/// The signed-in user's summary, or `None` if the account no longer exists.
///
/// # Errors
/// `Internal` on database failure.
pub async fn current_user<C: ConnectionTrait>(
    db: &C,
    id: UserId,
) -> AppResult<Option<CurrentUser>> {
    let Some((user, profile)) = users::Entity::find_by_id(id.0)
        .find_also_related(profiles::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let profile = profile.ok_or_else(|| anyhow::anyhow!("user {} has no profile", user.id))?;
    Ok(Some(CurrentUser {
        id: UserId(user.id),
        username: user.username,
        display_name: profile.display_name,
        avatar: match profile.avatar_media_id {
            Some(id) => crate::services::media::photos_by_id(db, [id])
                .await?
                .remove(&id),
            None => None,
        },
        live_cursor: crate::services::live_log::latest_id(db).await?,
        email: user.email.clone(),
        unconfirmed_email: user
            .email_confirmed_at_ms
            .is_none()
            .then(|| user.email.clone()),
        confirmation_required: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::Semaphore;
    use tokio::time::{Duration, Instant};

    /// A flood of password checks (issue G, finding 2): while every slot
    /// is taken, a check waits exactly `HASH_WAIT` and is then refused
    /// `Busy`, running nothing; one that gets a slot within the wait runs.
    /// On tokio's paused clock, so no machine is too fast or too slow for it.
    #[tokio::test(start_paused = true)]
    async fn a_check_waits_for_a_slot_then_is_refused_busy() {
        let slots = Semaphore::new(2);
        let held = slots.acquire_many(2).await.expect("slots");
        let started = Instant::now();
        let refused = in_slot(&slots, HASH_WAIT, || -> anyhow::Result<()> {
            panic!("ran without a slot")
        })
        .await;
        assert!(
            matches!(refused, Err(AppError::Busy { retry_after_s: 2 })),
            "{refused:?}"
        );
        assert!(started.elapsed() >= HASH_WAIT);
        assert!(started.elapsed() < HASH_WAIT + Duration::from_millis(100));

        // A slot freed within the wait lets the waiting check run.
        let release = async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            drop(held);
        };
        let (ran, ()) = tokio::join!(in_slot(&slots, HASH_WAIT, || Ok(7)), release);
        assert_eq!(ran.expect("ran once a slot was free"), 7);
    }
}
