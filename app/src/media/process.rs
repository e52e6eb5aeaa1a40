//! The photo pipeline: sniff the type from the bytes, decode under limits,
//! apply the EXIF orientation, crop for the purpose, and re-encode every
//! variant as a fresh JPEG with no metadata. Pure CPU work: callers run it
//! through [`super::MediaStore::run_image_work`].
//!
//! Why JPEG at quality 80: the `image` crate encodes WebP only losslessly,
//! which for photos is several times larger than JPEG q80 (see
//! `bench/src/bin/photo-bench.rs` for the measured bytes), and lossy WebP
//! would need libwebp's C code. Every browser decodes JPEG, and q80 shows
//! no visible artefacts at these sizes.

use crate::models::{COVER_ASPECT, MAX_PIXELS, MediaPurpose, VARIANT_SLOTS, scaled, slots_for};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder as _, ImageFormat, ImageReader, Limits, RgbImage};
use std::io::Cursor;

/// JPEG quality of every variant.
pub const JPEG_QUALITY: u8 = 80;
/// Most memory one decode may allocate: 50 megapixels of RGBA plus room.
pub const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;
/// Longest side accepted before decoding, pixels.
pub const MAX_SIDE: u32 = 20_000;

/// Why a file was refused. The `Display` text is shown to the uploader.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// Not JPEG, PNG, WebP or GIF by its bytes (SVG and HTML included).
    #[error("This file isn't a photo we can read. Use a JPEG, PNG, WebP or GIF.")]
    Unsupported,
    /// Claims more pixels than [`MAX_PIXELS`] or a side over [`MAX_SIDE`].
    #[error("This photo is too large: at most 50 megapixels, 20,000 pixels a side.")]
    TooManyPixels,
    /// A supported type whose data is broken.
    #[error("This photo seems to be damaged, so we couldn't read it.")]
    Corrupt,
}

/// A processed photo: variants by slot, each a JPEG with no metadata.
#[derive(Debug, Clone)]
pub struct Processed {
    /// Width of the largest variant.
    pub width: u32,
    /// Height of the largest variant.
    pub height: u32,
    /// BlurHash of the picture (4×3 components).
    pub blurhash: String,
    /// `(slot, jpeg bytes)`, smallest first; see [`slots_for`].
    pub variants: Vec<(u32, Vec<u8>)>,
}

impl Processed {
    /// Total bytes of all variants.
    pub fn size_bytes(&self) -> u64 {
        self.variants.iter().map(|(_, b)| b.len() as u64).sum()
    }
}

/// The format of `bytes` by its magic numbers, if it is one we accept:
/// JPEG, PNG, WebP or GIF. The file's name and declared type are never
/// consulted.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif)) => {
            Some(f)
        }
        _ => None,
    }
}

/// Decodes `bytes` (the first frame of a GIF) under [`Limits`], refusing
/// anything over [`MAX_PIXELS`] before allocating, and turns it upright by
/// its EXIF orientation.
///
/// # Errors
/// [`PhotoError`] for unsupported, oversized or broken files.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, PhotoError> {
    let format = sniff(bytes).ok_or(PhotoError::Unsupported)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(map_err)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels);
    }
    let orientation = decoder.orientation().map_err(map_err)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(map_err)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn map_err(e: image::ImageError) -> PhotoError {
    match e {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels,
        image::ImageError::Unsupported(_) => PhotoError::Unsupported,
        _ => PhotoError::Corrupt,
    }
}

/// Centre crop for `purpose`: square for avatars, [`COVER_ASPECT`] for
/// covers, none otherwise.
fn crop(image: DynamicImage, purpose: MediaPurpose) -> DynamicImage {
    let (w, h) = (image.width(), image.height());
    let (tw, th) = match purpose {
        MediaPurpose::Avatar => {
            let s = w.min(h);
            (s, s)
        }
        MediaPurpose::Cover => {
            let (aw, ah) = COVER_ASPECT;
            if u64::from(w) * u64::from(ah) > u64::from(h) * u64::from(aw) {
                ((h * aw / ah).max(1), h)
            } else {
                (w, (w * ah / aw).max(1))
            }
        }
        MediaPurpose::Post | MediaPurpose::Message => return image,
    };
    image.crop_imm((w - tw) / 2, (h - th) / 2, tw, th)
}

