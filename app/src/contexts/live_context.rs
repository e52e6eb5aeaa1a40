//! The live connection: one WebSocket per tab to `/ws`, opened once a user
//! is signed in, reconnecting with exponential backoff (0.5 s doubling to
//! 30 s, with jitter). Received events go into a short log that components
//! watch with [`LiveContext::on_event`]. On the server this is inert.
//!
//! Resuming: the tab remembers the highest durable event id it has seen
//! (starting from the `live_cursor` of the page it loaded) and reconnects
//! with `/ws?after={id}`; the server replays what was missed. Durable
//! events at or below that id are dropped, so none is applied twice.
//! Ephemeral state (read positions, presence) is refetched by components
//! when [`LiveContext::reconnects`] changes.
//!
//! When the server closes the socket with close code 4401 (the session
//! ended: logged out here or from another browser, a password change), the
//! tab doesn't reconnect: it refetches the signed-in user, so the page
//! shows itself signed out (and reconnects only if still signed in).
//!
//! Posts on screen: post cards register their posts with
//! [`LiveContext::watch_post`] while mounted; the tab reports the set to
//! the server ([`ClientFrame::Watch`]) shortly after it changes (batched
//! over [`WATCH_DEBOUNCE`]) and again on every (re)connect, so edits,
//! reactions and comments of exactly those posts arrive. Cards refetch
//! through a [`Throttle`], at most once per [`REFETCH_GAP`] per post.

use crate::events::{ClientFrame, LiveEvent, MAX_WATCHED_POSTS};
use crate::ids::PostId;
use leptos::prelude::*;
use std::collections::HashMap;
use std::time::Duration;

/// Events kept for late subscribers (components mounted after an event
/// arrived only see newer ones).
const LOG_LEN: usize = 200;

/// How long the tab waits after the posts on screen changed before
/// reporting them, so a page of cards mounting is one report.
pub const WATCH_DEBOUNCE: Duration = Duration::from_millis(50);

/// Least time between two refetches of one post card caused by live
/// events (see [`Throttle`]).
pub const REFETCH_GAP: Duration = Duration::from_millis(500);

/// The posts mounted cards show, and what the server was last told.
/// (Only the browser keeps it.)
#[derive(Debug, Default)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct Watched {
    /// Post id → (cards showing it, when last registered: a sequence).
    posts: HashMap<PostId, (u32, u64)>,
    next: u64,
    /// A report is scheduled.
    scheduled: bool,
    /// The ids last sent on this socket.
    sent: Vec<PostId>,
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
impl Watched {
    /// The ids to report: at most [`MAX_WATCHED_POSTS`], the most recently
    /// shown ones, sorted.
    fn ids(&self) -> Vec<PostId> {
        let mut by_recency: Vec<(u64, PostId)> = self
            .posts
            .iter()
            .map(|(id, (_, seq))| (*seq, *id))
            .collect();
        by_recency.sort_unstable_by_key(|(seq, _)| std::cmp::Reverse(*seq));
        let mut ids: Vec<PostId> = by_recency
            .into_iter()
            .take(MAX_WATCHED_POSTS)
            .map(|(_, id)| id)
            .collect();
        ids.sort_unstable_by_key(|id| id.0);
        ids
    }

    fn add(&mut self, post: PostId) {
        self.next += 1;
        let seq = self.next;
        let entry = self.posts.entry(post).or_insert((0, seq));
        entry.0 += 1;
        entry.1 = seq;
    }

    fn remove(&mut self, post: PostId) {
        if let Some(entry) = self.posts.get_mut(&post) {
            entry.0 = entry.0.saturating_sub(1);
            if entry.0 == 0 {
                self.posts.remove(&post);
            }
        }
    }
}

