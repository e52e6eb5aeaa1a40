//! `GET /ws`: the live socket. One per browser tab; authenticated by the
//! session cookie and refused for other sites' pages (Origin /
//! Sec-Fetch-Site). Sends the hub's events addressed to the user as JSON
//! text frames (`app::events::LiveEnvelope`). A client that falls more than
//! the hub's capacity behind is disconnected (close code 1013, "try again
//! later") rather than buffered without bound; browsers reconnect.

use crate::origin::is_cross_site;
use app::events::{LiveEnvelope, LiveEvent, PROTOCOL_VERSION};
use app::ids::UserId;
use app::state::AppState;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tower_sessions::Session;

/// How often the server pings an idle socket.
pub const PING_EVERY: Duration = Duration::from_secs(30);
/// A send that takes longer than this drops the connection.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest frame accepted from a browser (it only sends pongs and closes).
pub const MAX_INCOMING_BYTES: usize = 4 * 1024;

/// State of the `/ws` route.
#[derive(Clone, Debug)]
pub struct LiveState {
    /// Shared app state (hub).
    pub app: AppState,
    /// Extra accepted origin (see `Config::public_url`).
    pub allowed_origin: Option<String>,
}

/// Upgrades to a WebSocket for the signed-in user: `403` for another
/// site's page, `401` when signed out.
pub async fn ws_handler(
    State(state): State<LiveState>,
    session: Session,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if is_cross_site(&headers, state.allowed_origin.as_deref()) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let user = match app::auth::user_id_of(&session).await {
        Ok(Some(user)) => user,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    ws.max_message_size(MAX_INCOMING_BYTES)
        .on_upgrade(move |socket| serve_socket(socket, state.app, user))
}

async fn serve_socket(socket: WebSocket, state: AppState, user: UserId) {
    let mut events = state.hub.subscribe();
    let (mut sink, mut incoming) = socket.split();
    let hello = LiveEnvelope {
        v: PROTOCOL_VERSION,
        seq: 0,
        event: LiveEvent::Hello { user_id: user },
    };
    if send_json(&mut sink, &hello).await.is_err() {
        return;
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            received = events.recv() => match received {
                Ok(msg) if msg.audience.includes(user) => {
                    if send_json(&mut sink, &msg.envelope).await.is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => {
                    tracing::info!(user = %user, missed, "dropping a slow live client");
                    let _ = sink
                        .send(Message::Close(Some(CloseFrame {
                            code: 1013,
                            reason: "too far behind".into(),
                        })))
                        .await;
                    break;
                }
                Err(RecvError::Closed) => break,
            },
            frame = incoming.next() => match frame {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                let sent = tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Ping(Vec::new().into()))).await;
                if !matches!(sent, Ok(Ok(()))) {
                    break;
                }
            }
        }
    }
}

async fn send_json<S>(sink: &mut S, envelope: &LiveEnvelope) -> Result<(), ()>
where
    S: futures::Sink<Message> + Unpin,
{
    let text = serde_json::to_string(envelope).map_err(|e| {
        tracing::error!(error = %e, "serializing a live event");
    })?;
    match tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Text(text.into()))).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}
