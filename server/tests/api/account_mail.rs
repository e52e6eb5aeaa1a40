//! Mail, email confirmation, password reset and change, email change and
//! the confirmed-email rule (issue F).

use crate::helpers::{TestApp, new_client, spawn_app, spawn_app_with};
use crate::live::ws_request;
use app::db::entities::{account_tokens, jobs, users};
use app::error::AppError;
use app::server_fns::account::{
    ChangeEmail, ChangePassword, ConfirmEmail, RequestPasswordReset, ResendConfirmation,
    ResetPassword,
};
use futures::StreamExt as _;
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "a brand new passphrase";

fn bad_link() -> AppError {
    AppError::validation(
        "token",
        "This link is invalid or has expired. Ask for a new one.",
    )
}

async fn confirm(app: &TestApp, client: &reqwest::Client, token: &str) -> Result<(), AppError> {
    crate::helpers::decode(
        app.call_with::<ConfirmEmail>(client, &[("token", token)])
            .await,
    )
    .await
}

/// Moves every token of `user` `ms` into the past (created and expiry), as
/// if that much time had gone by.
async fn age_tokens(app: &TestApp, user: i64, ms: i64) {
    account_tokens::Entity::update_many()
        .col_expr(
            account_tokens::Column::CreatedAtMs,
            Expr::col(account_tokens::Column::CreatedAtMs).sub(ms),
        )
        .filter(account_tokens::Column::UserId.eq(user))
        .exec(&app.state.db)
        .await
        .expect("age tokens");
}

#[tokio::test]
async fn sign_up_mails_a_confirmation_link_that_works_once() {
    let app = spawn_app().await;
    let ann = app.person("ann").await;
    assert_eq!(
        app.me(&ann.client).await.unconfirmed_email.as_deref(),
        Some("ann@example.com")
    );
    let mail = app
        .wait_for_mail("ann@example.com", "Confirm your email", 0)
        .await;
    assert!(mail.text.contains("@ann"), "{}", mail.text);
    assert!(
        mail.html.contains("Confirm my email") && mail.html.contains("/confirm-email?token="),
        "an HTML part with the link: {}",
        mail.html
    );
    let token = mail.token("/confirm-email");
    assert_eq!(token.len(), 43, "32 random bytes, base64url");
    assert!(
        mail.text
            .contains(&format!("http://{}/confirm-email?token=", app.addr)),
        "links use the public URL"
    );

    // Only the hash is stored.
    let rows = account_tokens::Entity::find()
        .filter(account_tokens::Column::UserId.eq(ann.id.0))
        .all(&app.state.db)
        .await
        .expect("tokens");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].token_hash, app::services::tokens::hash(&token));
    assert!(!rows[0].token_hash.contains(&token));
    let jobs_left = jobs::Entity::find().all(&app.state.db).await.expect("jobs");
    assert!(
        jobs_left.iter().all(|j| !j.payload.contains(&token)),
        "a sent mail's payload is erased"
    );

    // A made-up token, or one of the right shape, never works.
    for fake in ["", "x", &"A".repeat(43), &token[..42]] {
        assert_eq!(confirm(&app, &new_client(), fake).await, Err(bad_link()));
    }
    // The real one works signed out too, once.
    confirm(&app, &new_client(), &token)
        .await
        .expect("confirmed");
    assert_eq!(app.me(&ann.client).await.unconfirmed_email, None);
    assert_eq!(confirm(&app, &new_client(), &token).await, Err(bad_link()));
    // Nothing to resend once confirmed.
    assert!(matches!(
        app.call_as::<ResendConfirmation, ()>(&ann, &[]).await,
        Err(AppError::Conflict(_))
    ));
}

#[tokio::test]
async fn an_expired_confirmation_link_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let bob = app.person("bob").await;
    let token = app
        .wait_for_mail("bob@example.com", "Confirm", 0)
        .await
        .token("/confirm-email");
    account_tokens::Entity::update_many()
        .col_expr(
            account_tokens::Column::ExpiresAtMs,
            Expr::value(app::time_fmt::now_ms() - 1),
        )
        .exec(&app.state.db)
        .await
        .expect("expire");
    assert_eq!(confirm(&app, &bob.client, &token).await, Err(bad_link()));
    assert!(app.me(&bob.client).await.unconfirmed_email.is_some());
}

