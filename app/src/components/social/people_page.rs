use crate::components::common::{ErrorNotice, LoadMore, Loading, PersonCard, page_error};
use crate::error::AppError;
use crate::models::{PeoplePage as PeoplePageData, PersonCard as Person};
use crate::server_fns::social::list_people;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/people`: everyone on Hearth by username, 30 a page, the next loading
/// as the reader scrolls ([`LoadMore`]; without JavaScript a link to
/// `/people?after=CURSOR`).
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
    let load_more = Callback::new(move |cursor: String| {
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
    });
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
        <LoadMore
            next=next
            base_path="/people"
            loading
            failed=Signal::derive(move || error.with(Option::is_some))
            on_load=load_more
        />
    }
}
