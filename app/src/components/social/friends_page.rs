use super::{SocialActions, use_social_actions, user_action_form};
use crate::components::chat::PresenceLabel;
use crate::components::common::{ErrorNotice, Loading, PersonCard, page_error};
use crate::models::{FriendsOverview, PersonCard as Person};
use crate::server_fns::social::{get_friends_overview, list_people_you_may_know};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/friends`: requests received and sent, friends, and people you may
/// know. Every button is a plain form; the lists refetch after each.
#[component]
pub fn FriendsPage() -> impl IntoView {
    let actions = use_social_actions();
    let overview = Resource::new(move || actions.version(), |_| get_friends_overview());
    let suggestions = Resource::new(move || actions.version(), |_| list_people_you_may_know());
    view! {
        <Title text="Friends" />
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match (overview.await, suggestions.await) {
                    (Ok(overview), Ok(suggestions)) => {
                        view! { <FriendsSections overview suggestions actions /> }.into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => page_error(e),
                }
            })}
        </Transition>
    }
}

/// A `<section>` with an `<h2>`, people, and a line when there are none.
#[component]
fn PeopleSection(
    /// Heading id (for `aria-labelledby`).
    id: &'static str,
    heading: &'static str,
    empty_text: &'static str,
    people: Vec<Person>,
    /// The buttons for one person.
    buttons: fn(&Person, SocialActions) -> AnyView,
    actions: SocialActions,
) -> impl IntoView {
    let list = if people.is_empty() {
        view! { <p class="empty-note">{empty_text}</p> }.into_any()
    } else {
        view! {
            <ul class="people">
                {people
                    .into_iter()
                    .map(|person| {
                        let b = buttons(&person, actions);
                        view! { <PersonCard person>{b}</PersonCard> }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="card people-section" aria-labelledby=id>
            <h2 id=id>{heading}</h2>
            {list}
        </section>
    }
}

#[component]
fn FriendsSections(
    overview: FriendsOverview,
    suggestions: Vec<Person>,
    actions: SocialActions,
) -> impl IntoView {
    view! {
        <h1 class="page-title">"Friends"</h1>
        <ErrorNotice error=actions.error() />
        <PeopleSection
            id="friend-requests-heading"
            heading="Friend requests"
            empty_text="No pending requests."
            people=overview.received
            buttons=|p, a| {
                view! {
                    {user_action_form!(a.accept, p.id, "Accept", "button primary")}
                    {user_action_form!(a.decline, p.id, "Decline", "button")}
                }
                    .into_any()
            }
            actions
        />
        <PeopleSection
            id="sent-requests-heading"
            heading="Sent requests"
            empty_text="No sent requests."
            people=overview.sent
            buttons=|p, a| user_action_form!(a.cancel, p.id, "Cancel request", "button").into_any()
            actions
        />
        <PeopleSection
            id="your-friends-heading"
            heading="Your friends"
            empty_text="You haven't added any friends yet."
            people=overview.friends
            buttons=|p, _| view! { <PresenceLabel user_id=p.id /> }.into_any()
            actions
        />
        <PeopleSection
            id="people-you-may-know-heading"
            heading="People you may know"
            empty_text="No suggestions right now."
            people=suggestions
            buttons=|p, a| {
                user_action_form!(a.send, p.id, "Add friend", "button primary").into_any()
            }
            actions
        />
    }
}
