//! Crash safety and database outages, against the real `server` binary.
//!
//! - `kill -9` of the server in the middle of a chat load: every message
//!   whose send was answered is in the database afterwards, and a client
//!   that reconnects with `?after=` its last event gets each message
//!   exactly once across the crash.
//! - PostgreSQL going away (emulated by a TCP proxy in front of it that
//!   the test closes and cuts): pages and server functions answer 503 with
//!   `Retry-After` and a friendly page, nothing panics, and the server
//!   serves again by itself once the database is back.

use crate::helpers::{Person, TestApp, decode};
use app::error::{AppError, DB_UNAVAILABLE_RETRY_S};
use app::events::{LiveEnvelope, LiveEvent};
use app::ids::{ConversationId, EventId, MessageId};
use app::models::MessageView;
use app::server_fns::chat::{OpenDirectConversation, SendMessage};
use futures::StreamExt as _;
use leptos::server_fn::ServerFn as _;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait as _, DbBackend, EntityTrait as _, QueryFilter as _,
    QuerySelect as _, Statement,
};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

/// The `server` binary on `port`, logging to `dir/server.log` (appended
/// across restarts). Killed with SIGKILL when dropped, so a failing test
/// leaves no server behind.
pub(crate) struct ServerProcess {
    child: std::process::Child,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts the binary on `db_url` with its files under `dir`; `extra`
    /// adds environment variables.
    pub(crate) fn start(port: u16, db_url: &str, dir: &Path, extra: &[(&str, &str)]) -> Self {
        let log = dir.join("server.log");
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DATABASE_URL", db_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("HEARTH_MEDIA_URL", dir.join("media"))
            .env("HEARTH_UPLOAD_DIR", dir.join("uploads"))
            .env("HEARTH_OUTBOX_DIR", dir.join("outbox"))
            .env("RUST_LOG", "info,sqlx=warn")
            .envs(extra.iter().copied())
            .stdout(out.try_clone().expect("log"))
            .stderr(out)
            .spawn()
            .expect("server binary");
        Self { child, log }
    }

    /// Waits until the server accepts connections on `port` (up to 20 s).
    pub(crate) async fn wait_until_up(&mut self, port: u16) {
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return;
            }
            if let Some(status) = self.child.try_wait().expect("status") {
                panic!("the server exited ({status}):\n{}", self.log());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server didn't start:\n{}", self.log());
    }

    /// `kill -9`, then reap.
    pub(crate) fn kill9(&mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reaped");
    }

    /// Whether the process is still running.
    pub(crate) fn running(&mut self) -> bool {
        self.child.try_wait().expect("status").is_none()
    }

    /// Everything the server logged so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free local port (for a server started next).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

/// A [`TestApp`] that drives the external server on `port`. Its `state`
/// is a scratch database of its own: the test opens the server's
/// database itself when it means to look.
pub(crate) async fn external(port: u16) -> TestApp {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("scratch.db").display()
    );
    let db = app::db::connect_and_migrate(&url)
        .await
        .expect("scratch db");
    let media = app::media::MediaStore::open("memory:").expect("store");
    TestApp {
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        state: app::state::AppState::new(db, media),
        client: crate::helpers::new_client(),
        _dir: dir,
        _pg: None,
    }
}

