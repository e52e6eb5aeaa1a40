use crate::components::common::{ErrorNotice, Loading, page_error};
use crate::ids::UserId;
use crate::server_fns::chat::CreateGroup;
use crate::server_fns::social::get_friends_overview;
use crate::validation::TextLimit;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

/// `/messages/new`: name a group and tick the friends to add; opens the
/// new conversation.
#[component]
pub fn NewGroupPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_friends_overview());
    let create = ServerAction::<CreateGroup>::new();
    let name = RwSignal::new(String::new());
    let picked = RwSignal::new(Vec::<UserId>::new());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/messages/{id}"), Default::default());
        }
    });
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <Title text="New group" />
        <h1 class="page-title">"New group"</h1>
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(e) => page_error(e),
                    Ok(o) => {
                        view! {
                            <form
                                class="card stack"
                                on:submit=move |ev| {
                                    ev.prevent_default();
                                    create
                                        .dispatch(CreateGroup {
                                            name: name.get_untracked(),
                                            members: picked.get_untracked(),
                                        });
                                }
                            >
                                <div class="field">
                                    <label for="group-name">"Group name"</label>
                                    <input
                                        id="group-name"
                                        type="text"
                                        maxlength=TextLimit::ConversationName.maxlength()
                                        required
                                        on:input=move |ev| name.set(event_target_value(&ev))
                                    />
                                </div>
                                <fieldset class="field">
                                    <legend>"Members"</legend>
                                    {if o.friends.is_empty() {
                                        view! {
                                            <p class="empty-note">
                                                "Add friends first: groups are made of friends."
                                            </p>
                                        }
                                            .into_any()
                                    } else {
                                        o.friends
                                            .into_iter()
                                            .map(|f| {
                                                let id = f.id;
                                                view! {
                                                    <label class="check">
                                                        <input
                                                            type="checkbox"
                                                            on:change=move |ev| {
                                                                let on = event_target_checked(&ev);
                                                                picked
                                                                    .update(|p| {
                                                                        p.retain(|x| *x != id);
                                                                        if on {
                                                                            p.push(id);
                                                                        }
                                                                    });
                                                            }
                                                        />
                                                        {f.display_name}
                                                    </label>
                                                }
                                            })
                                            .collect_view()
                                            .into_any()
                                    }}
                                </fieldset>
                                <ErrorNotice error />
                                <button type="submit" class="button primary">
                                    "Create group"
                                </button>
                            </form>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
