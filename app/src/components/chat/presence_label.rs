use crate::components::common::RelativeTime;
use crate::contexts::chat_context::use_chat;
use crate::ids::UserId;
use leptos::prelude::*;

/// "Online", or "Last seen 5 min ago", for a friend who shows their
/// presence; nothing otherwise. Updates live.
#[component]
pub fn PresenceLabel(
    /// The friend.
    user_id: UserId,
) -> impl IntoView {
    let chat = use_chat();
    move || {
        chat.presence
            .with(|map| map.get(&user_id).copied())
            .map(|p| match (p.online, p.last_seen_ms) {
                (true, _) => view! { <span class="presence online">"Online"</span> }.into_any(),
                (false, Some(ms)) => {
                    view! { <span class="presence">"Last seen " <RelativeTime ms /></span> }
                        .into_any()
                }
                (false, None) => view! { <span class="presence">"Offline"</span> }.into_any(),
            })
    }
}
