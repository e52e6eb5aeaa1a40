use crate::components::common::{ErrorNotice, Icon, IconName, action_error};
use crate::components::posts::{FeedTop, VisibilitySelect};
use crate::ids::PostId;
use crate::server_fns::posts::SharePost;
use crate::validation::TextLimit;
use leptos::prelude::*;

/// "Share": a disclosure with an optional text, the audience and "Share
/// now". On success it closes and `done` turns true (the card says
/// "Shared to your feed."); on the feed the share appears on top.
#[component]
pub fn ShareBox(
    /// The post to share (a share shares its original).
    post_id: PostId,
    /// Whether "Public" is offered: only for public originals.
    allow_public: bool,
    /// Set after a successful share.
    done: RwSignal<bool>,
) -> impl IntoView {
    let share = ServerAction::<SharePost>::new();
    let error = action_error(share);
    let details = NodeRef::<leptos::html::Details>::new();
    let form = NodeRef::<leptos::html::Form>::new();
    let feed = use_context::<FeedTop>();
    Effect::new(move |_| {
        if let Some(Ok(post)) = share.value().get() {
            done.set(true);
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
            if let Some(details) = details.get_untracked() {
                details.set_open(false);
            }
            if let Some(feed) = feed {
                feed.prepend(post);
            }
        }
    });
    let body_id = format!("share-{post_id}-body");
    let error_id = format!("share-{post_id}-error");
    let field_message = move || {
        error.get().and_then(|e| {
            e.field_message("body")
                .or_else(|| e.field_message("visibility"))
        })
    };
    view! {
        <details
            class="share-box"
            node_ref=details
            on:toggle=move |_| {
                if details.get_untracked().is_some_and(|d| d.open()) {
                    done.set(false);
                }
            }
        >
            <summary class="button ghost" role="button">
                <Icon name=IconName::Share size=18 />
                "Share"
            </summary>
            <ActionForm action=share node_ref=form>
                <input type="hidden" name="post_id" value=post_id.to_string() />
                <div class="field">
                    <label for=body_id.clone()>"Say something about this"</label>
                    <textarea
                        id=body_id
                        name="body"
                        rows="2"
                        maxlength=TextLimit::Post.maxlength()
                        aria-describedby=error_id.clone()
                    ></textarea>
                </div>
                <VisibilitySelect id=format!("share-{post_id}-visibility") allow_public />
                <p class="field-error" id=error_id role="alert">
                    {field_message}
                </p>
                <ErrorNotice error />
                <button type="submit" class="button primary" disabled=move || share.pending().get()>
                    "Share now"
                </button>
            </ActionForm>
        </details>
    }
}
