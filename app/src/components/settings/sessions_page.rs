//! `/settings/sessions`: "Where you're logged in".

use crate::components::common::{ErrorNotice, Loading, RelativeTime, action_error, page_error};
use crate::contexts::auth_context::use_auth;
use crate::models::SessionInfo;
use crate::server_fns::sessions::{EndOtherSessions, EndSessionByHandle, list_sessions};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/settings/sessions`: every browser the user is logged in on (browser
/// and device, IP address, when it signed in and was last active), with
/// "End session" for each other one and "Log out everywhere else".
#[component]
pub fn SessionsPage() -> impl IntoView {
    let end_one = ServerAction::<EndSessionByHandle>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    // Ending this browser's own session signs it out.
    use_auth().refresh_after(end_one);
    let one_error = action_error(end_one);
    let others_error = action_error(end_others);
    let error = Signal::derive(move || one_error.get().or_else(|| others_error.get()));
    let sessions = Resource::new(
        move || (end_one.version().get(), end_others.version().get()),
        |_| list_sessions(),
    );
    let ended_others = move || match end_others.value().get() {
        Some(Ok(0)) => Some("You weren't logged in anywhere else.".to_owned()),
        Some(Ok(1)) => Some("Logged out of 1 other session.".to_owned()),
        Some(Ok(n)) => Some(format!("Logged out of {n} other sessions.")),
        _ => None,
    };
    view! {
        <Title text="Where you're logged in" />
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match sessions.await {
                    Ok(list) => {
                        let others = list.iter().filter(|s| !s.this_device).count();
                        view! {
                            <h1 class="page-title">"Where you're logged in"</h1>
                            <super::SettingsNav />
                            <section
                                class="card settings-card people-section"
                                aria-labelledby="sessions-heading"
                            >
                                <h2 id="sessions-heading">"Sessions"</h2>
                                <p class="hint">
                                    "Don't recognise one? End it, then change your password."
                                </p>
                                <ErrorNotice error />
                                <ul class="people session-list">
                                    {list
                                        .into_iter()
                                        .map(|session| view! { <SessionRow session end_one /> })
                                        .collect_view()}
                                </ul>
                                {(others > 0)
                                    .then(|| {
                                        view! {
                                            <ActionForm action=end_others>
                                                <button
                                                    type="submit"
                                                    class="button danger"
                                                    disabled=move || end_others.pending().get()
                                                >
                                                    "Log out everywhere else"
                                                </button>
                                            </ActionForm>
                                        }
                                    })}
                                <p role="status">{ended_others}</p>
                            </section>
                        }
                            .into_any()
                    }
                    Err(e) => page_error(e),
                }
            })}
        </Transition>
    }
}

/// One session: what and where, when, and "End session" unless it is this
/// browser's.
#[component]
fn SessionRow(session: SessionInfo, end_one: ServerAction<EndSessionByHandle>) -> impl IntoView {
    let SessionInfo {
        handle,
        device,
        ip,
        signed_in_at_ms,
        last_active_ms,
        this_device,
    } = session;
    let ip = ip.unwrap_or_else(|| "Unknown IP address".to_owned());
    let end_label = format!("End session: {device}, {ip}");
    view! {
        <li class="person session">
            <div class="person-info">
                <span class="person-name">
                    {device}
                    {this_device
                        .then(|| {
                            view! {
                                " "
                                <span class="badge">"This device"</span>
                            }
                        })}
                </span>
                <span class="person-username">{ip}</span>
                <span class="person-username">
                    {signed_in_at_ms
                        .map(|ms| {
                            view! {
                                "Signed in "
                                <RelativeTime ms />
                                " · "
                            }
                        })}
                    {if this_device {
                        view! { "Active now" }.into_any()
                    } else {
                        view! {
                            "Active "
                            <RelativeTime ms=last_active_ms />
                        }
                            .into_any()
                    }}
                </span>
            </div>
            {(!this_device)
                .then(|| {
                    view! {
                        <div class="person-actions">
                            <ActionForm action=end_one>
                                <input type="hidden" name="handle" value=handle />
                                <button
                                    type="submit"
                                    class="button"
                                    aria-label=end_label
                                    disabled=move || end_one.pending().get()
                                >
                                    "End session"
                                </button>
                            </ActionForm>
                        </div>
                    }
                })}
        </li>
    }
}
