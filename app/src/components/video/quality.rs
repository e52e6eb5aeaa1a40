//! Pure parts of the player: the quality menu's choices, matching a
//! choice to an hls.js level, and the poster's `srcset`, size and alt
//! text.

use crate::models::{Video, scaled, slots_for};

/// The menu value meaning "let hls.js choose" (its `currentLevel` −1).
pub const AUTO: &str = "auto";

/// The quality menu: "Auto", then each rendition the video has, largest
/// first ("720p", "360p"), as (value, label).
pub fn quality_options(renditions: &[u32]) -> Vec<(String, String)> {
    let mut heights = renditions.to_vec();
    heights.sort_unstable_by(|a, b| b.cmp(a));
    heights.dedup();
    std::iter::once((AUTO.to_owned(), "Auto".to_owned()))
        .chain(
            heights
                .into_iter()
                .map(|h| (h.to_string(), format!("{h}p"))),
        )
        .collect()
}

/// The hls.js level for a menu value: −1 for "Auto", else the index of
/// the level whose short side (`min(width, height)`: a vertical video's
/// level `height` is its long side) is the chosen rendition, or the
/// nearest one. `None` when there are no levels.
pub fn level_for(levels: &[(u32, u32)], value: &str) -> Option<i32> {
    let Ok(short) = value.parse::<u32>() else {
        return Some(-1);
    };
    let index = levels
        .iter()
        .enumerate()
        .min_by_key(|(_, (w, h))| (*w).min(*h).abs_diff(short))
        .map(|(i, _)| i)?;
    i32::try_from(index).ok()
}

/// The poster's `srcset`: each stored slot (as photos: 160, 640, 1280
/// while the video is larger) with its true width.
pub fn poster_srcset(video: &Video) -> String {
    slots_for(video.width.max(video.height))
        .into_iter()
        .map(|slot| {
            let (w, _) = scaled(video.width, video.height, slot);
            format!("{} {w}w", video.poster_url(slot))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The poster's size at 640 px (its `width`/`height` attributes), so the
/// page reserves the space; 16:9 when the video's size is unknown.
pub fn poster_size(video: &Video) -> (u32, u32) {
    if video.width == 0 || video.height == 0 {
        (640, 360)
    } else {
        scaled(video.width, video.height, 640)
    }
}

/// The poster's alt text: "Video, 1:05" ("Video" when the length is
/// unknown).
pub fn poster_alt(video: &Video) -> String {
    if video.duration_ms == 0 {
        "Video".to_owned()
    } else {
        format!("Video, {}", video.duration_label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::VideoState;

    fn video(width: u32, height: u32) -> Video {
        Video {
            id: "ab".into(),
            width,
            height,
            duration_ms: 65_000,
            renditions: vec![360, 720],
            blurhash: String::new(),
            file_name: "holiday.mp4".into(),
            state: VideoState::Ready,
        }
    }

    #[test]
    fn menu_lists_auto_then_renditions_largest_first() {
        let labels: Vec<_> = quality_options(&[360, 720])
            .into_iter()
            .map(|(v, l)| format!("{v}={l}"))
            .collect();
        assert_eq!(labels, ["auto=Auto", "720=720p", "360=360p"]);
        assert_eq!(quality_options(&[240]).len(), 2);
        assert_eq!(quality_options(&[]).len(), 1);
    }

    #[test]
    fn levels_match_by_short_side() {
        // hls.js lists a vertical video's levels as 360×640 and 720×1280.
        let vertical = [(720, 1280), (360, 640)];
        assert_eq!(level_for(&vertical, "360"), Some(1));
        assert_eq!(level_for(&vertical, "720"), Some(0));
        let wide = [(640, 360), (1280, 720)];
        assert_eq!(level_for(&wide, "720"), Some(1));
        // A rung the manifest lacks: the nearest.
        assert_eq!(level_for(&wide, "480"), Some(0));
        assert_eq!(level_for(&wide, AUTO), Some(-1));
        assert_eq!(level_for(&[], "360"), None);
    }

    #[test]
    fn poster_like_photos() {
        let v = video(1280, 720);
        assert_eq!(
            poster_srcset(&v),
            "/media/ab/160.jpg 160w, /media/ab/640.jpg 640w, /media/ab/1280.jpg 1280w"
        );
        assert_eq!(poster_size(&v), (640, 360));
        assert_eq!(poster_size(&video(720, 1280)), (360, 640));
        assert_eq!(poster_size(&video(0, 0)), (640, 360));
        assert_eq!(poster_alt(&v), "Video, 1:05");
    }
}
