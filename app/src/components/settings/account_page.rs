//! `/settings/account`: "Download your data" and "Delete your account".

use crate::components::auth::SignInRequired;
use crate::components::common::{ErrorAlert, ErrorNotice, FormField, Loading, action_error};
use crate::contexts::auth_context::use_auth;
use crate::models::{DataExportInfo, DataExportStatus};
use crate::server_fns::leaving::{DeleteAccount, RequestDataExport, list_data_exports};
use leptos::prelude::*;
use leptos_meta::Title;

/// How often the page looks again while an archive is being prepared.
const POLL_MS: u64 = 4000;

/// `/settings/account`: ask for a zip of your data (built in the
/// background; the page checks back while it is prepared, and lists
/// ready archives for 7 days), and delete your account for good (password,
/// two-factor code if on, and an "I understand" checkbox; then the browser
/// goes to `/`, signed out).
#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = use_auth();
    // Here, not in the card: deleting the account also ends the session,
    // whose closed live socket may refresh `auth` first; the page then
    // swaps the card for "Log in to see this", which would drop an effect
    // of the card's before it could navigate.
    let delete = ServerAction::<DeleteAccount>::new();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(()))) {
            auth.refresh();
            navigate("/", Default::default());
        }
    });
    view! {
        <Title text="Your data and account" />
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(_)) => {
                        view! {
                            <h1 class="page-title">"Your data and account"</h1>
                            <super::SettingsNav />
                            <DownloadCard />
                            <DeleteCard delete />
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

/// `bytes` in whole megabytes (MiB, rounded up, at least 1).
fn megabytes(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024).max(1)
}

#[component]
fn DownloadCard() -> impl IntoView {
    let request = ServerAction::<RequestDataExport>::new();
    let error = action_error(request);
    let poll = RwSignal::new(0_u64);
    let exports = Resource::new(
        move || (request.version().get(), poll.get()),
        |_| list_data_exports(),
    );
    // While one is being prepared, look again every few seconds (in the
    // browser only: effects don't run on the server).
    Effect::new(move |_| {
        let preparing = exports.get().is_some_and(|r| {
            r.is_ok_and(|list| list.iter().any(|e| e.status == DataExportStatus::Pending))
        });
        if preparing {
            set_timeout(
                move || poll.update(|n| *n += 1),
                std::time::Duration::from_millis(POLL_MS),
            );
        }
    });
    view! {
        <section class="card settings-card" aria-labelledby="download-heading">
            <h2 id="download-heading">"Download your data"</h2>
            <p>
                "Get a zip file with your profile, posts, comments, reactions, friends, "
                "follows, the messages you sent, and your photos and videos. We'll email you "
                "when it's ready; the download works for 7 days. You can ask once an hour."
            </p>
            <ActionForm action=request>
                <ErrorNotice error />
                <button
                    type="submit"
                    class="button primary"
                    disabled=move || request.pending().get()
                >
                    "Request a download"
                </button>
            </ActionForm>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match exports.await {
                        Ok(list) => view! { <ExportList list /> }.into_any(),
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ExportList(list: Vec<DataExportInfo>) -> impl IntoView {
    let preparing = list.iter().any(|e| e.status == DataExportStatus::Pending);
    let failed = list
        .first()
        .is_some_and(|e| e.status == DataExportStatus::Failed);
    let ready: Vec<DataExportInfo> = list
        .into_iter()
        .filter(|e| e.status == DataExportStatus::Ready)
        .collect();
    view! {
        <p role="status" class="hint">
            {preparing.then_some("We're preparing your download…")}
            {(failed && !preparing)
                .then_some("We couldn't prepare your last download. Please request it again.")}
        </p>
        {(!ready.is_empty())
            .then(|| {
                view! {
                    <ul class="export-list">
                        {ready
                            .into_iter()
                            .map(|e| {
                                let label = format!(
                                    "Download your data ({} MB, until {})",
                                    megabytes(e.size_bytes),
                                    crate::time_fmt::exact_time(e.expires_at_ms),
                                );
                                view! {
                                    <li>
                                        <a
                                            href=e.download_url.unwrap_or_default()
                                            download=""
                                            rel="external"
                                        >
                                            {label}
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
    }
}

#[component]
fn DeleteCard(
    /// "Delete my account" (the page follows its answer).
    delete: ServerAction<DeleteAccount>,
) -> impl IntoView {
    let error = action_error(delete);
    view! {
        <section class="card settings-card danger-zone" aria-labelledby="delete-heading">
            <h2 id="delete-heading">"Delete your account"</h2>
            <p>"This erases, for good:"</p>
            <ul>
                <li>"your profile, profile photo and cover photo;"</li>
                <li>
                    "your posts with their photos and videos, and the comments and reactions on them;"
                </li>
                <li>"your comments and reactions on other people's posts;"</li>
                <li>"your friends, friend requests, follows and blocks;"</li>
                <li>"your notifications, sessions and downloads of your data."</li>
            </ul>
            <p>
                "Your messages stay in other people's conversations, shown as from “Deleted account”"
                " (photos you sent in chats are erased). Your username becomes free for someone else "
                "after 30 days. This can't be undone: download your data first if you want a copy."
            </p>
            <ActionForm action=delete>
                <ErrorNotice error />
                <FormField
                    form="delete-"
                    name="password"
                    label="Password"
                    kind="password"
                    autocomplete="current-password"
                    error
                />
                <div class="field">
                    <label for="delete-code">"Two-factor code"</label>
                    <input
                        id="delete-code"
                        name="code"
                        type="text"
                        inputmode="numeric"
                        autocomplete="one-time-code"
                        aria-describedby="delete-code-hint delete-code-error"
                        aria-invalid=move || {
                            error.get().and_then(|e| e.field_message("code")).is_some().to_string()
                        }
                    />
                    <p class="hint" id="delete-code-hint">
                        "Only if two-factor is on: a code from your authenticator app or a recovery code."
                    </p>
                    <crate::components::common::FieldError error field="code" form="delete-" />
                </div>
                <div class="field checkbox">
                    <input id="delete-understood" type="checkbox" required=true />
                    <label for="delete-understood">"I understand this can't be undone"</label>
                </div>
                <button type="submit" class="button danger" disabled=move || delete.pending().get()>
                    "Delete my account"
                </button>
            </ActionForm>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::megabytes;

    #[test]
    fn sizes_round_up_to_whole_megabytes() {
        assert_eq!(megabytes(0), 1);
        assert_eq!(megabytes(1), 1);
        assert_eq!(megabytes(1024 * 1024), 1);
        assert_eq!(megabytes(1024 * 1024 + 1), 2);
    }
}
