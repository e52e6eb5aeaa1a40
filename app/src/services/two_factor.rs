//! Two-factor log-in with an authenticator app (TOTP, RFC 6238) and
//! recovery codes.
//!
//! * **Codes.** HMAC-SHA-1, 6 digits, 30-second time steps counted from
//!   the Unix epoch (RFC 6238 §4's defaults, which every authenticator app
//!   speaks; the HOTP truncation is RFC 4226 §5.3). A code of the current
//!   step or one step either side is accepted (RFC 6238 §5.2's
//!   recommended allowance for clock drift and network delay).
//! * **Once only.** RFC 6238 §5.2: a verifier must not accept a code a
//!   second time. The last accepted step is kept in `users.totp_last_step`
//!   and a code is accepted only for a newer step, with one conditional
//!   `UPDATE` (`… WHERE totp_last_step < step`), so two requests racing
//!   with one code can't both win.
//! * **Secrets.** 20 bytes (160 bits, RFC 4226 §4's recommended length)
//!   from the OS's CSPRNG, stored base32 (RFC 4648 §6, no padding) in
//!   `users.totp_secret` from enrolment start; two-factor is on only once
//!   `users.totp_enabled_at_ms` is set by a first valid code.
//! * **Recovery codes.** 10 single-use codes of 12 letters from a
//!   32-letter alphabet (60 bits each), shown once as `abcd-efgh-ijkl`;
//!   only the SHA-256 (lower-case hex) of the normalised code is stored.
//! * **Guessing.** A wrong code counts toward the account lock exactly
//!   like a wrong password ([`accounts::guarded_attempt`]): the third failure
//!   in a row locks the account for [`accounts::LOCK_MS`]; while locked,
//!   codes are refused unread. A right password doesn't clear the count
//!   for an account with two-factor on ([`accounts::log_in`]): only a whole
//!   log-in does.
//!
//! Server-only.

use crate::db::entities::{recovery_codes, users};
use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use crate::server_fns::two_factor::TwoFactorEnrolment;
use crate::services::accounts;
use crate::time_fmt::now_ms;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait as _, Condition, ConnectionTrait, DatabaseConnection, EntityTrait as _,
    QueryFilter as _, Set,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// The issuer authenticator apps show beside the account name (the
/// `issuer` parameter and label prefix of the `otpauth://` URL).
pub const ISSUER: &str = "Hearth";
/// Length of a time step, in seconds (RFC 6238 §4's `X`, §5.2's
/// recommended 30 s).
pub const STEP_S: u64 = 30;
/// Digits in a code (RFC 4226 §5.3: at least 6).
pub const DIGITS: usize = 6;
/// Steps either side of the current one whose codes are accepted (RFC
/// 6238 §5.2 recommends at most one).
pub const SKEW_STEPS: u64 = 1;
/// Bytes of a shared secret: 160 bits (RFC 4226 §4 recommends 160).
pub const SECRET_BYTES: usize = 20;
/// Recovery codes issued when two-factor is turned on.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Letters in a recovery code, not counting its two dashes.
pub const RECOVERY_CODE_LETTERS: usize = 12;
/// The 32 characters recovery codes are made of (RFC 4648's base32
/// alphabet, lower-case: no `0`, `1`, `8` or `9` to mistake for letters).
pub const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// Session key of a log-in waiting for its code ([`PendingLogIn`]).
pub const PENDING_KEY: &str = "pending_2fa";
/// How long a right password waits for its code: 5 minutes, in ms.
pub const PENDING_TTL_MS: i64 = 5 * 60 * 1000;

/// A log-in whose password was right, waiting for its second factor; kept
/// in the server-side session under [`PENDING_KEY`], never in the cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLogIn {
    /// Whose password was right.
    pub user_id: i64,
    /// When, in ms since the epoch.
    pub at_ms: i64,
}

impl PendingLogIn {
    /// Whether the code may still be sent at `now_ms`: within
    /// [`PENDING_TTL_MS`] of the password (and not from the future).
    pub fn is_fresh(&self, now_ms: i64) -> bool {
        let age = now_ms - self.at_ms;
        (0..=PENDING_TTL_MS).contains(&age)
    }
}

