//! `/`: the feed for a signed-in user, the log-in / sign-up page otherwise.

use crate::components::auth::Landing;
use crate::components::common::{ErrorAlert, Loading};
use crate::components::posts::Feed;
use crate::contexts::auth_context::use_auth;
use leptos::prelude::*;

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Suspense fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(me)) => view! { <Feed me /> }.into_any(),
                    Ok(None) => view! { <Landing /> }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
