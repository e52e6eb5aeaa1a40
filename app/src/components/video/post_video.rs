//! A post's video in its card: the player once ready; for the author,
//! while it is transcoded, "Processing 40 %" (kept current by the live
//! `VideoProgress` events), or why it failed.

use super::player::VideoPlayer;
use crate::components::common::{Icon, IconName};
use crate::contexts::live_context::use_live;
use crate::events::LiveEvent;
use crate::models::{Video, VideoState};
use leptos::prelude::*;

/// The post's `video` (nothing when it has none). Follows the live events
/// about it: progress updates the percent; the end sets a failure at once
/// and calls `on_processed` (refetch the post: a ready video arrives with
/// its size, renditions and poster).
#[component]
pub fn PostVideo(
    /// The post's video, kept current by the card.
    video: RwSignal<Option<Video>>,
    /// The viewer wrote the post (only they are shown an unready video).
    is_author: bool,
    /// Runs when processing ended.
    on_processed: Callback<()>,
) -> impl IntoView {
    let video_id = Memo::new(move |_| video.with(|v| v.as_ref().map(|v| v.id.clone())));
    let ours = move |id: &String| video_id.with_untracked(|v| v.as_ref() == Some(id));
    let live = use_live();
    live.on_event(move |event| match event {
        LiveEvent::VideoProgress {
            video_id, percent, ..
        } if ours(video_id) => video.update(|v| {
            if let Some(v) = v
                && matches!(v.state, VideoState::Processing { .. })
            {
                v.state = VideoState::Processing { percent: *percent };
            }
        }),
        LiveEvent::VideoProcessed {
            video_id, failure, ..
        } if ours(video_id) => {
            if let Some(reason) = failure {
                video.update(|v| {
                    if let Some(v) = v {
                        v.state = VideoState::Failed {
                            reason: reason.clone(),
                        };
                    }
                });
            }
            on_processed.run(());
        }
        _ => {}
    });
    // Progress events aren't replayed: after a reconnect, ask again.
    Effect::new(move |seen: Option<u32>| {
        let n = live.reconnects.get();
        let unready = video.with_untracked(|v| v.as_ref().is_some_and(|v| !v.is_ready()));
        if seen.is_some_and(|s| s != n) && unready {
            on_processed.run(());
        }
        n
    });

    // Memos: a new percent must not rebuild the player, nor a refetch of
    // the same video.
    let ready = Memo::new(move |_| video.with(|v| v.clone().filter(Video::is_ready)));
    let state = Memo::new(move |_| video.with(|v| v.as_ref().map(|v| v.state.clone())));
    let percent = Memo::new(move |_| match state.get() {
        Some(VideoState::Processing { percent }) if is_author => Some(percent),
        _ => None,
    });
    let failure = move || match state.get() {
        Some(VideoState::Failed { reason }) if is_author => Some(view! {
            <p class="video-failed" role="alert">
                {format!("This video couldn't be processed: {reason}")}
            </p>
        }),
        _ => None,
    };
    view! {
        {move || ready.get().map(|video| view! { <VideoPlayer video /> })}
        <Show when=move || percent.get().is_some()>
            <VideoProcessing percent=Signal::derive(move || percent.get().unwrap_or(0)) />
        </Show>
        {failure}
    }
}

/// The box shown while a video is transcoded.
#[component]
fn VideoProcessing(percent: Signal<u8>) -> impl IntoView {
    view! {
        <div class="video-processing">
            <div class="video-processing-frame" aria-hidden="true">
                <Icon name=IconName::Video size=40 />
            </div>
            <p class="video-processing-text">{move || format!("Processing {} %", percent.get())}</p>
            <progress
                class="video-progress"
                max="100"
                value=move || percent.get().to_string()
                aria-label="Processing video"
            ></progress>
        </div>
    }
}
