//! Photos: type sniffing, the decompression bomb, EXIF orientation and
//! metadata stripping, variant sizes, the 20 MiB limit, who may fetch a
//! photo (the authorization matrix, extended to media URLs), chat photos,
//! caching headers, and that deleting things leaves no file behind while
//! never removing one still in use.

use crate::authz::{ACTORS, Actor, viewers, world};
use crate::helpers::{Person, TestApp, decode, spawn_app};
use app::error::AppError;
use app::ids::ConversationId;
use app::models::{MessageView, Photo, PostView};
use app::server_fns::chat::{DeleteMessage, OpenDirectConversation, SendMessage};
use app::server_fns::media::{RemovePostPhoto, SetProfilePhoto, UpdatePhotoAlt};
use app::server_fns::posts::{CreatePost, DeletePost, SharePost, UpdatePost};
use image::{ImageEncoder as _, Rgb, RgbImage};
use reqwest::StatusCode;
use std::collections::BTreeSet;

/// A PNG of `w`×`h` in one colour.
pub fn png(w: u32, h: u32, colour: [u8; 3]) -> Vec<u8> {
    encode_png(&RgbImage::from_pixel(w, h, Rgb(colour)))
}

fn encode_png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("png");
    out
}

/// A 200×100 JPEG, left half red and right half blue, carrying an EXIF
/// block with Orientation = 6 ("rotate 90° clockwise to view") and a GPS
/// IFD (latitude reference "N"), as a phone writes it.
fn jpeg_rotated_with_gps() -> Vec<u8> {
    let img = RgbImage::from_fn(200, 100, |x, _| {
        if x < 100 {
            Rgb([230, 20, 20])
        } else {
            Rgb([20, 20, 230])
        }
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(&img)
        .expect("jpeg");
    // TIFF (big-endian): IFD0 at 8 with Orientation and the GPS IFD
    // pointer; the GPS IFD at 38 with GPSLatitudeRef = "N".
    let mut tiff: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&[0, 2]);
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    tiff.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    assert_eq!(tiff.len(), 38);
    tiff.extend_from_slice(&[0, 1]);
    tiff.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let len = u16::try_from(app1.len() + 2).expect("short");
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFF_u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(data.len())
        .expect("len")
        .to_be_bytes()
        .to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A 100-byte PNG whose header claims 100,000 × 100,000 pixels.
fn png_bomb() -> Vec<u8> {
    let mut ihdr = 100_000_u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000_u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(png_chunk(b"IHDR", &ihdr));
    // A zlib stream of a few zero bytes: the rows that never come.
    out.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
    ));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// Uploads `bytes` as file `name` with declared type `mime`.
pub async fn upload_raw(
    app: &TestApp,
    client: &reqwest::Client,
    purpose: &str,
    name: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .expect("mime");
    client
        .post(app.url(&format!("/api/media?purpose={purpose}")))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload")
}

/// Uploads a PNG for `purpose` and returns the stored photo.
pub async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    purpose: &str,
    w: u32,
    h: u32,
) -> Photo {
    decode(
        upload_raw(
            app,
            client,
            purpose,
            "photo.png",
            "image/png",
            png(w, h, [40, 120, 200]),
        )
        .await,
    )
    .await
    .expect("upload")
}

async fn fetch(
    app: &TestApp,
    client: &reqwest::Client,
    photo: &Photo,
    slot: u32,
) -> reqwest::Response {
    client
        .get(app.url(&photo.url(slot)))
        .send()
        .await
        .expect("fetch")
}

