//! Reactions on a post: the "Like" button and the six-reaction picker that
//! opens on demand (optimistic: the counts change at once, then take the
//! server's answer), and the summary that lists who reacted.

use crate::components::common::{
    Avatar, ErrorAlert, Icon, IconName, lazy_view, moves_within, sendable,
};
use crate::error::AppError;
use crate::ids::PostId;
use crate::models::{ReactionKind, ReactionSummary, Reactor};
use crate::server_fns::posts::{list_reactors, react_to_post};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// "Like", then "More reactions", which opens the picker ("React with
/// Like", "React with Love"...) above it, as the big networks do; the
/// picker is only in the page while open, so a feed of cards carries one
/// button per card instead of seven. Each choice is `aria-pressed` for the
/// viewer's reaction, choosing the current one removes it, and choosing
/// closes the picker; so do Escape, the toggle again and focus leaving
/// the menu (a click elsewhere). While the
/// viewer's reaction is another than Like, the toggle shows its icon.
/// Buttons without JavaScript do nothing.
#[component]
pub fn ReactionButtons(
    /// The post.
    post_id: PostId,
    /// The post's reactions, shared with the card.
    reactions: RwSignal<ReactionSummary>,
    /// Where a failed reaction's error goes.
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    // Only the answer to the latest click is applied.
    let latest = StoredValue::new(0_u64);
    let react = move |to: Option<ReactionKind>| {
        let before = reactions.get_untracked();
        reactions.set(before.with_mine(to));
        latest.update_value(|n| *n += 1);
        let this_click = latest.get_value();
        let kind = to.map_or("", ReactionKind::as_str).to_owned();
        spawn_local(async move {
            let result = react_to_post(post_id, kind).await;
            if latest.get_value() != this_click {
                return;
            }
            match result {
                Ok(summary) => {
                    error.set(None);
                    reactions.set(summary);
                }
                Err(e) => {
                    reactions.set(before);
                    error.set(Some(e));
                }
            }
        });
    };
    let toggle = move |kind: ReactionKind| {
        let mine = reactions.with_untracked(|r| r.mine);
        react(if mine == Some(kind) { None } else { Some(kind) });
    };
    let is_mine = move |kind: ReactionKind| reactions.with(|r| r.mine == Some(kind));
    let open = RwSignal::new(false);
    let opener = NodeRef::<leptos::html::Button>::new();
    let close = move || {
        open.set(false);
        if let Some(button) = opener.get_untracked() {
            let _ = button.focus();
        }
    };
    let choose = Callback::new(move |kind| {
        toggle(kind);
        close();
    });
    let menu = NodeRef::<leptos::html::Div>::new();
    // Focus leaving the menu (a click elsewhere, Tab past the last choice)
    // closes the picker; moving between the toggle and the choices doesn't.
    let on_focusout = move |ev: leptos::ev::FocusEvent| {
        if !moves_within(menu.get_untracked(), ev.related_target()) {
            open.set(false);
        }
    };
    let picker_id = format!("reactions-{post_id}");
    // The toggle shows the viewer's reaction when it isn't Like.
    let toggle_icon = move || match reactions.with(|r| r.mine) {
        Some(kind) if kind != ReactionKind::Like => IconName::Reaction(kind),
        _ => IconName::ChevronDown,
    };
    view! {
        // Escape from the toggle or from a choice closes the picker.
        <div
            class="reaction-menu"
            node_ref=menu
            on:focusout=on_focusout
            on:keydown=move |ev| {
                if ev.key() == "Escape" && open.get_untracked() {
                    close();
                }
            }
        >
            <button
                type="button"
                class="button ghost like-button"
                aria-pressed=move || is_mine(ReactionKind::Like).to_string()
                on:click=move |_| toggle(ReactionKind::Like)
            >
                <Icon name=IconName::Like size=18 />
                "Like"
            </button>
            <button
                type="button"
                class="button ghost reaction-toggle"
                aria-label="More reactions"
                title="More reactions"
                aria-expanded=move || open.get().to_string()
                aria-controls=picker_id.clone()
                node_ref=opener
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {move || view! { <Icon name=toggle_icon() size=18 /> }}
            </button>
            <Show when=move || {
                open.get()
            }>
                {
                    let picker_id = picker_id.clone();
                    move || lazy_view(
                        sendable(reaction_picker(picker_id.clone(), reactions, choose)),
                        || ().into_any(),
                    )
                }
            </Show>
        </div>
    }
}

