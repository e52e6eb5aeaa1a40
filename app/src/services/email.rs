//! Email addresses: the confirmation mailed after sign-up, "Resend" with
//! its limits, confirming, changing the address, and the
//! `HEARTH_REQUIRE_CONFIRMED_EMAIL` rule.
//!
//! Links carry a token from [`crate::services::tokens`] (32 random bytes,
//! stored hashed, 24 hours, single use, only the newest works).

use crate::db::entities::{account_tokens, users};
use crate::error::{AppError, AppResult, on_unique};
use crate::ids::UserId;
use crate::mail::{self, Mail};
use crate::services::tokens;
use crate::state::{AccountSettings, AppState};
use crate::time_fmt::now_ms;
use crate::validation;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _};

/// "Resend" works at most once per minute...
pub const RESEND_MIN_INTERVAL_MS: i64 = 60_000;
/// ...and five times a day.
pub const RESENDS_PER_DAY: u64 = 5;

fn display_name(user: &users::Model) -> String {
    user.first_name.clone()
}

/// The confirmation mail for `user`'s current address, with a new token
/// (earlier ones stop working). Queued on `db` (pass the sign-up's
/// transaction); wake the job workers after the commit.
///
/// # Errors
/// `Internal` on database failure.
pub async fn send_confirmation<C: ConnectionTrait>(
    db: &C,
    accounts: &AccountSettings,
    user: &users::Model,
) -> AppResult<()> {
    let token = tokens::issue(
        db,
        UserId(user.id),
        account_tokens::CONFIRM_EMAIL,
        Some(&user.email),
        tokens::CONFIRM_TTL_MS,
    )
    .await?;
    let link = accounts.link(&format!("/confirm-email?token={token}"));
    mail::enqueue(db, &confirmation_mail(user, &user.email, &link)).await
}

fn confirmation_mail(user: &users::Model, to: &str, link: &str) -> Mail {
    mail::compose(
        to,
        "Confirm your email address for Hearth",
        &format!("Hi {},", display_name(user)),
        &[
            format!(
                "Please confirm that {to} is your email address on Hearth (@{}).",
                user.username
            ),
            "The link works for 24 hours, once.".to_owned(),
        ],
        Some(("Confirm my email", link)),
        "If you didn't make a Hearth account, ignore this mail: nothing happens without the link.",
    )
}

/// "Resend" from the banner: a new confirmation mail.
///
/// # Errors
/// `Conflict` when the address is already confirmed; `RateLimited` within
/// a minute of the last mail or after five in 24 hours; `NotFound` for a
/// deleted account; `Internal` on failure.
pub async fn resend_confirmation(state: &AppState, user: UserId) -> AppResult<()> {
    let db = &state.db;
    let row = users::Entity::find_by_id(user.0)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.email_confirmed_at_ms.is_some() {
        return Err(AppError::Conflict(
            "Your email address is already confirmed.".to_owned(),
        ));
    }
    let now = now_ms();
    let txn = crate::db::begin_write(db).await?;
    tokens::lock_account(&txn, user).await?;
    if let Some(last) = tokens::last_issued(&txn, user, account_tokens::CONFIRM_EMAIL).await?
        && now - last < RESEND_MIN_INTERVAL_MS
    {
        let wait = RESEND_MIN_INTERVAL_MS - (now - last);
        return Err(AppError::RateLimited {
            retry_after_s: u64::try_from(wait).unwrap_or(0).div_ceil(1000).max(1),
        });
    }
    let day = 24 * 3600 * 1000;
    if tokens::issued_since(&txn, user, account_tokens::CONFIRM_EMAIL, now - day).await?
        > RESENDS_PER_DAY
    {
        // The sign-up's own mail plus five resends.
        return Err(AppError::RateLimited {
            retry_after_s: 3600,
        });
    }
    send_confirmation(&txn, &state.accounts, &row).await?;
    txn.commit().await?;
    state.job_signal.wake();
    Ok(())
}

