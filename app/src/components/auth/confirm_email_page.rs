use crate::components::common::ErrorAlert;
use crate::contexts::auth_context::use_auth;
use crate::error::AppError;
use crate::server_fns::account::confirm_email;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/confirm-email?token=…`: the link from a confirmation (or email
/// change) mail. Opening it confirms the address; the banner asking for
/// it then goes.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let result = Resource::new(token, confirm_email);
    let auth = use_auth();
    Effect::new(move |_| {
        if matches!(result.get(), Some(Ok(()))) {
            auth.refresh();
        }
    });
    view! {
        <Title text="Confirm your email" />
        <section class="card narrow-card" aria-labelledby="confirm-heading">
            <h1 id="confirm-heading" class="page-title">
                "Confirm your email"
            </h1>
            <Suspense fallback=|| {
                view! { <p class="loading">"Confirming…"</p> }
            }>
                {move || Suspend::new(async move {
                    match result.await {
                        Ok(()) => {
                            view! {
                                <p role="status">"Thanks! Your email address is confirmed."</p>
                                <p>
                                    <a href="/" class="button primary">
                                        "Go to Hearth"
                                    </a>
                                </p>
                            }
                                .into_any()
                        }
                        Err(e @ AppError::Validation { .. }) => {
                            view! {
                                <p class="form-error" role="alert">
                                    {e.to_string()}
                                </p>
                                <p class="hint">
                                    "Log in and use “Resend” in the banner at the top to get a new link."
                                </p>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
