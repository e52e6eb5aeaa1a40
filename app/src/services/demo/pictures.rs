//! Demo pictures drawn locally (no network, no font files): avatars with
//! initials on a gradient, covers and photos as simple landscapes. Each is
//! a deterministic function of its seed, returned as JPEG bytes for the
//! real upload pipeline.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

/// Capital letters A–Z, 5×7 pixels each, one byte per row (low 5 bits,
/// most significant bit on the left).
const GLYPHS: [[u8; 7]; 26] = [
    [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
    [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
    [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
    [0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E],
    [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
    [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
    [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
    [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
    [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
    [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
    [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
    [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
    [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
    [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
    [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
    [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
    [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
    [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
    [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
    [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
    [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
    [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
    [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
    [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
    [0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04],
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
];

/// Pleasant colour pairs for gradients.
const PALETTE: [([u8; 3], [u8; 3]); 8] = [
    ([255, 154, 98], [214, 61, 94]),
    ([94, 173, 255], [48, 63, 159]),
    ([120, 220, 160], [23, 120, 110]),
    ([255, 214, 102], [239, 108, 0]),
    ([186, 147, 255], [94, 53, 177]),
    ([255, 171, 196], [173, 20, 87]),
    ([129, 212, 250], [0, 131, 143]),
    ([197, 225, 165], [85, 139, 47]),
];

/// A small deterministic generator (SplitMix64), so pictures depend only
/// on their seed.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u32) -> u32 {
        u32::try_from(self.next() % u64::from(n.max(1))).unwrap_or(0)
    }
}

fn lerp(a: [u8; 3], b: [u8; 3], t: f32) -> Rgb<u8> {
    let c = |i: usize| {
        let v = f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * t.clamp(0.0, 1.0);
        v.round().clamp(0.0, 255.0) as u8
    };
    Rgb([c(0), c(1), c(2)])
}

fn gradient(w: u32, h: u32, pair: ([u8; 3], [u8; 3])) -> RgbImage {
    let span = (w + h).max(1) as f32;
    RgbImage::from_fn(w, h, |x, y| lerp(pair.0, pair.1, (x + y) as f32 / span))
}

fn disc(img: &mut RgbImage, cx: i64, cy: i64, r: i64, colour: [u8; 3], alpha: f32) {
    let (w, h) = (i64::from(img.width()), i64::from(img.height()));
    for y in (cy - r).max(0)..(cy + r).min(h) {
        for x in (cx - r).max(0)..(cx + r).min(w) {
            if (x - cx).pow(2) + (y - cy).pow(2) <= r * r {
                let (ux, uy) = (u32::try_from(x).unwrap_or(0), u32::try_from(y).unwrap_or(0));
                let p = img.get_pixel(ux, uy).0;
                img.put_pixel(ux, uy, lerp(p, colour, alpha));
            }
        }
    }
}

fn text(img: &mut RgbImage, letters: &str, scale: u32, colour: [u8; 3]) {
    let glyphs: Vec<&[u8; 7]> = letters
        .chars()
        .filter_map(|c| {
            let i = (c.to_ascii_uppercase() as u32).checked_sub('A' as u32)?;
            GLYPHS.get(usize::try_from(i).ok()?)
        })
        .collect();
    let n = u32::try_from(glyphs.len()).unwrap_or(0);
    if n == 0 {
        return;
    }
    let (gw, gh) = (6 * scale * n - scale, 7 * scale);
    let (x0, y0) = (
        img.width().saturating_sub(gw) / 2,
        img.height().saturating_sub(gh) / 2,
    );
    for (i, g) in (0u32..).zip(glyphs) {
        for (row, bits) in (0u32..).zip(g.iter()) {
            for col in 0..5 {
                if bits & (0x10 >> col) != 0 {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let x = x0 + (i * 6 + col) * scale + dx;
                            let y = y0 + row * scale + dy;
                            if x < img.width() && y < img.height() {
                                img.put_pixel(x, y, Rgb(colour));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Drawing is done at a quarter of the size and scaled up by the `image`
/// crate (optimised even in debug builds): smooth pictures lose nothing,
/// and seeding in a debug build stays quick.
const DRAW_DIVISOR: u32 = 4;

fn upscaled_jpeg(img: &RgbImage, w: u32, h: u32) -> Vec<u8> {
    jpeg(&image::imageops::resize(
        img,
        w,
        h,
        image::imageops::FilterType::Triangle,
    ))
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    // A fixed in-memory encode of a valid image can't fail; an empty
    // result would be refused by the pipeline and reported.
    let _ = JpegEncoder::new_with_quality(&mut out, 90).encode_image(img);
    out
}

/// A 480×480 avatar: a gradient with soft circles and the initials.
pub fn avatar(seed: u64, initials: &str) -> Vec<u8> {
    let mut rng = Mix(seed);
    let pair = PALETTE[rng.below(8) as usize];
    let side = 480 / DRAW_DIVISOR;
    let mut img = gradient(side, side, pair);
    for _ in 0..3 {
        let (x, y, r) = (
            rng.below(side),
            rng.below(side),
            side / 12 + rng.below(side / 4),
        );
        disc(
            &mut img,
            x.into(),
            y.into(),
            r.into(),
            [255, 255, 255],
            0.15,
        );
    }
    text(&mut img, initials, side / 20, [255, 255, 255]);
    upscaled_jpeg(&img, 480, 480)
}

/// A landscape of `w`×`h`: sky gradient, a sun, layered hills.
pub fn landscape(seed: u64, width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (
        (width / DRAW_DIVISOR).max(8),
        (height / DRAW_DIVISOR).max(8),
    );
    let mut rng = Mix(seed);
    let (sky, ground) = (
        PALETTE[rng.below(8) as usize],
        PALETTE[rng.below(8) as usize],
    );
    let mut img = RgbImage::from_fn(w, h, |_, y| lerp(sky.0, sky.1, y as f32 / h as f32 * 0.8));
    let sun_r = i64::from(h / 10 + rng.below(h / 8));
    disc(
        &mut img,
        rng.below(w).into(),
        i64::from(h / 4 + rng.below(h / 4)),
        sun_r,
        [255, 244, 214],
        0.9,
    );
    for layer in 0..3u32 {
        let base = h / 2 + layer * h / 8 + rng.below(h / 10);
        let amp = (h / 12 + rng.below(h / 10)) as f32;
        let freq = (1 + rng.below(3)) as f32 * std::f32::consts::TAU / w as f32;
        let phase = rng.below(1000) as f32;
        let colour = lerp(ground.0, ground.1, 0.3 + layer as f32 * 0.3).0;
        for x in 0..w {
            let top = (base as f32 + amp * (x as f32 * freq + phase).sin()).max(0.0) as u32;
            for y in top.min(h)..h {
                img.put_pixel(x, y, Rgb(colour));
            }
        }
    }
    upscaled_jpeg(&img, width, height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_deterministic_jpegs() {
        let a = avatar(7, "AL");
        assert_eq!(a, avatar(7, "AL"));
        assert_ne!(a, avatar(8, "AL"));
        assert_eq!(image::guess_format(&a).ok(), Some(image::ImageFormat::Jpeg));
        let l = landscape(3, 320, 200);
        let img = image::load_from_memory(&l).expect("decode");
        assert_eq!((img.width(), img.height()), (320, 200));
    }
}
