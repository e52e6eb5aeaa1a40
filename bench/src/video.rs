//! The video benchmark behind `video-bench`: transcode speed (seconds of
//! video per second of wall time, the same ffmpeg ladder the server runs,
//! at its `nice 10`) and tus upload throughput over loopback into a real
//! server (5 MiB chunks, as the browser sends them). Prints figures; never
//! fails on a number.

use anyhow::{Context as _, bail};
use clap::Args;
use std::path::Path;
use std::time::Instant;

/// `video-bench` options.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Length of the generated 1280×720 clip to transcode, seconds.
    #[arg(long, default_value_t = 60)]
    pub seconds: u32,
    /// Size of the upload, MiB.
    #[arg(long, default_value_t = 512)]
    pub upload_mib: u64,
}

/// Runs both measurements and prints them.
///
/// # Errors
/// When ffmpeg is missing or the server can't start.
pub async fn run(opts: Options) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    transcode(dir.path(), opts.seconds).await?;
    upload(dir.path(), opts.upload_mib).await
}

async fn transcode(dir: &Path, seconds: u32) -> anyhow::Result<()> {
    let src = dir.join("source.mp4");
    let status = tokio::process::Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc2=size=1280x720:rate=30")
        .args(["-f", "lavfi", "-i", "sine=frequency=440", "-t"])
        .arg(seconds.to_string())
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "6M"])
        .args(["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"])
        .arg(&src)
        .status()
        .await
        .context("ffmpeg (Debian's ffmpeg package)")?;
    if !status.success() {
        bail!("generating the clip failed");
    }
    let probe = app::video::probe(&src)
        .await?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let plan = app::video::plan(probe.width, probe.height);
    let out = dir.join("hls");
    let started = Instant::now();
    app::video::transcode(&src, &out, &probe, &plan, |_| {}).await?;
    let wall = started.elapsed().as_secs_f64();
    let secs = probe.duration_ms as f64 / 1000.0;
    let bytes: u64 = walk_size(&out)?;
    println!(
        "transcode: {secs:.0} s of 1280x720 30 fps to 360p+720p HLS in {wall:.1} s wall = {:.2} s of video per second ({} cores), output {:.1} MB",
        secs / wall,
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        bytes as f64 / 1e6
    );
    let started = Instant::now();
    let poster = app::video::poster_frame(&src, &probe).await?;
    println!(
        "poster frame: {:.2} s, {} KB",
        started.elapsed().as_secs_f64(),
        poster.len() / 1024
    );
    Ok(())
}

fn walk_size(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        total += if e.file_type()?.is_dir() {
            walk_size(&e.path())?
        } else {
            e.metadata()?.len()
        };
    }
    Ok(total)
}

async fn upload(dir: &Path, mib: u64) -> anyhow::Result<()> {
    use app::models::video::{UPLOAD_CHUNK_BYTES, UPLOADS_PATH};
    let mut config = server::config::Config::for_tests(format!(
        "sqlite://{}?mode=rwc",
        dir.join("bench.db").display()
    ));
    config.media_url = dir.join("media").display().to_string();
    config.upload_dir = dir.join("uploads").display().to_string();
    // Measure the upload path alone: no transcode of the random bytes.
    config.transcode_concurrency = 0;
    let application = server::Application::build(&config).await?;
    let base = format!("http://{}", application.local_addr()?);
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::new();
    let cookie = crate::photos::sign_up(&client, &base).await?;
    let length = mib * 1024 * 1024;
    let resp = client
        .post(format!("{base}{UPLOADS_PATH}"))
        .header("cookie", &cookie)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", length.to_string())
        .send()
        .await?;
    if resp.status() != reqwest::StatusCode::CREATED {
        bail!("creating the upload: {}", resp.status());
    }
    let url = format!(
        "{base}{}",
        resp.headers()["location"].to_str().context("location")?
    );
    let chunk: Vec<u8> = (0..UPLOAD_CHUNK_BYTES)
        .map(|i| (i * 31 % 251) as u8)
        .collect();
    let started = Instant::now();
    let mut at = 0;
    while at < length {
        let n = UPLOAD_CHUNK_BYTES.min(length - at);
        let body = chunk[..usize::try_from(n)?].to_vec();
        let resp = client
            .patch(&url)
            .header("cookie", &cookie)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", at.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .body(body)
            .send()
            .await?;
        if resp.status() != reqwest::StatusCode::NO_CONTENT {
            bail!("PATCH at {at}: {}", resp.status());
        }
        at += n;
    }
    let wall = started.elapsed().as_secs_f64();
    println!(
        "upload: {mib} MiB in {} chunks of 5 MiB over loopback in {wall:.2} s = {:.0} MiB/s (each chunk synced to disk)",
        length.div_ceil(UPLOAD_CHUNK_BYTES),
        mib as f64 / wall
    );
    Ok(())
}
