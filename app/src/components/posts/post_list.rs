use crate::components::common::{LoadMore, Paged};
use crate::components::posts::PostCard;
use crate::error::AppError;
use crate::ids::{PostId, UserId};
use crate::models::{FeedPage, PostView};
use crate::server_fns::posts::{list_feed, list_user_posts};
use leptos::prelude::*;

/// Where a list's pages come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListSource {
    /// The signed-in user's home feed.
    Feed,
    /// One person's posts.
    Author(UserId),
}

impl ListSource {
    async fn fetch(self, cursor: String) -> Result<FeedPage, AppError> {
        match self {
            Self::Feed => list_feed(Some(cursor)).await,
            Self::Author(user) => list_user_posts(user, Some(cursor)).await,
        }
    }
}

/// Posts newest first: `top` (posts that arrived after the page loaded),
/// then `first`, then pages appended as the reader scrolls ([`LoadMore`]).
#[component]
pub fn PostList(
    source: ListSource,
    first: FeedPage,
    /// Posts to show above the first page, newest first.
    top: RwSignal<Vec<PostView>>,
    /// Path the "Load more" link points at without JavaScript.
    #[prop(into)]
    base_path: String,
    /// Text when there are no posts at all.
    #[prop(into)]
    empty_text: String,
) -> impl IntoView {
    let first_ids: Vec<PostId> = first.posts.iter().map(|p| p.id).collect();
    let more = Paged::new(
        first.next_cursor.clone(),
        move |cursor| source.fetch(cursor),
        |page: &FeedPage| page.next_cursor.clone(),
    );
    let is_empty = {
        let none_first = first.posts.is_empty();
        move || none_first && top.with(Vec::is_empty)
    };
    let fresh = move || {
        top.get()
            .into_iter()
            .filter(|p| !first_ids.contains(&p.id))
            .collect::<Vec<_>>()
    };
    view! {
        <div class="post-list">
            <Show when=is_empty>
                <p class="card empty">{empty_text.clone()}</p>
            </Show>
            <For each=fresh key=|p| p.id let:post>
                <PostCard post />
            </For>
            {first.posts.into_iter().map(|post| view! { <PostCard post /> }).collect_view()}
            <For each=more.items(|page| page.posts) key=|p| p.id let:post>
                <PostCard post />
            </For>
            <LoadMore pager=more.pager() base_path />
        </div>
    }
}
