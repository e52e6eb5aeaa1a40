//! The top bar's unread badges and friends' presence, kept current by live
//! events. The badge counts come from the server (a page loaded later
//! shows the same numbers); events only say when to refetch.

use crate::contexts::auth_context::use_auth;
use crate::contexts::live_context::use_live;
use crate::error::AppError;
use crate::events::LiveEvent;
use crate::ids::UserId;
use crate::models::{Presence, UnreadCounts};
use crate::server_fns::chat::get_unread_counts;
use leptos::prelude::*;
use std::collections::HashMap;

/// Provided by [`provide_chat_context`]; read with [`use_chat`].
#[derive(Clone, Copy)]
pub struct ChatContext {
    /// Unread messages and notifications.
    pub counts: Resource<Result<UnreadCounts, AppError>>,
    /// Presence of friends who show it, by user (browser only; empty on
    /// the server).
    pub presence: RwSignal<HashMap<UserId, Presence>>,
    changes: RwSignal<u64>,
}

impl ChatContext {
    /// Refetches the badge counts.
    pub fn refresh_counts(&self) {
        self.changes.update(|n| *n += 1);
    }
}

/// Creates the context: the counts resource, and in the browser the
/// presence map and the live subscriptions that keep both current.
pub fn provide_chat_context() {
    let changes = RwSignal::new(0_u64);
    let counts = Resource::new(move || changes.get(), |_| get_unread_counts());
    let chat = ChatContext {
        counts,
        presence: RwSignal::new(HashMap::new()),
        changes,
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
    // Load presence when signed in, and again after every reconnect (the
    // changes missed meanwhile were ephemeral).
    Effect::new(move |_| {
        let signed_in = matches!(auth.user.get(), Some(Ok(Some(_))));
        let reconnects = live.reconnects.get();
        if !signed_in {
            return;
        }
        if reconnects > 0 {
            chat.refresh_counts();
        }
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
