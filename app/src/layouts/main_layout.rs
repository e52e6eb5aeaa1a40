use crate::components::auth::ConfirmEmailBanner;
use crate::components::common::TopBar;
use leptos::prelude::*;
use leptos_router::components::Outlet;

/// Top bar above a centred page column holding the matched child route,
/// with the email-confirmation banner on top when it applies.
#[component]
pub fn MainLayout() -> impl IntoView {
    view! {
        <TopBar />
        <main id="main" class="page">
            <ConfirmEmailBanner />
            <Outlet />
        </main>
    }
}
