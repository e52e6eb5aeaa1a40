//! `GET /ws?after={event id}`: the live socket. One per browser tab;
//! authenticated by the session cookie and refused for other sites' pages
//! (Origin / Sec-Fetch-Site).
//!
//! On connect the socket registers with the hub (so nothing published from
//! then on is missed), counts as an open tab for presence, sends `Hello`,
//! then, when `after` is given, replays the durable events since that id
//! from the database before streaming live frames; live durable frames the
//! replay already covered are skipped, so each event arrives exactly once.
//!
//! A client whose queue fills ([`app::hub::CONNECTION_QUEUE`] frames) is
//! disconnected with close code 1013 ("try again later") rather than
//! buffered without bound; browsers reconnect and replay. The browser may
//! send `ClientFrame`s (typing signals), at most [`MAX_INCOMING_BYTES`]
//! each.
//!
//! When the socket's session ends (log-out, "End session", "Log out
//! everywhere else", a password change or reset), the socket closes at once
//! with close code [`SIGNED_OUT_CLOSE_CODE`]; the browser then shows itself
//! signed out instead of reconnecting.

use crate::origin::is_cross_site;
use app::events::{ClientFrame, LiveEnvelope, LiveEvent, PROTOCOL_VERSION};
use app::hub::Audience;
use app::ids::{ConversationId, EventId, UserId};
use app::revocation::{Revoked, SIGNED_OUT_CLOSE_CODE};
use app::services::live_log;
use app::state::AppState;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tower_sessions::Session;

/// How often the server pings an idle socket.
pub const PING_EVERY: Duration = Duration::from_secs(30);
/// A send that takes longer than this drops the connection.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest frame accepted from a browser.
pub const MAX_INCOMING_BYTES: usize = 4 * 1024;
/// Typing signals per conversation and socket are relayed at most this
/// often. Browsers send one every 3 s while typing, and one at once when
/// typing resumes after sending, which may be soon after the last: the
/// limit only stops a misbehaving client from flooding the members.
pub const TYPING_MIN_INTERVAL: Duration = Duration::from_millis(500);

/// State of the `/ws` route.
#[derive(Clone, Debug)]
pub struct LiveState {
    /// Shared app state (database, hub, presence).
    pub app: AppState,
    /// Extra accepted origin (see `Config::public_url`).
    pub allowed_origin: Option<String>,
}

/// Query of `/ws`.
#[derive(Debug, Deserialize)]
pub struct ResumeQuery {
    /// Replay durable events after this id.
    pub after: Option<i64>,
}

