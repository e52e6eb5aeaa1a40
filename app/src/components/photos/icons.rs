//! Small inline SVG icons for the photo widgets, drawn with
//! `currentColor` and hidden from assistive technology (the buttons they
//! sit in carry the names).

use leptos::prelude::*;

/// An "×".
#[component]
pub fn CloseIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
            <path d="M6 6l12 12M18 6L6 18" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" />
        </svg>
    }
}

/// A chevron pointing left (`back`) or right.
#[component]
pub fn ChevronIcon(back: bool) -> impl IntoView {
    let d = if back {
        "M15 5l-7 7 7 7"
    } else {
        "M9 5l7 7-7 7"
    };
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
            <path d=d fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
    }
}

/// A framed picture (mountains and a sun), for "Add photos".
#[component]
pub fn PhotoIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
            <rect x="3" y="4" width="18" height="16" rx="2.5" fill="none" stroke="currentColor" stroke-width="2" />
            <circle cx="9" cy="9.5" r="1.75" fill="currentColor" />
            <path d="M4 18l5.5-5.5 3.5 3.5 2.5-2.5L20 18" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
        </svg>
    }
}
