//! [`ConversationState`]: what an open conversation holds in the browser,
//! and how live events, actions and scrolling change it.

use crate::contexts::live_context::use_live;
use crate::error::AppError;
use crate::events::LiveEvent;
use crate::ids::{ConversationId, MessageId, UserId};
use crate::models::{
    ConversationDetail, ConversationKind, MessageView, MessagesPage, TYPING_EXPIRES_MS,
};
use crate::server_fns::chat::{
    DeleteMessage, EditMessage, SendMessage, get_conversation, list_messages,
    mark_conversation_read,
};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use std::collections::HashMap;

/// Inserts or replaces `m`, keeping the list sorted by id.
fn upsert(list: &mut Vec<MessageView>, m: MessageView) {
    match list.binary_search_by_key(&m.id, |x| x.id) {
        Ok(i) => list[i] = m,
        Err(i) => list.insert(i, m),
    }
}

/// Milliseconds since the epoch in the browser; 0 on the server (typing
/// only happens live).
fn now() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// One open conversation: its header data, the messages loaded so far
/// (oldest first), who is typing, read positions, and the actions that
/// send, edit and delete. Cheap to copy (all signals).
#[derive(Clone, Copy)]
pub struct ConversationState {
    /// The conversation.
    pub id: ConversationId,
    /// The signed-in user, if known.
    pub me: Option<UserId>,
    /// Header data: title, members, receipts, whether you may send.
    pub detail: RwSignal<ConversationDetail>,
    /// Bumped to refetch [`Self::detail`] (members or name changed, the
    /// socket reconnected).
    pub detail_version: RwSignal<u64>,
    /// Loaded messages, sorted by id.
    pub messages: RwSignal<Vec<MessageView>>,
    /// Id to page back from, `None` once the first message is loaded.
    pub older: RwSignal<Option<MessageId>>,
    /// An older page is on its way.
    pub loading_older: RwSignal<bool>,
    /// The message being edited (one at a time).
    pub editing: RwSignal<Option<MessageId>>,
    /// Who is typing: user → (display name, until when in ms).
    typing: RwSignal<HashMap<UserId, (String, f64)>>,
    /// Read positions that arrived live, over the detail's receipts.
    read_live: RwSignal<HashMap<UserId, MessageId>>,
    /// The newest message id already marked read.
    marked: StoredValue<i64>,
    /// The scrolling message list.
    pub list_ref: NodeRef<leptos::html::Ol>,
    /// "Send".
    pub send: ServerAction<SendMessage>,
    /// "Save" of an edit.
    pub edit: ServerAction<EditMessage>,
    /// "Delete message".
    pub delete: ServerAction<DeleteMessage>,
}

impl ConversationState {
    /// The state for `initial` and its newest `page`, for viewer `me`.
    /// Call [`Self::start`] once, inside the component, to follow it live.
    pub fn new(initial: ConversationDetail, page: MessagesPage, me: Option<UserId>) -> Self {
        Self {
            id: initial.id,
            me,
            detail: RwSignal::new(initial),
            detail_version: RwSignal::new(0),
            messages: RwSignal::new(page.messages),
            older: RwSignal::new(page.older),
            loading_older: RwSignal::new(false),
            editing: RwSignal::new(None),
            typing: RwSignal::new(HashMap::new()),
            read_live: RwSignal::new(HashMap::new()),
            marked: StoredValue::new(0),
            list_ref: NodeRef::new(),
            send: ServerAction::new(),
            edit: ServerAction::new(),
            delete: ServerAction::new(),
        }
    }

    /// The effects that keep the state current: refetch the header when
    /// asked, scroll to the newest message and mark it read on mount and
    /// when the tab becomes visible, reload after a reconnect, apply the
    /// actions' answers, and follow the live events of this conversation.
    pub fn start(self) {
        let live = use_live();
        Effect::new(move |prev: Option<u64>| {
            let v = self.detail_version.get();
            if prev.is_some_and(|p| p != v) {
                leptos::task::spawn_local(async move {
                    if let Ok(d) = get_conversation(self.id).await {
                        self.detail.set(d);
                    }
                });
            }
            v
        });
        Effect::new(move |_| {
            self.scroll_to_bottom();
            self.mark_read();
        });
        let _visibility =
            window_event_listener(leptos::ev::visibilitychange, move |_| self.mark_read());
        Effect::new(move |_| {
            if live.reconnects.get() > 0 {
                self.reload_newest();
            }
        });
        Effect::new(move |_| {
            if let Some(Ok(m)) = self.send.value().get() {
                let stick = self.near_bottom();
                self.messages.update(|list| upsert(list, m));
                if stick {
                    self.scroll_to_bottom();
                }
            }
        });
        for action_value in [self.edit.value(), self.delete.value()] {
            Effect::new(move |_| {
                if let Some(Ok(m)) = action_value.get() {
                    self.messages.update(|list| upsert(list, m));
                }
            });
        }
        let navigate = use_navigate();
        live.on_event(move |event| self.on_live(event, &navigate));
    }

