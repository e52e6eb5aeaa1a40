use super::TwoFactorStep;
use crate::components::common::{ErrorNotice, action_error};
use crate::contexts::auth_context::use_auth;
use crate::models::LogInStep;
use crate::server_fns::auth::LogIn;
use leptos::prelude::*;

/// Username-or-email and password; for an account with two-factor on,
/// then the code ([`TwoFactorStep`]).
#[component]
pub fn LogInForm() -> impl IntoView {
    let action = ServerAction::<LogIn>::new();
    // Only a finished log-in changes who is signed in: refreshing after
    // the password step of a two-factor log-in would re-render the page
    // and lose the code step.
    let auth = use_auth();
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(LogInStep::SignedIn))) {
            auth.refresh();
        }
    });
    let error = action_error(action);
    let needs_code = move || matches!(action.value().get(), Some(Ok(LogInStep::TwoFactor)));
    view! {
        <Show
            when=needs_code
            fallback=move || {
                view! {
                    <section class="card auth-card" aria-labelledby="log-in-heading">
                        <h2 id="log-in-heading">"Log in"</h2>
                        <ActionForm action>
                            <ErrorNotice error />
                            <div class="field">
                                <label for="login-login">"Username or email"</label>
                                <input
                                    id="login-login"
                                    name="login"
                                    type="text"
                                    autocomplete="username"
                                    required
                                />
                            </div>
                            <div class="field">
                                <label for="login-password">"Password"</label>
                                <input
                                    id="login-password"
                                    name="password"
                                    type="password"
                                    autocomplete="current-password"
                                    required
                                />
                            </div>
                            <button
                                type="submit"
                                class="button primary"
                                disabled=move || action.pending().get()
                            >
                                "Log in"
                            </button>
                        </ActionForm>
                        <p class="auth-aside">
                            <a href="/forgot-password">"Forgot password?"</a>
                        </p>
                    </section>
                }
            }
        >
            <TwoFactorStep on_cancel=move || action.clear() />
        </Show>
    }
}
