use crate::components::common::{ErrorNotice, LoadMore};
use crate::components::posts::PostCard;
use crate::error::AppError;
use crate::ids::{PostId, UserId};
use crate::models::{FeedPage, PostView};
use crate::server_fns::posts::{list_feed, list_user_posts};
use leptos::prelude::*;
use leptos::task::spawn_local;

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
    let more = RwSignal::new(Vec::<FeedPage>::new());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let first_ids: Vec<PostId> = first.posts.iter().map(|p| p.id).collect();
    let first_cursor = first.next_cursor.clone();
    let next_cursor = Memo::new(move |_| {
        more.with(|pages| match pages.last() {
            Some(page) => page.next_cursor.clone(),
            None => first_cursor.clone(),
        })
    });
    let is_empty = {
        let none_first = first.posts.is_empty();
        move || none_first && top.with(Vec::is_empty)
    };
    let load_more = Callback::new(move |cursor: String| {
        loading.set(true);
        spawn_local(async move {
            match source.fetch(cursor).await {
                Ok(page) => {
                    error.set(None);
                    more.update(|pages| pages.push(page));
                }
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    });
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
            <For
                each=move || {
                    more.get().into_iter().flat_map(|page| page.posts).collect::<Vec<PostView>>()
                }
                key=|p| p.id
                let:post
            >
                <PostCard post />
            </For>
            <ErrorNotice error=error.into() />
            <LoadMore
                next=next_cursor
                base_path
                loading
                failed=Signal::derive(move || error.with(Option::is_some))
                on_load=load_more
            />
        </div>
    }
}
