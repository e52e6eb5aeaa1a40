use leptos::prelude::*;

/// `/forgot-password`: asks for a reset link. (Being written.)
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    view! { <h1 class="page-title">"Forgot your password?"</h1> }
}
