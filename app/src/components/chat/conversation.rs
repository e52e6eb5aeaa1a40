//! `/messages/{id}`: one conversation, split into its
//! [`state::ConversationState`], the [`header`], the [`message_list`] and
//! the [`composer`].

mod composer;
mod header;
mod message_item;
mod message_list;
mod state;

use crate::components::common::{ErrorNotice, Loading, page_error};
use crate::contexts::auth_context::use_auth;
use crate::error::AppError;
use crate::ids::{ConversationId, UserId};
use crate::models::{ConversationDetail, MessagesPage};
use crate::server_fns::chat::{get_conversation, list_messages};
use composer::MessageComposer;
use header::ConversationHeader;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use message_list::MessageList;
use state::ConversationState;

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
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match (detail.await, first_page.await) {
                    (Ok(d), Ok(page)) => view! { <Conversation initial=d page /> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => page_error(e),
                }
            })}
        </Transition>
    }
}

/// A loaded conversation: header, messages, typing line, errors, composer
/// (or why you can't send).
#[component]
fn Conversation(initial: ConversationDetail, page: MessagesPage) -> impl IntoView {
    let me: Option<UserId> = match use_auth().user.get_untracked() {
        Some(Ok(Some(me))) => Some(me.id),
        _ => None,
    };
    let state = ConversationState::new(initial, page, me);
    state.start();
    let current: Signal<ConversationDetail> = state.detail.into();
    // Only a change of this rebuilds the composer (keeping a draft otherwise).
    let cannot_send = Memo::new(move |_| current.get().cannot_send);
    let conversation = state.id;
    let send = state.send;
    view! {
        <Title text=move || current.get().title />
        <section class="card conversation" aria-labelledby="conversation-title">
            <ConversationHeader current detail_version=state.detail_version me />
            <MessageList state />
            <p class="typing" aria-live="polite">
                {move || state.typing_text()}
            </p>
            <ErrorNotice error=state.action_error() />
            {move || match cannot_send.get() {
                Some(reason) => view! { <p class="hint">{reason}</p> }.into_any(),
                None => view! { <MessageComposer conversation send /> }.into_any(),
            }}
        </section>
    }
}
