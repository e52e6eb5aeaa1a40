use super::PresenceLabel;
use crate::components::common::{Avatar, Loading, RelativeTime, page_error};
use crate::contexts::auth_context::use_auth;
use crate::contexts::live_context::use_live;
use crate::events::LiveEvent;
use crate::models::{ConversationKind, ConversationSummary};
use crate::server_fns::chat::list_conversations;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/messages`: every conversation with its last message, time and unread
/// count, most recently active first; refetched live.
#[component]
pub fn MailboxPage() -> impl IntoView {
    let live = use_live();
    let auth = use_auth();
    let version = RwSignal::new(0_u64);
    let list = Resource::new(move || version.get(), |_| list_conversations());
    let me = move || match auth.user.get_untracked() {
        Some(Ok(Some(me))) => Some(me.id),
        _ => None,
    };
    live.on_event(move |event| match event {
        LiveEvent::MessageCreated { .. }
        | LiveEvent::MessageUpdated { .. }
        | LiveEvent::MembershipChanged { .. }
        | LiveEvent::ConversationChanged { .. }
        | LiveEvent::Resync { .. } => version.update(|n| *n += 1),
        LiveEvent::ConversationRead { user_id, .. } if Some(*user_id) == me() => {
            version.update(|n| *n += 1);
        }
        _ => {}
    });
    Effect::new(move |_| {
        if live.reconnects.get() > 0 {
            version.update(|n| *n += 1);
        }
    });
    view! {
        <Title text="Messages" />
        <div class="page-head">
            <h1 class="page-title">"Messages"</h1>
            <div class="page-actions">
                <a class="button" href="/messages/new">
                    "New group"
                </a>
                <a class="button" href="/rooms">
                    "Public rooms"
                </a>
            </div>
        </div>
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.is_empty() => {
                        view! {
                            <p class="card empty-note">
                                "No conversations yet. Message a friend from their profile, start a group, or join a public room."
                            </p>
                        }
                            .into_any()
                    }
                    Ok(list) => {
                        view! {
                            <ul class="card mailbox" aria-label="Conversations">
                                {list
                                    .into_iter()
                                    .map(|c| view! { <MailboxRow c me=me() /> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(e) => page_error(e),
                }
            })}
        </Transition>
    }
}

#[component]
fn MailboxRow(c: ConversationSummary, me: Option<crate::ids::UserId>) -> impl IntoView {
    let excerpt = c.last_message.as_ref().map(|m| {
        let who = if Some(m.sender_id) == me {
            "You".to_owned()
        } else {
            m.sender_name.clone()
        };
        let text = if m.deleted {
            "This message was deleted".to_owned()
        } else {
            m.excerpt.clone()
        };
        format!("{who}: {text}")
    });
    let kind = match c.kind {
        ConversationKind::Direct => None,
        ConversationKind::Group => Some("Group"),
        ConversationKind::Room => Some("Room"),
    };
    let avatar = c.other.as_ref().map(|o| o.avatar.clone());
    let other_id = c.other.as_ref().map(|o| o.id);
    let unread = c.unread;
    let has_unread = unread > 0;
    view! {
        <li class="mailbox-row" class:unread=has_unread>
            <a class="mailbox-link" href=format!("/messages/{}", c.id)>
                {avatar.map(|photo| view! { <Avatar photo size=40 /> })}
                <span class="mailbox-main">
                    <span class="mailbox-title">
                        <strong>{c.title.clone()}</strong>
                        {kind.map(|k| view! { <span class="badge">{k}</span> })}
                        {other_id.map(|user_id| view! { <PresenceLabel user_id /> })}
                    </span>
                    <span class="mailbox-excerpt">
                        {excerpt.unwrap_or_else(|| "No messages yet".to_owned())}
                    </span>
                </span>
                <span class="mailbox-side">
                    <RelativeTime ms=c.last_activity_ms />
                    <Show when=move || { unread > 0 }>
                        <span class="count-badge">{format!("{unread} unread")}</span>
                    </Show>
                </span>
            </a>
        </li>
    }
}
