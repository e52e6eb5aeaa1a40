//! The WebSocket clients: one per user, each like a browser tab on
//! `GET /ws` (session cookie and same-origin `Origin` header), counting
//! what arrives and timing chat messages from send to receipt.

use super::Clock;
use anyhow::{Context as _, anyhow};
use app::events::{LiveEnvelope, LiveEvent};
use app::ids::UserId;
use futures::{SinkExt as _, StreamExt as _};
use hdrhistogram::Histogram;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a connection may take, handshake and `Hello` included.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Initial read buffer of a client socket.
const CLIENT_READ_BUFFER: usize = 8 * 1024;
/// Chat message bodies the benchmark sends start with this, followed by
/// the send time in µs on the shared [`Clock`].
pub const BODY_PREFIX: &str = "bench ";

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Counters shared by every socket, read while the benchmark runs.
#[derive(Debug, Default)]
pub struct Counters {
    /// Sockets open now (after `Hello`).
    pub open: AtomicU64,
    /// Sockets the server closed or that failed before shutdown.
    pub dropped: AtomicU64,
    /// `PresenceChanged` frames received.
    pub presence: AtomicU64,
    /// `MessageCreated` frames for messages other users sent.
    pub delivered: AtomicU64,
    /// `MessageCreated` frames for the socket's own messages.
    pub echoes: AtomicU64,
    /// Other frames (membership, notifications, ...).
    pub other: AtomicU64,
    /// Frames that didn't parse as a `LiveEnvelope`.
    pub unparsed: AtomicU64,
}

/// What one socket saw, handed back when it closes.
#[derive(Debug)]
pub struct SocketReport {
    /// Send-to-receipt latency of others' messages, in µs.
    pub latency_us: Histogram<u64>,
}

/// An open, greeted socket's reader task.
#[derive(Debug)]
pub struct OpenSocket {
    /// The reader; resolves when the socket closes.
    pub task: JoinHandle<SocketReport>,
}

/// A latency histogram in µs from 1 µs to 10 minutes, 3 significant
/// digits.
///
/// # Errors
/// Never with these bounds.
pub fn latency_histogram() -> anyhow::Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, 600_000_000, 3).map_err(|e| anyhow!("histogram: {e}"))
}

/// Opens the socket of the user whose `Cookie` header is `cookie`, waits
/// for `Hello`, then reads in the background until `shutdown` changes.
///
/// # Errors
/// If the handshake fails (e.g. `401`, `403`), times out, or the first
/// frame isn't `Hello`.
pub async fn connect(
    addr: SocketAddr,
    cookie: &str,
    clock: Clock,
    counters: Arc<Counters>,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<OpenSocket> {
    let mut req = format!("ws://{addr}/ws").into_client_request()?;
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(cookie)?);
    req.headers_mut()
        .insert("origin", HeaderValue::from_str(&format!("http://{addr}"))?);
    let (mut ws, me) = tokio::time::timeout(CONNECT_TIMEOUT, async {
        // A small initial read buffer (tungstenite's default, 128 KiB, is
        // zero-filled on first read, so resident): frames here are small,
        // and the buffer grows for larger ones.
        let config = WebSocketConfig::default().read_buffer_size(CLIENT_READ_BUFFER);
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(req, Some(config), true)
            .await
            .context("WebSocket handshake")?;
        let me = loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    let env: LiveEnvelope =
                        serde_json::from_str(text.as_str()).context("first frame")?;
                    match env.event {
                        LiveEvent::Hello { user_id } => break user_id,
                        other => return Err(anyhow!("expected Hello, got {other:?}")),
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e).context("reading Hello"),
                None => return Err(anyhow!("closed before Hello")),
            }
        };
        anyhow::Ok((ws, me))
    })
    .await
    .context("connect timed out")??;
    counters.open.fetch_add(1, Ordering::Relaxed);
    let mut latency_us = latency_histogram()?;
    let task = tokio::spawn(async move {
        read_until_shutdown(&mut ws, me, clock, &counters, shutdown, &mut latency_us).await;
        counters.open.fetch_sub(1, Ordering::Relaxed);
        SocketReport { latency_us }
    });
    Ok(OpenSocket { task })
}

async fn read_until_shutdown(
    ws: &mut Ws,
    me: UserId,
    clock: Clock,
    counters: &Counters,
    mut shutdown: watch::Receiver<bool>,
    latency_us: &mut Histogram<u64>,
) {
    loop {
        tokio::select! {
            biased;
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    on_text(text.as_str(), me, clock, counters, latency_us);
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => {
                    counters.dropped.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Some(Ok(_)) => {}
            },
            _ = shutdown.changed() => {
                let _ = tokio::time::timeout(Duration::from_secs(5), ws.close(None)).await;
                // Read until the server's close (or give up).
                let _ = tokio::time::timeout(Duration::from_secs(5), async {
                    while let Some(Ok(_)) = ws.next().await {}
                })
                .await;
                let _ = ws.flush().await;
                return;
            }
        }
    }
}

fn on_text(
    text: &str,
    me: UserId,
    clock: Clock,
    counters: &Counters,
    latency_us: &mut Histogram<u64>,
) {
    let Ok(env) = serde_json::from_str::<LiveEnvelope>(text) else {
        counters.unparsed.fetch_add(1, Ordering::Relaxed);
        return;
    };
    match env.event {
        LiveEvent::PresenceChanged { .. } => {
            counters.presence.fetch_add(1, Ordering::Relaxed);
        }
        LiveEvent::MessageCreated { message } if message.sender.id == me => {
            counters.echoes.fetch_add(1, Ordering::Relaxed);
        }
        LiveEvent::MessageCreated { message } => {
            counters.delivered.fetch_add(1, Ordering::Relaxed);
            if let Some(sent) = message
                .body
                .strip_prefix(BODY_PREFIX)
                .and_then(|t| t.parse::<u64>().ok())
            {
                latency_us.saturating_record(clock.now_us().saturating_sub(sent).max(1));
            }
        }
        _ => {
            counters.other.fetch_add(1, Ordering::Relaxed);
        }
    }
}
