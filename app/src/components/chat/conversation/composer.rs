//! The message box of a conversation, with one photo at most.

use crate::components::photos::{AddPhotosInput, PhotoPicker, PickedPhotos, pasted_files};
use crate::contexts::live_context::use_live;
use crate::events::ClientFrame;
use crate::ids::ConversationId;
use crate::models::{MediaPurpose, TYPING_RESEND_MS};
use crate::server_fns::chat::SendMessage;
use crate::validation::TextLimit;
use leptos::prelude::*;

/// The box under a conversation: the text ("Message"; Enter sends,
/// Shift+Enter breaks the line), "Add photo" (uploads at once, with
/// progress; the text then is its caption) and "Send". Tells the others
/// that you are typing, at most every [`TYPING_RESEND_MS`].
#[component]
pub fn MessageComposer(
    conversation: ConversationId,
    send: ServerAction<SendMessage>,
) -> impl IntoView {
    let live = use_live();
    let draft = RwSignal::new(String::new());
    let last_typing_sent = StoredValue::new(0.0_f64);
    let picker = PhotoPicker::new(MediaPurpose::Message, 1);
    let submit = move || {
        if picker.uploading() {
            return;
        }
        let body = draft.get_untracked();
        let photo = picker.inputs().into_iter().next();
        if body.trim().is_empty() && photo.is_none() {
            return;
        }
        send.dispatch(SendMessage {
            conversation_id: conversation,
            body,
            photo,
        });
        draft.set(String::new());
        picker.clear();
        last_typing_sent.set_value(0.0);
    };
    let on_input = move |ev: leptos::ev::Event| {
        draft.set(event_target_value(&ev));
        let t = js_sys::Date::now();
        if t - last_typing_sent.get_value() > TYPING_RESEND_MS as f64 {
            last_typing_sent.set_value(t);
            live.send(&ClientFrame::Typing {
                conversation_id: conversation,
            });
        }
    };
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        let files = pasted_files(&ev);
        if !files.is_empty() {
            ev.prevent_default();
            picker.replace(files);
        }
    };
    view! {
        <form
            class="message-composer"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
            on:paste=on_paste
        >
            <PickedPhotos picker id_prefix="message-photo-" numbered=false />
            <AddPhotosInput
                picker
                id="message-photo"
                label="Add photo"
                multiple=false
                hide_text=true
            />
            <label class="visually-hidden" for="message-input">
                "Message"
            </label>
            <textarea
                id="message-input"
                rows="2"
                placeholder="Write a message…"
                maxlength=TextLimit::Message.maxlength()
                prop:value=move || draft.get()
                on:input=on_input
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && !ev.shift_key() {
                        ev.prevent_default();
                        submit();
                    }
                }
            ></textarea>
            <button type="submit" class="button primary" disabled=move || picker.uploading()>
                "Send"
            </button>
        </form>
    }
}
