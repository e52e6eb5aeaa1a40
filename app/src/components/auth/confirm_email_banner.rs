use crate::components::common::{ErrorNotice, action_error, lazy_view, sendable};
use crate::contexts::auth_context::use_auth;
use crate::lazy::confirm_email_banner;
use crate::server_fns::account::ResendConfirmation;
use leptos::prelude::*;

/// Above every page of a signed-in person whose email address isn't
/// confirmed: where the link went, "Resend" (at most once a minute, five
/// times a day), and, when confirmation is required, what waits for it.
/// Its content ([`ConfirmEmailNotice`]) is a lazy chunk
/// ([`crate::lazy::confirm_email_banner`]): most people have confirmed, and
/// their pages don't carry it.
#[component]
pub fn ConfirmEmailBanner() -> impl IntoView {
    let auth = use_auth();
    let pending = move || {
        auth.user
            .get()
            .and_then(Result::ok)
            .flatten()
            .and_then(|u| {
                u.unconfirmed_email
                    .clone()
                    .map(|e| (e, u.confirmation_required))
            })
    };
    view! {
        <Transition fallback=|| ()>
            {move || {
                pending()
                    .map(|(address, required)| {
                        lazy_view(
                            sendable(confirm_email_banner(address, required)),
                            || ().into_any(),
                        )
                    })
            }}
        </Transition>
    }
}

/// The banner itself: the link went to `address`; `required`: the
/// account can't post, comment, message or befriend until it's confirmed.
#[component]
pub fn ConfirmEmailNotice(address: String, required: bool) -> impl IntoView {
    let resend = ServerAction::<ResendConfirmation>::new();
    let error = action_error(resend);
    let sent = move || matches!(resend.value().get(), Some(Ok(())));
    view! {
        <section class="banner" aria-label="Confirm your email">
            <p>
                "Please confirm your email address: we sent a link to " <strong>{address}</strong>
                "."
                {required
                    .then_some(
                        " Until then you can read, but not post, comment, send messages or friend requests.",
                    )}
            </p>
            <ActionForm action=resend>
                <button type="submit" class="button" disabled=move || resend.pending().get()>
                    "Resend"
                </button>
            </ActionForm>
            <Show when=sent>
                <p role="status">"Sent. Check your inbox."</p>
            </Show>
            <ErrorNotice error />
        </section>
    }
}
