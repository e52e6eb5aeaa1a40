//! A full-screen viewer for a list of photos: a modal `<dialog>` (focus
//! stays inside; Esc closes) with the large variant, its alt text as a
//! caption, "Photo 2 of 3", "Previous photo" / "Next photo" (and the
//! arrow keys, wrapping around) and "Close". Clicking beside the photo
//! closes it too. What the dialog shows is a chunk of its own
//! ([`viewer_content`]), fetched when a photo is first opened.

use crate::components::common::{Icon, IconName, lazy_view, sendable};
use crate::models::Photo;
use leptos::prelude::*;

/// The viewer for `photos`; it is open while `open` holds an index.
#[component]
pub fn PhotoViewer(
    #[prop(into)] photos: Signal<Vec<Photo>>,
    /// The photo shown, `None` when closed.
    open: RwSignal<Option<usize>>,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        let want = open.get().is_some();
        if let Some(d) = dialog.get() {
            if want && !d.open() {
                let _ = d.show_modal();
            } else if !want && d.open() {
                d.close();
            }
        }
    });
    let count = move || photos.with(Vec::len);
    let step = move |delta: isize| {
        let n = count().max(1) as isize;
        open.update(|o| {
            if let Some(i) = o {
                *i = (*i as isize + delta).rem_euclid(n) as usize;
            }
        });
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowRight" => {
            ev.prevent_default();
            step(1);
        }
        "ArrowLeft" => {
            ev.prevent_default();
            step(-1);
        }
        _ => {}
    };
    // A click beside the photo (not on it or on a button) closes the viewer.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        use leptos::wasm_bindgen::JsCast as _;
        let beside = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| {
                el.tag_name() == "DIALOG"
                    || ["viewer-stage", "viewer-figure", "viewer-bar"]
                        .iter()
                        .any(|c| el.class_list().contains(c))
            });
        if beside {
            open.set(None);
        }
    };
    let position = Signal::derive(move || {
        open.get()
            .map(|i| format!("Photo {} of {}", i + 1, count()))
            .unwrap_or_default()
    });
    let is_open = Memo::new(move |_| open.with(Option::is_some));
    let step = Callback::new(step);
    view! {
        <dialog
            node_ref=dialog
            class="photo-viewer"
            aria-label=position
            on:close=move |_| open.set(None)
            on:keydown=on_keydown
            on:click=on_click
        >
            <Show when=move || {
                is_open.get()
            }>
                {move || lazy_view(
                    sendable(viewer_content(photos, open, position, step)),
                    || ().into_any(),
                )}
            </Show>
        </dialog>
    }
}

/// What the open viewer shows: `position` ("Photo 2 of 3"), "Close", the
/// photo and, for several, "Previous photo" and "Next photo" (`step` moves
/// by -1 or 1).
/// From a wasm chunk of its own, fetched when a photo is first opened
/// (`components::common::sendable` tells how `#[lazy]` works).
#[lazy]
fn viewer_content(
    photos: Signal<Vec<Photo>>,
    open: RwSignal<Option<usize>>,
    position: Signal<String>,
    step: Callback<isize>,
) -> AnyView {
    let current = move || open.get().and_then(|i| photos.with(|p| p.get(i).cloned()));
    let several = move || photos.with(Vec::len) > 1;
    // `autofocus` works when the chunk was already in as the dialog opened;
    // the first time, the content arrives after, and takes the focus then
    // (at the next frame: the button is made before it is put in the page).
    let close = NodeRef::<leptos::html::Button>::new();
    close.on_load(|button| {
        request_animation_frame(move || {
            let _ = button.focus();
        });
    });
    view! {
        <div class="viewer-bar">
            <p class="viewer-position" aria-live="polite">
                {position}
            </p>
            <button
                type="button"
                class="viewer-button"
                aria-label="Close"
                autofocus
                node_ref=close
                on:click=move |_| open.set(None)
            >
                <Icon name=IconName::Close />
            </button>
        </div>
        <div class="viewer-stage">
            {move || current().map(|photo| viewer_figure(&photo))} <Show when=several>
                <button
                    type="button"
                    class="viewer-button viewer-prev"
                    aria-label="Previous photo"
                    on:click=move |_| step.run(-1)
                >
                    <Icon name=IconName::ChevronLeft size=28 />
                </button>
                <button
                    type="button"
                    class="viewer-button viewer-next"
                    aria-label="Next photo"
                    on:click=move |_| step.run(1)
                >
                    <Icon name=IconName::ChevronRight size=28 />
                </button>
            </Show>
        </div>
    }
    .into_any()
}

/// The large variant with its caption. The image is sized from the photo's
/// shape before it loads (so nothing jumps) over its placeholder colours.
fn viewer_figure(photo: &Photo) -> impl IntoView + use<> {
    let (width, height) = photo.size_at(1280);
    let ratio = if height > 0 {
        f64::from(width) / f64::from(height)
    } else {
        1.0
    };
    let style = format!(
        "--ratio:{ratio:.4};--natural-width:{width}px;{}",
        photo.placeholder_css()
    );
    let caption = (!photo.alt.is_empty()).then(|| photo.alt.clone());
    view! {
        <figure class="viewer-figure">
            <img
                src=photo.url_for(1280)
                width=width
                height=height
                alt=photo.alt.clone()
                style=style
            />
            {caption.map(|c| view! { <figcaption class="viewer-caption">{c}</figcaption> })}
        </figure>
    }
}