async fn post_with_photos(
    app: &TestApp,
    client: &reqwest::Client,
    body: &str,
    visibility: &str,
    photos: &[(&Photo, &str)],
) -> Result<PostView, AppError> {
    let mut form: Vec<(String, String)> = vec![
        ("body".into(), body.into()),
        ("visibility".into(), visibility.into()),
    ];
    for (i, (p, alt)) in photos.iter().enumerate() {
        form.push((format!("photos[{i}][id]"), p.id.clone()));
        form.push((format!("photos[{i}][alt]"), (*alt).to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    decode(app.call_with::<CreatePost>(client, &form).await).await
}

fn field_message(err: &AppError) -> String {
    err.to_string()
}

#[tokio::test]
async fn the_type_comes_from_the_bytes_not_the_name() {
    let app = spawn_app().await;
    let ana = app.person("ana_media").await;
    let png_as_jpg: Photo = decode(
        upload_raw(
            &app,
            &ana.client,
            "post",
            "holiday.jpg",
            "image/jpeg",
            png(40, 30, [1, 2, 3]),
        )
        .await,
    )
    .await
    .expect("a PNG named .jpg is a photo");
    assert_eq!((png_as_jpg.width, png_as_jpg.height), (40, 30));
    let served = fetch(&app, &ana.client, &png_as_jpg, 160).await;
    assert_eq!(served.headers()["content-type"], "image/jpeg");

    for (name, bytes) in [
        (
            "page.png",
            b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec(),
        ),
        (
            "logo.png",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
        ),
        ("notes.gif", b"just some text".to_vec()),
    ] {
        let resp = upload_raw(&app, &ana.client, "post", name, "image/png", bytes).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let err = decode::<Photo>(resp).await.expect_err("refused");
        assert!(
            field_message(&err).starts_with("This file isn't a photo we can read"),
            "{name}: {err}"
        );
    }
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_before_decoding() {
    let app = spawn_app().await;
    let ana = app.person("ana_bomb").await;
    let bomb = png_bomb();
    assert!(bomb.len() < 200);
    let resp = upload_raw(&app, &ana.client, "post", "tiny.png", "image/png", bomb).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = decode::<Photo>(resp).await.expect_err("refused");
    assert!(err.to_string().contains("too large"), "{err}");
}

#[tokio::test]
async fn orientation_is_applied_and_all_metadata_is_stripped() {
    let app = spawn_app().await;
    let ana = app.person("ana_exif").await;
    let original = jpeg_rotated_with_gps();
    assert!(
        original.windows(6).any(|w| w == b"Exif\0\0"),
        "the fixture has EXIF"
    );
    let photo: Photo = decode(
        upload_raw(
            &app,
            &ana.client,
            "post",
            "IMG_0001.JPG",
            "image/jpeg",
            original,
        )
        .await,
    )
    .await
    .expect("upload");
    assert_eq!((photo.width, photo.height), (100, 200), "turned upright");
    for slot in photo.slots() {
        let bytes = fetch(&app, &ana.client, &photo, slot)
            .await
            .bytes()
            .await
            .expect("bytes");
        for marker in [
            &b"Exif"[..],
            b"GPS",
            b"ICC_PROFILE",
            b"http://ns.adobe.com/xap",
        ] {
            assert!(
                !bytes.windows(marker.len()).any(|w| w == marker),
                "slot {slot} still has {}",
                String::from_utf8_lossy(marker)
            );
        }
        assert!(
            !bytes.windows(2).any(|w| w == [0xFF, 0xE1]),
            "slot {slot} has an APP1 segment"
        );
        let img = image::load_from_memory(&bytes).expect("decode").to_rgb8();
        assert!(img.height() > img.width(), "slot {slot} is portrait");
        // Orientation 6: the left (red) side of the sensor is the top.
        let top = img.get_pixel(img.width() / 2, img.height() / 8);
        let bottom = img.get_pixel(img.width() / 2, img.height() * 7 / 8);
        assert!(top[0] > 150 && top[2] < 100, "top is red: {top:?}");
        assert!(
            bottom[2] > 150 && bottom[0] < 100,
            "bottom is blue: {bottom:?}"
        );
    }
}

#[tokio::test]
async fn variants_are_160_640_and_1280_and_never_upscaled() {
    let app = spawn_app().await;
    let ana = app.person("ana_sizes").await;
    let big = upload(&app, &ana.client, "post", 2000, 1500).await;
    assert_eq!((big.width, big.height), (1280, 960));
    for (slot, want) in [(160, (160, 120)), (640, (640, 480)), (1280, (1280, 960))] {
        let bytes = fetch(&app, &ana.client, &big, slot)
            .await
            .bytes()
            .await
            .expect("bytes");
        let img = image::load_from_memory(&bytes).expect("decode");
        assert_eq!((img.width(), img.height()), want, "slot {slot}");
    }
    let small = upload(&app, &ana.client, "post", 300, 200).await;
    assert_eq!(small.slots(), vec![160, 640]);
    let bytes = fetch(&app, &ana.client, &small, 640)
        .await
        .bytes()
        .await
        .expect("bytes");
    let img = image::load_from_memory(&bytes).expect("decode");
    assert_eq!((img.width(), img.height()), (300, 200), "not upscaled");
    assert_eq!(
        fetch(&app, &ana.client, &small, 1280).await.status(),
        StatusCode::NOT_FOUND
    );
    let avatar = upload(&app, &ana.client, "avatar", 900, 300).await;
    assert_eq!(
        (avatar.width, avatar.height),
        (300, 300),
        "avatars are square"
    );
    let cover = upload(&app, &ana.client, "cover", 1200, 1200).await;
    assert_eq!((cover.width, cover.height), (1200, 400), "covers are 3:1");
    assert!(!big.blurhash.is_empty());
}

#[tokio::test]
async fn uploads_over_20_mib_are_refused_with_413() {
    let app = spawn_app().await;
    let ana = app.person("ana_limit").await;
    let resp = upload_raw(
        &app,
        &ana.client,
        "post",
        "huge.png",
        "image/png",
        vec![0_u8; 21 * 1024 * 1024],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let err = decode::<Photo>(resp).await.expect_err("refused");
    assert!(matches!(err, AppError::TooLarge(_)));
    assert!(err.to_string().contains("20 MB"), "{err}");
    let nothing_stored = app.state.db.clone();
    let rows = <app::db::entities::media::Entity as sea_orm::EntityTrait>::find()
        .all(&nothing_stored)
        .await
        .expect("rows");
    assert!(rows.is_empty());
}

#[tokio::test]
async fn uploading_needs_an_account_and_a_purpose() {
    let app = spawn_app().await;
    let anon = crate::helpers::new_client();
    let resp = upload_raw(
        &app,
        &anon,
        "post",
        "a.png",
        "image/png",
        png(4, 4, [0, 0, 0]),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let ana = app.person("ana_purpose").await;
    let resp = upload_raw(
        &app,
        &ana.client,
        "video",
        "a.png",
        "image/png",
        png(4, 4, [0, 0, 0]),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// The authorization matrix on media URLs: a post's photo is served to
/// exactly the post's audience, 404 to everyone else, and the audience
/// narrows at once when the author changes it.
#[tokio::test]
async fn a_photo_is_served_to_exactly_its_posts_audience() {
    let w = world().await;
    let owner = w.client(Actor::Owner);
    for visibility in ["public", "friends", "only_me"] {
        let photo = upload(&w.app, owner, "post", 64, 48).await;
        let post = post_with_photos(&w.app, owner, "", visibility, &[(&photo, "A red square")])
            .await
            .expect("photo-only post");
        assert_eq!(post.photos.len(), 1);
        assert_eq!(post.photos[0].alt, "A red square");
        let mut served = BTreeSet::new();
        for actor in ACTORS {
            let status = fetch(&w.app, w.client(actor), &photo, 160).await.status();
            match status {
                StatusCode::OK => {
                    served.insert(actor);
                }
                StatusCode::NOT_FOUND => {}
                other => panic!("{actor:?} {visibility}: {other}"),
            }
        }
        assert_eq!(served, viewers(visibility), "{visibility}");
    }

    // Narrowing the audience takes effect on the next request.
    let photo = upload(&w.app, owner, "post", 64, 48).await;
    let post = post_with_photos(&w.app, owner, "Going private", "public", &[(&photo, "")])
        .await
        .expect("post");
    for actor in [Actor::Friend, Actor::Stranger] {
        assert_eq!(
            fetch(&w.app, w.client(actor), &photo, 160).await.status(),
            StatusCode::OK
        );
    }
    let _: PostView = w
        .call::<UpdatePost, _>(
            Actor::Owner,
            &[
                ("post_id", &post.id.to_string()),
                ("body", "Going private"),
                ("visibility", "friends"),
            ],
        )
        .await
        .expect("narrow");
    assert_eq!(
        fetch(&w.app, w.client(Actor::Stranger), &photo, 160)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(&w.app, w.client(Actor::Friend), &photo, 160)
            .await
            .status(),
        StatusCode::OK
    );

    // Avatars: any signed-in person, nobody signed out.
    let avatar = upload(&w.app, owner, "avatar", 64, 64).await;
    assert_eq!(
        fetch(&w.app, w.client(Actor::Stranger), &avatar, 160)
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "an unused upload is its owner's alone"
    );
    let _: Photo = w
        .call::<SetProfilePhoto, _>(Actor::Owner, &[("purpose", "avatar"), ("id", &avatar.id)])
        .await
        .expect("set avatar");
    for actor in ACTORS {
        let want = if actor == Actor::SignedOut {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(
            fetch(&w.app, w.client(actor), &avatar, 160).await.status(),
            want,
            "{actor:?}"
        );
    }
}

#[tokio::test]
async fn responses_are_private_revalidated_and_typed() {
    let app = spawn_app().await;
    let ana = app.person("ana_cache").await;
    let photo = upload(&app, &ana.client, "post", 64, 48).await;
    let resp = fetch(&app, &ana.client, &photo, 160).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers();
    assert_eq!(h["content-type"], "image/jpeg");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["cache-control"]
            .to_str()
            .expect("ascii")
            .starts_with("private")
    );
    let etag = h["etag"].to_str().expect("ascii").to_owned();
    let again = ana
        .client
        .get(app.url(&photo.url(160)))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("revalidate");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.expect("body").is_empty());
    // Nonsense paths are plain 404s, never files outside the store.
    for path in [
        "/media/../../etc/passwd/160.jpg",
        "/media/zz/160.jpg",
        &format!("/media/{}/161.jpg", photo.id),
    ] {
        let resp = ana.client.get(app.url(path)).send().await.expect("get");
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn posts_take_only_your_own_unused_uploads_and_at_most_ten() {
    let app = spawn_app().await;
    let ana = app.person("ana_attach").await;
    let ben = app.person("ben_attach").await;
    let bens = upload(&app, &ben.client, "post", 10, 10).await;
    let err = post_with_photos(&app, &ana.client, "Stolen", "public", &[(&bens, "")])
        .await
        .expect_err("someone else's upload");
    assert!(err.field_message("photos").is_some(), "{err:?}");
    let avatar = upload(&app, &ana.client, "avatar", 10, 10).await;
    let err = post_with_photos(&app, &ana.client, "Wrong kind", "public", &[(&avatar, "")])
        .await
        .expect_err("an avatar upload");
    assert!(err.field_message("photos").is_some());
    let mut eleven = Vec::new();
    for _ in 0..11 {
        eleven.push(upload(&app, &ana.client, "post", 8, 8).await);
    }
    let refs: Vec<(&Photo, &str)> = eleven.iter().map(|p| (p, "")).collect();
    let err = post_with_photos(&app, &ana.client, "Too many", "public", &refs)
        .await
        .expect_err("eleven");
    assert!(err.to_string().contains("at most 10"), "{err}");
    let post = post_with_photos(&app, &ana.client, "Ten", "public", &refs[..10])
        .await
        .expect("ten");
    let ids: Vec<&str> = post.photos.iter().map(|p| p.id.as_str()).collect();
    let want: Vec<&str> = eleven[..10].iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, want, "kept in order");
    let err = post_with_photos(&app, &ana.client, "Again", "public", &refs[..1])
        .await
        .expect_err("already used");
    assert!(err.field_message("photos").is_some());
    let err = post_with_photos(&app, &ana.client, "", "public", &[])
        .await
        .expect_err("no text, no photo");
    assert!(err.field_message("body").is_some());
}

#[tokio::test]
async fn alt_text_is_editable_by_the_author_only() {
    let app = spawn_app().await;
    let ana = app.person("ana_alt").await;
    let ben = app.person("ben_alt").await;
    let photo = upload(&app, &ana.client, "post", 10, 10).await;
    let post = post_with_photos(&app, &ana.client, "Alt", "public", &[(&photo, "old")])
        .await
        .expect("post");
    let updated: Photo = app
        .call_as::<UpdatePhotoAlt, _>(&ana, &[("id", &photo.id), ("alt", "A dog on a beach")])
        .await
        .expect("edit alt");
    assert_eq!(updated.alt, "A dog on a beach");
    let err = app
        .call_as::<UpdatePhotoAlt, Photo>(&ben, &[("id", &photo.id), ("alt", "mine now")])
        .await
        .expect_err("not the author");
    assert_eq!(err, AppError::Forbidden);
    let view: PostView = app
        .call_as::<app::server_fns::posts::GetPost, _>(&ben, &[("post_id", &post.id.to_string())])
        .await
        .expect("read");
    assert_eq!(view.photos[0].alt, "A dog on a beach");
}

async fn direct(app: &TestApp, a: &Person, b: &Person) -> ConversationId {
    app.call_as::<OpenDirectConversation, _>(a, &[("user_id", &b.id.to_string())])
        .await
        .expect("open")
}

#[tokio::test]
async fn chat_photos_are_for_members_only() {
    let app = spawn_app().await;
    let ana = app.person("ana_chat").await;
    let ben = app.person("ben_chat").await;
    let cat = app.person("cat_chat").await;
    app.befriend(&ana, &ben).await;
    let conv = direct(&app, &ana, &ben).await;
    let photo = upload(&app, &ana.client, "message", 32, 32).await;
    let conv_s = conv.to_string();
    let sent: MessageView = app
        .call_as::<SendMessage, _>(
            &ana,
            &[
                ("conversation_id", &conv_s),
                ("body", ""),
                ("photo[id]", &photo.id),
                ("photo[alt]", "Our cat"),
            ],
        )
        .await
        .expect("send a photo");
    assert_eq!(sent.photo.as_ref().map(|p| p.alt.as_str()), Some("Our cat"));
    assert_eq!(
        fetch(&app, &ben.client, &photo, 160).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        fetch(&app, &cat.client, &photo, 160).await.status(),
        StatusCode::NOT_FOUND
    );
    // Someone else's upload can't be sent.
    let cats = upload(&app, &cat.client, "message", 8, 8).await;
    let err = app
        .call_as::<SendMessage, MessageView>(
            &ana,
            &[
                ("conversation_id", &conv_s),
                ("body", "hi"),
                ("photo[id]", &cats.id),
            ],
        )
        .await
        .expect_err("not ana's");
    assert!(err.field_message("photos").is_some(), "{err:?}");
    // Deleting the message removes the photo.
    let _: MessageView = app
        .call_as::<DeleteMessage, _>(&ana, &[("message_id", &sent.id.to_string())])
        .await
        .expect("delete");
    assert_eq!(
        fetch(&app, &ben.client, &photo, 160).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        app.state
            .media
            .get(&photo.id, 160)
            .await
            .expect("store")
            .is_none()
    );
}

async fn stored(app: &TestApp, photo: &Photo) -> bool {
    app.state
        .media
        .get(&photo.id, 160)
        .await
        .expect("store")
        .is_some()
}

#[tokio::test]
async fn deletes_leave_no_file_behind_and_keep_what_is_used() {
    let app = spawn_app().await;
    let ana = app.person("ana_orphans").await;
    let ben = app.person("ben_orphans").await;
    let p1 = upload(&app, &ana.client, "post", 20, 20).await;
    let p2 = upload(&app, &ana.client, "post", 20, 20).await;
    let post = post_with_photos(&app, &ana.client, "Two", "public", &[(&p1, ""), (&p2, "")])
        .await
        .expect("post");
    let share: PostView = app
        .call_as::<SharePost, _>(
            &ben,
            &[
                ("post_id", &post.id.to_string()),
                ("body", "Look"),
                ("visibility", "public"),
            ],
        )
        .await
        .expect("share");
    match &share.shared {
        Some(app::models::SharedPost::Available(root)) => assert_eq!(root.photos.len(), 2),
        other => panic!("share embeds the photos: {other:?}"),
    }
    // Deleting the share keeps the original's photos.
    let _: () = app
        .call_as::<DeletePost, _>(&ben, &[("post_id", &share.id.to_string())])
        .await
        .expect("delete share");
    assert!(stored(&app, &p1).await && stored(&app, &p2).await);
    // Removing one photo removes its files only.
    let after: PostView = app
        .call_as::<RemovePostPhoto, _>(&ana, &[("id", &p1.id)])
        .await
        .expect("remove one");
    assert_eq!(after.photos.len(), 1);
    assert!(!stored(&app, &p1).await && stored(&app, &p2).await);
    // Deleting the post removes the rest.
    let _: () = app
        .call_as::<DeletePost, _>(&ana, &[("post_id", &post.id.to_string())])
        .await
        .expect("delete post");
    assert!(!stored(&app, &p2).await);
    // A replaced avatar goes; the new one stays.
    let a1 = upload(&app, &ana.client, "avatar", 20, 20).await;
    let a2 = upload(&app, &ana.client, "avatar", 20, 20).await;
    for a in [&a1, &a2] {
        let _: Photo = app
            .call_as::<SetProfilePhoto, _>(&ana, &[("purpose", "avatar"), ("id", &a.id)])
            .await
            .expect("set");
    }
    assert!(!stored(&app, &a1).await && stored(&app, &a2).await);
    assert_eq!(
        app.me(&ana.client).await.avatar.map(|p| p.id),
        Some(a2.id.clone())
    );
    // An upload never attached is swept after a day; used ones are not.
    let stray = upload(&app, &ana.client, "post", 20, 20).await;
    let later = app::time_fmt::now_ms() + app::services::media::UNATTACHED_TTL_MS + 1;
    let swept = app::services::media::sweep_unattached(&app.state.db, later)
        .await
        .expect("sweep");
    assert_eq!(swept, 1, "only the stray upload");
    app.state.empty_media_trash().await;
    assert!(!stored(&app, &stray).await);
    assert!(stored(&app, &a2).await);
    let rows = <app::db::entities::media::Entity as sea_orm::EntityTrait>::find()
        .all(&app.state.db)
        .await
        .expect("rows");
    assert_eq!(rows.len(), 1, "only the avatar is left: {rows:?}");
    let trash = <app::db::entities::media_trash::Entity as sea_orm::EntityTrait>::find()
        .all(&app.state.db)
        .await
        .expect("trash");
    assert!(trash.is_empty(), "every trashed file was deleted");
}
