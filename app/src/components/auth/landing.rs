use super::{LogInForm, SignUpForm};
use leptos::prelude::*;
use leptos_meta::Title;

/// What a signed-out visitor sees at `/`.
#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <Title text="Log in or sign up" />
        <div class="landing">
            <section class="landing-intro">
                <h1>"Welcome to Hearth"</h1>
                <p>"Keep up with friends and family: share what's new, see what they're up to."</p>
            </section>
            <div class="landing-forms">
                <LogInForm />
                <SignUpForm />
            </div>
        </div>
    }
}
