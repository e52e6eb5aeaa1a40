use super::{SocialActions, user_action_form};
use crate::components::chat::{MessageButton, PresenceLabel};
use crate::components::common::{ErrorNotice, Icon, IconName, focus_within};
use crate::models::{FriendState, ProfileView};
use leptos::prelude::*;

/// The buttons under someone else's profile header: the friendship button
/// for the current state ("Add friend", "Cancel request", "Accept" /
/// "Decline", the "Friends" menu → "Unfriend", "Unblock"), "Follow" / "Unfollow",
/// and "More" → "Block" (with a confirmation). Plain forms, so they work
/// without JavaScript; the page refetches after each.
#[component]
pub fn RelationshipActions(
    /// The profile shown.
    profile: ProfileView,
    /// The page's actions.
    actions: SocialActions,
) -> impl IntoView {
    let rel = profile.relationship;
    let uid = profile.user_id;
    if rel.friend == FriendState::Myself {
        return ().into_any();
    }
    let friend = match rel.friend {
        FriendState::Myself => ().into_any(),
        FriendState::NotFriends => {
            user_action_form!(actions.send, uid, "Add friend", "button primary").into_any()
        }
        FriendState::RequestSent => {
            user_action_form!(actions.cancel, uid, "Cancel request", "button").into_any()
        }
        FriendState::RequestReceived => view! {
            <p class="request-note">"Sent you a friend request"</p>
            {user_action_form!(actions.accept, uid, "Accept", "button primary")}
            {user_action_form!(actions.decline, uid, "Decline", "button")}
        }
        .into_any(),
        FriendState::Friends => view! {
            <MessageButton user_id=uid />
            <PresenceLabel user_id=uid />
            <details class="menu">
                <summary class="button" role="button">
                    "Friends"
                    <Icon name=IconName::ChevronDown size=16 />
                </summary>
                <div class="menu-panel">
                    {user_action_form!(actions.unfriend, uid, "Unfriend", "button ghost")}
                </div>
            </details>
        }
        .into_any(),
        FriendState::Blocked => {
            user_action_form!(actions.unblock, uid, "Unblock", "button").into_any()
        }
    };
    let connected = rel.friend != FriendState::Blocked;
    let follow = connected.then(|| {
        if rel.following {
            user_action_form!(actions.unfollow, uid, "Unfollow", "button").into_any()
        } else {
            user_action_form!(actions.follow, uid, "Follow", "button").into_any()
        }
    });
    let more = connected.then(|| view! { <MoreMenu profile=profile.clone() actions /> });
    let follows_you =
        (connected && rel.follows_you).then(|| view! { <span class="badge">"Follows you"</span> });
    view! {
        <div class="profile-actions">{friend} {follow} {more} {follows_you}</div>
        <ErrorNotice error=actions.error() />
    }
    .into_any()
}

/// "More" → "Block", whose confirmation explains what blocking does.
#[component]
fn MoreMenu(profile: ProfileView, actions: SocialActions) -> impl IntoView {
    let uid = profile.user_id;
    let block_box = NodeRef::<leptos::html::Details>::new();
    view! {
        <details class="menu">
            <summary class="button" role="button">
                "More"
            </summary>
            <div class="menu-panel">
                <details
                    class="block-box"
                    node_ref=block_box
                    on:toggle=move |_| {
                        if let Some(details) = block_box.get_untracked() && details.open() {
                            focus_within(&details, "button[type=submit]");
                        }
                    }
                >
                    <summary class="button ghost" role="button">
                        "Block"
                    </summary>
                    <div class="confirm">
                        <p>
                            {format!(
                                "Block {}? They won't be able to see your profile or posts, or contact you.",
                                profile.display_name,
                            )}
                        </p>
                        <div class="confirm-buttons">
                            {user_action_form!(actions.block, uid, "Block", "button danger")}
                            <button
                                type="button"
                                class="button ghost"
                                on:click=move |_| {
                                    if let Some(details) = block_box.get_untracked() {
                                        details.set_open(false);
                                        focus_within(&details, "summary");
                                    }
                                }
                            >
                                "Cancel"
                            </button>
                        </div>
                    </div>
                </details>
            </div>
        </details>
    }
}
