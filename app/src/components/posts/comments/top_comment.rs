use super::comment_article::CommentArticle;
use super::comment_forms::NewCommentForm;
use super::thread::{Thread, ThreadSource};
use crate::components::common::{ErrorNotice, focus_within};
use crate::ids::{CommentId, PostId};
use crate::models::CommentView;
use leptos::prelude::*;

/// "View 1 reply", "View 3 replies".
fn view_replies_text(n: u32) -> String {
    if n == 1 {
        "View 1 reply".to_owned()
    } else {
        format!("View {n} replies")
    }
}

/// A top-level comment with "Reply" and, when it has replies, "View N
/// replies" / "Hide replies"; its replies (newest first) follow the
/// comment's article.
#[component]
pub fn TopComment(
    /// The comment.
    id: CommentId,
    /// The post it's on.
    post_id: PostId,
    /// The post's comments (this one among them).
    thread: Thread,
    /// Bumped when the post's comments changed elsewhere (live).
    reload: Signal<u64>,
    /// Called after the viewer adds or deletes a comment here.
    on_changed: Callback<()>,
) -> impl IntoView {
    let comment = thread.item(id);
    let replies = Thread::new(ThreadSource::Replies(id), None);
    let open = RwSignal::new(false);
    let reply_box = NodeRef::<leptos::html::Details>::new();
    let reply_count = Memo::new(move |_| comment.with(|c| c.as_ref().map_or(0, |c| c.reply_count)));

    Effect::new(move |prev: Option<u64>| {
        let version = reload.get();
        if prev.is_some() && open.get_untracked() {
            replies.reload();
        }
        version
    });

    // Opening fetches the first page, or refreshes what was loaded before.
    let show_replies = move || {
        if open.get_untracked() {
            return;
        }
        open.set(true);
        if replies.loaded() {
            replies.reload();
        } else {
            replies.load_more();
        }
    };
    let close_reply_box = Callback::new(move |()| {
        if let Some(details) = reply_box.get_untracked() {
            details.set_open(false);
            focus_within(&details, "summary");
        }
    });
    let on_reply = Callback::new(move |reply: CommentView| {
        thread.bump_replies(id, 1);
        if replies.loaded() {
            replies.add(reply);
        }
        show_replies();
        close_reply_box.run(());
        on_changed.run(());
    });
    let on_edited = Callback::new(move |c: CommentView| thread.replace(c));
    let on_deleted = Callback::new(move |()| {
        thread.remove(id);
        on_changed.run(());
    });
    let replies_id = format!("replies-{id}");

    view! {
        <li class="comment-thread">
            <CommentArticle comment on_edited on_deleted>
                <details
                    class="reply-box"
                    node_ref=reply_box
                    on:toggle=move |_| {
                        if let Some(details) = reply_box.get_untracked() && details.open() {
                            focus_within(&details, "textarea");
                        }
                    }
                >
                    <summary class="button ghost" role="button">
                        "Reply"
                    </summary>
                    <NewCommentForm post_id parent=id on_added=on_reply on_cancel=close_reply_box />
                </details>
                <Show when=move || { reply_count.get() > 0 }>
                    <button
                        type="button"
                        class="button ghost"
                        aria-expanded=move || open.get().to_string()
                        aria-controls=replies_id.clone()
                        on:click=move |_| {
                            if open.get_untracked() {
                                open.set(false);
                            } else {
                                show_replies();
                            }
                        }
                    >
                        {move || {
                            if open.get() {
                                "Hide replies".to_owned()
                            } else {
                                view_replies_text(reply_count.get())
                            }
                        }}
                    </button>
                </Show>
            </CommentArticle>
            <div class="replies" id=format!("replies-{id}") hidden=move || !open.get()>
                <ul class="comment-list" role="list">
                    <For each=move || replies.ids() key=|id| *id let:reply_id>
                        <Reply id=reply_id replies parent=id thread on_changed />
                    </For>
                </ul>
                <Show when=move || replies.loading.get()>
                    <p class="loading small">"Loading replies…"</p>
                </Show>
                <ErrorNotice error=replies.error.into() />
                <Show when=move || replies.next.with(Option::is_some)>
                    <button
                        type="button"
                        class="button ghost more-comments"
                        disabled=move || replies.loading.get()
                        on:click=move |_| replies.load_more()
                    >
                        "More replies"
                    </button>
                </Show>
            </div>
        </li>
    }
}

/// One reply (no replies of its own).
#[component]
fn Reply(
    id: CommentId,
    /// The replies it's listed in.
    replies: Thread,
    /// The comment it replies to.
    parent: CommentId,
    /// The post's comments (holding the parent's reply count).
    thread: Thread,
    on_changed: Callback<()>,
) -> impl IntoView {
    let comment = replies.item(id);
    let on_edited = Callback::new(move |c: CommentView| replies.replace(c));
    let on_deleted = Callback::new(move |()| {
        replies.remove(id);
        thread.bump_replies(parent, -1);
        on_changed.run(());
    });
    view! {
        <li class="comment-thread reply">
            <CommentArticle comment on_edited on_deleted />
        </li>
    }
}
