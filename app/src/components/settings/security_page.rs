use leptos::prelude::*;

/// `/settings/security`: password, email, two-factor. (Being written.)
#[component]
pub fn SecurityPage() -> impl IntoView {
    view! { <h1 class="page-title">"Password and security"</h1> }
}
