use crate::components::common::{ErrorNotice, FormField, action_error};
use crate::server_fns::account::RequestPasswordReset;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/forgot-password`: asks for a reset link by username or email. The
/// answer is the same whether or not an account matches.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = action_error(action);
    let sent = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Title text="Forgot your password?" />
        <section class="card narrow-card" aria-labelledby="forgot-heading">
            <h1 id="forgot-heading" class="page-title">
                "Forgot your password?"
            </h1>
            <Show
                when=sent
                fallback=move || {
                    view! {
                        <p class="hint">
                            "Enter your username or email address and we'll mail you a link to choose a new password."
                        </p>
                        <ActionForm action>
                            <ErrorNotice error />
                            <FormField
                                form="forgot-"
                                name="login"
                                label="Username or email"
                                autocomplete="username"
                                error
                            />
                            <button
                                type="submit"
                                class="button primary"
                                disabled=move || action.pending().get()
                            >
                                "Send reset link"
                            </button>
                        </ActionForm>
                    }
                }
            >
                <p role="status">
                    "If an account matches, we sent a link to its email address. It works for one hour."
                </p>
                <p>
                    <a href="/">"Back to log in"</a>
                </p>
            </Show>
        </section>
    }
}
