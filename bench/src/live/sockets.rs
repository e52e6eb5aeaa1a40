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
/// the send time in µs on the shared [`Clock`], a space, and the instance
/// the message was sent through (see [`body`]).
pub const BODY_PREFIX: &str = "bench ";

/// The body of a message sent at `sent_us` through `instance`.
pub fn body(sent_us: u64, instance: usize) -> String {
    format!("{BODY_PREFIX}{sent_us} {instance}")
}

/// The send time and instance of a benchmark message's body.
pub fn parse_body(body: &str) -> Option<(u64, usize)> {
    let (sent, instance) = body.strip_prefix(BODY_PREFIX)?.split_once(' ')?;
    Some((sent.parse().ok()?, instance.parse().ok()?))
}

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
    /// Of those, frames for messages sent through another instance than
    /// the receiving socket's.
    pub delivered_cross: AtomicU64,
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
    /// The same, only for messages sent through another instance.
    pub cross_latency_us: Histogram<u64>,
}

/// An open, greeted socket's reader task.
#[derive(Debug)]
pub struct OpenSocket {
    /// The reader; resolves when the socket closes.
    pub task: JoinHandle<SocketReport>,
    /// The instance it is connected to.
    pub instance: usize,
}

/// A latency histogram in µs from 1 µs to 10 minutes, 3 significant
/// digits.
///
/// # Errors
/// Never with these bounds.
pub fn latency_histogram() -> anyhow::Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, 600_000_000, 3).map_err(|e| anyhow!("histogram: {e}"))
}

/// Opens the socket of the user whose `Cookie` header is `cookie` on
/// instance number `instance` (at `addr`), waits for `Hello`, then reads
/// in the background until `shutdown` changes.
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
    instance: usize,
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
    let mut report = SocketReport {
        latency_us: latency_histogram()?,
        cross_latency_us: latency_histogram()?,
    };
    let me = Receiver { user: me, instance };
    let task = tokio::spawn(async move {
        read_until_shutdown(&mut ws, me, clock, &counters, shutdown, &mut report).await;
        counters.open.fetch_sub(1, Ordering::Relaxed);
        report
    });
    Ok(OpenSocket { task, instance })
}

/// Who a socket belongs to, and where it is connected.
#[derive(Debug, Clone, Copy)]
struct Receiver {
    user: UserId,
    instance: usize,
}

async fn read_until_shutdown(
    ws: &mut Ws,
    me: Receiver,
    clock: Clock,
    counters: &Counters,
    mut shutdown: watch::Receiver<bool>,
    report: &mut SocketReport,
) {
    loop {
        tokio::select! {
            biased;
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    on_text(text.as_str(), me, clock, counters, report);
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

fn on_text(text: &str, me: Receiver, clock: Clock, counters: &Counters, report: &mut SocketReport) {
    let Ok(env) = serde_json::from_str::<LiveEnvelope>(text) else {
        counters.unparsed.fetch_add(1, Ordering::Relaxed);
        return;
    };
    match env.event {
        LiveEvent::PresenceChanged { .. } => {
            counters.presence.fetch_add(1, Ordering::Relaxed);
        }
        LiveEvent::MessageCreated { message } if message.sender.id == me.user => {
            counters.echoes.fetch_add(1, Ordering::Relaxed);
        }
        LiveEvent::MessageCreated { message } => {
            counters.delivered.fetch_add(1, Ordering::Relaxed);
            if let Some((sent, via)) = parse_body(&message.body) {
                let took = clock.now_us().saturating_sub(sent).max(1);
                report.latency_us.saturating_record(took);
                if via != me.instance {
                    counters.delivered_cross.fetch_add(1, Ordering::Relaxed);
                    report.cross_latency_us.saturating_record(took);
                }
            }
        }
        _ => {
            counters.other.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_round_trip() {
        assert_eq!(parse_body(&body(123_456, 1)), Some((123_456, 1)));
        assert_eq!(parse_body("bench 12"), None);
        assert_eq!(parse_body("hello 1 2"), None);
    }
}
