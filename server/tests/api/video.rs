//! Video: the tus protocol's rules, an upload cut off and resumed to the
//! same bytes, transcoding a generated clip to a 360p + 720p HLS ladder
//! with 10-second segments and a poster, a small source kept at its own
//! height, refusals told to the author, who may fetch playlists and
//! segments, and a transcode that survives `kill -9` of its server.

use crate::helpers::{Person, TestApp, spawn_app, spawn_app_with};
use app::error::AppError;
use app::events::{LiveEnvelope, LiveEvent};
use app::models::PostView;
use app::models::video::{UPLOADS_PATH, VideoState};
use app::server_fns::posts::{CreatePost, GetPost};
use reqwest::StatusCode;
use sha2::Digest as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

const TUS: (&str, &str) = ("Tus-Resumable", "1.0.0");
const OCTETS: &str = "application/offset+octet-stream";

/// Makes a clip with ffmpeg's test sources: `size` like `1280x720`, with a
/// sine tone, `seconds` long, H.264 + AAC in MP4.
pub fn clip(dir: &Path, size: &str, seconds: u32) -> PathBuf {
    let out = dir.join(format!("clip-{size}-{seconds}.mp4"));
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc2=size={size}:rate=30"))
        .args(["-f", "lavfi", "-i", "sine=frequency=440", "-t"])
        .arg(seconds.to_string())
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ])
        .args(["-c:a", "aac", "-shortest"])
        .arg(&out)
        .status()
        .expect("ffmpeg (Debian's ffmpeg package)");
    assert!(status.success(), "generating the clip");
    out
}

async fn create(app: &TestApp, who: &Person, length: u64) -> reqwest::Response {
    who.client
        .post(app.url(UPLOADS_PATH))
        .header(TUS.0, TUS.1)
        .header("Upload-Length", length.to_string())
        .header("Upload-Metadata", "filename aG9saWRheS5tcDQ=")
        .send()
        .await
        .expect("create")
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned()
}

async fn patch(
    app: &TestApp,
    who: &Person,
    url: &str,
    offset: u64,
    bytes: Vec<u8>,
) -> reqwest::Response {
    who.client
        .patch(app.url(url))
        .header(TUS.0, TUS.1)
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", OCTETS)
        .body(bytes)
        .send()
        .await
        .expect("patch")
}

/// Sends a bodiless tus request (`HEAD`, `DELETE`) as `who`.
async fn tus_call(
    app: &TestApp,
    who: &Person,
    method: reqwest::Method,
    url: &str,
) -> reqwest::Response {
    who.client
        .request(method, app.url(url))
        .header(TUS.0, TUS.1)
        .send()
        .await
        .expect("tus request")
}

