//! Photo shapes shared by server and browser: a stored, processed photo
//! ([`Photo`]) with the URLs of its variants, what a client says about a
//! photo it attaches ([`PhotoInput`]), and the upload limits.

use serde::{Deserialize, Serialize};

/// Largest accepted upload, per image: 20 MiB.
pub const MAX_PHOTO_BYTES: u64 = 20 * 1024 * 1024;
/// Most photos on one post.
pub const MAX_PHOTOS_PER_POST: usize = 10;
/// Longest alt text, in characters.
pub const ALT_MAX_CHARS: usize = 500;
/// Largest decoded image accepted, in pixels (50 megapixels).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Variant sizes: the longest side in pixels (never upscaled). 160 for
/// avatars and thumbnails, 640 for feed cells, 1,280 for the viewer.
pub const VARIANT_SLOTS: [u32; 3] = [160, 640, 1280];
/// Covers are cropped to this width:height ratio.
pub const COVER_ASPECT: (u32, u32) = (3, 1);

/// What an upload is for: decides its crop and who may later fetch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaPurpose {
    /// A photo in a post (kept as shot).
    Post,
    /// A photo in a chat message (kept as shot).
    Message,
    /// A profile picture (centre-cropped square).
    Avatar,
    /// A profile cover (centre-cropped to [`COVER_ASPECT`]).
    Cover,
}

impl MediaPurpose {
    /// All purposes.
    pub const ALL: [Self; 4] = [Self::Post, Self::Message, Self::Avatar, Self::Cover];

    /// Stored and query-string spelling: `post`, `message`, `avatar`, `cover`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Message => "message",
            Self::Avatar => "avatar",
            Self::Cover => "cover",
        }
    }

    /// Parses [`MediaPurpose::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A stored photo: its public key, the size of its largest variant, a
/// BlurHash placeholder and its alt text. Served at
/// `/media/{id}/{slot}.jpg` for each slot in [`Photo::slots`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Photo {
    /// Random key (32 hex digits), never the uploader's file name.
    pub id: String,
    /// Width of the largest variant, pixels.
    pub width: u32,
    /// Height of the largest variant, pixels.
    pub height: u32,
    /// BlurHash (4×3 components) of the picture, for a placeholder.
    pub blurhash: String,
    /// Alt text ("" when the author gave none).
    pub alt: String,
}

impl Photo {
    /// Slots stored for this photo: 160 always, then each larger slot
    /// while the picture is bigger than the slot below (never upscaled).
    pub fn slots(&self) -> Vec<u32> {
        slots_for(self.width.max(self.height))
    }

    /// URL of the variant for `slot` (one of [`Photo::slots`]).
    pub fn url(&self, slot: u32) -> String {
        format!("/media/{}/{slot}.jpg", self.id)
    }

    /// The smallest stored variant at least `px` pixels on its longest
    /// side (the largest if none is), as a URL.
    pub fn url_for(&self, px: u32) -> String {
        let slots = self.slots();
        let slot = slots
            .iter()
            .copied()
            .find(|s| *s >= px)
            .or_else(|| slots.last().copied())
            .unwrap_or(VARIANT_SLOTS[0]);
        self.url(slot)
    }

    /// Pixel size (width, height) of the variant in `slot`.
    pub fn size_at(&self, slot: u32) -> (u32, u32) {
        scaled(self.width, self.height, slot)
    }

    /// A `srcset` attribute: each variant's URL with its true width (`640w`).
    pub fn srcset(&self) -> String {
        self.slots()
            .into_iter()
            .map(|s| format!("{} {}w", self.url(s), self.size_at(s).0))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// CSS for a placeholder painted before the image loads: the BlurHash
    /// decoded to 2×2 colours, drawn as two horizontal gradients. Empty if
    /// the hash can't be read.
    pub fn placeholder_css(&self) -> String {
        let Ok(px) = blurhash::decode(&self.blurhash, 2, 2, 1.0) else {
            return String::new();
        };
        let c = |i: usize| match px.get(i * 4..i * 4 + 3) {
            Some(p) => format!("#{:02x}{:02x}{:02x}", p[0], p[1], p[2]),
            None => "#888".to_owned(),
        };
        format!(
            "background:linear-gradient(to right,{},{}) top/100% 50% no-repeat,linear-gradient(to right,{},{}) bottom/100% 50% no-repeat",
            c(0),
            c(1),
            c(2),
            c(3)
        )
    }
}

/// Slots stored for a picture whose longest side is `longest` pixels.
pub fn slots_for(longest: u32) -> Vec<u32> {
    let mut out = vec![VARIANT_SLOTS[0]];
    for pair in VARIANT_SLOTS.windows(2) {
        if longest > pair[0] {
            out.push(pair[1]);
        }
    }
    out
}

/// `(width, height)` scaled so the longest side is at most `slot`,
/// keeping the aspect ratio (never upscaled, never below 1 pixel).
pub fn scaled(width: u32, height: u32, slot: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= slot || longest == 0 {
        return (width, height);
    }
    let f = |v: u32| {
        let s = (u64::from(v) * u64::from(slot) + u64::from(longest) / 2) / u64::from(longest);
        u32::try_from(s).unwrap_or(u32::MAX).max(1)
    };
    (f(width), f(height))
}

/// A photo a client attaches to a post or message: the id its upload
/// returned and the alt text to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoInput {
    /// [`Photo::id`] from the upload.
    pub id: String,
    /// Alt text, at most [`ALT_MAX_CHARS`] characters.
    #[serde(default)]
    pub alt: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(w: u32, h: u32) -> Photo {
        Photo {
            id: "ab".into(),
            width: w,
            height: h,
            blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj".into(),
            alt: String::new(),
        }
    }

    #[test]
    fn slots_never_upscale() {
        assert_eq!(slots_for(100), vec![160]);
        assert_eq!(slots_for(160), vec![160]);
        assert_eq!(slots_for(161), vec![160, 640]);
        assert_eq!(slots_for(640), vec![160, 640]);
        assert_eq!(slots_for(4000), vec![160, 640, 1280]);
    }

    #[test]
    fn scaling_keeps_aspect() {
        assert_eq!(scaled(4000, 3000, 1280), (1280, 960));
        assert_eq!(scaled(3000, 4000, 160), (120, 160));
        assert_eq!(scaled(100, 50, 640), (100, 50));
        assert_eq!(scaled(10_000, 1, 160), (160, 1));
    }

    #[test]
    fn srcset_lists_true_widths() {
        let p = photo(1280, 960);
        assert_eq!(
            p.srcset(),
            "/media/ab/160.jpg 160w, /media/ab/640.jpg 640w, /media/ab/1280.jpg 1280w"
        );
        assert_eq!(p.url_for(100), "/media/ab/160.jpg");
        assert_eq!(p.url_for(700), "/media/ab/1280.jpg");
        assert_eq!(photo(100, 80).url_for(1280), "/media/ab/160.jpg");
    }

    #[test]
    fn placeholder_from_blurhash() {
        assert!(photo(10, 10).placeholder_css().starts_with("background:"));
        let mut bad = photo(10, 10);
        bad.blurhash = "x".into();
        assert_eq!(bad.placeholder_css(), "");
    }

    #[test]
    fn purposes_round_trip() {
        for p in MediaPurpose::ALL {
            assert_eq!(MediaPurpose::parse(p.as_str()), Some(p));
        }
        assert_eq!(MediaPurpose::parse("video"), None);
    }
}
