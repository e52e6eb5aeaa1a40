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
//! buffered without bound; browsers reconnect and replay.
//!
//! Limits: a user may have [`app::hub::MAX_CONNECTIONS_PER_USER`] sockets
//! open and a client address [`app::hub::MAX_CONNECTIONS_PER_ADDRESS`];
//! further upgrades are refused with `429`. The browser may send
//! `ClientFrame`s (typing signals, the posts on screen) of at most
//! [`MAX_INCOMING_BYTES`] each; a longer frame is refused from its header,
//! before its payload is read, and the socket closes with 1009. Frames are
//! rate-limited per socket ([`app::hub::ClientFrameLimiter`]): frames over
//! the rate are ignored, and a client that keeps flooding is closed with
//! 1008.
//!
//! Typing signals reach the conversation's other members only when the
//! sender is a member and may send there (not in a one-to-one chat after a
//! block or unfriending: the rule of sending a message). Each socket
//! remembers at most [`TYPING_CONVERSATIONS`] answers.
//!
//! When the socket's session ends (log-out, "End session", "Log out
//! everywhere else", a password change or reset), the socket closes at once
//! with close code [`SIGNED_OUT_CLOSE_CODE`]; the browser then shows itself
//! signed out instead of reconnecting.

use crate::origin::is_cross_site;
use app::error::AppError;
use app::events::{ClientFrame, LiveEnvelope, LiveEvent, PROTOCOL_VERSION};
use app::hub::{Audience, ClientFrameLimiter, Connection, FrameVerdict};
use app::ids::{ConversationId, EventId, UserId};
use app::models::ConversationKind;
use app::revocation::{Revoked, SIGNED_OUT_CLOSE_CODE};
use app::services::live_log;
use app::state::AppState;
use axum::Extension;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
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
/// Largest frame (and message) accepted from a browser; a longer one
/// closes the socket with 1009 as soon as its header arrives.
pub const MAX_INCOMING_BYTES: usize = 4 * 1024;
/// Capacity of each socket's read buffer (tungstenite allocates it up
/// front; its default, 128 KiB, was most of a socket's memory: 143 KiB per
/// socket in `live-bench`). Twice the largest frame a browser may send, so
/// one read still takes a whole frame.
pub const READ_BUFFER_BYTES: usize = 2 * MAX_INCOMING_BYTES;
/// How long a socket closed for flooding still reads (and discards) what
/// its client sends, waiting for the client's close frame.
pub const DRAIN_FOR: Duration = Duration::from_secs(1);
/// Close code for a client breaking the rules (flooding frames).
pub const POLICY_CLOSE_CODE: u16 = 1008;
/// Close code sent to every socket when the server shuts down gracefully
/// ("service restart", RFC 6455 §7.4.1 as registered with IANA).
pub const RESTART_CLOSE_CODE: u16 = 1012;
/// Close code for a frame over [`MAX_INCOMING_BYTES`].
pub const TOO_BIG_CLOSE_CODE: u16 = 1009;
/// Conversations one socket remembers for typing (whether the user is a
/// member, when it last relayed); past this the least recently used answer
/// is forgotten.
pub const TYPING_CONVERSATIONS: usize = 32;
/// How long a socket trusts "not a member" for a conversation before
/// asking again (the user may have joined since).
pub const NOT_MEMBER_TTL: Duration = Duration::from_secs(30);
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
/// site's page, `401` when signed out, `429` when the user or the client
/// address has too many sockets open (see [`app::hub::Refused`]). The
/// socket closes with [`SIGNED_OUT_CLOSE_CODE`] once its session ends.
pub async fn ws_handler(
    State(state): State<LiveState>,
    Query(resume): Query<ResumeQuery>,
    session: Session,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    ws: WebSocketUpgrade,
) -> Response {
    if is_cross_site(&headers, state.allowed_origin.as_deref()) {
        return StatusCode::FORBIDDEN.into_response();
    }
    if state.app.shutdown.is_triggered() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
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
    // Register before upgrading, so a refusal is a plain `429`; if the
    // upgrade fails, dropping the closure unregisters the connection.
    let peer = peer.map(|Extension(ConnectInfo(addr))| addr.ip());
    let conn = match state.app.hub.try_connect(user, peer) {
        Ok(conn) => conn,
        Err(refused) => {
            tracing::info!(user = %user, ?peer, %refused, "refusing a live socket");
            return (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many open live connections.",
            )
                .into_response();
        }
    };
    ws.max_message_size(MAX_INCOMING_BYTES)
        .max_frame_size(MAX_INCOMING_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .on_upgrade(move |socket| async move {
            serve_socket(socket, &state.app, conn, auth, after).await;
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
                    if *revoked == Revoked::Recheck {
                        self.recheck = true;
                    } else if revoked.covers(Some(&self.session_id), self.user) {
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
    // Registered before the replay: events published meanwhile are queued.
    mut conn: Connection,
    mut auth: SocketAuth,
    after: Option<EventId>,
) {
    let user = auth.user;
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
                metrics::counter!("hearth_live_replayed_events_total")
                    .increment(events.len() as u64);
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
    let mut limiter = ClientFrameLimiter::new();
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
                None | Some(Ok(Message::Close(_))) => break,
                Some(Err(e)) => {
                    // tungstenite refuses a frame over the limit from its
                    // header ("Space limit exceeded: ..."), unread.
                    if e.to_string().contains("Space limit exceeded") {
                        tracing::info!(user = %user, "closing a socket that sent too big a frame");
                        close(&mut sink, TOO_BIG_CLOSE_CODE, "frame too big").await;
                    }
                    break;
                }
                Some(Ok(Message::Pong(_))) => {}
                Some(Ok(message)) => match limiter.check() {
                    FrameVerdict::Handle => {
                        if let Message::Text(text) = message {
                            handle_client_frame(state, &conn, &mut typing, &text).await;
                        }
                    }
                    FrameVerdict::Drop => {}
                    FrameVerdict::Close => {
                        tracing::info!(user = %user, "closing a socket flooding frames");
                        close(&mut sink, POLICY_CLOSE_CODE, "too many frames").await;
                        drain(&mut incoming).await;
                        break;
                    }
                },
            },
            () = state.shutdown.wait() => {
                // Graceful shutdown: the browser reconnects (through the
                // proxy, to another instance) and replays what it missed.
                close(&mut sink, RESTART_CLOSE_CODE, "service restart").await;
                break;
            }
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

/// Acts on one frame from the browser (unknown or malformed ones are
/// ignored).
async fn handle_client_frame(state: &AppState, conn: &Connection, typing: &mut Typing, text: &str) {
    match serde_json::from_str::<ClientFrame>(text) {
        Ok(ClientFrame::Typing { conversation_id }) => typing.relay(state, conversation_id).await,
        Ok(ClientFrame::Watch { post_ids }) => conn.watch(&post_ids),
        Ok(_) | Err(_) => {}
    }
}

/// Sends a close frame (best effort: the socket is dropped next anyway).
async fn close<S>(sink: &mut S, code: u16, reason: &'static str)
where
    S: futures::Sink<Message> + Unpin,
{
    let _ = tokio::time::timeout(
        SEND_TIMEOUT,
        sink.send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }))),
    )
    .await;
}

/// Discards what the client still sends, for at most [`DRAIN_FOR`], until
/// it answers the close frame: closing a TCP socket with unread data
/// resets it, which could lose the close frame on the way.
async fn drain<S>(incoming: &mut S)
where
    S: futures::Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let _ = tokio::time::timeout(DRAIN_FOR, async {
        while let Some(Ok(message)) = incoming.next().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

/// What a socket knows of a conversation it sent typing signals for.
#[derive(Debug, Clone, Copy)]
struct Known {
    /// Its kind, if the user is a member; `None` if not.
    kind: Option<ConversationKind>,
    /// When that was found out.
    checked: Instant,
    /// When a signal was last relayed there.
    relayed: Option<Instant>,
    /// Last use (evicts the least recently used).
    used: Instant,
}

/// Relays one socket's typing signals to the other members.
struct Typing {
    user: UserId,
    display_name: Option<String>,
    /// At most [`TYPING_CONVERSATIONS`] entries.
    known: HashMap<ConversationId, Known>,
}

impl Typing {
    fn new(user: UserId) -> Self {
        Self {
            user,
            display_name: None,
            known: HashMap::new(),
        }
    }

    /// Remembers what was found out about `conversation`, forgetting the
    /// least recently used answer when full.
    fn remember(
        &mut self,
        conversation: ConversationId,
        kind: Option<ConversationKind>,
        now: Instant,
    ) {
        let relayed = self.known.get(&conversation).and_then(|k| k.relayed);
        if !self.known.contains_key(&conversation)
            && self.known.len() >= TYPING_CONVERSATIONS
            && let Some(oldest) = self
                .known
                .iter()
                .min_by_key(|(_, k)| k.used)
                .map(|(c, _)| *c)
        {
            self.known.remove(&oldest);
        }
        self.known.insert(
            conversation,
            Known {
                kind,
                checked: now,
                relayed,
                used: now,
            },
        );
    }

    /// Who should see `self.user` typing in `conversation` (the other
    /// members), or `None` when the user isn't a member; empty when they
    /// may not send there.
    async fn audience(
        &mut self,
        state: &AppState,
        conversation: ConversationId,
        known: Option<ConversationKind>,
    ) -> Result<Option<(ConversationKind, Vec<UserId>)>, AppError> {
        if let Some(kind @ (ConversationKind::Group | ConversationKind::Room)) = known {
            // Groups and rooms: anyone may send who is a member.
            let members = live_log::member_ids(&state.db, conversation).await?;
            return Ok(members.contains(&self.user).then_some((kind, members)));
        }
        // One-to-one chats (or not known yet): the rule of sending a
        // message, which refuses after a block or unfriending.
        let detail = match app::services::chat::conversation_detail(
            &state.db,
            self.user,
            conversation,
        )
        .await
        {
            Ok(detail) => detail,
            Err(AppError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        if self.display_name.is_none() {
            self.display_name = detail
                .members
                .iter()
                .find(|m| m.person.id == self.user)
                .map(|m| m.person.display_name.clone());
        }
        let members = if detail.cannot_send.is_some() {
            Vec::new()
        } else {
            detail.members.iter().map(|m| m.person.id).collect()
        };
        Ok(Some((detail.kind, members)))
    }

    async fn relay(&mut self, state: &AppState, conversation: ConversationId) {
        let now = Instant::now();
        let known = self.known.get(&conversation).copied();
        if let Some(known) = known {
            let refused =
                known.kind.is_none() && now.duration_since(known.checked) < NOT_MEMBER_TTL;
            let too_soon = known
                .relayed
                .is_some_and(|t| now.duration_since(t) < TYPING_MIN_INTERVAL);
            if refused || too_soon {
                return;
            }
        }
        let members = match self
            .audience(state, conversation, known.and_then(|k| k.kind))
            .await
        {
            Ok(Some((kind, members))) => {
                self.remember(conversation, Some(kind), now);
                members
            }
            Ok(None) => {
                self.remember(conversation, None, now);
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, "typing audience");
                return;
            }
        };
        if let Some(known) = self.known.get_mut(&conversation) {
            known.relayed = Some(now);
        }
        if members.is_empty() {
            return;
        }
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