/// The message for a wrong, reused or malformed code.
fn wrong_code() -> AppError {
    AppError::validation(
        "code",
        "That code didn't work. Enter the current code from your authenticator app, or a recovery code.",
    )
}

fn no_code() -> AppError {
    AppError::validation("code", "Enter the code from your authenticator app.")
}

fn now_s() -> u64 {
    u64::try_from(now_ms() / 1000).unwrap_or(0)
}

/// A [`Totp`] for `secret` (raw bytes) and `account`: SHA-1, 6 digits,
/// 30 s steps (RFC 6238 §4, §5.2).
fn totp(secret: Vec<u8>, account: &str) -> AppResult<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS as u8)
        .with_skew(SKEW_STEPS as u16)
        .with_step_duration(STEP_S)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .map_err(|e| anyhow::anyhow!("building TOTP: {e}").into())
}

fn decode_secret(base32: &str) -> AppResult<Vec<u8>> {
    Secret::try_from_base32(base32)
        .map(|s| s.as_ref().to_vec())
        .map_err(|e| anyhow::anyhow!("stored TOTP secret: {e}").into())
}

/// Equal without an early exit, so timing doesn't tell how much matched.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A typed code without the spaces people copy or type into it
/// (`"123 456"` → `"123456"`).
pub fn compact_code(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether `code` (already [`compact_code`]ed) looks like an authenticator
/// code rather than a recovery code: exactly [`DIGITS`] ASCII digits.
pub fn is_totp_code(code: &str) -> bool {
    code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())
}

/// The time step (RFC 6238 §4: `T = floor(unix_s / 30)`) whose code is
/// `code`, among the step of `unix_s` and [`SKEW_STEPS`] either side (§5.2),
/// and newer than `last_step` (§5.2: a code is accepted once, and a code
/// older than an accepted one never). The newest matching step wins.
/// `secret` is the raw shared secret, at least 16 bytes (RFC 4226 §4).
///
/// # Errors
/// `Internal` for a secret shorter than 16 bytes (logged).
pub fn matching_step(
    secret: &[u8],
    code: &str,
    unix_s: u64,
    last_step: Option<i64>,
) -> AppResult<Option<i64>> {
    let code = compact_code(code);
    if !is_totp_code(&code) {
        return Ok(None);
    }
    let totp = totp(secret.to_vec(), "")?;
    let now_step = unix_s / STEP_S;
    let mut found = None;
    for step in now_step.saturating_sub(SKEW_STEPS)..=now_step + SKEW_STEPS {
        let Ok(signed) = i64::try_from(step) else {
            continue;
        };
        let expected = totp.generate(step * STEP_S).to_string();
        // Check every step (no early exit), keeping the newest match.
        if same_bytes(expected.as_bytes(), code.as_bytes()) && last_step.is_none_or(|l| signed > l)
        {
            found = Some(signed);
        }
    }
    Ok(found)
}

/// A recovery code as stored before hashing: lower case, spaces and
/// dashes dropped (`"ABCD-efgh ijkl"` → `"abcdefghijkl"`); `None` unless
/// that leaves [`RECOVERY_CODE_LETTERS`] characters of
/// [`RECOVERY_ALPHABET`].
pub fn normalise_recovery_code(code: &str) -> Option<String> {
    let norm: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    (norm.len() == RECOVERY_CODE_LETTERS && norm.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)))
        .then_some(norm)
}

