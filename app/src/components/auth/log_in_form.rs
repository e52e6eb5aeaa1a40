use crate::components::common::{ErrorNotice, action_error};
use crate::contexts::auth_context::use_auth;
use crate::server_fns::auth::LogIn;
use leptos::prelude::*;

/// Username-or-email and password.
#[component]
pub fn LogInForm() -> impl IntoView {
    let action = ServerAction::<LogIn>::new();
    use_auth().refresh_after(action);
    let error = action_error(action);
    view! {
        <section class="card auth-card" aria-labelledby="log-in-heading">
            <h2 id="log-in-heading">"Log in"</h2>
            <ActionForm action>
                <ErrorNotice error />
                <div class="field">
                    <label for="login-login">"Username or email"</label>
                    <input id="login-login" name="login" type="text" autocomplete="username" required />
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
                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                    "Log in"
                </button>
            </ActionForm>
        </section>
    }
}