/// Upgrades to a WebSocket for the signed-in user: `403` for another
/// site's page, `401` when signed out. The socket closes with
/// [`SIGNED_OUT_CLOSE_CODE`] once its session ends.
pub async fn ws_handler(
    State(state): State<LiveState>,
    Query(resume): Query<ResumeQuery>,
    session: Session,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if is_cross_site(&headers, state.allowed_origin.as_deref()) {
        return StatusCode::FORBIDDEN.into_response();
    }
    // Listen before reading the session: a session ended after this point
    // is heard of, one ended before it is already gone from the store.
    let revocations = state.app.revocations.subscribe();
    let user = match app::auth::user_id_of(&session).await {
        Ok(Some(user)) => user,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let Some(session_id) = session.id().map(|id| id.to_string()) else {
        // A signed-in session always has an id (it was loaded by it).
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let after = resume.after.map(EventId);
    let auth = SocketAuth {
        user,
        session_id,
        revocations,
        recheck: false,
    };
    ws.max_message_size(MAX_INCOMING_BYTES)
        .on_upgrade(move |socket| async move {
            serve_socket(socket, &state.app, auth, after).await;
            state
                .app
                .presence
                .tab_closed(&state.app.db, &state.app.hub, user);
        })
}

/// Who a socket belongs to, and the news of ended sessions.
struct SocketAuth {
    user: UserId,
    session_id: String,
    revocations: broadcast::Receiver<Arc<Revoked>>,
    /// Revocations were missed: look the session up before waiting on.
    recheck: bool,
}

impl SocketAuth {
    /// Waits for this socket's session to end (returns `true`), or for
    /// the broadcast to stop (`false`: the app is shutting down).
    async fn ended(&mut self, state: &AppState) -> bool {
        loop {
            // (A flag rather than a local, so a re-check cut short by
            // another `select!` branch is redone next time.)
            if self.recheck {
                match self.session_alive(state).await {
                    Ok(true) => self.recheck = false,
                    Ok(false) => return true,
                    Err(e) => {
                        // Fail closed: the browser reconnects if it may.
                        tracing::error!(error = %e, "re-checking a live socket's session");
                        return true;
                    }
                }
            }
            match self.revocations.recv().await {
                Ok(revoked) => {
                    if revoked.covers(Some(&self.session_id), self.user) {
                        return true;
                    }
                }
                // Missed some: ask the store whether the session still is.
                Err(RecvError::Lagged(_)) => self.recheck = true,
                Err(RecvError::Closed) => return false,
            }
        }
    }

    /// Whether the session row is still there, unexpired and this user's.
    async fn session_alive(&self, state: &AppState) -> Result<bool, sea_orm::DbErr> {
        use app::db::entities::sessions;
        use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
        Ok(sessions::Entity::find_by_id(self.session_id.clone())
            .filter(sessions::Column::ExpiryMs.gt(app::time_fmt::now_ms()))
            .filter(sessions::Column::UserId.eq(self.user.0))
            .one(&state.db)
            .await?
            .is_some())
    }
}

async fn serve_socket(
    socket: WebSocket,
    state: &AppState,
    mut auth: SocketAuth,
    after: Option<EventId>,
) {
    let user = auth.user;
    // Register first: events published while the replay runs are queued.
    let mut conn = state.hub.connect(user);
    // Announce after registering, so two friends connecting at once each
    // hear the other come online.
    if let Err(e) = state.presence.tab_opened(&state.db, &state.hub, user).await {
        tracing::error!(error = %e, "announcing presence");
    }
    let (mut sink, mut incoming) = socket.split();
    if send_event(&mut sink, None, LiveEvent::Hello { user_id: user })
        .await
        .is_err()
    {
        return;
    }
    let mut replayed_to = EventId(0);
    if let Some(after) = after {
        match live_log::replay(&state.db, user, after).await {
            Ok(live_log::Replay::Events(events)) => {
                for (id, event) in events {
                    if send_event(&mut sink, Some(id), event).await.is_err() {
                        return;
                    }
                    replayed_to = id;
                }
            }
            Ok(live_log::Replay::Resync { latest }) => {
                if send_event(&mut sink, None, LiveEvent::Resync { latest })
                    .await
                    .is_err()
                {
                    return;
                }
                replayed_to = latest;
            }
            Err(e) => {
                tracing::error!(error = %e, "replaying live events");
                return;
            }
        }
    }
    let mut typing = Typing::new(user);
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            frame = conn.frames.recv() => match frame {
                Some(frame) => {
                    if frame.id.is_some_and(|id| id <= replayed_to) {
                        continue;
                    }
                    if send_text(&mut sink, &frame.json).await.is_err() {
                        break;
                    }
                }
                None => {
                    if conn.lagged.load(Ordering::Relaxed) {
                        tracing::info!(user = %user, "dropping a slow live client");
                        let _ = sink
                            .send(Message::Close(Some(CloseFrame {
                                code: 1013,
                                reason: "too far behind".into(),
                            })))
                            .await;
                    }
                    break;
                }
            },
            frame = incoming.next() => match frame {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(Message::Text(text))) => {
                    if let Ok(ClientFrame::Typing { conversation_id }) = serde_json::from_str(&text) {
                        typing.relay(state, conversation_id).await;
                    }
                }
                Some(Ok(_)) => {}
            },
            ended = auth.ended(state) => {
                if ended {
                    tracing::debug!(user = %user, "closing the socket of an ended session");
                    let _ = tokio::time::timeout(
                        SEND_TIMEOUT,
                        sink.send(Message::Close(Some(CloseFrame {
                            code: SIGNED_OUT_CLOSE_CODE,
                            reason: "signed out".into(),
                        }))),
                    )
                    .await;
                }
                break;
            }
            _ = ping.tick() => {
                let sent = tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Ping(Vec::new().into()))).await;
                if !matches!(sent, Ok(Ok(()))) {
                    break;
                }
            }
        }
    }
}

/// Relays one socket's typing signals to the other members.
struct Typing {
    user: UserId,
    display_name: Option<String>,
    last: HashMap<ConversationId, Instant>,
}

impl Typing {
    fn new(user: UserId) -> Self {
        Self {
            user,
            display_name: None,
            last: HashMap::new(),
        }
    }

    async fn relay(&mut self, state: &AppState, conversation: ConversationId) {
        let now = Instant::now();
        if self
            .last
            .get(&conversation)
            .is_some_and(|t| now.duration_since(*t) < TYPING_MIN_INTERVAL)
        {
            return;
        }
        self.last.insert(conversation, now);
        let members = match live_log::member_ids(&state.db, conversation).await {
            Ok(members) if members.contains(&self.user) => members,
            Ok(_) => return,
            Err(e) => {
                tracing::error!(error = %e, "typing audience");
                return;
            }
        };
        if self.display_name.is_none() {
            match app::services::posts::authors(&state.db, [self.user.0]).await {
                Ok(mut people) => {
                    self.display_name = people.remove(&self.user.0).map(|a| a.display_name);
                }
                Err(e) => {
                    tracing::error!(error = %e, "typing name");
                    return;
                }
            }
        }
        let audience: Vec<UserId> = members.into_iter().filter(|u| *u != self.user).collect();
        state.hub.publish(
            Audience::Users(audience),
            LiveEvent::Typing {
                conversation_id: conversation,
                user_id: self.user,
                display_name: self.display_name.clone().unwrap_or_default(),
            },
        );
    }
}

async fn send_event<S>(sink: &mut S, id: Option<EventId>, event: LiveEvent) -> Result<(), ()>
where
    S: futures::Sink<Message> + Unpin,
{
    let text = serde_json::to_string(&LiveEnvelope {
        v: PROTOCOL_VERSION,
        id,
        event,
    })
    .map_err(|e| {
        tracing::error!(error = %e, "serializing a live event");
    })?;
    send_text(sink, &text).await
}

async fn send_text<S>(sink: &mut S, text: &str) -> Result<(), ()>
where
    S: futures::Sink<Message> + Unpin,
{
    match tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Text(text.into()))).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}
