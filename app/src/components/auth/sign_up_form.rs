use crate::components::common::{ErrorNotice, FieldError, action_error};
use crate::contexts::auth_context::use_auth;
use crate::error::AppError;
use crate::server_fns::auth::SignUp;
use leptos::prelude::*;

/// One labelled input with its error line.
#[component]
fn SignUpField(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("signup-{name}");
    let invalid = move || error.get().and_then(|e| e.field_message(name)).is_some();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required
                aria-invalid=move || invalid().to_string()
                aria-describedby=format!("signup-{name}-error")
            />
            <FieldError error field=name form="signup-" />
        </div>
    }
}

/// The sign-up form: username, email, names, password twice.
#[component]
pub fn SignUpForm() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    use_auth().refresh_after(action);
    let error = action_error(action);
    view! {
        <section class="card auth-card" aria-labelledby="sign-up-heading">
            <h2 id="sign-up-heading">"Create an account"</h2>
            <ActionForm action>
                <ErrorNotice error />
                <div class="field-row">
                    <SignUpField name="first_name" label="First name" autocomplete="given-name" error />
                    <SignUpField name="last_name" label="Last name" autocomplete="family-name" error />
                </div>
                <SignUpField name="username" label="Username" autocomplete="username" error />
                <SignUpField name="email" label="Email" kind="email" autocomplete="email" error />
                <SignUpField name="password" label="Password" kind="password" autocomplete="new-password" error />
                <SignUpField
                    name="password_confirm"
                    label="Confirm password"
                    kind="password"
                    autocomplete="new-password"
                    error
                />
                <p class="hint">"At least 10 characters, and not your username."</p>
                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                    "Sign up"
                </button>
            </ActionForm>
        </section>
    }
}
