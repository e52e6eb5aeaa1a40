//! `/`: the feed for a signed-in user, the log-in / sign-up page otherwise.

use crate::components::auth::Landing;
use crate::components::posts::Feed;
use crate::contexts::auth_context::use_auth;
use leptos::prelude::*;

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(me)) => view! { <Feed me /> }.into_any(),
                    Ok(None) => view! { <Landing /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
