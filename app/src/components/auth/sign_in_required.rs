use leptos::prelude::*;

/// Shown on pages that need a signed-in user.
#[component]
pub fn SignInRequired() -> impl IntoView {
    view! {
        <section class="card empty">
            <h1>"Log in to see this"</h1>
            <p>"Hearth is for friends and family: log in or create an account first."</p>
            <a class="button primary" href="/">
                "Log in or sign up"
            </a>
        </section>
    }
}
