//! The tiles of a [`PhotoPicker`]: local preview, "Remove photo N",
//! upload progress, the upload's error and "Alt text for photo N".
//! The tiles' code is a chunk of its own ([`picked_tiles`]), fetched when
//! the first photo is chosen.

use super::photo_picker::{PhotoPicker, PickedPhoto};
use crate::components::common::{Icon, IconName, lazy_view, sendable};
use crate::validation::TextLimit;
use leptos::prelude::*;

/// The photos chosen in `picker`, one tile each, plus its notice (e.g.
/// over the limit). `id_prefix` keeps element ids unique on the page.
#[component]
pub fn PickedPhotos(
    picker: PhotoPicker,
    /// Prefix of the alt inputs' ids.
    id_prefix: &'static str,
    /// Number the photos in labels ("Remove photo 2"); off for a picker
    /// that holds one photo ("Remove photo").
    #[prop(default = true)]
    numbered: bool,
) -> impl IntoView {
    view! {
        <Show when=move || {
            !picker.is_empty()
        }>
            {move || lazy_view(
                sendable(picked_tiles(picker, id_prefix, numbered)),
                || ().into_any(),
            )}
        </Show>
        <p class="field-error" role="status">
            {move || picker.notice.get()}
        </p>
    }
}

/// The list of tiles, from a wasm chunk of its own: a picker is empty
/// until the viewer chooses a photo, so the feed's first download doesn't
/// carry it (`components::common::sendable` tells how `#[lazy]` works).
#[lazy]
fn picked_tiles(picker: PhotoPicker, id_prefix: &'static str, numbered: bool) -> AnyView {
    view! {
        <ul class="picked-photos" aria-label="Photos to attach">
            <ForEnumerate each=move || picker.items() key=|item| item.key let(index, item)>
                <PickedTile picker item index id_prefix numbered />
            </ForEnumerate>
        </ul>
    }
    .into_any()
}

#[component]
fn PickedTile(
    picker: PhotoPicker,
    item: PickedPhoto,
    index: ReadSignal<usize>,
    id_prefix: &'static str,
    numbered: bool,
) -> impl IntoView {
    let key = item.key;
    let name = move || {
        if numbered {
            format!("photo {}", index.get() + 1)
        } else {
            "photo".to_owned()
        }
    };
    let alt_id = format!("{id_prefix}alt-{key}");
    let unreadable = RwSignal::new(false);
    let uploading = {
        let item = item.clone();
        move || item.uploading()
    };
    let error = {
        let item = item.clone();
        move || item.error().map(|e| e.to_string())
    };
    let failed = {
        let error = error.clone();
        move || error().is_some()
    };
    let progress = item.progress.clone();
    let alt = item.alt.clone();
    let alt_input = item.alt.clone();
    view! {
        <li class="picked-photo" class:failed=failed>
            <div class="picked-frame">
                // A file the browser can't show either: no broken-image icon.
                {item
                    .preview
                    .clone()
                    .map(|src| {
                        view! {
                            <img
                                src=src
                                alt=""
                                hidden=move || unreadable.get()
                                on:error=move |_| unreadable.set(true)
                            />
                        }
                    })}
                <button
                    type="button"
                    class="picked-remove"
                    aria-label=move || format!("Remove {}", name())
                    on:click=move |_| picker.remove(key)
                >
                    <Icon name=IconName::Close />
                </button>
                <progress
                    class="picked-progress"
                    max="1"
                    value=move || progress.get().to_string()
                    aria-label=move || format!("Uploading {}", name())
                    hidden=move || !uploading()
                ></progress>
            </div>
            <p class="field-error picked-error" role="alert">
                {error}
            </p>
            <label class="picked-alt-label" for=alt_id.clone()>
                "Alt text"
                <span class="visually-hidden">{move || format!(" for {}", name())}</span>
            </label>
            <input
                id=alt_id
                type="text"
                class="picked-alt"
                maxlength=TextLimit::AltText.maxlength()
                placeholder="Describe it"
                prop:value=move || alt.get()
                on:input=move |ev| alt_input.set(event_target_value(&ev))
            />
        </li>
    }
}
