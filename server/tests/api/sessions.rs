//! "Where you're logged in": listing a person's sessions, ending one or
//! all the others, and the live sockets of ended sessions closing with
//! close code 4401.

use crate::helpers::{Person, TestApp, decode, new_client, session_cookie, spawn_app};
use crate::live::ws_request;
use app::error::AppError;
use app::models::{CurrentUser, LogInStep, SessionInfo};
use app::revocation::SIGNED_OUT_CLOSE_CODE;
use app::server_fns::account::ChangePassword;
use app::server_fns::auth::{GetCurrentUser, LogIn, LogOut};
use app::server_fns::sessions::{EndOtherSessions, EndSessionByHandle, ListSessions};
use futures::StreamExt;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const PASSWORD: &str = "correct horse battery";
const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/156.0.0.0 Safari/537.36";

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Another browser of `username`, logged in: its client and its raw
/// `name=value` session cookie.
async fn log_in_elsewhere(
    app: &TestApp,
    username: &str,
    user_agent: Option<&str>,
) -> (reqwest::Client, String) {
    let mut builder = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none());
    if let Some(agent) = user_agent {
        builder = builder.user_agent(agent);
    }
    let client = builder.build().expect("client");
    let resp = app
        .call_with::<LogIn>(&client, &[("login", username), ("password", PASSWORD)])
        .await;
    let cookie = session_cookie(&resp)
        .expect("session cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    assert_eq!(
        decode::<LogInStep>(resp).await.expect("log in"),
        LogInStep::SignedIn
    );
    (client, cookie)
}

async fn sessions_of(app: &TestApp, client: &reqwest::Client) -> Vec<SessionInfo> {
    decode(app.call_with::<ListSessions>(client, &[]).await)
        .await
        .expect("list sessions")
}

async fn current_user(app: &TestApp, client: &reqwest::Client) -> Option<CurrentUser> {
    decode(app.call_with::<GetCurrentUser>(client, &[]).await)
        .await
        .expect("current user")
}

async fn end_by_handle(
    app: &TestApp,
    client: &reqwest::Client,
    handle: &str,
) -> Result<(), AppError> {
    decode(
        app.call_with::<EndSessionByHandle>(client, &[("handle", handle)])
            .await,
    )
    .await
}

async fn open_socket(app: &TestApp, cookie: &str) -> Socket {
    let origin = format!("http://{}", app.addr);
    let (ws, _) = tokio_tungstenite::connect_async(ws_request(app, Some(cookie), &origin))
        .await
        .expect("socket");
    ws
}

/// Waits up to 2 s for a Close frame and returns its code.
async fn close_code(ws: &mut Socket) -> u16 {
    tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
                Some(Ok(Message::Close(None))) => panic!("closed without a code"),
                Some(Ok(_)) => {}
                other => panic!("socket ended without a Close frame: {other:?}"),
            }
        }
    })
    .await
    .expect("a Close frame within 2 s")
}

/// Asserts that `ws` stays open (nothing but events) for `ms`.
async fn stays_open(ws: &mut Socket, ms: u64) {
    let _ = tokio::time::timeout(Duration::from_millis(ms), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(_) | Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("this socket should stay open, got {other:?}"),
            }
        }
    })
    .await;
}

/// The raw session id inside a `name=value` cookie.
fn id_of(cookie: &str) -> &str {
    cookie.split_once('=').expect("name=value").1
}

