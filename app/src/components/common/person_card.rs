use crate::components::common::Avatar;
use crate::models::PersonCard as Person;
use leptos::prelude::*;

/// "1 mutual friend", "3 mutual friends".
pub fn mutual_friends_text(n: u32) -> String {
    if n == 1 {
        "1 mutual friend".to_owned()
    } else {
        format!("{n} mutual friends")
    }
}

/// One person in a `<ul class="people">`: avatar, name linking to
/// `/u/{username}`, "@username", "N mutual friends" when known (and not
/// zero), then `children` (buttons).
#[component]
pub fn PersonCard(
    /// The person.
    person: Person,
    /// Buttons for this person.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let href = format!("/u/{}", person.username);
    let mutual = person
        .mutual_friends
        .filter(|n| *n > 0)
        .map(|n| view! { <span class="person-mutual">{mutual_friends_text(n)}</span> });
    view! {
        <li class="person">
            <a href=href.clone() class="person-avatar" tabindex="-1" aria-hidden="true">
                <Avatar photo=person.avatar size=48 />
            </a>
            <div class="person-info">
                <a href=href class="person-name">
                    {person.display_name}
                </a>
                <span class="person-username">{format!("@{}", person.username)}</span>
                {mutual}
            </div>
            {children.map(|c| view! { <div class="person-actions">{c()}</div> })}
        </li>
    }
}
