use crate::components::common::{Avatar, RelativeTime};
use crate::components::photos::PhotoGrid;
use crate::components::posts::{PostBody, VisibilityIcon};
use crate::models::SharedPost;
use leptos::prelude::*;

/// The post a share embeds: author, time (permalink), text and photos, or "This
/// content isn't available" when it was deleted or can't be seen.
#[component]
pub fn SharedPostEmbed(
    /// What the share points at.
    shared: SharedPost,
    /// Show the whole text (the permalink page).
    #[prop(default = false)]
    expanded: bool,
) -> impl IntoView {
    match shared {
        SharedPost::Available(p) => {
            let p = *p;
            let href = format!("/u/{}", p.author.username);
            let id = p.id;
            let body = (!p.body.is_empty())
                .then(|| view! { <PostBody id body=p.body mentions=p.mentions expanded /> });
            view! {
                <div class="shared-post">
                    <div class="post-header">
                        <a href=href.clone() class="post-avatar" tabindex="-1" aria-hidden="true">
                            <Avatar photo=p.author.avatar.clone() size=32 />
                        </a>
                        <div class="post-meta">
                            <a href=href class="post-author">
                                {p.author.display_name.clone()}
                            </a>
                            <a href=format!("/p/{}", p.id) class="post-time">
                                <RelativeTime ms=p.created_at_ms />
                            </a>
                            <span class="post-sep" aria-hidden="true">
                                " · "
                            </span>
                            <VisibilityIcon visibility=p.visibility />
                        </div>
                    </div>
                    {body}
                    <PhotoGrid photos=p.photos />
                </div>
            }
            .into_any()
        }
        SharedPost::Unavailable => {
            view! { <p class="shared-post unavailable">"This content isn't available"</p> }
                .into_any()
        }
    }
}
