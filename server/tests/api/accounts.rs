use crate::helpers::{TestUser, decode, new_client, session_cookie, sign_up_form, spawn_app};
use app::db::entities::{sessions, users};
use app::error::AppError;
use app::models::CurrentUser;
use app::server_fns::auth::{GetCurrentUser, LogOut};
use leptos::server_fn::ServerFn as _;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[tokio::test]
async fn sign_up_signs_in_and_creates_a_profile() {
    let app = spawn_app().await;
    app.sign_up(&TestUser::new("Ana_Lopez"))
        .await
        .expect("sign up");
    let me: Option<CurrentUser> = app.call::<GetCurrentUser, _>(&[]).await.expect("me");
    let me = me.expect("signed in");
    assert_eq!(me.username, "Ana_Lopez");
    assert_eq!(me.display_name, "Test Ana_Lopez");
    assert_eq!(me.avatar, None, "no profile picture until one is set");
}

#[tokio::test]
async fn duplicate_username_or_email_is_a_field_error() {
    let app = spawn_app().await;
    app.sign_up(&TestUser::new("ana")).await.expect("first");

    let mut same_name = TestUser::new("ANA");
    same_name.email = "other@example.com".into();
    let err = app
        .sign_up_with(&new_client(), &same_name)
        .await
        .expect_err("should fail");
    assert_eq!(
        err.field_message("username").as_deref(),
        Some("That username is taken.")
    );

    let mut same_email = TestUser::new("bob");
    same_email.email = " Ana@Example.com ".into();
    let err = app
        .sign_up_with(&new_client(), &same_email)
        .await
        .expect_err("should fail");
    assert_eq!(
        err.field_message("email").as_deref(),
        Some("An account with that email already exists.")
    );
    assert_eq!(
        users::Entity::find()
            .filter(users::Column::Id.ne(app::services::accounts::GHOST_USER_ID))
            .count(&app.state.db)
            .await
            .expect("count"),
        1
    );
}