#[tokio::test]
async fn two_browsers_list_two_sessions_with_their_devices() {
    let app = spawn_app().await;
    let ana: Person = app.person("ana").await;
    let (chrome, chrome_cookie) = log_in_elsewhere(&app, "ana", Some(CHROME)).await;

    let seen_from_chrome = sessions_of(&app, &chrome).await;
    assert_eq!(seen_from_chrome.len(), 2, "{seen_from_chrome:?}");
    let here: Vec<_> = seen_from_chrome.iter().filter(|s| s.this_device).collect();
    assert_eq!(here.len(), 1, "exactly one is this device");
    assert_eq!(here[0].device, "Chrome 156 on Linux");
    assert_eq!(here[0].ip.as_deref(), Some("127.0.0.1"));
    assert!(here[0].signed_in_at_ms.is_some());
    assert!(here[0].last_active_ms > 0);
    // Most recently active first: Chrome logged in last.
    assert!(seen_from_chrome[0].last_active_ms >= seen_from_chrome[1].last_active_ms);
    let sign_up_session = seen_from_chrome
        .iter()
        .find(|s| !s.this_device)
        .expect("the other one");
    assert_eq!(sign_up_session.device, "Unknown browser");

    // From the other browser, the other one is "this device".
    let seen_from_first = sessions_of(&app, &ana.client).await;
    assert_eq!(seen_from_first.len(), 2);
    let first_here = seen_from_first
        .iter()
        .find(|s| s.this_device)
        .expect("this device");
    assert_eq!(first_here.handle, sign_up_session.handle);
    assert_eq!(first_here.device, "Unknown browser");

    // Handles name sessions without giving their ids (the cookie secret).
    for session in &seen_from_chrome {
        for cookie in [&ana.cookie, &chrome_cookie] {
            assert_ne!(session.handle, id_of(cookie));
            assert!(!session.handle.contains(id_of(cookie)));
        }
    }

    // Signed out: no list.
    assert_eq!(
        decode::<Vec<SessionInfo>>(app.call_with::<ListSessions>(&new_client(), &[]).await).await,
        Err(AppError::Unauthorized)
    );
}

#[tokio::test]
async fn nobody_ends_someone_elses_session() {
    let app = spawn_app().await;
    let ana = app.person("ana").await;
    let bob = app.person("bob").await;
    let anas = sessions_of(&app, &ana.client).await;
    assert_eq!(anas.len(), 1);
    let handle = &anas[0].handle;
    assert_ne!(
        handle,
        id_of(&ana.cookie),
        "the handle isn't the session id"
    );

    assert_eq!(
        end_by_handle(&app, &bob.client, handle).await,
        Err(AppError::NotFound)
    );
    // Nor by the raw id, nor while signed out.
    assert_eq!(
        end_by_handle(&app, &bob.client, id_of(&ana.cookie)).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        end_by_handle(&app, &new_client(), handle).await,
        Err(AppError::Unauthorized)
    );
    // Bob doesn't see Ana's sessions either.
    let bobs = sessions_of(&app, &bob.client).await;
    assert_eq!(bobs.len(), 1);
    assert_ne!(&bobs[0].handle, handle);
    assert!(current_user(&app, &ana.client).await.is_some());
}

#[tokio::test]
async fn ending_another_session_signs_it_out_and_closes_its_socket() {
    let app = spawn_app().await;
    let ana = app.person("ana").await;
    let (chrome, chrome_cookie) = log_in_elsewhere(&app, "ana", Some(CHROME)).await;
    let mut chrome_ws = open_socket(&app, &chrome_cookie).await;
    let mut own_ws = open_socket(&app, &ana.cookie).await;

    let other = sessions_of(&app, &ana.client)
        .await
        .into_iter()
        .find(|s| !s.this_device)
        .expect("the Chrome session");
    assert_eq!(other.device, "Chrome 156 on Linux");
    end_by_handle(&app, &ana.client, &other.handle)
        .await
        .expect("end it");

    assert_eq!(close_code(&mut chrome_ws).await, SIGNED_OUT_CLOSE_CODE);
    assert!(current_user(&app, &chrome).await.is_none());
    // This browser stays signed in, socket and all.
    assert!(current_user(&app, &ana.client).await.is_some());
    stays_open(&mut own_ws, 300).await;
    let left = sessions_of(&app, &ana.client).await;
    assert_eq!(left.len(), 1);
    assert!(left[0].this_device);
    // It's gone: ending it again finds nothing.
    assert_eq!(
        end_by_handle(&app, &ana.client, &other.handle).await,
        Err(AppError::NotFound)
    );
}

#[tokio::test]
async fn ending_this_devices_session_is_a_log_out() {
    let app = spawn_app().await;
    let ana = app.person("ana").await;
    let (chrome, _) = log_in_elsewhere(&app, "ana", Some(CHROME)).await;
    let mut ws = open_socket(&app, &ana.cookie).await;
    let here = sessions_of(&app, &ana.client)
        .await
        .into_iter()
        .find(|s| s.this_device)
        .expect("this device");
    end_by_handle(&app, &ana.client, &here.handle)
        .await
        .expect("end own session");
    assert_eq!(close_code(&mut ws).await, SIGNED_OUT_CLOSE_CODE);
    assert!(current_user(&app, &ana.client).await.is_none());
    assert!(current_user(&app, &chrome).await.is_some());
}

