use crate::components::common::{ErrorNotice, Loading, PersonCard, encode_query_value, page_error};
use crate::error::AppError;
use crate::models::{PeoplePage as PeoplePageData, PersonCard as Person};
use crate::server_fns::social::list_people;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/people`: everyone on Hearth by username, 30 a page, with "Load more"
/// (a link to `/people?after=CURSOR` that JavaScript turns into an append).
#[component]
pub fn PeoplePage() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(move || query.read().get("after"), list_people);
    view! {
        <Title text="People" />
        <Suspense fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(first) => view! { <Directory first /> }.into_any(),
                    Err(e) => page_error(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Directory(first: PeoplePageData) -> impl IntoView {
    let more = RwSignal::new(Vec::<Person>::new());
    let next = RwSignal::new(first.next_cursor);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let is_empty = first.people.is_empty();
    let load_more = move |cursor: String| {
        loading.set(true);
        spawn_local(async move {
            match list_people(Some(cursor)).await {
                Ok(page) => {
                    error.set(None);
                    more.update(|people| people.extend(page.people));
                    next.set(page.next_cursor);
                }
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    view! {
        <h1 class="page-title">"People on Hearth"</h1>
        <div class="card people-section">
            {is_empty.then(|| view! { <p class="empty-note">"No one else is here yet."</p> })}
            <ul class="people">
                {first
                    .people
                    .into_iter()
                    .map(|person| view! { <PersonCard person /> })
                    .collect_view()} <For each=move || more.get() key=|p| p.id let:person>
                    <PersonCard person />
                </For>
            </ul>
        </div>
        <ErrorNotice error=error.into() />
        {move || {
            next.get()
                .map(|cursor| {
                    let href = format!("/people?after={}", encode_query_value(&cursor));
                    view! {
                        <a
                            class="button load-more"
                            href=href
                            aria-disabled=move || loading.get().to_string()
                            on:click=move |ev| {
                                ev.prevent_default();
                                if !loading.get_untracked() {
                                    load_more(cursor.clone());
                                }
                            }
                        >
                            {move || if loading.get() { "Loading…" } else { "Load more" }}
                        </a>
                    }
                })
        }}
    }
}
