//! Views whose code the browser fetches when they are first shown, not
//! with every page (`#[lazy]`, built with `cargo leptos --split`; how it
//! works: [`crate::components::common::sendable`]).
//!
//! The feed and permalinks (the post card, the composer) load with the
//! app. Lazy, each with a wasm chunk of its own plus chunks of what they
//! share:
//! - [`landing`], the log-in / sign-up page, which a signed-in reader's
//!   feed never needs;
//! - [`comments_section`], a post's comments, which the feed shows closed;
//! - [`confirm_email_banner`], shown only until the email address is
//!   confirmed;
//! - a profile (its header and editors; the post card it shares with the
//!   feed stays in the app);
//! - the other pages in four groups: people (friends, people, search,
//!   notifications), settings (its four pages), account recovery (forgot
//!   and reset password, confirm email) and chat (mailbox, new group,
//!   conversation, rooms). A group is one chunk rather than one per page,
//!   so moving between its pages fetches nothing more and the site stays a
//!   handful of files (one chunk per route made 245, `docs/bench.md`).
//!
//! On the server a lazy view renders at once, as any other, after a
//! hidden marker with its name.
//! Leptos can't hydrate a view whose code hasn't arrived (it hydrates
//! nothing there, then renders the view a second time beside the server's
//! HTML, or panics), so the browser first loads the chunks the markers
//! name ([`load_rendered_chunks`], called by `frontend/`), then hydrates. Moving
//! to a page of a group not yet loaded shows "Loading…" until it arrives.

use crate::components::auth::{
    ConfirmEmailNotice, ConfirmEmailPage, ForgotPasswordPage, Landing, ResetPasswordPage,
};
use crate::components::chat::{ConversationPage, MailboxPage, NewGroupPage, RoomsPage};
use crate::components::common::{Loading, lazy_view, sendable};
use crate::components::notifications::NotificationsPage;
use crate::components::posts::CommentsSection;
use crate::components::profiles::ProfilePage;
use crate::components::search::SearchPage;
use crate::components::settings::{AccountPage, SecurityPage, SessionsPage, SettingsPage};
use crate::components::social::{FriendsPage, PeoplePage};
use crate::ids::PostId;
use leptos::prelude::*;

/// A page loaded from a chunk of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LazyPage {
    /// `/u/:username`
    Profile,
    /// `/friends`
    Friends,
    /// `/people`
    People,
    /// `/search`
    Search,
    /// `/notifications`
    Notifications,
    /// `/settings`
    Settings,
    /// `/settings/security`
    Security,
    /// `/settings/sessions`
    Sessions,
    /// `/settings/account`
    Account,
    /// `/forgot-password`
    ForgotPassword,
    /// `/reset-password`
    ResetPassword,
    /// `/confirm-email`
    ConfirmEmail,
    /// `/messages`
    Mailbox,
    /// `/messages/new`
    NewGroup,
    /// `/messages/:id`
    Conversation,
    /// `/rooms`
    Rooms,
}

/// The route view of `page`: "Loading…" until its chunk is in, then the
/// page.
pub fn lazily(page: LazyPage) -> impl IntoView {
    lazy_view(sendable(load(page)), || view! { <Loading /> }.into_any())
}

/// Fetches `page`'s chunk (once) and renders the page.
async fn load(page: LazyPage) -> AnyView {
    use LazyPage::*;
    match page {
        Profile => profile_page().await,
        Friends | People | Search | Notifications => people_pages(page).await,
        Settings | Security | Sessions | Account => settings_pages(page).await,
        ForgotPassword | ResetPassword | ConfirmEmail => recovery_pages(page).await,
        Mailbox | NewGroup | Conversation | Rooms => chat_pages(page).await,
    }
}

/// The log-in / sign-up page (`/` signed out).
#[lazy]
pub fn landing() -> AnyView {
    marked(marker::LANDING, || view! { <Landing /> })
}

/// A post's comments ([`CommentsSection`]): the thread, the forms,
/// editing and deleting. Fetched when a reader first opens a card's
/// comments; the permalink page renders them open.
#[lazy]
pub fn comments_section(post_id: PostId, reload: Signal<u64>, on_changed: Callback<()>) -> AnyView {
    marked(
        marker::COMMENTS_SECTION,
        move || view! { <CommentsSection post_id reload on_changed /> },
    )
}

/// The banner asking to confirm the email address sent to `address`
/// ([`ConfirmEmailNotice`]); `required`: until then the account can only
/// read.
#[lazy]
pub fn confirm_email_banner(address: String, required: bool) -> AnyView {
    marked(
        marker::CONFIRM_EMAIL_BANNER,
        move || view! { <ConfirmEmailNotice address required /> },
    )
}

/// A profile: header, cover and photo editors, friends, the person's posts.
#[lazy]
fn profile_page() -> AnyView {
    marked(marker::PROFILE_PAGE, || view! { <ProfilePage /> })
}

