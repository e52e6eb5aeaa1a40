use super::PresenceLabel;
use super::message_composer::MessageComposer;
use super::message_item::MessageItem;
use crate::components::auth::SignInRequired;
use crate::components::common::{ErrorNotice, NotFound};
use crate::contexts::auth_context::use_auth;
use crate::contexts::live_context::use_live;
use crate::error::AppError;
use crate::events::LiveEvent;
use crate::ids::{ConversationId, MessageId, UserId};
use crate::models::{
    ConversationDetail, ConversationKind, MemberRole, MessageView, MessagesPage, TYPING_EXPIRES_MS,
};
use crate::server_fns::chat::{
    AddGroupMembers, DeleteMessage, EditMessage, LeaveConversation, RemoveGroupMember,
    RenameConversation, SendMessage, get_conversation, list_messages, mark_conversation_read,
};
use crate::server_fns::social::get_friends_overview;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use std::collections::HashMap;

/// Inserts or replaces `m`, keeping the list sorted by id.
fn upsert(list: &mut Vec<MessageView>, m: MessageView) {
    match list.binary_search_by_key(&m.id, |x| x.id) {
        Ok(i) => list[i] = m,
        Err(i) => list.insert(i, m),
    }
}

fn now() -> f64 {
    js_sys_now()
}

#[cfg(feature = "hydrate")]
fn js_sys_now() -> f64 {
    js_sys::Date::now()
}

#[cfg(not(feature = "hydrate"))]
fn js_sys_now() -> f64 {
    0.0
}

