use crate::components::common::{PersonCard, encode_query_value, page_error};
use crate::components::posts::PostCard;
use crate::models::SearchResults;
use crate::server_fns::search::search_all;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The two result tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    People,
    Posts,
}

impl Tab {
    fn key(self) -> &'static str {
        match self {
            Self::People => "people",
            Self::Posts => "posts",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::People => "People",
            Self::Posts => "Posts",
        }
    }
}

/// `/search?q=...&tab=people|posts`: people and posts matching `q`, in two
/// tabs (links, so they work without JavaScript).
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let tab = Memo::new(move |_| {
        if query.read().get("tab").as_deref() == Some("posts") {
            Tab::Posts
        } else {
            Tab::People
        }
    });
    let results = Resource::new(move || q.get(), search_all);
    view! {
        <Title text=move || {
            let q = q.get();
            if q.trim().is_empty() { "Search".to_owned() } else { format!("Search: {q}") }
        } />
        <Suspense fallback=|| {
            view! { <p class="loading">"Searching…"</p> }
        }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(results) => view! { <Results q=q.get_untracked() tab results /> }.into_any(),
                    Err(e) => page_error(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Results(q: String, tab: Memo<Tab>, results: SearchResults) -> impl IntoView {
    if q.trim().is_empty() {
        return view! {
            <h1 class="page-title">"Search Hearth"</h1>
            <p class="card empty">"Type a name or a few words in the search box."</p>
        }
        .into_any();
    }
    let encoded = encode_query_value(&q);
    let tab_link = move |t: Tab| {
        view! {
            <a
                role="tab"
                id=format!("search-tab-{}", t.key())
                class="tab"
                href=format!("/search?q={encoded}&tab={}", t.key())
                aria-selected=move || (tab.get() == t).to_string()
                aria-controls="search-panel"
            >
                {t.label()}
            </a>
        }
    };
    let tabs = view! {
        <div class="tabs" role="tablist" aria-label="Search results">
            {tab_link.clone()(Tab::People)}
            {tab_link(Tab::Posts)}
        </div>
    };
    let results = StoredValue::new(results);
    let panel = move || match tab.get() {
        Tab::People => {
            let people = results.with_value(|r| r.people.clone());
            if people.is_empty() {
                view! { <p class="card empty">"No people found."</p> }.into_any()
            } else {
                view! {
                    <div class="card people-section">
                        <ul class="people">
                            {people
                                .into_iter()
                                .map(|person| view! { <PersonCard person /> })
                                .collect_view()}
                        </ul>
                    </div>
                }
                .into_any()
            }
        }
        Tab::Posts => {
            let posts = results.with_value(|r| r.posts.clone());
            if posts.is_empty() {
                view! { <p class="card empty">"No posts found."</p> }.into_any()
            } else {
                view! {
                    <div class="post-list">
                        {posts.into_iter().map(|post| view! { <PostCard post /> }).collect_view()}
                    </div>
                }
                .into_any()
            }
        }
    };
    view! {
        <h1 class="page-title">{format!("Search results for “{q}”")}</h1>
        {tabs}
        <div
            role="tabpanel"
            id="search-panel"
            class="tab-panel"
            aria-labelledby=move || format!("search-tab-{}", tab.get().key())
        >
            {panel}
        </div>
    }
    .into_any()
}
