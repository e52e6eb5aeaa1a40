//! Single-use tokens mailed to people: email confirmation, email change
//! and password reset links.
//!
//! A token is 32 bytes from the OS's CSPRNG, sent as 43 characters of
//! unpadded base64url (RFC 4648 §5); only its SHA-256 (hex) is stored, so
//! a leaked database holds no working link. [`consume`] uses a token with
//! one conditional `UPDATE` (unused and unexpired), so two requests racing
//! with one token can't both win, and a made-up token never matches.

use crate::db::entities::account_tokens;
use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use crate::time_fmt::now_ms;
use base64::Engine as _;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, Set,
};
use sha2::{Digest as _, Sha256};

/// How long an email confirmation (or change) link works: 24 hours.
pub const CONFIRM_TTL_MS: i64 = 24 * 3600 * 1000;
/// How long a password reset link works: 1 hour.
pub const RESET_TTL_MS: i64 = 3600 * 1000;

/// A fresh random token: `(token to mail, hash to store)`.
pub fn new_token() -> (String, String) {
    let mut bytes = [0_u8; 32];
    rand::fill(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&token);
    (token, hash)
}

/// Lower-case hex SHA-256 of `token` (as typed: surrounding spaces cut).
pub fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.trim().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Issues a token of `purpose` for `user`, valid `ttl_ms`; earlier unused
/// tokens of the same purpose are voided ("only the newest link works").
/// Returns the token to mail.
///
/// # Errors
/// `Internal` on database failure.
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    purpose: &str,
    email: Option<&str>,
    ttl_ms: i64,
) -> AppResult<String> {
    let now = now_ms();
    void_all(db, user, purpose).await?;
    let (token, hash) = new_token();
    account_tokens::ActiveModel {
        user_id: Set(user.0),
        purpose: Set(purpose.to_owned()),
        token_hash: Set(hash),
        email: Set(email.map(str::to_owned)),
        created_at_ms: Set(now),
        expires_at_ms: Set(now + ttl_ms),
        used_at_ms: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Voids every unused token of `purpose` for `user` (after a password
/// change, say).
///
/// # Errors
/// `Internal` on database failure.
pub async fn void_all<C: ConnectionTrait>(db: &C, user: UserId, purpose: &str) -> AppResult<()> {
    account_tokens::Entity::update_many()
        .col_expr(account_tokens::Column::UsedAtMs, Expr::value(now_ms()))
        .filter(account_tokens::Column::UserId.eq(user.0))
        .filter(account_tokens::Column::Purpose.eq(purpose))
        .filter(account_tokens::Column::UsedAtMs.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Uses `token` for `purpose`: marks it used and returns its row.
///
/// # Errors
/// `Validation` on field `token` ("This link is invalid or has expired…")
/// for a made-up, used, voided, expired or other-purpose token (one
/// message for all); `Internal` on database failure.
pub async fn consume<C: ConnectionTrait>(
    db: &C,
    purpose: &str,
    token: &str,
) -> AppResult<account_tokens::Model> {
    let bad = || {
        AppError::validation(
            "token",
            "This link is invalid or has expired. Ask for a new one.",
        )
    };
    if token.trim().is_empty() || token.len() > 100 {
        return Err(bad());
    }
    let hash = hash(token);
    let now = now_ms();
    let won = account_tokens::Entity::update_many()
        .col_expr(account_tokens::Column::UsedAtMs, Expr::value(now))
        .filter(account_tokens::Column::TokenHash.eq(&hash))
        .filter(account_tokens::Column::Purpose.eq(purpose))
        .filter(account_tokens::Column::UsedAtMs.is_null())
        .filter(account_tokens::Column::ExpiresAtMs.gt(now))
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if !won {
        return Err(bad());
    }
    account_tokens::Entity::find()
        .filter(account_tokens::Column::TokenHash.eq(&hash))
        .one(db)
        .await?
        .ok_or_else(bad)
}

/// Serialises token issuing for `user` inside transaction `txn`: a no-op
/// `UPDATE` of their `users` row, which PostgreSQL holds locked until the
/// commit (SQLite's `BEGIN IMMEDIATE` already lets one writer in at a
/// time). Rate-limit checks made after it see every token issued before,
/// so two racing requests can't both pass a cool-down.
///
/// # Errors
/// `Internal` on database failure.
pub async fn lock_account<C: ConnectionTrait>(txn: &C, user: UserId) -> AppResult<()> {
    use crate::db::entities::users;
    users::Entity::update_many()
        .col_expr(users::Column::Id, Expr::col(users::Column::Id))
        .filter(users::Column::Id.eq(user.0))
        .exec(txn)
        .await?;
    Ok(())
}

/// Tokens of `purpose` issued to `user` since `since_ms` (rate limits).
///
/// # Errors
/// `Internal` on database failure.
pub async fn issued_since<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    purpose: &str,
    since_ms: i64,
) -> AppResult<u64> {
    Ok(account_tokens::Entity::find()
        .filter(account_tokens::Column::UserId.eq(user.0))
        .filter(account_tokens::Column::Purpose.eq(purpose))
        .filter(account_tokens::Column::CreatedAtMs.gte(since_ms))
        .count(db)
        .await?)
}

/// When the newest token of `purpose` was issued to `user` (ms), if any.
///
/// # Errors
/// `Internal` on database failure.
pub async fn last_issued<C: ConnectionTrait>(
    db: &C,
    user: UserId,
    purpose: &str,
) -> AppResult<Option<i64>> {
    Ok(account_tokens::Entity::find()
        .filter(account_tokens::Column::UserId.eq(user.0))
        .filter(account_tokens::Column::Purpose.eq(purpose))
        .order_by_desc(account_tokens::Column::CreatedAtMs)
        .one(db)
        .await?
        .map(|t| t.created_at_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_random_bytes_and_only_their_hash_is_kept() {
        let (a, ha) = new_token();
        let (b, hb) = new_token();
        assert_eq!(a.len(), 43, "32 bytes, unpadded base64url");
        assert_ne!(a, b);
        assert_eq!(ha.len(), 64);
        assert_eq!(hash(&a), ha);
        assert_ne!(ha, hb);
        assert!(!ha.contains(&a));
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
