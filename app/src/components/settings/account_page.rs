use leptos::prelude::*;

/// `/settings/account`: export and deletion. (Being written.)
#[component]
pub fn AccountPage() -> impl IntoView {
    view! { <h1 class="page-title">"Your data and account"</h1> }
}
