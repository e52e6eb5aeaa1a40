//! The nine relationship actions as one `Copy` bundle a page creates once,
//! so its resources can refetch after any of them and one notice shows the
//! latest error.

use crate::error::AppError;
use crate::server_fns::social::{
    AcceptFriendRequest, BlockUser, CancelFriendRequest, DeclineFriendRequest, FollowUser,
    SendFriendRequest, UnblockUser, UnfollowUser, Unfriend,
};
use leptos::prelude::*;
use server_fn::ServerFn;

/// A page's relationship actions (create with [`use_social_actions`]
/// inside a route component).
#[derive(Clone, Copy)]
pub struct SocialActions {
    /// "Add friend".
    pub send: ServerAction<SendFriendRequest>,
    /// "Cancel request".
    pub cancel: ServerAction<CancelFriendRequest>,
    /// "Accept".
    pub accept: ServerAction<AcceptFriendRequest>,
    /// "Decline".
    pub decline: ServerAction<DeclineFriendRequest>,
    /// "Unfriend".
    pub unfriend: ServerAction<Unfriend>,
    /// "Follow".
    pub follow: ServerAction<FollowUser>,
    /// "Unfollow".
    pub unfollow: ServerAction<UnfollowUser>,
    /// "Block".
    pub block: ServerAction<BlockUser>,
    /// "Unblock".
    pub unblock: ServerAction<UnblockUser>,
    error: Signal<Option<AppError>>,
}

/// `None` before a run, then `Some(error or None)`.
fn outcome<S>(action: ServerAction<S>) -> Signal<Option<Option<AppError>>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().map(Result::err))
}

/// Creates the actions.
pub fn use_social_actions() -> SocialActions {
    let send = ServerAction::new();
    let cancel = ServerAction::new();
    let accept = ServerAction::new();
    let decline = ServerAction::new();
    let unfriend = ServerAction::new();
    let follow = ServerAction::new();
    let unfollow = ServerAction::new();
    let block = ServerAction::new();
    let unblock = ServerAction::new();
    let outcomes = [
        outcome(send),
        outcome(cancel),
        outcome(accept),
        outcome(decline),
        outcome(unfriend),
        outcome(follow),
        outcome(unfollow),
        outcome(block),
        outcome(unblock),
    ];
    // In the browser the latest outcome wins; on the server (a form posted
    // without JavaScript) the error the URL carries.
    let latest = RwSignal::new(None::<AppError>);
    let seen = RwSignal::new(false);
    for o in outcomes {
        Effect::new(move |_| {
            if let Some(result) = o.get() {
                latest.set(result);
                seen.set(true);
            }
        });
    }
    let error = Signal::derive(move || {
        if seen.get() {
            latest.get()
        } else {
            outcomes.iter().find_map(|o| o.get().flatten())
        }
    });
    SocialActions {
        send,
        cancel,
        accept,
        decline,
        unfriend,
        follow,
        unfollow,
        block,
        unblock,
        error,
    }
}

impl SocialActions {
    /// How many runs have finished, all actions together (tracked): a
    /// resource source that refetches after each.
    pub fn version(self) -> usize {
        self.send.version().get()
            + self.cancel.version().get()
            + self.accept.version().get()
            + self.decline.version().get()
            + self.unfriend.version().get()
            + self.follow.version().get()
            + self.unfollow.version().get()
            + self.block.version().get()
            + self.unblock.version().get()
    }

    /// The latest run's error, if it failed.
    pub fn error(self) -> Signal<Option<AppError>> {
        self.error
    }
}

/// An `ActionForm` for one of the actions above: hidden `user_id` and a
/// submit button, so it works without JavaScript.
/// `user_action_form!(action, user_id, "Label", "button primary")`.
macro_rules! user_action_form {
    ($action:expr, $user_id:expr, $label:expr, $class:expr) => {{
        let action = $action;
        let user_id: $crate::ids::UserId = $user_id;
        let label: &'static str = $label;
        let class: &'static str = $class;
        leptos::view! {
            <ActionForm action>
                <input type="hidden" name="user_id" value=user_id.to_string() />
                <button type="submit" class=class disabled=move || action.pending().get()>
                    {label}
                </button>
            </ActionForm>
        }
    }};
}
pub(crate) use user_action_form;
