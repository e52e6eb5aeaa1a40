//! `photo-bench`: the photo pipeline's throughput and what uploads cost
//! page requests.
//!
//! 1. **Pipeline.** A 12-megapixel JPEG (4,000 × 3,000, noisy gradient,
//!    about the size a phone writes) goes through the whole pipeline
//!    (decode under limits, orient, variants 160/640/1,280, BlurHash,
//!    JPEG q80) `--photos` times on one thread, then as many again
//!    through the server's image-work cap (one job per core at a time).
//!    Also the bytes of the 1,280 variant as JPEG q70/q80/q90 and as
//!    lossless WebP (all the `image` crate can write), the figures behind
//!    the choice of JPEG q80.
//! 2. **Feed under uploads.** A server in this process on a temporary
//!    SQLite file and media folder, one signed-up user with 20 posts (5 of
//!    them with photos). `--connections` clients load the feed page `/`
//!    for `--duration` seconds alone, then again while `--uploads` clients
//!    upload the 12-megapixel JPEG in a loop. Prints feed p50/p99 and
//!    requests per second for both, and the uploads completed.

use anyhow::{Context as _, bail};
use app::media::process;
use app::models::MediaPurpose;
use hdrhistogram::Histogram;
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use leptos::server_fn::ServerFn as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Settings of a run (`photo-bench --help`).
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Photos processed in each pipeline measurement.
    #[arg(long, default_value_t = 12)]
    pub photos: usize,
    /// Feed clients (concurrent connections).
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Concurrent uploaders in the second feed phase.
    #[arg(long, default_value_t = 8)]
    pub uploads: usize,
    /// Seconds of each feed phase.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
}

/// A `w`×`h` JPEG (quality 90) of a gradient with per-pixel noise, so it
/// compresses like a photo rather than a flat image.
pub fn photo_like_jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let img = RgbImage::from_fn(w, h, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state & 0x1F) as u8;
        Rgb([
            ((x * 200 / w) as u8).saturating_add(noise),
            ((y * 200 / h) as u8).saturating_add(noise / 2),
            (((x + y) * 120 / (w + h)) as u8).saturating_add(noise),
        ])
    });
    let mut out = Vec::new();
    let _ = JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img);
    out
}

