use crate::components::common::{
    ErrorAlert, ErrorNotice, FieldError, FormField, Loading, action_error,
};
use crate::error::AppError;
use crate::server_fns::two_factor::{
    ConfirmTwoFactor, DisableTwoFactor, StartTwoFactor, TwoFactorEnrolment, get_two_factor_status,
};
use leptos::prelude::*;

/// The "Two-factor authentication" card of `/settings/security`.
///
/// Off: "Set up" shows the QR code and the key for the authenticator app,
/// and a first code from the app ("Turn on") turns it on and shows the 10
/// recovery codes once. On: the password and a code ("Turn off
/// two-factor") turn it off.
#[component]
pub fn TwoFactorSection() -> impl IntoView {
    let start = ServerAction::<StartTwoFactor>::new();
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let status = Resource::new(
        move || (confirm.version().get(), disable.version().get()),
        |_| get_two_factor_status(),
    );
    // Turned off: forget the finished setup, so "Set up" starts afresh.
    Effect::new(move |_| {
        if matches!(disable.value().get(), Some(Ok(()))) {
            start.clear();
            confirm.clear();
        }
    });
    view! {
        <section class="card settings-card" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor authentication"</h2>
            <Transition fallback=|| {
                view! { <Loading /> }
            }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(true) => view! { <TwoFactorOn confirm disable /> }.into_any(),
                        Ok(false) => view! { <TwoFactorOff start confirm /> }.into_any(),
                        Err(AppError::Unauthorized) => {
                            view! {
                                <p class="hint">"Log in to manage two-factor authentication."</p>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Two-factor is off: "Set up", then the QR code, key and first code.
#[component]
fn TwoFactorOff(
    start: ServerAction<StartTwoFactor>,
    confirm: ServerAction<ConfirmTwoFactor>,
) -> impl IntoView {
    let start_error = action_error(start);
    let enrolment = move || start.value().get().and_then(Result::ok);
    view! {
        <p class="hint">
            "Besides your password, log-in will ask for a code from an authenticator app on your phone."
        </p>
        <Show
            when=move || enrolment().is_some()
            fallback=move || {
                view! {
                    <ActionForm action=start>
                        <ErrorNotice error=start_error />
                        <button
                            type="submit"
                            class="button primary"
                            disabled=move || start.pending().get()
                        >
                            "Set up"
                        </button>
                    </ActionForm>
                }
            }
        >
            {move || enrolment().map(|enrolment| view! { <Enrolment enrolment confirm /> })}
        </Show>
    }
}

/// The QR code, the key and "Code from the app".
#[component]
fn Enrolment(
    enrolment: TwoFactorEnrolment,
    confirm: ServerAction<ConfirmTwoFactor>,
) -> impl IntoView {
    let error = action_error(confirm);
    let invalid = move || error.get().and_then(|e| e.field_message("code")).is_some();
    let TwoFactorEnrolment { secret, qr_svg, .. } = enrolment;
    // In groups of four, easier to type (authenticator apps ignore spaces).
    let secret = secret
        .as_bytes()
        .chunks(4)
        .map(String::from_utf8_lossy)
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <p>"Scan this QR code with your authenticator app:"</p>
        <div
            class="two-factor-qr"
            role="img"
            aria-label="QR code for your authenticator app"
            inner_html=qr_svg
        ></div>
        <p class="hint">"Can't scan it? Type this key into the app instead."</p>
        <dl class="two-factor-key">
            <dt>"Key"</dt>
            <dd>
                <code>{secret}</code>
            </dd>
        </dl>
        <ActionForm action=confirm>
            <ErrorNotice error />
            <div class="field">
                <label for="two-factor-setup-code">"Code from the app"</label>
                <input
                    id="two-factor-setup-code"
                    name="code"
                    type="text"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    required
                    aria-invalid=move || invalid().to_string()
                    aria-describedby="two-factor-setup-code-error"
                />
                <FieldError error field="code" form="two-factor-setup-" />
            </div>
            <button type="submit" class="button primary" disabled=move || confirm.pending().get()>
                "Turn on"
            </button>
        </ActionForm>
    }
}

/// Two-factor is on: the recovery codes right after turning it on, and
/// the form to turn it off.
#[component]
fn TwoFactorOn(
    confirm: ServerAction<ConfirmTwoFactor>,
    disable: ServerAction<DisableTwoFactor>,
) -> impl IntoView {
    let error = action_error(disable);
    let codes = move || confirm.value().get().and_then(Result::ok);
    view! {
        <p>"Two-factor is on"</p>
        {move || {
            codes()
                .map(|codes| {
                    view! {
                        <section class="recovery-codes" aria-labelledby="recovery-codes-heading">
                            <h3 id="recovery-codes-heading">"Recovery codes"</h3>
                            <p class="hint">
                                "Save these codes somewhere safe (print them, or keep them in a password manager): this is the only time they are shown. Each works once instead of a code from the app, if you lose your phone."
                            </p>
                            <ul class="recovery-code-list">
                                {codes
                                    .into_iter()
                                    .map(|code| {
                                        view! {
                                            <li>
                                                <code>{code}</code>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                })
        }}
        <ActionForm action=disable>
            <h3>"Turn off two-factor"</h3>
            <ErrorNotice error />
            <FormField
                form="two-factor-off-"
                name="password"
                label="Password"
                kind="password"
                autocomplete="current-password"
                error
            />
            <FormField
                form="two-factor-off-"
                name="code"
                label="Code"
                autocomplete="one-time-code"
                error
            />
            <p class="hint">"A code from your authenticator app, or a recovery code."</p>
            <button type="submit" class="button" disabled=move || disable.pending().get()>
                "Turn off two-factor"
            </button>
        </ActionForm>
    }
}
