use crate::helpers::{TestApp, TestUser, session_cookie, spawn_app};
use app::events::{LiveEnvelope, LiveEvent};
use futures::StreamExt;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// Signs `user` up without a cookie jar and returns `name=value` of the
/// session cookie, to hand-craft WebSocket requests.
async fn session_for(app: &TestApp, user: &TestUser) -> String {
    let resp = app.sign_up_raw(&crate::helpers::new_client(), user).await;
    let cookie = session_cookie(&resp).expect("cookie");
    cookie.split(';').next().expect("pair").to_owned()
}

pub(crate) fn ws_request(
    app: &TestApp,
    cookie: Option<&str>,
    origin: &str,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut req = format!("ws://{}/ws", app.addr)
        .into_client_request()
        .expect("request");
    if let Some(cookie) = cookie {
        req.headers_mut()
            .insert("cookie", cookie.parse().expect("header"));
    }
    req.headers_mut()
        .insert("origin", origin.parse().expect("header"));
    req
}

async fn next_event<S>(ws: &mut S) -> LiveEnvelope
where
    S: futures::Stream<Item = Result<Message, WsError>> + Unpin,
{
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("event within 5 s")
            .expect("open")
            .expect("frame");
        if let Message::Text(text) = msg {
            return serde_json::from_str(&text).expect("envelope");
        }
    }
}

#[tokio::test]
async fn socket_refuses_signed_out_and_cross_site_clients() {
    let app = spawn_app().await;
    let origin = format!("http://{}", app.addr);
    match tokio_tungstenite::connect_async(ws_request(&app, None, &origin)).await {
        Err(WsError::Http(resp)) => assert_eq!(resp.status(), 401),
        other => panic!("expected 401, got {other:?}"),
    }
    let cookie = session_for(&app, &TestUser::new("xena")).await;
    match tokio_tungstenite::connect_async(ws_request(&app, Some(&cookie), "https://evil.example"))
        .await
    {
        Err(WsError::Http(resp)) => assert_eq!(resp.status(), 403),
        other => panic!("expected 403, got {other:?}"),
    }
}

#[tokio::test]
async fn a_new_post_reaches_other_open_sockets() {
    let app = spawn_app().await;
    let origin = format!("http://{}", app.addr);
    let reader = session_for(&app, &TestUser::new("yuki")).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_request(&app, Some(&reader), &origin))
        .await
        .expect("connect");
    let hello = next_event(&mut ws).await;
    assert!(matches!(hello.event, LiveEvent::Hello { .. }));

    app.sign_up(&TestUser::new("zane")).await.expect("author");
    // The reader's feed holds the author's posts once they follow them.
    let author = app.me(&app.client).await.id;
    let reader_client = reqwest::Client::builder().build().expect("client");
    let resp = reader_client
        .post(app.url(<app::server_fns::social::FollowUser as leptos::server_fn::ServerFn>::PATH))
        .header("cookie", &reader)
        .form(&[("user_id", author.to_string())])
        .send()
        .await
        .expect("follow");
    assert!(resp.status().is_success(), "{}", resp.status());
    let post = app
        .create_post_as(&app.client, "live!", "public")
        .await
        .expect("post");
    let event = next_event(&mut ws).await;
    assert_eq!(
        event.event,
        LiveEvent::PostCreated {
            post_id: post.id,
            author_id: post.author.id
        }
    );
    assert_eq!(event.id, None, "post events are ephemeral: no replay id");
}

#[tokio::test]
async fn new_posts_only_reach_feeds_that_can_hold_them() {
    let app = spawn_app().await;
    let origin = format!("http://{}", app.addr);
    let stranger = session_for(&app, &TestUser::new("stranger_s")).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_request(&app, Some(&stranger), &origin))
        .await
        .expect("connect");
    assert!(matches!(
        next_event(&mut ws).await.event,
        LiveEvent::Hello { .. }
    ));

    app.sign_up(&TestUser::new("author_a"))
        .await
        .expect("author");
    let author = app.me(&app.client).await.id;
    let unseen = app
        .create_post_as(&app.client, "not for strangers' feeds", "public")
        .await
        .expect("post");
    // Now the stranger follows the author; the next post reaches them, and
    // it is the first post event they get.
    let resp = reqwest::Client::new()
        .post(app.url(<app::server_fns::social::FollowUser as leptos::server_fn::ServerFn>::PATH))
        .header("cookie", &stranger)
        .form(&[("user_id", author.to_string())])
        .send()
        .await
        .expect("follow");
    assert!(resp.status().is_success());
    let seen = app
        .create_post_as(&app.client, "for followers", "public")
        .await
        .expect("post");
    let event = next_event(&mut ws).await;
    assert_eq!(
        event.event,
        LiveEvent::PostCreated {
            post_id: seen.id,
            author_id: author
        },
        "post {} must not have been sent",
        unseen.id
    );
}