fn pipeline(opts: &Options, source: &Arc<Vec<u8>>) -> anyhow::Result<()> {
    println!(
        "source: 4000x3000 JPEG, {:.1} MB",
        source.len() as f64 / 1e6
    );
    let start = Instant::now();
    let mut last = None;
    for _ in 0..opts.photos {
        last = Some(process::process(source, MediaPurpose::Post).map_err(|e| anyhow::anyhow!(e))?);
    }
    let one = start.elapsed();
    println!(
        "pipeline, 1 thread: {:.2} photos/s ({:.0} ms each)",
        opts.photos as f64 / one.as_secs_f64(),
        one.as_secs_f64() * 1e3 / opts.photos as f64
    );
    if let Some(p) = &last {
        let sizes: Vec<String> = p
            .variants
            .iter()
            .map(|(slot, b)| format!("{slot}: {:.1} KB", b.len() as f64 / 1e3))
            .collect();
        println!(
            "variants (JPEG q{}): {}",
            process::JPEG_QUALITY,
            sizes.join(", ")
        );
        if let Some((_, largest)) = p.variants.last() {
            let img = image::load_from_memory(largest)?.to_rgb8();
            let mut row = Vec::new();
            for q in [70, 80, 90] {
                let mut out = Vec::new();
                JpegEncoder::new_with_quality(&mut out, q).encode_image(&img)?;
                row.push(format!("JPEG q{q} {:.1} KB", out.len() as f64 / 1e3));
            }
            let mut webp = Vec::new();
            image::codecs::webp::WebPEncoder::new_lossless(&mut webp).encode(
                img.as_raw(),
                img.width(),
                img.height(),
                image::ExtendedColorType::Rgb8,
            )?;
            row.push(format!("WebP lossless {:.1} KB", webp.len() as f64 / 1e3));
            println!("1280 variant as: {}", row.join(", "));
        }
    }
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let start = Instant::now();
    let handles: Vec<_> = (0..cores)
        .map(|i| {
            let source = source.clone();
            let n = opts.photos / cores + usize::from(i < opts.photos % cores);
            std::thread::spawn(move || {
                for _ in 0..n {
                    let _ = process::process(&source, MediaPurpose::Post);
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    let all = start.elapsed();
    println!(
        "pipeline, {cores} threads (the server's cap): {:.2} photos/s",
        opts.photos as f64 / all.as_secs_f64()
    );
    Ok(())
}

/// Signs up the bench user on `base`; returns its session cookie pair.
///
/// # Errors
/// When sign-up fails.
pub async fn sign_up(client: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let password = "bench-password-123";
    let resp = client
        .post(format!("{base}{}", app::server_fns::auth::SignUp::PATH))
        .form(&[
            ("username", "bench_photos"),
            ("email", "bench@example.test"),
            ("first_name", "Bench"),
            ("last_name", "Photos"),
            ("password", password),
            ("password_confirm", password),
        ])
        .send()
        .await?;
    let cookie = resp
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(server::SESSION_COOKIE))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .context("no session cookie after sign-up")?;
    if !resp.status().is_success() {
        bail!("sign-up failed: {}", resp.status());
    }
    Ok(cookie)
}

async fn upload(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    bytes: Vec<u8>,
) -> anyhow::Result<String> {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("photo.jpg")
        .mime_str("image/jpeg")?;
    let resp = client
        .post(format!("{base}/api/media?purpose=post"))
        .header("cookie", cookie)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await?;
    if !resp.status().is_success() {
        bail!("upload failed: {}", resp.status());
    }
    let photo: app::models::Photo = resp.json().await?;
    Ok(photo.id)
}

struct Phase {
    hist: Histogram<u64>,
    requests: u64,
    elapsed: Duration,
}

async fn load_feed(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Phase> {
    let deadline = Instant::now() + duration;
    let start = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (client, url, cookie) = (client.clone(), format!("{base}/"), cookie.to_owned());
            tokio::spawn(async move {
                let mut hist = Histogram::<u64>::new(3)?;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let resp = client.get(&url).header("cookie", &cookie).send().await?;
                    let ok = resp.status().is_success();
                    let _ = resp.bytes().await?;
                    if !ok {
                        bail!("feed answered an error");
                    }
                    hist.record(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX))?;
                }
                Ok::<_, anyhow::Error>(hist)
            })
        })
        .collect();
    let mut hist = Histogram::<u64>::new(3)?;
    for t in tasks {
        hist.add(t.await??)?;
    }
    Ok(Phase {
        requests: hist.len(),
        hist,
        elapsed: start.elapsed(),
    })
}

fn report(name: &str, p: &Phase) {
    println!(
        "{name}: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms ({} requests)",
        p.requests as f64 / p.elapsed.as_secs_f64(),
        p.hist.value_at_quantile(0.5) as f64 / 1e3,
        p.hist.value_at_quantile(0.99) as f64 / 1e3,
        p.requests
    );
}

async fn feed_under_uploads(opts: &Options, source: Arc<Vec<u8>>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = server::config::Config::for_tests(format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    ));
    config.media_url = dir.path().join("media").display().to_string();
    let application = server::Application::build(&config).await?;
    let base = format!("http://{}", application.local_addr()?);
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.connections + opts.uploads)
        .build()?;
    let cookie = sign_up(&client, &base).await?;
    let small = photo_like_jpeg(1600, 1200);
    for i in 0..20 {
        let mut form = vec![
            ("body".to_owned(), format!("Bench post {i}")),
            ("visibility".to_owned(), "friends".to_owned()),
        ];
        if i % 4 == 0 {
            for j in 0..3 {
                let id = upload(&client, &base, &cookie, small.clone()).await?;
                form.push((format!("photos[{j}][id]"), id));
                form.push((format!("photos[{j}][alt]"), format!("Photo {j}")));
            }
        }
        let resp = client
            .post(format!(
                "{base}{}",
                app::server_fns::posts::CreatePost::PATH
            ))
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await?;
        if !resp.status().is_success() {
            bail!("creating a post failed: {}", resp.status());
        }
    }
    let duration = Duration::from_secs(opts.duration);
    // Warm-up, then the feed alone.
    let _ = load_feed(
        &client,
        &base,
        &cookie,
        opts.connections,
        Duration::from_secs(2),
    )
    .await?;
    let alone = load_feed(&client, &base, &cookie, opts.connections, duration).await?;
    report(
        &format!("feed alone, {} connections", opts.connections),
        &alone,
    );

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let uploaders: Vec<_> = (0..opts.uploads)
        .map(|_| {
            let (client, base, cookie, source) =
                (client.clone(), base.clone(), cookie.clone(), source.clone());
            let (stop, done) = (stop.clone(), done.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    upload(&client, &base, &cookie, source.to_vec()).await?;
                    done.fetch_add(1, Ordering::Relaxed);
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    let busy = load_feed(&client, &base, &cookie, opts.connections, duration).await?;
    stop.store(true, Ordering::Relaxed);
    for u in uploaders {
        u.await??;
    }
    report(
        &format!(
            "feed with {} uploads running, {} connections",
            opts.uploads, opts.connections
        ),
        &busy,
    );
    println!(
        "uploads completed meanwhile: {} ({:.2}/s)",
        done.load(Ordering::Relaxed),
        done.load(Ordering::Relaxed) as f64 / busy.elapsed.as_secs_f64()
    );
    Ok(())
}

/// Runs both parts and prints the figures.
///
/// # Errors
/// If the server can't start or a request fails.
pub async fn run(opts: Options) -> anyhow::Result<()> {
    let source = Arc::new(photo_like_jpeg(4000, 3000));
    let (o, s) = (opts.clone(), source.clone());
    tokio::task::spawn_blocking(move || pipeline(&o, &s)).await??;
    feed_under_uploads(&opts, source).await
}
