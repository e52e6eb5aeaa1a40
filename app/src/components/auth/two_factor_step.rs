use crate::components::common::{ErrorNotice, FieldError, action_error};
use crate::contexts::auth_context::use_auth;
use crate::server_fns::two_factor::VerifyLogInCode;
use leptos::prelude::*;

/// The log-in's second step, shown after a right password for an account
/// with two-factor on: a code from the authenticator app (or a recovery
/// code), then "Verify". Success refreshes the signed-in user, as the
/// log-in form does.
#[component]
pub fn TwoFactorStep(
    /// Called by "Back to log in" (back to the password form).
    #[prop(optional, into)]
    on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let action = ServerAction::<VerifyLogInCode>::new();
    use_auth().refresh_after(action);
    let error = action_error(action);
    let invalid = move || error.get().and_then(|e| e.field_message("code")).is_some();
    view! {
        <section class="card auth-card" aria-labelledby="two-factor-step-heading">
            <h2 id="two-factor-step-heading">"Two-factor authentication"</h2>
            <ActionForm action>
                <ErrorNotice error />
                <div class="field">
                    <label for="two-factor-code">"Authentication code"</label>
                    <input
                        id="two-factor-code"
                        name="code"
                        type="text"
                        inputmode="numeric"
                        autocomplete="one-time-code"
                        autofocus
                        required
                        aria-invalid=move || invalid().to_string()
                        aria-describedby="two-factor-code-hint two-factor-code-error"
                    />
                    <p class="hint" id="two-factor-code-hint">
                        "Enter the 6-digit code from your authenticator app. Lost your phone? One of your recovery codes works too."
                    </p>
                    <FieldError error field="code" form="two-factor-" />
                </div>
                <button
                    type="submit"
                    class="button primary"
                    disabled=move || action.pending().get()
                >
                    "Verify"
                </button>
            </ActionForm>
            {on_cancel
                .map(|cancel| {
                    view! {
                        <button type="button" class="button" on:click=move |_| cancel.run(())>
                            "Back to log in"
                        </button>
                    }
                })}
        </section>
    }
}