    fn on_live(self, event: &LiveEvent, navigate: &impl Fn(&str, leptos_router::NavigateOptions)) {
        let conversation = self.id;
        match event {
            LiveEvent::MessageCreated { message } | LiveEvent::MessageUpdated { message }
                if message.conversation_id == conversation =>
            {
                let stick = self.near_bottom();
                let from = message.sender.id;
                self.messages.update(|list| upsert(list, message.clone()));
                self.typing.update(|t| {
                    t.remove(&from);
                });
                if Some(from) != self.me {
                    self.mark_read();
                }
                if stick {
                    self.scroll_to_bottom();
                }
            }
            LiveEvent::Typing {
                conversation_id,
                user_id,
                display_name,
            } if *conversation_id == conversation && Some(*user_id) != self.me => {
                let until = now() + TYPING_EXPIRES_MS as f64;
                self.typing.update(|t| {
                    t.insert(*user_id, (display_name.clone(), until));
                });
                let typing = self.typing;
                set_timeout(
                    move || {
                        let now = now();
                        typing.update(|t| t.retain(|_, (_, until)| *until > now));
                    },
                    std::time::Duration::from_millis(TYPING_EXPIRES_MS + 50),
                );
            }
            LiveEvent::ConversationRead {
                conversation_id,
                user_id,
                message_id,
            } if *conversation_id == conversation && Some(*user_id) != self.me => {
                self.read_live.update(|r| {
                    let e = r.entry(*user_id).or_insert(*message_id);
                    *e = (*e).max(*message_id);
                });
            }
            LiveEvent::ConversationChanged { conversation_id }
                if *conversation_id == conversation =>
            {
                self.detail_version.update(|n| *n += 1);
            }
            LiveEvent::MembershipChanged {
                conversation_id,
                member: false,
            } if *conversation_id == conversation => {
                navigate("/messages", Default::default());
            }
            LiveEvent::Resync { .. } => self.reload_newest(),
            _ => {}
        }
    }

    /// Whether the list is scrolled to (within 120 px of) the bottom.
    fn near_bottom(self) -> bool {
        self.list_ref
            .get_untracked()
            .is_none_or(|el| el.scroll_height() - el.scroll_top() - el.client_height() < 120)
    }

    fn scroll_to_bottom(self) {
        request_animation_frame(move || {
            if let Some(el) = self.list_ref.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    /// Marks the newest loaded message read, once, while the tab is visible.
    fn mark_read(self) {
        #[cfg(feature = "hydrate")]
        {
            if document().hidden() {
                return;
            }
        }
        let last = self
            .messages
            .with_untracked(|m| m.last().map_or(0, |m| m.id.0));
        if last > self.marked.get_value() {
            self.marked.set_value(last);
            let conversation = self.id;
            leptos::task::spawn_local(async move {
                let _ = mark_conversation_read(conversation, MessageId(last)).await;
            });
        }
    }

    /// Refetches the newest page and the header (after a reconnect or a
    /// resync, when events may have been missed).
    fn reload_newest(self) {
        leptos::task::spawn_local(async move {
            if let Ok(page) = list_messages(self.id, None).await {
                self.messages.update(|list| {
                    for m in page.messages {
                        upsert(list, m);
                    }
                });
                self.mark_read();
            }
        });
        self.detail_version.update(|n| *n += 1);
    }

    /// Loads the page before the oldest loaded message, keeping the message
    /// that was at the top in view. Does nothing at the start or while a
    /// page is loading.
    pub fn load_older(self) {
        let Some(before) = self.older.get_untracked() else {
            return;
        };
        if self.loading_older.get_untracked() {
            return;
        }
        self.loading_older.set(true);
        leptos::task::spawn_local(async move {
            let old_height = self.list_ref.get_untracked().map(|el| el.scroll_height());
            if let Ok(page) = list_messages(self.id, Some(before)).await {
                self.messages.update(|list| {
                    for m in page.messages {
                        upsert(list, m);
                    }
                });
                self.older.set(page.older);
                if let Some(old) = old_height {
                    request_animation_frame(move || {
                        if let Some(el) = self.list_ref.get_untracked() {
                            el.set_scroll_top(el.scroll_top() + el.scroll_height() - old);
                        }
                    });
                }
            }
            self.loading_older.set(false);
        });
    }

    /// Your newest message and its "Seen" / "Seen by N" line, once anyone
    /// else has read it.
    pub fn seen_on(self) -> Memo<Option<(MessageId, String)>> {
        Memo::new(move |_| {
            let me = self.me;
            let mine_last = self.messages.with(|list| {
                list.iter()
                    .rev()
                    .find(|m| Some(m.sender.id) == me && !m.deleted)
                    .map(|m| m.id)
            })?;
            let detail = self.detail.read();
            let mut positions: HashMap<UserId, MessageId> = detail
                .receipts
                .iter()
                .map(|r| (r.user_id, r.message_id))
                .collect();
            for (u, m) in self.read_live.get() {
                let e = positions.entry(u).or_insert(m);
                *e = (*e).max(m);
            }
            let n = positions.values().filter(|m| **m >= mine_last).count();
            if n == 0 {
                return None;
            }
            let text = if detail.kind == ConversationKind::Direct {
                "Seen".to_owned()
            } else {
                format!("Seen by {n}")
            };
            Some((mine_last, text))
        })
    }

    /// "Ana is typing…", "Ana and Bo are typing…", "Several people are
    /// typing…", or empty.
    pub fn typing_text(self) -> String {
        let names: Vec<String> = self
            .typing
            .with(|t| t.values().map(|(n, _)| n.clone()).collect());
        match names.as_slice() {
            [] => String::new(),
            [one] => format!("{one} is typing…"),
            [a, b] => format!("{a} and {b} are typing…"),
            _ => "Several people are typing…".to_owned(),
        }
    }

    /// The latest failure of sending, editing or deleting.
    pub fn action_error(self) -> Signal<Option<AppError>> {
        Signal::derive(move || {
            [
                self.send.value().get(),
                self.edit.value().get(),
                self.delete.value().get(),
            ]
            .into_iter()
            .flatten()
            .find_map(Result::err)
        })
    }
}
