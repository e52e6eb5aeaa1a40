//! Code the browser fetches when it is first needed rather than with the
//! page.
//!
//! A `#[lazy]` function (Leptos 0.8's wasm splitting) becomes an `async`
//! function. `cargo leptos build --split` (every build script here passes
//! it) moves the code only it reaches into a `.wasm` chunk of its own; the
//! first call downloads that chunk and later calls run at once. On the
//! server it is a plain `async fn` that also asks for a `<link
//! rel="preload">` of its chunk when a page rendered there uses it.
//!
//! A build without `--split` still compiles but the browser then fails to
//! load the app: its wasm imports the split loader, which only `--split`
//! writes.

use leptos::prelude::*;
use std::future::Future;

/// A `#[lazy]` function's future, made `Send` as `Suspend::new` wants it.
///
/// In the browser the split loader's future holds an `Rc`; the browser
/// runs the app on one thread, so the future is wrapped in a
/// [`send_wrapper::SendWrapper`] (which panics if polled from another
/// thread, which can't happen there). On the server the future is
/// already `Send` and is returned unchanged.
#[cfg(feature = "hydrate")]
pub fn sendable<F: Future>(future: F) -> send_wrapper::SendWrapper<F> {
    send_wrapper::SendWrapper::new(future)
}

/// A `#[lazy]` function's future, made `Send` as `Suspend::new` wants it
/// (on the server it already is, and is returned unchanged).
#[cfg(not(feature = "hydrate"))]
pub fn sendable<F: Future + Send>(future: F) -> F {
    future
}

/// Shows the view a `#[lazy]` function's `future` (wrapped in
/// [`sendable`]) gives: at once when its chunk is already loaded, else
/// `fallback` until it is.
///
/// At once is what the server always does (there a lazy function doesn't
/// wait for anything) and what the browser does while hydrating (it loads
/// the page's chunks first, `crate::lazy::load_rendered_chunks`). So the
/// page is built in the same order on both sides, which Leptos needs: it
/// matches each resource the browser creates with the server's answer by
/// the order they were created in, and a view built later inside a
/// `Suspend` would shift them (a page would then fetch again, or show
/// another resource's data). Only a view opened later in the browser (a
/// page not visited yet, comments opened) waits behind `fallback`.
pub fn lazy_view<F>(future: F, fallback: impl Fn() -> AnyView + Send + Sync + 'static) -> AnyView
where
    F: Future<Output = AnyView> + Send + 'static,
{
    use futures::FutureExt as _;
    let mut future = Box::pin(future);
    if let Some(view) = (&mut future).now_or_never() {
        return view;
    }
    let pending = std::sync::Arc::new(std::sync::Mutex::new(Some(future)));
    view! {
        <Suspense fallback=fallback>
            {move || pending.lock().ok().and_then(|mut f| f.take()).map(Suspend::new)}
        </Suspense>
    }
    .into_any()
}
