use leptos::prelude::*;

/// `/reset-password?token=…`: sets a new password. (Being written.)
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    view! { <h1 class="page-title">"Choose a new password"</h1> }
}