/// Alpha flattened onto white (JPEG has none).
fn to_rgb(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u16::from(p[3]);
        let mix = |c: u8| u8::try_from((u16::from(c) * a + 255 * (255 - a)) / 255).unwrap_or(255);
        image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

fn encode_jpeg(image: &RgbImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(image)
        .map_err(|_| PhotoError::Corrupt)?;
    Ok(out)
}

/// The whole pipeline for one upload.
///
/// # Errors
/// [`PhotoError`] for unsupported, oversized or broken files.
pub fn process(bytes: &[u8], purpose: MediaPurpose) -> Result<Processed, PhotoError> {
    let image = crop(decode(bytes)?, purpose);
    let rgb = to_rgb(&image);
    drop(image);
    let (w, h) = (rgb.width(), rgb.height());
    let slots = slots_for(w.max(h));
    // Largest first, each variant resized from the one above: far cheaper
    // than resizing a 12-megapixel source three times.
    let mut variants = Vec::with_capacity(slots.len());
    let mut current = rgb;
    for &slot in slots.iter().rev() {
        let (tw, th) = scaled(w, h, slot);
        if (tw, th) != current.dimensions() {
            current = image::imageops::resize(&current, tw, th, FilterType::CatmullRom);
        }
        variants.push((slot, encode_jpeg(&current)?));
    }
    variants.reverse();
    let largest = scaled(w, h, *slots.last().unwrap_or(&VARIANT_SLOTS[0]));
    let small = DynamicImage::ImageRgb8(current).to_rgba8();
    let blurhash = blurhash::encode(4, 3, small.width(), small.height(), small.as_raw())
        .map_err(|_| PhotoError::Corrupt)?;
    Ok(Processed {
        width: largest.0,
        height: largest.1,
        blurhash,
        variants,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder as _, Rgb};

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_pixel(w, h, Rgb([200, 30, 30]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .expect("encode");
        out
    }

    #[test]
    fn sniffs_by_bytes_only() {
        assert_eq!(sniff(&png(2, 2)), Some(ImageFormat::Png));
        assert_eq!(sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), None);
        assert_eq!(sniff(b"<!DOCTYPE html><html>"), None);
        assert_eq!(sniff(b"BM\0\0"), None, "BMP is not accepted");
    }

    #[test]
    fn variants_never_upscale() {
        let p = process(&png(2000, 1000), MediaPurpose::Post).expect("process");
        assert_eq!((p.width, p.height), (1280, 640));
        let sizes: Vec<(u32, (u32, u32))> = p
            .variants
            .iter()
            .map(|(s, b)| {
                let i = image::load_from_memory(b).expect("decode");
                (*s, (i.width(), i.height()))
            })
            .collect();
        assert_eq!(
            sizes,
            vec![(160, (160, 80)), (640, (640, 320)), (1280, (1280, 640))]
        );
        let small = process(&png(100, 50), MediaPurpose::Post).expect("process");
        assert_eq!(small.variants.len(), 1);
        assert_eq!((small.width, small.height), (100, 50));
    }

    #[test]
    fn crops_avatars_and_covers() {
        let a = process(&png(900, 300), MediaPurpose::Avatar).expect("avatar");
        assert_eq!((a.width, a.height), (300, 300));
        let c = process(&png(1000, 1000), MediaPurpose::Cover).expect("cover");
        assert_eq!((c.width, c.height), (1000, 333));
    }

    #[test]
    fn flattens_alpha_onto_white() {
        let img = image::RgbaImage::from_pixel(4, 4, image::Rgba([0, 0, 0, 0]));
        assert_eq!(
            to_rgb(&DynamicImage::ImageRgba8(img)).get_pixel(0, 0),
            &Rgb([255, 255, 255])
        );
    }
}