/// Uses a confirmation or email-change link. Returns whose address it
/// confirmed.
///
/// # Errors
/// `Validation` on `token` for a bad, used or expired link (or one for an
/// address the account no longer has); `Validation` on `email` when the
/// new address was taken meanwhile; `Internal`.
pub async fn confirm(state: &AppState, token: &str) -> AppResult<UserId> {
    let db = &state.db;
    let hash = tokens::hash(token);
    let purpose = account_tokens::Entity::find()
        .filter(account_tokens::Column::TokenHash.eq(&hash))
        .one(db)
        .await?
        .map(|t| t.purpose)
        .filter(|p| p == account_tokens::CONFIRM_EMAIL || p == account_tokens::CHANGE_EMAIL)
        .unwrap_or_else(|| account_tokens::CONFIRM_EMAIL.to_owned());
    let txn = crate::db::begin_write(db).await?;
    let used = tokens::consume(&txn, &purpose, token).await?;
    let Some(user) = users::Entity::find_by_id(used.user_id).one(&txn).await? else {
        return Err(AppError::NotFound);
    };
    let email = used.email.clone().unwrap_or_default();
    let now = now_ms();
    if purpose == account_tokens::CONFIRM_EMAIL {
        if email != user.email {
            // The address changed since this link was sent.
            return Err(AppError::validation(
                "token",
                "This link is invalid or has expired. Ask for a new one.",
            ));
        }
        users::Entity::update_many()
            .col_expr(users::Column::EmailConfirmedAtMs, Expr::value(Some(now)))
            .filter(users::Column::Id.eq(user.id))
            .exec(&txn)
            .await?;
    } else {
        users::Entity::update_many()
            .col_expr(users::Column::Email, Expr::value(email.clone()))
            .col_expr(users::Column::EmailConfirmedAtMs, Expr::value(Some(now)))
            .filter(users::Column::Id.eq(user.id))
            .exec(&txn)
            .await
            .map_err(|e| {
                on_unique(
                    e,
                    AppError::validation("email", "An account with that email already exists."),
                )
            })?;
        // Links to the old address stop working.
        tokens::void_all(&txn, UserId(user.id), account_tokens::CONFIRM_EMAIL).await?;
    }
    txn.commit().await?;
    Ok(UserId(user.id))
}

/// Starts changing `user`'s address to `new_email`: checks the password,
/// mails a confirmation link to the new address and a notice to the old
/// one. The address changes only when the link is used.
///
/// # Errors
/// `Validation` on `password` for a wrong password, on `email` for a bad,
/// unchanged or taken address; `RateLimited` within a minute of the last
/// request; `Internal`.
pub async fn request_change(
    state: &AppState,
    user: UserId,
    new_email: &str,
    password: &str,
) -> AppResult<()> {
    let db = &state.db;
    let row = users::Entity::find_by_id(user.0)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let new_email = validation::email(new_email)?;
    if new_email == row.email {
        return Err(AppError::validation(
            "email",
            "That is already your email address.",
        ));
    }
    if !crate::services::accounts::verify_password(password.to_owned(), row.password_hash.clone())
        .await?
    {
        return Err(AppError::validation(
            "password",
            "That password isn't right.",
        ));
    }
    if users::Entity::find()
        .filter(users::Column::Email.eq(&new_email))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AppError::validation(
            "email",
            "An account with that email already exists.",
        ));
    }
    let now = now_ms();
    let txn = crate::db::begin_write(db).await?;
    tokens::lock_account(&txn, user).await?;
    if let Some(last) = tokens::last_issued(&txn, user, account_tokens::CHANGE_EMAIL).await?
        && now - last < RESEND_MIN_INTERVAL_MS
    {
        return Err(AppError::RateLimited { retry_after_s: 60 });
    }
    let token = tokens::issue(
        &txn,
        user,
        account_tokens::CHANGE_EMAIL,
        Some(&new_email),
        tokens::CONFIRM_TTL_MS,
    )
    .await?;
    let link = state
        .accounts
        .link(&format!("/confirm-email?token={token}"));
    mail::enqueue(&txn, &confirmation_mail(&row, &new_email, &link)).await?;
    mail::enqueue(
        &txn,
        &mail::compose(
            &row.email,
            "Your Hearth email address is being changed",
            &format!("Hi {},", display_name(&row)),
            &[
                format!(
                    "Someone signed in as @{} asked to change the account's email address from {} to {new_email}.",
                    row.username, row.email
                ),
                "The change happens only when the link we sent to the new address is opened.".to_owned(),
                "If this wasn't you, change your password now; your address stays as it is.".to_owned(),
            ],
            Some(("Change your password", &state.accounts.link("/settings/security"))),
            "You're getting this because it concerns your Hearth account.",
        ),
    )
    .await?;
    txn.commit().await?;
    state.job_signal.wake();
    Ok(())
}

/// Refuses `user` when confirmed addresses are required and theirs isn't.
///
/// # Errors
/// `EmailNotConfirmed`; `Internal` on database failure.
pub async fn require_confirmed<C: ConnectionTrait>(
    db: &C,
    accounts: &AccountSettings,
    user: UserId,
) -> AppResult<()> {
    if !accounts.require_confirmed_email {
        return Ok(());
    }
    let confirmed = users::Entity::find_by_id(user.0)
        .one(db)
        .await?
        .is_some_and(|u| u.email_confirmed_at_ms.is_some());
    if confirmed {
        Ok(())
    } else {
        Err(AppError::EmailNotConfirmed)
    }
}