/// Lower-case hex SHA-256 of a normalised recovery code (what
/// `recovery_codes.code_hash` holds).
pub fn hash_recovery_code(normalised: &str) -> String {
    Sha256::digest(normalised.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// [`RECOVERY_CODE_COUNT`] fresh recovery codes from the OS's CSPRNG,
/// formatted `abcd-efgh-ijkl`.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODE_COUNT)
        .map(|_| {
            let mut bytes = [0_u8; RECOVERY_CODE_LETTERS];
            rand::fill(&mut bytes);
            let mut code = String::with_capacity(RECOVERY_CODE_LETTERS + 2);
            for (i, b) in bytes.iter().enumerate() {
                if i > 0 && i % 4 == 0 {
                    code.push('-');
                }
                // 256 is a multiple of 32, so every letter is equally likely.
                code.push(char::from(RECOVERY_ALPHABET[usize::from(b % 32)]));
            }
            code
        })
        .collect()
}

/// The QR code of `url` as an SVG document (no XML declaration, so it can
/// go straight into HTML), black on white, at least 200 px square.
///
/// # Errors
/// `Internal` if `url` is too long for a QR code (it never is).
pub fn qr_svg(url: &str) -> AppResult<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| anyhow::anyhow!("QR code: {e}"))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    Ok(match image.find("<svg") {
        Some(at) => image[at..].to_owned(),
        None => image,
    })
}

async fn find_user<C: ConnectionTrait>(db: &C, user: UserId) -> AppResult<users::Model> {
    users::Entity::find_by_id(user.0)
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)
}

/// Whether `user` has two-factor log-in on.
///
/// # Errors
/// `Internal` on database failure.
pub async fn is_enabled<C: ConnectionTrait>(db: &C, user: UserId) -> AppResult<bool> {
    Ok(users::Entity::find_by_id(user.0)
        .one(db)
        .await?
        .is_some_and(|u| u.totp_enabled_at_ms.is_some()))
}

/// Starts (or restarts) enrolment: a fresh secret, stored in
/// `users.totp_secret` while two-factor is still off; returns it as base32
/// (for typing in), as an `otpauth://totp/Hearth:{username}?…` URL, and as
/// that URL's QR code (SVG). Restarting voids the previous secret.
///
/// # Errors
/// `Unauthorized` if the account is gone; `Conflict` when two-factor is
/// already on; `Internal`.
pub async fn start_enrolment<C: ConnectionTrait>(
    db: &C,
    user: UserId,
) -> AppResult<TwoFactorEnrolment> {
    let row = find_user(db, user).await?;
    let already_on = || AppError::Conflict("Two-factor authentication is already on.".into());
    if row.totp_enabled_at_ms.is_some() {
        return Err(already_on());
    }
    let mut bytes = [0_u8; SECRET_BYTES];
    rand::fill(&mut bytes);
    let secret = Secret::from(bytes.to_vec()).to_base32();
    let updated = users::Entity::update_many()
        .col_expr(users::Column::TotpSecret, Expr::value(Some(secret.clone())))
        .col_expr(
            users::Column::TotpLastStep,
            Expr::value(Option::<i64>::None),
        )
        .filter(users::Column::Id.eq(row.id))
        .filter(users::Column::TotpEnabledAtMs.is_null())
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(already_on());
    }
    let otpauth_url = totp(bytes.to_vec(), &row.username)?
        .to_url()
        .map_err(|e| anyhow::anyhow!("otpauth URL: {e}"))?;
    let qr_svg = qr_svg(&otpauth_url)?;
    Ok(TwoFactorEnrolment {
        secret,
        otpauth_url,
        qr_svg,
    })
}

/// Replaces `user`'s recovery codes with fresh ones; returns them (the
/// only time they are readable).
async fn replace_recovery_codes<C: ConnectionTrait>(db: &C, user: i64) -> AppResult<Vec<String>> {
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(user))
        .exec(db)
        .await?;
    let codes = new_recovery_codes();
    let rows = codes.iter().map(|c| recovery_codes::ActiveModel {
        user_id: Set(user),
        code_hash: Set(hash_recovery_code(
            &normalise_recovery_code(c).unwrap_or_default(),
        )),
        used_at_ms: Set(None),
        ..Default::default()
    });
    recovery_codes::Entity::insert_many(rows).exec(db).await?;
    Ok(codes)
}

