use leptos::prelude::*;
use leptos_meta::Title;

/// "Not found" card; on the server also sets the 404 status.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <section class="card empty">
            <h1>"This page isn't available"</h1>
            <p>"The link may be broken, or the page may have been removed."</p>
            <a href="/">"Go to your feed"</a>
        </section>
    }
}
