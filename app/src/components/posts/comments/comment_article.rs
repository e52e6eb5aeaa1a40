use super::comment_forms::{DeleteCommentForm, EditCommentForm};
use crate::components::common::{Avatar, RelativeTime};
use crate::components::posts::text_runs;
use crate::models::CommentView;
use crate::time_fmt::exact_time;
use leptos::prelude::*;

/// One comment or reply: `<article aria-label="Comment by Name">` with
/// author, text (links and mentions), time, " · Edited", then `children`
/// (reply controls) and, as allowed, "Edit comment" and "Delete comment".
#[component]
pub fn CommentArticle(
    /// The comment, kept current by its list.
    comment: Memo<Option<CommentView>>,
    /// Receives the comment after the viewer edits it.
    on_edited: Callback<CommentView>,
    /// Called after the viewer deletes it.
    on_deleted: Callback<()>,
    /// Extra controls at the start of the footer.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let Some(first) = comment.get_untracked() else {
        return ().into_any();
    };
    let id = first.id;
    let author = first.author.clone();
    let href = format!("/u/{}", author.username);
    let body = move || comment.with(|c| c.as_ref().map(|c| text_runs(&c.body, &c.mentions)));
    let edited = move || {
        comment
            .with(|c| c.as_ref().and_then(|c| c.edited_at_ms))
            .map(|ms| {
                view! {
                    <span class="comment-edited" title=exact_time(ms)>
                        " · Edited"
                    </span>
                }
            })
    };
    let edit = first
        .can_edit
        .then(|| view! { <EditCommentForm comment=first.clone() on_edited /> });
    let delete = first
        .can_delete
        .then(|| view! { <DeleteCommentForm id on_deleted /> });
    view! {
        <article class="comment" aria-label=format!("Comment by {}", author.display_name)>
            <a href=href.clone() class="comment-avatar" tabindex="-1" aria-hidden="true">
                <Avatar photo=author.avatar.clone() size=32 />
            </a>
            <div class="comment-main">
                <div class="comment-bubble">
                    <a href=href class="comment-author">
                        {author.display_name.clone()}
                    </a>
                    <div class="comment-body">{body}</div>
                </div>
                <div class="comment-footer">
                    <span class="comment-time">
                        <RelativeTime ms=first.created_at_ms />
                        {edited}
                    </span>
                    {children.map(|c| c())}
                    {edit}
                    {delete}
                </div>
            </div>
        </article>
    }
    .into_any()
}
