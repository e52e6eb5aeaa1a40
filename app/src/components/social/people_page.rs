use crate::components::common::{LoadMore, Loading, Paged, PersonCard, page_error};
use crate::models::PeoplePage as PeoplePageData;
use crate::server_fns::social::list_people;
use leptos::prelude::*;
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
    let more = Paged::new(
        first.next_cursor,
        |cursor| list_people(Some(cursor)),
        |page: &PeoplePageData| page.next_cursor.clone(),
    );
    let is_empty = first.people.is_empty();
    view! {
        <h1 class="page-title">"People on Hearth"</h1>
        <div class="card people-section">
            {is_empty.then(|| view! { <p class="empty-note">"No one else is here yet."</p> })}
            <ul class="people">
                {first
                    .people
                    .into_iter()
                    .map(|person| view! { <PersonCard person /> })
                    .collect_view()}
                <For each=more.items(|page| page.people) key=|p| p.id let:person>
                    <PersonCard person />
                </For>
            </ul>
        </div>
        <LoadMore pager=more.pager() base_path="/people" />
    }
}
