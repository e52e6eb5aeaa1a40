use crate::components::common::{ErrorNotice, Loading, RelativeTime, page_error};
use crate::server_fns::chat::{CreateRoom, JoinRoom, list_rooms};
use crate::validation::TextLimit;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

/// `/rooms`: the public rooms directory: create one, join one, open the
/// ones you are in.
#[component]
pub fn RoomsPage() -> impl IntoView {
    let create = ServerAction::<CreateRoom>::new();
    let join = ServerAction::<JoinRoom>::new();
    let rooms = Resource::new(move || join.version().get(), |_| list_rooms());
    let navigate = use_navigate();
    let go = navigate.clone();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            go(&format!("/messages/{id}"), Default::default());
        }
    });
    let joined_room = RwSignal::new(None);
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(id)) = (join.value().get(), joined_room.get_untracked()) {
            navigate(&format!("/messages/{id}"), Default::default());
        }
    });
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| join.value().get().and_then(Result::err))
    });
    let name = RwSignal::new(String::new());
    view! {
        <Title text="Public rooms" />
        <h1 class="page-title">"Public rooms"</h1>
        <form
            class="card inline-form"
            on:submit=move |ev| {
                ev.prevent_default();
                create
                    .dispatch(CreateRoom {
                        name: name.get_untracked(),
                    });
            }
        >
            <label for="room-name">"Room name"</label>
            <input
                id="room-name"
                type="text"
                maxlength=TextLimit::ConversationName.maxlength()
                required
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <button type="submit" class="button primary">
                "Create room"
            </button>
        </form>
        <ErrorNotice error />
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match rooms.await {
                    Err(e) => page_error(e),
                    Ok(list) if list.is_empty() => {
                        view! {
                            <p class="card empty-note">"No rooms yet. Create the first one."</p>
                        }
                            .into_any()
                    }
                    Ok(list) => {
                        view! {
                            <ul class="card rooms" aria-label="Rooms">
                                {list
                                    .into_iter()
                                    .map(|r| {
                                        let id = r.id;
                                        view! {
                                            <li class="room">
                                                <span class="room-main">
                                                    <strong>{r.name.clone()}</strong>
                                                    <span class="hint">
                                                        {format!(
                                                            "{} member{} · active ",
                                                            r.member_count,
                                                            if r.member_count == 1 { "" } else { "s" },
                                                        )} <RelativeTime ms=r.last_activity_ms />
                                                    </span>
                                                </span>
                                                {if r.joined {
                                                    view! {
                                                        <a class="button" href=format!("/messages/{id}")>
                                                            "Open"
                                                        </a>
                                                    }
                                                        .into_any()
                                                } else {
                                                    view! {
                                                        <button
                                                            type="button"
                                                            class="button primary"
                                                            aria-label=format!("Join {}", r.name)
                                                            on:click=move |_| {
                                                                joined_room.set(Some(id));
                                                                join.dispatch(JoinRoom { conversation_id: id });
                                                            }
                                                        >
                                                            "Join"
                                                        </button>
                                                    }
                                                        .into_any()
                                                }}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
