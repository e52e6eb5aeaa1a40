use crate::models::Photo;
use leptos::prelude::*;

/// The placeholder shown for people without a profile picture (in `public/`).
pub const PLACEHOLDER_AVATAR: &str = "/img/avatar.svg";
/// The placeholder shown for profiles without a cover (in `public/`).
pub const PLACEHOLDER_COVER: &str = "/img/cover.svg";

/// A round profile picture, `size` CSS pixels square, choosing the variant
/// through `srcset`/`sizes` (the 160 px variant on most screens, 640 px on
/// dense ones for large avatars); the placeholder when there is none.
/// Decorative (`alt=""`) because the name is always next to it.
#[component]
pub fn Avatar(
    /// The picture, or `None` for the placeholder.
    #[prop(into)]
    photo: Option<Photo>,
    /// Pixel size (width and height).
    #[prop(default = 40)]
    size: u32,
) -> impl IntoView {
    match photo {
        Some(p) => view! {
            <img
                class="avatar"
                src=p.url_for(size)
                srcset=p.srcset()
                sizes=format!("{size}px")
                alt=""
                width=size
                height=size
                loading="lazy"
                decoding="async"
            />
        }
        .into_any(),
        None => {
            view! { <img class="avatar" src=PLACEHOLDER_AVATAR alt="" width=size height=size /> }
                .into_any()
        }
    }
}

/// A profile's cover, full width of its card (cropped to 3:1 when
/// uploaded); the placeholder when there is none. Decorative.
#[component]
pub fn Cover(
    /// The picture, or `None` for the placeholder.
    #[prop(into)]
    photo: Option<Photo>,
) -> impl IntoView {
    match photo {
        Some(p) => view! {
            <img
                class="cover"
                src=p.url_for(1280)
                srcset=p.srcset()
                sizes="(max-width: 760px) 100vw, 760px"
                alt=""
                width=p.width
                height=p.height
                style=p.placeholder_css()
            />
        }
        .into_any(),
        None => view! { <img class="cover" src=PLACEHOLDER_COVER alt="" /> }.into_any(),
    }
}
