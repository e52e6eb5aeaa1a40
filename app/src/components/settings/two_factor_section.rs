use leptos::prelude::*;

/// Two-factor enrolment in settings. (Being written.)
#[component]
pub fn TwoFactorSection() -> impl IntoView {
    view! { <h1 class="page-title">"Two-factor"</h1> }
}