#[tokio::test]
async fn log_out_everywhere_else_keeps_this_browser_only() {
    let app = spawn_app().await;
    let ana = app.person("ana").await;
    let (second, second_cookie) = log_in_elsewhere(&app, "ana", Some(CHROME)).await;
    let (third, third_cookie) = log_in_elsewhere(&app, "ana", None).await;
    let bob = app.person("bob").await;
    let mut second_ws = open_socket(&app, &second_cookie).await;
    let mut third_ws = open_socket(&app, &third_cookie).await;
    let mut own_ws = open_socket(&app, &ana.cookie).await;
    let mut bobs_ws = open_socket(&app, &bob.cookie).await;
    assert_eq!(sessions_of(&app, &ana.client).await.len(), 3);

    let ended: u64 = decode(app.call_with::<EndOtherSessions>(&ana.client, &[]).await)
        .await
        .expect("log out everywhere else");
    assert_eq!(ended, 2);

    assert_eq!(close_code(&mut second_ws).await, SIGNED_OUT_CLOSE_CODE);
    assert_eq!(close_code(&mut third_ws).await, SIGNED_OUT_CLOSE_CODE);
    assert!(current_user(&app, &second).await.is_none());
    assert!(current_user(&app, &third).await.is_none());
    assert!(current_user(&app, &ana.client).await.is_some());
    assert!(current_user(&app, &bob.client).await.is_some());
    stays_open(&mut own_ws, 300).await;
    stays_open(&mut bobs_ws, 100).await;
    let left = sessions_of(&app, &ana.client).await;
    assert_eq!(left.len(), 1);
    assert!(left[0].this_device);
}

#[tokio::test]
async fn log_out_closes_this_browsers_socket() {
    let app = spawn_app().await;
    let ana = app.person("ana").await;
    let (other, other_cookie) = log_in_elsewhere(&app, "ana", None).await;
    let mut ws = open_socket(&app, &ana.cookie).await;
    let mut other_ws = open_socket(&app, &other_cookie).await;
    decode::<()>(app.call_with::<LogOut>(&ana.client, &[]).await)
        .await
        .expect("log out");
    assert_eq!(close_code(&mut ws).await, SIGNED_OUT_CLOSE_CODE);
    assert!(current_user(&app, &ana.client).await.is_none());
    // The other browser is untouched.
    stays_open(&mut other_ws, 300).await;
    assert!(current_user(&app, &other).await.is_some());
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_closes_their_sockets() {
    let app = spawn_app().await;
    let ana = app.person("ana").await;
    let (other, other_cookie) = log_in_elsewhere(&app, "ana", Some(CHROME)).await;
    let mut other_ws = open_socket(&app, &other_cookie).await;
    let mut own_ws = open_socket(&app, &ana.cookie).await;
    let new_password = "a much newer battery staple";
    decode::<()>(
        app.call_with::<ChangePassword>(
            &ana.client,
            &[
                ("current_password", PASSWORD),
                ("password", new_password),
                ("password_confirm", new_password),
            ],
        )
        .await,
    )
    .await
    .expect("change password");

    assert_eq!(close_code(&mut other_ws).await, SIGNED_OUT_CLOSE_CODE);
    assert!(current_user(&app, &other).await.is_none());
    assert!(current_user(&app, &ana.client).await.is_some());
    stays_open(&mut own_ws, 300).await;
    assert_eq!(sessions_of(&app, &ana.client).await.len(), 1);
}

#[tokio::test]
async fn a_socket_whose_session_is_already_gone_is_refused() {
    let app = spawn_app().await;
    let ana = app.person("ana").await;
    let (_, other_cookie) = log_in_elsewhere(&app, "ana", None).await;
    let _: u64 = decode(app.call_with::<EndOtherSessions>(&ana.client, &[]).await)
        .await
        .expect("log out everywhere else");
    let origin = format!("http://{}", app.addr);
    match tokio_tungstenite::connect_async(ws_request(&app, Some(&other_cookie), &origin)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), 401);
        }
        other => panic!("expected 401, got {other:?}"),
    }
}

