use crate::error::AppError;
use leptos::prelude::*;
use server_fn::ServerFn;

/// The error of an action's last run, if it failed.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// The message for `field`, shown under its input (`id="{field}-error"`, so
/// inputs can point at it with `aria-describedby`).
#[component]
pub fn FieldError(
    /// The form's current error.
    error: Signal<Option<AppError>>,
    /// Field name the message belongs to.
    field: &'static str,
    /// Prefix for the element id, unique per form.
    #[prop(default = "")]
    form: &'static str,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.field_message(field));
    view! {
        <p class="field-error" id=format!("{form}{field}-error") role="alert">
            {message}
        </p>
    }
}

/// A form-level error (anything that isn't about one field).
#[component]
pub fn ErrorNotice(
    /// The form's current error.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move || {
        error
            .get()
            .filter(|e| !e.is_field_error())
            .map(|e| e.to_string())
    };
    view! {
        <Show when=move || message().is_some()>
            <p class="form-error" role="alert">
                {message}
            </p>
        </Show>
    }
}
