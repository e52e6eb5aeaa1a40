//! Forgotten and changed passwords.
//!
//! - [`request_reset`] ("Forgot password?"): answers the same whether or
//!   not an account matches, and in about the same time: the lookup and
//!   the mail happen in a background task after the answer; only the
//!   per-IP limit (which doesn't depend on the account) is checked first.
//!   At most one reset mail per account per [`RESET_COOLDOWN_MS`].
//! - [`reset`]: the link's token (32 random bytes, stored hashed, 1 hour,
//!   single use, void once a newer one is sent or the password changes)
//!   sets a new password, ends every session of the account (their
//!   sockets close), clears the log-in lock and mails a notice. A bad
//!   token or password changes nothing.
//! - [`change`]: in settings, with the current password; ends the other
//!   sessions and mails a notice.

use crate::db::entities::{account_tokens, users};
use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use crate::mail;
use crate::services::accounts::{hash_password, verify_password};
use crate::services::tokens;
use crate::state::AppState;
use crate::time_fmt::now_ms;
use crate::validation;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use std::net::IpAddr;

/// At most one reset mail per account per 5 minutes.
pub const RESET_COOLDOWN_MS: i64 = 5 * 60 * 1000;
/// "Forgot password?" requests allowed per IP address per
/// [`RESET_IP_WINDOW`].
pub const RESET_IP_REQUESTS: u32 = 10;
/// The window of [`RESET_IP_REQUESTS`]: one hour.
pub const RESET_IP_WINDOW: std::time::Duration = std::time::Duration::from_secs(3600);

/// "Forgot password?" for `login` (a username in any case, or an email).
/// Returns at once; an account that matches gets a link unless it got one
/// in the last 5 minutes.
///
/// # Errors
/// `RateLimited` after [`RESET_IP_REQUESTS`] requests from `ip` in an hour
/// (whatever the account); nothing else, so the answer never tells whether
/// an account exists.
pub async fn request_reset(state: &AppState, ip: Option<IpAddr>, login: &str) -> AppResult<()> {
    if let Some(ip) = ip {
        state.reset_throttle.check(ip).await?;
    }
    let state = state.clone();
    let login = login.trim().to_owned();
    tokio::spawn(async move {
        if let Err(e) = send_reset(&state, &login).await {
            tracing::error!(error = ?e, "sending a password reset");
        }
    });
    Ok(())
}

async fn send_reset(state: &AppState, login: &str) -> AppResult<()> {
    let Some(user) = crate::services::accounts::find_by_login(&state.db, login).await? else {
        return Ok(());
    };
    let id = UserId(user.id);
    let txn = crate::db::begin_write(&state.db).await?;
    tokens::lock_account(&txn, id).await?;
    if let Some(last) = tokens::last_issued(&txn, id, account_tokens::RESET_PASSWORD).await?
        && now_ms() - last < RESET_COOLDOWN_MS
    {
        tracing::info!(
            user = user.id,
            "password reset asked again within 5 minutes; no mail"
        );
        return Ok(());
    }
    let token = tokens::issue(
        &txn,
        id,
        account_tokens::RESET_PASSWORD,
        None,
        tokens::RESET_TTL_MS,
    )
    .await?;
    let link = state
        .accounts
        .link(&format!("/reset-password?token={token}"));
    mail::enqueue(
        &txn,
        &mail::compose(
            &user.email,
            "Reset your Hearth password",
            &format!("Hi {},", user.first_name),
            &[
                format!(
                    "Someone asked to reset the password of @{} on Hearth.",
                    user.username
                ),
                "The link works for one hour, once. Asking again makes this one stop working."
                    .to_owned(),
            ],
            Some(("Choose a new password", &link)),
            "If you didn't ask, ignore this mail: your password stays as it is.",
        ),
    )
    .await?;
    txn.commit().await?;
    state.job_signal.wake();
    Ok(())
}

fn notice(user: &users::Model, state: &AppState, what: &str) -> mail::Mail {
    mail::compose(
        &user.email,
        "Your Hearth password was changed",
        &format!("Hi {},", user.first_name),
        &[
            format!("The password of @{} was changed {what}.", user.username),
            "If this was you, there's nothing to do. If it wasn't, reset your password now and check where you're logged in.".to_owned(),
        ],
        Some(("Reset your password", &state.accounts.link("/forgot-password"))),
        "You're getting this because it concerns your Hearth account.",
    )
}

