use crate::components::common::ErrorNotice;
use crate::ids::UserId;
use crate::server_fns::chat::OpenDirectConversation;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// "Message": opens (or creates) the one-to-one conversation with a friend.
#[component]
pub fn MessageButton(
    /// The friend.
    user_id: UserId,
) -> impl IntoView {
    let open = ServerAction::<OpenDirectConversation>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = open.value().get() {
            navigate(&format!("/messages/{id}"), Default::default());
        }
    });
    let error = Signal::derive(move || open.value().get().and_then(Result::err));
    view! {
        <button
            type="button"
            class="button primary"
            on:click=move |_| {
                open.dispatch(OpenDirectConversation { user_id });
            }
        >
            "Message"
        </button>
        <ErrorNotice error />
    }
}