async fn offset_of(app: &TestApp, who: &Person, url: &str) -> u64 {
    let r = tus_call(app, who, reqwest::Method::HEAD, url).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.headers()["upload-offset"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("number")
}

/// Uploads `bytes` in `chunk`-byte pieces; returns the video id.
async fn upload(app: &TestApp, who: &Person, bytes: &[u8], chunk: usize) -> String {
    let r = create(app, who, bytes.len() as u64).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let url = location(&r);
    let mut at = 0;
    while at < bytes.len() {
        let end = (at + chunk).min(bytes.len());
        let r = patch(app, who, &url, at as u64, bytes[at..end].to_vec()).await;
        assert_eq!(
            r.status(),
            StatusCode::NO_CONTENT,
            "{}",
            r.text().await.unwrap_or_default()
        );
        at = end;
    }
    url.rsplit('/').next().expect("id").to_owned()
}

async fn post_video(app: &TestApp, who: &Person, id: &str, visibility: &str) -> PostView {
    app.call_as::<CreatePost, PostView>(
        who,
        &[
            ("body", "Holiday!"),
            ("visibility", visibility),
            ("video", id),
        ],
    )
    .await
    .expect("post with video")
}

/// Polls the author's view of `post` until its video is no longer
/// processing (at most 3 minutes).
async fn settled(app: &TestApp, author: &Person, post: &PostView) -> PostView {
    for _ in 0..360 {
        let p: PostView = app
            .call_as::<GetPost, _>(author, &[("post_id", &post.id.to_string())])
            .await
            .expect("author sees own post");
        if !matches!(
            p.video.as_ref().map(|v| &v.state),
            Some(VideoState::Processing { .. })
        ) {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("the video was still processing after 3 minutes");
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn socket(app: &TestApp, cookie: &str, origin: &str) -> Socket {
    let (ws, _) =
        tokio_tungstenite::connect_async(crate::live::ws_request(app, Some(cookie), origin))
            .await
            .expect("connect");
    ws
}

/// Every event the socket has received so far (stops after 1 s of quiet).
async fn drain(ws: &mut Socket) -> Vec<LiveEvent> {
    use futures::StreamExt as _;
    let mut events = Vec::new();
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_secs(1), ws.next()).await {
        if let tokio_tungstenite::tungstenite::Message::Text(text) = msg {
            let env: LiveEnvelope = serde_json::from_str(&text).expect("envelope");
            events.push(env.event);
        }
    }
    events
}

async fn get(who: &Person, app: &TestApp, path: &str) -> reqwest::Response {
    who.client.get(app.url(path)).send().await.expect("get")
}

#[tokio::test]
async fn tus_rules_hold() {
    let app = spawn_app_with(|c| c.video_max_bytes = 10_000_000).await;
    let (ann, bob) = (app.person("tus_ann").await, app.person("tus_bob").await);

    let opts = ann
        .client
        .request(reqwest::Method::OPTIONS, app.url(UPLOADS_PATH))
        .send()
        .await
        .expect("options");
    assert_eq!(opts.status(), StatusCode::NO_CONTENT);
    assert_eq!(opts.headers()["tus-version"], "1.0.0");
    assert_eq!(opts.headers()["tus-max-size"], "10000000");
    assert!(
        opts.headers()["tus-extension"]
            .to_str()
            .expect("ascii")
            .contains("termination")
    );

    // Version, sign-in, length.
    let r = ann
        .client
        .post(app.url(UPLOADS_PATH))
        .header("Upload-Length", "10")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    let r = crate::helpers::new_client()
        .post(app.url(UPLOADS_PATH))
        .header(TUS.0, TUS.1)
        .header("Upload-Length", "10")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        create(&app, &ann, 10_000_001).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );

    let r = create(&app, &ann, 10).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(r.headers().contains_key("upload-expires"));
    let url = location(&r);
    assert!(url.starts_with(UPLOADS_PATH));

    // Content type, offsets, size.
    let r = ann
        .client
        .patch(app.url(&url))
        .header(TUS.0, TUS.1)
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/octet-stream")
        .body(vec![1; 4])
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        patch(&app, &ann, &url, 3, vec![1; 4]).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        patch(&app, &ann, &url, 0, vec![1; 11]).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(
        offset_of(&app, &ann, &url).await,
        0,
        "refusals change nothing"
    );
    let r = patch(&app, &ann, &url, 0, vec![1; 4]).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.headers()["upload-offset"], "4");
    assert_eq!(offset_of(&app, &ann, &url).await, 4);

    // The upload is Ann's: Bob gets 404 for every method, as for nonsense.
    let h = tus_call(&app, &bob, reqwest::Method::HEAD, &url).await;
    assert_eq!(h.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        patch(&app, &bob, &url, 4, vec![1; 2]).await.status(),
        StatusCode::NOT_FOUND
    );
    let d = tus_call(&app, &bob, reqwest::Method::DELETE, &url).await;
    assert_eq!(d.status(), StatusCode::NOT_FOUND);
    let h = tus_call(
        &app,
        &ann,
        reqwest::Method::HEAD,
        &format!("{UPLOADS_PATH}/{}", "0".repeat(32)),
    )
    .await;
    assert_eq!(h.status(), StatusCode::NOT_FOUND);
    assert_eq!(offset_of(&app, &ann, &url).await, 4, "Bob changed nothing");

    // Termination.
    let d = tus_call(&app, &ann, reqwest::Method::DELETE, &url).await;
    assert_eq!(d.status(), StatusCode::NO_CONTENT);
    let h = tus_call(&app, &ann, reqwest::Method::HEAD, &url).await;
    assert_eq!(h.status(), StatusCode::NOT_FOUND);

    // Expiration: an upload past its 24 h answers 410 and is swept.
    let r = create(&app, &ann, 10).await;
    let url = location(&r);
    use app::db::entities::videos;
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, sea_query::Expr};
    videos::Entity::update_many()
        .col_expr(videos::Column::UploadExpiresAtMs, Expr::value(1_i64))
        .filter(videos::Column::Key.eq(url.rsplit('/').next().expect("id")))
        .exec(&app.state.db)
        .await
        .expect("expire");
    let h = tus_call(&app, &ann, reqwest::Method::HEAD, &url).await;
    assert_eq!(h.status(), StatusCode::GONE);
    let swept = app::services::videos::sweep_expired_uploads(
        &app.state.db,
        &app.state.video,
        app::time_fmt::now_ms(),
    )
    .await
    .expect("sweep");
    assert_eq!(swept, 1);
    assert!(
        !app.state
            .video
            .upload_path(url.rsplit('/').next().expect("id"))
            .exists(),
        "the file went with the row"
    );
}