/// `/messages/{id}`: the conversation's header and members, its history
/// (newest at the bottom, older pages loaded when scrolled to the top),
/// typing indicator, "Seen" marks and the composer. Everything updates
/// live; after a reconnect the newest page and the header are refetched.
#[component]
pub fn ConversationPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .map(ConversationId)
    });
    let detail = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_conversation(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let first_page = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => list_messages(id, None).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (detail.await, first_page.await) {
                    (Ok(d), Ok(page)) => {
                        view! { <Conversation initial=d page /> }.into_any()
                    }
                    (Err(AppError::Unauthorized), _) | (_, Err(AppError::Unauthorized)) => {
                        view! { <SignInRequired /> }.into_any()
                    }
                    (Err(AppError::NotFound), _) | (_, Err(AppError::NotFound)) => {
                        view! { <NotFound /> }.into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => {
                        view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Conversation(initial: ConversationDetail, page: MessagesPage) -> impl IntoView {
    let auth = use_auth();
    let live = use_live();
    let navigate = use_navigate();
    let conversation = initial.id;
    let me: Option<UserId> = match auth.user.get_untracked() {
        Some(Ok(Some(me))) => Some(me.id),
        _ => None,
    };
    // The header data, refetched (browser only) whenever `detail_version`
    // is bumped: members or name changed, or the socket reconnected.
    let detail = RwSignal::new(initial);
    let current: Signal<ConversationDetail> = detail.into();
    let detail_version = RwSignal::new(0_u64);
    Effect::new(move |prev: Option<u64>| {
        let v = detail_version.get();
        if prev.is_some_and(|p| p != v) {
            leptos::task::spawn_local(async move {
                if let Ok(d) = get_conversation(conversation).await {
                    detail.set(d);
                }
            });
        }
        v
    });
    let messages = RwSignal::new(page.messages);
    let older = RwSignal::new(page.older);
    let loading_older = RwSignal::new(false);
    let editing = RwSignal::new(None::<MessageId>);
    let typing = RwSignal::new(HashMap::<UserId, (String, f64)>::new());
    // Read positions that arrived live, over the detail's.
    let read_live = RwSignal::new(HashMap::<UserId, MessageId>::new());
    let marked = StoredValue::new(0_i64);
    let list_ref = NodeRef::<leptos::html::Ol>::new();

    let send = ServerAction::<SendMessage>::new();
    let edit = ServerAction::<EditMessage>::new();
    let delete = ServerAction::<DeleteMessage>::new();

    let near_bottom = move || {
        list_ref
            .get_untracked()
            .is_none_or(|el| el.scroll_height() - el.scroll_top() - el.client_height() < 120)
    };
    let scroll_to_bottom = move || {
        request_animation_frame(move || {
            if let Some(el) = list_ref.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    };
    let mark_read = move || {
        #[cfg(feature = "hydrate")]
        {
            if document().hidden() {
                return;
            }
        }
        let last = messages.with_untracked(|m| m.last().map_or(0, |m| m.id.0));
        if last > marked.get_value() {
            marked.set_value(last);
            leptos::task::spawn_local(async move {
                let _ = mark_conversation_read(conversation, MessageId(last)).await;
            });
        }
    };
    let reload_newest = move || {
        leptos::task::spawn_local(async move {
            if let Ok(page) = list_messages(conversation, None).await {
                messages.update(|list| {
                    for m in page.messages {
                        upsert(list, m);
                    }
                });
                mark_read();
            }
        });
        detail_version.update(|n| *n += 1);
    };

    // Mounted: scroll to the newest message and mark it read.
    Effect::new(move |_| {
        scroll_to_bottom();
        mark_read();
    });
    let _visibility = window_event_listener(leptos::ev::visibilitychange, move |_| mark_read());
    Effect::new(move |_| {
        if live.reconnects.get() > 0 {
            reload_newest();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(m)) = send.value().get() {
            let stick = near_bottom();
            messages.update(|list| upsert(list, m));
            if stick {
                scroll_to_bottom();
            }
        }
    });
    for action_value in [edit.value(), delete.value()] {
        Effect::new(move |_| {
            if let Some(Ok(m)) = action_value.get() {
                messages.update(|list| upsert(list, m));
            }
        });
    }
    let navigate_away = navigate.clone();
    live.on_event(move |event| match event {
        LiveEvent::MessageCreated { message } | LiveEvent::MessageUpdated { message }
            if message.conversation_id == conversation =>
        {
            let stick = near_bottom();
            let from = message.sender.id;
            messages.update(|list| upsert(list, message.clone()));
            typing.update(|t| {
                t.remove(&from);
            });
            if Some(from) != me {
                mark_read();
            }
            if stick {
                scroll_to_bottom();
            }
        }
        LiveEvent::Typing {
            conversation_id,
            user_id,
            display_name,
        } if *conversation_id == conversation && Some(*user_id) != me => {
            let until = now() + TYPING_EXPIRES_MS as f64;
            typing.update(|t| {
                t.insert(*user_id, (display_name.clone(), until));
            });
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
        } if *conversation_id == conversation && Some(*user_id) != me => {
            read_live.update(|r| {
                let e = r.entry(*user_id).or_insert(*message_id);
                *e = (*e).max(*message_id);
            });
        }
        LiveEvent::ConversationChanged { conversation_id } if *conversation_id == conversation => {
            detail_version.update(|n| *n += 1);
        }
        LiveEvent::MembershipChanged {
            conversation_id,
            member: false,
        } if *conversation_id == conversation => {
            navigate_away("/messages", Default::default());
        }
        LiveEvent::Resync { .. } => reload_newest(),
        _ => {}
    });

    let load_older = move || {
        let Some(before) = older.get_untracked() else {
            return;
        };
        if loading_older.get_untracked() {
            return;
        }
        loading_older.set(true);
        leptos::task::spawn_local(async move {
            let old_height = list_ref.get_untracked().map(|el| el.scroll_height());
            if let Ok(page) = list_messages(conversation, Some(before)).await {
                messages.update(|list| {
                    for m in page.messages {
                        upsert(list, m);
                    }
                });
                older.set(page.older);
                // Keep the message that was at the top in view.
                if let Some(old) = old_height {
                    request_animation_frame(move || {
                        if let Some(el) = list_ref.get_untracked() {
                            el.set_scroll_top(el.scroll_top() + el.scroll_height() - old);
                        }
                    });
                }
            }
            loading_older.set(false);
        });
    };

    // "Seen" under your newest message: read by how many others.
    let seen_on = Memo::new(move |_| {
        let mine_last = messages.with(|list| {
            list.iter()
                .rev()
                .find(|m| Some(m.sender.id) == me && !m.deleted)
                .map(|m| m.id)
        })?;
        let mut positions: HashMap<UserId, MessageId> = current
            .get()
            .receipts
            .iter()
            .map(|r| (r.user_id, r.message_id))
            .collect();
        for (u, m) in read_live.get() {
            let e = positions.entry(u).or_insert(m);
            *e = (*e).max(m);
        }
        let n = positions.values().filter(|m| **m >= mine_last).count();
        if n == 0 {
            return None;
        }
        let text = if current.get().kind == ConversationKind::Direct {
            "Seen".to_owned()
        } else {
            format!("Seen by {n}")
        };
        Some((mine_last, text))
    });
    let typing_text = move || {
        let names: Vec<String> = typing.with(|t| t.values().map(|(n, _)| n.clone()).collect());
        match names.as_slice() {
            [] => String::new(),
            [one] => format!("{one} is typing…"),
            [a, b] => format!("{a} and {b} are typing…"),
            _ => "Several people are typing…".to_owned(),
        }
    };
    // Only a change of this rebuilds the composer (keeping a draft otherwise).
    let cannot_send = Memo::new(move |_| current.get().cannot_send);
    let errors = Signal::derive(move || {
        [send.value().get(), edit.value().get(), delete.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
    });
    view! {
        <Title text=move || current.get().title />
        <section class="card conversation" aria-labelledby="conversation-title">
            <ConversationHeader current detail_version me />
            <ol class="message-list" node_ref=list_ref aria-label="Messages" on:scroll=move |_| {
                if let Some(el) = list_ref.get_untracked() && el.scroll_top() < 80 {
                    load_older();
                }
            }>
                <Show when=move || older.get().is_some()>
                    <li class="load-older">
                        <button type="button" class="button ghost" on:click=move |_| load_older()>
                            {move || if loading_older.get() { "Loading…" } else { "Load earlier messages" }}
                        </button>
                    </li>
                </Show>
                <Show when=move || messages.with(Vec::is_empty) && older.get().is_none()>
                    <li class="empty-note">"No messages yet. Say hello!"</li>
                </Show>
                <For each=move || messages.get() key=|m| (m.id, m.edited, m.deleted, m.body.len()) let:message>
                    {
                        let mid = message.id;
                        let seen = Signal::derive(move || seen_on.get().filter(|(id, _)| *id == mid).map(|(_, t)| t));
                        view! { <MessageItem message me editing edit delete seen /> }
                    }
                </For>
            </ol>
            <p class="typing" aria-live="polite">{typing_text}</p>
            <ErrorNotice error=errors />
            {move || match cannot_send.get() {
                Some(reason) => view! { <p class="hint">{reason}</p> }.into_any(),
                None => view! { <MessageComposer conversation send /> }.into_any(),
            }}
        </section>
    }
}

/// Title, presence or members, and the group controls (add friends,
/// rename and remove for the admin, leave).
#[component]
fn ConversationHeader(
    current: Signal<ConversationDetail>,
    detail_version: RwSignal<u64>,
    me: Option<UserId>,
) -> impl IntoView {
    let add = ServerAction::<AddGroupMembers>::new();
    let remove = ServerAction::<RemoveGroupMember>::new();
    let rename = ServerAction::<RenameConversation>::new();
    let leave = ServerAction::<LeaveConversation>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = leave.value().get() {
            navigate("/messages", Default::default());
        }
    });
    for done in [add.version(), remove.version(), rename.version()] {
        Effect::new(move |prev: Option<usize>| {
            let v = done.get();
            if prev.is_some_and(|p| p != v) {
                detail_version.update(|n| *n += 1);
            }
            v
        });
    }
    let errors = Signal::derive(move || {
        [
            add.value().get(),
            remove.value().get(),
            rename.value().get(),
            leave.value().get(),
        ]
        .into_iter()
        .flatten()
        .find_map(Result::err)
    });
    let friends = LocalResource::new(move || async move {
        get_friends_overview()
            .await
            .map(|o| o.friends)
            .unwrap_or_default()
    });
    let new_name = RwSignal::new(String::new());
    let pick = RwSignal::new(String::new());
    view! {
        <header class="conversation-head">
            <h1 id="conversation-title" class="conversation-title">{move || current.get().title}</h1>
            {move || current.get().other.map(|o| view! { <PresenceLabel user_id=o.id /> })}
        </header>
        <ErrorNotice error=errors />
        {move || {
            let d = current.get();
            if d.kind == ConversationKind::Direct {
                return ().into_any();
            }
            let admin = d.my_role == MemberRole::Admin;
            let id = d.id;
            let member_ids: Vec<UserId> = d.members.iter().map(|m| m.person.id).collect();
            view! {
                <details class="members">
                    <summary>{format!("Members ({})", d.members.len())}</summary>
                    <ul class="member-list">
                        {d.members.into_iter().map(|m| {
                            let uid = m.person.id;
                            view! {
                                <li class="member">
                                    <a href=format!("/u/{}", m.person.username)>{m.person.display_name.clone()}</a>
                                    {(m.role == MemberRole::Admin).then(|| view! { <span class="badge">"Admin"</span> })}
                                    {(admin && Some(uid) != me).then(|| view! {
                                        <button
                                            type="button"
                                            class="link-button danger"
                                            aria-label=format!("Remove {}", m.person.display_name)
                                            on:click=move |_| { remove.dispatch(RemoveGroupMember { conversation_id: id, user_id: uid }); }
                                        >
                                            "Remove"
                                        </button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(d.kind == ConversationKind::Group).then(|| view! {
                        <form class="inline-form" on:submit=move |ev| {
                            ev.prevent_default();
                            if let Ok(uid) = pick.get_untracked().parse::<i64>() {
                                add.dispatch(AddGroupMembers { conversation_id: id, members: vec![UserId(uid)] });
                            }
                        }>
                            <label for="add-member">"Add a friend"</label>
                            <select id="add-member" on:change=move |ev| pick.set(event_target_value(&ev))>
                                <option value="">"Choose…"</option>
                                {move || friends.get().unwrap_or_default().into_iter()
                                    .filter(|f| !member_ids.contains(&f.id))
                                    .map(|f| view! { <option value=f.id.to_string()>{f.display_name}</option> })
                                    .collect_view()}
                            </select>
                            <button type="submit" class="button">"Add"</button>
                        </form>
                    })}
                    {admin.then(|| view! {
                        <form class="inline-form" on:submit=move |ev| {
                            ev.prevent_default();
                            rename.dispatch(RenameConversation { conversation_id: id, name: new_name.get_untracked() });
                        }>
                            <label for="rename">"New name"</label>
                            <input id="rename" type="text" maxlength="80" on:input=move |ev| new_name.set(event_target_value(&ev)) />
                            <button type="submit" class="button">"Rename"</button>
                        </form>
                    })}
                    <button type="button" class="button danger" on:click=move |_| { leave.dispatch(LeaveConversation { conversation_id: id }); }>
                        {if d.kind == ConversationKind::Room { "Leave room" } else { "Leave group" }}
                    </button>
                </details>
            }
            .into_any()
        }}
    }
}
