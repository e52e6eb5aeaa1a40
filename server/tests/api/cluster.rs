//! Two instances on one PostgreSQL database and one Redis (issue I): live
//! events cross instances exactly once and in order, a Redis outage loses
//! nothing, ended sessions close sockets everywhere, limits are shared,
//! and a graceful shutdown closes sockets with 1012.
//!
//! Needs PostgreSQL (skipped without it unless `HEARTH_REQUIRE_POSTGRES=1`)
//! and Redis: the machine's (`HEARTH_TEST_REDIS_URL`, default
//! `redis://127.0.0.1:6379/`, each test in its own namespace), and for the
//! outage test a `redis-server` the test starts and stops itself.

use crate::helpers::{FreshPostgres, Person, TestApp, spawn_app_with};
use app::events::{LiveEnvelope, LiveEvent};
use app::ids::{ConversationId, EventId, UserId};
use app::models::MessageView;
use app::server_fns::chat::{OpenDirectConversation, SendMessage};
use futures::{SinkExt as _, StreamExt as _};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn redis_url() -> String {
    std::env::var("HEARTH_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned())
}

/// Whether the Redis at `url` answers (a failure instead under CI, where
/// it always runs).
async fn redis_reachable(url: &str) -> bool {
    let ok = async {
        let client = redis::Client::open(url).ok()?;
        let mut conn = tokio::time::timeout(
            Duration::from_secs(2),
            client.get_multiplexed_async_connection(),
        )
        .await
        .ok()?
        .ok()?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .ok()
    }
    .await
    .is_some();
    assert!(
        ok || std::env::var("CI").as_deref() != Ok("true"),
        "Redis required under CI but unreachable at {url}"
    );
    if !ok {
        eprintln!("skipping a two-instance test: no Redis at {url}");
    }
    ok
}

/// Two instances on a fresh PostgreSQL database and the Redis at `url`,
/// in a namespace of their own; `None` (skip) without PostgreSQL or Redis.
async fn two_instances(url: &str, rate_limits: bool) -> Option<(FreshPostgres, TestApp, TestApp)> {
    if !redis_reachable(url).await {
        return None;
    }
    let pg = FreshPostgres::create("cluster").await?;
    let namespace = format!("test{}", app::media::new_key());
    let configure = |c: &mut server::config::Config| {
        c.database_url = pg.url();
        c.redis_url = Some(url.to_owned());
        c.redis_namespace = namespace.clone();
        c.rate_limits = rate_limits;
    };
    let one = spawn_app_with(configure).await;
    let two = spawn_app_with(configure).await;
    for app in [&one, &two] {
        let link = app.state.redis.as_ref().expect("Redis configured");
        wait_until(Duration::from_secs(5), || link.is_up()).await;
    }
    Some((pg, one, two))
}

async fn wait_until(limit: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `who`'s live socket on `app` (after its `Hello`).
async fn connect(app: &TestApp, who: &Person, after: Option<EventId>) -> Ws {
    let query = after.map(|a| format!("?after={}", a.0)).unwrap_or_default();
    let mut req = format!("ws://{}/ws{query}", app.addr)
        .into_client_request()
        .expect("request");
    req.headers_mut()
        .insert("cookie", who.cookie.parse().expect("header"));
    req.headers_mut().insert(
        "origin",
        format!("http://{}", app.addr).parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connect");
    let hello = next(&mut ws, Duration::from_secs(5)).await.expect("hello");
    assert_eq!(hello.event, LiveEvent::Hello { user_id: who.id });
    ws
}

/// The next event on `ws` within `limit`, or `None`.
async fn next(ws: &mut Ws, limit: Duration) -> Option<LiveEnvelope> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next()).await.ok()??;
        match msg.expect("frame") {
            Message::Text(text) => return Some(serde_json::from_str(&text).expect("envelope")),
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

/// The next event on `ws` matching `pick`, within `limit`.
async fn next_matching<T>(
    ws: &mut Ws,
    limit: Duration,
    mut pick: impl FnMut(&LiveEnvelope) -> Option<T>,
) -> Option<T> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let env = next(ws, left).await?;
        if let Some(t) = pick(&env) {
            return Some(t);
        }
    }
}

/// Message events (id, body) arriving on `ws` within `limit`.
async fn messages_within(ws: &mut Ws, limit: Duration) -> Vec<(EventId, String)> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + limit;
    while let Some(env) = next(
        ws,
        deadline.saturating_duration_since(tokio::time::Instant::now()),
    )
    .await
    {
        if let LiveEvent::MessageCreated { message } = env.event {
            got.push((env.id.expect("durable"), message.body));
        }
    }
    got
}

