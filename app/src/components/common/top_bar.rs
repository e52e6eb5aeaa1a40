use crate::components::common::{Avatar, Icon, IconName};
use crate::contexts::auth_context::use_auth;
use crate::contexts::chat_context::use_chat;
use crate::server_fns::auth::LogOut;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::{use_location, use_query_map};

/// A top-bar link: an icon, and a name that collapses to the accessible
/// name alone on small screens; `aria-current="page"` on its own page.
fn nav_link(
    path: Memo<String>,
    href: &'static str,
    icon: IconName,
    label: &'static str,
) -> impl IntoView {
    view! {
        <a
            class="nav-link"
            href=href
            title=label
            aria-current=move || (path.get() == href).then_some("page")
        >
            <Icon name=icon size=22 />
            <span class="nav-label">{label}</span>
        </a>
    }
}

/// A top-bar link with an unread count: the badge shows the number (99+
/// above 99) and the accessible name says the same ("Messages, 3 unread"),
/// so the badge's visible text is part of the name (WCAG 2.2 SC 2.5.3,
/// "Label in Name"; axe-core's `label-content-name-mismatch`, which
/// ignores parentheticals).
fn badge_link(
    path: Memo<String>,
    href: &'static str,
    icon: IconName,
    label: &'static str,
    count: Signal<u32>,
) -> impl IntoView {
    let shown = move || match count.get() {
        n if n > 99 => "99+".to_owned(),
        n => n.to_string(),
    };
    view! {
        <a
            class="nav-link"
            href=href
            title=label
            aria-label=move || match count.get() {
                0 => label.to_owned(),
                _ => format!("{label}, {} unread", shown()),
            }
            aria-current=move || path.get().starts_with(href).then_some("page")
        >
            <Icon name=icon size=22 />
            <span class="nav-label">{label}</span>
            <Show when=move || { count.get() > 0 }>
                <span class="count-badge" aria-hidden="true">
                    {shown}
                </span>
            </Show>
        </a>
    }
}

/// Brand; for a signed-in user the search box, "Friends", "People",
/// "Settings", their profile link and "Log out".
#[component]
pub fn TopBar() -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    let path = use_location().pathname;
    let chat = use_chat();
    let messages = Signal::derive(move || chat.counts.get().messages);
    let notifications = Signal::derive(move || chat.counts.get().notifications);
    let log_out = ServerAction::<LogOut>::new();
    auth.refresh_after(log_out);
    // With JavaScript, land on the log-in page after logging out (without
    // it, the form's redirect reloads the current page signed out).
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = log_out.value().get() {
            navigate("/", Default::default());
        }
    });
    view! {
        <header class="top-bar">
            <nav class="top-bar-inner" aria-label="Main">
                <a class="brand" href="/">
                    "Hearth"
                </a>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match auth.user.await {
                            Ok(Some(me)) => {
                                view! {
                                    <div class="top-bar-tools">
                                        <Form
                                            action="/search"
                                            method="get"
                                            {..}
                                            role="search"
                                            class="top-search"
                                        >
                                            <input
                                                type="search"
                                                name="q"
                                                aria-label="Search Hearth"
                                                placeholder="Search Hearth"
                                                value=move || query.read().get("q").unwrap_or_default()
                                            />
                                        </Form>
                                        {badge_link(
                                            path,
                                            "/messages",
                                            IconName::Messages,
                                            "Messages",
                                            messages,
                                        )}
                                        {badge_link(
                                            path,
                                            "/notifications",
                                            IconName::Notifications,
                                            "Notifications",
                                            notifications,
                                        )}
                                        {nav_link(path, "/friends", IconName::Friends, "Friends")}
                                        {nav_link(path, "/people", IconName::People, "People")}
                                        {nav_link(
                                            path,
                                            "/settings",
                                            IconName::Settings,
                                            "Settings",
                                        )}
                                    </div>
                                    <div class="top-bar-user">
                                        <a
                                            class="profile-link"
                                            href=format!("/u/{}", me.username)
                                            aria-label=format!("{} (your profile)", me.display_name)
                                        >
                                            <Avatar photo=me.avatar.clone() size=32 />
                                            <span class="profile-link-name">
                                                {me.display_name.clone()}
                                            </span>
                                        </a>
                                        <ActionForm action=log_out>
                                            <button type="submit" class="button ghost">
                                                "Log out"
                                            </button>
                                        </ActionForm>
                                    </div>
                                }
                                    .into_any()
                            }
                            _ => ().into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}