/// The `sessions` row behind a `name=value` cookie.
async fn session_row(app: &TestApp, cookie: &str) -> Option<app::db::entities::sessions::Model> {
    use sea_orm::EntityTrait;
    app::db::entities::sessions::Entity::find_by_id(id_of(cookie).to_owned())
        .one(&app.state.db)
        .await
        .expect("read session row")
}

#[tokio::test]
async fn page_views_read_the_session_and_write_it_back_once_an_hour() {
    let app = spawn_app().await;
    let ana: Person = app.person("ana").await;
    let before = session_row(&app, &ana.cookie).await.expect("signed in");

    // Pages and server functions within the hour leave the row as it was.
    for path in ["/", "/u/ana", "/settings"] {
        let resp = ana.client.get(app.url(path)).send().await.expect("page");
        assert_eq!(resp.status(), 200, "{path}");
    }
    assert!(current_user(&app, &ana.client).await.is_some());
    let after = session_row(&app, &ana.cookie).await.expect("still there");
    assert_eq!(after, before, "no write within the hour");

    // An hour later (the stamp moved back), the next request pushes the
    // expiry and "last active" forward and stamps the time again.
    let mut data: serde_json::Value = serde_json::from_str(&before.data).expect("json");
    let hour_ago = app::time_fmt::now_ms() - app::auth::SESSION_REFRESH_MS - 1_000;
    data[app::auth::REFRESHED_AT_KEY] = hour_ago.into();
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let mut row = before.clone().into_active_model();
        row.data = Set(data.to_string());
        row.expiry_ms = Set(before.expiry_ms - app::auth::SESSION_REFRESH_MS);
        row.last_active_ms = Set(hour_ago);
        row.update(&app.state.db).await.expect("age the session");
    }
    let resp = ana.client.get(app.url("/")).send().await.expect("page");
    assert_eq!(resp.status(), 200);
    let refreshed = session_row(&app, &ana.cookie).await.expect("still there");
    assert!(refreshed.expiry_ms > before.expiry_ms - app::auth::SESSION_REFRESH_MS);
    assert!(refreshed.last_active_ms > hour_ago);
    let stamped: serde_json::Value = serde_json::from_str(&refreshed.data).expect("json");
    assert!(
        stamped[app::auth::REFRESHED_AT_KEY]
            .as_i64()
            .expect("stamp")
            > hour_ago
    );
    assert_eq!(
        stamped[app::auth::USER_ID_KEY],
        data[app::auth::USER_ID_KEY]
    );
}

#[tokio::test]
async fn a_request_that_outlives_a_log_out_does_not_bring_the_session_back() {
    use tower_sessions::SessionStore;
    use tower_sessions::session::Record;
    let app = spawn_app().await;
    let ana: Person = app.person("ana").await;
    let store = app::session_store::DbSessionStore::new(app.state.db.clone());
    let id: tower_sessions::session::Id = id_of(&ana.cookie).parse().expect("session id");

    // A request loaded the session (e.g. a page still rendering)...
    let mut held: Record = store.load(&id).await.expect("load").expect("signed in");
    // ...the person logs out meanwhile...
    let resp = app.call_with::<LogOut>(&ana.client, &[]).await;
    assert!(resp.status().is_success(), "{}", resp.status());
    assert!(session_row(&app, &ana.cookie).await.is_none());
    // ...and the first request saves what it held when it ends.
    held.data.insert(
        app::auth::REFRESHED_AT_KEY.into(),
        app::time_fmt::now_ms().into(),
    );
    store.save(&held).await.expect("save");

    assert!(
        session_row(&app, &ana.cookie).await.is_none(),
        "stays deleted"
    );
    let stale = new_client();
    let resp = stale
        .post(app.url("/api/get_current_user"))
        .header(reqwest::header::COOKIE, &ana.cookie)
        .send()
        .await
        .expect("call");
    assert_eq!(
        decode::<Option<CurrentUser>>(resp).await.expect("answer"),
        None,
        "the old cookie signs nobody in"
    );
}