async fn direct(app: &TestApp, a: &Person, b: &Person) -> ConversationId {
    app.befriend(a, b).await;
    app.call_as::<OpenDirectConversation, _>(a, &[("user_id", &b.id.to_string())])
        .await
        .expect("open direct")
}

async fn send(app: &TestApp, who: &Person, c: ConversationId, body: &str) -> MessageView {
    app.call_as::<SendMessage, _>(who, &[("conversation_id", &c.to_string()), ("body", body)])
        .await
        .expect("send")
}

#[tokio::test]
async fn live_events_cross_instances_once_and_in_order() {
    let Some((_pg, one, two)) = two_instances(&redis_url(), false).await else {
        return;
    };
    let ana = one.person("ana_cl").await;
    let bo = one.person("bo_cl").await;
    let c = direct(&one, &ana, &bo).await;

    // Bo on instance two, Ana on instance one.
    let mut bo_ws = connect(&two, &bo, None).await;
    let mut ana_ws = connect(&one, &ana, None).await;
    let online = next_matching(&mut bo_ws, Duration::from_secs(3), |e| match e.event {
        LiveEvent::PresenceChanged {
            user_id, online, ..
        } if user_id == ana.id => Some(online),
        _ => None,
    })
    .await;
    assert_eq!(online, Some(true), "Ana's presence crossed instances");

    // A message sent through instance one reaches Bo on two, fast.
    let started = std::time::Instant::now();
    let sent = send(&one, &ana, c, "hello across").await;
    let got = next_matching(&mut bo_ws, Duration::from_secs(2), |e| match &e.event {
        LiveEvent::MessageCreated { message } => Some(message.clone()),
        _ => None,
    })
    .await
    .expect("message on the other instance");
    assert_eq!(got, sent);
    eprintln!("send → receive across instances: {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(1));

    // Messages sent through both instances arrive once each, in id order.
    for i in 0..6 {
        let app = if i % 2 == 0 { &one } else { &two };
        send(app, &ana, c, &format!("burst {i}")).await;
    }
    let burst = messages_within(&mut bo_ws, Duration::from_secs(3)).await;
    let bodies: Vec<&str> = burst.iter().map(|(_, b)| b.as_str()).collect();
    assert_eq!(
        bodies,
        (0..6).map(|i| format!("burst {i}")).collect::<Vec<_>>(),
        "each once, in order"
    );
    assert!(burst.windows(2).all(|w| w[0].0 < w[1].0), "ids increase");

    // Typing on Ana's socket (instance one) shows on Bo's (instance two).
    ana_ws
        .send(Message::Text(
            format!(r#"{{"kind":"typing","conversation_id":{}}}"#, c.0).into(),
        ))
        .await
        .expect("typing");
    let typing = next_matching(&mut bo_ws, Duration::from_secs(2), |e| match e.event {
        LiveEvent::Typing { user_id, .. } => Some(user_id),
        _ => None,
    })
    .await;
    assert_eq!(typing, Some(ana.id));

    // A friend request through instance two notifies Ana on instance one.
    let cy = two.person("cy_cl").await;
    let _: app::models::FriendState = two
        .with_user::<app::server_fns::social::SendFriendRequest, _>(&cy.client, ana.id)
        .await
        .expect("friend request");
    let noticed = next_matching(&mut ana_ws, Duration::from_secs(2), |e| {
        matches!(e.event, LiveEvent::NotificationsChanged).then_some(())
    })
    .await;
    assert!(noticed.is_some(), "notification crossed instances");
}

/// A `redis-server` of the test's own, on a free port.
struct OwnRedis {
    port: u16,
    child: Option<tokio::process::Child>,
}

impl OwnRedis {
    async fn start(port: u16) -> Option<Self> {
        let child = tokio::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--bind",
                "127.0.0.1",
            ])
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn();
        let child = match child {
            Ok(c) => c,
            Err(e) => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "redis-server: {e}"
                );
                eprintln!("skipping: no redis-server ({e})");
                return None;
            }
        };
        let me = Self {
            port,
            child: Some(child),
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Some(me);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server didn't start on {port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("kill redis-server");
        }
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
async fn a_redis_outage_loses_no_message_and_the_instances_reconnect() {
    let port = free_port();
    let Some(mut redis) = OwnRedis::start(port).await else {
        return;
    };
    let Some((_pg, one, two)) = two_instances(&redis.url(), false).await else {
        return;
    };
    let ana = one.person("ana_out").await;
    let bo = one.person("bo_out").await;
    let c = direct(&one, &ana, &bo).await;
    let mut bo_ws = connect(&two, &bo, None).await;

    redis.stop().await;
    // The instances notice (the subscription drops).
    for app in [&one, &two] {
        let link = app.state.redis.as_ref().expect("Redis configured");
        wait_until(Duration::from_secs(5), || !link.is_up()).await;
    }
    // Pages still work; messages sent through instance one meanwhile reach
    // Bo on instance two from the database, each once and in order.
    send(&one, &ana, c, "during the outage 1").await;
    send(&one, &ana, c, "during the outage 2").await;
    let got = messages_within(&mut bo_ws, Duration::from_secs(4)).await;
    let bodies: Vec<&str> = got.iter().map(|(_, b)| b.as_str()).collect();
    assert_eq!(bodies, ["during the outage 1", "during the outage 2"]);

    // Redis returns (empty: it keeps nothing); both reconnect by themselves.
    let _redis = OwnRedis::start(port).await.expect("restart");
    for app in [&one, &two] {
        let link = app.state.redis.as_ref().expect("Redis configured");
        wait_until(Duration::from_secs(10), || link.is_up()).await;
    }
    let started = std::time::Instant::now();
    send(&one, &ana, c, "after the outage").await;
    let first = next_matching(&mut bo_ws, Duration::from_secs(3), |e| match &e.event {
        LiveEvent::MessageCreated { message } => Some(message.body.clone()),
        _ => None,
    })
    .await;
    assert_eq!(first.as_deref(), Some("after the outage"));
    eprintln!("send → receive after the outage: {:?}", started.elapsed());
    let more = messages_within(&mut bo_ws, Duration::from_secs(2)).await;
    assert!(more.is_empty(), "nothing arrives twice: {more:?}");
}

