//! The scrolling history of a conversation, grouped the way messengers do:
//! consecutive messages from one sender a few minutes apart share one
//! header (avatar, name, time).

use super::message_item::MessageItem;
use super::state::ConversationState;
use crate::ids::MessageId;
use crate::models::MessageView;
use leptos::prelude::*;
use std::collections::HashSet;

/// Two messages from one sender further apart than this (5 minutes, in
/// ms) start a new group, with its own header.
pub const GROUP_GAP_MS: i64 = 5 * 60 * 1000;

/// The messages of `list` (sorted by id) that start a group: the first,
/// and each whose sender differs from the previous message's or that came
/// more than [`GROUP_GAP_MS`] after it.
pub fn group_starts(list: &[MessageView]) -> HashSet<MessageId> {
    let mut starts = HashSet::new();
    let mut prev: Option<&MessageView> = None;
    for m in list {
        let joins = prev.is_some_and(|p| {
            p.sender.id == m.sender.id && m.created_at_ms - p.created_at_ms <= GROUP_GAP_MS
        });
        if !joins {
            starts.insert(m.id);
        }
        prev = Some(m);
    }
    starts
}

/// "Load earlier messages" (also when scrolled near the top), "No messages
/// yet", and the messages, newest at the bottom.
#[component]
pub fn MessageList(state: ConversationState) -> impl IntoView {
    let seen_on = state.seen_on();
    let starts = Memo::new(move |_| state.messages.with(|list| group_starts(list)));
    let list_ref = state.list_ref;
    view! {
        <ol
            class="message-list"
            node_ref=list_ref
            aria-label="Messages"
            on:scroll=move |_| {
                if let Some(el) = list_ref.get_untracked() && el.scroll_top() < 80 {
                    state.load_older();
                }
            }
        >
            <Show when=move || state.older.get().is_some()>
                <li class="load-older">
                    <button type="button" class="button ghost" on:click=move |_| state.load_older()>
                        {move || {
                            if state.loading_older.get() {
                                "Loading…"
                            } else {
                                "Load earlier messages"
                            }
                        }}
                    </button>
                </li>
            </Show>
            <Show when=move || state.messages.with(Vec::is_empty) && state.older.get().is_none()>
                <li class="empty-note">"No messages yet. Say hello!"</li>
            </Show>
            <For
                each=move || state.messages.get()
                key=|m| (m.id, m.edited, m.deleted, m.body.len())
                let:message
            >
                {
                    let mid = message.id;
                    let seen = Signal::derive(move || {
                        seen_on.get().filter(|(id, _)| *id == mid).map(|(_, t)| t)
                    });
                    let group_start = Signal::derive(move || starts.with(|s| s.contains(&mid)));
                    view! { <MessageItem message state seen group_start /> }
                }
            </For>
        </ol>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ConversationId, UserId};
    use crate::models::Author;

    fn message(id: i64, sender: i64, at_ms: i64) -> MessageView {
        MessageView {
            id: MessageId(id),
            conversation_id: ConversationId(1),
            sender: Author {
                id: UserId(sender),
                username: format!("u{sender}"),
                display_name: format!("U{sender}"),
                avatar: None,
            },
            body: format!("m{id}"),
            photo: None,
            created_at_ms: at_ms,
            edited: false,
            deleted: false,
        }
    }

    #[test]
    fn a_new_sender_or_a_long_pause_starts_a_group() {
        let minute = 60_000;
        let list = [
            message(1, 7, 0),
            message(2, 7, minute),
            message(3, 8, 2 * minute),
            message(4, 8, 2 * minute + GROUP_GAP_MS),
            message(5, 8, 3 * minute + 2 * GROUP_GAP_MS),
            message(6, 7, 3 * minute + 2 * GROUP_GAP_MS),
        ];
        let mut starts: Vec<i64> = group_starts(&list).into_iter().map(|id| id.0).collect();
        starts.sort_unstable();
        assert_eq!(starts, [1, 3, 5, 6]);
        assert!(group_starts(&[]).is_empty());
    }
}
