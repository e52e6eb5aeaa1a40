use crate::components::common::{ErrorNotice, Loading, PersonCard, action_error, page_error};
use crate::components::social::user_action_form;
use crate::server_fns::chat::get_live_settings;
use crate::server_fns::social::{UnblockUser, list_blocked};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/settings`: privacy (read receipts, online status), and the people
/// the user blocked, each with "Unblock".
#[component]
pub fn SettingsPage() -> impl IntoView {
    let unblock = ServerAction::<UnblockUser>::new();
    let error = action_error(unblock);
    let blocked = Resource::new(move || unblock.version().get(), |_| list_blocked());
    let live_settings = Resource::new(|| (), |_| get_live_settings());
    view! {
        <Title text="Settings" />
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match (blocked.await, live_settings.await) {
                    (Ok(people), Ok(settings)) => {
                        let list = if people.is_empty() {
                            view! { <p class="empty-note">"You haven't blocked anyone."</p> }
                                .into_any()
                        } else {
                            view! {
                                <ul class="people">
                                    {people
                                        .into_iter()
                                        .map(|person| {
                                            let id = person.id;
                                            view! {
                                                <PersonCard person>
                                                    {user_action_form!(unblock, id, "Unblock", "button")}
                                                </PersonCard>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        };
                        view! {
                            <h1 class="page-title">"Settings"</h1>
                            <super::SettingsNav />
                            <super::LiveSettingsForm settings />
                            <section class="card people-section" aria-labelledby="blocked-heading">
                                <h2 id="blocked-heading">"Blocked people"</h2>
                                <p class="hint">
                                    "People you block can't see your profile or posts, or contact you."
                                </p>
                                <ErrorNotice error />
                                {list}
                            </section>
                        }
                            .into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => page_error(e),
                }
            })}
        </Transition>
    }
}
