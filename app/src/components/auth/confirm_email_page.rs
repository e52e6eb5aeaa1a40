use leptos::prelude::*;

/// `/confirm-email?token=…`: confirms an address. (Being written.)
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    view! { <h1 class="page-title">"Confirm your email"</h1> }
}
