//! Two-factor log-in (TOTP, RFC 6238): enrolment, the log-in's second
//! step, codes used once, the account lock, recovery codes, turning off.
//! Codes are computed here with `totp-rs`, as an authenticator app would.

use crate::helpers::{Person, TestApp, decode, new_client, session_cookie, spawn_app};
use app::db::entities::{recovery_codes, users};
use app::error::AppError;
use app::models::{CurrentUser, LogInStep};
use app::server_fns::auth::{GetCurrentUser, LogOut};
use app::server_fns::two_factor::{
    ConfirmTwoFactor, DisableTwoFactor, GetTwoFactorStatus, StartTwoFactor, TwoFactorEnrolment,
    VerifyLogInCode,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const PASSWORD: &str = "correct horse battery";

/// The code an authenticator app shows for `secret` (base32) during time
/// step `step` (30 s steps since the epoch).
fn code_at(secret: &str, step: u64) -> String {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).expect("base32"))
        .build()
        .expect("totp")
        .generate(step * 30)
        .to_string()
}

/// A 6-digit code that is none of the codes accepted around `step`.
fn wrong_code(secret: &str, step: u64) -> String {
    let taken: Vec<String> = (step - 2..=step + 2).map(|s| code_at(secret, s)).collect();
    (0..)
        .map(|n| format!("{n:06}"))
        .find(|c| !taken.contains(c))
        .expect("a free code")
}

