use crate::components::common::{Icon, IconName};
use crate::models::Visibility;
use leptos::prelude::*;

/// The audience picker of the composer, the edit form and the share form:
/// `<select name="visibility">` labelled "Who can see this?".
#[component]
pub fn VisibilitySelect(
    /// Element id, unique on the page.
    #[prop(into)]
    id: String,
    /// The option selected at first.
    #[prop(default = Visibility::Friends)]
    selected: Visibility,
    /// Whether "Public" is offered (not when sharing a non-public post).
    #[prop(default = true)]
    allow_public: bool,
) -> impl IntoView {
    let options = Visibility::ALL
        .into_iter()
        .filter(|v| allow_public || *v != Visibility::Public)
        .map(|v| {
            view! {
                <option value=v.as_str() selected=v == selected>
                    {v.label()}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="visibility-field">
            <label for=id.clone()>"Who can see this?"</label>
            <select id=id name="visibility">
                {options}
            </select>
        </div>
    }
}

/// The audience icon beside a post's time, named "Visible to: Friends".
#[component]
pub fn VisibilityIcon(
    /// Who may see the post.
    #[prop(into)]
    visibility: Signal<Visibility>,
) -> impl IntoView {
    let label = move || format!("Visible to: {}", visibility.get().label());
    view! {
        <span class="post-visibility" role="img" aria-label=label title=label>
            {move || {
                view! { <Icon name=IconName::of_visibility(visibility.get()) size=14 /> }
            }}
        </span>
    }
}