/// Friends, people, search and notifications.
#[lazy]
fn people_pages(page: LazyPage) -> AnyView {
    let page = move || match page {
        LazyPage::Friends => view! { <FriendsPage /> }.into_any(),
        LazyPage::People => view! { <PeoplePage /> }.into_any(),
        LazyPage::Search => view! { <SearchPage /> }.into_any(),
        _ => view! { <NotificationsPage /> }.into_any(),
    };
    marked(marker::PEOPLE_PAGES, page)
}

/// The four settings pages.
#[lazy]
fn settings_pages(page: LazyPage) -> AnyView {
    let page = move || match page {
        LazyPage::Security => view! { <SecurityPage /> }.into_any(),
        LazyPage::Sessions => view! { <SessionsPage /> }.into_any(),
        LazyPage::Account => view! { <AccountPage /> }.into_any(),
        _ => view! { <SettingsPage /> }.into_any(),
    };
    marked(marker::SETTINGS_PAGES, page)
}

/// Forgot password, reset password and confirm email.
#[lazy]
fn recovery_pages(page: LazyPage) -> AnyView {
    let page = move || match page {
        LazyPage::ResetPassword => view! { <ResetPasswordPage /> }.into_any(),
        LazyPage::ConfirmEmail => view! { <ConfirmEmailPage /> }.into_any(),
        _ => view! { <ForgotPasswordPage /> }.into_any(),
    };
    marked(marker::RECOVERY_PAGES, page)
}

/// Mailbox, new group, a conversation and public rooms.
#[lazy]
fn chat_pages(page: LazyPage) -> AnyView {
    let page = move || match page {
        LazyPage::NewGroup => view! { <NewGroupPage /> }.into_any(),
        LazyPage::Conversation => view! { <ConversationPage /> }.into_any(),
        LazyPage::Rooms => view! { <RoomsPage /> }.into_any(),
        _ => view! { <MailboxPage /> }.into_any(),
    };
    marked(marker::CHAT_PAGES, page)
}

/// The names the server writes in a lazy view's `data-lazy` marker
/// ([`marked`]) and the browser reads back ([`load_rendered_chunks`]):
/// one constant each, so the two can't drift apart.
mod marker {
    /// [`super::landing`]'s.
    pub const LANDING: &str = "landing";
    /// [`super::comments_section`]'s.
    pub const COMMENTS_SECTION: &str = "comments_section";
    /// [`super::profile_page`]'s.
    pub const PROFILE_PAGE: &str = "profile_page";
    /// [`super::people_pages`]'s.
    pub const PEOPLE_PAGES: &str = "people_pages";
    /// [`super::settings_pages`]'s.
    pub const SETTINGS_PAGES: &str = "settings_pages";
    /// [`super::recovery_pages`]'s.
    pub const RECOVERY_PAGES: &str = "recovery_pages";
    /// [`super::chat_pages`]'s.
    pub const CHAT_PAGES: &str = "chat_pages";
    /// [`super::confirm_email_banner`]'s.
    pub const CONFIRM_EMAIL_BANNER: &str = "confirm_email_banner";
}

/// `view` after an empty, hidden `<span data-lazy="name">` that tells the
/// browser, before it hydrates, that the page holds lazy function
/// `name`'s view ([`load_rendered_chunks`]). (Leptos also writes a
/// `<link rel="preload">` per chunk a page used, but under
/// `SsrMode::Async` most pages were sent without them: seen with
/// leptos_axum 0.8, 1 page in 12.)
fn marked<V: IntoView + 'static>(name: &'static str, view: impl FnOnce() -> V) -> AnyView {
    // Untracked: when the view is built inside a `Suspend` (a chunk that
    // was still loading, `lazy_view`), a signal the page reads while being
    // set up would otherwise make the `Suspend` build the whole page again
    // (losing its state) whenever it changes.
    let view = untrack(view);
    view! {
        <span hidden data-lazy=name></span>
        {view}
    }
    .into_any()
}

/// Loads the chunks of the lazy views the server rendered into this page
/// (their `data-lazy` markers), so that hydration finds their code.
/// Called once, before hydrating; returns when every one is in.
#[cfg(feature = "hydrate")]
pub async fn load_rendered_chunks() {
    let Ok(markers) = document().query_selector_all("[data-lazy]") else {
        return;
    };
    for i in 0..markers.length() {
        let name = markers
            .item(i)
            .and_then(|node| leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(node).ok())
            .and_then(|el| el.get_attribute("data-lazy"));
        match name.as_deref() {
            Some(marker::LANDING) => __preload_landing().await,
            Some(marker::COMMENTS_SECTION) => __preload_comments_section().await,
            Some(marker::PROFILE_PAGE) => __preload_profile_page().await,
            Some(marker::PEOPLE_PAGES) => __preload_people_pages().await,
            Some(marker::SETTINGS_PAGES) => __preload_settings_pages().await,
            Some(marker::RECOVERY_PAGES) => __preload_recovery_pages().await,
            Some(marker::CHAT_PAGES) => __preload_chat_pages().await,
            Some(marker::CONFIRM_EMAIL_BANNER) => __preload_confirm_email_banner().await,
            _ => {}
        }
    }
}
