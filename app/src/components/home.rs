//! `/`: the feed for a signed-in user, the log-in / sign-up page otherwise.

use crate::components::common::{ErrorAlert, Loading, sendable};
use crate::components::posts::Feed;
use crate::contexts::auth_context::use_auth;
use crate::lazy::landing;
use leptos::prelude::*;

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Suspense fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(
                sendable(async move {
                    match auth.user.await {
                        Ok(Some(me)) => view! { <Feed me /> }.into_any(),
                        Ok(None) => landing().await,
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                    }
                }),
            )}
        </Suspense>
    }
}
