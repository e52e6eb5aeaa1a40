use crate::components::common::{ErrorNotice, FormField, NewPasswordFields, action_error};
use crate::contexts::auth_context::use_auth;
use crate::server_fns::auth::SignUp;
use leptos::prelude::*;

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
                    <FormField
                        form="signup-"
                        name="first_name"
                        label="First name"
                        autocomplete="given-name"
                        error
                    />
                    <FormField
                        form="signup-"
                        name="last_name"
                        label="Last name"
                        autocomplete="family-name"
                        error
                    />
                </div>
                <FormField
                    form="signup-"
                    name="username"
                    label="Username"
                    autocomplete="username"
                    error
                />
                <FormField
                    form="signup-"
                    name="email"
                    label="Email"
                    kind="email"
                    autocomplete="email"
                    error
                />
                <NewPasswordFields
                    form="signup-"
                    label="Password"
                    confirm_label="Confirm password"
                    error
                />
                <button
                    type="submit"
                    class="button primary"
                    disabled=move || action.pending().get()
                >
                    "Sign up"
                </button>
            </ActionForm>
        </section>
    }
}