/// A live socket for `who`, resuming after `after`, past its `Hello`.
async fn connect(
    app: &TestApp,
    who: &Person,
    after: Option<EventId>,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>> {
    let query = after.map(|a| format!("?after={a}")).unwrap_or_default();
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
    let hello = tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .expect("hello within 10 s")
        .expect("open")
        .expect("frame");
    let Message::Text(text) = hello else {
        panic!("expected Hello, got {hello:?}");
    };
    let env: LiveEnvelope = serde_json::from_str(&text).expect("envelope");
    assert_eq!(env.event, LiveEvent::Hello { user_id: who.id });
    ws
}

/// What a live socket heard: the durable events (id, and the message id
/// when it is a new message), in arrival order.
#[derive(Debug, Default)]
struct Heard {
    durable: Vec<(EventId, Option<MessageId>)>,
}

impl Heard {
    fn take(&mut self, text: &str) {
        let env: LiveEnvelope = serde_json::from_str(text).expect("envelope");
        if let LiveEvent::Resync { latest } = env.event {
            panic!("told to resync (at {latest}): more missed than the replay holds");
        }
        if let Some(id) = env.id {
            let message = match env.event {
                LiveEvent::MessageCreated { message } => Some(message.id),
                _ => None,
            };
            self.durable.push((id, message));
        }
    }

    fn last(&self) -> Option<EventId> {
        self.durable.last().map(|(id, _)| *id)
    }

    fn messages(&self) -> Vec<MessageId> {
        self.durable.iter().filter_map(|(_, m)| *m).collect()
    }
}

/// Records a live socket's durable events until it dies, or until it has
/// heard `messages` new messages (then closes it).
async fn listen(
    mut ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
    messages: usize,
) -> Heard {
    let mut heard = Heard::default();
    while let Some(Ok(frame)) = ws.next().await {
        match frame {
            Message::Text(text) => heard.take(&text),
            Message::Close(_) => break,
            _ => {}
        }
        if heard.messages().len() >= messages {
            let _ = ws.close(None).await;
            break;
        }
    }
    heard
}

/// Reconnects as `who` after `after` and records what comes until the
/// socket has been quiet for 2 s.
async fn resume(app: &TestApp, who: &Person, after: EventId) -> Heard {
    let mut ws = connect(app, who, Some(after)).await;
    let mut heard = Heard::default();
    while let Ok(Some(frame)) = tokio::time::timeout(Duration::from_secs(2), ws.next()).await {
        if let Message::Text(text) = frame.expect("frame") {
            heard.take(&text);
        }
    }
    let _ = ws.close(None).await;
    heard
}

/// Sends messages to `conversation` as fast as answers come, until a send
/// gets no answer (the server died) or `stop`. Returns the ids of the
/// messages whose send was answered OK; anything else answered is pushed
/// to `refused`.
async fn load(
    url: String,
    client: reqwest::Client,
    conversation: ConversationId,
    task: usize,
    acked: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    refused: Arc<std::sync::Mutex<Vec<String>>>,
) -> Vec<MessageId> {
    let mut mine = Vec::new();
    let conversation = conversation.to_string();
    for n in 0.. {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let body = format!("load {task}-{n}");
        let sent = client
            .post(&url)
            .form(&[
                ("conversation_id", conversation.as_str()),
                ("body", body.as_str()),
            ])
            .send()
            .await;
        let Ok(resp) = sent else { break };
        let status = resp.status();
        let Ok(text) = resp.text().await else { break };
        if status.is_success() {
            let view: MessageView = serde_json::from_str(&text).expect("a message");
            mine.push(view.id);
            acked.fetch_add(1, Ordering::SeqCst);
        } else {
            refused
                .lock()
                .expect("lock")
                .push(format!("{status}: {text}"));
        }
    }
    mine
}

/// The ids of the messages stored in `conversation`.
async fn stored_ids(
    db: &sea_orm::DatabaseConnection,
    conversation: ConversationId,
) -> BTreeSet<MessageId> {
    use app::db::entities::messages;
    messages::Entity::find()
        .select_only()
        .column(messages::Column::Id)
        .filter(messages::Column::ConversationId.eq(conversation.0))
        .into_tuple::<i64>()
        .all(db)
        .await
        .expect("messages")
        .into_iter()
        .map(MessageId)
        .collect()
}

/// The first row of a SQLite `PRAGMA` query.
async fn pragma(db: &sea_orm::DatabaseConnection, sql: &str) -> sea_orm::QueryResult {
    db.query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .expect("pragma")
        .expect("row")
}

#[tokio::test]
async fn kill_9_during_a_chat_load_loses_no_acknowledged_message() {
    let dir = tempfile::tempdir().expect("dir");
    // A SQLite file, or a PostgreSQL database (HEARTH_TEST_BACKEND).
    let (db_url, _pg) = crate::helpers::test_database_url(dir.path()).await;
    let port = free_port();
    // Rate limits off: this is a load test.
    let env = [("HEARTH_RATE_LIMITS", "off")];
    let mut server = ServerProcess::start(port, &db_url, dir.path(), &env);
    server.wait_until_up(port).await;
    let app = external(port).await;

    let ann = app.person("crash_ann").await;
    let bo = app.person("crash_bo").await;
    app.befriend(&ann, &bo).await;
    let conversation: ConversationId = app
        .call_as::<OpenDirectConversation, _>(&ann, &[("user_id", &bo.id.to_string())])
        .await
        .expect("open direct");

    // Bo listens in two tabs. The first records every durable event until
    // the socket dies with the server; the second drops out after ten
    // messages (a phone losing its signal), so its resume after the restart
    // has much to replay.
    let tab = connect(&app, &bo, None).await;
    let listener = tokio::spawn(listen(tab, usize::MAX));
    let tab = connect(&app, &bo, None).await;
    let dropout = tokio::spawn(listen(tab, 10));

    // Ann sends from four tasks at once.
    let acked = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let refused = Arc::new(std::sync::Mutex::new(Vec::new()));
    let senders: Vec<_> = (0..4)
        .map(|task| {
            tokio::spawn(load(
                app.url(SendMessage::PATH),
                ann.client.clone(),
                conversation,
                task,
                acked.clone(),
                stop.clone(),
                refused.clone(),
            ))
        })
        .collect();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(1) || acked.load(Ordering::SeqCst) < 20 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the load never got going: {:?}",
            refused.lock().expect("lock")
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill9();
    stop.store(true, Ordering::SeqCst);
    let mut acknowledged = Vec::new();
    for sender in senders {
        acknowledged.extend(sender.await.expect("sender"));
    }
    let refused = refused.lock().expect("lock").clone();
    assert!(refused.is_empty(), "sends refused: {refused:?}");
    let before = tokio::time::timeout(Duration::from_secs(10), listener)
        .await
        .expect("the socket noticed the crash")
        .expect("listener");
    let dropped = dropout.await.expect("second tab");

    // What is on disk with the server dead: a fresh connection, after the
    // crash, before any restart.
    let db = app::db::connect(&db_url).await.expect("open the database");
    let stored = stored_ids(&db, conversation).await;
    let durability = if db.get_database_backend() == DbBackend::Sqlite {
        let journal: String = pragma(&db, "PRAGMA journal_mode")
            .await
            .try_get_by_index(0)
            .expect("journal mode");
        let synchronous: i32 = pragma(&db, "PRAGMA synchronous")
            .await
            .try_get_by_index(0)
            .expect("synchronous");
        // WAL with synchronous = NORMAL (1), as the server opens it: each
        // commit is written to the WAL before it is answered, which a
        // killed process can't undo (a power cut may; see app::db::connect).
        assert_eq!((journal.as_str(), synchronous), ("wal", 1));
        format!("journal_mode={journal}, synchronous={synchronous}")
    } else {
        "on PostgreSQL".to_owned()
    };

    let acked_set: BTreeSet<MessageId> = acknowledged.iter().copied().collect();
    assert_eq!(acked_set.len(), acknowledged.len(), "ids answered twice");
    let lost: Vec<_> = acked_set.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "acknowledged but not stored after kill -9: {lost:?}"
    );

    // Restart on the same file; each tab resumes after the last event it
    // saw, and between what it heard before and after has every stored
    // message (answered, or committed just before the kill cut off its
    // answer) exactly once: a message's event commits with it.
    let mut server = ServerProcess::start(port, &db_url, dir.path(), &env);
    server.wait_until_up(port).await;
    let mut delivered = Vec::new();
    for (tab, before) in [("first", &before), ("second", &dropped)] {
        let after = resume(&app, &bo, before.last().expect("heard before the crash")).await;
        let events: Vec<EventId> = before
            .durable
            .iter()
            .chain(&after.durable)
            .map(|(id, _)| *id)
            .collect();
        assert!(
            events.windows(2).all(|w| w[0] < w[1]),
            "{tab} tab: events out of order or repeated: {events:?}"
        );
        let got: Vec<MessageId> = before
            .messages()
            .into_iter()
            .chain(after.messages())
            .collect();
        let got_set: BTreeSet<MessageId> = got.iter().copied().collect();
        assert_eq!(got_set.len(), got.len(), "{tab} tab: a message twice");
        let missing: Vec<_> = acked_set.difference(&got_set).collect();
        assert!(
            missing.is_empty(),
            "{tab} tab: acknowledged, never delivered: {missing:?}"
        );
        assert_eq!(got_set, stored, "{tab} tab: delivered vs stored");
        delivered.push((got.len(), before.messages().len(), after.messages().len()));
    }
    assert_eq!(
        stored_ids(&db, conversation).await,
        stored,
        "unchanged by the restart"
    );
    let [(k, live, replayed), (k2, live2, replayed2)] = delivered[..] else {
        unreachable!("two tabs");
    };
    eprintln!(
        "acknowledged {}, stored {}, delivered {k} ({live} live before the crash, {replayed} \
         replayed after); second tab delivered {k2} ({live2} live, {replayed2} replayed); \
         {durability}",
        acked_set.len(),
        stored.len(),
    );
    db.close().await.expect("close");
    server.kill9();
}