/// The reaction summary: the icon of each reaction given, then the total,
/// as one button named "3 reactions, see who reacted" (the name starts with
/// the visible count, WCAG 2.5.3 "Label in Name"); hidden when there are
/// none. Clicking lists who reacted, each with their reaction.
#[component]
pub fn ReactionSummaryButton(
    /// The post.
    post_id: PostId,
    /// The post's reactions.
    reactions: RwSignal<ReactionSummary>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let total = Memo::new(move |_| reactions.with(ReactionSummary::total));
    let list_id = format!("reactors-{post_id}");
    let kinds = move || {
        reactions.with(|r| {
            r.counts
                .iter()
                .map(|(kind, _)| view! { <Icon name=IconName::Reaction(*kind) size=18 /> })
                .collect_view()
        })
    };
    view! {
        <div class="reaction-summary-wrap" hidden=move || total.get() == 0>
            <button
                type="button"
                class="reaction-summary"
                aria-label=move || summary_name(total.get())
                aria-expanded=move || open.get().to_string()
                aria-controls=list_id.clone()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="reaction-kinds">{kinds}</span>
                <span class="reaction-total">{move || total.get()}</span>
            </button>
            <div class="reactors" id=list_id hidden=move || !open.get()>
                <Show when=move || {
                    open.get()
                }>{move || lazy_view(sendable(reactors_panel(post_id, reactions)), loading)}</Show>
            </div>
        </div>
    }
}

/// "Loading…" while the list of who reacted loads.
fn loading() -> AnyView {
    view! { <p class="loading small">"Loading…"</p> }.into_any()
}

/// The open list of who reacted, loaded when it opens and again whenever
/// the counts change while it is open. From a wasm chunk of its own,
/// fetched when a summary is first opened (`components::common::sendable`
/// tells how `#[lazy]` works).
#[lazy]
fn reactors_panel(post_id: PostId, reactions: RwSignal<ReactionSummary>) -> AnyView {
    let reactors = RwSignal::new(None::<Result<Vec<Reactor>, AppError>>);
    // Loads now, then on each change of the counts.
    Effect::new(move |prev: Option<ReactionSummary>| {
        let now = reactions.get();
        if prev.as_ref() != Some(&now) {
            spawn_local(async move {
                let list = list_reactors(post_id).await;
                reactors.try_set(Some(list));
            });
        }
        now
    });
    (move || match reactors.get() {
        None => loading(),
        Some(Err(e)) => view! { <ErrorAlert error=e /> }.into_any(),
        Some(Ok(list)) => view! { <ReactorList list /> }.into_any(),
    })
    .into_any()
}

/// The open picker (`id`): "React with Like", "React with Love"..., each
/// `aria-pressed` for the viewer's reaction in `reactions`; a click runs
/// `choose`. From a wasm chunk of its own, fetched when a picker is first
/// opened (`components::common::sendable` tells how `#[lazy]` works).
#[lazy]
fn reaction_picker(
    id: String,
    reactions: RwSignal<ReactionSummary>,
    choose: Callback<ReactionKind>,
) -> AnyView {
    let is_mine = move |kind: ReactionKind| reactions.with(|r| r.mine == Some(kind));
    view! {
        <div class="reaction-picker" id=id role="group" aria-label="Reactions">
            {ReactionKind::ALL
                .into_iter()
                .map(|kind| {
                    view! {
                        <button
                            type="button"
                            class="reaction-choice"
                            aria-label=format!("React with {}", kind.label())
                            title=kind.label()
                            aria-pressed=move || is_mine(kind).to_string()
                            on:click=move |_| choose.run(kind)
                        >
                            <Icon name=IconName::Reaction(kind) size=30 />
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}

/// The summary button's name: "1 reaction, see who reacted",
/// "3 reactions, see who reacted".
fn summary_name(total: u32) -> String {
    let noun = if total == 1 { "reaction" } else { "reactions" };
    format!("{total} {noun}, see who reacted")
}

/// "Display Name" and their reaction's icon (named "Like"...) per person.
#[component]
fn ReactorList(list: Vec<Reactor>) -> impl IntoView {
    let items = list
        .into_iter()
        .map(|r| {
            view! {
                <li class="reactor">
                    <Avatar photo=r.person.avatar size=24 />
                    <a href=format!("/u/{}", r.person.username)>{r.person.display_name}</a>
                    " "
                    <span class="reactor-reaction" title=r.kind.label()>
                        <Icon
                            name=IconName::Reaction(r.kind)
                            size=18
                            label=r.kind.label().to_owned()
                        />
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <ul class="reactor-list" role="list" aria-label="People who reacted">
            {items}
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::summary_name;

    #[test]
    fn the_summary_is_named_by_its_visible_count_first() {
        assert_eq!(summary_name(1), "1 reaction, see who reacted");
        assert_eq!(summary_name(3), "3 reactions, see who reacted");
    }
}