#[tokio::test]
async fn bad_sign_up_input_names_the_field_and_changes_nothing() {
    let app = spawn_app().await;
    let cases = [
        (
            TestUser {
                username: "a b".into(),
                ..TestUser::new("x")
            },
            "username",
        ),
        (
            TestUser {
                email: "nope".into(),
                ..TestUser::new("carol")
            },
            "email",
        ),
        (
            TestUser {
                password: "short".into(),
                ..TestUser::new("dave")
            },
            "password",
        ),
        (
            TestUser {
                password: "xx_erin_password".into(),
                ..TestUser::new("erin")
            },
            "password",
        ),
    ];
    for (user, field) in cases {
        let err = app
            .sign_up_with(&new_client(), &user)
            .await
            .expect_err("should fail");
        assert!(err.field_message(field).is_some(), "{user:?}: {err:?}");
    }
    let mut form = sign_up_form(&TestUser::new("frank"));
    form.retain(|(k, _)| *k != "password_confirm");
    form.push(("password_confirm", "correct horse batterY".into()));
    let mismatch = new_client()
        .post(app.url(app::server_fns::auth::SignUp::PATH))
        .form(&form)
        .send()
        .await
        .expect("request");
    let err = decode::<()>(mismatch).await.expect_err("should fail");
    assert!(err.field_message("password_confirm").is_some());
    assert_eq!(
        users::Entity::find()
            .filter(users::Column::Id.ne(app::services::accounts::GHOST_USER_ID))
            .count(&app.state.db)
            .await
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn log_in_by_username_any_case_or_email() {
    let app = spawn_app().await;
    let user = TestUser::new("Gina");
    app.sign_up(&user).await.expect("sign up");
    // Someone else, so "signed in" can't mean "signed in as anyone".
    app.sign_up_with(&new_client(), &TestUser::new("gino"))
        .await
        .expect("sign up");
    for login in ["gina", "GINA", "gina@example.com", " Gina@Example.com "] {
        let client = new_client();
        app.log_in_with(&client, login, &user.password)
            .await
            .unwrap_or_else(|e| panic!("{login}: {e:?}"));
        assert_eq!(app.me(&client).await.username, "Gina", "{login}");
    }
    let client = new_client();
    app.log_in_with(&client, "GINO", &TestUser::new("gino").password)
        .await
        .expect("log in");
    assert_eq!(app.me(&client).await.username, "gino");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_error() {
    let app = spawn_app().await;
    let user = TestUser::new("hana");
    app.sign_up(&user).await.expect("sign up");
    let (c1, c2) = (new_client(), new_client());
    let unknown = app.log_in_with(&c1, "nobody", "whatever12345").await;
    let wrong = app.log_in_with(&c2, "hana", "wrong password!").await;
    assert_eq!(unknown, Err(AppError::InvalidCredentials));
    assert_eq!(wrong, Err(AppError::InvalidCredentials));
    // Neither signed anyone in.
    for client in [&c1, &c2] {
        let me: Option<CurrentUser> = decode(app.call_with::<GetCurrentUser>(client, &[]).await)
            .await
            .expect("me");
        assert_eq!(me, None);
    }
}

#[tokio::test]
async fn three_wrong_passwords_lock_the_account_for_five_minutes() {
    let app = spawn_app().await;
    let user = TestUser::new("ivan");
    app.sign_up(&user).await.expect("sign up");
    let client = new_client();
    assert_eq!(
        app.log_in_with(&client, "ivan", "wrong password!").await,
        Err(AppError::InvalidCredentials)
    );
    // The answer's status says what kind of refusal it is.
    let resp = app
        .call_with::<app::server_fns::auth::LogIn>(
            &client,
            &[("login", "ivan"), ("password", "wrong password!")],
        )
        .await;
    assert_eq!(resp.status(), 401);
    match app.log_in_with(&client, "ivan", "wrong password!").await {
        Err(AppError::RateLimited { retry_after_s }) => {
            assert!((295..=300).contains(&retry_after_s))
        }
        other => panic!("third failure should lock, got {other:?}"),
    }
    let resp = app
        .call_with::<app::server_fns::auth::LogIn>(&client, &[("login", "ivan"), ("password", "x")])
        .await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()[reqwest::header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=300).contains(&retry));
    // Even the right password is refused while locked, with the wait shown.
    let err = app
        .log_in_with(&client, "ivan", &user.password)
        .await
        .expect_err("should fail");
    assert!(matches!(err, AppError::RateLimited { retry_after_s } if retry_after_s <= 300));
    assert_eq!(
        err.to_string(),
        "Too many attempts. Try again in 5 minutes."
    );
    let me: Option<CurrentUser> = decode(app.call_with::<GetCurrentUser>(&client, &[]).await)
        .await
        .expect("me");
    assert_eq!(me, None, "the refused log-in signed nobody in");
}

#[tokio::test]
async fn the_lock_is_per_account_not_per_client() {
    let app = spawn_app().await;
    let ivan = TestUser::new("ivan");
    let jo = TestUser::new("jo_other");
    app.sign_up_with(&new_client(), &ivan)
        .await
        .expect("sign up");
    app.sign_up_with(&new_client(), &jo).await.expect("sign up");

    // Three failures from one client lock Ivan's account.
    let attacker = new_client();
    for _ in 0..2 {
        assert_eq!(
            app.log_in_with(&attacker, "ivan", "wrong password!").await,
            Err(AppError::InvalidCredentials)
        );
    }
    assert!(matches!(
        app.log_in_with(&attacker, "ivan", "wrong password!").await,
        Err(AppError::RateLimited { .. })
    ));
    let locked = users::Entity::find()
        .filter(users::Column::UsernameKey.eq("ivan"))
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("ivan");
    assert!(
        locked.locked_until_ms.is_some(),
        "the account row is locked"
    );

    // A different client (no cookies shared) is refused too, even with
    // the right password: the lock is the account's, not the client's.
    let other = new_client();
    match app
        .log_in_with(&other, "IVAN@example.com", &ivan.password)
        .await
    {
        Err(AppError::RateLimited { retry_after_s }) => {
            assert!((1..=300).contains(&retry_after_s), "{retry_after_s}")
        }
        r => panic!("expected the lock from another client, got {r:?}"),
    }
    let me: Option<CurrentUser> = decode(app.call_with::<GetCurrentUser>(&other, &[]).await)
        .await
        .expect("me");
    assert_eq!(me, None);

    // Another account logs in from the locking client (and from the other
    // one): only Ivan's account is locked.
    for client in [&attacker, &other] {
        app.log_in_with(client, "jo_other", &jo.password)
            .await
            .expect("another account isn't locked");
        assert_eq!(app.me(client).await.username, "jo_other");
    }
    let jo_row = users::Entity::find()
        .filter(users::Column::UsernameKey.eq("jo_other"))
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("jo");
    assert_eq!(jo_row.locked_until_ms, None);
    assert_eq!(jo_row.failed_logins, 0);
}

#[tokio::test]
async fn one_ip_gets_25_attempts_per_five_minutes() {
    let app = spawn_app().await;
    let client = new_client();
    for i in 0..25 {
        let res = app
            .log_in_with(&client, &format!("nobody{i}"), "whatever12345")
            .await;
        assert_eq!(res, Err(AppError::InvalidCredentials), "attempt {i}");
    }
    let res = app.log_in_with(&client, "nobody", "whatever12345").await;
    assert!(matches!(res, Err(AppError::RateLimited { .. })), "{res:?}");
}

#[tokio::test]
async fn session_cookie_is_httponly_lax_and_lasts_30_days() {
    let app = spawn_app().await;
    let user = TestUser::new("jane");
    let resp = app.sign_up_raw(&app.client, &user).await;
    assert!(resp.status().is_success());
    let cookie = session_cookie(&resp).expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http must not set Secure: {cookie}"
    );
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(cookie.contains("Max-Age=2592000"), "30 days: {cookie}");
}

#[tokio::test]
async fn session_cookie_is_secure_behind_https() {
    let app =
        crate::helpers::spawn_app_with(|c| c.public_url = Some("https://hearth.example".into()))
            .await;
    let user = TestUser::new("kim");
    let resp = app.sign_up_raw(&app.client, &user).await;
    let cookie = session_cookie(&resp).expect("session cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn log_in_rotates_the_session_id_and_log_out_deletes_it() {
    let app = spawn_app().await;
    let user = TestUser::new("lena");
    let client = new_client();
    app.sign_up_with(&client, &user).await.expect("sign up");
    let first = sessions::Entity::find()
        .all(&app.state.db)
        .await
        .expect("rows");
    assert_eq!(first.len(), 1);

    app.log_in_with(&client, "lena", &user.password)
        .await
        .expect("log in");
    assert_eq!(app.me(&client).await.username, "lena");
    let second = sessions::Entity::find()
        .all(&app.state.db)
        .await
        .expect("rows");
    assert_eq!(second.len(), 1, "old session row must be gone");
    assert_ne!(
        first[0].id, second[0].id,
        "session id must change at log-in"
    );

    let resp = app.call_with::<LogOut>(&client, &[]).await;
    assert!(resp.status().is_success());
    assert_eq!(
        sessions::Entity::find()
            .count(&app.state.db)
            .await
            .expect("count"),
        0
    );
    let me: Option<CurrentUser> = decode(app.call_with::<GetCurrentUser>(&client, &[]).await)
        .await
        .expect("me");
    assert_eq!(me, None);
}
