//! The owner's controls for their profile picture and cover: choose a file
//! (previewed in place, cropped by CSS as the server will crop it), save it
//! with upload progress, cancel, or remove the current one. Each picture
//! has one [`PhotoEdit`] shared by [`ProfilePicture`], [`PhotoTools`] and
//! [`PhotoStatus`]. Without JavaScript the pictures show and "Remove"
//! works (a plain form); choosing a file needs JavaScript.

mod state;

pub use state::PhotoEdit;

use crate::components::common::{Avatar, Cover, focus_within};
use crate::components::photos::files_of;
use crate::models::{MediaPurpose, Photo};
use crate::server_fns::media::RemoveProfilePhoto;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast as _;
use state::Phase;

/// What the file input offers (the formats the server decodes).
const ACCEPT: &str = "image/jpeg,image/png,image/webp,image/gif";
/// Avatar size on the profile page, CSS pixels.
const AVATAR_PX: u32 = 96;

/// The profile's avatar or cover; while the owner has a file chosen, its
/// local preview in the same place and shape.
#[component]
pub fn ProfilePicture(
    /// `Avatar` or `Cover`.
    purpose: MediaPurpose,
    /// The saved picture, `None` for the placeholder.
    photo: Option<Photo>,
    /// The owner's editor (`None` for visitors).
    edit: Option<PhotoEdit>,
) -> impl IntoView {
    let saved = move || match purpose {
        MediaPurpose::Avatar => view! { <Avatar photo=photo.clone() size=AVATAR_PX /> }.into_any(),
        _ => view! { <Cover photo=photo.clone() /> }.into_any(),
    };
    let Some(edit) = edit else {
        return saved().into_any();
    };
    let alt = edit.texts().preview_alt;
    let class = match purpose {
        MediaPurpose::Avatar => "avatar photo-preview",
        _ => "cover photo-preview",
    };
    (move || match edit.preview.get() {
        Some(url) => view! {
            <img
                class=class
                class:uploading=move || {
                    matches!(edit.phase.get(), Phase::Uploading(_) | Phase::Saving)
                }
                src=url
                alt=alt
                on:error=move |_| edit.unreadable()
            />
        }
        .into_any(),
        None => saved(),
    })
    .into_any()
}

/// The owner's buttons for one picture: "Change …" (a file input), then
/// "Save …" and "Cancel" while a file is chosen, and "Remove …" when the
/// profile has one.
#[component]
pub fn PhotoTools(edit: PhotoEdit) -> impl IntoView {
    let texts = edit.texts();
    let root = NodeRef::<leptos::html::Div>::new();
    // Keep keyboard focus on the buttons as they swap.
    let focus = move |selector: &'static str| {
        request_animation_frame(move || {
            if let Some(root) = root.get_untracked() {
                focus_within(&root, selector);
            }
        });
    };
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let file = files_of(input.files()).into_iter().next();
        // Choosing the same file again must fire `change` again.
        input.set_value("");
        if let Some(file) = file {
            edit.choose(file);
            if edit.phase.get_untracked() == Phase::Chosen {
                focus(".photo-save");
            }
        }
    };
    let chosen = move || edit.phase.get() == Phase::Chosen;
    view! {
        <div class="photo-tools" node_ref=root>
            <label class="button photo-choose" hidden=move || edit.editing()>
                <input
                    type="file"
                    class="visually-hidden"
                    accept=ACCEPT
                    disabled=move || !edit.ready.get()
                    on:change=on_change
                />
                {short_on_phones(texts.change, texts.phone_tail)}
            </label>
            <button
                type="button"
                class="button primary photo-save"
                hidden=move || !edit.editing()
                disabled=move || !chosen()
                on:click=move |_| edit.save()
            >
                {texts.save}
            </button>
            <button
                type="button"
                class="button"
                hidden=move || !edit.editing()
                disabled=move || edit.phase.get() == Phase::Saving
                on:click=move |_| {
                    edit.cancel();
                    focus(".photo-choose input");
                }
            >
                "Cancel"
            </button>
            {edit.has_photo.then(|| view! { <RemoveButton edit /> })}
        </div>
    }
}

/// `text` with its ending `tail` out of sight on phones (still part of
/// the accessible name, which starts with what is shown).
fn short_on_phones(text: &'static str, tail: &'static str) -> impl IntoView {
    let (shown, hidden) = match text.strip_suffix(tail) {
        Some(shown) if !tail.is_empty() => (shown, tail),
        _ => (text, ""),
    };
    view! { <span>{shown} <span class="photo-label-tail">{hidden}</span></span> }
}

/// "Remove …": a form, so it also works without JavaScript.
#[component]
fn RemoveButton(edit: PhotoEdit) -> impl IntoView {
    let remove = ServerAction::<RemoveProfilePhoto>::new();
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => edit.changed(),
        Some(Err(e)) => edit.error.set(Some(e.to_string())),
        None => {}
    });
    view! {
        <ActionForm action=remove>
            <input type="hidden" name="purpose" value=edit.purpose.as_str() />
            <button
                type="submit"
                class="button"
                hidden=move || edit.editing()
                disabled=move || remove.pending().get()
            >
                {short_on_phones(edit.texts().remove, edit.texts().phone_tail)}
            </button>
        </ActionForm>
    }
}

/// The upload's progress bar and the last error (an alert) for one picture.
#[component]
pub fn PhotoStatus(edit: PhotoEdit) -> impl IntoView {
    let texts = edit.texts();
    let label_id = format!("{}-upload-label", edit.purpose.as_str());
    let sent = move || match edit.phase.get() {
        Phase::Uploading(f) => Some(f),
        Phase::Saving => Some(1.0),
        Phase::Idle | Phase::Chosen => None,
    };
    view! {
        <Show when=move || sent().is_some()>
            <div class="photo-progress">
                <span id=label_id.clone()>{texts.uploading}</span>
                <progress
                    max="1"
                    value=move || sent().unwrap_or(0.0)
                    aria-labelledby=label_id.clone()
                ></progress>
            </div>
        </Show>
        <Show when=move || edit.error.get().is_some()>
            <p class="form-error photo-error" role="alert">
                {move || edit.error.get()}
            </p>
        </Show>
    }
}
