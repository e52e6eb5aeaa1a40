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

/// Hashes `password` into a PHC string, on the blocking pool.
///
/// # Errors
/// `Internal` if hashing fails (logged).
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
    })
    .await
    .map_err(|e| anyhow::anyhow!("hashing task: {e}"))?
    .map_err(AppError::from)
}

/// Checks `password` against a PHC `hash`, on the blocking pool.
///
/// # Errors
/// `Internal` for a stored hash that doesn't parse (logged).
pub async fn verify_password(password: String, hash: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed =
            PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("bad stored hash: {e}"))?;
        Ok::<_, anyhow::Error>(
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await
    .map_err(|e| anyhow::anyhow!("verify task: {e}"))?
    .map_err(AppError::from)
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
/// Order: the per-IP limit (every attempt counts), then the account lock,
/// then the password. The third failure in a row locks the account for
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
        throttle.check(ip)?;
    }
    let Some(user) = find_by_login(db, login).await? else {
        let _ = verify_password(password.to_owned(), dummy_hash().to_owned()).await;
        return Err(AppError::InvalidCredentials);
    };

    let now = now_ms();
    if let Some(until) = user.locked_until_ms.filter(|&t| t > now) {
        return Err(locked(until, now));
    }
    if verify_password(password.to_owned(), user.password_hash.clone()).await? {
        // With two-factor on, a right password is half a log-in: the count
        // is cleared only once the code is right too.
        if user.totp_enabled_at_ms.is_none() {
            clear_failures(db, &user).await?;
        }
        return Ok(UserId(user.id));
    }
    Err(count_failure(db, UserId(user.id))
        .await?
        .unwrap_or(AppError::InvalidCredentials))
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

/// Counts one failed attempt (a wrong password or a wrong two-factor code)
/// against `user`: the count goes up atomically, and the
/// [`LOCK_AFTER_FAILURES`]th failure in a row locks the account for
/// [`LOCK_MS`] and restarts the count. Returns the `RateLimited` error to
/// answer with when this failure locked the account.
///
/// # Errors
/// `Internal` on database failure.
pub async fn count_failure<C: ConnectionTrait>(
    db: &C,
    user: UserId,
) -> AppResult<Option<AppError>> {
    let now = now_ms();
    users::Entity::update_many()
        .col_expr(
            users::Column::FailedLogins,
            Expr::col(users::Column::FailedLogins).add(1),
        )
        .filter(users::Column::Id.eq(user.0))
        .exec(db)
        .await?;
    let failures = users::Entity::find_by_id(user.0)
        .one(db)
        .await?
        .map_or(0, |u| u.failed_logins);
    if failures >= LOCK_AFTER_FAILURES {
        let until = now + LOCK_MS;
        users::Entity::update_many()
            .col_expr(users::Column::FailedLogins, Expr::value(0))
            .col_expr(users::Column::LockedUntilMs, Expr::value(Some(until)))
            .filter(users::Column::Id.eq(user.0))
            .exec(db)
            .await?;
        return Ok(Some(locked(until, now)));
    }
    Ok(None)
}

/// Clears `user`'s failure count and lock after a whole log-in.
///
/// # Errors
/// `Internal` on database failure.
pub async fn clear_failures<C: ConnectionTrait>(db: &C, user: &users::Model) -> AppResult<()> {
    if user.failed_logins != 0 || user.locked_until_ms.is_some() {
        users::Entity::update_many()
            .col_expr(users::Column::FailedLogins, Expr::value(0))
            .col_expr(
                users::Column::LockedUntilMs,
                Expr::value(Option::<i64>::None),
            )
            .filter(users::Column::Id.eq(user.id))
            .exec(db)
            .await?;
    }
    Ok(())
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