/// Provided by [`provide_live_context`]; read with [`use_live`].
#[derive(Clone, Copy)]
pub struct LiveContext {
    /// Recent events, oldest first, each with a local sequence number.
    pub log: RwSignal<Vec<(u64, LiveEvent)>>,
    /// Whether the socket is open.
    pub connected: RwSignal<bool>,
    /// Bumped each time the socket reopens after a drop: refetch state
    /// that only ephemeral events keep current.
    pub reconnects: RwSignal<u32>,
    /// Posts on screen (see [`LiveContext::watch_post`]).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    watched: StoredValue<Watched>,
}

impl LiveContext {
    /// Appends an event to the log (browser side).
    pub fn push(&self, event: LiveEvent) {
        self.log.update(|log| {
            let next = log.last().map_or(1, |(n, _)| n + 1);
            log.push((next, event));
            if log.len() > LOG_LEN {
                let extra = log.len() - LOG_LEN;
                log.drain(..extra);
            }
        });
    }

    /// Sends `frame` if the socket is open (dropped otherwise: frames are
    /// hints such as typing signals). Browser only; a no-op on the server.
    pub fn send(&self, frame: &ClientFrame) {
        #[cfg(feature = "hydrate")]
        browser::send(frame);
        #[cfg(not(feature = "hydrate"))]
        let _ = frame;
    }

