//! A post's comments: top-level comments oldest first with "More
//! comments", replies newest first under each, and the forms to write,
//! edit and delete them.

mod comment_article;
mod comment_forms;
mod thread;
mod top_comment;

use crate::components::common::{ErrorAlert, ErrorNotice};
use crate::ids::PostId;
use crate::models::CommentView;
use crate::server_fns::comments::list_comments;
use comment_forms::NewCommentForm;
use leptos::prelude::*;
use thread::{Thread, ThreadSource};
use top_comment::TopComment;

/// The comments section of a post card. The first page loads with the
/// section (on the server too, for the permalink page, where it starts
/// open); later pages with "More comments".
#[component]
pub fn CommentsSection(
    /// The post.
    post_id: PostId,
    /// Bumped when the post's comments changed elsewhere (live): shown
    /// comments and open replies are refetched.
    reload: Signal<u64>,
    /// Called after the viewer adds or deletes a comment (the card
    /// refetches its count).
    on_changed: Callback<()>,
) -> impl IntoView {
    let first = Resource::new(|| (), move |()| list_comments(post_id, None));
    view! {
        <Suspense fallback=|| {
            view! { <p class="loading small">"Loading comments…"</p> }
        }>
            {move || Suspend::new(async move {
                match first.await {
                    Ok(page) => {
                        let thread = Thread::new(ThreadSource::Post(post_id), Some(page));
                        view! { <CommentList post_id thread reload on_changed /> }.into_any()
                    }
                    Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The loaded comments, "More comments", and the form for a new one.
#[component]
fn CommentList(
    post_id: PostId,
    thread: Thread,
    reload: Signal<u64>,
    on_changed: Callback<()>,
) -> impl IntoView {
    Effect::new(move |prev: Option<u64>| {
        let version = reload.get();
        if prev.is_some() {
            thread.reload();
        }
        version
    });
    let on_added = Callback::new(move |c: CommentView| {
        thread.add(c);
        on_changed.run(());
    });
    view! {
        <ul class="comment-list" role="list">
            <For each=move || thread.ids() key=|id| *id let:id>
                <TopComment id post_id thread reload on_changed />
            </For>
        </ul>
        <Show when=move || thread.is_empty()>
            <p class="comments-empty">"No comments yet."</p>
        </Show>
        <ErrorNotice error=thread.error.into() />
        <Show when=move || thread.next.with(Option::is_some)>
            <button
                type="button"
                class="button ghost more-comments"
                disabled=move || thread.loading.get()
                on:click=move |_| thread.load_more()
            >
                "More comments"
            </button>
        </Show>
        <NewCommentForm post_id on_added />
    }
}
