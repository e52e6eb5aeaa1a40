use super::TwoFactorSection;
use crate::components::auth::SignInRequired;
use crate::components::common::{
    ErrorAlert, ErrorNotice, FormField, Loading, NewPasswordFields, action_error,
};
use crate::contexts::auth_context::use_auth;
use crate::server_fns::account::{ChangeEmail, ChangePassword};
use leptos::prelude::*;
use leptos_meta::Title;

/// Links between the settings pages.
#[component]
pub fn SettingsNav() -> impl IntoView {
    view! {
        <nav class="settings-nav" aria-label="Settings">
            <a href="/settings">"Privacy and blocking"</a>
            <a href="/settings/security">"Password and security"</a>
            <a href="/settings/sessions">"Where you're logged in"</a>
            <a href="/settings/account">"Your data and account"</a>
        </nav>
    }
}

/// `/settings/security`: change the password (other sessions end), change
/// the email address (confirmed by a link to the new one), two-factor.
#[component]
pub fn SecurityPage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Title text="Password and security" />
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(me)) => {
                        view! {
                            <h1 class="page-title">"Password and security"</h1>
                            <SettingsNav />
                            <ChangePasswordCard />
                            <ChangeEmailCard email=me.email.clone() />
                            <TwoFactorSection />
                        }
                            .into_any()
                    }
                    Ok(None) => view! { <SignInRequired /> }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ChangePasswordCard() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = action_error(action);
    let done = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card settings-card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <ActionForm action>
                <ErrorNotice error />
                <FormField
                    form="pw-"
                    name="current_password"
                    label="Current password"
                    kind="password"
                    autocomplete="current-password"
                    error
                />
                <NewPasswordFields
                    form="pw-"
                    label="New password"
                    confirm_label="Confirm new password"
                    error
                    note="Your other devices will be logged out."
                />
                <button
                    type="submit"
                    class="button primary"
                    disabled=move || action.pending().get()
                >
                    "Change password"
                </button>
                <Show when=done>
                    <p role="status">
                        "Password changed. You're still logged in here; everywhere else was logged out."
                    </p>
                </Show>
            </ActionForm>
        </section>
    }
}

#[component]
fn ChangeEmailCard(email: String) -> impl IntoView {
    let action = ServerAction::<ChangeEmail>::new();
    let error = action_error(action);
    let requested = move || {
        action
            .input()
            .get()
            .map(|i| i.email)
            .filter(|_| matches!(action.value().get(), Some(Ok(()))))
    };
    view! {
        <section class="card settings-card" aria-labelledby="email-heading">
            <h2 id="email-heading">"Email address"</h2>
            <p>"Your address is " <strong>{email}</strong> "."</p>
            <ActionForm action>
                <ErrorNotice error />
                <FormField
                    form="email-"
                    name="email"
                    label="New email address"
                    kind="email"
                    autocomplete="email"
                    error
                />
                <FormField
                    form="email-"
                    name="password"
                    label="Password"
                    kind="password"
                    autocomplete="current-password"
                    error
                />
                <button
                    type="submit"
                    class="button primary"
                    disabled=move || action.pending().get()
                >
                    "Change email"
                </button>
                {move || {
                    requested()
                        .map(|to| {
                            view! {
                                <p role="status">
                                    "Check " {to}
                                    ": we sent a link to confirm it. Your address changes when you open it."
                                </p>
                            }
                        })
                }}
            </ActionForm>
        </section>
    }
}
