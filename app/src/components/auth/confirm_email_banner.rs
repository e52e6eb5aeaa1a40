use leptos::prelude::*;

/// Asks an unconfirmed person to confirm their email. (Being written.)
#[component]
pub fn ConfirmEmailBanner() -> impl IntoView {
    view! { <h1 class="page-title">""</h1> }
}
