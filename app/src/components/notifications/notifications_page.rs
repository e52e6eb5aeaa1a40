use crate::components::common::{
    Avatar, ErrorNotice, LoadMore, Loading, Paged, RelativeTime, page_error,
};
use crate::contexts::live_context::use_live;
use crate::events::LiveEvent;
use crate::models::{
    NotificationKind, NotificationView, NotificationsPage as NotificationsPageData,
};
use crate::server_fns::notifications::{
    DeleteNotification, MarkAllNotificationsRead, MarkNotificationRead, list_notifications,
};
use crate::server_fns::social::{AcceptFriendRequest, DeclineFriendRequest};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

/// `/notifications`: newest first, 20 per page, the next loading as the
/// reader scrolls ([`LoadMore`]; without JavaScript a link to
/// `/notifications?after=CURSOR`); mark one
/// or all read, delete, open the target (which marks it read), and accept
/// or decline a friend request in place. Refetched live.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let live = use_live();
    let version = RwSignal::new(0_u64);
    let mark = ServerAction::<MarkNotificationRead>::new();
    let mark_all = ServerAction::<MarkAllNotificationsRead>::new();
    let delete = ServerAction::<DeleteNotification>::new();
    let accept = ServerAction::<AcceptFriendRequest>::new();
    let decline = ServerAction::<DeclineFriendRequest>::new();
    let query = use_query_map();
    let first = Resource::new(
        move || (version.get(), query.read().get("after")),
        |(_, after)| list_notifications(after),
    );
    live.on_event(move |event| {
        if matches!(
            event,
            LiveEvent::NotificationsChanged | LiveEvent::Resync { .. }
        ) {
            version.update(|n| *n += 1);
        }
    });
    for v in [accept.version(), decline.version()] {
        Effect::new(move |prev: Option<usize>| {
            let now = v.get();
            if prev.is_some_and(|p| p != now) {
                version.update(|n| *n += 1);
            }
            now
        });
    }
    let error = Signal::derive(move || {
        [
            mark.value().get(),
            mark_all.value().get(),
            delete.value().get(),
            accept.value().get(),
            decline.value().get(),
        ]
        .into_iter()
        .flatten()
        .find_map(Result::err)
    });
    let actions = RowActions {
        mark,
        delete,
        accept,
        decline,
    };
    view! {
        <Title text="Notifications" />
        <div class="page-head">
            <h1 class="page-title">"Notifications"</h1>
            <button
                type="button"
                class="button"
                on:click=move |_| {
                    mark_all.dispatch(MarkAllNotificationsRead {});
                }
            >
                "Mark all as read"
            </button>
        </div>
        <ErrorNotice error />
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match first.await {
                    Err(e) => page_error(e),
                    Ok(page) if page.items.is_empty() => {
                        view! { <p class="card empty-note">"No notifications yet."</p> }.into_any()
                    }
                    Ok(page) => {
                        let more = Paged::new(
                            page.next_cursor.clone(),
                            |cursor| list_notifications(Some(cursor)),
                            |page: &NotificationsPageData| page.next_cursor.clone(),
                        );
                        view! {
                            <ul class="card notifications" aria-label="Notifications">
                                {page
                                    .items
                                    .into_iter()
                                    .map(|n| view! { <NotificationRow n actions /> })
                                    .collect_view()}
                                <For each=more.items(|page| page.items) key=|n| n.id let:n>
                                    <NotificationRow n actions />
                                </For>
                            </ul>
                            <LoadMore pager=more.pager() base_path="/notifications" />
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct RowActions {
    mark: ServerAction<MarkNotificationRead>,
    delete: ServerAction<DeleteNotification>,
    accept: ServerAction<AcceptFriendRequest>,
    decline: ServerAction<DeclineFriendRequest>,
}

#[component]
fn NotificationRow(n: NotificationView, actions: RowActions) -> impl IntoView {
    let navigate = use_navigate();
    let id = n.id;
    let href = n.target.href();
    let text = n.text();
    let read = n.read;
    let actor = n.actor.id;
    let open = {
        let href = href.clone();
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            if !read {
                actions.mark.dispatch(MarkNotificationRead {
                    notification_id: id,
                });
            }
            navigate(&href, Default::default());
        }
    };
    view! {
        <li class="notification" class:unread=!read>
            <a class="notification-link" href=href on:click=open>
                <Avatar photo=n.actor.avatar.clone() size=40 />
                <span class="notification-main">
                    <span class="notification-text">{text}</span>
                    <RelativeTime ms=n.updated_at_ms />
                    {(!read).then(|| view! { <span class="visually-hidden">" (unread)"</span> })}
                </span>
            </a>
            <div class="notification-tools">
                {(n.kind == NotificationKind::FriendRequest && n.request_pending)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button primary"
                                on:click=move |_| {
                                    actions
                                        .accept
                                        .dispatch(AcceptFriendRequest {
                                            user_id: actor,
                                        });
                                }
                            >
                                "Accept"
                            </button>
                            <button
                                type="button"
                                class="button"
                                on:click=move |_| {
                                    actions
                                        .decline
                                        .dispatch(DeclineFriendRequest {
                                            user_id: actor,
                                        });
                                }
                            >
                                "Decline"
                            </button>
                        }
                    })}
                {(!read)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="link-button"
                                on:click=move |_| {
                                    actions
                                        .mark
                                        .dispatch(MarkNotificationRead {
                                            notification_id: id,
                                        });
                                }
                            >
                                "Mark as read"
                            </button>
                        }
                    })}
                <button
                    type="button"
                    class="link-button danger"
                    aria-label="Delete notification"
                    on:click=move |_| {
                        actions
                            .delete
                            .dispatch(DeleteNotification {
                                notification_id: id,
                            });
                    }
                >
                    "Delete"
                </button>
            </div>
        </li>
    }
}