    /// Reports `post` as on screen while the calling component is mounted:
    /// post-scoped events about it (edits, deletion, reactions, comments)
    /// reach this tab only then. Browser only; a no-op on the server.
    pub fn watch_post(&self, post: PostId) {
        #[cfg(feature = "hydrate")]
        {
            let live = *self;
            self.watched.update_value(|w| w.add(post));
            live.schedule_watch();
            on_cleanup(move || {
                if live.watched.try_update_value(|w| w.remove(post)).is_some() {
                    live.schedule_watch();
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = post;
    }

    /// Reports the posts on screen after [`WATCH_DEBOUNCE`], if they
    /// changed since the last report.
    #[cfg(feature = "hydrate")]
    fn schedule_watch(self) {
        let already = self.watched.with_value(|w| w.scheduled);
        if already {
            return;
        }
        self.watched.update_value(|w| w.scheduled = true);
        set_timeout(
            move || {
                let ids = self.watched.try_update_value(|w| {
                    w.scheduled = false;
                    let ids = w.ids();
                    (ids != w.sent).then(|| {
                        w.sent.clone_from(&ids);
                        ids
                    })
                });
                if let Some(Some(post_ids)) = ids {
                    self.send(&ClientFrame::Watch { post_ids });
                }
            },
            WATCH_DEBOUNCE,
        );
    }

    /// Reports the posts on screen now (a new socket watches nothing).
    #[cfg(feature = "hydrate")]
    fn send_watch_now(self) {
        let ids = self.watched.try_update_value(|w| {
            w.sent = w.ids();
            w.sent.clone()
        });
        if let Some(post_ids) = ids {
            self.send(&ClientFrame::Watch { post_ids });
        }
    }

    /// Runs `f` for every event that arrives from now on, in order, while
    /// the calling component is mounted. Browser only.
    pub fn on_event(&self, f: impl Fn(&LiveEvent) + 'static) {
        let log = self.log;
        let last_seen = StoredValue::new(log.with_untracked(|l| l.last().map_or(0, |(n, _)| *n)));
        Effect::new(move |_| {
            log.with(|events| {
                for (n, event) in events.iter().filter(|(n, _)| *n > last_seen.get_value()) {
                    f(event);
                    last_seen.set_value(*n);
                }
            });
        });
    }
}

/// Creates the context and, in the browser, opens the socket whenever a
/// user is signed in.
pub fn provide_live_context() {
    let live = LiveContext {
        log: RwSignal::new(Vec::new()),
        connected: RwSignal::new(false),
        reconnects: RwSignal::new(0),
        watched: StoredValue::new(Watched::default()),
    };
    provide_context(live);
    #[cfg(feature = "hydrate")]
    browser::run(live);
}

/// The [`LiveContext`]; panics outside [`crate::App`].
pub fn use_live() -> LiveContext {
    expect_context::<LiveContext>()
}

/// Spaces out the refetches live events cause for one post card: the first
/// runs at once; calls within [`REFETCH_GAP`] of the last run fold into one
/// more run at the end of the gap (which does whatever the latest call
/// asks). So a burst of reactions costs a card at most two refetches per
/// gap. Create it in the card's component (it lives as long as the card).
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct Throttle {
    /// When it last ran (ms since epoch), and whether a run is scheduled.
    state: StoredValue<(f64, bool)>,
}

impl Throttle {
    /// A throttle that hasn't run yet.
    pub fn new() -> Self {
        Self {
            state: StoredValue::new((f64::NEG_INFINITY, false)),
        }
    }

    /// Runs `f` now, or once at the end of the current gap. On the server
    /// it just runs `f`.
    pub fn run(self, f: impl Fn() + 'static) {
        #[cfg(feature = "hydrate")]
        {
            let now = js_sys::Date::now();
            let Some((last, scheduled)) = self.state.try_get_value() else {
                return;
            };
            if scheduled {
                return;
            }
            let gap = REFETCH_GAP.as_secs_f64() * 1000.0;
            if now - last >= gap {
                self.state.set_value((now, false));
                f();
                return;
            }
            self.state.set_value((last, true));
            let wait = Duration::from_secs_f64(((last + gap - now) / 1000.0).max(0.0));
            set_timeout(
                move || {
                    // Gone with its card: nothing to refresh.
                    if self
                        .state
                        .try_set_value((js_sys::Date::now(), false))
                        .is_none()
                    {
                        f();
                    }
                },
                wait,
            );
        }
        #[cfg(not(feature = "hydrate"))]
        f();
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::LiveContext;
    use crate::contexts::auth_context::{AuthContext, use_auth};
    use crate::events::{ClientFrame, LiveEnvelope, LiveEvent, PROTOCOL_VERSION};
    use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
    use futures::future::{Either, poll_fn, select};
    use futures::{Sink, SinkExt, Stream, StreamExt};
    use gloo_net::websocket::futures::WebSocket;
    use gloo_net::websocket::{Message, State, WebSocketError};
    use leptos::prelude::*;
    use leptos::task::spawn_local;
    use std::cell::{Cell, RefCell};
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::Poll;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    /// Close code of "your session ended" (`app::revocation` on the server).
    const SIGNED_OUT_CLOSE_CODE: u16 = 4401;
    /// Close code of a normal closure (RFC 6455 §7.4.1): this tab closed it.
    const NORMAL_CLOSE_CODE: u16 = 1000;
    /// Close code for a connection that ended without a close frame
    /// (RFC 6455 §7.4.1): a failed handshake or a cut connection. Also
    /// used when the socket's stream just ends.
    const ABNORMAL_CLOSE_CODE: u16 = 1006;

    /// Socket state shared by the callbacks of one tab.
    #[derive(Default)]
    struct Conn {
        /// The way to the open (or opening) socket's task: text frames to
        /// send. Dropping every sender ends the task, which closes the
        /// socket.
        socket: RefCell<Option<UnboundedSender<String>>>,
        /// Whether a user is signed in (we should be connected).
        wanted: Cell<bool>,
        attempt: Cell<u32>,
        /// Bumped on every open; stale tasks compare and bail.
        generation: Cell<u32>,
        /// Highest durable event id seen (resume point).
        last_id: Cell<i64>,
        /// Whether a socket of this tab ever opened (the next open is a
        /// reconnect).
        opened_before: Cell<bool>,
    }

    thread_local! {
        /// The sender of the socket that is open now, for [`send`].
        static OPEN: RefCell<Option<UnboundedSender<String>>> = const { RefCell::new(None) };
    }

    /// Sends `frame` on the open socket; dropped while none is open (the
    /// frames are hints the next open repeats: watches, typing).
    pub(super) fn send(frame: &ClientFrame) {
        let Ok(text) = serde_json::to_string(frame) else {
            return;
        };
        OPEN.with(|open| {
            if let Some(tx) = open.borrow().as_ref() {
                let _ = tx.unbounded_send(text);
            }
        });
    }

    pub(super) fn run(live: LiveContext) {
        let auth = use_auth();
        let conn = Rc::new(Conn::default());
        // Lets end-to-end tests wait until the page is interactive (effects
        // run once hydration has attached the event handlers).
        Effect::new(move |_| {
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        });
        let c = Rc::clone(&conn);
        Effect::new(move |_| {
            let user = auth.user.get();
            if let Some(Ok(Some(me))) = &user
                && c.last_id.get() == 0
            {
                c.last_id.set(me.live_cursor.0);
            }
            let signed_in = matches!(user, Some(Ok(Some(_))));
            c.wanted.set(signed_in);
            if signed_in {
                if c.socket.borrow().is_none() {
                    open(&c, live, auth);
                }
            } else {
                close(&c, live);
            }
        });
        Effect::new(move |_| {
            let state = if live.connected.get() {
                "connected"
            } else {
                "disconnected"
            };
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-live", state);
            }
        });
    }

    fn url(after: i64) -> Option<String> {
        let loc = window().location();
        let scheme = if loc.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        Some(format!("{scheme}://{}/ws?after={after}", loc.host().ok()?))
    }

    fn close(conn: &Rc<Conn>, live: LiveContext) {
        conn.generation.set(conn.generation.get() + 1);
        // Without senders the socket's task ends and drops (closes) it.
        conn.socket.borrow_mut().take();
        OPEN.with(|open| open.borrow_mut().take());
        live.connected.set(false);
    }

    fn open(conn: &Rc<Conn>, live: LiveContext, auth: AuthContext) {
        let Some(url) = url(conn.last_id.get()) else {
            return;
        };
        let Ok(ws) = WebSocket::open(&url) else {
            schedule_reconnect(conn, live, auth);
            return;
        };
        let generation = conn.generation.get() + 1;
        conn.generation.set(generation);
        let (tx, rx) = unbounded::<String>();
        *conn.socket.borrow_mut() = Some(tx);
        let c = Rc::clone(conn);
        spawn_local(async move {
            let code = serve(ws, rx, &c, generation, live).await;
            if c.generation.get() != generation {
                return;
            }
            // A close code other than 1006 means a closing handshake, so
            // the socket had opened, even when it closed before this task
            // saw it open (a busy tab): the backoff starts over, as after
            // any open.
            if code != ABNORMAL_CLOSE_CODE {
                c.attempt.set(0);
            }
            c.socket.borrow_mut().take();
            OPEN.with(|open| open.borrow_mut().take());
            live.connected.set(false);
            if code == SIGNED_OUT_CLOSE_CODE {
                // The session ended: no reconnecting. Refetching the user
                // shows the page signed out; should it still be signed
                // in, the auth effect in `run` opens a new socket.
                c.wanted.set(false);
                auth.refresh();
            } else {
                schedule_reconnect(&c, live, auth);
            }
        });
    }

    /// Runs one socket: waits for it to open, then sends what comes
    /// through `rx` and hands what arrives to `live`, until the server
    /// closes it (returns its close code) or this tab drops every sender
    /// (returns [`NORMAL_CLOSE_CODE`]; the socket closes as it is dropped).
    async fn serve(
        mut ws: WebSocket,
        mut rx: UnboundedReceiver<String>,
        c: &Conn,
        generation: u32,
        live: LiveContext,
    ) -> u16 {
        // Until the socket leaves "connecting": the sink is ready once it
        // opened (or failed, which wakes it too), but a socket closed
        // while connecting only says so on the stream, so watch both.
        let closed_early = poll_fn(|cx| {
            // This tab closed it meanwhile (nothing is sent before open).
            if let Poll::Ready(None) = rx.poll_next_unpin(cx) {
                return Poll::Ready(Some(NORMAL_CLOSE_CODE));
            }
            if Pin::new(&mut ws).poll_ready(cx).is_ready() {
                return Poll::Ready(None);
            }
            match Pin::new(&mut ws).poll_next(cx) {
                Poll::Ready(Some(Err(WebSocketError::ConnectionClose(e)))) => {
                    Poll::Ready(Some(e.code))
                }
                Poll::Ready(None) => Poll::Ready(Some(ABNORMAL_CLOSE_CODE)),
                // An error event (the close event follows) or, impossibly,
                // a message: look again.
                Poll::Ready(Some(_)) => {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                Poll::Pending => Poll::Pending,
            }
        })
        .await;
        if let Some(code) = closed_early {
            return code;
        }
        if c.generation.get() != generation {
            return NORMAL_CLOSE_CODE;
        }
        if matches!(ws.state(), State::Open) {
            // This socket's sender (the generation matches).
            let tx = c.socket.borrow().clone();
            OPEN.with(|open| *open.borrow_mut() = tx);
            // Before announcing "connected": post events for what's on
            // screen flow from here on.
            live.send_watch_now();
            c.attempt.set(0);
            live.connected.set(true);
            if c.opened_before.replace(true) {
                live.reconnects.update(|n| *n += 1);
            }
        }
        loop {
            // Owned results, so the two `next` futures (and their borrows
            // of `ws`) are gone before we send.
            let event = match select(rx.next(), ws.next()).await {
                Either::Left((outgoing, _)) => Either::Left(outgoing),
                Either::Right((incoming, _)) => Either::Right(incoming),
            };
            match event {
                Either::Left(Some(text)) => {
                    // A failed send shows up as the close that follows.
                    let _ = ws.send(Message::Text(text)).await;
                }
                Either::Left(None) => return NORMAL_CLOSE_CODE,
                Either::Right(Some(Ok(Message::Text(text)))) => {
                    if c.generation.get() == generation {
                        receive(c, live, &text);
                    }
                }
                Either::Right(Some(Ok(Message::Bytes(_)))) => {}
                Either::Right(Some(Err(WebSocketError::ConnectionClose(e)))) => return e.code,
                // An error event comes before the close event.
                Either::Right(Some(Err(_))) => {}
                Either::Right(None) => return ABNORMAL_CLOSE_CODE,
            }
        }
    }

    /// One text frame from the server: a [`LiveEnvelope`], applied once.
    fn receive(c: &Conn, live: LiveContext, text: &str) {
        match serde_json::from_str::<LiveEnvelope>(text) {
            Ok(env) if env.v == PROTOCOL_VERSION => {
                if let Some(id) = env.id {
                    if id.0 <= c.last_id.get() {
                        return;
                    }
                    c.last_id.set(id.0);
                }
                if let LiveEvent::Resync { latest } = &env.event {
                    c.last_id.set(latest.0);
                }
                live.push(env.event);
            }
            // Unknown versions and kinds are ignored: a newer server may
            // send events this build doesn't know yet.
            _ => {}
        }
    }

    fn schedule_reconnect(conn: &Rc<Conn>, live: LiveContext, auth: AuthContext) {
        if !conn.wanted.get() {
            return;
        }
        let attempt = conn.attempt.get();
        conn.attempt.set(attempt.saturating_add(1));
        let base = 500.0 * 2f64.powi(attempt.min(6) as i32);
        let delay = base.min(30_000.0) * (0.75 + 0.5 * js_sys::Math::random());
        let c = Rc::clone(conn);
        let retry = Closure::once_into_js(move || {
            if c.wanted.get() && c.socket.borrow().is_none() {
                open(&c, live, auth);
            }
        });
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
            retry.unchecked_ref(),
            delay as i32,
        );
    }
}
