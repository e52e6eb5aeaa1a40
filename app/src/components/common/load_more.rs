use super::encode_query_value;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::wasm_bindgen::{JsCast, closure::Closure};
use leptos::web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

/// How far below the bottom of the viewport, in CSS pixels, an element
/// counts as near: about one post card on a phone, so the next page is
/// usually there before the reader reaches the end.
pub const NEAR_VIEWPORT_MARGIN_PX: u32 = 800;

/// A signal that is `true` while `target` is on screen or within
/// [`NEAR_VIEWPORT_MARGIN_PX`] of it, kept by an `IntersectionObserver`
/// ([W3C Intersection Observer](https://www.w3.org/TR/intersection-observer/)).
///
/// Always `false` on the server and until the element is mounted; the
/// observer is disconnected when the calling component is disposed.
fn near_viewport(target: NodeRef<Div>) -> ReadSignal<bool> {
    let (near, set_near) = signal(false);
    type Observing = (IntersectionObserver, Closure<dyn FnMut(js_sys::Array)>);
    // Browser only: a thread-bound value must not be made on the server.
    let observer = cfg!(target_arch = "wasm32").then(|| StoredValue::new_local(None::<Observing>));
    target.on_load(move |el| {
        let Some(observer) = observer else { return };
        let on_change = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            // Entries come oldest first; the last is the current state.
            if let Some(entry) = entries
                .iter()
                .last()
                .and_then(|e| e.dyn_into::<IntersectionObserverEntry>().ok())
            {
                set_near.set(entry.is_intersecting());
            }
        });
        let options = IntersectionObserverInit::new();
        options.set_root_margin(&format!("0px 0px {NEAR_VIEWPORT_MARGIN_PX}px 0px"));
        if let Ok(watch) =
            IntersectionObserver::new_with_options(on_change.as_ref().unchecked_ref(), &options)
        {
            watch.observe(&el);
            observer.set_value(Some((watch, on_change)));
        }
    });
    on_cleanup(move || {
        if let Some(Some((watch, _))) = observer.and_then(|o| o.try_update_value(Option::take)) {
            watch.disconnect();
        }
    });
    near
}

/// The end of a paged list, newest first: while there is a next page, a
/// "Load more" link, and the next page loads by itself when the link comes
/// within [`NEAR_VIEWPORT_MARGIN_PX`] of the viewport, as the big feeds
/// do. Without JavaScript the link leads to `{base_path}?after={cursor}`;
/// with it, a click (or the scroll) calls `on_load` instead. After a
/// failed load (`failed`), loading waits for a click, so an error is not
/// retried in a loop.
#[component]
pub fn LoadMore(
    /// The next page's cursor; `None` at the end of the list (nothing shown).
    #[prop(into)]
    next: Signal<Option<String>>,
    /// The list's page, for the link without JavaScript.
    #[prop(into)]
    base_path: String,
    /// A page is being fetched: the link reads "Loading…" and starts nothing.
    #[prop(into)]
    loading: Signal<bool>,
    /// The last load failed.
    #[prop(into)]
    failed: Signal<bool>,
    /// Fetches the page after the cursor and appends it.
    on_load: Callback<String>,
) -> impl IntoView {
    let load = move |cursor: String| {
        if !loading.get_untracked() {
            on_load.run(cursor);
        }
    };
    let end = NodeRef::new();
    let near_end = near_viewport(end);
    Effect::new(move |_| {
        if near_end.get()
            && !loading.get()
            && !failed.get()
            && let Some(cursor) = next.get()
        {
            load(cursor);
        }
    });
    view! {
        <div class="list-end" node_ref=end>
            {move || {
                next.get()
                    .map(|cursor| {
                        let href = format!("{base_path}?after={}", encode_query_value(&cursor));
                        view! {
                            <a
                                class="button load-more"
                                href=href
                                aria-disabled=move || loading.get().to_string()
                                on:click=move |ev| {
                                    ev.prevent_default();
                                    load(cursor.clone());
                                }
                            >
                                {move || if loading.get() { "Loading…" } else { "Load more" }}
                            </a>
                        }
                    })
            }}
        </div>
    }
}
