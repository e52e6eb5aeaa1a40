//! Ways to put files into a [`PhotoPicker`]: the "Add photos" file input
//! (a visible label styled as a button), and reading the files of a drop
//! or a paste.

use super::photo_picker::PhotoPicker;
use super::upload::files_of;
use crate::components::common::{Icon, IconName};
use leptos::prelude::*;
use web_sys::File;

/// The image types the file chooser offers (the server decides in the end).
pub const PHOTO_ACCEPT: &str = "image/jpeg,image/png,image/webp,image/gif";

/// A file input for `picker` with a label that looks like a button. With
/// `multiple` the files chosen are added; otherwise the one chosen
/// replaces what was there. `hide_text` keeps `label` for screen readers
/// only, showing just the icon.
#[component]
pub fn AddPhotosInput(
    picker: PhotoPicker,
    /// Element id, unique on the page.
    id: &'static str,
    /// The label ("Add photos").
    label: &'static str,
    #[prop(default = true)] multiple: bool,
    #[prop(default = false)] hide_text: bool,
) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files = files_of(input.files());
        // Lets the same file be chosen again after removing it.
        input.set_value("");
        if multiple {
            picker.add(files);
        } else {
            picker.replace(files);
        }
    };
    view! {
        <input
            id=id
            type="file"
            class="visually-hidden photo-input"
            accept=PHOTO_ACCEPT
            multiple=multiple
            on:change=on_change
        />
        <label for=id class="button ghost photo-add" title=hide_text.then_some(label)>
            <Icon name=IconName::Photo />
            <span class:visually-hidden=hide_text>{label}</span>
        </label>
    }
}

/// Whether a drag carries files (so dropping here should be allowed).
pub fn drag_has_files(ev: &web_sys::DragEvent) -> bool {
    ev.data_transfer().is_some_and(|dt| {
        dt.types()
            .iter()
            .any(|t| t.as_string().as_deref() == Some("Files"))
    })
}

/// The files of a drop, in order.
pub fn dropped_files(ev: &web_sys::DragEvent) -> Vec<File> {
    files_of(ev.data_transfer().and_then(|dt| dt.files()))
}

/// The image files of a paste (empty for pasted text).
pub fn pasted_files(ev: &web_sys::ClipboardEvent) -> Vec<File> {
    files_of(ev.clipboard_data().and_then(|dt| dt.files()))
        .into_iter()
        .filter(|f| f.type_().starts_with("image/"))
        .collect()
}
