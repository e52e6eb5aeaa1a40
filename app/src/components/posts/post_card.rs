use crate::components::common::{Avatar, ErrorNotice, FieldError, RelativeTime, action_error};
use crate::components::posts::PostBody;
use crate::contexts::live_context::use_live;
use crate::events::LiveEvent;
use crate::models::PostView;
use crate::server_fns::posts::{DeletePost, UpdatePost, get_post};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// One post: author, time (links to the permalink), text, and for its
/// author "Edit post" and "Delete post" (with a confirmation). Follows live
/// edits and deletions of the post.
#[component]
pub fn PostCard(
    /// The post as first loaded.
    post: PostView,
    /// Show the whole text (the permalink page).
    #[prop(default = false)]
    expanded: bool,
    /// Called after the viewer deletes it.
    #[prop(optional)]
    on_deleted: Option<Callback<()>>,
) -> impl IntoView {
    let id = post.id;
    let body = RwSignal::new(post.body.clone());
    let edited_at = RwSignal::new(post.edited_at_ms);
    let removed = RwSignal::new(false);

    use_live().on_event(move |event| match event {
        LiveEvent::PostDeleted { post_id } if *post_id == id => removed.set(true),
        LiveEvent::PostUpdated { post_id } if *post_id == id => spawn_local(async move {
            if let Ok(fresh) = get_post(id).await {
                body.set(fresh.body);
                edited_at.set(fresh.edited_at_ms);
            }
        }),
        _ => {}
    });

    let author = post.author.clone();
    let profile_href = format!("/u/{}", author.username);
    let owner_controls = post.can_edit.then(|| {
        view! { <OwnerControls id body edited_at removed on_deleted /> }
    });
    view! {
        <article
            class="card post"
            aria-label=format!("Post by {}", author.display_name)
            hidden=move || removed.get()
        >
                <header class="post-header">
                    <a href=profile_href.clone() class="post-avatar" tabindex="-1" aria-hidden="true">
                        <Avatar src=author.avatar_url.clone() size=40 />
                    </a>
                    <div class="post-meta">
                        <a href=profile_href.clone() class="post-author">{author.display_name.clone()}</a>
                        <a href=format!("/p/{id}") class="post-time">
                            <RelativeTime ms=post.created_at_ms />
                        </a>
                        {move || edited_at.get().map(|ms| view! {
                            <span class="post-edited" title=crate::time_fmt::exact_time(ms)>" · Edited"</span>
                        })}
                    </div>
                </header>
                <PostBody id body expanded />
                {owner_controls}
        </article>
    }
}

/// Edit and delete, for the post's author only. Each is a `<details>`
/// disclosure, so both also work without JavaScript.
#[component]
fn OwnerControls(
    id: crate::ids::PostId,
    body: RwSignal<String>,
    edited_at: RwSignal<Option<i64>>,
    removed: RwSignal<bool>,
    on_deleted: Option<Callback<()>>,
) -> impl IntoView {
    let update = ServerAction::<UpdatePost>::new();
    let delete = ServerAction::<DeletePost>::new();
    let update_error = action_error(update);
    let delete_error = action_error(delete);
    let edit_box = NodeRef::<leptos::html::Details>::new();
    Effect::new(move |_| {
        if let Some(Ok(post)) = update.value().get() {
            body.set(post.body);
            edited_at.set(post.edited_at_ms);
            if let Some(details) = edit_box.get_untracked() {
                details.set_open(false);
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            removed.set(true);
            if let Some(cb) = on_deleted {
                cb.run(());
            }
        }
    });
    let textarea_id = format!("edit-post-{id}");
    view! {
        <div class="post-actions">
            <details class="post-edit" node_ref=edit_box>
                <summary class="button ghost">"Edit post"</summary>
                <ActionForm action=update>
                    <input type="hidden" name="post_id" value=id.to_string() />
                    <label for=textarea_id.clone()>"Edit post text"</label>
                    <textarea
                        id=textarea_id
                        name="body"
                        rows="4"
                        maxlength="5000"
                        required
                        inner_html=crate::text::textarea_html(&body.get_untracked())
                    ></textarea>
                    <FieldError error=update_error field="body" form="edit-" />
                    <ErrorNotice error=update_error />
                    <button type="submit" class="button primary" disabled=move || update.pending().get()>
                        "Save"
                    </button>
                </ActionForm>
            </details>
            <details class="post-delete">
                <summary class="button ghost">"Delete post"</summary>
                <div class="confirm">
                    <p>"Delete this post? This can't be undone."</p>
                    <ActionForm action=delete>
                        <input type="hidden" name="post_id" value=id.to_string() />
                        <ErrorNotice error=delete_error />
                        <button type="submit" class="button danger" disabled=move || delete.pending().get()>
                            "Delete"
                        </button>
                    </ActionForm>
                </div>
            </details>
        </div>
    }
}
