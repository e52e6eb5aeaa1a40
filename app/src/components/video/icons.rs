//! Inline SVG icons for the video widgets, drawn with `currentColor` and
//! hidden from assistive technology (the controls they sit in carry the
//! names).

use leptos::prelude::*;

/// A film camera, for "Add video" and the processing box.
#[component]
pub fn VideoIcon(#[prop(default = 20)] size: u32) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width=size height=size aria-hidden="true" focusable="false">
            <rect x="2.5" y="6" width="13" height="12" rx="2.5" fill="none" stroke="currentColor" stroke-width="2" />
            <path d="M15.5 10.5l5-3v9l-5-3z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
        </svg>
    }
}

/// A right-pointing triangle in a disc, for "Play video".
#[component]
pub fn PlayIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 64 64" width="64" height="64" aria-hidden="true" focusable="false">
            <circle cx="32" cy="32" r="30" fill="rgb(0 0 0 / 0.6)" stroke="#ffffff" stroke-width="3" />
            <path d="M26 20l20 12-20 12z" fill="#ffffff" />
        </svg>
    }
}

/// Two bars, for "Pause".
#[component]
pub fn PauseIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
            <path d="M8 5v14M16 5v14" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" />
        </svg>
    }
}

/// A small triangle, for "Resume".
#[component]
pub fn ResumeIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
            <path d="M7 5l12 7-12 7z" fill="currentColor" />
        </svg>
    }
}