/// A TCP proxy to PostgreSQL that the test can take down: [`PgProxy::cut`]
/// closes its port (new connections are refused, as by a stopped server)
/// and drops every forwarded connection; [`PgProxy::restore`] listens on
/// the same port again.
struct PgProxy {
    port: u16,
    up: watch::Sender<bool>,
}

impl PgProxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = proxy_listener(0).expect("proxy listens");
        let port = listener.local_addr().expect("addr").port();
        let (up, rx) = watch::channel(true);
        tokio::spawn(proxy_serve(listener, port, upstream, rx));
        Self { port, up }
    }

    fn cut(&self) {
        self.up.send_replace(false);
    }

    fn restore(&self) {
        self.up.send_replace(true);
    }
}

fn proxy_listener(port: u16) -> std::io::Result<TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    socket.listen(128)
}

async fn proxy_serve(
    listener: TcpListener,
    port: u16,
    upstream: SocketAddr,
    mut up: watch::Receiver<bool>,
) {
    let mut listener = Some(listener);
    loop {
        match &listener {
            Some(l) => {
                let cut = tokio::select! {
                    accepted = l.accept() => {
                        if let Ok((client, _)) = accepted {
                            tokio::spawn(proxy_forward(client, upstream, up.clone()));
                        }
                        false
                    }
                    changed = up.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        !*up.borrow_and_update()
                    }
                };
                if cut {
                    // Closing the listener: connections are refused now.
                    listener = None;
                }
            }
            None => {
                if up.wait_for(|up| *up).await.is_err() {
                    return;
                }
                listener = Some(proxy_listener(port).expect("the proxy's port again"));
            }
        }
    }
}

