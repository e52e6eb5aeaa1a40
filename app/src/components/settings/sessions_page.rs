use leptos::prelude::*;

/// `/settings/sessions`: active sessions. (Being written.)
#[component]
pub fn SessionsPage() -> impl IntoView {
    view! { <h1 class="page-title">"Where you're logged in"</h1> }
}