/// Finishes enrolment: a first valid `code` for the secret from
/// [`start_enrolment`] turns two-factor on (and is used up), and 10
/// recovery codes are made; they are returned in plain text this once,
/// stored hashed.
///
/// # Errors
/// `Validation` on `code` when it is wrong (not counted toward the lock:
/// the caller is signed in already); `Conflict` when two-factor is on
/// already or enrolment wasn't started (or was restarted meanwhile);
/// `Unauthorized` if the account is gone; `Internal`.
pub async fn confirm_enrolment(
    db: &DatabaseConnection,
    user: UserId,
    code: &str,
) -> AppResult<Vec<String>> {
    let row = find_user(db, user).await?;
    if row.totp_enabled_at_ms.is_some() {
        return Err(AppError::Conflict(
            "Two-factor authentication is already on.".into(),
        ));
    }
    let Some(secret) = row.totp_secret.clone() else {
        return Err(AppError::Conflict(
            "Start setting up two-factor authentication first.".into(),
        ));
    };
    if compact_code(code).is_empty() {
        return Err(no_code());
    }
    let Some(step) = matching_step(&decode_secret(&secret)?, code, now_s(), None)? else {
        return Err(wrong_code());
    };
    let txn = crate::db::begin_write(db).await?;
    let updated = users::Entity::update_many()
        .col_expr(users::Column::TotpEnabledAtMs, Expr::value(Some(now_ms())))
        .col_expr(users::Column::TotpLastStep, Expr::value(Some(step)))
        .filter(users::Column::Id.eq(row.id))
        .filter(users::Column::TotpEnabledAtMs.is_null())
        .filter(users::Column::TotpSecret.eq(secret))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict(
            "Two-factor setup changed meanwhile (another tab?). Start again.".into(),
        ));
    }
    let codes = replace_recovery_codes(&txn, row.id).await?;
    txn.commit().await?;
    Ok(codes)
}

