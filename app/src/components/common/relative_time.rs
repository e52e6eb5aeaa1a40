use crate::time_fmt::{exact_time, iso_time, now_ms, relative_time};
use leptos::prelude::*;

/// "5 min ago", with the exact UTC time on hover and in `datetime`.
#[component]
pub fn RelativeTime(
    /// Milliseconds since the Unix epoch.
    ms: i64,
) -> impl IntoView {
    view! {
        <time datetime=iso_time(ms) title=exact_time(ms)>
            {relative_time(now_ms(), ms)}
        </time>
    }
}
