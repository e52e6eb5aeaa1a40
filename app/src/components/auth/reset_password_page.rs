use crate::components::common::{ErrorNotice, FieldError, NewPasswordFields, action_error};
use crate::contexts::auth_context::use_auth;
use crate::server_fns::account::ResetPassword;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/reset-password?token=…`: the link from a reset mail. Sets a new
/// password; every session of the account ends, this browser's too.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let action = ServerAction::<ResetPassword>::new();
    use_auth().refresh_after(action);
    let error = action_error(action);
    let done = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Title text="Choose a new password" />
        <section class="card narrow-card" aria-labelledby="reset-heading">
            <h1 id="reset-heading" class="page-title">
                "Choose a new password"
            </h1>
            <Show
                when=done
                fallback=move || {
                    view! {
                        <ActionForm action>
                            <ErrorNotice error />
                            <FieldError error field="token" form="reset-" />
                            <input type="hidden" name="token" prop:value=token />
                            <NewPasswordFields
                                form="reset-"
                                label="New password"
                                confirm_label="Confirm new password"
                                error
                            />
                            <button
                                type="submit"
                                class="button primary"
                                disabled=move || action.pending().get()
                            >
                                "Set new password"
                            </button>
                        </ActionForm>
                    }
                }
            >
                <p role="status">
                    "Your password was changed, and every device was logged out. Log in with your new password."
                </p>
                <p>
                    <a href="/" class="button primary">
                        "Log in"
                    </a>
                </p>
            </Show>
        </section>
    }
}
