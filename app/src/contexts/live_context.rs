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

use crate::events::{ClientFrame, LiveEvent};
use leptos::prelude::*;

/// Events kept for late subscribers (components mounted after an event
/// arrived only see newer ones).
const LOG_LEN: usize = 200;

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
    };
    provide_context(live);
    #[cfg(feature = "hydrate")]
    browser::run(live);
}

/// The [`LiveContext`]; panics outside [`crate::App`].
pub fn use_live() -> LiveContext {
    expect_context::<LiveContext>()
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::LiveContext;
    use crate::contexts::auth_context::{AuthContext, use_auth};
    use crate::events::{ClientFrame, LiveEnvelope, LiveEvent, PROTOCOL_VERSION};
    use leptos::prelude::*;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    /// Close code of "your session ended" (`app::revocation` on the server).
    const SIGNED_OUT_CLOSE_CODE: u16 = 4401;

    /// Socket state shared by the callbacks of one tab.
    #[derive(Default)]
    struct Conn {
        socket: RefCell<Option<WebSocket>>,
        /// Whether a user is signed in (we should be connected).
        wanted: Cell<bool>,
        attempt: Cell<u32>,
        /// Bumped on every open; stale callbacks compare and bail.
        generation: Cell<u32>,
        /// Highest durable event id seen (resume point).
        last_id: Cell<i64>,
        /// Whether a socket of this tab ever opened (the next open is a
        /// reconnect).
        opened_before: Cell<bool>,
    }

    thread_local! {
        static OPEN: RefCell<Option<WebSocket>> = const { RefCell::new(None) };
    }

    pub(super) fn send(frame: &ClientFrame) {
        let Ok(text) = serde_json::to_string(frame) else {
            return;
        };
        OPEN.with(|open| {
            if let Some(ws) = open.borrow().as_ref()
                && ws.ready_state() == WebSocket::OPEN
            {
                let _ = ws.send_with_str(&text);
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
        if let Some(ws) = conn.socket.borrow_mut().take() {
            let _ = ws.close();
        }
        OPEN.with(|open| open.borrow_mut().take());
        live.connected.set(false);
    }

    fn open(conn: &Rc<Conn>, live: LiveContext, auth: AuthContext) {
        let Some(url) = url(conn.last_id.get()) else {
            return;
        };
        let Ok(ws) = WebSocket::new(&url) else {
            schedule_reconnect(conn, live, auth);
            return;
        };
        let generation = conn.generation.get() + 1;
        conn.generation.set(generation);

        let c = Rc::clone(conn);
        let on_open = Closure::<dyn FnMut()>::new(move || {
            if c.generation.get() == generation {
                c.attempt.set(0);
                live.connected.set(true);
                if c.opened_before.replace(true) {
                    live.reconnects.update(|n| *n += 1);
                }
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();

        let c = Rc::clone(conn);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if c.generation.get() != generation {
                return;
            }
            let Some(text) = e.data().as_string() else {
                return;
            };
            match serde_json::from_str::<LiveEnvelope>(&text) {
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
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();

        let c = Rc::clone(conn);
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            if c.generation.get() != generation {
                return;
            }
            c.socket.borrow_mut().take();
            OPEN.with(|open| open.borrow_mut().take());
            live.connected.set(false);
            if e.code() == SIGNED_OUT_CLOSE_CODE {
                // The session ended: no reconnecting. Refetching the user
                // shows the page signed out; should it still be signed
                // in, the auth effect in `run` opens a new socket.
                c.wanted.set(false);
                auth.refresh();
            } else {
                schedule_reconnect(&c, live, auth);
            }
        });
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_close.forget();

        OPEN.with(|open| *open.borrow_mut() = Some(ws.clone()));
        *conn.socket.borrow_mut() = Some(ws);
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