/// The current time step, first waiting out the last 10 s of a step, so
/// the caller has at least 10 s in this step and the whole next one: the
/// codes of `step - 1`, `step` and `step + 1` all work that long.
async fn fresh_step() -> u64 {
    loop {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        if 30 - now % 30 >= 10 {
            return now / 30;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Turns two-factor on for `who` with the code of the step before the
/// current one; returns the secret, the recovery codes and the current
/// step (whose code and the next one's are still unused).
async fn enrol(app: &TestApp, who: &Person) -> (String, Vec<String>, u64) {
    let enrolment: TwoFactorEnrolment = app
        .call_as::<StartTwoFactor, _>(who, &[])
        .await
        .expect("start");
    let step = fresh_step().await;
    let codes: Vec<String> = app
        .call_as::<ConfirmTwoFactor, _>(who, &[("code", &code_at(&enrolment.secret, step - 1))])
        .await
        .expect("confirm");
    (enrolment.secret, codes, step)
}

async fn verify(app: &TestApp, client: &reqwest::Client, code: &str) -> Result<(), AppError> {
    decode(
        app.call_with::<VerifyLogInCode>(client, &[("code", code)])
            .await,
    )
    .await
}

async fn who(app: &TestApp, client: &reqwest::Client) -> Option<CurrentUser> {
    decode(app.call_with::<GetCurrentUser>(client, &[]).await)
        .await
        .expect("me")
}

async fn log_out(app: &TestApp, client: &reqwest::Client) {
    decode::<()>(app.call_with::<LogOut>(client, &[]).await)
        .await
        .expect("log out");
}

fn is_code_error(res: &Result<impl std::fmt::Debug, AppError>) -> bool {
    matches!(res, Err(AppError::Validation { field, .. }) if field == "code")
}

#[tokio::test]
async fn enrolment_needs_a_right_first_code_and_returns_ten_recovery_codes() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    let on: bool = app
        .call_as::<GetTwoFactorStatus, _>(&alice, &[])
        .await
        .expect("status");
    assert!(!on);

    let e: TwoFactorEnrolment = app
        .call_as::<StartTwoFactor, _>(&alice, &[])
        .await
        .expect("start");
    assert_eq!(e.secret.len(), 32, "160 bits in base32: {}", e.secret);
    assert!(
        e.otpauth_url.starts_with("otpauth://totp/Hearth:alice?"),
        "{}",
        e.otpauth_url
    );
    assert!(e.otpauth_url.contains(&format!("secret={}", e.secret)));
    assert!(e.otpauth_url.contains("issuer=Hearth"));
    assert!(e.qr_svg.starts_with("<svg"), "{}", &e.qr_svg[..40]);
    // Only the secret is stored so far: log-in is unchanged.
    let row = users::Entity::find_by_id(alice.id.0)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("row");
    assert_eq!(row.totp_secret.as_deref(), Some(e.secret.as_str()));
    assert_eq!(row.totp_enabled_at_ms, None);
    let client = new_client();
    assert_eq!(
        app.log_in_step_with(&client, "alice", PASSWORD).await,
        Ok(LogInStep::SignedIn)
    );

    let step = fresh_step().await;
    let res: Result<Vec<String>, _> = app
        .call_as::<ConfirmTwoFactor, _>(&alice, &[("code", &wrong_code(&e.secret, step))])
        .await;
    assert!(is_code_error(&res), "{res:?}");
    let on: bool = app
        .call_as::<GetTwoFactorStatus, _>(&alice, &[])
        .await
        .expect("status");
    assert!(!on, "a wrong first code must not turn it on");

    let codes: Vec<String> = app
        .call_as::<ConfirmTwoFactor, _>(&alice, &[("code", &code_at(&e.secret, step))])
        .await
        .expect("confirm");
    assert_eq!(codes.len(), 10);
    for c in &codes {
        assert_eq!(c.len(), 14, "{c}");
        assert_eq!(c.split('-').map(str::len).collect::<Vec<_>>(), [4, 4, 4]);
        assert!(
            c.chars()
                .all(|ch| ch == '-' || ch.is_ascii_lowercase() || ch.is_ascii_digit())
        );
    }
    let on: bool = app
        .call_as::<GetTwoFactorStatus, _>(&alice, &[])
        .await
        .expect("status");
    assert!(on);
    // Stored as hashes only.
    let stored = recovery_codes::Entity::find()
        .filter(recovery_codes::Column::UserId.eq(alice.id.0))
        .all(&app.state.db)
        .await
        .expect("rows");
    assert_eq!(stored.len(), 10);
    let mut want: Vec<String> = codes
        .iter()
        .map(|c| {
            use sha2::Digest as _;
            sha2::Sha256::digest(c.replace('-', "").as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect();
    let mut got: Vec<String> = stored.into_iter().map(|r| r.code_hash).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want, "SHA-256 of the normalised codes, nothing else");

    // No second enrolment while on; the code was used up by turning it on.
    let again: Result<TwoFactorEnrolment, _> = app.call_as::<StartTwoFactor, _>(&alice, &[]).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");
    let again: Result<Vec<String>, _> = app
        .call_as::<ConfirmTwoFactor, _>(&alice, &[("code", &code_at(&e.secret, step + 1))])
        .await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");

    // Signed out, none of it is reachable.
    let stranger = new_client();
    let res: Result<TwoFactorEnrolment, _> =
        decode(app.call_with::<StartTwoFactor>(&stranger, &[]).await).await;
    assert_eq!(res, Err(AppError::Unauthorized));
}

#[tokio::test]
async fn log_in_asks_for_a_code_then_signs_in_with_a_new_session_id() {
    let app = spawn_app().await;
    let bob = app.person("bob").await;
    let (secret, _, step) = enrol(&app, &bob).await;

    let client = new_client();
    let resp = app
        .call_with::<app::server_fns::auth::LogIn>(
            &client,
            &[("login", "BOB"), ("password", PASSWORD)],
        )
        .await;
    let pending_cookie = session_cookie(&resp).expect("a session for the pending log-in");
    assert_eq!(decode::<LogInStep>(resp).await, Ok(LogInStep::TwoFactor));
    assert_eq!(who(&app, &client).await, None, "not signed in yet");
    let status: Result<bool, _> =
        decode(app.call_with::<GetTwoFactorStatus>(&client, &[]).await).await;
    assert_eq!(status, Err(AppError::Unauthorized));

    let resp = app
        .call_with::<VerifyLogInCode>(&client, &[("code", &code_at(&secret, step))])
        .await;
    let signed_in_cookie = session_cookie(&resp).expect("a new session cookie");
    decode::<()>(resp).await.expect("verify");
    assert_ne!(
        pending_cookie.split(';').next(),
        signed_in_cookie.split(';').next(),
        "the session id must change at sign-in"
    );
    assert_eq!(who(&app, &client).await.map(|u| u.id), Some(bob.id));

    // By email, with the code typed with a space, works the same.
    let other = new_client();
    assert_eq!(
        app.log_in_step_with(&other, "bob@example.com", PASSWORD)
            .await,
        Ok(LogInStep::TwoFactor)
    );
    let code = code_at(&secret, step + 1);
    verify(&app, &other, &format!("{} {}", &code[..3], &code[3..]))
        .await
        .expect("verify with a space");
    assert_eq!(who(&app, &other).await.map(|u| u.id), Some(bob.id));
}

#[tokio::test]
async fn a_code_works_only_once() {
    let app = spawn_app().await;
    let cleo = app.person("cleo").await;
    let (secret, _, step) = enrol(&app, &cleo).await;
    let client = new_client();

    // The code that turned two-factor on is used up already.
    assert_eq!(
        app.log_in_step_with(&client, "cleo", PASSWORD).await,
        Ok(LogInStep::TwoFactor)
    );
    let res = verify(&app, &client, &code_at(&secret, step - 1)).await;
    assert!(is_code_error(&res), "{res:?}");

    verify(&app, &client, &code_at(&secret, step))
        .await
        .expect("a fresh code");
    log_out(&app, &client).await;

    assert_eq!(
        app.log_in_step_with(&client, "cleo", PASSWORD).await,
        Ok(LogInStep::TwoFactor)
    );
    let res = verify(&app, &client, &code_at(&secret, step)).await;
    assert!(is_code_error(&res), "reuse must be refused: {res:?}");
    assert_eq!(who(&app, &client).await, None);
    // The next step's code still works.
    verify(&app, &client, &code_at(&secret, step + 1))
        .await
        .expect("next code");
    assert_eq!(who(&app, &client).await.map(|u| u.id), Some(cleo.id));
}

#[tokio::test]
async fn two_requests_racing_with_one_code_sign_in_once() {
    let app = spawn_app().await;
    let dora = app.person("dora").await;
    let (secret, _, step) = enrol(&app, &dora).await;
    let (a, b) = (new_client(), new_client());
    for c in [&a, &b] {
        assert_eq!(
            app.log_in_step_with(c, "dora", PASSWORD).await,
            Ok(LogInStep::TwoFactor)
        );
    }
    let code = code_at(&secret, step);
    let (ra, rb) = tokio::join!(verify(&app, &a, &code), verify(&app, &b, &code));
    assert_eq!(
        usize::from(ra.is_ok()) + usize::from(rb.is_ok()),
        1,
        "{ra:?} {rb:?}"
    );
}

#[tokio::test]
async fn wrong_codes_count_toward_the_account_lock() {
    let app = spawn_app().await;
    let eve = app.person("eve").await;
    let (secret, _, step) = enrol(&app, &eve).await;
    let client = new_client();
    assert_eq!(
        app.log_in_step_with(&client, "eve", PASSWORD).await,
        Ok(LogInStep::TwoFactor)
    );
    let wrong = wrong_code(&secret, step);
    for i in 0..2 {
        let res = verify(&app, &client, &wrong).await;
        assert!(is_code_error(&res), "attempt {i}: {res:?}");
    }
    // A made-up recovery code is a wrong code too: the third locks.
    match verify(&app, &client, "aaaa-bbbb-cccc").await {
        Err(AppError::RateLimited { retry_after_s }) => {
            assert!((295..=300).contains(&retry_after_s), "{retry_after_s}")
        }
        other => panic!("the third wrong code should lock, got {other:?}"),
    }
    // Locked: even the right code, and the right password, are refused.
    let res = verify(&app, &client, &code_at(&secret, step)).await;
    assert!(matches!(res, Err(AppError::RateLimited { .. })), "{res:?}");
    assert_eq!(who(&app, &client).await, None);
    let res = app.log_in_step_with(&new_client(), "eve", PASSWORD).await;
    assert!(matches!(res, Err(AppError::RateLimited { .. })), "{res:?}");
}

#[tokio::test]
async fn a_right_password_does_not_reset_the_count_of_wrong_codes() {
    let app = spawn_app().await;
    let finn = app.person("finn").await;
    let (secret, _, step) = enrol(&app, &finn).await;
    let wrong = wrong_code(&secret, step);
    let client = new_client();
    // A wrong password, then wrong codes between right passwords.
    assert_eq!(
        app.log_in_step_with(&client, "finn", "not the password")
            .await,
        Err(AppError::InvalidCredentials)
    );
    assert_eq!(
        app.log_in_step_with(&client, "finn", PASSWORD).await,
        Ok(LogInStep::TwoFactor)
    );
    let res = verify(&app, &client, &wrong).await;
    assert!(is_code_error(&res), "{res:?}");
    assert_eq!(
        app.log_in_step_with(&client, "finn", PASSWORD).await,
        Ok(LogInStep::TwoFactor)
    );
    let res = verify(&app, &client, &wrong).await;
    assert!(
        matches!(res, Err(AppError::RateLimited { .. })),
        "the third failure in a row locks: {res:?}"
    );

    // A whole log-in does reset it.
    let other = app.person("gus").await;
    let (secret, _, step) = enrol(&app, &other).await;
    let wrong = wrong_code(&secret, step);
    let client = new_client();
    assert_eq!(
        app.log_in_step_with(&client, "gus", PASSWORD).await,
        Ok(LogInStep::TwoFactor)
    );
    for _ in 0..2 {
        assert!(is_code_error(&verify(&app, &client, &wrong).await));
    }
    verify(&app, &client, &code_at(&secret, step))
        .await
        .expect("right code");
    let row = users::Entity::find_by_id(other.id.0)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("row");
    assert_eq!(row.failed_logins, 0);
}

#[tokio::test]
async fn a_recovery_code_works_once_and_only_once() {
    let app = spawn_app().await;
    let hana = app.person("hana").await;
    let (_, codes, _) = enrol(&app, &hana).await;
    let client = new_client();

    assert_eq!(
        app.log_in_step_with(&client, "hana", PASSWORD).await,
        Ok(LogInStep::TwoFactor)
    );
    // Case, dashes and spaces don't matter.
    let typed = codes[0].to_uppercase().replace('-', " ");
    verify(&app, &client, &typed).await.expect("recovery code");
    assert_eq!(who(&app, &client).await.map(|u| u.id), Some(hana.id));
    log_out(&app, &client).await;

    assert_eq!(
        app.log_in_step_with(&client, "hana", PASSWORD).await,
        Ok(LogInStep::TwoFactor)
    );
    let res = verify(&app, &client, &codes[0]).await;
    assert!(is_code_error(&res), "a used recovery code: {res:?}");
    assert_eq!(who(&app, &client).await, None);
    verify(&app, &client, &codes[1])
        .await
        .expect("another recovery code");
    assert_eq!(who(&app, &client).await.map(|u| u.id), Some(hana.id));
    let unused = recovery_codes::Entity::find()
        .filter(recovery_codes::Column::UserId.eq(hana.id.0))
        .filter(recovery_codes::Column::UsedAtMs.is_null())
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(unused, 8);
}

#[tokio::test]
async fn turning_two_factor_off_needs_the_password_and_a_code() {
    let app = spawn_app().await;
    let ines = app.person("ines").await;
    let (secret, _, step) = enrol(&app, &ines).await;
    let code = code_at(&secret, step);

    let res: Result<(), _> = app
        .call_as::<DisableTwoFactor, _>(&ines, &[("password", PASSWORD), ("code", "")])
        .await;
    assert!(is_code_error(&res), "{res:?}");
    let res: Result<(), _> = app
        .call_as::<DisableTwoFactor, _>(&ines, &[("password", "not the password"), ("code", &code)])
        .await;
    assert!(
        matches!(&res, Err(AppError::Validation { field, .. }) if field == "password"),
        "{res:?}"
    );
    let res: Result<(), _> = app
        .call_as::<DisableTwoFactor, _>(
            &ines,
            &[("password", PASSWORD), ("code", &wrong_code(&secret, step))],
        )
        .await;
    assert!(is_code_error(&res), "{res:?}");
    let on: bool = app
        .call_as::<GetTwoFactorStatus, _>(&ines, &[])
        .await
        .expect("status");
    assert!(on, "still on after refusals");

    app.call_as::<DisableTwoFactor, ()>(&ines, &[("password", PASSWORD), ("code", &code)])
        .await
        .expect("turn off");
    let on: bool = app
        .call_as::<GetTwoFactorStatus, _>(&ines, &[])
        .await
        .expect("status");
    assert!(!on);
    let row = users::Entity::find_by_id(ines.id.0)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("row");
    assert_eq!(
        (
            row.totp_secret,
            row.totp_enabled_at_ms,
            row.totp_last_step,
            row.failed_logins
        ),
        (None, None, None, 0)
    );
    let left = recovery_codes::Entity::find()
        .filter(recovery_codes::Column::UserId.eq(ines.id.0))
        .count(&app.state.db)
        .await
        .expect("count");
    assert_eq!(left, 0);
    assert_eq!(
        app.log_in_step_with(&new_client(), "ines", PASSWORD).await,
        Ok(LogInStep::SignedIn)
    );
    let res: Result<(), _> = app
        .call_as::<DisableTwoFactor, _>(&ines, &[("password", PASSWORD), ("code", &code)])
        .await;
    assert!(matches!(res, Err(AppError::Conflict(_))), "{res:?}");
}

#[tokio::test]
async fn a_code_without_the_password_step_is_refused() {
    let app = spawn_app().await;
    let jon = app.person("jon").await;
    let (secret, codes, step) = enrol(&app, &jon).await;
    let code = code_at(&secret, step);

    // A fresh browser, the signed-in one, and one signed in to an account
    // without two-factor: none has a pending log-in.
    let stranger = new_client();
    assert_eq!(
        verify(&app, &stranger, &code).await,
        Err(AppError::Unauthorized)
    );
    assert_eq!(
        verify(&app, &stranger, &codes[0]).await,
        Err(AppError::Unauthorized)
    );
    assert_eq!(
        verify(&app, &jon.client, &code).await,
        Err(AppError::Unauthorized)
    );
    let kay = app.person("kay").await;
    assert_eq!(
        verify(&app, &kay.client, &code).await,
        Err(AppError::Unauthorized)
    );
    assert_eq!(
        who(&app, &kay.client).await.map(|u| u.id),
        Some(kay.id),
        "still kay"
    );
    assert_eq!(who(&app, &stranger).await, None);
    // None of that used the code up or counted as a failure.
    let client = new_client();
    assert_eq!(
        app.log_in_step_with(&client, "jon", PASSWORD).await,
        Ok(LogInStep::TwoFactor)
    );
    verify(&app, &client, &code).await.expect("verify");
    assert_eq!(who(&app, &client).await.map(|u| u.id), Some(jon.id));
}
