use super::FieldError;
use crate::error::AppError;
use leptos::prelude::*;

/// One labelled input with its error line below (`{form}{name}-error`,
/// which the input names in `aria-describedby`).
#[component]
pub fn FormField(
    /// Prefix for element ids, unique per form, e.g. `"signup-"`.
    form: &'static str,
    /// The input's `name` (the server function's argument).
    name: &'static str,
    /// The visible label.
    label: &'static str,
    /// The input's `type`.
    #[prop(default = "text")]
    kind: &'static str,
    /// The input's `autocomplete`.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// Whether the field must be filled.
    #[prop(default = true)]
    required: bool,
    /// The form's current error.
    error: Signal<Option<AppError>>,
    /// The id of a hint that describes the field too (after its error line
    /// in `aria-describedby`).
    #[prop(optional)]
    hint_id: Option<String>,
) -> impl IntoView {
    let id = format!("{form}{name}");
    let described_by = match hint_id {
        Some(hint) => format!("{form}{name}-error {hint}"),
        None => format!("{form}{name}-error"),
    };
    let invalid = move || error.get().and_then(|e| e.field_message(name)).is_some();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                aria-invalid=move || invalid().to_string()
                aria-describedby=described_by
            />
            <FieldError error field=name form />
        </div>
    }
}

/// A new password and its confirmation (`password` and
/// `password_confirm`, `autocomplete="new-password"`), as sign-up, reset
/// and change forms ask for them, then the rule as a hint ("At least 10
/// characters, and not your username.", from `validation.rs`, which
/// enforces it) followed by `note` when given. The hint
/// (`{form}password-hint`) describes the first field.
#[component]
pub fn NewPasswordFields(
    /// Prefix for element ids, unique per form, e.g. `"signup-"`.
    form: &'static str,
    /// The first field's label ("Password", "New password").
    label: &'static str,
    /// The confirmation's label.
    confirm_label: &'static str,
    /// The form's current error.
    error: Signal<Option<AppError>>,
    /// A sentence after the rule, e.g. what changing the password does.
    #[prop(optional)]
    note: Option<&'static str>,
) -> impl IntoView {
    let hint = format!(
        "At least {} characters, and not your username.{}",
        crate::validation::PASSWORD_MIN_LEN,
        note.map(|n| format!(" {n}")).unwrap_or_default()
    );
    let hint_id = format!("{form}password-hint");
    view! {
        <FormField
            form
            name="password"
            label
            kind="password"
            autocomplete="new-password"
            error
            hint_id=hint_id.clone()
        />
        <FormField
            form
            name="password_confirm"
            label=confirm_label
            kind="password"
            autocomplete="new-password"
            error
        />
        <p class="hint" id=hint_id>
            {hint}
        </p>
    }
}
