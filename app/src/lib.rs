//! Hearth's shared crate: the Leptos app (pages, components, server
//! functions) for both the server (`ssr`) and the browser (`hydrate`), and,
//! behind `ssr`, everything server-only: database, services, sessions and
//! the live event hub.

// A plain `cargo build` keeps Leptos' fully typed views (cargo-leptos
// erases them, see Cargo.toml), whose nested types outgrow the default
// limit of 128.
#![recursion_limit = "256"]

pub mod components;
pub mod contexts;
pub mod error;
pub mod events;
pub mod ids;
pub mod layouts;
pub mod lazy;
pub mod models;
pub mod server_fns;
pub mod text;
pub mod time_fmt;
pub mod validation;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod cluster;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod media;
#[cfg(feature = "ssr")]
pub mod revocation;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod session_store;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod video;

use components::common::{NotFound, TopBar};
use components::home::HomePage;
use components::posts::PostPage;
use layouts::MainLayout;
use lazy::{LazyPage, lazily};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The Content-Security-Policy nonce the server's headers middleware
    // chose for this response, for the inline scripts Leptos writes.
    #[cfg(feature = "ssr")]
    if let Some(nonce) = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<leptos::nonce::Nonce>().cloned())
    {
        provide_context(nonce);
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The app: contexts, then routes inside the main layout. Pages render
/// with `SsrMode::Async` (set once, on the layout's parent route, which
/// every page inherits): the server waits for their data, so the HTML is
/// complete without JavaScript and a missing post can answer 404.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|t: String| {
            if t.is_empty() { "Hearth".to_owned() } else { format!("{t} · Hearth") }
        } />
        <Router>
            <AppRoutes />
        </Router>
    }
}

/// Contexts and routes. Inside the router because server actions read the
/// error a form posted without JavaScript from the URL (`?__err=`), which
/// the router provides.
#[component]
fn AppRoutes() -> impl IntoView {
    contexts::auth_context::provide_auth_context();
    contexts::live_context::provide_live_context();
    contexts::chat_context::provide_chat_context();
    view! {
        <Routes fallback=|| {
            view! {
                <TopBar />
                <main id="main" class="page">
                    <NotFound />
                </main>
            }
        }>
            <ParentRoute path=path!("") view=MainLayout ssr=SsrMode::Async>
                <Route path=path!("") view=HomePage />
                <Route path=path!("u/:username") view=|| lazily(LazyPage::Profile) />
                <Route path=path!("p/:id") view=PostPage />
                <Route path=path!("friends") view=|| lazily(LazyPage::Friends) />
                <Route path=path!("people") view=|| lazily(LazyPage::People) />
                <Route path=path!("search") view=|| lazily(LazyPage::Search) />
                <Route path=path!("settings") view=|| lazily(LazyPage::Settings) />
                <Route path=path!("settings/security") view=|| lazily(LazyPage::Security) />
                <Route path=path!("settings/sessions") view=|| lazily(LazyPage::Sessions) />
                <Route path=path!("settings/account") view=|| lazily(LazyPage::Account) />
                <Route path=path!("forgot-password") view=|| lazily(LazyPage::ForgotPassword) />
                <Route path=path!("reset-password") view=|| lazily(LazyPage::ResetPassword) />
                <Route path=path!("confirm-email") view=|| lazily(LazyPage::ConfirmEmail) />
                <Route path=path!("messages") view=|| lazily(LazyPage::Mailbox) />
                <Route path=path!("messages/new") view=|| lazily(LazyPage::NewGroup) />
                <Route path=path!("messages/:id") view=|| lazily(LazyPage::Conversation) />
                <Route path=path!("rooms") view=|| lazily(LazyPage::Rooms) />
                <Route path=path!("notifications") view=|| lazily(LazyPage::Notifications) />
            </ParentRoute>
        </Routes>
    }
}
