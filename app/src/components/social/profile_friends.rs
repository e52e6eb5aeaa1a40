use crate::components::common::{ErrorAlert, PersonCard};
use crate::ids::UserId;
use crate::server_fns::social::list_user_friends;
use leptos::prelude::*;

/// The "Friends" section of a profile: the person's friends as the viewer
/// may see them.
#[component]
pub fn ProfileFriends(
    /// Whose friends.
    user_id: UserId,
) -> impl IntoView {
    let friends = Resource::new(|| (), move |()| list_user_friends(user_id));
    view! {
        <section class="card people-section" aria-labelledby="profile-friends-heading">
            <h2 id="profile-friends-heading">"Friends"</h2>
            <Suspense fallback=|| {
                view! { <p class="loading small">"Loading friends…"</p> }
            }>
                {move || Suspend::new(async move {
                    match friends.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="empty-note">"No friends to show."</p> }.into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul class="people">
                                    {list
                                        .into_iter()
                                        .map(|person| view! { <PersonCard person /> })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
