//! The head of a conversation: its title, the other person's presence
//! (one-to-one) or the members and group controls.

use super::super::PresenceLabel;
use crate::components::common::ErrorNotice;
use crate::ids::UserId;
use crate::models::{ConversationDetail, ConversationKind, MemberRole};
use crate::server_fns::chat::{
    AddGroupMembers, LeaveConversation, RemoveGroupMember, RenameConversation,
};
use crate::server_fns::social::get_friends_overview;
use crate::validation::TextLimit;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Title, presence or members, and the group controls (add friends,
/// rename and remove for the admin, leave).
#[component]
pub fn ConversationHeader(
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
            <h1 id="conversation-title" class="conversation-title">
                {move || current.get().title}
            </h1>
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
                        {d
                            .members
                            .into_iter()
                            .map(|m| {
                                let uid = m.person.id;
                                view! {
                                    <li class="member">
                                        <a href=format!(
                                            "/u/{}",
                                            m.person.username,
                                        )>{m.person.display_name.clone()}</a>
                                        {(m.role == MemberRole::Admin)
                                            .then(|| view! { <span class="badge">"Admin"</span> })}
                                        {(admin && Some(uid) != me)
                                            .then(|| {
                                                view! {
                                                    <button
                                                        type="button"
                                                        class="link-button danger"
                                                        aria-label=format!("Remove {}", m.person.display_name)
                                                        on:click=move |_| {
                                                            remove
                                                                .dispatch(RemoveGroupMember {
                                                                    conversation_id: id,
                                                                    user_id: uid,
                                                                });
                                                        }
                                                    >
                                                        "Remove"
                                                    </button>
                                                }
                                            })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    {(d.kind == ConversationKind::Group)
                        .then(|| {
                            view! {
                                <form
                                    class="inline-form"
                                    on:submit=move |ev| {
                                        ev.prevent_default();
                                        if let Ok(uid) = pick.get_untracked().parse::<i64>() {
                                            add.dispatch(AddGroupMembers {
                                                conversation_id: id,
                                                members: vec![UserId(uid)],
                                            });
                                        }
                                    }
                                >
                                    <label for="add-member">"Add a friend"</label>
                                    <select
                                        id="add-member"
                                        on:change=move |ev| pick.set(event_target_value(&ev))
                                    >
                                        <option value="">"Choose…"</option>
                                        {move || {
                                            friends
                                                .get()
                                                .unwrap_or_default()
                                                .into_iter()
                                                .filter(|f| !member_ids.contains(&f.id))
                                                .map(|f| {
                                                    view! {
                                                        <option value=f.id.to_string()>{f.display_name}</option>
                                                    }
                                                })
                                                .collect_view()
                                        }}
                                    </select>
                                    <button type="submit" class="button">
                                        "Add"
                                    </button>
                                </form>
                            }
                        })}
                    {admin
                        .then(|| {
                            view! {
                                <form
                                    class="inline-form"
                                    on:submit=move |ev| {
                                        ev.prevent_default();
                                        rename
                                            .dispatch(RenameConversation {
                                                conversation_id: id,
                                                name: new_name.get_untracked(),
                                            });
                                    }
                                >
                                    <label for="rename">"New name"</label>
                                    <input
                                        id="rename"
                                        type="text"
                                        maxlength=TextLimit::ConversationName.maxlength()
                                        on:input=move |ev| new_name.set(event_target_value(&ev))
                                    />
                                    <button type="submit" class="button">
                                        "Rename"
                                    </button>
                                </form>
                            }
                        })}
                    <button
                        type="button"
                        class="button danger"
                        on:click=move |_| {
                            leave
                                .dispatch(LeaveConversation {
                                    conversation_id: id,
                                });
                        }
                    >
                        {if d.kind == ConversationKind::Room {
                            "Leave room"
                        } else {
                            "Leave group"
                        }}
                    </button>
                </details>
            }
                .into_any()
        }}
    }
}
