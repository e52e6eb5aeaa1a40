use crate::ids::PostId;
use crate::text::{Segment, is_long, preview, segments};
use leptos::prelude::*;

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
        let runs = segments(shown)
            .into_iter()
            .map(|s| match s {
                Segment::Text(t) => t.to_owned().into_any(),
                Segment::Link(url) => view! {
                    <a href=url.to_owned() rel="nofollow noopener noreferrer ugc" target="_blank">
                        {url.to_owned()}
                    </a>
                }
                .into_any(),
            })
            .collect_view();
        view! {
            <div class="post-body">
                {runs}
                {collapsed.then(|| view! {
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
                })}
            </div>
        }
    }
}
