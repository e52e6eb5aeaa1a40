//! Video shapes shared by server and browser: the resumable upload
//! protocol's constants (tus 1.0, <https://tus.io/protocols/resumable-upload>),
//! a posted video ([`Video`]) with its processing state and the URLs of its
//! HLS playlists and poster, and the rendition ladder.
//!
//! Upload (tus core + creation, termination, expiration):
//! - `POST {UPLOADS_PATH}` with `Tus-Resumable: 1.0.0`, `Upload-Length`
//!   (bytes, at most the server's limit, 1 GiB by default) and optional
//!   `Upload-Metadata: filename <base64>,filetype <base64>` → `201` with
//!   `Location: {UPLOADS_PATH}/{id}` and `Upload-Expires`.
//! - `HEAD {UPLOADS_PATH}/{id}` → `200` with `Upload-Offset`, `Upload-Length`.
//! - `PATCH {UPLOADS_PATH}/{id}` with `Content-Type:
//!   application/offset+octet-stream` and `Upload-Offset` equal to the
//!   server's → `204` with the new `Upload-Offset`. The browser sends
//!   [`UPLOAD_CHUNK_BYTES`] per request.
//! - `DELETE {UPLOADS_PATH}/{id}` → `204`.
//!
//! Errors: `401` signed out, `404` unknown id or someone else's upload,
//! `409` offset mismatch, `410` expired, `412` wrong `Tus-Resumable`,
//! `413` too large, `415` wrong content type. Refusals carry a plain-text
//! sentence a person can read.
//!
//! When the last byte arrives the upload becomes a video being processed;
//! its `id` is what `create_post(video = id)` attaches. The post reaches
//! other people only when the video is ready.

use serde::{Deserialize, Serialize};

/// Where uploads are created (`POST`); each lives at `{UPLOADS_PATH}/{id}`.
pub const UPLOADS_PATH: &str = "/api/videos/uploads";
/// The tus protocol version spoken (`Tus-Resumable`, `Tus-Version`).
pub const TUS_VERSION: &str = "1.0.0";
/// Bytes the browser sends per `PATCH`: 5 MiB.
pub const UPLOAD_CHUNK_BYTES: u64 = 5 * 1024 * 1024;
/// Default largest upload: 1 GiB (`HEARTH_VIDEO_MAX_BYTES`).
pub const DEFAULT_MAX_VIDEO_BYTES: u64 = 1024 * 1024 * 1024;
/// Default longest video: 10 minutes (`HEARTH_VIDEO_MAX_SECONDS`).
pub const DEFAULT_MAX_VIDEO_SECONDS: u32 = 600;
/// Unfinished uploads expire this long after creation: 24 h.
pub const UPLOAD_EXPIRES_MS: i64 = 24 * 60 * 60 * 1000;
/// Largest source accepted: 4K UHD, longest side × shortest side.
pub const MAX_SOURCE_SIZE: (u32, u32) = (3840, 2160);

/// One rung of the HLS ladder: H.264 video + AAC audio at a height.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rendition {
    /// The short side in pixels (`360` for "360p"; a vertical video's
    /// width).
    pub height: u32,
    /// Target video bit rate, kilobits per second.
    pub video_kbps: u32,
    /// Audio bit rate, kilobits per second.
    pub audio_kbps: u32,
}

/// The ladder: 360p at about 800 kb/s and 720p at about 2.5 Mb/s. A source
/// gets each rung not above its own short side, or one rung at its own
/// size when it is smaller than 360p (never upscaled).
pub const RENDITIONS: [Rendition; 2] = [
    Rendition {
        height: 360,
        video_kbps: 800,
        audio_kbps: 96,
    },
    Rendition {
        height: 720,
        video_kbps: 2500,
        audio_kbps: 128,
    },
];

/// HLS segment length, seconds.
pub const SEGMENT_SECONDS: u32 = 10;

/// Where a video is in its life.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum VideoState {
    /// Uploaded; waiting for or being transcoded (`percent` 0–100).
    Processing {
        /// How far the transcode is.
        percent: u8,
    },
    /// Playable.
    Ready,
    /// Can't be played; `reason` is a sentence for the author.
    Failed {
        /// Why, for the author.
        reason: String,
    },
}

/// A posted video. Playlists are served at [`Video::master_url`] (and the
/// variant playlists and segments it names), the poster at
/// [`Video::poster_url`], under the same access rules as the post's photos.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Video {
    /// Random key (32 hex digits), the upload's id.
    pub id: String,
    /// Display width of the largest rendition, pixels (0 until ready).
    pub width: u32,
    /// Display height of the largest rendition, pixels (0 until ready).
    pub height: u32,
    /// Length, milliseconds (0 until probed).
    pub duration_ms: u64,
    /// Short sides of the renditions made, ascending (e.g. `[360, 720]`).
    pub renditions: Vec<u32>,
    /// BlurHash of the poster ("" until ready).
    pub blurhash: String,
    /// The uploader's file name, for the author's own messages.
    pub file_name: String,
    /// Processing state.
    pub state: VideoState,
}

impl Video {
    /// The HLS master playlist.
    pub fn master_url(&self) -> String {
        format!("/media/{}/hls/master.m3u8", self.id)
    }

    /// The poster frame (JPEG) at `slot` (160, 640 or 1280 px on its
    /// longest side, as photos).
    pub fn poster_url(&self, slot: u32) -> String {
        format!("/media/{}/{slot}.jpg", self.id)
    }

    /// Whether it can be played.
    pub fn is_ready(&self) -> bool {
        self.state == VideoState::Ready
    }

    /// Length as `m:ss` (or `h:mm:ss`).
    pub fn duration_label(&self) -> String {
        let s = self.duration_ms / 1000;
        if s >= 3600 {
            format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
        } else {
            format!("{}:{:02}", s / 60, s % 60)
        }
    }
}

/// The renditions for a source whose short side is `short` pixels:
/// each rung of [`RENDITIONS`] not above it, or one rung at `short`
/// (rounded down to even) when it is below the lowest.
pub fn renditions_for(short: u32) -> Vec<Rendition> {
    let fit: Vec<Rendition> = RENDITIONS
        .iter()
        .copied()
        .filter(|r| r.height <= short)
        .collect();
    if fit.is_empty() {
        let lowest = RENDITIONS[0];
        vec![Rendition {
            height: (short / 2 * 2).max(2),
            ..lowest
        }]
    } else {
        fit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladder_never_upscales() {
        let h = |short| {
            renditions_for(short)
                .iter()
                .map(|r| r.height)
                .collect::<Vec<_>>()
        };
        assert_eq!(h(1080), vec![360, 720]);
        assert_eq!(h(720), vec![360, 720]);
        assert_eq!(h(480), vec![360]);
        assert_eq!(h(240), vec![240]);
        assert_eq!(h(241), vec![240]);
    }

    #[test]
    fn durations_read_like_a_player() {
        let mut v = Video {
            id: "a".into(),
            width: 0,
            height: 0,
            duration_ms: 65_400,
            renditions: vec![],
            blurhash: String::new(),
            file_name: String::new(),
            state: VideoState::Ready,
        };
        assert_eq!(v.duration_label(), "1:05");
        v.duration_ms = 3_725_000;
        assert_eq!(v.duration_label(), "1:02:05");
    }

    #[test]
    fn states_serialize_tagged() {
        let s = serde_json::to_string(&VideoState::Processing { percent: 40 }).unwrap();
        assert_eq!(s, r#"{"state":"processing","percent":40}"#);
    }
}
