use leptos::prelude::*;

/// A round avatar image; decorative (`alt=""`) because the name is always
/// next to it.
#[component]
pub fn Avatar(
    /// Image URL.
    #[prop(into)]
    src: String,
    /// Pixel size (width and height).
    #[prop(default = 40)]
    size: u32,
) -> impl IntoView {
    view! { <img class="avatar" src=src alt="" width=size height=size /> }
}
