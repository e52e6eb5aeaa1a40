//! The comment forms: write a comment or reply, edit, delete. Each is an
//! `ActionForm`, so it also works as a plain HTML form without JavaScript.

use crate::components::common::{ErrorNotice, action_error};
use crate::error::AppError;
use crate::ids::{CommentId, PostId};
use crate::models::CommentView;
use crate::server_fns::comments::{AddComment, DeleteComment, EditComment};
use crate::validation::TextLimit;
use leptos::prelude::*;

/// Any error of a comment form, under it (`id` for `aria-describedby`).
fn form_error(error: Signal<Option<AppError>>, id: String) -> impl IntoView {
    view! {
        <p class="field-error" id=id role="alert">
            {move || error.get().map(|e| e.to_string())}
        </p>
    }
}

/// "Write a comment" (or, with `parent`, "Write a reply") and its button.
#[component]
pub fn NewCommentForm(
    /// The post commented on.
    post_id: PostId,
    /// The comment replied to (top-level comments only).
    #[prop(optional)]
    parent: Option<CommentId>,
    /// Receives each comment written here.
    on_added: Callback<CommentView>,
    /// With JavaScript, a "Cancel" button calls this (reply forms).
    #[prop(optional)]
    on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let add = ServerAction::<AddComment>::new();
    let error = action_error(add);
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(comment)) = add.value().get() {
            on_added.run(comment);
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    let (label, button, prefix) = match parent {
        Some(id) => ("Write a reply", "Reply", format!("reply-{id}-")),
        None => ("Write a comment", "Comment", format!("comment-{post_id}-")),
    };
    let textarea_id = format!("{prefix}body");
    let error_id = format!("{prefix}body-error");
    view! {
        <ActionForm action=add node_ref=form>
            <div class="comment-form">
                <input type="hidden" name="post_id" value=post_id.to_string() />
                {parent
                    .map(|id| {
                        view! { <input type="hidden" name="parent_id" value=id.to_string() /> }
                    })}
                <label for=textarea_id.clone() class="visually-hidden">
                    {label}
                </label>
                <textarea
                    id=textarea_id
                    name="body"
                    rows="1"
                    maxlength=TextLimit::Comment.maxlength()
                    required
                    placeholder=format!("{label}…")
                    aria-describedby=error_id.clone()
                ></textarea>
                <button type="submit" class="button primary" disabled=move || add.pending().get()>
                    {button}
                </button>
                {on_cancel
                    .map(|cancel| {
                        view! {
                            <button
                                type="button"
                                class="button ghost"
                                on:click=move |_| cancel.run(())
                            >
                                "Cancel"
                            </button>
                        }
                    })}
            </div>
            {form_error(error, error_id)}
        </ActionForm>
    }
}

/// The author's "Edit comment" disclosure.
#[component]
pub fn EditCommentForm(
    /// The comment as first shown (prefills the text).
    comment: CommentView,
    /// Receives the edited comment.
    on_edited: Callback<CommentView>,
) -> impl IntoView {
    let edit = ServerAction::<EditComment>::new();
    let error = action_error(edit);
    let details = NodeRef::<leptos::html::Details>::new();
    Effect::new(move |_| {
        if let Some(Ok(comment)) = edit.value().get() {
            on_edited.run(comment);
            if let Some(details) = details.get_untracked() {
                details.set_open(false);
            }
        }
    });
    let id = comment.id;
    let textarea_id = format!("edit-comment-{id}");
    let error_id = format!("edit-comment-{id}-error");
    view! {
        <details class="comment-edit" node_ref=details>
            <summary class="button ghost" role="button">
                "Edit comment"
            </summary>
            <ActionForm action=edit>
                <input type="hidden" name="comment_id" value=id.to_string() />
                <label for=textarea_id.clone()>"Edit comment text"</label>
                <textarea
                    id=textarea_id
                    name="body"
                    rows="2"
                    maxlength=TextLimit::Comment.maxlength()
                    required
                    aria-describedby=error_id.clone()
                    inner_html=crate::text::textarea_html(&comment.body)
                ></textarea>
                {form_error(error, error_id)}
                <button type="submit" class="button primary" disabled=move || edit.pending().get()>
                    "Save comment"
                </button>
            </ActionForm>
        </details>
    }
}

/// "Delete comment", with a confirmation step.
#[component]
pub fn DeleteCommentForm(
    /// The comment.
    id: CommentId,
    /// Called after it is deleted.
    on_deleted: Callback<()>,
) -> impl IntoView {
    let delete = ServerAction::<DeleteComment>::new();
    let error = action_error(delete);
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            on_deleted.run(());
        }
    });
    view! {
        <details class="comment-delete">
            <summary class="button ghost" role="button">
                "Delete comment"
            </summary>
            <div class="confirm">
                <p>"Delete this comment?"</p>
                <ActionForm action=delete>
                    <input type="hidden" name="comment_id" value=id.to_string() />
                    <ErrorNotice error />
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
    }
}
