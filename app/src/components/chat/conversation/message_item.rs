use super::state::ConversationState;
use crate::components::common::{Avatar, Icon, IconName, RelativeTime};
use crate::components::photos::PhotoViewer;
use crate::components::posts::text_runs;
use crate::models::{MessageView, Photo};
use crate::server_fns::chat::{DeleteMessage, EditMessage};
use leptos::prelude::*;

/// One message. The first of a group (`group_start`) has the header:
/// the sender's avatar (not on yours), name and time; the others show
/// their time on hover or focus. Then the photo, the text (or "This
/// message was deleted") and "(edited)". Your own messages have a
/// "Message actions" menu (shown on hover or focus, always on touch
/// screens) with Edit and Delete (which asks first). `seen` is the
/// "Seen" / "Seen by N" line under it, if any.
#[component]
pub fn MessageItem(
    message: MessageView,
    state: ConversationState,
    seen: Signal<Option<String>>,
    /// Whether it starts a group (see `message_list::group_starts`).
    group_start: Signal<bool>,
) -> impl IntoView {
    let ConversationState {
        me,
        editing,
        edit,
        delete,
        ..
    } = state;
    let mine = Some(message.sender.id) == me;
    let id = message.id;
    let who = if mine {
        "You".to_owned()
    } else {
        message.sender.display_name.clone()
    };
    let draft = RwSignal::new(message.body.clone());
    let body = message.body.clone();
    let deleted = message.deleted;
    let can_change = mine && !deleted;
    let sent_at = message.created_at_ms;
    let avatar = message.sender.avatar.clone();
    let photo = message
        .photo
        .clone()
        .filter(|_| !deleted)
        .map(|photo| view! { <MessagePhoto photo /> });
    let header_who = who.clone();
    view! {
        <li
            class="message"
            class:mine=mine
            class:group-start=move || group_start.get()
            id=format!("message-{id}")
            aria-label=format!("Message from {who}")
        >
            <Show
                when=move || group_start.get()
                fallback=move || {
                    view! {
                        <span class="message-hover-time">
                            <RelativeTime ms=sent_at />
                        </span>
                    }
                }
            >
                <div class="message-meta">
                    {(!mine).then(|| view! { <Avatar photo=avatar.clone() size=20 /> })}
                    <strong class="message-sender">{header_who.clone()}</strong>
                    <RelativeTime ms=sent_at />
                </div>
            </Show>
            {photo}
            {move || {
                if editing.get() == Some(id) {
                    view! {
                        <form
                            class="message-edit"
                            on:submit=move |ev| {
                                ev.prevent_default();
                                edit.dispatch(EditMessage {
                                    message_id: id,
                                    body: draft.get_untracked(),
                                });
                                editing.set(None);
                            }
                        >
                            <label class="visually-hidden" for=format!("edit-{id}")>
                                "Edit message"
                            </label>
                            <textarea
                                id=format!("edit-{id}")
                                rows="2"
                                prop:value=move || draft.get()
                                on:input=move |ev| draft.set(event_target_value(&ev))
                            ></textarea>
                            <div class="row-buttons">
                                <button type="submit" class="button primary">
                                    "Save"
                                </button>
                                <button
                                    type="button"
                                    class="button"
                                    on:click=move |_| editing.set(None)
                                >
                                    "Cancel"
                                </button>
                            </div>
                        </form>
                    }
                        .into_any()
                } else if deleted {
                    view! { <p class="message-body message-deleted">"This message was deleted"</p> }
                        .into_any()
                } else {
                    (!body.is_empty())
                        .then(|| view! { <p class="message-body">{text_runs(&body, &[])}</p> })
                        .into_any()
                }
            }}
            {message.edited.then(|| view! { <span class="message-edited">"(edited)"</span> })}
            {can_change.then(|| view! { <MessageActions id=message.id editing delete /> })}
            {move || seen.get().map(|s| view! { <p class="seen">{s}</p> })}
        </li>
    }
}

/// The "Message actions" menu of one of your messages: Edit, and Delete
/// with a confirmation ("Delete message" / "Keep").
#[component]
fn MessageActions(
    id: crate::ids::MessageId,
    editing: RwSignal<Option<crate::ids::MessageId>>,
    delete: ServerAction<DeleteMessage>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let menu = NodeRef::<leptos::html::Details>::new();
    let close = move || {
        if let Some(d) = menu.get_untracked() {
            d.set_open(false);
        }
    };
    view! {
        <details class="menu message-menu" node_ref=menu>
            <summary
                class="message-menu-button"
                role="button"
                aria-label="Message actions"
                title="Message actions"
            >
                <Icon name=IconName::More size=18 />
            </summary>
            <div class="menu-panel message-tools">
                <Show
                    when=move || confirming.get()
                    fallback=move || {
                        view! {
                            <button
                                type="button"
                                class="link-button"
                                on:click=move |_| {
                                    close();
                                    editing.set(Some(id));
                                }
                            >
                                "Edit"
                            </button>
                            <button
                                type="button"
                                class="link-button"
                                on:click=move |_| confirming.set(true)
                            >
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
                            close();
                            delete.dispatch(DeleteMessage { message_id: id });
                        }
                    >
                        "Delete message"
                    </button>
                    <button
                        type="button"
                        class="link-button"
                        on:click=move |_| {
                            confirming.set(false);
                            close();
                        }
                    >
                        "Keep"
                    </button>
                </Show>
            </div>
        </details>
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
        <button
            type="button"
            class="message-photo"
            style=style
            aria-label=name
            on:click=move |_| open.set(Some(0))
        >
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
