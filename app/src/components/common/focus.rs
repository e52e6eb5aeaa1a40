use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement};

/// Moves keyboard focus to the first element inside `root` matching
/// `selector` (used when a disclosure opens and its toggle steps aside).
/// Does nothing when nothing matches.
pub fn focus_within(root: &Element, selector: &str) {
    if let Ok(Some(el)) = root.query_selector(selector)
        && let Ok(el) = el.dyn_into::<HtmlElement>()
    {
        let _ = el.focus();
    }
}
