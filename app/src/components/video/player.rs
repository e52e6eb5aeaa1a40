//! Playing a ready video: its poster with a play button until clicked,
//! then a `<video controls playsinline>` fed by hls.js (loaded on the
//! first click, when the browser has Media Source Extensions) or by the
//! browser's own HLS (Safari, iOS), with a quality menu under hls.js.
//! The code that starts playback and switches quality (and the hls.js
//! glue) is a chunk of its own, fetched on the first click of "Play".

use super::hls::{self, Hls};
use super::quality::{level_for, poster_alt, poster_size, poster_srcset, quality_options};
use crate::components::common::{Icon, IconName};
use crate::models::{Photo, Video, slots_for};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::{JsCast as _, JsValue};
use web_sys::HtmlVideoElement;

/// The HLS MIME type browsers with native HLS answer to.
const HLS_MIME: &str = "application/vnd.apple.mpegurl";

/// A ready `video`: poster ("Video, 1:05") with "Play video"; once
/// clicked, the player and, with hls.js, a "Quality" menu (Auto and each
/// rendition the video has). The hls.js instance is destroyed with the
/// component.
#[component]
pub fn VideoPlayer(video: Video) -> impl IntoView {
    let playing = RwSignal::new(false);
    let failure = RwSignal::new(None::<&'static str>);
    let with_hls = RwSignal::new(false);
    // Browser only: a thread-bound value must not be made on the server.
    let hls = cfg!(target_arch = "wasm32").then(|| StoredValue::new_local(None::<Hls>));
    let media = NodeRef::<leptos::html::Video>::new();

    let (width, height) = poster_size(&video);
    let largest = slots_for(video.width.max(video.height))
        .last()
        .copied()
        .unwrap_or(640);
    let poster_large = video.poster_url(largest);
    let src = video.master_url();
    media.on_load(move |el: HtmlVideoElement| {
        spawn_local(start(el, src, hls, with_hls, failure));
    });
    on_cleanup(move || {
        if let Some(Some(h)) = hls.and_then(|hls| hls.try_update_value(Option::take)) {
            h.destroy();
        }
    });

    let on_quality = move |ev: leptos::ev::Event| {
        if let Some(hls) = hls {
            spawn_local(set_quality(hls, event_target_value(&ev)));
        }
    };
    let options = quality_options(&video.renditions);
    let select_id = format!("video-quality-{}", video.id);
    view! {
        <figure class="video-player">
            <div
                class="video-frame"
                style=format!("aspect-ratio:{width}/{height};{}", placeholder_css(&video))
            >
                {move || {
                    playing
                        .get()
                        .then(|| {
                            view! {
                                <video
                                    node_ref=media
                                    controls=true
                                    playsinline=true
                                    poster=poster_large.clone()
                                    width=width
                                    height=height
                                ></video>
                            }
                        })
                }}
                <div class="video-cover" hidden=move || playing.get()>
                    <img
                        class="video-poster"
                        src=video.poster_url(640)
                        srcset=poster_srcset(&video)
                        sizes="(max-width: 672px) 100vw, 640px"
                        width=width
                        height=height
                        loading="lazy"
                        decoding="async"
                        alt=poster_alt(&video)
                    />
                    <button
                        type="button"
                        class="video-play"
                        aria-label="Play video"
                        on:click=move |_| playing.set(true)
                    >
                        <Icon name=IconName::PlayDisc size=64 />
                    </button>
                    <span class="video-duration" aria-hidden="true">
                        {video.duration_label()}
                    </span>
                </div>
            </div>
            <div class="video-tools" hidden=move || !with_hls.get() && failure.get().is_none()>
                <p class="field-error" role="alert">
                    {move || failure.get()}
                </p>
                <Show when=move || with_hls.get()>
                    <label for=select_id.clone() class="video-quality-label">
                        "Quality"
                    </label>
                    <select id=select_id.clone() class="video-quality" on:change=on_quality>
                        {options
                            .iter()
                            .map(|(value, label)| {
                                view! { <option value=value.clone()>{label.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                </Show>
            </div>
        </figure>
    }
}

/// Starts playback in `el`: hls.js if the browser can run it, else native
/// HLS, else a message. From a wasm chunk of its own, fetched on the first
/// "Play" (`components::common::sendable` tells how `#[lazy]` works).
#[lazy]
async fn start(
    el: HtmlVideoElement,
    src: String,
    hls: Option<StoredValue<Option<Hls>, LocalStorage>>,
    with_hls: RwSignal<bool>,
    failure: RwSignal<Option<&'static str>>,
) {
    let _ = el.focus();
    if hls::load().await
        && let Some(mut player) = Hls::new()
    {
        let target = el.clone();
        let started = player.play(
            &src,
            &el,
            move || play_quietly(&target),
            move || {
                failure.try_set(Some("This video couldn't be played."));
            },
        );
        if started.is_ok() {
            // Gone while hls.js loaded: don't leave it running.
            match hls.map(|hls| hls.try_set_value(Some(player))) {
                Some(None) => {
                    with_hls.try_set(true);
                }
                Some(Some(Some(player))) => player.destroy(),
                _ => {}
            }
            return;
        }
        player.destroy();
    }
    if el.can_play_type(HLS_MIME).is_empty() {
        failure.try_set(Some("This browser can't play this video."));
    } else {
        el.set_src(&src);
        play_quietly(&el);
    }
}

/// Switches hls.js to the rendition the quality menu's `value` names
/// ("auto" or a short side in pixels, [`quality_options`]). From a wasm
/// chunk of its own, fetched on the first change of quality.
#[lazy]
fn set_quality(hls: StoredValue<Option<Hls>, LocalStorage>, value: String) {
    hls.with_value(|h| {
        if let Some(h) = h
            && let Some(level) = level_for(&h.levels(), &value)
        {
            h.set_current_level(level);
        }
    });
}

/// Starts playing; a refusal (autoplay rules) leaves the controls to the
/// person instead of an unhandled rejection.
fn play_quietly(el: &HtmlVideoElement) {
    let Ok(promise) = el.play() else {
        return;
    };
    let ignore = Closure::once_into_js(|_: JsValue| {});
    if let Ok(catch) = js_sys::Reflect::get(&promise, &JsValue::from_str("catch"))
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = catch.call1(&promise, &ignore);
    }
}

/// The poster's placeholder colours (as photos'), painted before it loads.
fn placeholder_css(video: &Video) -> String {
    Photo {
        id: video.id.clone(),
        width: video.width,
        height: video.height,
        blurhash: video.blurhash.clone(),
        alt: String::new(),
    }
    .placeholder_css()
}