/// Uses up `code` for `user`: an authenticator code for a step newer than
/// the last accepted one, or an unused recovery code. Each is claimed with
/// one conditional `UPDATE`, so of two requests racing with one code only
/// one gets `true`. Doesn't count failures.
async fn use_code<C: ConnectionTrait>(db: &C, user: &users::Model, code: &str) -> AppResult<bool> {
    let Some(secret) = user.totp_secret.clone() else {
        return Ok(false);
    };
    let compact = compact_code(code);
    if is_totp_code(&compact) {
        let Some(step) = matching_step(
            &decode_secret(&secret)?,
            &compact,
            now_s(),
            user.totp_last_step,
        )?
        else {
            return Ok(false);
        };
        let claimed = users::Entity::update_many()
            .col_expr(users::Column::TotpLastStep, Expr::value(Some(step)))
            .filter(users::Column::Id.eq(user.id))
            .filter(users::Column::TotpEnabledAtMs.is_not_null())
            .filter(users::Column::TotpSecret.eq(secret))
            .filter(
                Condition::any()
                    .add(users::Column::TotpLastStep.is_null())
                    .add(users::Column::TotpLastStep.lt(step)),
            )
            .exec(db)
            .await?;
        return Ok(claimed.rows_affected == 1);
    }
    let Some(norm) = normalise_recovery_code(&compact) else {
        return Ok(false);
    };
    let Some(found) = recovery_codes::Entity::find()
        .filter(recovery_codes::Column::UserId.eq(user.id))
        .filter(recovery_codes::Column::CodeHash.eq(hash_recovery_code(&norm)))
        .filter(recovery_codes::Column::UsedAtMs.is_null())
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let claimed = recovery_codes::Entity::update_many()
        .col_expr(
            recovery_codes::Column::UsedAtMs,
            Expr::value(Some(now_ms())),
        )
        .filter(recovery_codes::Column::Id.eq(found.id))
        .filter(recovery_codes::Column::UsedAtMs.is_null())
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Records in `session` that `user`'s password was right and a code is
/// due within [`PENDING_TTL_MS`].
///
/// # Errors
/// `Internal` if the session store fails.
pub async fn begin_log_in(session: &tower_sessions::Session, user: UserId) -> AppResult<()> {
    session
        .insert(
            PENDING_KEY,
            PendingLogIn {
                user_id: user.0,
                at_ms: now_ms(),
            },
        )
        .await?;
    Ok(())
}

/// The log-in waiting for a code in `session`, if any and still fresh;
/// a stale one is removed.
///
/// # Errors
/// `Internal` if the session store fails.
pub async fn pending_log_in(session: &tower_sessions::Session) -> AppResult<Option<UserId>> {
    match session.get::<PendingLogIn>(PENDING_KEY).await? {
        Some(p) if p.is_fresh(now_ms()) => Ok(Some(UserId(p.user_id))),
        Some(_) => {
            session.remove_value(PENDING_KEY).await?;
            Ok(None)
        }
        None => Ok(None),
    }
}

/// The log-in's second step for `user` (whose password was right): accepts
/// an authenticator code (once, RFC 6238 §5.2) or an unused recovery code.
/// A wrong one counts toward the account lock; success clears the count.
///
/// # Errors
/// `RateLimited { retry_after_s }` while the account is locked, or when
/// this failure locked it; `Validation` on `code` for a wrong, reused or
/// empty code; `Unauthorized` if two-factor was turned off meanwhile or
/// the account is gone (log in again); `Internal`.
pub async fn verify_log_in<C: ConnectionTrait>(db: &C, user: UserId, code: &str) -> AppResult<()> {
    let row = find_user(db, user).await?;
    if row.totp_enabled_at_ms.is_none() {
        return Err(AppError::Unauthorized);
    }
    if compact_code(code).is_empty() {
        return Err(no_code());
    }
    accounts::guarded_attempt(
        db,
        row.id,
        wrong_code(),
        accounts::AttemptEnd::Clear,
        use_code(db, &row, code),
    )
    .await
}

/// Turns two-factor off: needs the account's `password` and a current
/// authenticator code or a recovery code. Clears the secret, the enabled
/// time and the last step, and deletes the recovery codes. Wrong answers
/// count toward the account lock.
///
/// # Errors
/// `Validation` on `password` or `code` when wrong (or `code` empty);
/// `RateLimited` while locked or when this failure locked the account;
/// `Conflict` when two-factor is off; `Unauthorized`; `Internal`.
pub async fn disable(
    db: &DatabaseConnection,
    user: UserId,
    password: &str,
    code: &str,
) -> AppResult<()> {
    let row = find_user(db, user).await?;
    if row.totp_enabled_at_ms.is_none() {
        return Err(AppError::Conflict(
            "Two-factor authentication is already off.".into(),
        ));
    }
    accounts::guarded_attempt(
        db,
        row.id,
        AppError::validation("password", "That password isn't right."),
        accounts::AttemptEnd::Release,
        accounts::verify_password(password.to_owned(), row.password_hash.clone()),
    )
    .await?;
    if compact_code(code).is_empty() {
        return Err(no_code());
    }
    accounts::guarded_attempt(
        db,
        row.id,
        wrong_code(),
        accounts::AttemptEnd::Release,
        use_code(db, &row, code),
    )
    .await?;
    let txn = crate::db::begin_write(db).await?;
    users::Entity::update_many()
        .col_expr(
            users::Column::TotpSecret,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            users::Column::TotpEnabledAtMs,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            users::Column::TotpLastStep,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(users::Column::FailedLogins, Expr::value(0))
        .filter(users::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(row.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B's SHA-1 seed.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_vectors_match_at_their_step() {
        // Appendix B's 8-digit SHA-1 values, last 6 digits (RFC 4226 §5.3
        // truncation modulo 10^6).
        for (time, code) in [
            (59_u64, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            let step = i64::try_from(time / 30).expect("step");
            assert_eq!(
                matching_step(RFC_SECRET, code, time, None).expect("check"),
                Some(step),
                "{time}"
            );
        }
    }

    #[test]
    fn one_step_of_skew_either_side_and_no_more() {
        let t = 1_234_567_890_u64; // step 41152263, code 005924
        assert_eq!(
            matching_step(RFC_SECRET, "005924", t + 30, None).expect("check"),
            Some(41_152_263)
        );
        assert_eq!(
            matching_step(RFC_SECRET, "005924", t - 30, None).expect("check"),
            Some(41_152_263)
        );
        assert_eq!(
            matching_step(RFC_SECRET, "005924", t + 60, None).expect("check"),
            None
        );
        assert_eq!(
            matching_step(RFC_SECRET, "005924", t - 60, None).expect("check"),
            None
        );
    }

    #[test]
    fn a_step_at_or_before_the_last_accepted_is_refused() {
        let t = 1_234_567_890_u64;
        let step = 41_152_263_i64;
        assert_eq!(
            matching_step(RFC_SECRET, "005924", t, Some(step)).expect("check"),
            None
        );
        assert_eq!(
            matching_step(RFC_SECRET, "005924", t, Some(step + 1)).expect("check"),
            None
        );
        assert_eq!(
            matching_step(RFC_SECRET, "005924", t, Some(step - 1)).expect("check"),
            Some(step)
        );
    }

    #[test]
    fn malformed_codes_never_match() {
        let t = 1_234_567_890_u64;
        for code in ["", "00592", "0059245", "+05924", "00592a", "abcdef"] {
            assert_eq!(
                matching_step(RFC_SECRET, code, t, None).expect("check"),
                None,
                "{code:?}"
            );
        }
        // Spaces are dropped first.
        assert_eq!(
            matching_step(RFC_SECRET, " 005 924 ", t, None).expect("check"),
            Some(41_152_263)
        );
    }

    #[test]
    fn short_secret_is_an_error_not_a_match() {
        assert!(matching_step(b"short", "123456", 59, None).is_err());
    }

    #[test]
    fn recovery_codes_normalise_case_dashes_and_spaces() {
        let want = Some("abcdefghjk23".to_owned());
        assert_eq!(normalise_recovery_code("abcd-efgh-jk23"), want);
        assert_eq!(normalise_recovery_code("ABCD-EFGH-JK23"), want);
        assert_eq!(normalise_recovery_code(" abcd efgh jk23 "), want);
        assert_eq!(normalise_recovery_code("AbCdEfGhJk23"), want);
        assert_eq!(normalise_recovery_code("ab-cd - ef\tgh-jk-23"), want);
        // Wrong length, or characters outside the alphabet.
        assert_eq!(normalise_recovery_code("abcd-efgh-jk2"), None);
        assert_eq!(normalise_recovery_code("abcd-efgh-jk234"), None);
        assert_eq!(normalise_recovery_code("abcd-efgh-jk01"), None);
        assert_eq!(normalise_recovery_code("abcd_efgh_jk23"), None);
        assert_eq!(normalise_recovery_code(""), None);
    }

    #[test]
    fn recovery_code_hash_is_lowercase_hex_sha256() {
        let h = hash_recovery_code("abcdefghjk23");
        assert_eq!(h.len(), 64);
        assert!(
            h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_eq!(
            hash_recovery_code(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn new_recovery_codes_are_ten_distinct_well_formed_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        for c in &codes {
            assert_eq!(c.len(), 14, "{c}");
            assert_eq!(c.matches('-').count(), 2, "{c}");
            assert_eq!(&c[4..5], "-");
            assert_eq!(&c[9..10], "-");
            assert!(normalise_recovery_code(c).is_some(), "{c}");
            // Never mistaken for an authenticator code.
            assert!(!is_totp_code(&compact_code(c)));
        }
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len());
    }

    #[test]
    fn pending_log_in_lasts_five_minutes() {
        let p = PendingLogIn {
            user_id: 1,
            at_ms: 1_000_000,
        };
        assert!(p.is_fresh(1_000_000));
        assert!(p.is_fresh(1_000_000 + PENDING_TTL_MS));
        assert!(!p.is_fresh(1_000_001 + PENDING_TTL_MS));
        assert!(!p.is_fresh(999_999));
    }

    #[test]
    fn qr_code_is_inline_svg() {
        let svg = qr_svg("otpauth://totp/Hearth:alice?secret=GEZDGNBVGY3TQOJQ&issuer=Hearth")
            .expect("svg");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn otpauth_url_names_issuer_and_account() {
        let url = totp(RFC_SECRET.to_vec(), "alice")
            .expect("totp")
            .to_url()
            .expect("url");
        assert!(url.starts_with("otpauth://totp/Hearth:alice?"), "{url}");
        assert!(
            url.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{url}"
        );
        assert!(url.contains("issuer=Hearth"), "{url}");
    }
}