#[tokio::test]
async fn resend_is_limited_to_once_a_minute_and_five_a_day_and_only_the_newest_link_works() {
    let app = spawn_app().await;
    let cy = app.person("cyd").await;
    let first = app
        .wait_for_mail("cyd@example.com", "Confirm", 0)
        .await
        .token("/confirm-email");
    assert!(matches!(
        app.call_as::<ResendConfirmation, ()>(&cy, &[]).await,
        Err(AppError::RateLimited { retry_after_s }) if (1..=60).contains(&retry_after_s)
    ));
    for n in 1..=5 {
        age_tokens(&app, cy.id.0, 61_000).await;
        app.call_as::<ResendConfirmation, ()>(&cy, &[])
            .await
            .unwrap_or_else(|e| panic!("resend {n}: {e:?}"));
    }
    age_tokens(&app, cy.id.0, 61_000).await;
    assert!(matches!(
        app.call_as::<ResendConfirmation, ()>(&cy, &[]).await,
        Err(AppError::RateLimited { .. })
    ));
    let newest = app
        .wait_for_mail("cyd@example.com", "Confirm", 5)
        .await
        .token("/confirm-email");
    assert_eq!(confirm(&app, &cy.client, &first).await, Err(bad_link()));
    confirm(&app, &cy.client, &newest).await.expect("newest");
}

#[tokio::test]
async fn forgot_password_answers_the_same_whether_or_not_the_account_exists() {
    let app = spawn_app().await;
    let _dee = app.person("dee").await;
    let mut answers = Vec::new();
    for login in [
        "dee",
        "DEE@example.com",
        "nobody_here",
        "nobody@example.com",
    ] {
        // The time is printed, not asserted (timing belongs in benchmarks):
        // the lookup happens after the answer, so both kinds take the same.
        let started = std::time::Instant::now();
        let resp = app
            .call_with::<RequestPasswordReset>(&new_client(), &[("login", login)])
            .await;
        eprintln!(
            "forgot password for {login:?}: answered in {:?}",
            started.elapsed()
        );
        answers.push((resp.status(), resp.text().await.expect("body")));
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "one answer for all: {answers:?}"
    );
    // One mail only: the second request for dee fell in the 5-minute
    // cool-down.
    app.wait_for_mail("dee@example.com", "Reset your Hearth password", 0)
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let resets: Vec<_> = app
        .outbox()
        .into_iter()
        .filter(|m| m.subject.contains("Reset"))
        .collect();
    assert_eq!(resets.len(), 1, "{resets:?}");
    assert_eq!(resets[0].to, "dee@example.com");
}

#[tokio::test]
async fn forgot_password_is_limited_per_ip() {
    let app = spawn_app().await;
    for _ in 0..app::services::passwords::RESET_IP_REQUESTS {
        app.call::<RequestPasswordReset, ()>(&[("login", "someone")])
            .await
            .expect("allowed");
    }
    assert!(matches!(
        app.call::<RequestPasswordReset, ()>(&[("login", "someone")])
            .await,
        Err(AppError::RateLimited { .. })
    ));
}

async fn reset(app: &TestApp, token: &str, password: &str) -> Result<(), AppError> {
    app.call::<ResetPassword, ()>(&[
        ("token", token),
        ("password", password),
        ("password_confirm", password),
    ])
    .await
}

#[tokio::test]
async fn a_reset_sets_the_password_ends_every_session_and_closes_sockets() {
    let app = spawn_app().await;
    let eve = app.person("eve").await;
    // A second device, with a live socket.
    let other = new_client();
    app.log_in_with(&other, "eve", PASSWORD)
        .await
        .expect("log in");
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_request(
        &app,
        Some(&eve.cookie),
        &format!("http://{}", app.addr),
    ))
    .await
    .expect("socket");
    // Lock the account with wrong passwords.
    for _ in 0..3 {
        let _ = app
            .log_in_with(&new_client(), "eve", "wrong password!")
            .await;
    }
    assert!(matches!(
        app.log_in_with(&new_client(), "eve", PASSWORD).await,
        Err(AppError::RateLimited { .. })
    ));

    app.call::<RequestPasswordReset, ()>(&[("login", "eve@example.com")])
        .await
        .expect("asked");
    let mail = app
        .wait_for_mail("eve@example.com", "Reset your Hearth password", 0)
        .await;
    let token = mail.token("/reset-password");
    // A weak password is refused and the link still works.
    assert!(matches!(
        reset(&app, &token, "short").await,
        Err(AppError::Validation { field, .. }) if field == "password"
    ));
    assert_eq!(reset(&app, "made-up", NEW_PASSWORD).await, Err(bad_link()));
    reset(&app, &token, NEW_PASSWORD).await.expect("reset");

    // Every session ended, this one's socket closed with 4401.
    for client in [&eve.client, &other] {
        let me: Option<app::models::CurrentUser> = crate::helpers::decode(
            app.call_with::<app::server_fns::auth::GetCurrentUser>(client, &[])
                .await,
        )
        .await
        .expect("me");
        assert!(me.is_none(), "signed out after the reset");
    }
    let closed = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some(msg) = ws.next().await {
            match msg {
                Ok(Message::Close(frame)) => return frame.map(|f| u16::from(f.code)),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    })
    .await
    .expect("the socket closes");
    assert_eq!(
        closed,
        Some(app::revocation::SIGNED_OUT_CLOSE_CODE),
        "closed as signed out"
    );

    // The lock is cleared and the new password works; the old doesn't.
    assert_eq!(
        app.log_in_with(&new_client(), "eve", PASSWORD).await,
        Err(AppError::InvalidCredentials)
    );
    app.log_in_with(&new_client(), "eve", NEW_PASSWORD)
        .await
        .expect("new password");
    // The link is used up, and a notice was mailed.
    assert_eq!(
        reset(&app, &token, "yet another passphrase").await,
        Err(bad_link())
    );
    let notice = app
        .wait_for_mail("eve@example.com", "password was changed", 0)
        .await;
    assert!(notice.text.contains("with a reset link"));
}

