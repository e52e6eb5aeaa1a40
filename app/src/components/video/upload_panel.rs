//! The composer's video parts: the "Add video" file input, the offer to
//! continue an unfinished upload after a reload, and the chosen video's
//! name, progress ("42 % · about 3 min left") and Pause, Resume, Retry
//! and Cancel buttons. The offer and the progress are a chunk of their
//! own ([`upload_panel`]), fetched when one is first shown.

use super::upload_math::{progress_label, size_label};
use super::video_upload::{UploadPhase, VideoUpload};
use crate::components::common::{Icon, IconName, lazy_view, sendable};
use crate::components::photos::files_of;
use leptos::prelude::*;

/// What the file chooser offers (the server decides in the end).
pub const VIDEO_ACCEPT: &str = "video/*";

/// A file input for one video, with a visible label that looks like a
/// button ("Add video"). Choosing a file starts uploading it.
#[component]
pub fn AddVideoInput(
    upload: VideoUpload,
    /// Element id, unique on the page.
    id: &'static str,
    /// Unavailable (e.g. photos are chosen: a post has one or the other).
    #[prop(into)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let file = files_of(input.files()).into_iter().next();
        // Lets the same file be chosen again after cancelling it.
        input.set_value("");
        if let Some(file) = file {
            upload.choose(file);
        }
    };
    view! {
        <input
            id=id
            type="file"
            class="visually-hidden photo-input video-input"
            accept=VIDEO_ACCEPT
            node_ref=upload.input
            disabled=move || disabled.get() || upload.active()
            on:change=on_change
        />
        <label for=id class="button ghost photo-add video-add">
            <Icon name=IconName::Video />
            <span>"Add video"</span>
        </label>
    }
}

/// The offer to continue an upload from an earlier visit, or the chosen
/// video with its progress and buttons; nothing otherwise.
#[component]
pub fn VideoUploadPanel(
    upload: VideoUpload,
    /// The resume offer can't be taken now (photos are chosen).
    #[prop(into)]
    blocked: Signal<bool>,
) -> impl IntoView {
    view! {
        <Show when=move || {
            upload.active() || upload.saved.with(Option::is_some)
        }>{move || lazy_view(sendable(upload_panel(upload, blocked)), || ().into_any())}</Show>
    }
}

/// [`VideoUploadPanel`]'s content, from a wasm chunk of its own: the
/// composer shows it only once a video is chosen or an unfinished upload
/// is found, so the feed's first download doesn't carry it
/// (`components::common::sendable` tells how `#[lazy]` works).
#[lazy]
fn upload_panel(upload: VideoUpload, blocked: Signal<bool>) -> AnyView {
    view! {
        <Show when=move || upload.active()>
            <UploadProgress upload />
        </Show>
        <Show when=move || !upload.active() && upload.saved.with(Option::is_some)>
            <ResumePrompt upload blocked />
        </Show>
    }
    .into_any()
}

/// "Resume uploading holiday.mp4?" with "Resume upload" (opens the file
/// chooser: the same file continues) and "Discard".
#[component]
fn ResumePrompt(upload: VideoUpload, blocked: Signal<bool>) -> impl IntoView {
    let name = move || {
        upload
            .saved
            .with(|s| s.as_ref().map(|s| s.file_name.clone()))
            .unwrap_or_default()
    };
    let open_chooser = move |_| {
        if let Some(input) = upload.input.get_untracked() {
            input.click();
        }
    };
    view! {
        <div class="video-resume" role="group" aria-label="Unfinished video upload">
            <Icon name=IconName::Video />
            <div class="video-resume-text">
                <p class="video-resume-question">
                    {move || format!("Resume uploading {}?", name())}
                </p>
                <p class="hint">
                    {move || format!("Choose {} again to continue where it stopped.", name())}
                </p>
            </div>
            <div class="video-buttons">
                <button
                    type="button"
                    class="button primary"
                    disabled=move || blocked.get()
                    on:click=open_chooser
                >
                    "Resume upload"
                </button>
                <button type="button" class="button ghost" on:click=move |_| upload.discard_saved()>
                    "Discard"
                </button>
            </div>
        </div>
    }
}

/// The chosen video: name and size, progress bar, status line, error and
/// buttons.
#[component]
fn UploadProgress(upload: VideoUpload) -> impl IntoView {
    let phase = move || upload.phase.get();
    let name = move || upload.file_name.get();
    let percent = move || upload.percent();
    let status = move || match phase() {
        UploadPhase::Starting => "Starting the upload…".to_owned(),
        UploadPhase::Paused => format!("{} % · Paused", percent()),
        UploadPhase::Retrying { delay_s, .. } => format!(
            "{} % · Connection trouble, trying again in {delay_s} s",
            percent()
        ),
        UploadPhase::Failed { .. } => format!("{} % · Stopped", percent()),
        UploadPhase::Done => "100 % · Uploaded".to_owned(),
        UploadPhase::Uploading | UploadPhase::Idle => {
            progress_label(percent(), upload.secs_left.get())
        }
    };
    // Spoken once per change of state, not on every percent.
    let announcement = move || match phase() {
        UploadPhase::Paused => "Upload paused.",
        UploadPhase::Retrying { .. } => "Upload interrupted, trying again.",
        UploadPhase::Done => "Video uploaded.",
        _ => "",
    };
    let error = move || match phase() {
        UploadPhase::Failed { message, .. } => Some(message),
        _ => None,
    };
    let can_pause = move || {
        matches!(
            phase(),
            UploadPhase::Uploading | UploadPhase::Retrying { .. }
        )
    };
    let can_resume = move || phase() == UploadPhase::Paused;
    let can_retry = move || {
        matches!(
            phase(),
            UploadPhase::Failed {
                can_retry: true,
                ..
            }
        )
    };
    view! {
        <div class="video-upload" role="group" aria-label="Video to attach">
            <div class="video-upload-head">
                <Icon name=IconName::Video />
                <span class="video-upload-name">{name}</span>
                <span class="video-upload-size">{move || size_label(upload.size.get())}</span>
            </div>
            <progress
                class="video-progress"
                max="100"
                value=move || percent().to_string()
                aria-label=move || format!("Uploading {}", name())
            ></progress>
            <p class="video-upload-status">{status}</p>
            <p class="visually-hidden" role="status">
                {announcement}
            </p>
            <p class="field-error" role="alert">
                {error}
            </p>
            <div class="video-buttons">
                <Show when=can_pause>
                    <button type="button" class="button" on:click=move |_| upload.pause()>
                        <Icon name=IconName::Pause size=16 />
                        "Pause"
                    </button>
                </Show>
                <Show when=can_resume>
                    <button type="button" class="button" on:click=move |_| upload.resume()>
                        <Icon name=IconName::Resume size=16 />
                        "Resume"
                    </button>
                </Show>
                <Show when=can_retry>
                    <button type="button" class="button" on:click=move |_| upload.resume()>
                        "Retry"
                    </button>
                </Show>
                <button
                    type="button"
                    class="button ghost video-cancel"
                    on:click=move |_| upload.cancel()
                >
                    "Cancel"
                </button>
            </div>
        </div>
    }
}
