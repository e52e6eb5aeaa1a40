use crate::components::common::ErrorAlert;
use crate::components::posts::{Composer, ListSource, PostList};
use crate::contexts::live_context::use_live;
use crate::events::LiveEvent;
use crate::models::{CurrentUser, PostView};
use crate::server_fns::posts::{get_post, list_feed};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The feed's "new posts on top" list, provided by [`Feed`] so cards can
/// put a share the viewer just made there.
#[derive(Clone, Copy)]
pub struct FeedTop(pub RwSignal<Vec<PostView>>);

impl FeedTop {
    /// Puts `post` on top unless it's there already.
    pub fn prepend(self, post: PostView) {
        self.0.update(|posts| {
            if !posts.iter().any(|p| p.id == post.id) {
                posts.insert(0, post);
            }
        });
    }
}

/// The home feed: composer, then posts newest first. Posts created here, or
/// announced live (from any tab; the server sends "new post" events only to
/// the feeds that can hold the post), appear on top without a reload.
#[component]
pub fn Feed(me: CurrentUser) -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(move || query.read().get("after"), list_feed);
    let top = RwSignal::new(Vec::<PostView>::new());
    provide_context(FeedTop(top));
    let prepend = move |post: PostView| FeedTop(top).prepend(post);
    use_live().on_event(move |event| {
        if let LiveEvent::PostCreated { post_id, .. } = event {
            let post_id = *post_id;
            if top.with_untracked(|posts| posts.iter().any(|p| p.id == post_id)) {
                return;
            }
            spawn_local(async move {
                if let Ok(post) = get_post(post_id).await {
                    prepend(post);
                }
            });
        }
    });

    view! {
        <Title text="Feed" />
        <h1 class="visually-hidden">"Your feed"</h1>
        <Composer me=me.clone() on_created=Callback::new(prepend) />
        <Suspense fallback=|| {
            view! { <p class="loading">"Loading posts…"</p> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(first) => {
                        view! {
                            <PostList
                                source=ListSource::Feed
                                first
                                top
                                base_path="/"
                                empty_text="No posts yet. Share something to get started!"
                            />
                        }
                            .into_any()
                    }
                    Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
