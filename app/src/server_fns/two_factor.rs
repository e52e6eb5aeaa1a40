//! Two-factor log-in (TOTP, RFC 6238): enrolment and turning it off in
//! settings, and the log-in's second step. The rules live in
//! `crate::services::two_factor`.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What an authenticator app needs to add the account, from
/// [`start_two_factor`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorEnrolment {
    /// The shared secret, base32 (RFC 4648 §6, upper case, no padding;
    /// 32 characters for 160 bits), for typing into the app by hand.
    pub secret: String,
    /// `otpauth://totp/Hearth:{username}?secret=…&issuer=Hearth` (the Key
    /// URI format authenticator apps read from QR codes).
    pub otpauth_url: String,
    /// That URL as a QR code: an `<svg>` element (no XML declaration),
    /// black on white, at least 200 px square.
    pub qr_svg: String,
}

/// Starts turning on two-factor for the signed-in user: a new secret
/// (replacing any from an unfinished setup), as text, URL and QR code.
/// Nothing changes at log-in until [`confirm_two_factor`].
///
/// # Errors
/// `Unauthorized` when signed out; `Conflict` when two-factor is already
/// on; `Internal`.
#[server(endpoint = "start_two_factor")]
pub async fn start_two_factor() -> Result<TwoFactorEnrolment, AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    crate::services::two_factor::start_enrolment(&state.db, me).await
}

/// Turns two-factor on with a first `code` from the app (6 digits) and
/// returns the 10 recovery codes (`abcd-efgh-ijkl`), shown this once only.
///
/// # Errors
/// `Unauthorized` when signed out; `Validation` on `code` when it is
/// wrong; `Conflict` when already on or setup wasn't started; `Internal`.
#[server(endpoint = "confirm_two_factor")]
pub async fn confirm_two_factor(code: String) -> Result<Vec<String>, AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    crate::services::two_factor::confirm_enrolment(&state.db, me, &code).await
}

/// Turns two-factor off: needs the account `password` and a current `code`
/// from the app or an unused recovery code. Wrong answers count toward the
/// account lock (3 in a row lock it for 5 minutes).
///
/// # Errors
/// `Unauthorized` when signed out; `Validation` on `password` or `code`;
/// `RateLimited { retry_after_s }` while locked; `Conflict` when already
/// off; `Internal`.
#[server(endpoint = "disable_two_factor")]
pub async fn disable_two_factor(password: String, code: String) -> Result<(), AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    crate::services::two_factor::disable(&state.db, me, &password, &code).await
}

/// Whether the signed-in user has two-factor log-in on.
///
/// # Errors
/// `Unauthorized` when signed out; `Internal`.
#[server(endpoint = "get_two_factor_status")]
pub async fn get_two_factor_status() -> Result<bool, AppError> {
    let me = crate::auth::require_user().await?;
    let state = crate::state::app_state()?;
    crate::services::two_factor::is_enabled(&state.db, me).await
}

/// The log-in's second step: after `log_in` answered
/// [`crate::models::LogInStep::TwoFactor`], signs in with a `code` from
/// the authenticator app (each accepted once) or an unused recovery code,
/// within 5 minutes of the password. The session id changes on success.
///
/// # Errors
/// `Unauthorized` when no password was accepted in this browser in the
/// last 5 minutes (log in again); `Validation` on `code` for a wrong,
/// reused or empty code; `RateLimited { retry_after_s }` while the account
/// is locked (3 wrong passwords or codes in a row lock it for 5 minutes)
/// or after 25 attempts from the IP address in 5 minutes; `Internal`.
#[server(endpoint = "verify_log_in_code")]
pub async fn verify_log_in_code(code: String) -> Result<(), AppError> {
    use crate::services::two_factor;
    let session = crate::auth::session().await?;
    let Some(user) = two_factor::pending_log_in(&session).await? else {
        return Err(AppError::Unauthorized);
    };
    let state = crate::state::app_state()?;
    if let Some(ip) = crate::auth::client_ip().await {
        state.login_throttle.check(ip).await?;
    }
    two_factor::verify_log_in(&state.db, user, &code).await?;
    crate::auth::start_session(user).await
}
