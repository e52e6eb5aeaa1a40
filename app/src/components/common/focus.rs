use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, EventTarget, HtmlElement, Node};

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

/// Whether an event's `related_target` (where focus or the pointer went
/// on `focusout`/`dragleave`) is `root` or inside it: moving between a
/// box's own children is not leaving the box. `false` without a target
/// (focus went to the page) or without `root`.
pub fn moves_within(root: Option<impl AsRef<Node>>, to: Option<EventTarget>) -> bool {
    root.zip(to)
        .is_some_and(|(root, to)| root.as_ref().contains(to.dyn_ref::<Node>()))
}
