//! The top bar's unread badges and friends' presence, kept current by live
//! events. Both are fetched in the browser once it has hydrated (so the
//! server-rendered HTML and the hydrating page agree) and refetched when an
//! event says they changed: the server stays the source of truth, and a
//! page loaded later shows the same numbers.

use crate::contexts::auth_context::use_auth;
use crate::contexts::live_context::use_live;
use crate::events::LiveEvent;
use crate::ids::UserId;
use crate::models::{Presence, UnreadCounts};
use crate::server_fns::chat::get_unread_counts;
use leptos::prelude::*;
use std::collections::HashMap;

/// Provided by [`provide_chat_context`]; read with [`use_chat`].
#[derive(Clone, Copy)]
pub struct ChatContext {
    /// Unread messages and notifications (zero until fetched).
    pub counts: RwSignal<UnreadCounts>,
    /// Presence of friends who show it, by user (browser only; empty on
    /// the server).
    pub presence: RwSignal<HashMap<UserId, Presence>>,
    /// Bumped per counts request; only the latest answer is kept.
    requests: StoredValue<u64>,
}

impl ChatContext {
    /// Refetches the badge counts (browser only).
    pub fn refresh_counts(&self) {
        let (counts, requests) = (self.counts, self.requests);
        requests.update_value(|n| *n += 1);
        let this_request = requests.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(c) = get_unread_counts().await
                && requests.get_value() == this_request
            {
                counts.set(c);
            }
        });
    }
}

/// Creates the context: the counts resource, and in the browser the
/// presence map and the live subscriptions that keep both current.
pub fn provide_chat_context() {
    let chat = ChatContext {
        counts: RwSignal::new(UnreadCounts::default()),
        presence: RwSignal::new(HashMap::new()),
        requests: StoredValue::new(0),
    };
    provide_context(chat);
    let auth = use_auth();
    let live = use_live();
    let me = move || match auth.user.get_untracked() {
        Some(Ok(Some(me))) => Some(me.id),
        _ => None,
    };
    live.on_event(move |event| match event {
        LiveEvent::MessageCreated { message } if Some(message.sender.id) != me() => {
            chat.refresh_counts();
        }
        LiveEvent::ConversationRead { user_id, .. } if Some(*user_id) == me() => {
            chat.refresh_counts();
        }
        LiveEvent::MessageUpdated { .. }
        | LiveEvent::NotificationsChanged
        | LiveEvent::MembershipChanged { .. }
        | LiveEvent::Resync { .. } => chat.refresh_counts(),
        LiveEvent::PresenceChanged {
            user_id,
            online,
            last_seen_ms,
        } => chat.presence.update(|map| {
            map.insert(
                *user_id,
                Presence {
                    online: *online,
                    last_seen_ms: *last_seen_ms,
                },
            );
        }),
        _ => {}
    });
    // Load both when signed in, and again after every reconnect (presence
    // changes missed meanwhile were ephemeral).
    Effect::new(move |_| {
        let signed_in = matches!(auth.user.get(), Some(Ok(Some(_))));
        live.reconnects.track();
        if !signed_in {
            chat.counts.set(UnreadCounts::default());
            return;
        }
        chat.refresh_counts();
        leptos::task::spawn_local(async move {
            if let Ok(list) = crate::server_fns::chat::get_friends_presence().await {
                chat.presence
                    .set(list.into_iter().map(|f| (f.user_id, f.presence)).collect());
            }
        });
    });
}

/// The [`ChatContext`]; panics outside [`crate::App`].
pub fn use_chat() -> ChatContext {
    expect_context::<ChatContext>()
}
