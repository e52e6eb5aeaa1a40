use leptos::prelude::*;

/// The log-in's second step. (Being written.)
#[component]
pub fn TwoFactorStep() -> impl IntoView {
    view! { <h1 class="page-title">"Two-factor code"</h1> }
}