/// Sets a new password with a reset link's `token`. Every session of the
/// account ends (sockets included), the log-in lock is cleared, other
/// reset links stop working, and a notice is mailed. Returns whose
/// password changed.
///
/// # Errors
/// `Validation` on `token` for a bad, used, voided or expired link (one
/// message for all); on `password`/`password_confirm` for a weak or
/// mismatched password (the link still works then); `Internal`.
pub async fn reset(
    state: &AppState,
    token: &str,
    password: &str,
    password_confirm: &str,
) -> AppResult<UserId> {
    let db = &state.db;
    let bad = || {
        AppError::validation(
            "token",
            "This link is invalid or has expired. Ask for a new one.",
        )
    };
    // Look first (without using it), so a weak password leaves the link
    // working.
    let now = now_ms();
    let Some(row) = account_tokens::Entity::find()
        .filter(account_tokens::Column::TokenHash.eq(tokens::hash(token)))
        .filter(account_tokens::Column::Purpose.eq(account_tokens::RESET_PASSWORD))
        .filter(account_tokens::Column::UsedAtMs.is_null())
        .filter(account_tokens::Column::ExpiresAtMs.gt(now))
        .one(db)
        .await?
    else {
        return Err(bad());
    };
    let user = users::Entity::find_by_id(row.user_id)
        .one(db)
        .await?
        .ok_or_else(bad)?;
    validation::password(password, password_confirm, &user.username)?;
    let hash = hash_password(password.to_owned()).await?;
    let txn = crate::db::begin_write(db).await?;
    let used = tokens::consume(&txn, account_tokens::RESET_PASSWORD, token).await?;
    if used.user_id != user.id {
        return Err(bad());
    }
    set_password(&txn, user.id, hash).await?;
    tokens::void_all(&txn, UserId(user.id), account_tokens::RESET_PASSWORD).await?;
    mail::enqueue(&txn, &notice(&user, state, "with a reset link")).await?;
    txn.commit().await?;
    state.job_signal.wake();
    crate::services::sessions::end_all(db, &state.revocations, UserId(user.id), None).await?;
    Ok(UserId(user.id))
}

async fn set_password<C: sea_orm::ConnectionTrait>(
    db: &C,
    user: i64,
    hash: String,
) -> AppResult<()> {
    users::Entity::update_many()
        .col_expr(users::Column::PasswordHash, Expr::value(hash))
        .col_expr(users::Column::FailedLogins, Expr::value(0))
        .col_expr(
            users::Column::LockedUntilMs,
            Expr::value(Option::<i64>::None),
        )
        .filter(users::Column::Id.eq(user))
        .exec(db)
        .await?;
    Ok(())
}

/// Changes `user`'s password in settings. `current_session` (this
/// browser's session id) stays signed in; every other session ends.
///
/// # Errors
/// `Validation` on `current_password` when it is wrong, on
/// `password`/`password_confirm` for a weak or mismatched new one;
/// `Internal`.
pub async fn change(
    state: &AppState,
    user: UserId,
    current_session: Option<&str>,
    current_password: &str,
    password: &str,
    password_confirm: &str,
) -> AppResult<()> {
    let db = &state.db;
    let row = users::Entity::find_by_id(user.0)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !verify_password(current_password.to_owned(), row.password_hash.clone()).await? {
        return Err(AppError::validation(
            "current_password",
            "That password isn't right.",
        ));
    }
    validation::password(password, password_confirm, &row.username)?;
    let hash = hash_password(password.to_owned()).await?;
    let txn = crate::db::begin_write(db).await?;
    set_password(&txn, row.id, hash).await?;
    tokens::void_all(&txn, user, account_tokens::RESET_PASSWORD).await?;
    mail::enqueue(&txn, &notice(&row, state, "in settings")).await?;
    txn.commit().await?;
    state.job_signal.wake();
    crate::services::sessions::end_all(db, &state.revocations, user, current_session).await?;
    Ok(())
}
