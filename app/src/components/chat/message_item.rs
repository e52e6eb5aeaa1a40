use crate::components::common::{Avatar, RelativeTime};
use crate::components::photos::PhotoViewer;
use crate::components::posts::text_runs;
use crate::ids::{MessageId, UserId};
use crate::models::{MessageView, Photo};
use crate::server_fns::chat::{DeleteMessage, EditMessage};
use leptos::prelude::*;

/// One message: sender (with their avatar unless it's yours), time, photo, text (or "This message was deleted"),
/// "(edited)", and for your own messages Edit / Delete (with a
/// confirmation). `seen` is the "Seen" / "Seen by N" line under it, if any.
#[component]
pub fn MessageItem(
    message: MessageView,
    me: Option<UserId>,
    /// Which message is being edited (one at a time).
    editing: RwSignal<Option<MessageId>>,
    edit: ServerAction<EditMessage>,
    delete: ServerAction<DeleteMessage>,
    seen: Signal<Option<String>>,
) -> impl IntoView {
    let mine = Some(message.sender.id) == me;
    let id = message.id;
    let who = if mine {
        "You".to_owned()
    } else {
        message.sender.display_name.clone()
    };
    let confirming = RwSignal::new(false);
    let draft = RwSignal::new(message.body.clone());
    let body = message.body.clone();
    let deleted = message.deleted;
    let can_change = mine && !deleted;
    let photo = message
        .photo
        .clone()
        .filter(|_| !deleted)
        .map(|photo| view! { <MessagePhoto photo /> });
    view! {
        <li class="message" class:mine=mine id=format!("message-{id}") aria-label=format!("Message from {who}")>
            <div class="message-meta">
                {(!mine).then(|| view! { <Avatar photo=message.sender.avatar.clone() size=20 /> })}
                <strong class="message-sender">{who.clone()}</strong>
                <RelativeTime ms=message.created_at_ms />
                {message.edited.then(|| view! { <span class="message-edited">"(edited)"</span> })}
            </div>
            {photo}
            {move || {
                if editing.get() == Some(id) {
                    view! {
                        <form
                            class="message-edit"
                            on:submit=move |ev| {
                                ev.prevent_default();
                                edit.dispatch(EditMessage { message_id: id, body: draft.get_untracked() });
                                editing.set(None);
                            }
                        >
                            <label class="visually-hidden" for=format!("edit-{id}")>"Edit message"</label>
                            <textarea
                                id=format!("edit-{id}")
                                rows="2"
                                prop:value=move || draft.get()
                                on:input=move |ev| draft.set(event_target_value(&ev))
                            ></textarea>
                            <div class="row-buttons">
                                <button type="submit" class="button primary">"Save"</button>
                                <button type="button" class="button" on:click=move |_| editing.set(None)>
                                    "Cancel"
                                </button>
                            </div>
                        </form>
                    }
                    .into_any()
                } else if deleted {
                    view! { <p class="message-body message-deleted">"This message was deleted"</p> }.into_any()
                } else {
                    (!body.is_empty())
                        .then(|| view! { <p class="message-body">{text_runs(&body, &[])}</p> })
                        .into_any()
                }
            }}
            {can_change
                .then(|| {
                    view! {
                        <div class="message-tools">
                            <Show
                                when=move || confirming.get()
                                fallback=move || {
                                    view! {
                                        <button type="button" class="link-button" on:click=move |_| editing.set(Some(id))>
                                            "Edit"
                                        </button>
                                        <button type="button" class="link-button" on:click=move |_| confirming.set(true)>
                                            "Delete"
                                        </button>
                                    }
                                }
                            >
                                <span>"Delete this message?"</span>
                                <button
                                    type="button"
                                    class="link-button danger"
                                    on:click=move |_| {
                                        confirming.set(false);
                                        delete.dispatch(DeleteMessage { message_id: id });
                                    }
                                >
                                    "Delete message"
                                </button>
                                <button type="button" class="link-button" on:click=move |_| confirming.set(false)>
                                    "Keep"
                                </button>
                            </Show>
                        </div>
                    }
                })}
            {move || seen.get().map(|s| view! { <p class="seen">{s}</p> })}
        </li>
    }
}

/// A message's photo (the 640 variant, at most about 20rem wide) that
/// opens the viewer.
#[component]
fn MessagePhoto(photo: Photo) -> impl IntoView {
    let open = RwSignal::new(None::<usize>);
    let name = if photo.alt.is_empty() {
        "Open photo".to_owned()
    } else {
        format!("Open photo: {}", photo.alt)
    };
    let (width, height) = photo.size_at(640);
    let style = format!("aspect-ratio:{width}/{height};{}", photo.placeholder_css());
    view! {
        <button type="button" class="message-photo" style=style aria-label=name on:click=move |_| open.set(Some(0))>
            <img
                src=photo.url_for(640)
                srcset=photo.srcset()
                sizes="(max-width: 480px) 70vw, 320px"
                width=width
                height=height
                loading="lazy"
                decoding="async"
                alt=photo.alt.clone()
            />
        </button>
        <PhotoViewer photos=vec![photo] open />
    }
}
