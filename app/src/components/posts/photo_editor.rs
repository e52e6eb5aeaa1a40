//! The photos part of "Edit post": alt text and removal, per photo.

use super::post_card::PostState;
use crate::components::common::action_error;
use crate::models::Photo;
use crate::server_fns::media::{RemovePostPhoto, UpdatePhotoAlt};
use crate::validation::TextLimit;
use leptos::prelude::*;

/// In "Edit post": each photo of the post with "Alt text for photo N"
/// (saved on its own) and "Remove photo N". Plain forms, so both also work
/// without JavaScript.
#[component]
pub fn PostPhotoEditor(state: PostState) -> impl IntoView {
    view! {
        <Show when=move || state.photos.with(|p| !p.is_empty())>
            <fieldset class="photo-editor">
                <legend>"Photos"</legend>
                <ul class="photo-edit-list">
                    <ForEnumerate
                        each=move || state.photos.get()
                        key=|p| p.id.clone()
                        let(index,
                        photo)
                    >
                        <EditablePhoto state photo index />
                    </ForEnumerate>
                </ul>
            </fieldset>
        </Show>
    }
}

#[component]
fn EditablePhoto(state: PostState, photo: Photo, index: ReadSignal<usize>) -> impl IntoView {
    let update = ServerAction::<UpdatePhotoAlt>::new();
    let remove = ServerAction::<RemovePostPhoto>::new();
    let update_error = action_error(update);
    let remove_error = action_error(remove);
    Effect::new(move |_| {
        if let Some(Ok(saved)) = update.value().get() {
            state.photos.update(|list| {
                if let Some(p) = list.iter_mut().find(|p| p.id == saved.id) {
                    *p = saved;
                }
            });
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(post)) = remove.value().get() {
            state.apply(post);
        }
    });
    let saved = move || matches!(update.value().get(), Some(Ok(_))).then_some("Saved.");
    // Any failure, as its sentence (they are all about this photo).
    let error = move || {
        remove_error
            .get()
            .or_else(|| update_error.get())
            .map(|e| e.to_string())
    };
    let n = move || index.get() + 1;
    let input_id = format!("photo-alt-{}", photo.id);
    let (width, height) = photo.size_at(160);
    let alt_form_id = photo.id.clone();
    let remove_form_id = photo.id.clone();
    let alt = photo.alt.clone();
    view! {
        <li class="photo-edit">
            <img
                class="photo-edit-thumb"
                src=photo.url_for(160)
                width=width
                height=height
                alt=""
                style=photo.placeholder_css()
            />
            <div class="photo-edit-fields">
                <ActionForm action=update>
                    <input type="hidden" name="id" value=alt_form_id />
                    <label for=input_id
                        .clone()>{move || format!("Alt text for photo {}", n())}</label>
                    <div class="photo-edit-row">
                        <input
                            id=input_id
                            type="text"
                            name="alt"
                            maxlength=TextLimit::AltText.maxlength()
                            value=alt
                            placeholder="Describe this photo"
                        />
                        <button
                            type="submit"
                            class="button"
                            aria-label=move || format!("Save alt text for photo {}", n())
                            disabled=move || update.pending().get()
                        >
                            "Save alt text"
                        </button>
                    </div>
                    <p class="status" role="status">
                        {saved}
                    </p>
                </ActionForm>
                <ActionForm action=remove>
                    <input type="hidden" name="id" value=remove_form_id />
                    <button
                        type="submit"
                        class="button ghost photo-edit-remove"
                        disabled=move || remove.pending().get()
                    >
                        {move || format!("Remove photo {}", n())}
                    </button>
                </ActionForm>
                <p class="field-error" role="alert">
                    {error}
                </p>
            </div>
        </li>
    }
}