#[tokio::test]
async fn an_ended_session_closes_its_socket_on_another_instance_and_shutdown_sends_1012() {
    let Some((_pg, one, two)) = two_instances(&redis_url(), false).await else {
        return;
    };
    let bo = one.person("bo_rev").await;
    let mut ws = connect(&two, &bo, None).await;
    // Log out through instance one.
    let resp = one
        .call_with::<app::server_fns::auth::LogOut>(&bo.client, &[])
        .await;
    assert!(resp.status().is_success(), "log out: {}", resp.status());
    let code = close_code(&mut ws, Duration::from_secs(3)).await;
    assert_eq!(code, Some(app::revocation::SIGNED_OUT_CLOSE_CODE));

    // A graceful shutdown of instance two closes its sockets with 1012.
    let cy = one.person("cy_rev").await;
    let mut ws = connect(&two, &cy, None).await;
    two.state.shutdown.trigger();
    let code = close_code(&mut ws, Duration::from_secs(3)).await;
    assert_eq!(code, Some(server::live::RESTART_CLOSE_CODE));
}

async fn close_code(ws: &mut Ws, limit: Duration) -> Option<u16> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await.ok()?? {
            Ok(Message::Close(frame)) => return frame.map(|f| f.code.into()),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn rate_limits_are_shared_by_the_instances() {
    let Some((_pg, one, two)) = two_instances(&redis_url(), true).await else {
        return;
    };
    let ana = one.person("ana_rl").await;
    let (burst, _) = app::services::limits::Action::Message.quota();
    for i in 0..burst {
        let app = if i % 2 == 0 { &one } else { &two };
        app.state
            .limits
            .check(ana.id, app::services::limits::Action::Message)
            .await
            .expect("within the burst");
    }
    for app in [&one, &two] {
        assert!(
            matches!(
                app.state
                    .limits
                    .check(ana.id, app::services::limits::Action::Message)
                    .await,
                Err(app::error::AppError::TooFast { .. })
            ),
            "the burst was used up across both instances"
        );
    }
    // Another person's allowance is untouched.
    assert!(
        two.state
            .limits
            .check(
                UserId(ana.id.0 + 1000),
                app::services::limits::Action::Message
            )
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn probes_say_whether_the_database_and_redis_answer() {
    let port = free_port();
    let Some(mut redis) = OwnRedis::start(port).await else {
        return;
    };
    let url = redis.url();
    let app = spawn_app_with(|c| {
        c.redis_url = Some(url.clone());
        c.redis_namespace = format!("test{}", app::media::new_key());
    })
    .await;
    let get = |path: &str| {
        let (client, url) = (crate::helpers::new_client(), app.url(path));
        async move {
            let resp = client.get(url).send().await.expect("probe");
            (resp.status().as_u16(), resp.text().await.expect("body"))
        }
    };
    assert_eq!(get("/healthz").await, (200, "ok".to_owned()));
    assert_eq!(get("/readyz").await, (200, "ready".to_owned()));
    redis.stop().await;
    assert_eq!(get("/readyz").await, (503, "redis: down".to_owned()));
    assert_eq!(get("/healthz").await.0, 200, "alive all the same");
    // Pages are still served while Redis is down.
    let resp = crate::helpers::new_client()
        .get(app.url("/"))
        .send()
        .await
        .expect("page");
    assert_eq!(resp.status().as_u16(), 200);
    // Draining: the listener closes (a kept-alive connection would get
    // 503 "shutting down"); either way the proxy stops sending here.
    app.state.shutdown.trigger();
    let draining = crate::helpers::new_client()
        .get(app.url("/readyz"))
        .send()
        .await;
    assert!(
        draining.map_or(true, |r| r.status().as_u16() == 503),
        "not ready while draining"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_on_their_own_port() {
    let metrics_port = free_port();
    let app = spawn_app_with(|c| {
        c.metrics_addr = Some(std::net::SocketAddr::from(([127, 0, 0, 1], metrics_port)));
    })
    .await;
    let client = crate::helpers::new_client();
    for _ in 0..3 {
        client.get(app.url("/healthz")).send().await.expect("probe");
    }
    let body = async {
        for _ in 0..100 {
            if let Ok(resp) = client
                .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
                .send()
                .await
            {
                return resp.text().await.expect("metrics");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no metrics endpoint");
    }
    .await;
    let line = body
        .lines()
        .find(|l| {
            l.starts_with("hearth_http_requests_total")
                && l.contains(r#"route="/healthz""#)
                && l.contains(r#"status="200""#)
        })
        .unwrap_or_else(|| panic!("no request counter in\n{body}"));
    let n: f64 = line
        .rsplit(' ')
        .next()
        .expect("value")
        .parse()
        .expect("number");
    assert!(n >= 3.0, "{line}");
    assert!(
        body.contains("hearth_http_request_duration_seconds_bucket"),
        "{body}"
    );
    assert!(body.contains("hearth_live_sockets"), "{body}");
    // Not on the public port.
    let public = client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("public");
    assert_ne!(public.status().as_u16(), 200);
}
