use super::photo_editor::PostPhotoEditor;
use super::post_card::PostState;
use crate::components::common::{ErrorNotice, FieldError, action_error};
use crate::components::posts::VisibilitySelect;
use crate::ids::PostId;
use crate::server_fns::posts::{DeletePost, UpdatePost};
use crate::validation::TextLimit;
use leptos::prelude::*;

/// Edit (text, audience, each photo's alt text or removal) and delete, for
/// the post's author only. Each is a `<details>` disclosure, so both also
/// work without JavaScript.
#[component]
pub fn OwnerControls(
    id: PostId,
    state: PostState,
    /// A share: its text may be empty.
    is_share: bool,
    /// Whether "Public" is offered (not for a share of a non-public post).
    allow_public: bool,
    on_deleted: Option<Callback<()>>,
) -> impl IntoView {
    let update = ServerAction::<UpdatePost>::new();
    let delete = ServerAction::<DeletePost>::new();
    let update_error = action_error(update);
    let delete_error = action_error(delete);
    let edit_box = NodeRef::<leptos::html::Details>::new();
    Effect::new(move |_| {
        if let Some(Ok(post)) = update.value().get() {
            state.apply(post);
            if let Some(details) = edit_box.get_untracked() {
                details.set_open(false);
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            state.removed.set(true);
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
                        maxlength=TextLimit::Post.maxlength()
                        required=move || !is_share && state.photos.with(Vec::is_empty)
                        inner_html=crate::text::textarea_html(&state.body.get_untracked())
                    ></textarea>
                    <FieldError error=update_error field="body" form="edit-" />
                    <VisibilitySelect
                        id=format!("edit-post-{id}-visibility")
                        selected=state.visibility.get_untracked()
                        allow_public
                    />
                    <FieldError error=update_error field="visibility" form="edit-" />
                    <ErrorNotice error=update_error />
                    <button
                        type="submit"
                        class="button primary"
                        disabled=move || update.pending().get()
                    >
                        "Save"
                    </button>
                </ActionForm>
                <PostPhotoEditor state />
            </details>
            <details class="post-delete">
                <summary class="button ghost">"Delete post"</summary>
                <div class="confirm">
                    <p>"Delete this post? This can't be undone."</p>
                    <ActionForm action=delete>
                        <input type="hidden" name="post_id" value=id.to_string() />
                        <ErrorNotice error=delete_error />
                        <button
                            type="submit"
                            class="button danger"
                            disabled=move || delete.pending().get()
                        >
                            "Delete"
                        </button>
                    </ActionForm>
                </div>
            </details>
        </div>
    }
}
