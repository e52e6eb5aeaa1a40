use crate::ids::PostId;
use crate::text::{Segment, is_long, preview, segments};
use leptos::prelude::*;

/// User text as views: plain runs, links, and `@name` links for the stored
/// `mentions`. Every character is escaped by the renderer.
pub fn text_runs(text: &str, mentions: &[String]) -> AnyView {
    segments(text, mentions)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => t.to_owned().into_any(),
            Segment::Link(url) => view! {
                <a href=url.to_owned() rel="nofollow noopener noreferrer ugc" target="_blank">
                    {url.to_owned()}
                </a>
            }
            .into_any(),
            Segment::Mention(name) => view! {
                <a class="mention" href=format!("/u/{name}")>
                    {format!("@{name}")}
                </a>
            }
            .into_any(),
        })
        .collect_view()
        .into_any()
}

/// A post's text: line breaks kept, links clickable, everything else
/// escaped by the renderer. Long texts are collapsed behind "See more"
/// (a link to the permalink without JavaScript, inline with it).
#[component]
pub fn PostBody(
    /// The post (for the "See more" link).
    id: PostId,
    /// The text.
    #[prop(into)]
    body: Signal<String>,
    /// Usernames mentioned (stored when written): `@name` links to them.
    #[prop(optional, into)]
    mentions: Signal<Vec<String>>,
    /// Start expanded (the permalink page).
    #[prop(default = false)]
    expanded: bool,
) -> impl IntoView {
    let expanded = RwSignal::new(expanded);
    move || {
        let text = body.get();
        let collapsed = !expanded.get() && is_long(&text);
        let shown = if collapsed {
            preview(&text)
        } else {
            text.as_str()
        };
        let runs = mentions.with(|m| text_runs(shown, m));
        view! {
            <div class="post-body">
                {runs}
                {collapsed
                    .then(|| {
                        view! {
                            "… "
                            <a
                                class="see-more"
                                href=format!("/p/{id}")
                                on:click=move |ev| {
                                    ev.prevent_default();
                                    expanded.set(true);
                                }
                            >
                                "See more"
                            </a>
                        }
                    })}
            </div>
        }
    }
}