#[tokio::test]
async fn an_upload_cut_after_three_chunks_resumes_to_the_same_bytes() {
    // No transcoding in this instance: the uploaded file stays to be read.
    let app = spawn_app_with(|c| c.transcode_concurrency = 0).await;
    let ann = app.person("cut_ann").await;
    let chunk = 1024 * 1024;
    let source: Vec<u8> = (0..(5 * chunk + 12345))
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    let r = create(&app, &ann, source.len() as u64).await;
    let url = location(&r);
    for i in 0..3 {
        let r = patch(
            &app,
            &ann,
            &url,
            (i * chunk) as u64,
            source[i * chunk..(i + 1) * chunk].to_vec(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
    // The fourth piece breaks off after 300 KB: the server keeps what came.
    let piece = source[3 * chunk..4 * chunk].to_vec();
    let first = bytes::Bytes::copy_from_slice(&piece[..300_000]);
    let stream = futures::stream::iter(vec![
        Ok::<_, std::io::Error>(first),
        Err(std::io::Error::other("network cut")),
    ]);
    let cut = ann
        .client
        .patch(app.url(&url))
        .header(TUS.0, TUS.1)
        .header("Upload-Offset", (3 * chunk).to_string())
        .header("Content-Type", OCTETS)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await;
    assert!(cut.is_err() || !cut.expect("response").status().is_success());
    // Resume from wherever the server says.
    let mut at = 0;
    for _ in 0..50 {
        at = offset_of(&app, &ann, &url).await as usize;
        if at >= 3 * chunk {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        (3 * chunk..=3 * chunk + 300_000).contains(&at),
        "offset {at}"
    );
    while at < source.len() {
        let end = (at + chunk).min(source.len());
        let r = patch(&app, &ann, &url, at as u64, source[at..end].to_vec()).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        at = end;
    }
    let id = url.rsplit('/').next().expect("id");
    let stored = std::fs::read(app.state.video.upload_path(id)).expect("uploaded file");
    assert_eq!(
        sha2::Sha256::digest(&stored),
        sha2::Sha256::digest(&source),
        "SHA-256 of what arrived equals the source's"
    );
    let h = tus_call(&app, &ann, reqwest::Method::HEAD, &url).await;
    assert_eq!(
        h.headers()["upload-offset"].to_str().ok(),
        Some(source.len().to_string().as_str())
    );
}

#[tokio::test]
async fn a_clip_becomes_360p_and_720p_hls_for_its_audience_only() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("dir");
    let src = std::fs::read(clip(dir.path(), "1280x720", 25)).expect("clip");
    let (ann, friend, stranger) = (
        app.person("hls_ann").await,
        app.person("hls_friend").await,
        app.person("hls_stranger").await,
    );
    app.befriend(&ann, &friend).await;
    // Both have the site open: the author's tabs get the progress, the
    // friend's feed gets the post once it is ready.
    let origin = format!("http://{}", app.addr);
    let mut ann_ws = socket(&app, &ann.cookie, &origin).await;
    let mut friend_ws = socket(&app, &friend.cookie, &origin).await;
    let id = upload(&app, &ann, &src, 1024 * 1024).await;
    let post = post_video(&app, &ann, &id, "friends").await;
    assert!(matches!(
        post.video.as_ref().map(|v| &v.state),
        Some(VideoState::Processing { .. }) | Some(VideoState::Ready)
    ));
    // Unpublished until ready: the friend can't see it yet.
    if matches!(
        post.video.as_ref().map(|v| &v.state),
        Some(VideoState::Processing { .. })
    ) {
        let early: Result<PostView, _> = app
            .call_as::<GetPost, _>(&friend, &[("post_id", &post.id.to_string())])
            .await;
        assert_eq!(early.err(), Some(AppError::NotFound));
    }
    let post = settled(&app, &ann, &post).await;
    let video = post.video.clone().expect("video");
    assert_eq!(video.state, VideoState::Ready, "{video:?}");
    assert_eq!(video.renditions, vec![360, 720]);
    assert_eq!((video.width, video.height), (1280, 720));
    assert!(
        (24_000..=26_000).contains(&video.duration_ms),
        "{}",
        video.duration_ms
    );
    let ann_events = drain(&mut ann_ws).await;
    let mut last_post = None;
    let percents: Vec<u8> = ann_events
        .iter()
        .filter_map(|e| match e {
            LiveEvent::VideoProgress {
                video_id,
                post_id,
                percent,
            } if *video_id == id => {
                // Until the post exists (it is made while the video
                // transcodes) the event names no post.
                assert!(post_id.is_none_or(|p| p == post.id));
                last_post = *post_id;
                Some(*percent)
            }
            _ => None,
        })
        .collect();
    assert!(percents.len() >= 3, "progress pushed live: {percents:?}");
    assert_eq!(last_post, Some(post.id), "later progress names the post");
    assert!(percents.windows(2).all(|w| w[0] < w[1]), "{percents:?}");
    assert!(ann_events.iter().any(|e| matches!(
        e,
        LiveEvent::VideoProcessed { video_id, failure: None, .. } if *video_id == id
    )));
    let friend_events = drain(&mut friend_ws).await;
    assert!(
        friend_events
            .iter()
            .any(|e| matches!(e, LiveEvent::PostCreated { post_id, .. } if *post_id == post.id)),
        "the friend's feed hears of the post when it is ready: {friend_events:?}"
    );
    assert!(
        !friend_events.iter().any(|e| matches!(
            e,
            LiveEvent::VideoProgress { .. } | LiveEvent::VideoProcessed { .. }
        )),
        "progress is the author's alone"
    );

    // The friend now sees it and plays it.
    let seen: PostView = app
        .call_as::<GetPost, _>(&friend, &[("post_id", &post.id.to_string())])
        .await
        .expect("published");
    assert!(seen.video.is_some_and(|v| v.is_ready()));
    let master = get(&friend, &app, &video.master_url()).await;
    assert_eq!(master.status(), StatusCode::OK);
    assert_eq!(
        master.headers()["content-type"],
        "application/vnd.apple.mpegurl"
    );
    assert!(
        master.headers()["cache-control"]
            .to_str()
            .expect("ascii")
            .contains("private")
    );
    let master = master.text().await.expect("text");
    assert!(master.contains("RESOLUTION=640x360"), "{master}");
    assert!(master.contains("RESOLUTION=1280x720"), "{master}");
    let mut segments = Vec::new();
    for r in ["360", "720"] {
        assert!(master.contains(&format!("{r}/index.m3u8")), "{master}");
        let base = format!("/media/{id}/hls/{r}/");
        let list = get(&friend, &app, &format!("{base}index.m3u8"))
            .await
            .text()
            .await
            .expect("text");
        let durations: Vec<f64> = list
            .lines()
            .filter_map(|l| l.strip_prefix("#EXTINF:"))
            .map(|d| d.trim_end_matches(',').parse().expect("seconds"))
            .collect();
        assert_eq!(durations.len(), 3, "{list}");
        assert!(
            (durations[0] - 10.0).abs() < 0.2 && (durations[1] - 10.0).abs() < 0.2,
            "{list}"
        );
        let seg = list.lines().find(|l| l.ends_with(".ts")).expect("segment");
        let res = get(&friend, &app, &format!("{base}{seg}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "video/mp2t");
        assert_eq!(
            res.bytes().await.expect("bytes").first(),
            Some(&0x47),
            "MPEG-TS sync byte"
        );
        segments.push(format!("{base}{seg}"));
    }
    let poster = get(&friend, &app, &video.poster_url(640)).await;
    assert_eq!(poster.status(), StatusCode::OK);
    assert_eq!(poster.headers()["content-type"], "image/jpeg");

    // A stranger gets 404 for the playlists, every segment and the poster.
    let signed_out = crate::helpers::new_client();
    for path in [
        video.master_url(),
        format!("/media/{id}/hls/360/index.m3u8"),
        video.poster_url(640),
    ]
    .into_iter()
    .chain(segments)
    {
        assert_eq!(
            get(&stranger, &app, &path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
        let r = signed_out.get(app.url(&path)).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        get(&friend, &app, &format!("/media/{id}/hls/../../x"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Deleting the post leaves no file of the video behind.
    let _: () = app
        .call_as::<app::server_fns::posts::DeletePost, _>(
            &ann,
            &[("post_id", &post.id.to_string())],
        )
        .await
        .expect("delete");
    app.state.empty_media_trash().await;
    assert!(
        app.state
            .media
            .get_file(&id, "hls/master.m3u8")
            .await
            .expect("store")
            .is_none()
    );
    assert!(
        app.state
            .media
            .get(&id, 640)
            .await
            .expect("store")
            .is_none()
    );
    assert!(!app.state.video.upload_path(&id).exists());
}

#[tokio::test]
async fn a_240p_source_keeps_its_own_height_and_refusals_reach_the_author() {
    let app = spawn_app_with(|c| c.video_max_seconds = 4).await;
    let dir = tempfile::tempdir().expect("dir");
    let ann = app.person("small_ann").await;

    let small = std::fs::read(clip(dir.path(), "426x240", 3)).expect("clip");
    let id = upload(&app, &ann, &small, 512 * 1024).await;
    let post = settled(&app, &ann, &post_video(&app, &ann, &id, "public").await).await;
    let video = post.video.expect("video");
    assert_eq!(video.state, VideoState::Ready, "{video:?}");
    assert_eq!(video.renditions, vec![240], "never upscaled");
    let master = get(&ann, &app, &video.master_url())
        .await
        .text()
        .await
        .expect("text");
    assert!(master.contains("RESOLUTION=426x240"), "{master}");
    assert!(!master.contains("360"), "{master}");

    // Too long: failed with the rule, and the post stays unpublished.
    let long = std::fs::read(clip(dir.path(), "320x240", 6)).expect("clip");
    let id = upload(&app, &ann, &long, 512 * 1024).await;
    let post = settled(&app, &ann, &post_video(&app, &ann, &id, "public").await).await;
    match post.video.map(|v| v.state) {
        Some(VideoState::Failed { reason }) => {
            assert!(reason.contains("at most 4 seconds"), "{reason}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    let other = app.person("small_other").await;
    let hidden: Result<PostView, _> = app
        .call_as::<GetPost, _>(&other, &[("post_id", &post.id.to_string())])
        .await;
    assert_eq!(hidden.err(), Some(AppError::NotFound));

    // Not a video at all.
    let id = upload(&app, &ann, b"<html>not a video</html>", 1024).await;
    let post = settled(&app, &ann, &post_video(&app, &ann, &id, "public").await).await;
    match post.video.map(|v| v.state) {
        Some(VideoState::Failed { reason }) => {
            assert!(reason.contains("isn't a video we can read"), "{reason}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }

    // An unfinished upload can't be posted; nor can someone else's.
    let r = create(&app, &ann, 100).await;
    let unfinished = location(&r).rsplit('/').next().expect("id").to_owned();
    let refused = app
        .call_as::<CreatePost, PostView>(&ann, &[("body", "x"), ("video", &unfinished)])
        .await;
    assert!(
        matches!(refused, Err(AppError::Validation { .. })),
        "{refused:?}"
    );
    let refused = app
        .call_as::<CreatePost, PostView>(&other, &[("body", "x"), ("video", &unfinished)])
        .await;
    assert!(
        matches!(refused, Err(AppError::Validation { .. })),
        "{refused:?}"
    );
}

/// The server binary on `port`, on `db_url`, with `dir` for media and
/// uploads, a 2-second job lease, logging to `log`.
fn start_server(port: u16, db_url: &str, dir: &Path, log: &Path) -> std::process::Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log");
    std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", db_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("HEARTH_MEDIA_URL", dir.join("media"))
        .env("HEARTH_UPLOAD_DIR", dir.join("uploads"))
        .env("HEARTH_OUTBOX_DIR", dir.join("outbox"))
        .env("HEARTH_JOB_LEASE_SECONDS", "2")
        .env("RUST_LOG", "info")
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("server binary")
}

async fn wait_until_up(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server didn't start");
}

#[tokio::test]
async fn a_transcode_killed_with_its_server_completes_after_restart() {
    use app::db::entities::{jobs, videos};
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
    let dir = tempfile::tempdir().expect("dir");
    // A SQLite file, or a PostgreSQL database (HEARTH_TEST_BACKEND).
    let (db_url, pg) = crate::helpers::test_database_url(dir.path()).await;
    let log = dir.path().join("server.log");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let mut server = start_server(port, &db_url, dir.path(), &log);
    wait_until_up(port).await;
    // A TestApp pointed at the external server, with our own handle on
    // its database to watch the job.
    let db = app::db::connect_and_migrate(&db_url).await.expect("db");
    let media = app::media::MediaStore::open("memory:").expect("store");
    let app = TestApp {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        state: app::state::AppState::new(db.clone(), media),
        client: crate::helpers::new_client(),
        _dir: tempfile::tempdir().expect("dir"),
        _pg: pg,
    };
    let ann = app.person("kill_ann").await;
    let src = std::fs::read(clip(dir.path(), "1280x720", 40)).expect("clip");
    let id = upload(&app, &ann, &src, 4 * 1024 * 1024).await;
    let post = post_video(&app, &ann, &id, "public").await;

    // Wait until ffmpeg is well under way, then kill -9 the server.
    let progress = || async {
        videos::Entity::find()
            .filter(videos::Column::Key.eq(&id))
            .one(&db)
            .await
            .expect("query")
            .expect("row")
    };
    let mut seen = 0;
    for _ in 0..600 {
        seen = progress().await.progress;
        if seen >= 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen >= 10, "transcoding never got going");
    server.kill().expect("kill -9");
    server.wait().expect("reaped");
    let v = progress().await;
    assert_eq!(v.status, videos::PROCESSING, "killed mid-transcode");
    let job = jobs::Entity::find()
        .filter(jobs::Column::Kind.eq(app::services::videos::TRANSCODE_JOB))
        .one(&db)
        .await
        .expect("query")
        .expect("job");
    assert_eq!(
        job.status,
        jobs::RUNNING,
        "the dead worker's claim is still held"
    );

    // Restart: the lease runs out, the job is taken over and completes.
    let mut server = start_server(port, &db_url, dir.path(), &log);
    wait_until_up(port).await;
    let post = settled(&app, &ann, &post).await;
    let video = post.video.expect("video");
    assert_eq!(video.state, VideoState::Ready, "{video:?}");
    assert_eq!(video.renditions, vec![360, 720]);
    // The worker marks the job done just after the video is ready.
    let mut job = None;
    for _ in 0..100 {
        let row = jobs::Entity::find()
            .filter(jobs::Column::Kind.eq(app::services::videos::TRANSCODE_JOB))
            .one(&db)
            .await
            .expect("query")
            .expect("job");
        let done = row.status == jobs::DONE;
        job = Some(row);
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let job = job.expect("job");
    assert_eq!((job.status.as_str(), job.attempts), (jobs::DONE, 2));
    let master = get(&ann, &app, &video.master_url()).await;
    assert_eq!(master.status(), StatusCode::OK);
    let list = get(&ann, &app, &format!("/media/{id}/hls/720/index.m3u8"))
        .await
        .text()
        .await
        .expect("text");
    assert_eq!(list.matches("#EXTINF").count(), 4, "{list}");
    assert!(list.contains("#EXT-X-ENDLIST"), "{list}");
    server.kill().expect("stop");
    let _ = server.wait();
}
