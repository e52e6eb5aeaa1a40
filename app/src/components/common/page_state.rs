//! What a page shows while its data loads, and when loading fails.

use crate::components::auth::SignInRequired;
use crate::components::common::NotFound;
use crate::error::AppError;
use leptos::prelude::*;

/// "Loading…", the fallback of a page's `Suspense` or `Transition`.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading">"Loading…"</p> }
}

/// An error as an alert (`role="alert"`): the error's message, which never
/// carries server-side detail (see [`AppError`]'s `Display`).
#[component]
pub fn ErrorAlert(
    /// What went wrong.
    error: AppError,
) -> impl IntoView {
    view! {
        <p class="form-error" role="alert">
            {error.to_string()}
        </p>
    }
}

/// What a page shows instead of its content when loading it failed:
/// "Log in to see this" when signed out, "not found" for `NotFound`, else
/// an [`ErrorAlert`].
pub fn page_error(error: AppError) -> AnyView {
    match error {
        AppError::Unauthorized => view! { <SignInRequired /> }.into_any(),
        AppError::NotFound => view! { <NotFound /> }.into_any(),
        error => view! { <ErrorAlert error /> }.into_any(),
    }
}
