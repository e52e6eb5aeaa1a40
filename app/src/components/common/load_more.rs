use super::{ErrorNotice, encode_query_value};
use crate::error::AppError;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_bindgen::{JsCast, closure::Closure};
use leptos::web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};
use std::future::Future;

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

/// The pages of a list fetched after its first page, newest last, and
/// the state of fetching the next one: the list shows [`Paged::items`],
/// and [`LoadMore`] drives [`Paged::pager`].
pub struct Paged<P: Send + Sync + 'static> {
    pages: RwSignal<Vec<P>>,
    pager: Pager,
}

impl<P: Send + Sync + 'static> Clone for Paged<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Send + Sync + 'static> Copy for Paged<P> {}

impl<P: Send + Sync + 'static> Paged<P> {
    /// Paging that starts after the first page, whose cursor is
    /// `first_cursor` (`None`: the first page was the last). `fetch` gets
    /// the page after a cursor; `next_cursor` reads a page's own cursor.
    ///
    /// One page is fetched at a time. A failed fetch keeps its
    /// [`AppError`] for [`LoadMore`] to show and appends nothing; the
    /// next successful fetch clears it.
    pub fn new<F, Fut>(
        first_cursor: Option<String>,
        fetch: F,
        next_cursor: fn(&P) -> Option<String>,
    ) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<P, AppError>> + 'static,
    {
        let pages = RwSignal::new(Vec::<P>::new());
        let loading = RwSignal::new(false);
        let error = RwSignal::new(None::<AppError>);
        let next = Memo::new(move |_| {
            pages.with(|pages| {
                pages
                    .last()
                    .map_or_else(|| first_cursor.clone(), next_cursor)
            })
        });
        let load = Callback::new(move |cursor: String| {
            if loading.get_untracked() {
                return;
            }
            loading.set(true);
            let page = fetch(cursor);
            spawn_local(async move {
                match page.await {
                    Ok(page) => {
                        error.set(None);
                        pages.update(|pages| pages.push(page));
                    }
                    Err(e) => error.set(Some(e)),
                }
                loading.set(false);
            });
        });
        Self {
            pages,
            pager: Pager {
                next: next.into(),
                loading,
                error,
                load,
            },
        }
    }

    /// Every item of the fetched pages, in order, as `items` takes them out
    /// of a page: the `each` of the list's `<For>`.
    pub fn items<T>(self, items: fn(P) -> Vec<T>) -> impl Fn() -> Vec<T> + Copy
    where
        P: Clone,
    {
        move || self.pages.get().into_iter().flat_map(items).collect()
    }

    /// What [`LoadMore`] needs, without the page type.
    pub fn pager(&self) -> Pager {
        self.pager
    }
}

/// The page-type-free half of [`Paged`]: the next cursor, whether a fetch
/// is under way or failed, and how to start one.
#[derive(Clone, Copy)]
pub struct Pager {
    next: Signal<Option<String>>,
    loading: RwSignal<bool>,
    error: RwSignal<Option<AppError>>,
    load: Callback<String>,
}

/// The end of a paged list, newest first: the last failed fetch's error,
/// then, while there is a next page, a "Load more" link; the next page
/// loads by itself when the link comes within [`NEAR_VIEWPORT_MARGIN_PX`]
/// of the viewport, as the big feeds do. Without JavaScript the link leads
/// to `{base_path}?after={cursor}`; with it, a click (or the scroll)
/// fetches through `pager`. After a failed fetch, loading waits for a
/// click, so an error is not retried in a loop.
#[component]
pub fn LoadMore(
    /// The list's paging state, from [`Paged::pager`].
    pager: Pager,
    /// The list's page, for the link without JavaScript.
    #[prop(into)]
    base_path: String,
) -> impl IntoView {
    let Pager {
        next,
        loading,
        error,
        load,
    } = pager;
    let end = NodeRef::new();
    let near_end = near_viewport(end);
    Effect::new(move |_| {
        if near_end.get()
            && !loading.get()
            && error.with(Option::is_none)
            && let Some(cursor) = next.get()
        {
            load.run(cursor);
        }
    });
    view! {
        <ErrorNotice error=error.into() />
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
                                    load.run(cursor.clone());
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