async fn proxy_forward(mut client: TcpStream, upstream: SocketAddr, mut up: watch::Receiver<bool>) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        // Cut: both ends are dropped, mid-query or idle in the pool.
        _ = up.wait_for(|up| !*up) => {}
    }
}

/// `postgres://user@host:port/db` split into `("postgres://user@",
/// "host:port")`.
fn split_authority(url: &str) -> (String, String) {
    let scheme_end = url.find("://").expect("a URL") + 3;
    let rest = &url[scheme_end..];
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let (userinfo, host) = match authority.rsplit_once('@') {
        Some((user, host)) => (format!("{user}@"), host),
        None => (String::new(), authority),
    };
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    (format!("{}{userinfo}", &url[..scheme_end]), host)
}

#[tokio::test]
async fn postgres_going_away_answers_503_and_recovers_by_itself() {
    let Some(pg) = crate::helpers::FreshPostgres::create("hearth_outage").await else {
        return;
    };
    let (admin_url, name) = (pg.admin_url.clone(), pg.name.clone());
    let (prefix, upstream) = split_authority(&admin_url);
    let upstream = tokio::net::lookup_host(&upstream)
        .await
        .expect("resolve")
        .next()
        .expect("an address");
    let proxy = PgProxy::start(upstream).await;
    let db_url = format!("{prefix}127.0.0.1:{}/{name}", proxy.port);

    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let mut server = ServerProcess::start(port, &db_url, dir.path(), &[]);
    server.wait_until_up(port).await;
    let app = external(port).await;
    let ann = app.person("outage_ann").await;
    let home = ann.client.get(app.url("/")).send().await.expect("home");
    assert_eq!(home.status(), 200);

    // The database goes away.
    proxy.cut();
    let cut = Instant::now();
    let page = ann.client.get(app.url("/")).send().await.expect("answer");
    let first = cut.elapsed();
    let (status, headers) = (page.status(), page.headers().clone());
    let html = page.text().await.expect("body");
    assert_eq!(status, 503, "{html}");
    assert_eq!(
        headers["retry-after"],
        DB_UNAVAILABLE_RETRY_S.to_string().as_str()
    );
    assert!(
        headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    assert!(html.contains("Hearth is temporarily unavailable"), "{html}");
    // From now on, at once: a page, and a server function (which a
    // script decodes as `Busy`).
    let t = Instant::now();
    let page = ann
        .client
        .get(app.url("/messages"))
        .send()
        .await
        .expect("answer");
    assert_eq!(page.status(), 503);
    let call = ann
        .client
        .post(app.url(app::server_fns::chat::ListConversations::PATH))
        .send()
        .await
        .expect("answer");
    assert_eq!(call.status(), 503);
    assert_eq!(
        call.headers()["retry-after"],
        DB_UNAVAILABLE_RETRY_S.to_string().as_str()
    );
    let err = decode::<Vec<app::models::ConversationSummary>>(call)
        .await
        .expect_err("unavailable");
    assert_eq!(
        err,
        AppError::Busy {
            retry_after_s: DB_UNAVAILABLE_RETRY_S
        }
    );
    let fast = t.elapsed();
    assert!(fast < Duration::from_secs(2), "took {fast:?}");
    // Keep it down a while: background work (job polls, sweeps) fails
    // meanwhile; the process must live through it.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(server.running(), "the server died:\n{}", server.log());

    // It comes back: the server serves again without a restart.
    proxy.restore();
    let back = Instant::now();
    loop {
        let res = ann.client.get(app.url("/")).send().await.expect("answer");
        if res.status() == 200 {
            break;
        }
        assert_eq!(res.status(), 503);
        assert!(
            back.elapsed() < Duration::from_secs(15),
            "still unavailable {:?} after the database returned",
            back.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered = back.elapsed();
    let post = app
        .create_post_with(&ann.client, "after the outage")
        .await
        .expect("post");
    assert_eq!(post.body, "after the outage");
    let html = ann
        .client
        .get(app.url("/"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("body");
    assert!(html.contains("after the outage"), "the feed: {html}");
    assert!(server.running(), "the server died:\n{}", server.log());
    let log = server.log();
    assert!(!log.contains("panicked"), "a panic:\n{log}");
    eprintln!(
        "database down: first page answered 503 in {first:?}, then at once ({fast:?} for a page \
         and a call); serving again {recovered:?} after the database returned"
    );
    server.kill9();
    drop(proxy);
    pg.drop_db().await;
}