#[tokio::test]
async fn a_newer_reset_link_voids_the_older_and_links_expire_after_an_hour() {
    let app = spawn_app().await;
    let fay = app.person("fay").await;
    app.call::<RequestPasswordReset, ()>(&[("login", "fay")])
        .await
        .expect("first");
    let first = app
        .wait_for_mail("fay@example.com", "Reset", 0)
        .await
        .token("/reset-password");
    // Past the 5-minute cool-down.
    age_tokens(&app, fay.id.0, 5 * 60_000 + 1).await;
    app.call::<RequestPasswordReset, ()>(&[("login", "fay")])
        .await
        .expect("second");
    let second = app
        .wait_for_mail("fay@example.com", "Reset", 1)
        .await
        .token("/reset-password");
    assert_ne!(first, second);
    assert_eq!(reset(&app, &first, NEW_PASSWORD).await, Err(bad_link()));
    // Expired: valid one hour from issue.
    let row = account_tokens::Entity::find()
        .filter(account_tokens::Column::TokenHash.eq(app::services::tokens::hash(&second)))
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("row");
    assert_eq!(row.expires_at_ms - row.created_at_ms, 3_600_000);
    account_tokens::Entity::update_many()
        .col_expr(
            account_tokens::Column::ExpiresAtMs,
            Expr::value(app::time_fmt::now_ms() - 1),
        )
        .filter(account_tokens::Column::Id.eq(row.id))
        .exec(&app.state.db)
        .await
        .expect("expire");
    assert_eq!(reset(&app, &second, NEW_PASSWORD).await, Err(bad_link()));
    app.log_in_with(&new_client(), "fay", PASSWORD)
        .await
        .expect("the password is unchanged");
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let app = spawn_app().await;
    let gus = app.person("gus").await;
    let other = new_client();
    app.log_in_with(&other, "gus", PASSWORD)
        .await
        .expect("second device");
    let wrong = app
        .call_as::<ChangePassword, ()>(
            &gus,
            &[
                ("current_password", "not my password"),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert!(
        matches!(&wrong, Err(AppError::Validation { field, .. }) if field == "current_password"),
        "{wrong:?}"
    );
    app.call_as::<ChangePassword, ()>(
        &gus,
        &[
            ("current_password", PASSWORD),
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ],
    )
    .await
    .expect("changed");
    assert_eq!(
        app.me(&gus.client).await.username,
        "gus",
        "still signed in here"
    );
    let me: Option<app::models::CurrentUser> = crate::helpers::decode(
        app.call_with::<app::server_fns::auth::GetCurrentUser>(&other, &[])
            .await,
    )
    .await
    .expect("me");
    assert!(me.is_none(), "the other device was signed out");
    app.wait_for_mail("gus@example.com", "password was changed", 0)
        .await;
    app.log_in_with(&new_client(), "gus", NEW_PASSWORD)
        .await
        .expect("new password");
}

#[tokio::test]
async fn an_email_change_takes_effect_only_when_the_new_address_confirms_it() {
    let app = spawn_app().await;
    let hal = app.person("hal").await;
    let _ian = app.person("ian").await;
    let change = |email: &'static str, password: &'static str| {
        let hal = hal.clone();
        let app = &app;
        async move {
            app.call_as::<ChangeEmail, ()>(&hal, &[("email", email), ("password", password)])
                .await
        }
    };
    assert!(matches!(
        change("new@example.com", "wrong password!").await,
        Err(AppError::Validation { field, .. }) if field == "password"
    ));
    assert!(matches!(
        change("ian@example.com", PASSWORD).await,
        Err(AppError::Validation { field, .. }) if field == "email"
    ));
    change("hal.new@example.com", PASSWORD)
        .await
        .expect("asked");
    let link = app
        .wait_for_mail("hal.new@example.com", "Confirm", 0)
        .await
        .token("/confirm-email");
    let notice = app
        .wait_for_mail("hal@example.com", "being changed", 0)
        .await;
    assert!(notice.text.contains("hal.new@example.com"));
    assert_eq!(app.me(&hal.client).await.email, "hal@example.com");

    confirm(&app, &new_client(), &link)
        .await
        .expect("confirmed");
    let me = app.me(&hal.client).await;
    assert_eq!(me.email, "hal.new@example.com");
    assert_eq!(me.unconfirmed_email, None);
    app.log_in_with(&new_client(), "hal.new@example.com", PASSWORD)
        .await
        .expect("log in with the new address");
}

#[tokio::test]
async fn with_confirmation_required_unconfirmed_people_can_read_but_not_reach_others() {
    let app = spawn_app_with(|c| c.require_confirmed_email = true).await;
    let jo = app.person("joe").await;
    let kim = app.person("kim").await;
    assert!(app.me(&jo.client).await.confirmation_required);
    let post = app.create_post_with(&jo.client, "hello?").await;
    assert_eq!(post.map(|_| ()), Err(AppError::EmailNotConfirmed));
    assert_eq!(
        app.with_user::<app::server_fns::social::SendFriendRequest, app::models::FriendState>(
            &jo.client, kim.id
        )
        .await
        .map(|_| ()),
        Err(AppError::EmailNotConfirmed)
    );
    // Reading works.
    let _: app::models::FeedPage = app
        .call_as::<app::server_fns::posts::ListFeed, _>(&jo, &[])
        .await
        .expect("feed");
    let token = app
        .wait_for_mail("joe@example.com", "Confirm", 0)
        .await
        .token("/confirm-email");
    confirm(&app, &jo.client, &token).await.expect("confirmed");
    app.create_post_with(&jo.client, "hello!")
        .await
        .expect("posting works once confirmed");
}

/// An SMTP sink: Debian's `python3-aiosmtpd` storing mail in a Maildir.
struct SmtpSink {
    child: tokio::process::Child,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    async fn start(port: u16) -> Self {
        let dir = tempfile::tempdir().expect("maildir");
        let child = tokio::process::Command::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(dir.path().join("Maildir"))
            .kill_on_drop(true)
            .spawn()
            .expect("python3-aiosmtpd (scripts/setup.sh installs it)");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Self { child, dir };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the SMTP sink didn't start");
    }

    fn mails(&self) -> Vec<crate::helpers::SentMail> {
        std::fs::read_dir(self.dir.path().join("Maildir/new"))
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| {
                        crate::helpers::SentMail::parse(&std::fs::read(e.path()).expect("read"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

#[tokio::test]
async fn mail_goes_through_a_real_smtp_server_and_is_retried_while_it_is_down() {
    let port = free_port();
    let app = spawn_app_with(|c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}?tls=none"));
    })
    .await;
    // The relay is down: the confirmation mail fails and waits to retry.
    let lou = app.person("lou").await;
    let job = loop {
        let job = jobs::Entity::find()
            .filter(jobs::Column::Kind.eq(app::mail::MAIL_JOB))
            .one(&app.state.db)
            .await
            .expect("jobs")
            .expect("a mail job");
        if job.attempts >= 1 && job.status == jobs::QUEUED {
            break job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(job.last_error.is_some());
    assert!(job.run_at_ms > app::time_fmt::now_ms(), "backs off");

    // The relay comes up; the retry (made due now) delivers it.
    let sink = SmtpSink::start(port).await;
    jobs::Entity::update_many()
        .col_expr(jobs::Column::RunAtMs, Expr::value(0))
        .filter(jobs::Column::Id.eq(job.id))
        .exec(&app.state.db)
        .await
        .expect("due now");
    app.state.job_signal.wake();
    let mut mails = Vec::new();
    for _ in 0..100 {
        mails = sink.mails();
        if !mails.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(mails.len(), 1, "exactly one mail arrived");
    assert_eq!(mails[0].to, "lou@example.com");
    assert!(mails[0].html.contains("Confirm my email"));
    let token = mails[0].token("/confirm-email");
    confirm(&app, &lou.client, &token).await.expect("confirmed");
    let done = jobs::Entity::find_by_id(job.id)
        .one(&app.state.db)
        .await
        .expect("job")
        .expect("row");
    assert_eq!(done.status, jobs::DONE);
    assert_eq!(done.attempts, 2);
    drop(sink.child);
}

#[tokio::test]
async fn the_deleted_account_user_cannot_log_in() {
    let app = spawn_app().await;
    let ghost = users::Entity::find_by_id(app::services::accounts::GHOST_USER_ID)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("the ghost exists");
    for login in [ghost.username.as_str(), ghost.email.as_str()] {
        assert_eq!(
            app.log_in_with(&new_client(), login, "!").await,
            Err(AppError::InvalidCredentials)
        );
    }
}
